"""Sharing a project with a portal trainee through the stock share wizard, on each Odoo version,
over XML-RPC, as recorded from real servers (docs/odoo-notes.md §23): the calls and what they
answer, the collaborator row, who follows the project and its tasks, the invitation, and what the
trainee then sees. Tests marked "from the source" cover what the recordings did not probe."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from sidecar.emulator import OdooEmulator

from .conftest import Rpc, last_line

VERSIONS = ("16.0", "17.0", "18.0", "19.0", "20.0")
W = "project.share.wizard"
P = "project.project"
T = "project.task"
C = "project.collaborator"
ADMIN_PARTNER = 3
CLOSE = {"type": "ir.actions.act_window_close"}
NOTIFICATION = {
    "type": "ir.actions.client",
    "tag": "display_notification",
    "params": {
        "type": "success",
        "message": "Project shared with your collaborators.",
        "next": CLOSE,
    },
}
NONE_FAULT = "TypeError: cannot marshal None unless allow_none is enabled"


@pytest.fixture(params=VERSIONS)
def rpc(request: pytest.FixtureRequest) -> Iterator[Rpc]:
    with OdooEmulator(demo=True, version=request.param) as emu:
        yield Rpc(emu)


def major(rpc: Rpc) -> int:
    return int(rpc.emu.version[:2])


class Trainee:
    def __init__(self, rpc: Rpc, n: int) -> None:
        self.rpc, self.password = rpc, f"Trainee-pw-{n}"
        self.uid = rpc.emu.create_user(
            f"Trainee {n}", f"trainee{n}@example.com", self.password, ("portal",)
        )
        self.partner = rpc.ek("res.users", "read", [[self.uid], ["partner_id"]])[0]["partner_id"][0]

    def ek(self, model: str, method: str, args: list, kw: dict | None = None) -> Any:
        return self.rpc.ek(model, method, args, kw, uid=self.uid, password=self.password)

    def fault(self, model: str, method: str, args: list, kw: dict | None = None) -> Any:
        return self.rpc.fault(model, method, args, kw, uid=self.uid, password=self.password)

    def tasks(self, pid: int) -> list[int]:
        return sorted(self.ek(T, "search", [[["project_id", "=", pid]]]))


def project(rpc: Rpc, privacy: str = "portal") -> tuple[int, list[int], list[int]]:
    """A project with three stages and three tasks."""
    pid = rpc.ek(P, "create", [{"name": "OJT Project", "privacy_visibility": privacy}])
    stages = [
        rpc.ek("project.task.type", "create", [{"name": n, "project_ids": [[6, 0, [pid]]]}])
        for n in ("To Do", "Submitted", "Scored")
    ]
    tasks = [rpc.ek(T, "create", [{"name": f"week {n}", "project_id": pid}]) for n in (1, 2, 3)]
    return pid, stages, tasks


@dataclass
class Shared:
    wizard: int
    answer: Any
    collaborators_after_create: list[int]


def open_wizard(rpc: Rpc, pid: int, partner: int, mode: str) -> tuple[int, dict]:
    """18.0+: the project's share action, then the wizard with one collaborator line."""
    action = rpc.ek(P, "action_open_share_project_wizard", [[pid]])
    line = {"partner_id": partner, "access_mode": mode}
    vals = {"res_model": P, "res_id": pid, "collaborator_ids": [[0, 0, line]]}
    return rpc.ek(W, "create", [vals], {"context": action["context"]}), action["context"]


def share(rpc: Rpc, pid: int, partner: int, mode: str = "edit") -> Shared:
    """The share each version's form does: 16.0 "Send", 17.0+ ``action_share_record``."""
    if major(rpc) >= 18:
        wizard, context = open_wizard(rpc, pid, partner, mode)
        created = rpc.ek(P, "read", [[pid], ["collaborator_ids"]])[0]["collaborator_ids"]
        answer = rpc.ek(W, "action_share_record", [[wizard]], {"context": context})
        return Shared(wizard, answer, created)
    vals = {"res_model": P, "res_id": pid, "access_mode": mode, "partner_ids": [[6, 0, [partner]]]}
    wizard = rpc.ek(W, "create", [vals])
    created = rpc.ek(P, "read", [[pid], ["collaborator_ids"]])[0]["collaborator_ids"]
    method = "action_send_mail" if major(rpc) == 16 else "action_share_record"
    return Shared(wizard, rpc.ek(W, method, [[wizard]]), created)


def followers(rpc: Rpc, model: str, ids: list[int]) -> list[list[int]]:
    rows = rpc.ek(model, "read", [ids, ["message_partner_ids"]])
    return [sorted(r["message_partner_ids"]) for r in rows]


def invitation_subject(rpc: Rpc) -> str:
    return "You are invited to access" if major(rpc) == 16 else "Invitation to access"


# -- the calls ------------------------------------------------------------------------------------


def test_the_calls_and_their_answers(rpc: Rpc) -> None:
    pid, _, _ = project(rpc)
    trainee = Trainee(rpc, 1)
    v = major(rpc)
    if v == 16:
        fault = rpc.fault(W, "action_share_record", [[1]])
        assert "action_share_record" in fault.faultString and "does not exist" in fault.faultString
    if v < 18:
        fault = rpc.fault(P, "action_open_share_project_wizard", [[pid]])
        assert "does not exist" in fault.faultString
    else:
        action = rpc.ek(P, "action_open_share_project_wizard", [[pid]])
        assert (action["type"], action["res_model"], action["target"]) == (
            "ir.actions.act_window",
            W,
            "new",
        )
        assert action["context"] == {
            "default_template_id": False,
            "default_email_layout_xmlid": "mail.mail_notification_light",
            "active_id": pid,
            "active_model": P,
        }
    shared = share(rpc, pid, trainee.partner)
    assert shared.answer == (NOTIFICATION if v >= 18 else CLOSE)
    collaborators = rpc.ek(C, "search", [[["project_id", "=", pid]]])
    assert len(collaborators) == 1
    # 16/17 add the collaborator when sending; 18+ already when the wizard is created
    assert shared.collaborators_after_create == (collaborators if v >= 18 else [])
    token = rpc.ek(P, "read", [[pid], ["access_token"]])[0]["access_token"]
    got = rpc.ek(W, "read", [[shared.wizard], ["share_link", "access_warning"]])[0]
    assert got["share_link"] == (
        f"http://localhost:8069/mail/view?model={P}&res_id={pid}&access_token={token}"
    )
    assert token and got["access_warning"] == ""
    if v >= 18:
        lines = rpc.ek(W, "read", [[shared.wizard], ["collaborator_ids", "partner_ids"]])[0]
        assert lines["partner_ids"] == []
        line = rpc.ek(
            "project.share.collaborator.wizard",
            "read",
            [lines["collaborator_ids"], ["partner_id", "access_mode", "send_invitation"]],
        )
        assert line == [
            {
                "id": lines["collaborator_ids"][0],
                "partner_id": [trainee.partner, "Trainee 1"],
                "access_mode": "edit",
                "send_invitation": True,
            }
        ]


def test_collaborator_and_followers_after_an_edit_share(rpc: Rpc) -> None:
    pid, _, tasks = project(rpc)
    trainee = Trainee(rpc, 1)
    share(rpc, pid, trainee.partner)
    fields = ["project_id", "partner_id"] + (["limited_access"] if major(rpc) >= 18 else [])
    rows = rpc.ek(C, "search_read", [[["project_id", "=", pid]]], {"fields": fields})
    expected = {"project_id": [pid, "OJT Project"], "partner_id": [trainee.partner, "Trainee 1"]}
    if major(rpc) >= 18:
        expected["limited_access"] = False
    assert [{k: v for k, v in r.items() if k != "id"} for r in rows] == [expected]
    assert followers(rpc, P, [pid]) == [[trainee.partner]]
    # 19.0 also subscribes the new collaborator to every task; before, the tasks keep admin only
    per_task = sorted([ADMIN_PARTNER, trainee.partner]) if major(rpc) >= 19 else [ADMIN_PARTNER]
    assert followers(rpc, T, tasks) == [per_task] * 3


def test_the_invitation_note_and_its_failed_mail(rpc: Rpc) -> None:
    pid, _, _ = project(rpc)
    trainee = Trainee(rpc, 1)
    share(rpc, pid, trainee.partner)
    on_project = [["model", "=", P], ["res_id", "=", pid]]
    messages = rpc.ek(
        "mail.message",
        "search_read",
        [on_project],
        {"fields": ["subject", "message_type", "subtype_id", "partner_ids"]},
    )
    subject = f"{invitation_subject(rpc)} OJT Project"
    assert [
        (m["subject"], m["message_type"], m["subtype_id"][1], m["partner_ids"]) for m in messages
    ] == [(subject, "notification", "Note", [trainee.partner])]
    mails = rpc.ek(
        "mail.mail",
        "search_read",
        [on_project],
        {"fields": ["subject", "state", "recipient_ids", "model"]},
    )
    assert [(m["subject"], m["state"], m["recipient_ids"], m["model"]) for m in mails] == [
        (subject, "exception", [trainee.partner], P)
    ]


# -- what the trainee sees ----------------------------------------------------------------------


def test_after_an_edit_share_the_trainee_sees_every_task(rpc: Rpc) -> None:
    pid, stages, tasks = project(rpc)
    trainee = Trainee(rpc, 1)
    assert trainee.tasks(pid) == []
    assert trainee.fault(T, "read", [[tasks[0]], ["name"]]).faultCode == 4
    share(rpc, pid, trainee.partner)
    assert trainee.tasks(pid) == sorted(tasks)
    assert trainee.ek(T, "read", [[tasks[2]], ["name"]])[0]["name"] == "week 3"
    assert [p["id"] for p in trainee.ek(P, "search_read", [[]], {"fields": ["name"]})] == [pid]
    assert trainee.ek(T, "write", [[tasks[0]], {"stage_id": stages[1]}]) is True


def test_edit_limited_shows_only_the_tasks_followed(rpc: Rpc) -> None:
    if major(rpc) < 18:
        pytest.skip("edit_limited is new in 18.0")
    pid, stages, tasks = project(rpc)
    trainee = Trainee(rpc, 1)
    share(rpc, pid, trainee.partner, "edit_limited")
    rows = rpc.ek(C, "search_read", [[["project_id", "=", pid]]], {"fields": ["limited_access"]})
    assert [r["limited_access"] for r in rows] == [True]
    assert followers(rpc, P, [pid]) == [[trainee.partner]]
    # from the source: only full-edit collaborators are subscribed to the tasks (19.0)
    assert followers(rpc, T, tasks) == [[ADMIN_PARTNER]] * 3
    assert trainee.tasks(pid) == []
    rpc.ek(T, "message_subscribe", [[tasks[1]]], {"partner_ids": [trainee.partner]})
    assert trainee.tasks(pid) == [tasks[1]]
    assert trainee.ek(T, "write", [[tasks[1]], {"stage_id": stages[1]}]) is True
    assert trainee.fault(T, "read", [[tasks[0]], ["name"]]).faultCode == 4


def test_read_mode_makes_no_collaborator(rpc: Rpc) -> None:
    """From the source: a read share only invites (16/17), or only adds a follower (18+)."""
    pid, _, _ = project(rpc)
    trainee = Trainee(rpc, 1)
    shared = share(rpc, pid, trainee.partner, "read")
    assert shared.answer == (NOTIFICATION if major(rpc) >= 18 else CLOSE)
    assert rpc.ek(C, "search", [[["project_id", "=", pid]]]) == []
    assert followers(rpc, P, [pid]) == ([[trainee.partner]] if major(rpc) >= 18 else [[]])
    subjects = rpc.ek(
        "mail.message",
        "search_read",
        [[["model", "=", P], ["res_id", "=", pid]]],
        {"fields": ["subject"]},
    )
    assert [m["subject"] for m in subjects] == [f"{invitation_subject(rpc)} OJT Project"]
    assert trainee.tasks(pid) == []


# -- the other answers ----------------------------------------------------------------------------


def test_sharing_makes_the_project_portal_from_18(rpc: Rpc) -> None:
    pid, _, _ = project(rpc, "followers")
    trainee = Trainee(rpc, 1)
    shared = share(rpc, pid, trainee.partner)
    warning = rpc.ek(W, "read", [[shared.wizard], ["access_warning"]])[0]["access_warning"]
    privacy = rpc.ek(P, "read", [[pid], ["privacy_visibility"]])[0]["privacy_visibility"]
    if major(rpc) >= 18:
        assert (privacy, warning) == ("portal", "")
    else:
        assert privacy == "followers"
        assert warning.startswith("The project cannot be shared with the recipient(s)")


def test_a_wizard_without_lines_answers_none(rpc: Rpc) -> None:
    if major(rpc) < 18:
        pytest.skip("collaborator lines are new in 18.0")
    pid, _, _ = project(rpc)
    context = rpc.ek(P, "action_open_share_project_wizard", [[pid]])["context"]
    wizard = rpc.ek(W, "create", [{"res_model": P, "res_id": pid}], {"context": context})
    fault = rpc.fault(W, "action_share_record", [[wizard]], {"context": context})
    assert last_line(fault) == NONE_FAULT


def test_a_partner_without_a_user_gets_a_confirmation_first(rpc: Rpc) -> None:
    if major(rpc) < 17:
        pytest.skip("16.0 has no action_share_record")
    pid, _, _ = project(rpc)
    customer = 10  # a demo partner without a user; sign-up is "on invitation" by default
    shared = share(rpc, pid, customer)
    answer = {k: shared.answer[k] for k in ("name", "type", "res_model", "res_id", "target")}
    assert answer == {
        "name": "Confirmation",
        "type": "ir.actions.act_window",
        "res_model": W,
        "res_id": shared.wizard,
        "target": "new",
    }
    on_project = [["model", "=", P], ["res_id", "=", pid]]
    assert rpc.ek("mail.message", "search", [on_project]) == []
    # "Grant Portal Access" in the dialog then sends
    answer = rpc.ek(W, "action_send_mail", [[shared.wizard]])
    assert answer == (NOTIFICATION if major(rpc) >= 18 else CLOSE)
    rows = rpc.ek(C, "search_read", [[["project_id", "=", pid]]], {"fields": ["partner_id"]})
    assert [r["partner_id"][0] for r in rows] == [customer]
    assert len(rpc.ek("mail.message", "search", [on_project])) == 1


def test_a_new_wizard_replaces_who_is_shared_with(rpc: Rpc) -> None:
    """From the source (18.0+): the lines are the whole set; an opened wizard lists the current
    collaborators, and partners left out lose their collaborator row and stop following."""
    if major(rpc) < 18:
        pytest.skip("collaborator lines are new in 18.0")
    pid, _, tasks = project(rpc)
    one, two = Trainee(rpc, 1), Trainee(rpc, 2)
    share(rpc, pid, one.partner)
    context = rpc.ek(P, "action_open_share_project_wizard", [[pid]])["context"]
    listed = rpc.ek(W, "create", [{"res_model": P, "res_id": pid}], {"context": context})
    line_ids = rpc.ek(W, "read", [[listed], ["collaborator_ids"]])[0]["collaborator_ids"]
    lines = rpc.ek(
        "project.share.collaborator.wizard",
        "read",
        [line_ids, ["partner_id", "access_mode", "send_invitation"]],
        {"load": ""},
    )
    assert [(r["partner_id"], r["access_mode"], r["send_invitation"]) for r in lines] == [
        (one.partner, "edit", False)
    ]
    share(rpc, pid, two.partner)
    rows = rpc.ek(C, "search_read", [[["project_id", "=", pid]]], {"fields": ["partner_id"]})
    assert [r["partner_id"][0] for r in rows] == [two.partner]
    assert followers(rpc, P, [pid]) == [[two.partner]]
    assert one.tasks(pid) == (sorted(tasks) if major(rpc) >= 19 else [])
    assert two.tasks(pid) == sorted(tasks)
