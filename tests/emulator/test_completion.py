"""Quirks §8: membership completion recomputed from slide.slide.partner, step by step."""

from __future__ import annotations

from .conftest import Rpc, last_line


def membership(rpc: Rpc, scp: int) -> tuple:
    row = rpc.ek(
        "slide.channel.partner",
        "read",
        [[scp], ["member_status", "completion", "completed_slides_count"]],
    )[0]
    return row["member_status"], row["completion"], row["completed_slides_count"]


def test_completion_table(emu, rpc: Rpc) -> None:
    partner = rpc.ek("res.partner", "create", [{"name": "Trainee", "email": "t@example.com"}])
    scp = rpc.ek("slide.channel.partner", "create", [{"channel_id": 1, "partner_id": partner}])
    assert membership(rpc, scp) == ("joined", 0, 0)
    assert rpc.ek("slide.channel", "read", [[1], ["members_count"]])[0]["members_count"] == 4

    ssp1 = rpc.ek(
        "slide.slide.partner", "create", [{"slide_id": 1, "partner_id": partner, "completed": True}]
    )
    assert membership(rpc, scp) == ("ongoing", 20, 1)
    row = rpc.ek("slide.slide.partner", "read", [[ssp1], ["channel_id"]])[0]
    assert row["channel_id"] == [1, "Basics of Gardening"]

    ssp2 = rpc.ek("slide.slide.partner", "create", [{"slide_id": 2, "partner_id": partner}])
    assert membership(rpc, scp) == ("ongoing", 20, 1)

    before = rpc.ek("slide.channel.partner", "read", [[scp], ["write_date"]])[0]["write_date"]
    emu.advance(5)
    assert rpc.ek("slide.slide.partner", "write", [[ssp2], {"completed": True}]) is True
    assert membership(rpc, scp) == ("ongoing", 40, 2)
    after = rpc.ek("slide.channel.partner", "read", [[scp], ["write_date"]])[0]["write_date"]
    assert after > before  # the recompute moves the membership's write_date

    ids = rpc.ek(
        "slide.slide.partner",
        "create",
        [[{"slide_id": s, "partner_id": partner, "completed": True} for s in (3, 4, 5)]],
    )
    assert len(ids) == 3
    assert membership(rpc, scp) == ("completed", 100, 5)
    mails = rpc.ek(
        "mail.mail",
        "search_read",
        [[["subject", "=", "Congratulations! You completed Basics of Gardening"]]],
        {"fields": ["state"]},
    )
    assert [m["state"] for m in mails] == ["outgoing"]

    rpc.ek("slide.slide.partner", "write", [[ssp2], {"completed": False}])
    assert membership(rpc, scp) == ("completed", 100, 5)  # completed sticks


def test_non_member_progress_creates_no_membership_and_no_recompute(rpc: Rpc) -> None:
    partner = rpc.ek("res.partner", "create", [{"name": "Outsider"}])
    rpc.ek(
        "slide.slide.partner", "create", [{"slide_id": 1, "partner_id": partner, "completed": True}]
    )
    assert rpc.ek("slide.channel.partner", "search", [[["partner_id", "=", partner]]]) == []
    scp = rpc.ek("slide.channel.partner", "create", [{"channel_id": 1, "partner_id": partner}])
    assert membership(rpc, scp) == ("joined", 0, 0)


def test_unpublished_and_archived_slides_do_not_count(rpc: Rpc) -> None:
    partner = rpc.ek("res.partner", "create", [{"name": "Carpenter"}])
    scp = rpc.ek("slide.channel.partner", "create", [{"channel_id": 6, "partner_id": partner}])
    rpc.ek("slide.slide", "write", [[33], {"active": False}])
    rpc.ek(
        "slide.slide.partner",
        "create",
        [[{"slide_id": s, "partner_id": partner, "completed": True} for s in (37, 33, 32)]],
    )
    # total_slides drops to 4 with slide 33 archived; only slide 32 counts
    assert membership(rpc, scp) == ("ongoing", 25, 1)


def test_action_mark_completed_acts_on_the_caller(rpc: Rpc) -> None:
    fault = rpc.fault("slide.slide", "action_mark_completed", [[3]], {"context": {"uid": 7}})
    assert last_line(fault) == "TypeError: cannot marshal None unless allow_none is enabled"
    assert membership(rpc, 1) == ("ongoing", 60, 3)
    fault = rpc.fault("slide.slide", "action_mark_completed", [[22]])  # course 4: member, ok
    fault = rpc.fault("slide.slide", "action_mark_completed", [[38]])  # certification
    assert (fault.faultCode, fault.faultString) == (
        2,
        "You cannot mark a slide as completed if you are not among its members.",
    )
    assert rpc.ek("slide.slide", "action_set_viewed", [[4]]) is True


def test_grant_access_subscribes_and_direct_create_does_not(rpc: Rpc) -> None:
    p1 = rpc.ek("res.partner", "create", [{"name": "Granted"}])
    p2 = rpc.ek("res.partner", "create", [{"name": "Direct"}])
    rpc.fault("slide.channel", "action_grant_access", [[5], p1])
    rpc.ek("slide.channel.partner", "create", [{"channel_id": 5, "partner_id": p2}])
    followers = rpc.ek("slide.channel", "read", [[5], ["message_partner_ids"]])[0]
    assert followers["message_partner_ids"] == [3, p1]
    rows = rpc.ek(
        "slide.channel.partner",
        "search_read",
        [[["channel_id", "=", 5], ["partner_id", "in", [p1, p2]]]],
        {"fields": ["member_status"]},
    )
    assert [r["member_status"] for r in rows] == ["joined", "joined"]


def test_archived_membership_needs_active_test_false(rpc: Rpc) -> None:
    rpc.fault("slide.channel.partner", "action_archive", [[3]])
    assert rpc.ek("slide.channel.partner", "search", [[["id", "=", 3]]]) == []
    rows = rpc.ek(
        "slide.channel.partner",
        "search_read",
        [[["id", "=", 3], ["active", "in", [True, False]]]],
        {"fields": ["member_status"]},
    )
    assert rows == [{"id": 3, "member_status": "joined"}]
    assert rpc.ek("slide.channel.partner", "write", [[3], {"active": True}]) is True
