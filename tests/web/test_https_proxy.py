"""Behind a proxy that ends TLS: `kassenwart serve` over real HTTP, with the headers such a
proxy sends (Host of the public name, X-Forwarded-Proto: https) and the Origin a browser on
https://kassenwart.example sends. With KASSENWART_URL the login works and the answers carry
Secure cookies and HSTS; without it the same login fails its CSRF check."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest

from browser_fixtures import kassenwart_command, run_env, serving

pytestmark = pytest.mark.slow
PUBLIC = "https://kassenwart.example"
PROXY_HEADERS = {"Host": "kassenwart.example", "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
PASSWORD = "correct horse battery"


@pytest.fixture
def data(tmp_path):
    env = run_env(tmp_path)
    env["KASSENWART_ALLOWED_HOSTS"] = "127.0.0.1,kassenwart.example"
    subprocess.run([*kassenwart_command(), "init", "--company", "Nordlicht Software GmbH", "--admin", "anna",
                    "--password", PASSWORD], env=env, check=True, capture_output=True, timeout=180)
    return env


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names; Set-Cookie lines joined by "\n"
    text: str


def fetch(base: str, method: str, path: str, headers: dict, form: dict | None = None) -> Answer:
    """One request over plain HTTP, as the proxy makes it: the Host it is given is sent as is,
    redirects are not followed, and no cookie is kept or sent but those given."""
    parts = urlsplit(base)
    connection = HTTPConnection(parts.hostname, parts.port, timeout=60)
    body = urlencode(form) if form is not None else None
    if body is not None:
        headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        collected: dict[str, str] = {}
        for name, value in response.getheaders():
            name = name.lower()
            collected[name] = f"{collected[name]}\n{value}" if name in collected else value
        return Answer(response.status, collected, response.read().decode())
    finally:
        connection.close()


def cookies_of(answer: Answer) -> SimpleCookie:
    jar = SimpleCookie()
    for line in answer.headers.get("set-cookie", "").split("\n"):
        if line:
            jar.load(line)
    return jar


def log_in(base: str) -> tuple[Answer, Answer]:
    """The login page and the answer to the login form, as the browser behind the proxy would
    fetch and post them."""
    page = fetch(base, "GET", "/login/", PROXY_HEADERS)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    csrf_cookie = cookies_of(page)["csrftoken"].value
    answer = fetch(
        base, "POST", "/login/",
        {**PROXY_HEADERS, "Origin": PUBLIC, "Referer": f"{PUBLIC}/login/", "Cookie": f"csrftoken={csrf_cookie}"},
        {"username": "anna", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    return page, answer


def test_with_kassenwart_url_the_login_works_behind_the_proxy_with_secure_cookies_and_hsts(data, tmp_path):
    data["KASSENWART_URL"] = PUBLIC
    with serving(["serve"], data, tmp_path) as base:
        page, answer = log_in(base)
        assert page.status == 200
        assert page.headers["strict-transport-security"] == "max-age=31536000"
        assert "script-src 'nonce-" in page.headers["content-security-policy"]
        assert cookies_of(page)["csrftoken"]["secure"]

        assert answer.status == 302, answer.text[:500]
        assert answer.headers["location"] == "/"
        session = cookies_of(answer)["sessionid"]
        assert session["secure"] and session["httponly"]
        assert not session["max-age"] and not session["expires"]  # ends with the browser
        # logged in: an admin is led on to set up the second factor, not back to the login
        logged_in = {**PROXY_HEADERS, "Cookie": f"sessionid={session.value}"}
        home = fetch(base, "GET", "/", logged_in)
        assert home.status == 302 and home.headers["location"].startswith("/security/two-factor/")
        setup = fetch(base, "GET", home.headers["location"], logged_in)
        assert setup.status == 200
        assert "script-src 'nonce-" in setup.headers["content-security-policy"]

        # Straight to the app over plain HTTP (no proxy, no X-Forwarded-Proto): no HSTS, as
        # browsers ignore it there anyway.
        assert "strict-transport-security" not in fetch(base, "GET", "/login/", {}).headers


def test_without_kassenwart_url_the_same_login_fails_its_csrf_check(data, tmp_path):
    with serving(["serve"], data, tmp_path) as base:
        page, answer = log_in(base)
        assert "strict-transport-security" not in page.headers
        assert not cookies_of(page)["csrftoken"]["secure"]
        assert answer.status == 403
        assert "sessionid" not in cookies_of(answer)


def logins_from(base: str, client: str):
    """Posting the login form as a browser at `client` would, through a proxy over plain HTTP
    that reports the client's address: a function of user name and password."""
    headers = {"X-Forwarded-For": client, "Accept-Language": "en"}
    page = fetch(base, "GET", "/login/", headers)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    form_headers = {**headers, "Cookie": f"csrftoken={cookies_of(page)['csrftoken'].value}"}
    return lambda username, password: fetch(base, "POST", "/login/", form_headers,
                                            {"username": username, "password": password, "csrfmiddlewaretoken": token})


def test_behind_a_plain_http_proxy_each_client_address_is_throttled_on_its_own(data, tmp_path):
    """With KASSENWART_TRUSTED_PROXY the address the proxy reports counts, not the proxy's own:
    30 failures from one client lock that client, not everyone behind the proxy."""
    from kassenwart.companies.login_throttle import ADDRESS_LIMIT

    data["KASSENWART_TRUSTED_PROXY"] = "127.0.0.1"
    with serving(["serve"], data, tmp_path) as base:
        attacker = logins_from(base, "203.0.113.7")
        for attempt in range(ADDRESS_LIMIT):
            assert attacker(f"guess-{attempt}", "wrong").status == 200
        locked = attacker("anna", PASSWORD)
        assert locked.status == 200 and "Too many failed logins" in locked.text
        assert logins_from(base, "203.0.113.8")("anna", PASSWORD).status == 302
