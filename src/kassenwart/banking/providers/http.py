"""HTTP for the providers without an SDK (PayPal, Qonto): httpx with TLS always verified, a
timeout per request, and a 429 answer's Retry-After waited for (bounded: MAX_RETRIES times,
at most MAX_RETRY_WAIT seconds each), then a RateLimited error. Answers are read as JSON with
decimals kept exact (never float)."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import httpx

from . import (
    MAX_RETRIES,
    MAX_RETRY_WAIT,
    TIMEOUT,
    AccessRevoked,
    CredentialsRefused,
    RateLimited,
    Unavailable,
    Unreadable,
)


def client(base_url: str, **options) -> httpx.Client:
    return httpx.Client(base_url=base_url.rstrip("/"), timeout=TIMEOUT, verify=True, follow_redirects=False,
                        **options)


def retry_after(response: httpx.Response) -> float | None:
    """Seconds a 429 asks to wait (Retry-After in seconds), None when absent or unreadable."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def call(http: httpx.Client, provider: str, method: str, url: str, **options) -> dict:
    """One request, its JSON answer; provider errors as ProviderError subclasses."""
    for attempt in range(MAX_RETRIES + 1):
        try:
            response = http.request(method, url, **options)
        except httpx.HTTPError as error:
            raise Unavailable(provider, type(error).__name__) from error
        if response.status_code != 429:
            break
        wait = retry_after(response)
        if wait is None or wait > MAX_RETRY_WAIT or attempt == MAX_RETRIES:
            raise RateLimited(provider, "HTTP 429", seconds=int(wait or 0))
        time.sleep(wait)
    status = response.status_code
    if status == 401:
        raise CredentialsRefused(provider, _said(response))
    if status == 403:
        raise AccessRevoked(provider, _said(response))
    if status >= 500:
        raise Unavailable(provider, f"HTTP {status}")
    if status >= 400:
        raise Unreadable(provider, f"HTTP {status} {_said(response)}")
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError as error:
        raise Unreadable(provider, "not JSON") from error


def _said(response: httpx.Response) -> str:
    """The provider's own short words for a refusal (no secrets: they are in our request only)."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict):
        for name in ("error_description", "message", "error", "name"):
            if isinstance(body.get(name), str):
                return body[name]
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("detail") or errors[0].get("code") or "")
    return f"HTTP {response.status_code}"
