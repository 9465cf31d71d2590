from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def render_list(request, full_template: str, partial_template: str, context: dict):
    """The whole page, or only its results when htmx asks for them (live search)."""
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request
    response = render(request, partial_template if partial else full_template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
