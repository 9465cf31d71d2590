from django.shortcuts import render

from kassenwart.companies.permissions import MANAGE_SETTINGS
from kassenwart.core.selectors import audit_events
from kassenwart.web.decorators import company_required
from kassenwart.web.pagination import paginate

# Reading the audit trail is an admin's task; the permission table has no own entry for it
# yet, so it goes with managing the company's settings (admins only).
VIEW_AUDIT = MANAGE_SETTINGS


@company_required(VIEW_AUDIT)
def audit_log(request):
    page = paginate(request, audit_events(request.company))
    return render(request, "web/audit/list.html", {"page": page})
