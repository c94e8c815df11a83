"""The mentor's phone scans a trainee's ticket with its camera on the check-in screen: Chromium
is given a camera that films the ticket's QR code (a Y4M video made here from the code the
trainee's page shows), and jsQR, served by the cockpit, reads it. The trainee is checked in."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from sidecar.certificates.drawing import qr_matrix
from sidecar.store.models import AttendanceRecord, Batch, Checkin
from tests.browser.chrome import PHONE, Tools, start_chromium
from tests.browser.test_cockpit import Visit
from tests.cockpit.world import World

pytestmark = pytest.mark.browser

JSQR = Path(__file__).parents[2] / "sidecar" / "cockpit" / "static" / "jsQR.js"


def filmed_code(path: Path, data: str, width: int = 640, height: int = 480) -> Path:
    """A short Y4M video (4:2:0, full range) of `data`'s QR code, black on white, centred with
    its quiet zone: what a phone held over a printed ticket would see, minus the blur."""
    matrix = qr_matrix(data)
    module = min(width, height) // (len(matrix) + 8)
    side = len(matrix) * module
    left, top = (width - side) // 2, (height - side) // 2
    luma = bytearray(b"\xff" * (width * height))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for line in range(top + y * module, top + (y + 1) * module):
                    start = line * width + left + x * module
                    luma[start : start + module] = b"\x00" * module
    chroma = b"\x80" * ((width // 2) * (height // 2) * 2)
    frame = b"FRAME\n" + bytes(luma) + chroma
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg XYSCSS=420JPEG\n"
    path.write_bytes(header.encode() + frame * 10)
    return path


def test_a_mentor_checks_a_trainee_in_by_scanning_their_ticket_with_the_camera(
    site: str, world: World, tools: Tools, screenshots: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    assert JSQR.is_file(), f"{JSQR} is missing: `./dev test` fetches it from the npm registry"
    trainee = world.partners["trainee.a@example.com"]
    with world.store.sessions() as db:
        event = db.get(Batch, world.batches["A"]).odoo_event_id  # type: ignore[union-attr]
        barcode = db.scalar(
            select(AttendanceRecord.barcode).where(
                AttendanceRecord.event_id == event, AttendanceRecord.partner_id == trainee
            )
        )
    assert barcode, "the world's trainee A has a ticket"
    driver = start_chromium(tools, PHONE, camera=filmed_code(tmp_path / "ticket.y4m", barcode))
    try:
        phone = Visit(driver, tools, PHONE, screenshots, "mentor-a-camera")
        phone.sign_in(site, "mentor.a")
        driver.get(f"{site}/batches/{world.batches['A']}/checkin")
        start = driver.find_element(By.ID, "start-camera")
        assert start.is_displayed(), "the camera button shows where jsQR and a camera are"
        start.click()
        phone.wait_for(lambda d: "Trainee A is checked in." in d.page_source)
        phone.check("checkin-camera")
        assert phone.problems == [], "\n".join(phone.problems)
    finally:
        driver.quit()
    with world.store.sessions() as db:
        how = db.scalars(select(Checkin.how).where(Checkin.partner_id == trainee)).all()
    assert how == ["trainee-code"]
