"""eLearning (`website_slides`): courses, lessons, memberships and lesson progress; joining a
course through Odoo's own invite wizard."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from connectors import OdooClient
from jobs.odoo.profile import OdooProfile, profile_of
from jobs.odoo.reads import (
    WITH_ARCHIVED,
    AppNeeds,
    Row,
    Stream,
    as_int,
    as_text,
    fields_of,
    m2o,
    required,
)
from sidecar.outbox import Lookup, Write, ref
from sidecar.store.models import CourseMembership, GradedItem, LessonProgress

COURSE = "slide.channel"
LESSON = "slide.slide"
MEMBERSHIP = "slide.channel.partner"
LESSON_PROGRESS = "slide.slide.partner"
INVITE = "slide.channel.invite"
GRADED_CATEGORIES = ["quiz", "certification"]
RESPONSIBLE = "user_id"  # slide.channel's responsible user: not a trainee (product-rules §12)


def _graded(row: Row) -> dict[str, Any]:
    return {
        "channel_id": required(row, "channel_id"),
        "name": as_text(row.get("name")) or f"Lesson {row['id']}",
        "category": as_text(row.get("slide_category")) or "quiz",
        "survey_id": m2o(row.get("survey_id")),
        "reward_1": as_int(row.get("quiz_first_attempt_reward")),
        "reward_2": as_int(row.get("quiz_second_attempt_reward")),
        "reward_3": as_int(row.get("quiz_third_attempt_reward")),
        "reward_4": as_int(row.get("quiz_fourth_attempt_reward")),
        "published": bool(row.get("is_published")),
        "active": bool(row.get("active", True)),
    }


def _membership(row: Row) -> dict[str, Any]:
    return {
        "channel_id": required(row, "channel_id"),
        "partner_id": required(row, "partner_id"),
        "completion": as_int(row.get("completion")),
        "member_status": as_text(row.get("member_status")),
        "completed_slides_count": as_int(row.get("completed_slides_count")),
        "active": bool(row.get("active", True)),
    }


def _membership_16(row: Row) -> dict[str, Any]:
    """Odoo 16.0's membership: no invitations, and a `completed` flag that stays once set. Its
    status is what 17.0 stores: completed, ongoing once a lesson is done, else joined."""
    completion = as_int(row.get("completion"))
    done = as_int(row.get("completed_slides_count"))
    status = "completed" if row.get("completed") else "ongoing" if completion or done else "joined"
    return {
        "channel_id": required(row, "channel_id"),
        "partner_id": required(row, "partner_id"),
        "completion": completion,
        "member_status": status,
        "completed_slides_count": done,
        "active": True,  # 16.0 deletes the membership of a partner who leaves
    }


def _lesson(row: Row) -> dict[str, Any]:
    return {
        "slide_id": required(row, "slide_id"),
        "channel_id": required(row, "channel_id"),
        "partner_id": required(row, "partner_id"),
        "completed": bool(row.get("completed")),
        "quiz_attempts_count": as_int(row.get("quiz_attempts_count")),
    }


GRADED_ITEMS = Stream(
    "graded_items",
    LESSON,
    (
        "channel_id",
        "name",
        "slide_category",
        "survey_id",
        "quiz_first_attempt_reward",
        "quiz_second_attempt_reward",
        "quiz_third_attempt_reward",
        "quiz_fourth_attempt_reward",
        "is_published",
        "active",
    ),
    GradedItem,
    lambda s: [
        ("channel_id", "in", list(s.channel_ids)),
        ("slide_category", "in", GRADED_CATEGORIES),
    ],
    _graded,
    lambda s: GradedItem.channel_id.in_(s.channel_ids),
    include_archived=True,
)
MEMBERSHIPS = Stream(
    "memberships",
    MEMBERSHIP,
    ("channel_id", "partner_id", "completion", "member_status", "completed_slides_count", "active"),
    CourseMembership,
    lambda s: [("channel_id", "in", list(s.channel_ids))],
    _membership,
    lambda s: CourseMembership.channel_id.in_(s.channel_ids),
    include_archived=True,
)
MEMBERSHIPS_16 = replace(
    MEMBERSHIPS,
    fields=("channel_id", "partner_id", "completion", "completed", "completed_slides_count"),
    to_columns=_membership_16,
    include_archived=False,
)
LESSONS = Stream(
    "lessons",
    LESSON_PROGRESS,
    ("slide_id", "channel_id", "partner_id", "completed", "quiz_attempts_count"),
    LessonProgress,
    lambda s: [("channel_id", "in", list(s.channel_ids))],
    _lesson,
    lambda s: LessonProgress.channel_id.in_(s.channel_ids),
)
STREAMS = (GRADED_ITEMS, MEMBERSHIPS, LESSONS)


def streams(profile: OdooProfile) -> tuple[Stream, ...]:
    if profile.membership_status:
        return STREAMS
    return (GRADED_ITEMS, MEMBERSHIPS_16, LESSONS)


def needs(profile: OdooProfile) -> AppNeeds:
    return AppNeeds(
        "eLearning",
        (COURSE, LESSON, MEMBERSHIP, LESSON_PROGRESS),
        ((MEMBERSHIP, "create"), (MEMBERSHIP, "write")),
        fields_of(streams(profile), (COURSE, (RESPONSIBLE,))),
    )


# --- look-ups -----------------------------------------------------------------------------------


def courses_named(client: OdooClient, names: list[str]) -> dict[str, list[int]]:
    """Course ids by exact name (archived courses too)."""
    rows = client.search_read_list(COURSE, [("name", "in", names)], ["name"], context=WITH_ARCHIVED)
    found: dict[str, list[int]] = {}
    for row in rows:
        found.setdefault(row["name"], []).append(row["id"])
    return found


def course_responsibles(client: OdooClient, ids: list[int]) -> dict[int, int | None]:
    """Each course's responsible user (`user_id`, the creator unless changed), archived courses
    too; None for a course without one."""
    rows = client.read(COURSE, ids, [RESPONSIBLE], context=WITH_ARCHIVED)
    return {int(r["id"]): m2o(r.get(RESPONSIBLE)) for r in rows}


def course_members(
    client: OdooClient, channel_ids: list[int], profile: OdooProfile
) -> list[tuple[int, int, bool]]:
    """(course, partner, active) of every membership of the courses, archived ones too (16.0
    deletes a membership instead of archiving it: all it has are active)."""
    archived = profile.membership_status
    rows = client.search_read_list(
        MEMBERSHIP,
        [("channel_id", "in", channel_ids)],
        ["channel_id", "partner_id", *(["active"] if archived else [])],
        context=WITH_ARCHIVED if archived else None,
    )
    return [
        (channel, partner, bool(r.get("active", True)))
        for r in rows
        if (channel := m2o(r.get("channel_id"))) and (partner := m2o(r.get("partner_id")))
    ]


def course_names(client: OdooClient, ids: list[int]) -> dict[int, str]:
    """The names of courses given by id (archived ones too; a missing id is left out)."""
    rows = client.read(COURSE, ids, ["name"], context=WITH_ARCHIVED)
    return {int(r["id"]): str(r["name"]) for r in rows if r.get("name")}


def joined_courses(client: OdooClient, partner_id: int, channel_ids: list[int]) -> set[int]:
    """The courses the partner is a member of (an invitation alone does not count)."""
    status = ["member_status"] if profile_of(client).membership_status else []
    rows = client.search_read_list(
        MEMBERSHIP,
        [("partner_id", "=", partner_id), ("channel_id", "in", channel_ids)],
        ["channel_id", *status],
        names=False,
    )
    return {
        c for m in rows if m.get("member_status") != "invited" if (c := m2o(m.get("channel_id")))
    }


# Calls that change nothing although they are not reads by name: a dry run makes them for real.
ONLY_READING = frozenset({(COURSE, "action_channel_enroll"), (COURSE, "action_channel_invite")})


def enroll_context(client: OdooClient, channel_id: int) -> dict[str, Any]:
    """The context Odoo's "Enroll people" button opens its wizard with (read-only: it only
    returns an action). On 16.0 that is the "Invite" button, whose wizard enrolls."""
    action = client.call(COURSE, profile_of(client).enroll_action, ids=[channel_id])
    return dict((action or {}).get("context") or {})


# --- writes -------------------------------------------------------------------------------------


def course_wizard(
    key: str, subject: str, channel_id: int, partner_id: Any, context: dict[str, Any]
) -> Write:
    return Write(
        key=key,
        model=INVITE,
        method="create",
        params={"vals_list": {"partner_ids": [[6, 0, [partner_id]]]}, "context": context},
        lookup=Lookup(
            INVITE, [("channel_id", "=", channel_id), ("partner_ids", "in", [partner_id])]
        ),
        summary=f"open the enroll wizard of course {channel_id} for partner {partner_id}",
        subject=subject,
    )


def course_invite(
    key: str,
    subject: str,
    wizard_key: str,
    channel_id: int,
    course_name: str,
    partner_id: Any,
    context: dict[str, Any],
    profile: OdooProfile,
) -> Write:
    """Odoo's wizard subscribes the partner to the course's chatter and sends its own mail."""
    # 16.0 memberships have no `active`: one that was left is gone, not archived
    archived = [("active", "in", [True, False])] if profile.membership_status else []
    return Write(
        key=key,
        model=INVITE,
        method="action_invite",
        ids=[ref(wizard_key)],
        params={"context": context},
        lookup=Lookup(
            MEMBERSHIP,
            [
                ("channel_id", "=", channel_id),
                ("partner_id", "=", partner_id),
                *archived,
            ],
        ),
        summary=f"enroll partner {partner_id} in {course_name}",
        subject=subject,
    )


def course_pages(client: OdooClient, ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each course's name and the path of its page on the website (`/slides/<slug>`), for the
    welcome message's links."""
    if not ids:
        return {}
    rows = client.read(COURSE, ids, ["name", "website_url"])
    return {int(r["id"]): (str(r.get("name") or ""), str(r.get("website_url") or "")) for r in rows}


def courses_responsible(client: OdooClient, uid: int, course_ids: list[int]) -> list[int]:
    """Of these courses, those whose responsible user (`slide.channel.user_id`) is `uid`."""
    if not course_ids:
        return []
    return sorted(client.search(COURSE, [("id", "in", course_ids), ("user_id", "=", uid)]))
