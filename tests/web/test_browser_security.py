"""The Content-Security-Policy in a real browser: every page of `kassenwart demo` a person can
reach from the menu (and the pages those link to) is served with the policy and its nonce, and
the browser reports no violation on any of them, htmx and the charts at work included. The
`browser` fixture (tests/browser_fixtures.py) fails a test on any violation; the last test
shows that it notices one."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urljoin, urlsplit

import pytest

from browser_fixtures import demo_log_in, run_env, serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PER_SHAPE = 2  # pages visited per URL shape (/payments/N/ is one shape)
SKIP = re.compile(r"/logout/|/csv/|/pain/|/export|\.csv$|\.xml$")


@pytest.fixture
def demo_site(tmp_path):
    with serving(["demo"], run_env(tmp_path), tmp_path, seconds=240) as base:
        yield base


def policy_of(response) -> str:
    return response.headers.get("content-security-policy", "")


def test_every_page_keeps_to_the_content_security_policy(demo_site, browser):
    page = browser.new_context().new_page()
    demo_log_in(page, demo_site, "admin")
    host = urlsplit(demo_site).netloc
    queue, seen, shapes = [f"{demo_site}/"], set(), Counter()
    visited = []
    while queue:
        url = queue.pop(0)
        shape = re.sub(r"\d+", "N", urlsplit(url).path)
        if url in seen or shapes[shape] >= PER_SHAPE:
            continue
        seen.add(url)
        shapes[shape] += 1
        response = page.goto(url)
        assert response.status == 200, url
        policy = policy_of(response)
        nonce = re.search(r"script-src 'nonce-([^']+)'", policy)
        assert nonce, f"{url}: {policy!r}"
        # Every script of the page carries this response's nonce (the browser hides the
        # attribute from the DOM, but not the property).
        scripts = page.eval_on_selector_all("script[src]", "all => all.map(s => s.nonce)")
        assert scripts and set(scripts) == {nonce.group(1)}, url
        visited.append(urlsplit(url).path)
        for href in page.eval_on_selector_all("a[href]", "all => all.map(a => a.getAttribute('href'))"):
            target = urljoin(url, href).split("#")[0]
            if urlsplit(target).netloc == host and not SKIP.search(target) and target not in seen:
                queue.append(target)
    # The menu's pages and the pages with htmx, charts and the suggestion bars were among them.
    for path in ("/", "/transactions/", "/reconciliation/open/", "/payments/", "/users/", "/users/support/",
                 "/audit/"):
        assert path in visited, (path, sorted(visited))
    assert len(visited) > 30, visited

    # htmx at work: a search typed into a list swaps the results in; the charts are drawn.
    page.goto(f"{demo_site}/transactions/")
    page.fill("input[type=search]", "Rechnung")
    page.wait_for_function("document.querySelector('#results') && !document.querySelector('.htmx-request')")
    page.goto(f"{demo_site}/")
    page.wait_for_selector("canvas[data-drawn=true]")
    # The select-all box of the transfers (an onclick before; app.js now).
    page.goto(f"{demo_site}/payments/")
    page.check("#select-all")
    boxes = page.eval_on_selector_all("input[name=orders]", "all => all.map(b => b.checked)")
    assert boxes and all(boxes)
    page.uncheck("#select-all")
    assert not any(page.eval_on_selector_all("input[name=orders]", "all => all.map(b => b.checked)"))


def test_a_violation_fails_the_browser_fixture(demo_site, browser):
    """The fixture is not blind: an inline script, as an injection would add it, is refused by
    the browser and reported."""
    page = browser.new_context().new_page()
    page.goto(f"{demo_site}/login/")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.append(script);
    }""")
    page.wait_for_function("window.cspViolations.length > 0")  # the event comes asynchronously
    assert page.evaluate("window.injected === undefined")
    page.evaluate("1")  # one more round trip: the console message has reached the test
    assert browser.violations and "script-src" in browser.violations[0]
    browser.violations.clear()
