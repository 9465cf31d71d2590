"""Read-only support access: a support user whose grant is not full access may look at every
page but change nothing. Every request that is not a read (GET, HEAD, OPTIONS) is refused,
except logging out, choosing the language and switching to another company, which change
only the support user's own session."""

from django.core.exceptions import PermissionDenied
from django.urls import Resolver404, resolve

ALLOWED = {"logout", "set_language", "company_switch"}
READS = {"GET", "HEAD", "OPTIONS"}


class ReadOnlySupportMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        grant = getattr(request, "support_grant", None)
        if grant is not None and not grant.full_access and request.method not in READS:
            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name not in ALLOWED:
                raise PermissionDenied("read-only support access")
        return self.get_response(request)
