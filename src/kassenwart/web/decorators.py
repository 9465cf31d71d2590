"""Access to the pages: logged in, acting for a company, with a role that allows it."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from kassenwart.companies.permissions import VIEW, allows


def company_required(permission: str = VIEW):
    """Anonymous -> the login page; no company or a role without `permission` -> 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if request.company is None or membership is None or not allows(membership.role, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.permission = permission
        return wrapped

    return decorator
