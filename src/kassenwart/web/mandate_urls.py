"""Routes of the customer, mandate and direct debit settings pages (included from web/urls.py)."""

from django.urls import path

from kassenwart.web.views import customers, debit_settings, mandates

urlpatterns = [
    path("customers/", customers.customer_list, name="customer_list"),
    path("customers/<int:pk>/", customers.customer_detail, name="customer_detail"),
    path("mandates/", mandates.mandate_list, name="mandate_list"),
    path("mandates/new/", mandates.mandate_new, name="mandate_new"),
    path("mandates/import/", mandates.mandate_import, name="mandate_import"),
    path("mandates/<int:pk>/", mandates.mandate_detail, name="mandate_detail"),
    path("mandates/<int:pk>/amend/", mandates.mandate_amend, name="mandate_amend"),
    path("mandates/<int:pk>/revoke/", mandates.mandate_revoke, name="mandate_revoke"),
    path("settings/direct-debits/", debit_settings.debit_settings, name="debit_settings"),
    path("settings/direct-debits/accounts/<int:pk>/", debit_settings.debit_settings_account,
         name="debit_settings_account"),
]
