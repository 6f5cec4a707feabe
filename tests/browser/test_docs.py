"""Swagger UI (/docs/) as an integrator meets it under a real host name: headless Chromium maps
`cchc.example.test` to the test server, records every request the page makes, and checks that
none goes to another host (no online validator), that the page keeps to its
Content-Security-Policy, and that "Try it out" on `GET /api/v1/indicators` calls that path.

Run by scripts/browser-test.sh, which passes the server's address in CCHC_DASHBOARD_URL.
"""

import json
import os
import shutil
import tempfile
import urllib.parse

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from test_dashboard import CHROMIUM_FLAGS, which

BASE = os.environ.get("CCHC_DASHBOARD_URL", "http://127.0.0.1:8080").rstrip("/")
HOST = "cchc.example.test"
PORT = urllib.parse.urlsplit(BASE).port


@pytest.fixture
def browser():
    os.environ.setdefault("SE_OFFLINE", "true")
    profile = tempfile.mkdtemp(prefix="cchc-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = which("chromium", "chromium-browser")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1280,900")
    # Every other host resolves nowhere, so a request to one fails instead of leaving the machine;
    # it is still recorded.
    options.add_argument(f"--host-resolver-rules=MAP {HOST} 127.0.0.1, MAP * ~NOTFOUND")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(which("chromedriver")), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def requested(driver):
    """The URLs the page asked for since the last call."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_swagger_ui_stays_on_its_host_and_calls_the_operation_it_shows(browser):
    docs = f"http://{HOST}:{PORT}/docs/"
    browser.get(docs)
    wait = WebDriverWait(browser, 20)
    block = wait.until(EC.presence_of_element_located((By.ID, "operations-indicators-listIndicators")))
    assert "cchc" in browser.title, browser.title
    block.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#operations-indicators-listIndicators .try-out__btn"))).click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#operations-indicators-listIndicators .execute"))).click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#operations-indicators-listIndicators .live-responses-table")))
    # What went to the network (not the browser's own chrome:// pages, data: or blob: URLs).
    urls = [u for u in requested(browser) if u.startswith(("http:", "https:", "ws:", "wss:"))]
    hosts = {urllib.parse.urlsplit(u).netloc for u in urls}
    assert hosts == {f"{HOST}:{PORT}"}, urls
    paths = [urllib.parse.urlsplit(u).path for u in urls]
    assert "/api-docs/openapi.json" in paths, paths
    assert "/api/v1/indicators" in paths, paths
    assert "/api/v1/audit" not in paths, paths
    broken = [e["message"] for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
    assert not broken, broken
