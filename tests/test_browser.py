"""Pages rendered by a real headless Chromium (Debian's package, driven by Playwright) in
both languages: Chinese and traditional Mongolian. Checks that Mongolian text is shaped
with the font the app serves (never a font of the machine, never tofu), that the page is
marked with the right language, and saves screenshots under test-artifacts/.

Skipped when Chromium or Playwright is missing (scripts/test.sh installs Chromium)."""

import datetime
import os
import shutil
import subprocess

import pytest

from tests.browser_support import chromium, new_page, require_browser, served, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.clean_slate]  # a served app, in a thread

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTIFACTS = os.path.join(ROOT, "test-artifacts")
SERVED_FONT = "Daiban Mongolian"

sync_api = require_browser()


@pytest.fixture(scope="module")
def live(app):
    """The app on a free port with a seeded small world; yields its base URL and world."""
    from tests.conftest import _clear_data
    from tests.world import build_world

    _clear_data(app)
    with app.app_context():
        from app.extensions import db
        from app.services import cases as case_service

        world = build_world()
        declined = world.cases["B"]
        declined.category = declined.category.__class__.query.filter_by(code="X02").one()
        db.session.commit()
        case_service.decline(declined.id, world.users["admin"], reason="所反映事项已进入诉讼程序")
        facts = {"case_id": world.cases["A"].id, "case_number": world.cases["A"].number,
                 "declined_id": declined.id}
    with served(app) as base:
        yield base, facts
    _clear_data(app)


@pytest.fixture(scope="module")
def browser():
    with chromium(sync_api) as instance:
        yield instance


def _page(browser, language):
    return new_page(browser, "zh-CN" if language == "zh" else "mn-Mong-CN")


# The administrator's session cookies, by (served app, language): the module's world
# does not change, so the tests after the first that signs in in a language start
# signed in (test_pages_in_both_languages signs in through the form in each language).
_SIGNED_IN: dict = {}


def _sign_in(page, base, language):
    cookies = _SIGNED_IN.get((base, language))
    if cookies is not None:
        page.context.add_cookies(cookies)
        return
    sign_in_page(page, base, "admin", language=language)
    _SIGNED_IN[(base, language)] = page.context.cookies()


def _shot(page, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path


def _fonts_for(page, *selectors):
    """The platform fonts Chromium used for the text of the first element matching each
    of ``selectors`` (DevTools CSS.getPlatformFontsForNode), one list for each:
    [(family, is_web_font, glyphs)]. One DevTools session asks for them all: enabling
    CSS and reading the document cost Chromium more than the questions themselves."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    answers = []
    for selector in selectors:
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"nothing matches {selector}"
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        answers.append([(f["familyName"], f["isCustomFont"], f["glyphCount"]) for f in fonts])
    cdp.detach()
    return answers


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
    shown = texts[:15]
    every_fonts = _fonts_for(page, *(f"[data-mongolian='{index}']" for index in range(len(shown))))
    for text, fonts in zip(shown, every_fonts, strict=True):
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


CHARTS_DRAWN = """async () => {
  const root = document.getElementById('cockpit');
  for (let i = 0; i < 200 && root.dataset.chartsDrawn !== '1'; i++) {
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  return [...document.querySelectorAll('.daiban-chart')].map(el => {
    const option = echarts.getInstanceByDom(el).getOption();
    return {id: el.dataset.chart, family: (option.textStyle || {}).fontFamily,
            title: option.title[0].text};
  });
}"""

# Draws a chart's own options twice, off screen at the same size: once as the page does
# (the served font first) and once with a font that has no Mongolian glyphs. A canvas
# that drew tofu both times would give the same pixels.
REDRAW_WITH_AND_WITHOUT_SERVED_FONT = """(id) => {
  const spec = JSON.parse(document.getElementById('chart-data-' + id).textContent);
  const draw = (family) => {
    const box = document.createElement('div');
    box.style.cssText = 'width: 600px; height: 320px; position: absolute; left: -9999px;';
    document.body.appendChild(box);
    const options = JSON.parse(JSON.stringify(spec.options));
    options.animation = false;
    options.textStyle = Object.assign(options.textStyle || {}, {fontFamily: family});
    const chart = echarts.init(box, null, {renderer: 'canvas'});
    chart.setOption(options);
    const url = chart.getDataURL({type: 'png', backgroundColor: '#fff'});
    chart.dispose();
    box.remove();
    return url;
  };
  const served = echarts.getInstanceByDom(
    document.getElementById('chart-' + id)).getOption().textStyle.fontFamily;
  return [draw(served), draw('monospace')];
}"""


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_chart_canvases_draw_with_the_served_font(live, browser, language):
    """Canvas text does not inherit CSS: every chart names the served Mongolian font,
    the font is loaded before the charts draw, and in Mongolian a chart drawn with it
    differs pixel for pixel from the same chart drawn with a font without Mongolian."""
    base, _facts = live
    page = _page(browser, language)
    _sign_in(page, base, language)
    response = page.goto(f"{base}/cockpit/")
    assert response.status == 200
    charts = page.evaluate(CHARTS_DRAWN)
    assert len(charts) >= 6
    for chart in charts:
        assert chart["family"].startswith('"Daiban Mongolian"'), chart
    assert page.evaluate("""() => document.fonts.check('16px "Daiban Mongolian"', '\\u182e')""")
    if language == "mn":
        assert all("\u1820" <= ch <= "\u18aa" for chart in charts
                   for ch in chart["title"] if ch.isalpha()), charts
        for chart_id in ("funnel", "urgency"):
            served, fallback = page.evaluate(REDRAW_WITH_AND_WITHOUT_SERVED_FONT, chart_id)
            assert served != fallback, f"chart {chart_id} draws the same without the font"
    _assert_no_fallback_text(page)
    _shot(page, f"{language}-cockpit-charts")
    assert not page.js_errors, page.js_errors
    page.context.close()


def _pdf_of(page, name):
    """Chromium's print-to-PDF of the page on A4; returns the PDF path and the PNG of
    its first page (pdftoppm), both kept under test-artifacts/."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    pdf = os.path.join(ARTIFACTS, f"{name}.pdf")
    page.emulate_media(media="print")
    page.pdf(path=pdf, format="A4", print_background=True, prefer_css_page_size=True)
    page.emulate_media(media="screen")
    return pdf


def _pdf_pages(pdf):
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return int(fields["Pages"].strip()), fields["Page size"].strip()


def _pdf_fonts(pdf):
    return subprocess.run(["pdffonts", pdf], capture_output=True, text=True,
                          check=True).stdout


def _pdf_png(pdf, name):
    """The PDF's first page as a PNG (kept as an artefact) and as grey pixels."""
    prefix = os.path.join(ARTIFACTS, name)
    for extra in (["-png"], ["-gray"]):
        subprocess.run(["pdftoppm", *extra, "-r", "50", "-f", "1", "-l", "1", "-singlefile",
                        pdf, prefix], check=True)
    return prefix + ".png", prefix + ".pgm"


def _ink(pgm):
    """The share of the page's width and of its height that has ink (a vertical
    Mongolian sheet fills its height column by column)."""
    with open(pgm, "rb") as fh:
        data = fh.read()
    header = data.split(maxsplit=4)
    assert header[0] == b"P5", header[:4]
    width, height = int(header[1]), int(header[2])
    pixels = data[len(data) - width * height:]
    columns = {x for y in range(height) for x in range(width)
               if pixels[y * width + x] < 128}
    rows = {y for y in range(height) if min(pixels[y * width:(y + 1) * width]) < 128}
    return len(columns) / width, len(rows) / height


PRINTS = {
    "entrustment": "/caseview/entrustment/{case_id}",
    "notice": "/caseview/notice/{declined_id}",
}


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
@pytest.mark.parametrize("language", ["zh", "mn"])
@pytest.mark.parametrize("form", sorted(PRINTS))
def test_printed_forms_on_a4(live, browser, language, form):
    """The entrustment letter and the non-acceptance notice, opened with `?_l_=` (not
    the session), print on one A4 sheet in the reader's language: Mongolian vertical,
    drawn with the served font (embedded in the PDF), dates in Mongolian form."""
    base, facts = live
    page = _page(browser, "zh")
    _sign_in(page, base, "zh")
    response = page.goto(base + PRINTS[form].format(**facts) + f"?_l_={language}")
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    _assert_language(page, language)
    _assert_no_fallback_text(page)
    mode = page.evaluate("getComputedStyle(document.querySelector('.daiban-print-form'))"
                         ".writingMode")
    assert mode == ("vertical-lr" if language == "mn" else "horizontal-tb")
    body = page.inner_text(".daiban-print-form")
    if language == "mn":
        _assert_mongolian_from_served_font(page)
        assert "ᠰᠠᠷ\u180eᠠ" in body and "2026-" not in body  # a Mongolian date
        if form == "notice":  # the category's guidance, in Mongolian
            assert "ᠱᠢᠭᠦᠨ" in body and "法院" not in body
    elif form == "notice":
        assert "2026年" in body and "法院" in body
    else:  # the case is not accepted yet: a blank letter to sign, no dates filled in
        assert "委托人（签名）" in body and "2026年" not in body
    _shot(page, f"{language}-print-{form}")
    pdf = _pdf_of(page, f"{language}-print-{form}")
    pages, size = _pdf_pages(pdf)
    assert pages == 1, f"{form} in {language} prints on {pages} pages"
    assert "(A4)" in size, size
    fonts = _pdf_fonts(pdf)
    assert ("NotoSansMongolian" in fonts) == (language == "mn"), fonts
    _png, pgm = _pdf_png(pdf, f"{language}-print-{form}-pdf")
    width_used, height_used = _ink(pgm)
    if language == "mn":  # columns run down the sheet, left to right
        assert height_used > 0.6 and width_used > 0.15, (width_used, height_used)
    else:  # lines run across it
        assert width_used > 0.5, (width_used, height_used)
    page.context.close()


def test_bulletin_text_and_print_in_mongolian(app, live, browser):
    """The bulletin page's text-message preview and its standalone printable HTML (the
    file and e-mail, which embed the font) draw Mongolian with the served font."""
    import datetime

    from app.cockpit.bulletin import build_bulletin, render_html
    from app.security.scope import EVERYTHING

    base, _facts = live
    page = _page(browser, "mn")
    _sign_in(page, base, "mn")
    response = page.goto(f"{base}/bulletin/?date=2026-11-02")
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    _assert_language(page, "mn")
    _assert_mongolian_from_served_font(page)
    [fonts] = _fonts_for(page, "#bulletin-text")
    assert any(is_web and "Mongolian" in family for family, is_web, _n in fonts), fonts
    _shot(page, "mn-bulletin")

    response = page.goto(f"{base}/no-such-page/")  # error pages too
    assert response.status == 404
    _assert_language(page, "mn")
    _assert_mongolian_from_served_font(page, minimum=1)
    _shot(page, "mn-error-404")

    with app.test_request_context("/?_l_=mn"):
        html = render_html(build_bulletin(datetime.date(2026, 11, 2), EVERYTHING))
    assert "/static/" not in html  # nothing to load: the font is inside
    page.goto("about:blank")
    page.set_content(html)
    _assert_language(page, "mn")
    _assert_mongolian_from_served_font(page)
    _shot(page, "mn-bulletin-standalone")
    page.context.close()


FORM_GEOMETRY = """() => [...document.querySelectorAll('form table.table td.col-lg-2 > label')]
  .map(label => {
    const input = label.closest('tr').querySelector(
      'td:not(.col-lg-2) input:not([type=hidden]), td:not(.col-lg-2) select, '
      + 'td:not(.col-lg-2) textarea, td:not(.col-lg-2) .select2-container');
    if (!input) return null;
    const l = label.getBoundingClientRect(), i = input.getBoundingClientRect();
    const cell = label.closest('tr').querySelector('td:not(.col-lg-2)').getBoundingClientRect();
    return {text: label.textContent.trim(), labelTop: l.top, labelRight: l.right,
            labelHeight: l.height, inputTop: i.top, inputLeft: cell.left,
            mode: getComputedStyle(label).writingMode};
  }).filter(Boolean)"""


def test_mongolian_forms_and_cockpit_line_up(live, browser):
    """In Mongolian each form label stands upright beside the start of its input (same
    top, right against it), and the cockpit's heading leaves the figures on the first
    screen."""
    base, _facts = live
    page = _page(browser, "mn")
    _sign_in(page, base, "mn")
    for path in ("/channelview/add", "/caseview/add"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        rows = page.evaluate(FORM_GEOMETRY)
        assert len(rows) >= 4, rows
        for row in rows:
            assert row["mode"] == "vertical-lr", row
            assert abs(row["labelTop"] - row["inputTop"]) <= 12, row
            assert 0 <= row["inputLeft"] - row["labelRight"] <= 20, row
            assert row["labelHeight"] <= 140, row
        _shot(page, "mn-form-aligned" if path == "/channelview/add" else "mn-case-form")

    page.goto(f"{base}/cockpit/")
    page.evaluate(CHARTS_DRAWN)
    heading = page.evaluate("document.querySelector('.daiban-cockpit .daiban-heading')"
                            ".getBoundingClientRect().height")
    figures = page.evaluate("document.querySelector('.daiban-figures')"
                            ".getBoundingClientRect().top")
    assert heading <= 160, heading
    assert figures < 900 - 100, figures  # the first row of figures is on the first screen
    page.context.close()


def test_every_kind_of_page_works_under_the_content_security_policy(live, browser):
    """The policy allows no inline script without the response's nonce: Chromium reports
    no violation on any kind of page, and what runs on them still runs — the cockpit's
    charts, FAB's filters and pickers, the Swagger page, the print buttons."""
    base, facts = live
    page = _page(browser, "zh")
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    _sign_in(page, base, "zh")
    page.add_init_script("""document.addEventListener('securitypolicyviolation', e =>
        console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI))""")
    for path in ("/", "/caseview/list/", f"/caseview/show/{facts['case_id']}",
                 f"/caseview/edit/{facts['case_id']}", "/caseview/add", "/personview/list/",
                 "/users/list/", "/roles/list/", "/resetmypassword/form",
                 "/rolescopeview/list/", "/rolescopeview/add",
                 f"/bulletin/?date={datetime.date.today().isoformat()}"):
        response = page.goto(base + path)
        assert response.status == 200, (path, response.status)
        page.wait_for_load_state("networkidle")
    page.goto(f"{base}/rolescopeview/add")
    _shot(page, "zh-data-scope-form")
    page.goto(f"{base}/caseview/list/")  # FAB's filter script (a nonce'd inline script)
    page.evaluate("$('#filter_form a.filter[name=title]').trigger('click')")
    assert page.locator("#filter_form table.filters tr").count() == 1
    page.goto(f"{base}/cockpit/")
    assert len(page.evaluate(CHARTS_DRAWN)) >= 6
    page.goto(f"{base}/swagger/v1")
    page.wait_for_selector("#swagger-ui .info", timeout=15000)
    for path in (f"/caseview/entrustment/{facts['case_id']}",
                 f"/caseview/notice/{facts['declined_id']}"):
        page.goto(base + path)
        page.evaluate("window.print = () => { window.printed = true; }")
        page.click("[data-daiban-print]")
        assert page.evaluate("window.printed === true"), path
    assert not violations, violations
    assert not page.js_errors, page.js_errors
    page.context.close()
