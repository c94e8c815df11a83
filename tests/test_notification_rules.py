"""When each notification is due (sidecar/notifications.py), as plain values and times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sidecar.notifications import (
    behind,
    digest_week,
    expiry_due,
    inactivity_due,
    key,
    milestones_due,
    quiet_until,
    zone,
)

MILESTONES = (25.0, 50.0, 75.0, 100.0)
BRUSSELS = ZoneInfo("Europe/Brussels")


def test_keys_name_the_kind_and_occasion() -> None:
    assert key("milestone", "gardening", 42, 50.0) == "notify:milestone:gardening:42:50"
    assert key("milestone", "gardening", 42, 12.5) == "notify:milestone:gardening:42:12.5"


def test_a_jump_tells_the_furthest_milestone_and_covers_the_rest() -> None:
    due = milestones_due(80, MILESTONES, [], completed=False)
    assert due.fire == 75 and due.covered == (25, 50)
    assert milestones_due(80, MILESTONES, [25, 50, 75], completed=False).fire is None
    assert milestones_due(24.9, MILESTONES, [], completed=False).fire is None


def test_completion_covers_every_milestone_reached() -> None:
    due = milestones_due(100, MILESTONES, [25], completed=True)
    assert due.fire is None and due.covered == (50, 75, 100)
    # 100 % of the work without completing (an attendance minimum unmet): 100 is told.
    assert milestones_due(100, MILESTONES, [25, 50, 75], completed=False).fire == 100


@given(st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=1, max_size=12))
def test_any_progress_path_tells_each_milestone_at_most_once(path: list[float]) -> None:
    decided: list[float] = []
    fired: list[float] = []
    for percent in sorted(path):  # progress only grows
        due = milestones_due(percent, MILESTONES, decided, completed=False)
        decided.extend(due.covered)
        if due.fire is not None:
            fired.append(due.fire)
            decided.append(due.fire)
    assert len(decided) == len(set(decided))
    assert set(decided) == {t for t in MILESTONES if max(path) + 1e-9 >= t}
    assert fired == sorted(fired)


def test_inactivity_reminders_wait_repeat_and_stop() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rule = {"after": timedelta(days=14), "every": timedelta(days=7), "at_most": 3}
    assert inactivity_due(start + timedelta(days=13), start, [], **rule) is None
    assert inactivity_due(start + timedelta(days=14), start, [], **rule) == 1
    first = start + timedelta(days=14)
    assert inactivity_due(start + timedelta(days=20), start, [first], **rule) is None
    assert inactivity_due(start + timedelta(days=21), start, [first], **rule) == 2
    three = [first, first + timedelta(days=7), first + timedelta(days=14)]
    assert inactivity_due(start + timedelta(days=90), start, three, **rule) is None


def test_expiry_tells_the_nearest_threshold_passed() -> None:
    expires = date(2026, 6, 30)
    assert expiry_due(date(2026, 5, 30), expires, (30, 7), []).fire is None  # 31 days left
    assert expiry_due(date(2026, 5, 31), expires, (30, 7), []).fire == 30
    late = expiry_due(date(2026, 6, 25), expires, (30, 7), [])  # first run 5 days before
    assert late.fire == 7 and late.covered == (30,)
    assert expiry_due(date(2026, 6, 30), expires, (30, 7), []).fire is None  # expired


def test_quiet_hours_over_midnight_end_the_next_morning() -> None:
    start, end = time(20), time(8)
    evening = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)  # 22:30 in Brussels (winter, +1)
    assert quiet_until(evening, start, end, BRUSSELS) == datetime(2026, 3, 3, 7, tzinfo=UTC)
    night = datetime(2026, 3, 3, 5, tzinfo=UTC)  # 06:00 in Brussels
    assert quiet_until(night, start, end, BRUSSELS) == datetime(2026, 3, 3, 7, tzinfo=UTC)
    assert quiet_until(datetime(2026, 3, 3, 7, tzinfo=UTC), start, end, BRUSSELS) is None


def test_quiet_hours_within_a_day() -> None:
    lunch = (time(12), time(13, 30))
    assert quiet_until(datetime(2026, 3, 2, 12, 15, tzinfo=UTC), *lunch, ZoneInfo("UTC")) == (
        datetime(2026, 3, 2, 13, 30, tzinfo=UTC)
    )
    assert quiet_until(datetime(2026, 3, 2, 11, 59, tzinfo=UTC), *lunch, ZoneInfo("UTC")) is None


def test_an_unknown_zone_from_odoo_falls_back() -> None:
    assert zone("Not/AZone", "Europe/Brussels") == BRUSSELS
    assert zone(None, "UTC") == ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 3, 2, 6, 59, tzinfo=UTC), None),  # Monday 07:59 in Brussels
        (datetime(2026, 3, 2, 7, 0, tzinfo=UTC), "2026-W10"),  # Monday 08:00
        (datetime(2026, 3, 8, 22, 0, tzinfo=UTC), "2026-W10"),  # Sunday 23:00: still due
        (datetime(2026, 3, 8, 23, 0, tzinfo=UTC), None),  # Monday 00:00 of the next week
    ],
)
def test_the_digest_is_due_from_its_weekday_and_hour_to_the_week_s_end(
    moment: datetime, expected: str | None
) -> None:
    assert digest_week(moment, "monday", 8, BRUSSELS) == expected


def test_behind_compares_progress_with_the_batch_s_elapsed_days() -> None:
    start, end = date(2026, 1, 1), date(2026, 1, 11)
    assert behind(30, start, end, date(2026, 1, 6), 15)  # half the days gone, 30 % done
    assert not behind(40, start, end, date(2026, 1, 6), 15)
    assert not behind(0, None, None, date(2026, 1, 6), 15)
