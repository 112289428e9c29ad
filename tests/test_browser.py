"""Pages rendered by a real headless Chromium (Debian's package, driven by Playwright) in
both languages: Chinese and traditional Mongolian. Checks that Mongolian text is shaped
with the font the app serves (never a font of the machine, never tofu), that the page is
marked with the right language, and saves screenshots under test-artifacts/.

Skipped when Chromium or Playwright is missing (scripts/test.sh installs Chromium)."""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTIFACTS = os.path.join(ROOT, "test-artifacts")
SERVED_FONT = "Daiban Mongolian"

if not os.path.exists(CHROMIUM):
    pytest.skip(f"Chromium not installed at {CHROMIUM}", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def live(app):
    """The app on a free port with a seeded small world; yields its base URL and world."""
    from tests.conftest import _clear_data
    from tests.world import build_world

    _clear_data(app)
    with app.app_context():
        world = build_world()
        facts = {"case_id": world.cases["A"].id, "case_number": world.cases["A"].number}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", facts
    server.shutdown()
    thread.join(timeout=5)
    _clear_data(app)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def _page(browser, language):
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  locale="zh-CN" if language == "zh" else "mn-Mong-CN")
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    return page


def _sign_in(page, base, language):
    page.goto(f"{base}/login/")
    page.click(f"a[data-lang={language}]")
    page.fill("#username", "admin")
    page.fill("#password", "password")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")


def _shot(page, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path


def _fonts_for(page, selector):
    """The platform fonts Chromium used for the text of the first element matching
    `selector` (DevTools CSS.getPlatformFontsForNode): [(family, is_web_font, glyphs)]."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"nothing matches {selector}"
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return [(f["familyName"], f["isCustomFont"], f["glyphCount"]) for f in fonts]


MARK_MONGOLIAN = """() => {
  const marked = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || el.closest('script,style') || !/[\\u1820-\\u18aa]/.test(node.data)) continue;
    if (el.getClientRects().length === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    const details = el.closest('details');  // a closed <details> lays out but never paints
    if (details && !details.open && !el.closest('summary')) continue;
    if (el.children.length === 0 && !el.hasAttribute('data-mongolian')) {
      el.setAttribute('data-mongolian', String(marked.length));
      marked.push(el.textContent);
    }
  }
  return marked;
}"""
MONGOLIAN_CHARS = set(range(0x1800, 0x18B0)) | {0x202F, 0x200C, 0x200D}


def _assert_mongolian_from_served_font(page, minimum=2):
    """Every visible element whose own text has Mongolian letters: its Mongolian glyphs
    come from the served web font; other fonts draw at most its non-Mongolian
    characters (digits, punctuation, Chinese)."""
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate("""() => [...document.fonts].filter(
        f => f.family.replace(/"/g, '') === 'Daiban Mongolian').map(f => f.status)""")
    assert "loaded" in loaded, f"served Mongolian font not loaded: {loaded}"
    texts = page.evaluate(MARK_MONGOLIAN)
    assert len(texts) >= minimum, f"only {len(texts)} Mongolian text elements: {texts}"
    for index, text in enumerate(texts[:15]):
        fonts = _fonts_for(page, f"[data-mongolian='{index}']")
        served = [f for f in fonts if f[1] and "Mongolian" in f[0]]
        assert served, f"{text!r} drawn without the served font: {fonts}"
        others = sum(glyphs for _family, is_web, glyphs in fonts if not is_web)
        non_mongolian = sum(1 for ch in text if ord(ch) not in MONGOLIAN_CHARS)
        assert others <= non_mongolian, f"{text!r}: fallback fonts drew Mongolian: {fonts}"


def _assert_language(page, language):
    assert page.get_attribute("html", "lang") == {"zh": "zh-Hans", "mn": "mn-Mong"}[language]


def _assert_no_fallback_text(page):
    text = page.inner_text("body")
    assert "\ufffd" not in text
    assert not any("\u0400" <= ch <= "\u04ff" for ch in text), "Cyrillic on the page"


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_pages_in_both_languages(live, browser, language):
    base, facts = live
    page = _page(browser, language)
    page.goto(f"{base}/login/")
    page.click(f"a[data-lang={language}]")
    page.wait_for_load_state("networkidle")
    _assert_language(page, language)
    login_shot = _shot(page, f"{language}-login")
    if language == "mn":
        _assert_mongolian_from_served_font(page)

    _sign_in(page, base, language)
    pages = {
        "list": "/placeview/list/",
        "form": "/channelview/add",
        "case": f"/caseview/show/{facts['case_id']}",
        "cases": "/caseview/list/",
    }
    shots = {"login": login_shot}
    for name, path in pages.items():
        response = page.goto(base + path)
        assert response.status == 200, (path, response.status)
        page.wait_for_load_state("networkidle")
        _assert_language(page, language)
        _assert_no_fallback_text(page)
        if language == "mn":
            _assert_mongolian_from_served_font(page)
        shots[name] = _shot(page, f"{language}-{name}")
    assert facts["case_number"] in page.content()

    # FAB's date picker speaks the page's language too
    page.goto(f"{base}/caseview/add")
    page.click("input[name=received_on]")
    picker = page.inner_text(".datepicker")
    assert ("ᠰᠠᠷ\u180eᠠ" if language == "mn" else "月") in picker
    assert not any(m in picker for m in ("January", "November", "Su", "Mo"))
    _shot(page, f"{language}-datepicker")
    assert not page.js_errors, page.js_errors

    cockpit = page.goto(f"{base}/cockpit/")
    if cockpit.status == 200:
        _assert_language(page, language)
        if language == "mn":
            _assert_mongolian_from_served_font(page)
        _shot(page, f"{language}-cockpit")
    page.context.close()

    if os.environ.get("UPDATE_README_SCREENSHOTS"):
        target = os.path.join(ROOT, "docs", "screenshots")
        os.makedirs(target, exist_ok=True)
        shutil.copy(shots["cases"], os.path.join(target, f"{language}-cases.png"))


def test_served_font_changes_what_mongolian_looks_like(live, browser):
    """A control experiment: the same Mongolian words measured with the served font and
    with a font that has no Mongolian glyphs must differ in width."""
    base, _facts = live
    page = _page(browser, "mn")
    page.goto(f"{base}/login/?_l_=mn")
    widths = page.evaluate("""async () => {
      await document.fonts.ready;
      const make = (family) => {
        const span = document.createElement('span');
        span.textContent = 'ᠮᠣᠩᠭᠣᠯ ᠪᠢᠴᠢᠭ ᠭᠠᠴᠠᠭ\\u180eᠠ';
        span.style.cssText = `font-family: ${family}; font-size: 32px; white-space: nowrap;`;
        document.body.appendChild(span);
        return span.getBoundingClientRect().width;
      };
      return [make('"Daiban Mongolian"'), make('"Noto Sans CJK SC", monospace')];
    }""")
    page.context.close()
    assert widths[0] > 0 and abs(widths[0] - widths[1]) > 1, widths
