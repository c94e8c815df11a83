"""The public verification site in a real browser, at a phone's width and a desktop's: pages in
English, French and Arabic (right to left), the holder's privacy page, whose button hides the
details (a real form POST under the site's Content-Security-Policy), the hidden page the public
then sees and the holder's own link. Each page: no serious axe-core violation, no sideways
scroll, no CSP error in the console, and a screenshot in OJT_SCREENSHOTS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.chrome import DESKTOP, PHONE, Tools, Viewport, start_chromium
from tests.browser.conftest import served
from tests.browser.test_cockpit import Visit
from tests.credentials.conftest import TODAY, World, make_world
from verify_site.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture
def register(tmp_path: Path) -> World:
    return make_world(tmp_path, f"sqlite:///{tmp_path / 'store.db'}")


@pytest.fixture
def verify_site(tools: Tools, register: World) -> Iterator[str]:
    app = create_app(register.cfg, rate_limit_per_minute=10_000, clock=lambda: TODAY)
    with served(app, "verify site under test") as base:
        yield base


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=lambda v: v.name)
def test_certificate_pages_in_three_languages_and_the_holders_privacy(
    verify_site: str, register: World, tools: Tools, screenshots: Path, viewport: Viewport
) -> None:
    from selenium.webdriver.common.by import By

    french = register.issue("Zoé Marie-Hélène Dubois-Martin", odoo_lang="fr_FR")
    arabic = register.issue("ليلى عبد الرحمن حداد", odoo_lang="ar_001")
    english = register.issue("Sam Lee", odoo_lang="en_US")
    driver = start_chromium(tools, viewport)
    try:
        visit = Visit(driver, tools, viewport, screenshots, "verify")
        for name, cert in (("fr", french), ("ar", arabic), ("en", english)):
            driver.get(f"{verify_site}/c/{cert.serial}")
            assert cert.participant_name in driver.find_element(By.TAG_NAME, "main").text
            visit.check(f"certificate-{name}")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("dir") == "ltr"
        driver.get(f"{verify_site}/c/{arabic.serial}")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"

        own = f"{verify_site}/c/{english.serial}?t={english.holder_token}"
        driver.get(f"{verify_site}/c/{english.serial}/privacy?t={english.holder_token}")
        visit.check("privacy")
        old = driver.find_element(By.TAG_NAME, "html")
        driver.find_element(By.XPATH, "//button[@name='hide']").click()
        visit.wait_for(lambda d: old != d.find_element(By.TAG_NAME, "html"))
        assert "Your choice is saved." in driver.find_element(By.TAG_NAME, "main").text
        visit.check("privacy-hidden")

        driver.get(f"{verify_site}/c/{english.serial}")
        public = driver.find_element(By.TAG_NAME, "main").text
        assert "Valid certificate" in public and "Sam Lee" not in public
        visit.check("certificate-hidden")
        driver.get(own)
        assert "Sam Lee" in driver.find_element(By.TAG_NAME, "main").text
        visit.check("certificate-holder-view")
        driver.get(f"{verify_site}/")
        visit.check("index")
        assert visit.problems == [], "\n".join(visit.problems)
    finally:
        driver.quit()
