"""`ojt-sidecar scores import FILE.csv`, end to end on the emulator: every bad row named with its
line and reason while the good rows of the same file are imported, a dry run that changes
nothing, a re-import that changes nothing, a rescore that sticks and is told to the trainee
once, and (17.0+) a score a mentor types in Odoo later winning over the imported one.

On 16.0 the import moves the task to the scored stage and keeps the score in the store; on
17.0+ it also writes the `score`, `max_score` and `feedback` task properties, keeping the
task's other property values (a properties write replaces all of them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from connectors import OdooClient
from jobs.odoo.projects import property_values
from sidecar.cli import main
from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import Store
from sidecar.store.models import AssignmentTask, OutboxMessage
from tests.jobs.syncing import signed_config
from tests.jobs.test_assignments_loop import (
    PROGRAM,
    Trainee,
    make_template,
    own_tasks,
    score_in_odoo,
)
from tests.jobs.test_batches_from_events import completers, cycle, tag_rows, tagged_event

BATCH = "Welding, December"
HEADER = "trainee,batch,assignment,score,max_score,feedback"
TOLD = "Your work was scored"


@pytest.fixture(params=["16.0", "17.0"])
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def cfg(tmp_path: Path, emu: OdooEmulator) -> Config:
    return signed_config(tmp_path, emu, PROGRAM)


# `emu`, `store` and `odoo` come from tests/jobs/conftest.py, on this module's `version`
# and `cfg`.


@dataclass
class World:
    """A batch 'Welding, December' of the welding program, its project copied from the template,
    Ana and Ben registered (each with a task per assignment, in Odoo and in the store), Cai a
    trainee of the program registered to no batch."""

    cfg: Config
    store: Store
    odoo: OdooClient
    emu: OdooEmulator
    tmp_path: Path
    stages: dict[str, int]  # the template's stage name → id
    ana: Trainee
    ben: Trainee
    cai: Trainee
    event: int

    @property
    def properties(self) -> bool:
        return int(self.emu.version[:2]) >= 17

    def task(self, trainee: Trainee, assignment: str) -> int:
        task = own_tasks(self.store, trainee.partner)[assignment]
        assert task, f"{trainee.email} has no task in Odoo for {assignment!r}"
        return task

    def cycle(self) -> None:
        cycle(self.cfg, self.store, self.odoo)

    def run(self, rows: list[str], *options: str, name: str = "scores.csv") -> Result:
        """`scores import` of a file with the header and these rows (line 2 onwards)."""
        path = self.tmp_path / name
        path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
        return self.invoke(path, *options)

    def invoke(self, path: Path, *options: str) -> Result:
        config = str(self.tmp_path / "config.yaml")
        return CliRunner().invoke(main, ["scores", "import", "-c", config, *options, str(path)])


def build(
    cfg: Config,
    store: Store,
    odoo: OdooClient,
    emu: OdooEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> World:
    stages = make_template(emu)
    ana, ben, cai = (Trainee(emu, n) for n in (1, 2, 3))
    cycle(cfg, store, odoo)  # the batch tag is made
    done = completers(cfg, store, odoo, 3)
    assert done == sorted(t.partner for t in (ana, ben, cai))
    event = tagged_event(emu, tag_rows(emu)[1][0], BATCH)
    for trainee in (ana, ben):
        emu.env.create("event.registration", {"event_id": event, "partner_id": trainee.partner})
    for _ in range(3):  # the project copy, then the tasks, then their ids
        cycle(cfg, store, odoo)
    monkeypatch.chdir(tmp_path)
    world = World(cfg, store, odoo, emu, tmp_path, stages, ana, ben, cai, event)
    for trainee in (ana, ben):
        assert sorted(own_tasks(store, trainee.partner)) == [
            "Final piece",
            "Safety quiz",
            "Weld a T-joint",
        ]
        assert all(own_tasks(store, trainee.partner).values())
    assert own_tasks(store, cai.partner) == {}
    return world


@pytest.fixture
def world(
    cfg: Config,
    store: Store,
    odoo: OdooClient,
    emu: OdooEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> World:
    return build(cfg, store, odoo, emu, tmp_path, monkeypatch)


# -- reading the outcome ------------------------------------------------------------------------


def outcomes(output: str) -> dict[int, tuple[str, str]]:
    """The command's table: line → (outcome, task or reason)."""
    lines = output.splitlines()
    start = next(i for i, text in enumerate(lines) if text.startswith("line  outcome"))
    assert set(lines[start + 1]) <= {"-", " "}
    found: dict[int, tuple[str, str]] = {}
    for text in lines[start + 2 :]:
        first, _, rest = text.partition("  ")
        if not first.strip().isdigit():
            break
        outcome, reason = rest.strip().split(maxsplit=1)
        found[int(first)] = (outcome, reason.strip())
    return found


def summary(output: str) -> str:
    """The line after the table."""
    return output.rstrip("\n").splitlines()[-1]


def store_row(world: World, trainee: Trainee, assignment: str) -> dict[str, Any]:
    with world.store.sessions() as session:
        row = session.scalars(
            select(AssignmentTask).where(
                AssignmentTask.odoo_task_id == world.task(trainee, assignment)
            )
        ).one()
        return {
            "score": row.score,
            "max_score": row.max_score,
            "feedback": row.feedback,
            "score_source": row.score_source,
            "stage": row.stage,
        }


def store_rows(world: World) -> list[tuple[Any, ...]]:
    """Every participant task as the store has it, updated_at aside."""
    with world.store.sessions() as session:
        rows = session.scalars(select(AssignmentTask).order_by(AssignmentTask.id)).all()
        return [
            (
                r.odoo_task_id,
                r.stage,
                r.submitted_at,
                r.score,
                r.max_score,
                r.feedback,
                r.score_source,
                r.scored_at,
                r.told,
                r.active,
            )
            for r in rows
        ]


def outbox_count(world: World) -> int:
    with world.store.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def odoo_task(world: World, trainee: Trainee, assignment: str) -> dict[str, Any]:
    """The task's stage (by name) and its property values ({} on 16.0)."""
    task = world.task(trainee, assignment)
    fields = ["stage_id", *(["task_properties"] if world.properties else [])]
    row = world.emu.env.search_read("project.task", [("id", "=", task)], fields)[0]
    stage = {v: k for k, v in world.stages.items()}.get(row["stage_id"][0], row["stage_id"][1])
    return {"stage": stage, "values": property_values(row.get("task_properties"))}


def odoo_tasks(world: World) -> list[dict[str, Any]]:
    """Every participant task in Odoo, write_date included: a write shows."""
    ids = sorted(
        task
        for trainee in (world.ana, world.ben)
        for task in own_tasks(world.store, trainee.partner).values()
    )
    fields = ["stage_id", "write_date", *(["task_properties"] if world.properties else [])]
    return world.emu.env.search_read("project.task", [("id", "in", ids)], fields)


def task_messages(world: World) -> int:
    return len(world.emu.env.search("mail.message", [("model", "=", "project.task")]))


def told(world: World, task: int) -> list[dict[str, Any]]:
    """The score notes posted on a task, oldest first."""
    return world.emu.env.search_read(
        "mail.message",
        [("model", "=", "project.task"), ("res_id", "=", task), ("body", "ilike", TOLD)],
        ["body", "partner_ids"],
        order="id",
    )


# -- 1. bad rows ---------------------------------------------------------------------------------


def test_every_bad_row_is_named_with_its_line_and_stops_nothing_else(world: World) -> None:
    ana, ben, cai = world.ana, world.ben, world.cai
    if world.properties:  # another property of the task: the import's write must keep it
        world.emu.env.write(
            "project.task", [world.task(ana, "Weld a T-joint")], {"task_properties": {"weight": 3}}
        )
    before_ben = {a: odoo_task(world, ben, a) for a in ("Weld a T-joint", "Final piece")}
    rows = [
        f'{ana.email},"{BATCH}",Weld a T-joint,8,,Clean seam',  # 2: good
        f'nobody@example.com,"{BATCH}",Final piece,7,,',  # 3
        f'999999,"{BATCH}",Final piece,7,,',  # 4
        f'{ana.email},"Welding, January",Final piece,7,,',  # 5
        f'{ana.email},"{BATCH}",No such assignment,7,,',  # 6
        f'{cai.email},"{BATCH}",Final piece,7,,',  # 7
        f'{cai.partner},"{BATCH}",Weld a T-joint,7,,',  # 8
        f'{ben.partner},"{BATCH}",Safety quiz,15,,',  # 9: max 20 on 17.0+ (template), 10 on 16.0
        f'{ben.email},"{BATCH}",Final piece,11,,',  # 10: above the default max of 10
        f'{ben.email},"{BATCH}",Weld a T-joint,five,,',  # 11
        f'{ben.email},"{BATCH}",Weld a T-joint,-1,,',  # 12
        f'{ben.email},"{BATCH}",Weld a T-joint,12,10,',  # 13
        f'{ana.email.upper()},"{BATCH.lower()}",weld a t-joint,9,,',  # 14: line 2 again
        f"{ben.email},,Weld a T-joint,5,,",  # 15
    ]
    result = world.run(rows)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    rejected = {
        3: "nobody@example.com is not a trainee of a program with assignments",
        4: "999999 is not a trainee of a program with assignments",
        5: "no open or done batch of their program is named 'Welding, January'",
        6: f"batch '{BATCH}' has no assignment named 'No such assignment'",
        7: f"{cai.email} is not a participant of batch '{BATCH}'",
        8: f"{cai.partner} is not a participant of batch '{BATCH}'",
        10: "score 11 is above the assignment's max_score 10",
        11: "score must be a number, 0 or more (got 'five')",
        12: "score must be a number, 0 or more (got '-1')",
        13: "score 12 is above max_score 10",
        14: "the same trainee, batch and assignment as line 2",
        15: "batch is empty",
    }
    quiz = world.task(ben, "Safety quiz")
    scored = {2: f"task {world.task(ana, 'Weld a T-joint')} (Weld a T-joint)"}
    if world.properties:
        scored[9] = f"task {quiz} (Safety quiz)"
    else:
        rejected[9] = "score 15 is above the assignment's max_score 10"
    expected = {line: ("rejected", reason) for line, reason in rejected.items()}
    expected |= {line: ("scored", task) for line, task in scored.items()}
    assert outcomes(result.output) == expected
    writes = len(scored) * (2 if world.properties else 1)  # the properties, the stage
    assert summary(result.output) == (
        f"{len(scored)} scored, {len(rejected)} rejected; {writes} written to Odoo"
    )

    # the good rows are in the store, and in Odoo
    assert store_row(world, ana, "Weld a T-joint") == {
        "score": 8.0,
        "max_score": None,
        "feedback": "Clean seam",
        "score_source": "import",
        "stage": "Scored",
    }
    anas = odoo_task(world, ana, "Weld a T-joint")
    assert anas["stage"] == "Scored"
    if world.properties:
        assert anas["values"] == {"weight": 3.0, "score": 8.0, "feedback": "Clean seam"}
        assert store_row(world, ben, "Safety quiz")["score"] == 15.0
        assert odoo_task(world, ben, "Safety quiz") == {
            "stage": "Scored",
            "values": {"score": 15.0},
        }
    else:
        assert anas["values"] == {}
        assert store_row(world, ben, "Safety quiz")["score"] is None
        assert odoo_task(world, ben, "Safety quiz")["stage"] == "To Do"
    # the rejected ones touched nothing
    for assignment in ("Weld a T-joint", "Final piece"):
        assert store_row(world, ben, assignment)["score"] is None
        assert odoo_task(world, ben, assignment) == before_ben[assignment]
    for assignment in ("Safety quiz", "Final piece"):
        assert store_row(world, ana, assignment)["score"] is None
    assert own_tasks(world.store, world.cai.partner) == {}


def test_a_task_not_in_odoo_yet_and_a_batch_name_twice_are_rejected(world: World) -> None:
    dan = Trainee(world.emu, 4)
    tag = tag_rows(world.emu)[1][0]
    for _ in range(2):
        tagged_event(world.emu, tag, "Welding, Twin")
    world.emu.env.create("event.registration", {"event_id": world.event, "partner_id": dan.partner})
    world.cycle()  # Dan's tasks are queued and made; the store learns their ids next sync
    assert set(own_tasks(world.store, dan.partner).values()) == {0}
    result = world.run(
        [
            f'{dan.email},"{BATCH}",Final piece,7,,',
            f"{world.ana.email},Welding Twin,Final piece,7,,",
            f'{world.ana.email},"Welding, Twin",Final piece,7,,',
        ]
    )
    assert result.exit_code == 1, result.output
    assert outcomes(result.output) == {
        2: (
            "rejected",
            "their task is not in Odoo yet; run `ojt-sidecar sync` and try again",
        ),
        3: ("rejected", "no open or done batch of their program is named 'Welding Twin'"),
        4: ("rejected", "2 batches are named 'Welding, Twin'; rename one in Odoo"),
    }
    assert summary(result.output) == "3 rejected; 0 written to Odoo"

    world.cycle()  # the ids are known: now it goes in
    again = world.run([f'{dan.email},"{BATCH}",Final piece,7,,'])
    assert again.exit_code == 0, again.output
    writes = 2 if world.properties else 1
    assert summary(again.output) == f"1 scored; {writes} written to Odoo"
    assert store_row(world, dan, "Final piece")["score"] == 7.0


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "the file is empty; it needs a header row and one row per score"),
        (b"\n  \n", "the file is empty; it needs a header row and one row per score"),
        (
            b"trainee,batch,assignment,grade\na@b.co,W,A,5\n",
            "line 1: unknown column 'grade'; the columns are trainee, batch, assignment, score, "
            "max_score, feedback",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_one_sentence_and_exit_1(
    cfg: Config, tmp_path: Path, content: bytes, says: str
) -> None:
    path = tmp_path / "scores.csv"
    path.write_bytes(content)
    result = CliRunner().invoke(
        main, ["scores", "import", "-c", str(tmp_path / "config.yaml"), str(path)]
    )
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr == f"error: {path}: {says}\n"


# -- 2. a dry run ----------------------------------------------------------------------------


def test_a_dry_run_changes_nothing(world: World) -> None:
    rows = [
        f'{world.ana.email},"{BATCH}",Weld a T-joint,8,,Clean seam',
        f'{world.ben.email},"{BATCH}",Safety quiz,5,20,',
    ]

    def state() -> tuple[Any, ...]:
        return outbox_count(world), store_rows(world), odoo_tasks(world), task_messages(world)

    before = state()
    dry = world.run(rows, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert summary(dry.output) == "Dry run: 2 would be scored"
    assert [o for o, _ in outcomes(dry.output).values()] == ["scored", "scored"]
    assert state() == before

    real = world.run(rows)  # the same file for real: the dry run was not blind
    assert summary(real.output).startswith("2 scored; "), real.output
    after = state()
    assert after[0] > before[0] and after[1] != before[1] and after[2] != before[2]

    changed = [rows[0].replace(",8,", ",9,"), rows[1]]
    dry = world.run(changed, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert summary(dry.output) == "Dry run: 1 would be rescored, 1 would be unchanged"
    assert state() == after
    assert store_row(world, world.ana, "Weld a T-joint")["score"] == 8.0


# -- 3. the same file again ---------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(world: World) -> None:
    rows = [
        f'{world.ana.email},"{BATCH}",Weld a T-joint,8,,Clean seam',
        f'{world.ben.partner},"{BATCH}",Safety quiz,5,20,',
        f'{world.ben.email},"{BATCH}",Final piece,"7,5",,',
    ]
    first = world.run(rows)
    assert first.exit_code == 0, first.output
    written = 6 if world.properties else 3
    assert summary(first.output) == f"3 scored; {written} written to Odoo"

    def state() -> tuple[Any, ...]:
        return outbox_count(world), store_rows(world), odoo_tasks(world), task_messages(world)

    before = state()
    again = world.run(rows)
    assert again.exit_code == 0, again.output
    assert summary(again.output) == "3 unchanged; 0 written to Odoo"
    assert state() == before

    world.cycle()  # the sync reads the scores back (17.0+) and tells each trainee
    for task in (
        world.task(world.ana, "Weld a T-joint"),
        world.task(world.ben, "Safety quiz"),
        world.task(world.ben, "Final piece"),
    ):
        assert len(told(world, task)) == 1
    assert store_row(world, world.ben, "Final piece")["score"] == 7.5
    before = state()
    again = world.run(rows)
    assert summary(again.output) == "3 unchanged; 0 written to Odoo"
    world.cycle()
    assert state() == before


# -- 4. a changed score --------------------------------------------------------------------------


def test_a_changed_score_is_rescored_kept_and_told_once(world: World) -> None:
    ana = world.ana
    task = world.task(ana, "Weld a T-joint")
    assert world.run([f'{ana.email},"{BATCH}",Weld a T-joint,8,,'], name="a.csv").exit_code == 0
    world.cycle()
    assert [m["body"] for m in told(world, task)] == ["<p>Your work was scored <b>8 / 10</b>.</p>"]

    result = world.run([f'{ana.email},"{BATCH}",Weld a T-joint,9,,Better'], name="b.csv")
    assert result.exit_code == 0, result.output
    assert outcomes(result.output) == {2: ("rescored", f"task {task} (Weld a T-joint)")}
    assert summary(result.output).startswith("1 rescored; ")
    world.cycle()
    assert store_row(world, ana, "Weld a T-joint") == {
        "score": 9.0,
        "max_score": None,
        "feedback": "Better",
        "score_source": "import",
        "stage": "Scored",
    }
    if world.properties:
        assert odoo_task(world, ana, "Weld a T-joint")["values"] == {
            "score": 9.0,
            "feedback": "Better",
        }
    notes = told(world, task)
    assert len(notes) == 2
    assert "9 / 10" in notes[1]["body"] and "Better" in notes[1]["body"]
    assert ana.partner in notes[1]["partner_ids"]
    for _ in range(2):
        world.cycle()
    assert len(told(world, task)) == 2
    assert store_row(world, ana, "Weld a T-joint")["score"] == 9.0


def test_a_score_set_back_to_an_earlier_value_is_written_and_told(world: World) -> None:
    ana = world.ana
    task = world.task(ana, "Weld a T-joint")
    for score in (8, 9, 8):
        result = world.run([f'{ana.email},"{BATCH}",Weld a T-joint,{score},,'])
        assert result.exit_code == 0, result.output
        if world.properties:
            assert odoo_task(world, ana, "Weld a T-joint")["values"] == {"score": float(score)}
        world.cycle()
    assert outcomes(result.output)[2][0] == "rescored"
    assert store_row(world, ana, "Weld a T-joint")["score"] == 8.0
    if world.properties:
        assert odoo_task(world, ana, "Weld a T-joint")["values"] == {"score": 8.0}
    bodies = [m["body"] for m in told(world, task)]
    assert len(bodies) == 3 and "8 / 10" in bodies[2]


def test_an_empty_max_score_is_checked_against_the_maximum_the_task_will_have(
    world: World,
) -> None:
    ana = world.ana
    first = world.run([f'{ana.email},"{BATCH}",Weld a T-joint,15,20,'])
    assert first.exit_code == 0, first.output
    world.cycle()
    assert store_row(world, ana, "Weld a T-joint")["max_score"] == 20.0
    # no max_score: "the assignment's own maximum" (sidecar/scores.py), 10 for this one
    result = world.run([f'{ana.email},"{BATCH}",Weld a T-joint,16,,'])
    assert outcomes(result.output) == {
        2: ("rejected", "score 16 is above the assignment's max_score 10")
    }
    assert result.exit_code == 1
    assert store_row(world, ana, "Weld a T-joint")["score"] == 15.0


# -- 5. a mentor's score in Odoo, later ----------------------------------------------------------


@pytest.mark.parametrize("version", ["17.0"], indirect=True)
def test_a_score_a_mentor_types_in_odoo_later_wins(world: World) -> None:
    ana = world.ana
    task = world.task(ana, "Weld a T-joint")
    result = world.run([f'{ana.email},"{BATCH}",Weld a T-joint,8,,Clean seam'])
    assert result.exit_code == 0, result.output
    world.cycle()
    assert store_row(world, ana, "Weld a T-joint")["score_source"] == "import"

    score_in_odoo(world.emu, task, world.stages["Scored"], 6, "Porous root")
    world.cycle()
    assert store_row(world, ana, "Weld a T-joint") == {
        "score": 6.0,
        "max_score": None,
        "feedback": "Porous root",
        "score_source": "odoo",
        "stage": "Scored",
    }
    assert odoo_task(world, ana, "Weld a T-joint") == {
        "stage": "Scored",
        "values": {"score": 6.0, "feedback": "Porous root"},
    }
    bodies = [m["body"] for m in told(world, task)]
    assert len(bodies) == 2 and "6 / 10" in bodies[1] and "Porous root" in bodies[1]
    for _ in range(2):
        world.cycle()
    assert store_row(world, ana, "Weld a T-joint")["score"] == 6.0
    assert odoo_task(world, ana, "Weld a T-joint")["values"]["score"] == 6.0
    assert len(told(world, task)) == 2
