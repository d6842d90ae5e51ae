"""The built site in a real headless browser: a reader's path to standard 2.1, and search.

Debian's chromium and chromium-driver are driven through Selenium; the
``chromium`` fixture installs them with apt-get when they are missing, and
these tests skip only when no browser can be installed. The site is served
over HTTP on 127.0.0.1, because the search index is fetched, which file://
pages cannot do. Deselect with ``-m "not browser"``.
"""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

pytestmark = pytest.mark.browser

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

KEY_QUESTIONS = {
    "2.1.1": "Does assessment sufficiently analyse how to support the child's desistance?",
    "2.1.2": "Does assessment sufficiently analyse how to keep the child safe?",
    "2.1.3": "Does assessment sufficiently analyse how to keep other people safe?",
}
BANDS = [
    ["Outstanding", "80-100%", "Large majority: 80%+"],
    ["Good", "65-79%", "Reasonable majority: 65-79%"],
    ["Requires improvement", "50-64%", "Too few: 50-64%"],
    ["Inadequate", "0-49%", "Minority: <50%"],
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def serve():
    """serve(folder) -> the base URL of a server of ``folder`` on 127.0.0.1, stopped after the module."""
    servers = []

    def start(folder) -> str:
        handler = functools.partial(_Quiet, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    binary, driver = chromium
    options = webdriver.ChromeOptions()
    options.binary_location = str(binary)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--window-size=1400,1000",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(argument)
    # the driver is named, so Selenium never looks for (or downloads) one of its own
    session = webdriver.Chrome(options=options, service=Service(str(driver)))
    session.set_page_load_timeout(30)
    yield session
    session.quit()


def wait(browser, seconds: float = 15) -> WebDriverWait:
    return WebDriverWait(browser, seconds)


def click_link(browser, text: str) -> None:
    """Click the first link in the page's article whose text is ``text``."""
    link = wait(browser).until(EC.element_to_be_clickable(
        (By.XPATH, f"//article//a[normalize-space()={xpath_string(text)}]")))
    link.click()


def xpath_string(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    return "concat(" + ", \"'\", ".join(f"'{part}'" for part in text.split("'")) + ")"


def test_a_reader_reaches_standard_2_1_from_the_home_page(browser, serve, docs_site):
    base = serve(docs_site)
    browser.get(base + "/")
    click_link(browser, "Published frameworks")
    wait(browser).until(EC.url_contains("/frameworks/"))
    click_link(browser, "2018")
    wait(browser).until(EC.url_contains("/frameworks/hmip-youth/2018/"))
    assert "Inspection of youth offending services (2018 standards)" in browser.find_element(By.TAG_NAME, "h1").text
    click_link(browser, "2.1 Assessment")
    wait(browser).until(EC.url_contains("/frameworks/hmip-youth/2018/2/#2.1"))

    heading = browser.find_element(By.ID, "2.1")
    assert heading.is_displayed() and heading.text.startswith("2.1 Assessment")
    rule = heading.find_element(By.XPATH, "following-sibling::p[starts-with(normalize-space(), 'Standard')]")
    assert rule.text.startswith("Standard · Rated by rule: the lowest rating of its key questions (lowest(children))")
    for node_id, question in KEY_QUESTIONS.items():
        element = browser.find_element(By.ID, node_id)
        assert element.text == f"{node_id} {question}"
        browser.execute_script("arguments[0].scrollIntoView()", element)
        assert element.is_displayed()

    table = browser.find_element(By.XPATH, "//*[@id='bands-key_question']/following::table[1]")
    browser.execute_script("arguments[0].scrollIntoView()", table)
    assert table.is_displayed()
    rows = [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
            for row in table.find_elements(By.XPATH, ".//tbody/tr")]
    assert rows == BANDS


def test_search_finds_desistance(browser, serve, docs_site):
    browser.get(serve(docs_site) + "/")
    field = wait(browser).until(EC.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input")))
    field.click()
    field.send_keys("desistance")
    results = wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".md-search-result__item") or None)
    assert results
    meta = browser.find_element(By.CSS_SELECTOR, ".md-search-result__meta").text
    assert "matching document" in meta
    assert any("desistance" in r.text.lower() for r in results)


def test_a_hostile_framework_runs_no_script(browser, serve, hostile_site):
    base = serve(hostile_site)
    browser.get(base + "/frameworks/hmip-youth/2018/2/")
    field = wait(browser).until(EC.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input")))
    field.click()
    field.send_keys("Assessment")  # the search results show the hostile heading of 2.1
    results = wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".md-search-result__item") or None)
    assert any("<img src=x onerror=alert(2)>" in r.text for r in results)
    with pytest.raises(TimeoutException):
        WebDriverWait(browser, 2).until(EC.alert_is_present())
    assert browser.find_element(By.ID, "2.1").text == "2.1 Assessment <img src=x onerror=alert(2)>"
    assert browser.find_elements(By.CSS_SELECTOR, "article img") == []


def search(browser, base: str, words: str) -> list[tuple[str, str]]:
    """The (address, title) of each search result for ``words``, best first."""
    browser.get(base + "/")
    field = wait(browser).until(EC.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input")))
    field.click()
    field.send_keys(words)
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".md-search-result__item") or None)
    return [(a.get_attribute("href").split("?")[0] + (("#" + a.get_attribute("href").split("#")[1])
                                                       if "#" in a.get_attribute("href") else ""),
             a.text.split("\n")[0])
            for a in browser.find_elements(By.CSS_SELECTOR, ".md-search-result__link")]


def test_search_ranks_the_version_in_force_first_and_titles_differ(browser, serve, docs_site):
    """Both 2018 versions have an '2.1 Assessment': the one in force comes first, and each result names its version."""
    base = serve(docs_site)
    results = search(browser, base, "Assessment")
    # among the youth framework's pages (other frameworks' pages may say "assessment" too: the improvement plan's)
    youth = [(address, title) for address, title in results if address.startswith(base + "/frameworks/hmip-youth/")]
    first_page = next(title for _, title in youth if title)
    assert youth[0][0].startswith(base + "/frameworks/hmip-youth/2018/")
    assert first_page.endswith("· version 2018")
    pages = {title for address, title in results if "#" not in address and title.startswith("2 Court disposals")}
    assert pages <= {"2 Court disposals · version 2018", "2 Court disposals · version 2018-original"}


def test_a_rating_word_finds_the_band_tables(browser, serve, docs_site):
    base = serve(docs_site)
    results = search(browser, base, "Requires improvement")
    sections = [address for address, _ in results if "#" in address]
    # the first hit of a framework that bands (cqc-asc has no band tables: its examples may come first)
    banding = [s for s in sections if "/frameworks/hmip-youth" in s]
    assert banding[0].split("#")[1].startswith("bands-"), sections[:6]
    assert banding[0].startswith(base + "/frameworks/hmip-youth/2018/")


# -- accessibility (issue 15, section 4) ------------------------------------------------------------------
#
# axe-core comes from PyPI, in selenium-axe-python's wheel (the test extra), the one Python package that ships a
# current axe-core (4.9) and needs nothing but Selenium, which the suite already drives: CI installs it with the
# README's pip command, and no npm. Only its axe.min.js is used, injected into the page as a script.

A11Y_PAGES = ["frameworks/hmip-youth/2018/", "frameworks/hmip-youth/2018/1/", "frameworks/hmip-youth/2018/2/",
              "frameworks/hmip-youth/2018/print/", "frameworks/hmip-youth/2018/changes/",
              "frameworks/hmip-youth/2018-original/2/", "frameworks/hmip-youth/2018/examples/",
              "frameworks/hmip-youth/2018/examples/bedfordshire-2021-cases/",
              "frameworks/hmip-youth-cci/2011/", "frameworks/hmip-youth-fji/2014/",
              "guides/writing-a-framework/", "guides/versions/", "guides/evaluating-evidence/",
              "guides/many-inspections/", "guides/reading-results/", "guides/ci/"]


@pytest.fixture(scope="module")
def axe_script() -> str:
    from importlib.resources import files

    return (files("selenium_axe_python") / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(browser, script: str, context: str | None = None) -> list[dict]:
    browser.execute_script(script)
    browser.set_script_timeout(60)
    where = f"{{include: [[{context!r}]]}}" if context else "document"
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"axe.run({where}, {{resultTypes: ['violations']}}).then(r => done(r.violations), e => done(String(e)));")


@pytest.mark.parametrize("page", A11Y_PAGES)
def test_axe_finds_no_serious_violation_in_the_pages_markup(browser, serve, docs_site, axe_script, page):
    """Everything the project writes is in the page's content area; the theme's header, search and footer are not
    the project's markup (axe reports two serious findings there on every page, in mkdocs-material itself: the
    search dialog has no name, and the footer's credit line is too faint)."""
    browser.get(f"{serve(docs_site)}/{page}")
    wait(browser).until(lambda b: b.execute_script("return document.readyState") == "complete")
    found = axe_violations(browser, axe_script, ".md-content")
    assert isinstance(found, list), found
    serious = [f"{v['id']} ({v['impact']}): {v['help']}: {[n['target'] for n in v['nodes'][:3]]}"
               for v in found if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_links_in_text_are_underlined_and_code_blocks_take_focus(browser, serve, docs_site):
    base = serve(docs_site)
    browser.get(base + "/frameworks/hmip-youth/2018/2/")
    link = browser.find_element(By.XPATH, "//article//p/a[normalize-space()='the key question bands']")
    assert "underline" in link.value_of_css_property("text-decoration-line")
    browser.get(base + "/guides/reading-results/")
    blocks = wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, "article pre > code[tabindex='0']") or None)
    assert len(blocks) == len(browser.find_elements(By.CSS_SELECTOR, "article pre > code"))
    # Tab from the top of the article reaches a code block, and the arrow keys then scroll it
    from selenium.webdriver.common.keys import Keys

    browser.execute_script("document.querySelector('article').setAttribute('tabindex', '-1');"
                           "document.querySelector('article').focus()")
    for _ in range(80):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        focused = browser.switch_to.active_element
        if focused.tag_name == "code":
            break
    assert focused.tag_name == "code" and focused.find_element(By.XPATH, "..").tag_name == "pre"


# -- screenshots at desktop and phone widths --------------------------------------------------------------


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGBA bytes) of a PNG as Chromium writes it: 8-bit RGB(A), not interlaced."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, width = 8, [], 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 4 if colour == 6 else 3
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(b"".join(chunks)), width * channels, [], bytearray(width * channels)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows


@pytest.mark.parametrize("width, height, phone", [(1280, 900, False), (390, 844, True)], ids=["desktop", "phone"])
@pytest.mark.parametrize("page", ["frameworks/hmip-youth/2018/", "frameworks/hmip-youth/2018/2/"],
                         ids=["framework", "standard"])
def test_pages_lay_out_at_desktop_and_phone_width(browser, serve, docs_site, tmp_path, page, width, height, phone):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": phone})
    try:
        browser.get(f"{serve(docs_site)}/{page}")
        wait(browser).until(lambda b: b.execute_script("return document.readyState") == "complete")
        # nothing is wider than the screen: no sideways scrolling of the page
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
        h1 = browser.find_element(By.CSS_SELECTOR, "article h1")
        box = browser.execute_script("const r = arguments[0].getBoundingClientRect();"
                                     "return [r.left, r.top, r.right, r.bottom]", h1)
        assert 0 <= box[0] and box[2] <= width and 0 <= box[1] < height, box
        sidebar = browser.find_element(By.CSS_SELECTOR, ".md-sidebar--primary")
        if phone:  # the nav is a drawer, off the screen until opened
            assert not sidebar.is_displayed() or sidebar.rect["x"] + sidebar.rect["width"] <= 0, sidebar.rect
        else:
            assert sidebar.is_displayed() and sidebar.rect["x"] >= 0, sidebar.rect
        shot = browser.get_screenshot_as_png()
        (tmp_path / "screen.png").write_bytes(shot)
        w, h, rows = png_pixels(shot)
        assert (w, h) == (width, height)
        # the heading is drawn: its box on the screenshot holds text (many shades), not an empty band
        left, top, right, bottom = (int(v) for v in box)
        channels = len(rows[0]) // w
        colours = {rows[y][x * channels:x * channels + 3]
                   for y in range(max(top, 0), min(bottom, h)) for x in range(max(left, 0), min(right, w), 2)}
        assert len(colours) > 8, len(colours)
        # the content column fills the phone's width, and a readable share of the desktop's
        article = browser.find_element(By.CSS_SELECTOR, "article").rect
        assert article["width"] >= (0.85 * width if phone else 0.4 * width), article
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
