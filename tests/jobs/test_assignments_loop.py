"""The whole OJT loop with assignments, on every emulated version, over HTTP: a mentor's batch
event gets a copy of the template project; each participant gets their own task per assignment,
which only they can see; trainees hand in (a stage move, a file posted for them); the mentor
scores (in Odoo on 17.0+, through the CSV import on every version); the event ends; the
participant with every assignment scored gets a certificate with the totals and the average,
the others a review To-Do. Running every job again doubles nothing."""

from __future__ import annotations

import base64
import xmlrpc.client
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from connectors import OdooClient
from jobs.context import JobContext
from jobs.issue.runner import IssueJob
from sidecar.cli import main
from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import Store
from sidecar.store.models import (
    AssignmentTask,
    Certificate,
    OutboxMessage,
    ReviewFlag,
    Student,
)
from tests.jobs.syncing import client_for, signed_config, sync_once
from tests.jobs.test_batches_from_events import (
    CANCELLED_STAGE,
    ENDED,
    completers,
    cycle,
    tag_rows,
    tagged_event,
)
from tests.jobs.test_batches_from_events import (
    PROGRAM as BATCH_PROGRAM,
)

VERSIONS = ("16.0", "17.0", "18.0", "19.0", "20.0")
TEMPLATE = "OJT welding template"
# the batches' program, with assignments
PROGRAM = BATCH_PROGRAM.replace(
    "    batch_tag: Welding cohort\n",
    f"    batch_tag: Welding cohort\n    assignments:\n      template_project: {TEMPLATE}\n",
)
DEFINITION = [
    {"name": "score", "string": "Score", "type": "float"},
    {"name": "max_score", "string": "Max score", "type": "float"},
    {"name": "feedback", "string": "Feedback", "type": "char"},
    {"name": "weight", "string": "Weight", "type": "float"},
]
# (title, weight, max_score): on 16.0 no properties are read, so every weight is 1 and the
# maximum is the program's default (10) unless the CSV gives one.
ASSIGNMENTS = (("Weld a T-joint", 1, 10), ("Safety quiz", 2, 20), ("Final piece", 1, None))
STAGES = ("To Do", "Submitted", "Needs changes", "Scored")


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def cfg(tmp_path: Path, emu: OdooEmulator) -> Config:
    return signed_config(tmp_path, emu, PROGRAM)


def read(emu: OdooEmulator, model: str, rid: int, fields: list[str]) -> dict[str, Any]:
    return emu.env.search_read(model, [("id", "=", rid)], fields)[0]


def major(emu: OdooEmulator) -> int:
    return int(emu.version[:2])


def make_template(emu: OdooEmulator) -> dict[str, int]:
    """The mentor's template project: four stages, three assignments; stage name → id."""
    env = emu.env
    project = env.create("project.project", {"name": TEMPLATE, "privacy_visibility": "portal"})
    if major(emu) >= 17:
        env.write("project.project", [project], {"task_properties_definition": DEFINITION})
    stages = {
        name: env.create(
            "project.task.type", {"name": name, "sequence": i, "project_ids": [(6, 0, [project])]}
        )
        for i, name in enumerate(STAGES, start=1)
    }
    for i, (title, weight, top) in enumerate(ASSIGNMENTS):
        values: dict[str, Any] = {
            "name": title,
            "project_id": project,
            "sequence": i,
            "description": f"<p>{title}: hand in a photo.</p>",
        }
        if major(emu) >= 17:
            values["task_properties"] = {"weight": weight, **({"max_score": top} if top else {})}
        env.create("project.task", values)
    return stages


class Trainee:
    """A portal user whose partner takes the program."""

    def __init__(self, emu: OdooEmulator, n: int) -> None:
        self.emu, self.password = emu, f"pw-{n}"
        self.email = f"welder{n}@example.com"
        self.uid = emu.create_user(f"Welder {n}", self.email, self.password, ("portal",))
        self.partner = read(emu, "res.users", self.uid, ["partner_id"])["partner_id"][0]
        emu.env.write("res.partner", [self.partner], {"email": self.email})
        channel = emu.env.search("slide.channel", [("name", "=", "Basics of Gardening")])[0]
        emu.env.create("slide.channel.partner", {"channel_id": channel, "partner_id": self.partner})
        self.rpc = xmlrpc.client.ServerProxy(f"{emu.url}/xmlrpc/2/object")

    def ek(self, model: str, method: str, args: list, kw: dict | None = None) -> Any:
        return self.rpc.execute_kw("ojt", self.uid, self.password, model, method, args, kw or {})


def own_tasks(store: Store, partner: int) -> dict[str, int]:
    """assignment title → the partner's task id in Odoo."""
    with store.sessions() as session:
        rows = session.scalars(
            select(AssignmentTask).where(AssignmentTask.odoo_partner_id == partner)
        ).all()
        return {row.assignment.title: int(row.odoo_task_id or 0) for row in rows}


def counts(emu: OdooEmulator, store: Store) -> dict[str, int]:
    env = emu.env
    with store.sessions() as session:
        outbox = session.scalar(select(func.count()).select_from(OutboxMessage))
        certificates = session.scalar(select(func.count()).select_from(Certificate))
        flags = session.scalar(select(func.count()).select_from(ReviewFlag))
    return {
        "projects": len(env.search("project.project", [])),
        "tasks": len(env.search("project.task", [])),
        "messages": len(env.search("mail.message", [("model", "=", "project.task")])),
        "attachments": len(env.search("ir.attachment", [("res_model", "=", "project.task")])),
        "collaborators": len(env.search("project.collaborator", [])),
        "registrations": len(env.search("event.registration", [])),
        "outbox": int(outbox or 0),
        "certificates": int(certificates or 0),
        "flags": int(flags or 0),
    }


def score_in_odoo(emu: OdooEmulator, task: int, stage: int, score: float, feedback: str) -> None:
    """What a mentor does on 17.0+: the properties (a write replaces them all), then the stage."""
    values = {"score": score, "feedback": feedback}
    emu.env.write("project.task", [task], {"task_properties": values})
    emu.env.write("project.task", [task], {"stage_id": stage})


def test_the_ojt_loop_with_assignments(
    cfg: Config,
    store: Store,
    odoo: OdooClient,
    emu: OdooEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stages = make_template(emu)
    trainees = [Trainee(emu, n) for n in (1, 2, 3)]
    ana, ben, cai = trainees
    cycle(cfg, store, odoo)  # the batch tag is made
    done = completers(cfg, store, odoo, 3)
    assert sorted(done) == sorted(t.partner for t in trainees)
    event = tagged_event(emu, tag_rows(emu)[1][0], "Welding, December")
    for trainee in trainees:
        emu.env.create("event.registration", {"event_id": event, "partner_id": trainee.partner})
    passes = []
    monkeypatch.chdir(tmp_path)
    config_file = tmp_path / "config.yaml"
    for _ in range(3):  # the project copy, then the tasks, then their ids
        passes.append(sync_once(cfg, store, odoo).assignments)
        delivered = CliRunner().invoke(main, ["deliver", "-c", str(config_file)])
        assert delivered.exit_code == 0 and "write(s) delivered" in delivered.output
    assert [(p.projects_queued, p.tasks_queued) for p in passes if p] == [(1, 0), (0, 9), (0, 0)]

    # -- a project per batch, a task per participant per assignment ------------------------
    made = emu.env.search_read(
        "project.project", [("name", "=", "Welding, December (assignments)")], ["id"]
    )
    assert len(made) == 1
    project = made[0]["id"]
    if major(emu) >= 19:
        got = read(emu, "project.project", project, ["is_template"])
        assert got["is_template"] is False
    for trainee in trainees:
        mine = own_tasks(store, trainee.partner)
        assert sorted(mine) == sorted(title for title, _, _ in ASSIGNMENTS)
        rows = emu.env.search_read(
            "project.task",
            [("id", "in", list(mine.values()))],
            ["parent_id", "message_partner_ids", "name"],
        )
        for row in rows:
            followers = set(row["message_partner_ids"])
            assert trainee.partner in followers
            assert not followers & {t.partner for t in trainees if t is not trainee}
            assert row["parent_id"] and row["name"].endswith(
                f"— Welder {trainees.index(trainee) + 1}"
            )
    limited = ["limited_access"] if major(emu) >= 18 else []
    collaborators = emu.env.search_read(
        "project.collaborator", [("project_id", "=", project)], ["partner_id", *limited]
    )
    assert sorted(c["partner_id"][0] for c in collaborators) == sorted(t.partner for t in trainees)
    if major(emu) >= 18:
        assert all(c["limited_access"] for c in collaborators)

    # -- a trainee sees only their own tasks ------------------------------------------------
    seen = ana.ek("project.task", "search_read", [[]], {"fields": ["id"]})
    assert sorted(r["id"] for r in seen) == sorted(own_tasks(store, ana.partner).values())
    with pytest.raises(xmlrpc.client.Fault):
        ana.ek("project.task", "read", [[own_tasks(store, ben.partner)["Safety quiz"]], ["name"]])

    # -- handing in: Ana moves her tasks, a file is posted for Ben -------------------------
    for task in own_tasks(store, ana.partner).values():
        assert ana.ek("project.task", "write", [[task], {"stage_id": stages["Submitted"]}])
    bens = own_tasks(store, ben.partner)
    photo = odoo.create(
        "ir.attachment",
        {
            "name": "t-joint.jpg",
            "datas": base64.b64encode(b"photo").decode(),
            "res_model": "project.task",
            "res_id": bens["Weld a T-joint"],
        },
    )
    odoo.call(
        "project.task",
        "message_post",
        ids=[bens["Weld a T-joint"]],
        body="My T-joint",
        message_type="comment",
        subtype_xmlid="mail.mt_comment",
        author_id=ben.partner,
        attachment_ids=[photo],
    )

    # Cai hands in through the integration, twice: posted once, as Cai, with the file
    (tmp_path / "piece.jpg").write_bytes(b"a photo of the final piece")
    hand_in = ["submit", "-c", str(config_file), "--trainee", cai.email]
    hand_in += ["--batch", "Welding, December", "--assignment", "final piece", "piece.jpg"]
    first = CliRunner().invoke(main, hand_in)
    assert first.exit_code == 0 and "Handed in 1 file(s)" in first.output, first.output
    second = CliRunner().invoke(main, hand_in)
    assert "already handed in" in second.output, second.output
    cais = own_tasks(store, cai.partner)
    posted = emu.env.search_read(
        "mail.message",
        [("model", "=", "project.task"), ("res_id", "=", cais["Final piece"])],
        ["author_id", "attachment_ids", "message_type"],
    )
    handed = [m for m in posted if m["message_type"] == "comment" and m["attachment_ids"]]
    assert len(handed) == 1 and handed[0]["author_id"][0] == cai.partner
    wrong = CliRunner().invoke(main, [*hand_in[:-3], "--assignment", "nope", "piece.jpg"])
    assert wrong.exit_code == 1 and "has no assignment named 'nope'" in wrong.output

    # -- scoring: in Odoo on 17.0+, and through the CSV on every version --------------------
    anas = own_tasks(store, ana.partner)
    csv_rows = ["trainee,batch,assignment,score,max_score,feedback"]
    if major(emu) >= 17:
        score_in_odoo(emu, anas["Weld a T-joint"], stages["Scored"], 8, "Clean seam")
        score_in_odoo(emu, anas["Safety quiz"], stages["Scored"], 15, "")
        score_in_odoo(emu, bens["Weld a T-joint"], stages["Scored"], 6, "Porous")
    else:
        csv_rows += [
            f'{ana.email},"Welding, December",Weld a T-joint,8,,Clean seam',
            f'{ana.partner},"Welding, December",Safety quiz,15,20,',
            f'{ben.email},"Welding, December",Weld a T-joint,6,,Porous',
        ]
    csv_rows += [
        f'{ana.email},"Welding, December",Final piece,7,,Good',
        'nobody@example.com,"Welding, December",Final piece,7,,',
        f'{cai.email},"Welding, December",No such assignment,7,,',
    ]
    scores_csv = tmp_path / "scores.csv"
    scores_csv.write_text("\n".join(csv_rows) + "\n")
    cycle(cfg, store, odoo)
    result = CliRunner().invoke(main, ["scores", "import", "-c", str(config_file), str(scores_csv)])
    assert result.exit_code == 1, result.output  # two rows are rejected
    assert "is not a trainee of a program with assignments" in result.output
    assert "has no assignment named 'No such assignment'" in result.output
    scored = 4 if major(emu) == 16 else 1
    assert f"{scored} scored, 2 rejected" in result.output
    again = CliRunner().invoke(main, ["scores", "import", "-c", str(config_file), str(scores_csv)])
    assert f"{scored} unchanged, 2 rejected" in again.output

    for _ in range(2):
        cycle(cfg, store, odoo)
    # each score is told to its trainee once, on their task
    told = emu.env.search_read(
        "mail.message",
        [("model", "=", "project.task"), ("body", "ilike", "Your work was scored")],
        ["res_id", "partner_ids"],
    )
    assert sorted(m["res_id"] for m in told) == sorted([*anas.values(), bens["Weld a T-joint"]])
    assert all(m["partner_ids"] for m in told)

    # the assignments' average is kept per student and, by default, counts in the assessments
    with store.sessions() as session:
        kept = {
            s.odoo_partner_id: (s.assignment_average, s.average_score)
            for s in session.scalars(select(Student))
        }
    # (Basics of Gardening has no quiz or certification: the assignments are the only item)
    assert kept[ana.partner] == (75.0, 75.0)
    assert kept[ben.partner] == (60.0, 60.0)  # `block`: over the scored one, 6 / 10
    assert kept[cai.partner] == (None, None)

    # -- the event ends: Ana is certified, Ben and Cai are reviewed -------------------------
    emu.env.write("event.event", [event], {"stage_id": ENDED})
    report = IssueJob(JobContext(cfg, store.sessions, odoo)).run()
    assert [name for _, name, _ in report.issued] == ["Welder 1"]
    flagged = {name: reasons for name, _, reasons in report.flagged}
    assert set(flagged) == {"Welder 2", "Welder 3"}
    assert "assignments not scored yet: Safety quiz, Final piece" in flagged["Welder 2"]
    with store.sessions() as session:
        cert = session.scalars(select(Certificate)).one()
        submitted = {
            trainee.partner: session.scalar(
                select(func.count())
                .select_from(AssignmentTask)
                .where(
                    AssignmentTask.odoo_partner_id == trainee.partner,
                    AssignmentTask.submitted_at.is_not(None),
                )
            )
            for trainee in trainees
        }
    assert (cert.total_assignments, cert.average_score) == (3, 75.0)
    assert submitted == {ana.partner: 3, ben.partner: 1, cai.partner: 1}

    # -- every job again: nothing doubles ----------------------------------------------------
    cycle(cfg, store, odoo)  # the one thing still to come: Welder 1's status tag, certified
    before = counts(emu, store)
    for _ in range(2):
        cycle(cfg, store, odoo)
        IssueJob(JobContext(cfg, store.sessions, odoo)).run()
    assert counts(emu, store) == before


def test_check_finds_the_template_project_and_the_project_app(
    cfg: Config, odoo: OdooClient, emu: OdooEmulator, tmp_path: Path
) -> None:
    from jobs.preflight import run_preflight

    texts = [str(f) for f in run_preflight(odoo, cfg)]
    assert any(t.startswith("FAIL") and f"template project {TEMPLATE!r}" in t for t in texts)
    make_template(emu)
    texts = [str(f) for f in run_preflight(odoo, cfg)]
    assert "OK    Project installed" in texts
    assert any(
        t.startswith("OK") and f"template project {TEMPLATE!r}" in t and "3 assignment(s)" in t
        for t in texts
    ), texts
    twice = emu.env.create("project.project", {"name": TEMPLATE})
    texts = [str(f) for f in run_preflight(odoo, cfg)]
    assert any("names two projects; give its id" in t for t in texts), texts
    emu.env.write("project.project", [twice], {"active": False})  # archived: not a template
    assert not any("names two projects" in str(f) for f in run_preflight(odoo, cfg))


def test_leavers_are_archived_returners_restored_and_a_cancelled_batch_archived(
    cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator
) -> None:
    make_template(emu)
    ana, ben = Trainee(emu, 1), Trainee(emu, 2)
    cycle(cfg, store, odoo)
    completers(cfg, store, odoo, 2)
    event = tagged_event(emu, tag_rows(emu)[1][0], "Welding, December")
    registrations = {
        t.partner: emu.env.create(
            "event.registration", {"event_id": event, "partner_id": t.partner}
        )
        for t in (ana, ben)
    }
    for _ in range(3):
        cycle(cfg, store, odoo)
    task_ids = {t.partner: sorted(own_tasks(store, t.partner).values()) for t in (ana, ben)}

    def active(partner: int) -> list[bool]:
        rows = emu.env.search_read(
            "project.task",
            [("id", "in", task_ids[partner])],
            ["active"],
            context={"active_test": False},
        )
        return [r["active"] for r in rows]

    assert active(ana.partner) == active(ben.partner) == [True] * 3
    emu.env.write("event.registration", [registrations[ben.partner]], {"state": "cancel"})
    cycle(cfg, store, odoo)
    assert (active(ana.partner), active(ben.partner)) == ([True] * 3, [False] * 3)
    emu.env.write("event.registration", [registrations[ben.partner]], {"state": "open"})
    cycle(cfg, store, odoo)
    assert active(ben.partner) == [True] * 3
    assert sorted(own_tasks(store, ben.partner).values()) == task_ids[ben.partner]  # no new ones

    if major(emu) >= 19:
        emu.env.write("event.event", [event], {"kanban_state": "cancel"})
    else:
        emu.env.write("event.event", [event], {"stage_id": CANCELLED_STAGE})
    IssueJob(JobContext(cfg, store.sessions, odoo)).run()  # the batch is cancelled
    cycle(cfg, store, odoo)
    assert active(ana.partner) == active(ben.partner) == [False] * 3
    for _ in range(2):  # and it stays so: nothing written again
        before = counts(emu, store)
        cycle(cfg, store, odoo)
        assert counts(emu, store) == before


class _Fields:
    """A client whose project.collaborator has these fields (for `collaborator_access`)."""

    def __init__(self, fields: dict[str, dict[str, Any]]) -> None:
        self.fields = fields

    def fields_get(self, model: str, attributes: Any = ()) -> dict[str, dict[str, Any]]:
        assert model == "project.collaborator"
        return self.fields


def test_the_collaborator_row_follows_the_fields_the_model_has(emu: OdooEmulator) -> None:
    from jobs.odoo.projects import collaborator_access

    limited = {"limited_access": {"type": "boolean"}}
    assert collaborator_access(_Fields(limited)) == {"limited_access": True}  # type: ignore[arg-type]
    modes = [["view", "View"], ["edit", "Edit"], ["advanced_edit", "Advanced edit"]]
    three = {"access_mode": {"type": "selection", "selection": modes}}
    assert collaborator_access(_Fields(three)) == {"access_mode": "edit"}  # type: ignore[arg-type]
    unknown = {"access_mode": {"type": "selection", "selection": [["all", "All"]]}}
    assert collaborator_access(_Fields(unknown)) is None  # type: ignore[arg-type]
    with client_for(emu) as client:  # 16.0, 17.0: a plain row keeps trainees to their tasks
        expected = {} if major(emu) <= 17 else {"limited_access": True}
        assert collaborator_access(client) == expected
