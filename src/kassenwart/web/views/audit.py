from django.shortcuts import render

from kassenwart.companies.permissions import VIEW_AUDIT
from kassenwart.core.selectors import audit_events
from kassenwart.web.decorators import company_required
from kassenwart.web.pagination import paginate


@company_required(VIEW_AUDIT)
def audit_log(request):
    page = paginate(request, audit_events(request.company))
    return render(request, "web/audit/list.html", {"page": page})
