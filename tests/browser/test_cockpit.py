"""The cockpit in a real browser: each role signs in through the form and clicks through its
pages (dashboard, batch, check-in screen, trainee, admin) at a phone's width (390 px) and a
desktop's (1280 px). On every page axe-core finds no serious or critical violation, the page
does not scroll sideways (tables scroll inside their `.scroll` box), the console shows no
Content-Security-Policy error, and a full-page screenshot lands in OJT_SCREENSHOTS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.browser.chrome import (
    BAD_IMPACTS,
    DESKTOP,
    PHONE,
    Tools,
    Viewport,
    axe_violations,
    csp_errors,
    describe,
    overflow,
    screenshot,
    start_chromium,
)
from tests.cockpit.world import PASSWORDS, World

pytestmark = pytest.mark.browser

WAIT_SECONDS = 30  # an upper bound for a page to load, never a figure the tests assert


class Visit:
    """One browser's walk through the cockpit; `check` looks at the page it is on and keeps
    every problem, so one run names them all."""

    def __init__(self, driver: Any, tools: Tools, viewport: Viewport, folder: Path, who: str):
        self.driver, self.tools, self.viewport = driver, tools, viewport
        self.folder, self.who = folder, who
        self.problems: list[str] = []

    @property
    def path(self) -> str:
        return str(urlparse(self.driver.current_url).path)

    def check(self, page: str) -> None:
        where = f"{self.who} on {page} at {self.viewport.name} width ({self.path})"
        screenshot(self.driver, self.folder / f"{self.who}-{page}-{self.viewport.name}.png")
        wide = overflow(self.driver)
        if wide is not None:
            self.problems.append(f"{where}: {wide}")
        found = axe_violations(self.driver, self.tools)
        if any(v["impact"] in BAD_IMPACTS for v in found):
            self.problems.append(f"{where}: axe-core violations\n{describe(found)}")
        self.problems.extend(f"{where}: console: {e}" for e in csp_errors(self.driver))

    def wait_for(self, condition: Any) -> None:
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait

        # A condition that reads the page may hold an element of the page being replaced.
        WebDriverWait(
            self.driver, WAIT_SECONDS, ignored_exceptions=(StaleElementReferenceException,)
        ).until(condition)

    def follow(self, link_text: str) -> None:
        """Click the link named `link_text` and wait for the next page."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec

        old = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.find_element(By.LINK_TEXT, link_text).click()
        self.wait_for(ec.staleness_of(old))

    def sign_in(self, base: str, login: str) -> None:
        from selenium.webdriver.common.by import By

        self.driver.get(f"{base}/signin")
        self.check("signin")
        self.driver.find_element(By.ID, "login").send_keys(login)
        self.driver.find_element(By.ID, "secret").send_keys(PASSWORDS[login])
        form = "//input[@id='login']/ancestor::form"
        self.driver.find_element(By.XPATH, f"{form}//button[@type='submit']").click()
        self.wait_for(lambda d: urlparse(d.current_url).path != "/signin")

    def heading(self) -> str:
        from selenium.webdriver.common.by import By

        return str(self.driver.find_element(By.TAG_NAME, "h1").text)


@pytest.fixture(params=[PHONE, DESKTOP], ids=lambda v: v.name)
def viewport(request: pytest.FixtureRequest) -> Viewport:
    chosen: Viewport = request.param
    return chosen


@pytest.fixture
def visit(tools: Tools, viewport: Viewport, screenshots: Path, request: Any) -> Iterator[Visit]:
    who = str(request.node.callspec.params.get("login", "someone")).split("@")[0]
    driver = start_chromium(tools, viewport)
    try:
        yield Visit(driver, tools, viewport, screenshots, who.replace(".", "-"))
    finally:
        driver.quit()


@pytest.mark.parametrize("login", ["admin", "mentor.a"])
def test_staff_sign_in_and_click_through_dashboard_batch_checkin_trainee_and_admin(
    site: str, world: World, visit: Visit, login: str
) -> None:
    visit.sign_in(site, login)
    assert visit.path == "/dashboard"
    assert visit.heading() == "Dashboard"
    visit.check("dashboard")
    visit.follow("Batch A")
    assert visit.path == f"/batches/{world.batches['A']}"
    visit.check("batch")
    visit.follow("Check-in screen")
    assert visit.path == f"/batches/{world.batches['A']}/checkin"
    visit.check("checkin")
    visit.follow("← Batch A")
    visit.follow("Trainee A")
    assert visit.path == f"/trainees/{world.partners['trainee.a@example.com']}"
    assert visit.heading() == "Trainee A"
    visit.check("trainee")
    if login == "admin":
        visit.follow("Admin")
        assert visit.path == "/admin"
        visit.check("admin")
    assert visit.problems == [], "\n".join(visit.problems)


@pytest.mark.parametrize("login", ["trainee.a@example.com"])
def test_a_trainee_signs_in_and_lands_on_their_progress(
    site: str, world: World, visit: Visit, login: str
) -> None:
    visit.sign_in(site, login)
    assert visit.path == f"/trainees/{world.partners[login]}"
    assert visit.heading() == "Trainee A"
    visit.check("trainee")
    visit.follow("My progress")
    assert visit.path == f"/trainees/{world.partners[login]}"
    assert visit.problems == [], "\n".join(visit.problems)


@pytest.mark.parametrize("login", ["trainee.a@example.com"])
def test_a_trainee_checks_in_by_the_sessions_qr_code_on_a_phone(
    site: str, world: World, tools: Tools, screenshots: Path, login: str
) -> None:
    """The phone opens what the session's QR code holds, is sent to sign in, comes back to the
    check-in page and checks in."""
    import time
    from datetime import UTC, datetime

    from selenium.webdriver.common.by import By

    from sidecar.cockpit.checkin import STEP, session_mac, step_of

    batch = world.batches["A"]
    # A code holds for the rest of its step and the next one: start early in a step, so that a
    # busy machine's slow sign-in and checks still post it in time (at least 40 s).
    into_step = datetime.now(UTC).timestamp() % STEP
    if into_step > STEP - 10:
        time.sleep(STEP - into_step + 0.1)
    with world.app.app_context():
        step = step_of(datetime.now(UTC))
        code = f"/checkin/{batch}/{step}/{session_mac(batch, step)}"
    driver = start_chromium(tools, PHONE)
    try:
        phone = Visit(driver, tools, PHONE, screenshots, "trainee-a-scan")
        driver.get(site + code)
        assert phone.path == "/signin"  # not signed in yet: sent to sign in, then back
        phone.driver.find_element(By.ID, "login").send_keys(login)
        phone.driver.find_element(By.ID, "secret").send_keys(PASSWORDS[login])
        form = "//input[@id='login']/ancestor::form"
        phone.driver.find_element(By.XPATH, f"{form}//button[@type='submit']").click()
        phone.wait_for(lambda d: urlparse(d.current_url).path == code)
        phone.check("checkin-confirm")
        phone.driver.find_element(By.XPATH, "//button[text()='Check me in']").click()
        # checked in, or refused (an expired code, say): either way the page says so
        phone.wait_for(lambda d: "Check me in" not in d.find_element(By.TAG_NAME, "main").text)
        said = driver.find_element(By.TAG_NAME, "main").text
        assert "You are checked in to Batch A" in said, said
        phone.check("checkin-done")
        assert phone.problems == [], "\n".join(phone.problems)
    finally:
        driver.quit()
