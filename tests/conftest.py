"""Shared fixtures: the strictly built book, a local server for it, and a guarded browser.

The book is built once per test run (a file lock shares it between pytest-xdist
workers). Browser tests use Debian's Chromium through Playwright, never a downloaded
browser; under ``CI=true`` a missing Chromium fails instead of skipping.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
BUILD_ROOT = ROOT / "_build" / "test"
HTML_DIR = BUILD_ROOT / "_build" / "html"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Flags that keep Chromium from calling home on a closed network (see TECH-NOTES).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def build_book(path_output: Path) -> subprocess.CompletedProcess:
    """Build the HTML book with warnings as errors; return the finished process."""
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT),
            "--builder", "html", "--path-output", str(path_output), "-W", "--keep-going",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Path to the HTML of a strict build made in this test run."""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"single-{os.getpid()}-{uuid.uuid4()}"
    BUILD_ROOT.mkdir(parents=True, exist_ok=True)
    marker = BUILD_ROOT / "run-id"
    with FileLock(str(BUILD_ROOT) + ".lock"):
        if marker.exists() and marker.read_text() == run_id and (BUILD_ROOT / "ok").exists():
            return HTML_DIR
        shutil.rmtree(BUILD_ROOT / "_build", ignore_errors=True)
        (BUILD_ROOT / "ok").unlink(missing_ok=True)
        result = build_book(BUILD_ROOT)
        (BUILD_ROOT / "build.log").write_text(result.stdout + result.stderr)
        marker.write_text(run_id)
        if result.returncode != 0:
            pytest.fail(
                "The strict book build failed (warnings are errors):\n"
                + (result.stdout + result.stderr)[-6000:]
            )
        (BUILD_ROOT / "ok").write_text("ok")
    return HTML_DIR


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # The browser drops requests it no longer needs (a page closed mid-load): not an error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def book_url(built_book: Path):
    """Base URL (ending in '/') of the built book served on 127.0.0.1."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install chromium)."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class PageGuard:
    """Records what a page does that a course page must never do."""

    def __init__(self):
        self.external_requests: list[str] = []
        self.console_errors: list[str] = []

    def on_request(self, request):
        host = urlparse(request.url).hostname
        if request.url.startswith(("data:", "blob:", "about:")) or host in ("127.0.0.1", None):
            return
        self.external_requests.append(request.url)

    def on_console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def on_page_error(self, error):
        self.console_errors.append(f"uncaught: {error}")


@contextlib.contextmanager
def guarded_page(browser):
    """A fresh page that records (and blocks) any request to another host and any console error."""
    context = browser.new_context()
    guard = PageGuard()
    # Block (and record) anything leaving the machine, so a test never waits on it.
    context.route(
        "**/*",
        lambda route: route.abort()
        if urlparse(route.request.url).hostname not in ("127.0.0.1", None)
        else route.continue_(),
    )
    page = context.new_page()
    page.on("request", guard.on_request)
    page.on("console", guard.on_console)
    page.on("pageerror", guard.on_page_error)
    page.guard = guard
    try:
        yield page
    finally:
        context.close()


def assert_page_behaved(page) -> None:
    assert not page.guard.external_requests, f"requests to other hosts: {page.guard.external_requests}"
    assert not page.guard.console_errors, f"console errors: {page.guard.console_errors}"


@pytest.fixture
def page(browser):
    """A fresh page; the test fails on any request to another host or console error."""
    with guarded_page(browser) as page:
        yield page
        assert_page_behaved(page)
