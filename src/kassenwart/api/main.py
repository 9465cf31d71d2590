"""The NinjaAPI of /api/v1: auth, errors, throttling, idempotency and the routers."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.openapi.schema import OpenAPISchema
from ninja.throttling import AuthRateThrottle

from kassenwart.api import errors
from kassenwart.api.audit import audited
from kassenwart.api.idempotency import HEADER, MAX_KEY, idempotent

TITLE = "Kassenwart API"
ERROR_REF = {"$ref": "#/components/schemas/Error"}


class Docs(Swagger):
    """django-ninja's Swagger UI from its own static files (no CDN), its script tags carrying the
    request's CSP nonce (kassenwart.web.csp)."""

    template = "api/swagger.html"


class Document(OpenAPISchema):
    """ninja's OpenAPI document, refusing two different schemas under one component name.

    ninja names a component after the class alone and keeps the last schema read under a name,
    so two classes called alike (two routers' `Out`, two models' `State`) would describe one
    another's answers. Enums are declared with api.schemas.choices and a name of their own."""

    def add_schema_definitions(self, definitions: dict) -> None:
        for name, definition in definitions.items():
            if self.schemas.get(name, definition) != definition:
                raise ImproperlyConfigured(f"Two different schemas are named {name} in the OpenAPI document: "
                                           f"{self.schemas[name]} and {definition}")
        super().add_schema_definitions(definitions)


class KassenwartApi(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Ninja's document (a Document: one schema a component name), plus what
        api/idempotency.py adds to every POST: the header and its 409 and 422 answers."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schema = Document(self, path_prefix)
        for operations in schema["paths"].values():
            post = operations.get("post")
            if post is None:
                continue
            post.setdefault("parameters", []).append({
                "in": "header", "name": HEADER, "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY},
                "description": "Replays the first response to a request with this key and body "
                               "(header Idempotent-Replayed: true) for at least 24 hours."})
            for status in errors.IDEMPOTENT:
                post["responses"].setdefault(status, {"description": "Error",
                                                      "content": {"application/json": {"schema": ERROR_REF}}})
        return schema


api = KassenwartApi(
    title=TITLE,
    version="1",
    description="Accounts, transactions, statements, customers and invoices, reconciliation, payments (with "
                "their pain files), mandates, collections and collection plans, bills to pay (received e-invoices "
                "and GiroCodes), notifications and webhook endpoints of one company: the company "
                "of the API token (Authorization: Bearer <token>). Errors have one shape: code, message "
                "(in the language of Accept-Language), field.",
    urls_namespace="api-v1",
    docs=Docs(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    throttle=[AuthRateThrottle(settings.KASSENWART_API_RATE)],
)
errors.install(api)
# mode "view": around ninja's whole handling (auth, validation, handler, response)
api.add_decorator(idempotent, mode="view")
api.add_decorator(audited, mode="view")  # outside idempotent: a replay is a call too


def _add_routers() -> None:
    from kassenwart.api.routers import accounts, banking, receivables

    api.add_router("/accounts", accounts.router, tags=["accounts"])
    api.add_router("/transactions", banking.transactions, tags=["transactions"])
    api.add_router("/statements", banking.statements, tags=["statements"])
    api.add_router("/customers", receivables.customers, tags=["customers"])
    api.add_router("/invoices", receivables.invoices, tags=["invoices"])
    from kassenwart.api.routers import notifications, payments, plans, reconciliation, webhooks  # noqa: I001 (api2's)
    api.add_router("/reconciliation", reconciliation.router, tags=["reconciliation"])
    api.add_router("/payments", payments.orders, tags=["payments"])
    api.add_router("/mandates", payments.mandates, tags=["mandates"])
    api.add_router("/collections", payments.collections, tags=["collections"])
    api.add_router("/collection-plans", plans.router, tags=["collections"])
    api.add_router("/notifications", notifications.router, tags=["notifications"])
    api.add_router("/webhooks", webhooks.router, tags=["webhooks"])
    from kassenwart.api.routers import bills  # noqa: I001 (bills')
    api.add_router("/bills", bills.router, tags=["bills"])


_add_routers()
