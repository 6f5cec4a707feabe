"""Browser tests of the staff dashboard (/app/), driving the real server with headless Chromium.

Run by scripts/browser-test.sh, which starts `cchc serve --demo` on a throwaway SQLite database
and passes its address in CCHC_DASHBOARD_URL. The tests sign in as the demo district officer,
read the June 2024 ranking, the completeness page and Xã Đông Sơn's page (breakdown and trend
chart), sign out, and check that the demo commune officer cannot open another commune's page.
They save screenshots of the three pages at 1280×900 to docs/screenshots/ (CCHC_SCREENSHOTS)
and check that a phone-width (390 px) render never scrolls sideways except inside a table's
own scroller.
"""

import os
import shutil
import tempfile
import urllib.parse

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ.get("CCHC_DASHBOARD_URL", "http://127.0.0.1:8080").rstrip("/")
SHOTS = os.environ.get("CCHC_SCREENSHOTS", "docs/screenshots")
DESKTOP = (1280, 900)
PHONE = (390, 844)

# Without these Chromium tries to reach Google's services and, on a machine with no network,
# hangs on those connections.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--lang=vi",
]


def which(*names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError(f"none of {names} is installed (apt-get install -y chromium chromium-driver)")


@pytest.fixture
def browser():
    os.environ.setdefault("SE_OFFLINE", "true")
    profile = tempfile.mkdtemp(prefix="cchc-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = which("chromium", "chromium-browser")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={DESKTOP[0]},{DESKTOP[1]}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(which("chromedriver")), options=options)
    driver.set_page_load_timeout(30)
    viewport(driver, DESKTOP)
    try:
        yield driver
        problems = [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]
        assert not problems, f"the page broke its Content-Security-Policy: {problems}"
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def viewport(driver, size, mobile=False):
    width, height = size
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )


def wait(driver, condition, timeout=15):
    return WebDriverWait(driver, timeout).until(condition)


def path_of(driver):
    return urllib.parse.urlsplit(driver.current_url).path


def open_page(driver, path):
    driver.get(BASE + path)
    wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")


def sign_in(driver, username, password):
    open_page(driver, "/app/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "sign-in").click()
    wait(driver, lambda d: path_of(d) != "/app/login")


def sign_out(driver):
    driver.find_element(By.ID, "sign-out").click()
    wait(driver, lambda d: path_of(d) == "/app/login")
    assert driver.find_element(By.CSS_SELECTOR, ".flash.success").text == "Bạn đã đăng xuất."


def screenshot(driver, name):
    os.makedirs(SHOTS, exist_ok=True)
    driver.execute_script("window.scrollTo(0, 0)")
    assert driver.save_screenshot(os.path.join(SHOTS, name)), f"no screenshot {name}"


def check_phone_width(driver):
    """At 390 px nothing makes the page scroll sideways; wide tables scroll in their own box."""
    viewport(driver, PHONE, mobile=True)
    try:
        driver.refresh()
        wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")
        page = driver.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert page[0] <= page[1], f"the page is {page[0]} px wide in a {page[1]} px viewport"
        outside = driver.execute_script(
            """
            const width = document.documentElement.clientWidth;
            return Array.from(document.querySelectorAll('body *'))
              .filter(e => !e.closest('.table-scroll') && !e.closest('.visually-hidden') && !e.closest('.skip-link'))
              .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 1; })
              .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className);
            """
        )
        assert not outside, f"elements wider than the phone screen: {outside[:10]}"
    finally:
        viewport(driver, DESKTOP)
        driver.refresh()


def check_keyboard(driver):
    """The first Tab shows the skip link; following it moves the focus to the main content."""
    ActionChains(driver).send_keys(Keys.TAB).perform()
    skip = driver.switch_to.active_element
    assert skip.get_attribute("class") == "skip-link", skip.get_attribute("outerHTML")
    assert skip.is_displayed() and skip.rect["y"] >= 0, skip.rect
    outline = driver.execute_script("return getComputedStyle(arguments[0]).outlineStyle", skip)
    assert outline != "none", "the focused skip link has no focus outline"
    skip.send_keys(Keys.ENTER)
    wait(driver, lambda d: d.switch_to.active_element.get_attribute("id") == "main")
    # The sort buttons are real buttons in the tab order.
    ActionChains(driver).send_keys(Keys.TAB).perform()
    assert driver.switch_to.active_element.tag_name in ("a", "button", "select")


def rows(driver, table_id):
    return driver.find_elements(By.CSS_SELECTOR, f"#{table_id} tbody tr")


def test_district_officer_reads_rankings_completeness_and_a_commune(browser):
    d = browser
    # Without a session every page leads to the sign-in page.
    open_page(d, "/app/")
    assert path_of(d) == "/app/login"
    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"

    sign_in(d, "yenthe", "demo-district")
    assert path_of(d) == "/app/"
    assert "Huyện Yên Thế" in d.find_element(By.TAG_NAME, "h1").text
    # The default period is the latest month with data: June 2024.
    period = d.find_element(By.CSS_SELECTOR, "#period option:checked")
    assert period.get_attribute("value") == "2024-06"

    ranked = rows(d, "rankings")
    assert len(ranked) == 10
    first = ranked[0]
    assert first.get_attribute("data-code") == "07273"
    cells = first.find_elements(By.TAG_NAME, "td")
    assert cells[0].text == "1"
    assert "Xã Đông Sơn" in cells[1].text
    assert cells[2].text == "99,88" and cells[2].get_attribute("data-sort") == "99.88"
    assert cells[3].text == "Xuất sắc"
    # The commune that did not report is highlighted and says so.
    missing = d.find_element(By.CSS_SELECTOR, '#rankings tr[data-code="07255"]')
    assert "not-reported" in missing.get_attribute("class")
    assert "Chưa báo cáo" in missing.text
    # Downloads of the same ranking.
    assert "/app/export/rankings.csv?" in d.find_element(By.ID, "download-csv").get_attribute("href")

    # The script made the headings sort buttons (so it ran under the CSP).
    headers = d.find_elements(By.CSS_SELECTOR, "#rankings thead th")
    score_header = headers[2]
    score_header.find_element(By.CSS_SELECTOR, "button.sort-button").click()
    assert score_header.get_attribute("aria-sort") == "ascending"
    assert headers[0].get_attribute("aria-sort") is None
    scores = [r.find_elements(By.TAG_NAME, "td")[2].get_attribute("data-sort") for r in rows(d, "rankings")]
    numbers = [float(s) for s in scores if s]
    assert numbers == sorted(numbers) and scores[-1] == "", scores
    score_header.find_element(By.CSS_SELECTOR, "button.sort-button").click()
    assert score_header.get_attribute("aria-sort") == "descending"
    assert rows(d, "rankings")[0].get_attribute("data-code") == "07273"
    assert "Điểm" in d.find_element(By.ID, "sort-status").get_attribute("textContent")

    d.refresh()
    screenshot(d, "rankings.png")
    check_keyboard(d)
    check_phone_width(d)

    # Completeness of the district in June 2024.
    d.find_element(By.LINK_TEXT, "Tình hình báo cáo").click()
    wait(d, lambda d: path_of(d) == "/app/completeness")
    stats = {
        li.get_attribute("data-key"): li.find_element(By.CLASS_NAME, "stat-value").text
        for li in d.find_elements(By.CSS_SELECTOR, "#completeness-stats li")
    }
    assert stats["expected"] == "10" and stats["reported"] == "9" and stats["missing"] == "1", stats
    assert [r.get_attribute("data-code") for r in rows(d, "missing")] == ["07255"]
    screenshot(d, "completeness.png")
    check_phone_width(d)

    # Xã Đông Sơn's page, from the ranking.
    d.find_element(By.LINK_TEXT, "Xếp hạng").click()
    wait(d, lambda d: path_of(d) == "/app/")
    d.find_element(By.LINK_TEXT, "Xã Đông Sơn").click()
    wait(d, lambda d: path_of(d) == "/app/communes/07273")
    assert "Xã Đông Sơn" in d.find_element(By.TAG_NAME, "h1").text
    assert d.find_element(By.ID, "commune-score").text == "99,88"
    assert d.find_element(By.ID, "commune-rank").text == "1 / 10"
    breakdown = rows(d, "breakdown")
    assert len(breakdown) >= 10
    progress = breakdown[0].find_elements(By.TAG_NAME, "td")
    assert [c.text for c in progress[2:]] == ["167", "168", "99,4", "19,88", "20"]
    chart = d.find_element(By.CSS_SELECTOR, "svg#trend-chart")
    assert chart.get_attribute("role") == "img"
    assert len(chart.find_elements(By.CSS_SELECTOR, "text.x-tick")) == 12
    assert len(chart.find_elements(By.CSS_SELECTOR, "path.line.score")) == 1
    assert len(chart.find_elements(By.CSS_SELECTOR, "path.line.rate")) == 1
    assert chart.size["width"] > 600
    # The seed report has no finding, and says so; the reviewer sees the review forms.
    assert not d.find_elements(By.CSS_SELECTOR, "#findings .finding")
    assert "Không có cảnh báo." in d.find_element(By.ID, "report-heading").find_element(By.XPATH, "..").text
    assert d.find_element(By.ID, "approve").is_displayed()
    assert d.find_element(By.ID, "reason").get_attribute("required") is not None
    screenshot(d, "commune.png")
    check_phone_width(d)

    # English on request, remembered.
    d.find_element(By.CSS_SELECTOR, "a.lang-switch").click()
    wait(d, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    assert d.find_element(By.ID, "commune-score").text == "99.88"
    open_page(d, "/app/")
    assert "Ranking of communes" in d.find_element(By.TAG_NAME, "h1").text
    d.find_element(By.CSS_SELECTOR, "a.lang-switch").click()
    wait(d, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi")

    sign_out(d)
    open_page(d, "/app/communes/07273")
    assert path_of(d) == "/app/login"


def test_commune_officer_cannot_open_another_commune(browser):
    d = browser
    sign_in(d, "dongson", "demo-commune")
    # A commune officer's start page is their commune.
    assert path_of(d) == "/app/communes/07273"
    assert d.find_elements(By.ID, "review") == []

    open_page(d, "/app/communes/07279")
    error = d.find_element(By.CSS_SELECTOR, ".error-page")
    assert error.get_attribute("data-status") == "403"
    assert d.find_element(By.ID, "error-title").text == "Không có quyền truy cập"
    assert "Xã Hương Vĩ" not in d.page_source

    sign_out(d)
    open_page(d, "/app/communes/07273")
    assert path_of(d) == "/app/login"


# A4 less the print margins of dashboard.css, in CSS pixels (96 per inch).
A4_PORTRAIT_PX = int((210 - 24) / 25.4 * 96)
A4_LANDSCAPE_PX = int((297 - 20) / 25.4 * 96)


def check_print(driver, width, name):
    """Printed, the page shows no screen controls and no element runs past the paper's width;
    the first printed page is saved as a PDF and, rendered by pdftoppm, as a PNG."""
    viewport(driver, (width, 1000))
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        wide = driver.execute_script(
            """
            const width = arguments[0];
            return Array.from(document.querySelectorAll('main *'))
              .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 1; })
              .map(e => e.tagName + (e.id ? '#' + e.id : ''));
            """,
            width,
        )
        assert not wide, f"{name}: printed, these run past the paper: {wide[:8]}"
        for selector in [".picker", ".site-header", "button:not(.sort-button)", ".downloads"]:
            shown = [e for e in driver.find_elements(By.CSS_SELECTOR, selector) if e.is_displayed()]
            assert not shown, f"{name}: {selector} is printed"
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        viewport(driver, DESKTOP)
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
    os.makedirs(SHOTS, exist_ok=True)
    path = os.path.join(SHOTS, f"print-{name}.pdf")
    with open(path, "wb") as f:
        f.write(__import__("base64").b64decode(pdf["data"]))
    if shutil.which("pdftoppm"):
        import subprocess
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", path,
                        os.path.join(SHOTS, f"print-{name}")], check=True)
    os.remove(path)


def test_the_interior_office_s_pages_print_on_a4(browser):
    d = browser
    sign_in(d, "yenthe", "demo-district")
    open_page(d, "/app/consolidated?unit=215&period=2024-06")
    table = rows(d, "consolidated")
    assert len(table) == 10
    totals = d.find_element(By.ID, "consolidated-totals").find_elements(By.TAG_NAME, "td")
    # The totals row: 9 communes reported, 8 on time (due Monday 17 June); 1.473 received.
    assert totals[0].text == "9 / 8" and totals[1].text == "1.473"
    screenshot(d, "consolidated.png")
    check_print(d, A4_LANDSCAPE_PX, "consolidated")
    open_page(d, "/app/?unit=215&period=2024-06")
    check_print(d, A4_LANDSCAPE_PX, "rankings")
    open_page(d, "/app/completeness?unit=215&period=2024-06")
    assert d.find_element(By.ID, "late-heading").text == "Các xã nộp báo cáo trễ hạn"
    check_print(d, A4_PORTRAIT_PX, "completeness")
    open_page(d, "/app/communes/07273?period=2024-06")
    assert "II. Kết quả thực hiện công tác CCHC" in d.find_element(By.ID, "narrative").text
    check_print(d, A4_PORTRAIT_PX, "commune")
