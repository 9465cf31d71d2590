from django.urls import path

from kassenwart.web.views import exports

urlpatterns = [
    path("exports/", exports.export_page, name="export_page"),
    path("exports/download/", exports.export_download, name="export_download"),
    path("settings/exports/", exports.export_settings_page, name="export_settings"),
]
