"""When a notification is due (docs/notifications.md), as pure functions of plain values and
the time, and the outbox keys that make each one happen once.

Each kind is decided from state, not from events: a run looks at what a trainee has reached
and at what was already decided for them (the `notifications` rows), so a run repeated, missed
or interrupted decides the same thing once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PREFIX = "notify:"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def key(kind: str, *parts: object) -> str:
    """The outbox key of one notification: the kind, then whose and which occasion."""
    return PREFIX + ":".join([kind, *(_part(p) for p in parts)])


def _part(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def zone(name: str | None, fallback: str) -> ZoneInfo:
    """The recipient's time zone as Odoo holds it, else the configured one (an unknown name in
    Odoo's data falls back too, rather than stopping the run)."""
    for candidate in (name, fallback):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def quiet_until(now: datetime, start: time, end: time, tz: ZoneInfo) -> datetime | None:
    """The end of the quiet window `now` falls in (aware, UTC), or None outside it. A window
    whose start is after its end runs past midnight (20:00-07:00)."""
    local = now.astimezone(tz)
    at = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= at < end
        ends_on = local.date()
    else:
        inside = at >= start or at < end
        ends_on = local.date() + timedelta(days=1) if at >= start else local.date()
    if not inside:
        return None
    return datetime.combine(ends_on, end, tzinfo=tz).astimezone(now.tzinfo)


@dataclass(frozen=True)
class Thresholds:
    """Which thresholds to tell now (`fire`, at most one: the furthest reached) and which to
    record as told by it (`covered`): a trainee who jumps from 10 % to 80 % hears of 75 % only."""

    fire: float | None
    covered: tuple[float, ...]


def milestones_due(
    percent: float, thresholds: Sequence[float], decided: Iterable[float], completed: bool
) -> Thresholds:
    """Milestones reached and not yet decided. Once the program-completed message is told
    (`completed`), it says more than any milestone: every one reached is covered by it."""
    done = set(decided)
    reached = [t for t in thresholds if percent + 1e-9 >= t and t not in done]
    if completed:
        return Thresholds(None, tuple(reached))
    if not reached:
        return Thresholds(None, ())
    return Thresholds(max(reached), tuple(reached[:-1]))


def inactivity_due(
    now: datetime,
    last_activity: datetime,
    sent: Sequence[datetime],
    *,
    after: timedelta,
    every: timedelta,
    at_most: int,
) -> int | None:
    """The number of the inactivity reminder due now (1 for the first), or None. `sent`: when
    this spell's reminders were decided; a new spell starts with each new progress."""
    if now - last_activity < after or len(sent) >= at_most:
        return None
    if sent and now - max(sent) < every:
        return None
    return len(sent) + 1


def expiry_due(
    today: date, expires_on: date, days: Sequence[int], decided: Iterable[int]
) -> Thresholds:
    """The reminder due for a certificate expiring on `expires_on`: the nearest threshold
    passed and not yet decided; further ones passed with it are covered. None once expired."""
    if today >= expires_on:
        return Thresholds(None, ())
    left = (expires_on - today).days
    done = set(decided)
    reached = sorted((d for d in days if left <= d and d not in done), reverse=True)
    if not reached:
        return Thresholds(None, ())
    return Thresholds(float(reached[-1]), tuple(float(d) for d in reached[:-1]))


def digest_week(now: datetime, weekday: str, hour: int, tz: ZoneInfo) -> str | None:
    """The ISO week (2026-W49) whose digest is due at `now` in the mentor's zone: from the
    configured weekday and hour until the end of that week, so a service down on Monday sends
    it on Tuesday; None before."""
    local = now.astimezone(tz)
    slot = WEEKDAYS.index(weekday)
    if (local.weekday(), local.hour) < (slot, hour):
        return None
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def behind(percent: float, start: date | None, end: date | None, today: date, by: float) -> bool:
    """A trainee is behind when their progress trails the share of the batch's days gone by
    more than `by` points; without batch dates nobody is."""
    if start is None or end is None or end <= start:
        return False
    share = min(max((today - start).days / (end - start).days, 0.0), 1.0)
    return percent < share * 100 - by
