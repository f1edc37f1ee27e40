"""Signing in as a person does, and a wall that runs for weeks on its kiosk token: in headless Chromium."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.auth.roles import KIOSK_ROLE, LEADER
from dashboard.core.clock import FixedClock, SystemClock
from dashboard.web.app import create_app
from layouts.ids import ShellIds
from tests.signin import PASSWORD, account
from tests.test_wall_browser import wall_services  # noqa: F401  (the wall's fixture)

pytestmark = pytest.mark.browser
COUNT_POLLS = """
window.__wallMarker = "no reload"; window.__polls = 0; window.__answered = [];
const fetched = window.fetch;
window.fetch = function () {
  return fetched.apply(this, arguments).then(function (r) { window.__polls++; window.__answered.push(r.status); return r; });
};"""


def test_a_leader_signs_in_through_the_form_and_out_again(chromium, dash_duo, services):
    app = create_app(services)
    account(app, LEADER, login="lanh-dao")
    dash_duo.start_server(app, navigate=False)
    driver, url = dash_duo.driver, dash_duo.server.url.rstrip("/")
    driver.get(f"{url}/league")
    WebDriverWait(driver, 10).until(lambda d: "/signin" in d.current_url)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Đăng nhập"
    driver.find_element(By.ID, "login").send_keys("lanh-dao")
    driver.find_element(By.ID, "password").send_keys("not the password")
    driver.find_element(By.ID, "sign-in").click()
    WebDriverWait(driver, 10).until(lambda d: "Sai tên đăng nhập" in d.page_source)
    driver.find_element(By.ID, "login").send_keys("lanh-dao")
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "sign-in").click()
    dash_duo.wait_for_element(".ag-root", timeout=15)  # the league it asked for
    assert driver.current_url == f"{url}/league"
    assert dash_duo.find_element(f"#{ShellIds.ACCOUNT}").text == "Thử nghiệm lanh-dao"
    cookies = {c["name"]: c for c in driver.get_cookies()}
    assert cookies["cchc_session"]["httpOnly"] and cookies["cchc_session"]["sameSite"] == "Lax"
    dash_duo.find_element(f"#{ShellIds.SIGN_OUT}").click()
    WebDriverWait(driver, 10).until(lambda d: "/signin" in d.current_url)
    driver.get(f"{url}/league")
    WebDriverWait(driver, 10).until(lambda d: "/signin" in d.current_url)  # signed out for good
    violations = [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]
    assert violations == []


def test_a_wall_runs_for_weeks_on_its_token_and_stops_at_the_poll_after_revocation(
    chromium,
    dash_duo,
    wall_services,  # noqa: F811
):
    services = wall_services()
    real_time = FixedClock(SystemClock().now())  # the browser drops a cookie whose expiry is past by its own clock
    services.accounts.clock = real_time
    expires = real_time.now() + timedelta(days=90)
    token_id, token = services.accounts.issue_token("kiosk", "Phòng điều hành tầng 3", KIOSK_ROLE, set(), expires)
    dash_duo.start_server(create_app(services), navigate=False)
    driver, url = dash_duo.driver, dash_duo.server.url.rstrip("/")
    driver.get(f"{url}/wall?token={token}&dwell=2")
    dash_duo.wait_for_element(".wall-view.is-active", timeout=15)
    address = urlsplit(driver.current_url)
    asked = parse_qs(address.query)
    # the token left the address bar (and the history); the wall's script added its screen's scale
    assert address.path == "/wall" and asked.pop("scale") != [] and asked == {"dwell": ["2"]}
    assert token not in driver.execute_script("return document.documentElement.outerHTML")
    assert "cchc_device" not in driver.execute_script("return document.cookie")  # httpOnly: no script reads it
    driver.execute_script(COUNT_POLLS)  # also the mark that the page was not reloaded
    for _ in range(8):  # eight weeks of polls: no sign-in page, no reload
        real_time.advance(timedelta(days=7))
        services.clock.advance(timedelta(days=7))
        seen = driver.execute_script("return window.__polls")
        WebDriverWait(driver, 10).until(lambda d, seen=seen: d.execute_script("return window.__polls") > seen + 1)
    assert driver.execute_script("return window.__wallMarker") == "no reload"
    assert driver.execute_script("return window.__answered.every(s => s === 200 || s === 204)")
    assert "/wall" in driver.current_url and driver.find_elements(By.CSS_SELECTOR, ".wall-view.is-active")
    services.accounts.revoke_token(token_id)
    WebDriverWait(driver, 10).until(lambda d: "đã bị thu hồi" in d.page_source)  # the next poll, then said so
    assert driver.execute_script("return window.__wallMarker") is None
    assert not driver.find_elements(By.CSS_SELECTOR, ".wall-view")  # nothing of the wall is left on the screen
