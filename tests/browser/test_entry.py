"""The commune clerk files in the browser: /app/communes/{code}/reports/{period}/edit.

Run by scripts/browser-test.sh, which passes the built binary in CCHC_BIN. These tests start
their own `cchc serve --demo` (a throwaway SQLite database under CCHC_ENTRY_WORK), because they
stop and restart it: the clerk's draft survives a server restart, and what the clerk typed while
the server was down survives a reload from the browser's storage and is submitted once the
server is back. The form is filled by field name with the figures and narrative of the seed
report (Xã Đông Sơn, June 2024, read from the API) for months of the current year, and what the
API reads back must be exactly what was typed. The same flow works with JavaScript disabled, and
a second session editing the same report gets the "changed meanwhile" page instead of
overwriting.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from selenium.webdriver.common.keys import Keys

from test_dashboard import CHROMIUM_FLAGS, check_phone_width, which

BIN = os.environ.get("CCHC_BIN", "target/debug/cchc")
WORK = os.environ.get("CCHC_ENTRY_WORK", "target/browser/entry")
SHOTS = os.environ.get("CCHC_SCREENSHOTS", "docs/screenshots")
COMMUNE = "07273"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`cchc serve --demo` on its own database, which outlives a restart."""

    def __init__(self):
        os.makedirs(WORK, exist_ok=True)
        self.db = os.path.abspath(os.path.join(WORK, f"entry-{os.getpid()}-{time.time_ns()}.db"))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.demo = True

    def start(self):
        env = dict(os.environ, DATABASE_URL=f"sqlite://{self.db}", RUST_LOG="warn",
                   CCHC_JWT_SECRET="entry-secret-entry-secret-entry-secret")
        args = [BIN, "serve", "--bind", f"127.0.0.1:{self.port}"] + (["--demo"] if self.demo else [])
        log = open(os.path.join(WORK, "server.log"), "a")
        self.process = subprocess.Popen(args, env=env, stdout=log, stderr=log)
        self.demo = False  # the demo data are loaded once; a restart keeps what was stored
        for _ in range(150):
            try:
                urllib.request.urlopen(self.base + "/health", timeout=1).read()
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        raise RuntimeError("the server did not start; see " + WORK + "/server.log")

    def stop(self):
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None

    def api(self, method, path, token=None, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", "Bearer " + token)
        with urllib.request.urlopen(req, timeout=10) as res:
            return json.loads(res.read())

    def token(self, username, password):
        return self.api("POST", "/api/v1/auth/token", body={"username": username, "password": password})["access_token"]


@pytest.fixture
def server():
    s = Server()
    s.start()
    try:
        yield s
    finally:
        s.stop()


def chromium(javascript=True):
    os.environ.setdefault("SE_OFFLINE", "true")
    profile = tempfile.mkdtemp(prefix="cchc-entry-")
    options = webdriver.ChromeOptions()
    options.binary_location = which("chromium", "chromium-browser")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1280,900")
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(service=Service(which("chromedriver")), options=options)
    driver.set_page_load_timeout(30)
    driver.profile_dir = profile
    return driver


@pytest.fixture
def browser():
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(driver.profile_dir, ignore_errors=True)


def wait(driver, condition, timeout=15):
    return WebDriverWait(driver, timeout).until(condition)


def open_page(driver, url):
    driver.get(url)
    wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")


def sign_in(driver, server, username="dongson", password="demo-commune"):
    open_page(driver, server.base + "/app/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "sign-in").click()
    wait(driver, lambda d: "/app/login" not in d.current_url)


def months_back(n):
    """`YYYY-MM` of the month n months before the current one in Vietnam (UTC+7)."""
    now = datetime.now(timezone(timedelta(hours=7)))
    index = now.year * 12 + now.month - 1 - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def typed(code, value):
    """A figure as a clerk types it: Vietnamese notation for decimals, true/false for yes/no."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not value.is_integer():
        return str(value).replace(".", ",")
    return str(int(value))


def seed(server):
    """The seed report's figures and narrative, as the API serves them."""
    report = server.api("GET", f"/api/v1/communes/{COMMUNE}/reports/2024-06", server.token("dongson", "demo-commune"))
    return report["values"], report["narrative"]


def fill(driver, values, narrative):
    for code, value in values.items():
        field = driver.find_element(By.NAME, code)
        if field.tag_name == "select":
            Select(field).select_by_value(typed(code, value))
        else:
            field.clear()
            field.send_keys(typed(code, value))
    for key, text in narrative.items():
        area = driver.find_element(By.NAME, f"narrative.{key}")
        area.clear()
        # send_keys types character by character; the browser's own setter is faster for
        # the seed's long sections, and an input event tells the page's script.
        driver.execute_script(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
            area, text)


def press(driver, action):
    driver.find_element(By.ID, f"action-{action}").click()
    wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")


def stored(server, period):
    token = server.token("dongson", "demo-commune")
    return server.api("GET", f"/api/v1/communes/{COMMUNE}/reports/{period}", token)


def edit_url(server, period):
    return f"{server.base}/app/communes/{COMMUNE}/reports/{period}/edit"


def test_clerk_checks_saves_a_draft_survives_a_restart_and_submits(server, browser):
    values, narrative = seed(server)
    period = months_back(0)
    sign_in(browser, server)
    open_page(browser, edit_url(server, period))
    assert browser.find_element(By.ID, "form-status").text == "Chưa nhập"
    # On a phone nothing scrolls sideways; from the keyboard, Tab walks the Biểu 06 table in order.
    check_phone_width(browser)
    browser.find_element(By.NAME, "dossiers_carried_over").click()
    browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("name") == "dossiers_received_online"
    fill(browser, values, narrative)
    # The live sums of the seed as typed: 168 received, 166 resolved, 2 pending.
    sums = {o.get_attribute("data-sum-for"): o.text for o in browser.find_elements(By.CSS_SELECTOR, "output[data-sum-for]")}
    assert sums == {"dossiers_received_total": "168", "dossiers_resolved_total": "166", "dossiers_pending_total": "2"}
    assert "ok" in browser.find_element(By.ID, "identity-check").get_attribute("class")

    press(browser, "check")
    # The seed has no finding; two committee chairs are a warning, shown beside the field.
    assert browser.find_element(By.ID, "flash").text == "Kiểm tra xong: số liệu không có lỗi hay cảnh báo."
    chairs = browser.find_element(By.NAME, "committee_chairs")
    chairs.clear()
    chairs.send_keys("2")
    press(browser, "check")
    beside = browser.find_element(By.CSS_SELECTOR, "#field-committee_chairs .field-findings")
    assert "Cảnh báo" in beside.text and "2" in beside.text, beside.text
    os.makedirs(SHOTS, exist_ok=True)
    browser.save_screenshot(os.path.join(SHOTS, "report-form.png"))
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", beside)
    browser.save_screenshot(os.path.join(SHOTS, "report-form-warning.png"))
    chairs = browser.find_element(By.NAME, "committee_chairs")
    chairs.clear()
    chairs.send_keys("1")

    press(browser, "draft")
    assert browser.find_element(By.ID, "flash").text == "Đã lưu nháp. Báo cáo chưa được gửi."
    assert stored(server, period)["status"] == "draft"

    server.stop()
    server.start()
    open_page(browser, edit_url(server, period))
    assert browser.find_element(By.ID, "form-status").text == "Bản nháp"
    assert browser.find_element(By.NAME, "dossiers_received_online").get_attribute("value") == typed("", values["dossiers_received_online"])

    press(browser, "submit")
    assert f"/app/communes/{COMMUNE}" in browser.current_url and "done=submitted" in browser.current_url
    report = stored(server, period)
    assert report["status"] == "submitted"
    assert report["values"] == values
    assert report["narrative"] == narrative
    # The browser forgot its copy once the server had the report.
    assert browser.execute_script(f"return localStorage.getItem('cchc.report.{COMMUNE}.{period}')") is None


def test_typing_survives_a_server_outage_and_is_submitted_when_it_is_back(server, browser):
    values, narrative = seed(server)
    period = months_back(1)
    sign_in(browser, server)
    open_page(browser, edit_url(server, period))
    fill(browser, values, narrative)
    server.stop()
    # The reload fails (no server): the browser shows its own error page.
    try:
        browser.get(edit_url(server, period))
    except Exception:
        pass
    assert not browser.find_elements(By.ID, "report-form")
    server.start()
    open_page(browser, edit_url(server, period))
    assert browser.find_element(By.ID, "restored").is_displayed()
    assert browser.find_element(By.NAME, "dossiers_received_online").get_attribute("value") == typed("", values["dossiers_received_online"])
    press(browser, "submit")
    assert "done=submitted" in browser.current_url
    report = stored(server, period)
    assert report["values"] == values
    assert report["narrative"] == narrative


def test_without_javascript_the_same_flow_works(server):
    values, narrative = seed(server)
    period = months_back(2)
    driver = chromium(javascript=False)
    try:
        sign_in(driver, server)
        open_page(driver, edit_url(server, period))
        fill(driver, values, {})
        # No script: the text areas are typed into.
        for key, text in narrative.items():
            driver.find_element(By.NAME, f"narrative.{key}").send_keys(text[:200])
        chairs = driver.find_element(By.NAME, "committee_chairs")
        chairs.clear()
        chairs.send_keys("2")
        press(driver, "check")
        assert driver.find_elements(By.CSS_SELECTOR, "#field-committee_chairs .field-findings")
        chairs = driver.find_element(By.NAME, "committee_chairs")
        chairs.clear()
        chairs.send_keys("1")
        press(driver, "draft")
        assert driver.find_element(By.ID, "flash").text == "Đã lưu nháp. Báo cáo chưa được gửi."
        press(driver, "submit")
        assert "done=submitted" in driver.current_url
        report = stored(server, period)
        assert report["values"] == values
        assert report["narrative"] == {k: v[:200] for k, v in narrative.items()}
    finally:
        driver.quit()
        shutil.rmtree(driver.profile_dir, ignore_errors=True)


def test_a_second_session_gets_the_changed_meanwhile_page(server, browser):
    values, narrative = seed(server)
    period = months_back(3)
    token = server.token("dongson", "demo-commune")
    server.api("PUT", f"/api/v1/communes/{COMMUNE}/reports/{period}", token, {"values": values, "narrative": narrative})
    other = chromium()
    try:
        for driver in (browser, other):
            sign_in(driver, server)
            open_page(driver, edit_url(server, period))
        first = browser.find_element(By.NAME, "computers")
        first.clear()
        first.send_keys("12")
        press(browser, "submit")
        assert "done=submitted" in browser.current_url
        second = other.find_element(By.NAME, "computers")
        second.clear()
        second.send_keys("15")
        press(other, "submit")
        assert other.find_element(By.ID, "changed-meanwhile").is_displayed()
        compare = other.find_element(By.ID, "compare").text
        assert "12" in compare and "15" in compare, compare
        assert stored(server, period)["values"]["computers"] == 12
        # Sent again from that page, the clerk's figure is filed over the newer report.
        press(other, "submit")
        assert "done=submitted" in other.current_url
        assert stored(server, period)["values"]["computers"] == 15
    finally:
        other.quit()
        shutil.rmtree(other.profile_dir, ignore_errors=True)
