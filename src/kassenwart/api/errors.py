"""The API's one error shape, `{"code", "message", "field"}`, for every failure.

`code` is stable for programs; `message` is for people, in the caller's language (the
Accept-Language header, chosen by Django's LocaleMiddleware); `field` names the input at fault
(`limit`, `items.3.amount`, `Idempotency-Key`) or is null.

Routers raise `ApiError` (or a domain error the handlers below know) and declare every status
they may answer with `responses(...)`, so the OpenAPI document lists each one.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

logger = logging.getLogger(__name__)


class Error(Schema):
    code: str
    message: str
    field: str | None


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers or {}


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("There is no such object."))


def forbidden(message: str | None = None) -> ApiError:
    return ApiError(403, "forbidden", message or _("Your role or the token's scope does not allow this."))


def invalid(field: str | None, message: str, code: str = "invalid") -> ApiError:
    return ApiError(422, code, message, field)


# Every operation may answer these (a token is needed, its role or scope may not suffice, the
# input may be invalid, and the caller may be too fast).
COMMON = (401, 403, 422, 429)
# Every POST may answer these too (api/idempotency.py).
IDEMPOTENT = (409, 422)


def responses(ok: dict, *errors: int) -> dict:
    """The `response=` of an operation: its successes (status -> schema) and every error status
    it may answer besides COMMON (404, 409, ...), each with the error shape."""
    return {**ok, **{status: Error for status in sorted({*COMMON, *errors})}}


def _body(code: str, message: str, field: str | None = None) -> dict:
    return {"code": code, "message": message, "field": field}


_MISSING = {"missing", "missing_argument", "missing_keyword_argument"}


_PLACES = ("body", "query", "path", "header", "form", "file", "cookie")


def _field(loc) -> str | None:
    """The input at fault from pydantic's location: ("body", "body", "items", 3, "amount") is
    "items.3.amount"; the place and ninja's name of the parameter group are left out."""
    parts = list(loc)
    if parts and parts[0] in _PLACES:
        parts = parts[1:]
        if len(parts) > 1 and parts[0] in ("body", "payload", "paging", "filters"):
            parts = parts[1:]
    return ".".join(str(p) for p in parts) or None


def _validation_message(error: dict) -> str:
    kind = error.get("type", "")
    if kind in _MISSING:
        return _("This field is required.")
    if kind == "json_invalid":
        return _("The body is not valid JSON.")
    if kind.startswith("too_long") or kind.startswith("too_short"):
        return _("This value has a wrong length.")
    if kind in ("less_than_equal", "less_than", "greater_than", "greater_than_equal"):
        return _("This value is out of range.")
    return _("This value is not valid.")


def install(api) -> None:
    """Register the handlers that turn every exception into the error shape."""

    def respond(request, status: int, body: dict, headers: dict | None = None):
        response = api.create_response(request, body, status=status)
        for name, value in (headers or {}).items():
            response[name] = value
        return response

    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        return respond(request, exc.status, _body(exc.code, exc.message, exc.field), exc.headers)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        first = exc.errors[0] if exc.errors else {}
        return respond(request, 422, _body("invalid", _validation_message(first), _field(first.get("loc", ()))))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return respond(request, 401, _body("unauthenticated", _("A valid API token is needed (Authorization: "
                                                                "Bearer <token>).")),
                       {"WWW-Authenticate": 'Bearer realm="kassenwart"'})

    @api.exception_handler(Throttled)
    def throttled(request, exc: Throttled):
        headers = {"Retry-After": str(int(exc.wait))} if exc.wait else {}
        return respond(request, 429, _body("throttled", _("Too many requests; try again shortly.")), headers)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 401:
            return unauthenticated(request, exc)
        if exc.status_code == 403:
            return respond(request, 403, _body("forbidden", _("Your role or the token's scope does not allow this.")))
        # ninja's 400 for a body it cannot parse: answered as every invalid input is, 422
        return respond(request, 422, _body("invalid", _("The request cannot be read.")))

    def not_found_answer(request, exc):
        return respond(request, 404, _body("not_found", _("There is no such object.")))

    api.add_exception_handler(Http404, not_found_answer)
    api.add_exception_handler(ObjectDoesNotExist, not_found_answer)

    @api.exception_handler(PermissionDenied)
    def permission_denied(request, exc):
        return respond(request, 403, _body("forbidden", _("Your role or the token's scope does not allow this.")))

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):
        return respond(request, 422, _body("too_large", _("The request is too large; send fewer items a call.")))

    @api.exception_handler(Exception)
    def server_error(request, exc):
        logger.exception("API request failed: %s %s", request.method, request.path)
        return respond(request, 500, _body("server_error", _("Something went wrong on the server.")))


def unknown_path(request, *args, **kwargs):
    """Any other address under /api/: 404 in the error shape (not the web's page)."""
    from django.http import JsonResponse

    return JsonResponse(_body("not_found", _("There is no such address in the API.")), status=404)
