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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    return env


@contextmanager
def serving(arguments: list[str], env: dict, tmp_path: Path, seconds: float = 120) -> Iterator[str]:
    """`kassenwart <arguments> --port P` until the block ends; yields its base URL."""
    port = _free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen([*kassenwart_command(), *arguments, "--port", str(port)], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{base}/login/", process, log, seconds)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


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
