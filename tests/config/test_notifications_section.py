"""The `notifications` section and each program's switches: defaults, and one sentence per
mistake, naming the key."""

from __future__ import annotations

from datetime import time

import pytest


def test_defaults_are_the_issue_s(load, minimal) -> None:
    cfg = load(minimal)
    settings = cfg.notifications
    assert settings.enabled and settings.quiet_hours is None and settings.timezone == "UTC"
    assert settings.milestones == (25, 50, 75, 100)
    assert (settings.inactivity.after_days, settings.inactivity.every_days) == (14, 7)
    assert settings.inactivity.at_most == 3 and settings.expiry_days == (30, 7)
    assert cfg.programs[0].notifications.on("welcome") and cfg.schedules.notify.every is not None


def test_quiet_hours_and_words_are_read(load, minimal) -> None:
    minimal["notifications"] = {
        "quiet_hours": {"start": "20:00", "end": "7:30"},
        "timezone": "Europe/Brussels",
        "expiry_days": [7, 30],
        "texts": {"milestone": {"subject": "{program}: {percent}!"}},
    }
    minimal["programs"][0]["notifications"] = {
        "digest": False,
        "texts": {"welcome": {"body": "Hi {participant}"}},
    }
    cfg = load(minimal)
    quiet = cfg.notifications.quiet_hours
    assert quiet is not None and (quiet.start, quiet.end) == (time(20), time(7, 30))
    assert cfg.notifications.expiry_days == (30, 7)
    milestone = cfg.notifications.texts.of("milestone")
    assert milestone is not None and milestone.subject == "{program}: {percent}!"
    assert not cfg.programs[0].notifications.on("digest")


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            {"texts": {"milestone": {"body": "{participant} is at {percnt}"}}},
            "notifications.texts: milestone.body unknown placeholder {percnt} (did you mean "
            "{percent}?)",
        ),
        (
            {"texts": {"digest": {"body": "Hello {participant}"}}},
            "notifications.texts: digest.body unknown placeholder {participant} (allowed: "
            "{mentor}, {week})",
        ),
        (
            {"quiet_hours": {"start": 1200, "end": "07:00"}},
            'notifications.quiet_hours.start: must be a time written in quotes, like "20:00" '
            "(got 1200)",
        ),
        (
            {"quiet_hours": {"start": "25:00", "end": "07:00"}},
            "notifications.quiet_hours.start: must be a time of day like \"20:00\" (got '25:00')",
        ),
        (
            {"quiet_hours": {"start": "07:00", "end": "07:00"}},
            "notifications.quiet_hours.end: must differ from start (an empty window has no "
            "quiet hours)",
        ),
        (
            {"timezone": "Mars/Olympus"},
            "notifications.timezone: must be an IANA time zone like Europe/Brussels or UTC "
            "(got 'Mars/Olympus')",
        ),
        (
            {"milestones": [50, 25]},
            "notifications.milestones: must be percentages in increasing order, each once "
            "(e.g. [25, 50, 75, 100])",
        ),
        (
            {"milestones": [0, 50]},
            "notifications.milestones: must be percentages above 0 and at most 100",
        ),
        ({"expiry_days": [0]}, "notifications.expiry_days: must be numbers of days of at least 1"),
    ],
)
def test_each_mistake_is_one_sentence(problem, minimal, section, expected) -> None:
    minimal["notifications"] = section
    assert problem(minimal) == expected


def test_an_unknown_kind_in_a_program_is_named(problem, minimal) -> None:
    minimal["programs"][0]["notifications"] = {"welcom": False}
    assert problem(minimal).startswith("programs[0].notifications.welcom:")
