"""The real product in a real browser: `kassenwart serve` on a free port, Debian's Chromium
through Playwright, screenshots (registered for every test in tests/conftest.py).

Screenshots go to $KASSENWART_SCREENSHOTS (default: the test's temporary folder).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
HTMX = Path(__file__).resolve().parents[1] / "src" / "kassenwart" / "web" / "static" / "vendor" / "htmx.min.js"


def _missing(what: str):
    """Outside CI a missing browser skips; in CI it is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI must have it)")
    pytest.skip(what)


def free_port() -> int:
    """A free port: any, or one of KASSENWART_TEST_PORTS ("18600-18699") where a machine
    shared by several people gives each a range."""
    ports = os.environ.get("KASSENWART_TEST_PORTS", "")
    first, _, last = ports.partition("-")
    candidates = range(int(first), int(last or first) + 1) if first.isdigit() else [0]
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in KASSENWART_TEST_PORTS={ports}")


def kassenwart_command() -> list[str]:
    script = Path(sys.executable).with_name("kassenwart")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kassenwart"]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"kassenwart serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    pytest.fail(f"kassenwart serve did not answer within {seconds}s:\n{log.read_text()[-3000:]}")


def run_env(tmp_path: Path) -> dict:
    """The environment of a `kassenwart` run with its own data directory, on SQLite."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["KASSENWART_DATA_DIR"] = str(tmp_path / "data")
    env["KASSENWART_WEBHOOKS_ALLOW_PRIVATE"] = "1"  # the tests' receivers are on 127.0.0.1 over http
    return env


_LOGS: dict[str, Path] = {}  # the output of each server, by its base URL


@contextmanager
def serving(arguments: list[str], env: dict, tmp_path: Path, seconds: float = 120) -> Iterator[str]:
    """`kassenwart <arguments> --port P` until the block ends; yields its base URL."""
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen([*kassenwart_command(), *arguments, "--port", str(port)], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{base}/login/", process, log, seconds)
        _LOGS[base] = log
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextmanager
def serving_books(tmp_path: Path, script: str) -> Iterator[tuple[str, int, dict]]:
    """`kassenwart init` (admin "a", password "p"), then `script` run with Django set up in that
    data directory (it prints the id the test needs last), then `kassenwart serve`; yields the
    base URL, that id and the environment."""
    env = run_env(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "kassenwart.settings"
    subprocess.run([*kassenwart_command(), "init", "--company", "Nordlicht Software GmbH", "--admin", "a",
                    "--password", "p"], env=env, check=True, capture_output=True, timeout=180)
    done = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True,
                          timeout=120)
    with serving(["serve"], env, tmp_path) as base:
        yield base, int(done.stdout.split()[-1]), env


@pytest.fixture
def server(tmp_path):
    """`kassenwart init` and `kassenwart serve` on a free port with their own data directory."""
    env = run_env(tmp_path)
    subprocess.run(
        [*kassenwart_command(), "init", "--company", "Nordlicht Software GmbH", "--admin", "a", "--password", "p"],
        env=env,
        check=True,
        capture_output=True,
        timeout=180,
    )
    with serving(["serve"], env, tmp_path) as base:
        yield base


# Runs in every page before its own scripts: a violation of the Content-Security-Policy is
# reported as an event in the page; this turns it into a console message the test can collect.
REPORT_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective);
  console.error(`CSP violation: ${event.violatedDirective} refused ${event.blockedURI || "inline"}`
                + ` (${event.sourceFile || document.location.href}:${event.lineNumber})`);
});
"""


class CspWatchedBrowser:
    """The Playwright browser, with every context it opens watched for CSP violations: the
    `securitypolicyviolation` events (above) and Chromium's own "Content Security Policy"
    console errors are collected in `violations`."""

    def __init__(self, browser):
        self._browser = browser
        self.violations: list[str] = []

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("console", self._console)
        return context

    def new_page(self, **options):
        return self.new_context(**options).new_page()

    def _console(self, message) -> None:
        text = message.text
        if message.type == "error" and ("CSP violation" in text or "Content Security Policy" in text):
            self.violations.append(f"{message.location.get('url', '')}: {text}")

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture
def browser():
    """Chromium; a test fails when any page it opened violated the Content-Security-Policy."""
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        watched = CspWatchedBrowser(playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS))
        try:
            yield watched
        finally:
            watched.close()
        assert not watched.violations, "Content-Security-Policy violations:\n" + "\n".join(watched.violations)


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("KASSENWART_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_tab(page, name: str) -> None:
    """Follow a tab of the main navigation; on a phone the menu is opened first."""
    nav = page.locator("nav.tabs")
    link = nav.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        nav.locator(".nav-menu > summary").click()
    link.click()


# -- logging in: the password, then the second factor

_LAST_STEP: dict[str, int] = {}  # per authenticator key: the last 30 s step whose code was used


def authenticator_code(secret: str) -> str:
    """The code an authenticator app with this base32 key shows, as a person types it: a code
    works once, so a second login in the same 30 s takes the next step's code (the server
    accepts one step either side), and a third waits for the clock."""
    import base64

    from django_otp.oath import TOTP

    totp = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)), step=30, t0=0, digits=6)
    step = max(totp.t(), _LAST_STEP.get(secret, -1) + 1)
    while step > totp.t() + 1:
        time.sleep(1)
    _LAST_STEP[secret] = step
    totp.time = step * 30
    return f"{totp.token():06d}"


def demo_secrets(log: Path) -> dict[str, str]:
    """The authenticator keys `kassenwart demo` printed on each user's line."""
    secrets = {}
    for line in log.read_text().splitlines():
        words = line.split()
        if "TOTP" in words:
            secrets[words[0]] = words[words.index("TOTP") + 1]
    assert secrets, f"kassenwart demo printed no TOTP keys:\n{log.read_text()[-2000:]}"
    return secrets


def log_in(page, base: str, username: str, password: str, secret: str | None = None) -> str | None:
    """Log in through the pages. A person with an authenticator app (its key in `secret`) types
    its code; a person whose role needs one and has none sets it up on the way, reading the key
    off the set-up page, and keeps the recovery codes. Returns the key."""
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    if "/security/two-factor/" in page.url:
        secret = page.locator("[data-secret]").inner_text().strip()
        page.fill("input[name=code]", authenticator_code(secret))
        with page.expect_navigation():
            page.locator("main button[type=submit]").first.click()
        with page.expect_navigation():
            page.locator("main a.button").click()  # "I have kept them, go on"
    elif "/login/code/" in page.url:
        assert secret, f"{username} has an authenticator app: its key is needed"
        page.fill("input[name=code]", authenticator_code(secret))
        with page.expect_navigation():
            page.locator("main button[type=submit]").first.click()
    return secret


def demo_log_in(page, base: str, username: str) -> None:
    """Log in as a user of the demo served at `base`, with the key it printed for the user."""
    from kassenwart.demo.services import PASSWORD

    log_in(page, base, username, PASSWORD, demo_secrets(_LOGS[base])[username])


def wrong_code(secret: str) -> str:
    """Six digits that are not the app's code for any step the server could accept now."""
    import base64

    from django_otp.oath import TOTP

    totp = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)), step=30, t0=0, digits=6)
    now = totp.t()
    right = set()
    for step in range(now - 2, now + 3):
        totp.time = step * 30
        right.add(f"{totp.token():06d}")
    return next(code for code in ("000000", "111111", "222222", "333333", "444444", "555555") if code not in right)
