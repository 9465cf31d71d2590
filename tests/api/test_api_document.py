"""The OpenAPI document and the docs page."""

import re

import pytest
from django.test import Client

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
