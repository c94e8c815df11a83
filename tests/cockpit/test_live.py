"""Pages refresh live: `/live.json`'s stamp moves when the tracker changes what a viewer sees,
and a trainee's does not move for someone else's progress."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from sidecar.store.models import Student
from tests.cockpit.world import World


def _stamp(client: object) -> str:
    answer = client.get("/live.json")  # type: ignore[attr-defined]
    assert answer.status_code == 200
    return str(answer.get_json()["stamp"])


def _progress(world: World, partner: int, pct: float) -> None:
    with world.store.sessions() as db, db.begin():
        db.execute(
            update(Student)
            .where(Student.odoo_partner_id == partner)
            .values(overall_pct=pct, updated_at=datetime.now(UTC))
        )


def test_the_stamp_moves_with_the_tracker_and_only_for_what_the_viewer_sees(world: World) -> None:
    mentor = world.client("mentor.a")
    trainee_a = world.client("trainee.a@example.com")
    before_mentor, before_a = _stamp(mentor), _stamp(trainee_a)
    assert _stamp(mentor) == before_mentor  # nothing changed: the same stamp
    _progress(world, world.partners["trainee.b@example.com"], 90.0)
    assert _stamp(trainee_a) == before_a  # someone else's progress
    assert _stamp(mentor) != before_mentor
    _progress(world, world.partners["trainee.a@example.com"], 55.0)
    assert _stamp(trainee_a) != before_a


def test_pages_carry_the_stamp_and_load_the_script_from_this_site(world: World) -> None:
    client = world.client("trainee.a@example.com")
    html = client.get(f"/trainees/{world.partners['trainee.a@example.com']}").get_data(as_text=True)
    assert f'data-live="{_stamp(client)}"' in html
    assert '<script src="/static/live.js" defer></script>' in html
    assert "<script>" not in html  # no inline script: the CSP forbids it
