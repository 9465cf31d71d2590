"""The bell: the latest notifications of the user in this company, marking them read."""

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kassenwart.notifications.models import Notification
from kassenwart.notifications.selectors import latest
from kassenwart.notifications.services import digest_preference_set, notifications_mark_read
from kassenwart.web.decorators import company_required

SHOWN = 50


@company_required()
def notification_list(request):
    notifications = latest(request.company, request.user, limit=SHOWN)
    return render(request, "web/notifications/list.html", {"notifications": notifications})


@require_POST
@company_required()
def read_all(request):
    notifications_mark_read(request.company, request.user)
    return redirect("notification_list")


@require_POST
@company_required()
def open_one(request, pk):
    """Mark one notification read and go where it points."""
    notification = get_object_or_404(Notification, pk=pk, company=request.company, user=request.user)
    notifications_mark_read(request.company, request.user, [notification.pk])
    if notification.link and url_has_allowed_host_and_scheme(notification.link, allowed_hosts={request.get_host()}):
        return redirect(notification.link)
    return redirect("notification_list")


@require_POST
@company_required()
def digest_preference(request):
    digest_preference_set(request.user, request.POST.get("email_digest") == "on", language=request.LANGUAGE_CODE)
    return redirect("notification_list")
