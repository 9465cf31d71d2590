from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "kassenwart.companies"
    label = "companies"
