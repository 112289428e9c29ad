"""What the browser tests share: Debian's Chromium driven by Playwright (skipped where
either is missing), and the app served on a free local port."""

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
