"""The webhook pages (admins): endpoints, their secrets and the delivery log."""

from django.urls import path

from kassenwart.web.views import webhooks

urlpatterns = [
    path("settings/webhooks/", webhooks.webhook_list, name="webhook_list"),
    path("settings/webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook_detail"),
    path("settings/webhooks/<int:pk>/state/", webhooks.webhook_state, name="webhook_state"),
    path("settings/webhooks/<int:pk>/secret/", webhooks.webhook_secret, name="webhook_secret"),
    path("settings/webhooks/<int:pk>/delete/", webhooks.webhook_delete, name="webhook_delete"),
    path("settings/webhooks/deliveries/<int:pk>/", webhooks.webhook_delivery, name="webhook_delivery"),
    path("settings/webhooks/deliveries/<int:pk>/replay/", webhooks.webhook_replay, name="webhook_replay"),
]
