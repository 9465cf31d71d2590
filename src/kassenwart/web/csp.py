"""The Content-Security-Policy of every response, with a fresh nonce per request.

A script runs only when its tag carries the request's nonce (`{{ csp_nonce }}`, from the
context processor below); styles come from our own origin (or a tag with the nonce). So an
injected <script> (even one pointing at our own static files), an inline handler (onclick,
hx-on), an inline style attribute and eval (htmx `js:` values, trigger filters) are all
refused by the browser. Scripts may still set styles through the CSSOM (element.style.x = ...),
which CSP allows: that is how Chart.js sizes its canvas and flicker.js colours its bars.
htmx's own indicator CSS is switched off in base.html (app.css styles what is loading).
The browser tests fail on any violation (tests/browser_fixtures.py).
"""
from __future__ import annotations

import secrets

HEADER = "Content-Security-Policy"


def policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",  # photoTAN images arrive as data: URLs
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response.setdefault(HEADER, policy(request.csp_nonce))
        return response


def csp_nonce(request):
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
