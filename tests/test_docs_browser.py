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
    first_page = next(title for _, title in results if title)
    assert results[0][0].startswith(base + "/frameworks/hmip-youth/2018/")
    assert first_page.endswith("· version 2018")
    pages = {title for address, title in results if "#" not in address and title.startswith("2 Court disposals")}
    assert pages <= {"2 Court disposals · version 2018", "2 Court disposals · version 2018-original"}


def test_a_rating_word_finds_the_band_tables(browser, serve, docs_site):
    base = serve(docs_site)
    results = search(browser, base, "Requires improvement")
    sections = [address for address, _ in results if "#" in address]
    assert sections[0].split("#")[1].startswith("bands-"), sections[:3]
    assert sections[0].startswith(base + "/frameworks/hmip-youth/2018/")
