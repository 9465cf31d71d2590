"""Routes of the reconciliation screens and the bell (included from web/urls.py)."""

from django.urls import path

from kassenwart.web.views import matches, matching_settings, notifications, reconciliation

urlpatterns = [
    path("reconciliation/open/", reconciliation.open_list, name="reconciliation_open"),
    path("reconciliation/open/csv/", reconciliation.open_export, name="reconciliation_open_export"),
    path("reconciliation/payments/<int:pk>/", reconciliation.map_page, name="reconciliation_map"),
    path("reconciliation/payments/<int:pk>/rows/", reconciliation.map_rows, name="reconciliation_map_rows"),
    path("reconciliation/payments/<int:pk>/map/", reconciliation.map_save, name="reconciliation_map_save"),
    path("reconciliation/payments/<int:pk>/accept/", reconciliation.accept, name="reconciliation_accept"),
    path("reconciliation/payments/<int:pk>/reject/", reconciliation.reject, name="reconciliation_reject"),
    path("reconciliation/payments/<int:pk>/ignore/", reconciliation.ignore, name="reconciliation_ignore"),
    path("reconciliation/payments/<int:pk>/unignore/", reconciliation.unignore, name="reconciliation_unignore"),
    path("reconciliation/matched/", matches.matched_list, name="reconciliation_matched"),
    path("reconciliation/matched/csv/", matches.matched_export, name="reconciliation_matched_export"),
    path("reconciliation/matches/<int:pk>/undo/", matches.undo, name="reconciliation_undo"),
    path("reconciliation/settings/", matching_settings.matching_settings, name="reconciliation_settings"),
    path("reconciliation/run/", matching_settings.run_now, name="reconciliation_run"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/read/", notifications.read_all, name="notification_read_all"),
    path("notifications/digest/", notifications.digest_preference, name="notification_digest"),
    path("notifications/<int:pk>/open/", notifications.open_one, name="notification_open"),
]
