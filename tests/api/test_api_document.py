"""The OpenAPI document and the docs page."""

import collections
import re
import typing
from enum import Enum

import jsonschema_rs  # schemathesis' JSON Schema validator
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone
from ninja import Router, Schema
from pydantic import BaseModel

from kassenwart.api.main import KassenwartApi, api
from kassenwart.api.schemas import choices
from kassenwart.banking.models import BankAccount
from kassenwart.payments.models import PaymentOrder
from kassenwart.webhooks.models import Delivery

pytestmark = pytest.mark.django_db


def test_the_document_is_openapi_3_1_and_every_operation_declares_its_errors():
    document = Client().get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert {"401", "403", "422", "429"} <= {str(s) for s in statuses}, (method, path)
            if method == "post":
                assert {"409", "422"} <= {str(s) for s in statuses}
                assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"]), path


def test_the_docs_page_loads_its_scripts_from_our_origin_with_the_csp_nonce():
    answer = Client().get("/api/v1/docs")
    assert answer.status_code == 200
    page = answer.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", answer["Content-Security-Policy"]).group(1)
    scripts = re.findall(r'<script nonce="([^"]+)" src="([^"]+)"', page)
    assert scripts and all(n == nonce and src.startswith("/static/ninja/") for n, src in scripts)
    assert "cdn" not in page


def test_the_description_names_every_resource():
    document = Client().get("/api/v1/openapi.json").json()
    description = document["info"]["description"].lower()
    tags = {tag for operations in document["paths"].values() for operation in operations.values()
            for tag in operation.get("tags", [])}
    assert "bills" in tags
    assert [tag for tag in sorted(tags) if tag.removesuffix("s") not in description] == []


# -- every schema once: enums and objects under names of their own ------------------------------
def _types_in(annotation):
    """The annotation and every type inside it (list[X] | None gives X too)."""
    yield annotation
    for argument in typing.get_args(annotation):
        yield from _types_in(argument)


def _enums_of(model: type[BaseModel], seen: set) -> set[type[Enum]]:
    """The enums of the model's fields, of the models in them too."""
    found = set()
    if model in seen:
        return found
    seen.add(model)
    for field in model.model_fields.values():
        for kind in _types_in(field.annotation):
            if isinstance(kind, type) and issubclass(kind, Enum):
                found.add(kind)
            elif isinstance(kind, type) and issubclass(kind, BaseModel):
                found |= _enums_of(kind, seen)
    return found


def _schema_enums() -> set[type[Enum]]:
    """Every enum of every route's input (path, query, body) and answers."""
    enums, seen = set(), set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.models, *operation.response_models.values()]:
                    if isinstance(model, type) and issubclass(model, BaseModel):
                        enums |= _enums_of(model, seen)
    return enums


def test_every_enum_has_a_component_of_its_own_with_exactly_its_values():
    """ninja names an enum's component after the class: two enums called alike (the models'
    State of orders and of webhook deliveries) would share one, with the values of the last."""
    components = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    enums = _schema_enums()
    names = collections.Counter(enum.__name__ for enum in enums)
    assert [name for name, count in names.items() if count > 1] == []
    assert {"OrderState", "DeliveryState", "InvoiceStatus", "BillStatus", "MandateState"} <= set(names)
    for enum in enums:
        assert components[enum.__name__]["enum"] == [member.value for member in enum], enum.__name__


def test_an_order_in_each_of_its_states_is_an_answer_the_document_describes(company, member, make_token,
                                                                             api_client):
    """A draft order, as the API answers it, validates against the document's schema of that
    answer; so does the same order in every state the model knows, and in no other."""
    account = BankAccount.objects.create(company=company, name="Giro", iban="DE02120300000000202051",
                                         currency="EUR", owner=company.name)
    client = api_client(make_token(company, member, "write").secret)
    made = client.post("/payments", {"account_id": account.pk, "requested_date": timezone.localdate().isoformat(),
                                     "transfers": [{"payee_name": "Lieferant AG", "iban": "DE89370400440532013000",
                                                    "amount": "250.00"}]})
    assert made.status_code == 201, made.content
    answer = client.get(f"/payments/{made.json()['id']}")
    document = Client().get("/api/v1/openapi.json").json()
    schema = document["paths"]["/api/v1/payments/{order_id}"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    described = jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]})
    order = answer.json()
    assert order["state"] == "draft" and "draft" not in Delivery.State.values
    described.validate(order)
    for state in PaymentOrder.State.values:
        described.validate({**order, "state": state})
    assert not described.is_valid({**order, "state": "sent"})


def _out(**fields) -> type[Schema]:
    """A schema named Out, as two routers may each have one."""
    return type("Out", (Schema,), {"__annotations__": fields, "__module__": __name__})


@pytest.mark.parametrize("first,second", [
    (_out(amount=int), _out(name=str)),
    (choices("State", PaymentOrder.State), choices("State", Delivery.State)),
], ids=["objects", "enums"])
def test_two_different_schemas_of_one_name_stop_the_document(first, second):
    """Rather than describe one answer with another's schema, the document is refused."""
    collision = KassenwartApi(title="collision", version="test", urls_namespace="collision-test")
    for number, schema in enumerate((first, second)):
        router = Router()

        def answer(request):
            return None

        answer.__name__ = f"answer_{number}"  # the operation's id
        router.get("", response=schema if issubclass(schema, BaseModel) else list[schema])(answer)
        collision.add_router(f"/{number}", router)
    with pytest.raises(ImproperlyConfigured, match=f"named {first.__name__} "):
        collision.get_openapi_schema(path_prefix="/")
