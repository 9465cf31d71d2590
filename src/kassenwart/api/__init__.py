"""The REST API at /api/v1 (django-ninja): OpenAPI 3.1 at /api/v1/openapi.json, Swagger UI at
/api/v1/docs.

Pieces (each module's docstring has the detail):
  main.py         the NinjaAPI instance; routers are added in `_add_routers`
  auth.py         bearer tokens; `token(permission)` is an operation's `auth=`
  (companies/api_tokens.py: the ApiToken services token_create, token_revoke and the lookup;
                  the model is companies.models.ApiToken, so the web's token page can use it)
  errors.py       the one error shape {"code", "message", "field"}; ApiError; `responses(...)`
  paging.py       cursor paging: `Paging` query, `paged(Item)` schema, `page(...)`
  idempotency.py  Idempotency-Key on every POST (applied to all operations by main.py)
  routers/        one module per resource, each a `router = Router()`

Adding a resource (say transfers):

1. Write `routers/transfers.py` with `router = Router()` and add it in main.py's
   `_add_routers`: `api.add_router("/transfers", transfers.router, tags=["transfers"])`.
2. Every operation names the permission of companies/permissions.py it needs, with
   `auth=token(permissions.DRAFT_TRANSFER)`. That is the whole access check: 401 without a live
   token, 403 when the token's scope (VIEW needs read, APPROVE_PAYMENT approve, anything else
   write) or its user's current role does not allow it. Scope every query with
   `request.auth.company`; pass `user=request.auth.user, via="api"` to services, which ask
   the permission table again and keep their rules (four eyes: an approve token never
   approves what its own user drafted, because order_approve refuses it).
3. Declare every answer: `response=responses({200: TransferOut}, 404, 409)`. COMMON (401, 403,
   422, 429) is always added with the Error schema; POSTs also get 409/422 and the
   Idempotency-Key header in the document (main.py). Raise `ApiError(status, code, message,
   field)` (or `not_found()`, `forbidden()`, `invalid(field, message)`) for failures, and add
   an `errors.install` handler for a domain exception several routers share. Only statuses
   declared may be answered: the schemathesis run (tests/api/test_api_live.py) fails on any
   other, and on any server error. Path ids are `Id` (api/schemas.py: a bounded 64-bit
   integer, checked by the API, not the URL resolver); money leaves as `Money` (a string
   with two places); dates come in as `IsoDate`. A field of a model's choices, in or out, is
   an enum of api/schemas.py's `choices`, named for the document: `TransferState =
   choices("TransferState", Transfer.State)`, declared once (the document refuses two
   different schemas under one component name; tests/api/test_api_document.py checks each
   enum's component has exactly its values).
4. Lists page with cursors:
       def transfer_list(request, paging: Query[Paging]):
           return page(request, selectors.orders_of(request.auth.company), paging, convert)
   with `response=responses({200: paged(TransferOut)})`.
5. Routers translate only: the work is a service (`<entity>_<action>`, one transaction, one
   audit event) or a selector in the app below. Writes are audited by their services with the
   token's user; audit.py adds an `api.called` event naming the token for every write call.
6. Tests: tests/api/ (conftest's `api_client`, `make_token`, `live_api`); add the route to
   ROUTES in tests/api/test_api_isolation.py (its permission; the test fails on a route of the
   document without a row) and its objects to the cross-company test there.
"""
