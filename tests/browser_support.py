"""What the browser tests share: Debian's Chromium driven by Playwright (skipped where
either is missing), the app served on a free local port, a page that records its script
errors, and signing in through the login form (tests/clients.py signs test clients in)."""

import contextlib
import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def require_browser():
    """Skip the calling test module unless Chromium and Playwright are here; returns
    Playwright's sync API."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not installed at {CHROMIUM}", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api")


@contextlib.contextmanager
def chromium(sync_api):
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@contextlib.contextmanager
def served(app):
    """The app on a free port of 127.0.0.1, in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def new_page(browser, locale="zh-CN"):
    """A page in a context of its own; its script errors gather in ``page.js_errors``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    return page


def sign_in_page(page, base, username, password="password", language=None):
    """Sign in through the login form, switching it to ``language`` first if given."""
    page.goto(f"{base}/login/")
    if language:
        page.click(f"a[data-lang={language}]")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")
