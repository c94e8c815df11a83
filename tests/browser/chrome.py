"""Debian's Chromium under Selenium, for the cockpit's browser tests: finding the tools, starting
a headless browser at a given viewport, and the checks run on every page (axe-core, horizontal
overflow, CSP errors in the console, a full-page screenshot).

Nothing here downloads a browser or a driver: Chromium and chromedriver come from Debian
(`apt-get install chromium chromium-driver`) and axe-core from the npm registry
(`npm install --prefix ~/.cache/ojt-sidecar/axe axe-core@4`); `.ci/run` installs all three."""

from __future__ import annotations

import base64
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Set by .ci/run: a missing tool fails the browser tests instead of skipping them.
REQUIRED_ENV = "OJT_BROWSER_TESTS"
# The path of axe-core's axe.min.js; by default where .ci/run's npm install puts it.
AXE_ENV = "OJT_AXE_JS"
BAD_IMPACTS = ("serious", "critical")


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int


PHONE = Viewport("phone", 390, 844)
DESKTOP = Viewport("desktop", 1280, 900)


@dataclass(frozen=True)
class Tools:
    chromium: str
    chromedriver: str
    axe_js: str  # axe.min.js's source


def default_axe_path() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "ojt-sidecar" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def find_tools() -> Tools | str:
    """The browser, its driver and axe-core, or a sentence naming what is missing."""
    missing = []
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (./dev installs it: pip install -e '.[dev]')")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        missing.append("chromium (apt-get install chromium)")
    driver = shutil.which("chromedriver")
    if driver is None:
        missing.append("chromedriver (apt-get install chromium-driver)")
    axe = Path(os.environ.get(AXE_ENV) or default_axe_path())
    if not axe.is_file():
        missing.append(f"axe-core at {axe} (npm install axe-core@4; or set {AXE_ENV})")
    if missing or chromium is None or driver is None:
        return "browser tests need " + ", ".join(missing)
    return Tools(chromium, driver, axe.read_text(encoding="utf-8"))


def start_chromium(tools: Tools, viewport: Viewport, *, camera: Path | None = None) -> Any:
    """A headless Chromium whose page is exactly `viewport` (CSS pixels, scale 1); with
    `camera`, a Y4M video it shows as its camera, allowed without asking."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = tools.chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        f"--window-size={viewport.width},{viewport.height}",
    ):
        options.add_argument(flag)
    if camera is not None:
        options.add_argument("--use-fake-ui-for-media-stream")
        options.add_argument("--use-fake-device-for-media-stream")
        options.add_argument(f"--use-file-for-fake-video-capture={camera}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(tools.chromedriver))
    # Headless windows have a minimum width (500 px) and some height of their own; the override
    # makes the page's viewport the phone's or the desktop's exactly, and with scrollbars that
    # take no room (as on a phone) the page is laid out, and photographed, at that width.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {
            "width": viewport.width,
            "height": viewport.height,
            "deviceScaleFactor": 1,
            "mobile": False,
        },
    )
    driver.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": True})
    driver.set_script_timeout(60)
    return driver


def axe_violations(driver: Any, tools: Tools) -> list[dict[str, Any]]:
    """axe-core's violations on the current page. WebDriver's scripts run outside the page's CSP
    (the cockpit's `script-src 'self'` does not block them)."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(tools.axe_js)
    found = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ["violations"]})
          .then((r) => done({violations: r.violations}))
          .catch((e) => done({error: String(e)}));
        """
    )
    assert "error" not in found, f"axe-core failed: {found['error']}"
    return list(found["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            lines.append(f"      {' '.join(node['target'])}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"        {summary[:300]}")
    return "\n".join(lines)


def overflow(driver: Any) -> str | None:
    """A sentence when the page scrolls sideways: only `.scroll` containers may be wider than
    the window. Names the widest elements that stick out."""
    width, inner = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    if width <= inner + 1:
        return None
    culprits = driver.execute_script(
        """
        const limit = window.innerWidth + 1;
        return Array.from(document.querySelectorAll("body *"))
          .filter((e) => !e.closest(".scroll") || e.matches(".scroll"))
          .filter((e) => e.getBoundingClientRect().right > limit)
          .slice(0, 8)
          .map((e) => e.tagName.toLowerCase() + (e.className ? "." + e.className : "")
               + " right=" + Math.round(e.getBoundingClientRect().right));
        """
    )
    return f"page is {width} px wide in a {inner} px window: {', '.join(culprits)}"


def csp_errors(driver: Any) -> list[str]:
    """The console's Content-Security-Policy errors since the last call."""
    return [
        str(entry["message"])
        for entry in driver.get_log("browser")
        if entry.get("source") == "security" or "Content Security Policy" in entry["message"]
    ]


def screenshot(driver: Any, path: Path) -> None:
    """The whole page, beyond the viewport, as a PNG."""
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        },
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))
