"""Takes the README's screenshots from the demo banner in headless Chromium.

    .venv/bin/python scripts/readme_screenshots.py

A throwaway SQLite database under a temporary folder: migrated, roles synced, the demo
banner seeded; the app served on a free port; pages shot at 1280 px wide into
docs/screenshots/. Needs Debian's chromium and fonts-noto-cjk (for Chinese); the
Mongolian font comes from the app."""

import json
import logging
import os
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.path.join(ROOT, "docs", "screenshots")
SHOTS = {  # name: (language, path, full page)
    "zh-cases": ("zh", "/caseview/list/", False),
    "mn-cases": ("mn", "/caseview/list/", False),
    "zh-cockpit": ("zh", "/cockpit/", False),
    "mn-cockpit": ("mn", "/cockpit/", False),
    "mn-case": ("mn", "/caseview/show/{case}", False),
    "mn-form": ("mn", "/caseview/add", False),
    "mn-list": ("mn", "/placeview/list/", False),
    "mn-print-entrustment": ("mn", "/caseview/entrustment/{case}", False),
}


def main():
    folder = tempfile.mkdtemp()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/demo.db", "SECRET_KEY": "shots"}
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True)
    subprocess.run([*flask, "sync-roles"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    logins = json.loads(subprocess.run([*flask, "seed-demo", "--json"], cwd=ROOT, env=env,
                                       check=True, capture_output=True, text=True).stdout)
    admin = next(login for login in logins if login["role"] == "Admin")

    os.environ.update(env)
    sys.path.insert(0, ROOT)
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from app import create_app
    from app.extensions import db
    from app.models import Case

    app = create_app()
    with app.app_context():
        case = db.session.query(Case).filter(Case.state == "in_progress").order_by(
            Case.id).first().id
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/login/")
        page.fill("#username", admin["username"])
        page.fill("#password", admin["password"])
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_load_state("networkidle")
        for name, (language, path, full) in SHOTS.items():
            page.goto(base + path.format(case=case) + ("&" if "?" in path else "?")
                      + f"_l_={language}")
            page.wait_for_load_state("networkidle")
            if path.startswith("/cockpit"):
                page.wait_for_function("document.getElementById('cockpit')"
                                       ".dataset.chartsDrawn === '1'")
                page.wait_for_timeout(1200)  # the charts' entry animation
            page.screenshot(path=os.path.join(TARGET, f"{name}.png"), full_page=full)
            print(name)
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
