"""The `notifications` section and each program's switches (docs/notifications.md): what the
sidecar tells trainees and mentors through Odoo's chatter and mail, when, and in which words."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import time
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, PlainValidator
from pydantic_core import PydanticCustomError

from sidecar.config.base import Finding, Section, have
from sidecar.config.fieldtypes import Text, between, check_placeholders, no_control
from sidecar.config.messages import describe, fail

# The placeholders each kind's subject and body may use; the trainees' kinds share the first two.
_COMMON = ("participant", "program")
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "welcome": (*_COMMON, "courses", "requirements", "batch"),
    "milestone": (*_COMMON, "percent"),
    "course_completed": (*_COMMON, "course"),
    "program_completed": _COMMON,
    "inactivity": (*_COMMON, "days", "percent"),
    "expiry": (*_COMMON, "serial", "expires_on", "days", "verify_url", "renewal"),
    "digest": ("mentor", "week"),
}
MAX_BODY = 4000
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def _clock_time(value: Any) -> time:
    # YAML 1.1 reads an unquoted 20:00 as the number 1200 (base 60): say so.
    if isinstance(value, int) and not isinstance(value, bool):
        fail(f'must be a time written in quotes, like "20:00" (got {value})')
    if isinstance(value, str) and (match := _CLOCK.fullmatch(value.strip())):
        return time(int(match.group(1)), int(match.group(2)))
    return fail(f'must be a time of day like "20:00" (got {describe(value)})')


ClockTime = Annotated[time, PlainValidator(_clock_time)]


def _timezone(value: Any) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = value.strip() if isinstance(value, str) else value
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        fail(f"must be an IANA time zone like Europe/Brussels or UTC (got {describe(value)})")
    return str(name)


TimeZone = Annotated[str, PlainValidator(_timezone)]


def _message(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        fail(f"must be text (got {describe(value)})")
    text = no_control(value.strip())
    if len(text) > MAX_BODY:
        fail(f"must be at most {MAX_BODY} characters (got {len(text)})")
    return text


MessageText = Annotated[str, PlainValidator(_message)]


class Wording(Section):
    """A kind's words; either part may be left out to keep the shipped one."""

    subject: MessageText | None = None
    body: MessageText | None = None


def _texts_check(value: Any) -> Any:
    """Each kind's words use only that kind's placeholders (checked here, where the kind is
    known, so the sentence names the kind)."""
    if not isinstance(value, dict):
        return value
    for kind, wording in value.items():
        if kind not in PLACEHOLDERS or not isinstance(wording, dict):
            continue  # the model names an unknown kind or a wrong shape
        for part in ("subject", "body"):
            text = wording.get(part)
            if isinstance(text, str):
                try:
                    check_placeholders(text, PLACEHOLDERS[kind])
                except PydanticCustomError as exc:
                    fail(f"{kind}.{part} {exc.message()}")
    return value


class Texts(Section):
    """Words per kind, replacing the shipped English ones (in every language)."""

    welcome: Wording | None = None
    milestone: Wording | None = None
    course_completed: Wording | None = None
    program_completed: Wording | None = None
    inactivity: Wording | None = None
    expiry: Wording | None = None
    digest: Wording | None = None

    def of(self, kind: str) -> Wording | None:
        wording: Wording | None = getattr(self, kind)
        return wording


TextsField = Annotated[Texts, BeforeValidator(_texts_check)]


class QuietHours(Section):
    """No message is sent between `start` and `end` (a window may run past midnight)."""

    _has_cross_checks: ClassVar[bool] = True

    start: ClockTime
    end: ClockTime

    @classmethod
    def _cross_problems(cls, values: Mapping[str, Any]) -> Iterator[Finding]:
        if have(values, "start", "end") and values["start"] == values["end"]:
            yield ("end",), "must differ from start (an empty window has no quiet hours)"


class Inactivity(Section):
    """A reminder after `after_days` without progress, again every `every_days`, `at_most`
    times per quiet spell; none once the program is complete."""

    after_days: Annotated[int, between(1, 3650)] = 14
    every_days: Annotated[int, between(1, 3650)] = 7
    at_most: Annotated[int, between(1, 100)] = 3


class Digest(Section):
    """The weekly digest for each program's responsible user and each batch event's."""

    weekday: Literal[
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
    ] = "monday"
    hour: Annotated[int, between(0, 23)] = 8  # in the mentor's time zone
    # A trainee is behind when their progress trails the batch's elapsed time by this much.
    behind_by: Annotated[float, between(0, 100)] = 15.0
    upcoming_days: Annotated[int, between(1, 365)] = 7  # assignment deadlines to list


def _ascending_percents(value: Any) -> Any:
    if isinstance(value, list | tuple) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        if list(value) != sorted(set(value)):
            fail("must be percentages in increasing order, each once (e.g. [25, 50, 75, 100])")
        if any(not 0 < v <= 100 for v in value):
            fail("must be percentages above 0 and at most 100")
    return value


def _descending_days(value: Any) -> Any:
    if isinstance(value, list | tuple) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        if any(v < 1 for v in value):
            fail("must be numbers of days of at least 1")
        return tuple(sorted(set(value), reverse=True))
    return value


class NotificationsConfig(Section):
    """What the sidecar tells trainees and mentors through Odoo (docs/notifications.md)."""

    enabled: bool = True
    quiet_hours: QuietHours | None = None
    # For quiet hours and the digest's hour, for people without a time zone in Odoo.
    timezone: TimeZone = "UTC"
    milestones: Annotated[tuple[float, ...], BeforeValidator(_ascending_percents)] = (
        25.0,
        50.0,
        75.0,
        100.0,
    )
    inactivity: Inactivity = Field(default_factory=Inactivity)
    # Reminders this many days before a certificate expires (certificates.validity_days).
    expiry_days: Annotated[tuple[int, ...], BeforeValidator(_descending_days)] = (30, 7)
    digest: Digest = Field(default_factory=Digest)
    # A contact with this tag in Odoo gets no reminders (an Odoo user sets it on request).
    opt_out_tag: Text | None = "OJT: no reminders"
    texts: TextsField = Field(default_factory=Texts)


class ProgramNotifications(Section):
    """One program's switches and words; the words override `notifications.texts`."""

    welcome: bool = True
    milestone: bool = True
    course_completed: bool = True
    program_completed: bool = True
    inactivity: bool = True
    expiry: bool = True
    digest: bool = True
    texts: TextsField = Field(default_factory=Texts)

    def on(self, kind: str) -> bool:
        return bool(getattr(self, kind))
