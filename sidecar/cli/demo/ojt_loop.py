"""The demo's OJT loop with assignments (`programs[].assignments`), played in Odoo as a mentor
and the field technicians would: the mentor opens a batch by tagging an event, the trainees
register, get their own tasks (made by the sidecar) and hand in, the mentor scores (in Odoo on
17.0+, and one score through `ojt-sidecar scores import`), and the event ends, after which each
trainee's certificate prints their three assignments and average."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sidecar.emulator.showcase_assignments import TECH_TRAINEES

if TYPE_CHECKING:
    from connectors import OdooClient
    from sidecar.config import Config


class Trainees(Protocol):
    """What the steps need of `sidecar.cli.demo.activity.Trainees`."""

    client: OdooClient
    cfg: Config | None

    def partner(self, name: str) -> int: ...


TAG = "Field technician cohort"
BATCH = "Field technicians, December"
WAIT_SECONDS = 12.0  # for what the sidecar makes (the tag, the tasks) to appear in Odoo
# name → (assignment → score) as the mentor gives them; Omar's last one comes from the CSV
SCORES = {
    "Ines Duarte": {"Inspect a forklift": 8, "Load plan": 17, "Safety walk report": 9},
    "Omar Farouk": {"Inspect a forklift": 7, "Load plan": 15},
    "Julia Novak": {"Inspect a forklift": 9, "Load plan": 18, "Safety walk report": 7},
}
CSV_SCORE = ("Omar Farouk", "Safety walk report", 8)
MAX_SCORES = {"Inspect a forklift": 10, "Load plan": 20, "Safety walk report": 10}


def _eventually(find: Callable[[], Any]) -> Any:
    """What `find` returns once it is something, or None after `WAIT_SECONDS`."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        found = find()
        if found or time.monotonic() > deadline:
            return found or None
        time.sleep(0.5)


def _event(t: Trainees) -> int | None:
    found = t.client.search("event.event", [("name", "=", BATCH)], limit=1)
    return int(found[0]) if found else None


def _tasks(t: Trainees, name: str) -> dict[str, int]:
    """The trainee's own tasks (title → id), once the sidecar made all three."""

    def find() -> dict[str, int]:
        rows = t.client.search_read_list(
            "project.task", [("name", "like", f"— {name}")], ["name"], names=False
        )
        if len(rows) < len(MAX_SCORES):
            return {}
        return {str(r["name"]).split(" — ")[0]: int(r["id"]) for r in rows}

    return _eventually(find) or {}


def _stage(t: Trainees, task: int, name: str) -> int:
    project = t.client.read("project.task", [task], ["project_id"], names=False)[0]["project_id"]
    return int(
        t.client.search(
            "project.task.type", [("name", "=", name), ("project_ids", "in", [project])], limit=1
        )[0]
    )


def open_batch(t: Trainees) -> str | None:
    tag = _eventually(lambda: t.client.search("event.tag", [("name", "=", TAG)], limit=1))
    if not tag:
        return None
    begin = datetime.now(UTC).replace(microsecond=0, tzinfo=None) - timedelta(days=1)
    t.client.create(
        "event.event",
        {
            "name": BATCH,
            "date_begin": begin.isoformat(sep=" "),
            "date_end": (begin + timedelta(days=10)).isoformat(sep=" "),
            "tag_ids": [(4, tag[0])],
        },
    )
    return f"a mentor opened the batch {BATCH!r}: an event tagged {TAG!r}"


def register(t: Trainees) -> str | None:
    event = _event(t)
    if event is None:
        return None
    for name in TECH_TRAINEES:
        made = t.client.create(
            "event.registration", {"event_id": event, "partner_id": t.partner(name)}
        )
        state = t.client.read("event.registration", [made], ["state"])[0]["state"]
        if state == "draft":  # 16.0: unconfirmed unless the event confirms by itself
            t.client.call("event.registration", "action_confirm", ids=[made])
    return f"{', '.join(TECH_TRAINEES)} registered for {BATCH!r}"


def hand_in(t: Trainees) -> str | None:
    """Ines and Julia move their tasks to Submitted; Omar posts a photo on one (the way the
    integration posts for a trainee) and moves the others."""
    done = []
    for name in TECH_TRAINEES:
        tasks = _tasks(t, name)
        if not tasks:
            continue
        for title, task in tasks.items():
            if name == "Omar Farouk" and title == "Inspect a forklift":
                photo = t.client.create(
                    "ir.attachment",
                    {
                        "name": "inspection-sheet.jpg",
                        "datas": base64.b64encode(b"a photo of the inspection sheet").decode(),
                        "res_model": "project.task",
                        "res_id": task,
                    },
                )
                t.client.call(
                    "project.task",
                    "message_post",
                    ids=[task],
                    body="My inspection sheet",
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                    author_id=t.partner(name),
                    attachment_ids=[photo],
                )
            else:
                t.client.write("project.task", [task], {"stage_id": _stage(t, task, "Submitted")})
        done.append(name)
    return f"{', '.join(done)} handed in their assignments" if done else None


def score_in_odoo(t: Trainees) -> str | None:
    """On 17.0+ a mentor sets the score property and moves the task to Scored; 16.0 has no
    properties to set, and its scores all come through the CSV."""
    if t.client.version().major < 17:
        return None
    count = 0
    for name, scores in SCORES.items():
        tasks = _tasks(t, name)
        for title, score in scores.items():
            if title in tasks:
                task = tasks[title]
                t.client.write("project.task", [task], {"task_properties": {"score": score}})
                t.client.write("project.task", [task], {"stage_id": _stage(t, task, "Scored")})
                count += 1
    return f"a mentor scored {count} assignments in Odoo" if count else None


def csv_rows(major: int) -> list[tuple[str, str, float, float]]:
    """(trainee, assignment, score, max score) for the CSV: one score, or on 16.0 all of them."""
    rows = [(CSV_SCORE[0], CSV_SCORE[1], float(CSV_SCORE[2]), float(MAX_SCORES[CSV_SCORE[1]]))]
    if major < 17:
        rows += [
            (name, title, float(score), float(MAX_SCORES[title]))
            for name, scores in SCORES.items()
            for title, score in scores.items()
        ]
    return rows


def end_batch(t: Trainees) -> str | None:
    event = _event(t)
    if event is None:
        return None
    ended = t.client.search("event.stage", [("name", "=", "Ended")], limit=1)
    t.client.write("event.event", [event], {"stage_id": ended[0]})
    return f"the mentor moved {BATCH!r} to Ended: its certificates come next"


def import_csv(t: Trainees) -> str | None:
    """A mentor who scored on paper imports the CSV (`ojt-sidecar scores import`), waiting for
    the service's leases like `--wait`."""
    if t.cfg is None or not _tasks(t, CSV_SCORE[0]):
        return None
    from jobs.assignments.imports import import_scores
    from jobs.deliver import deliver
    from sidecar.cli.commands.jobs_at_hand import job_context
    from sidecar.emulator.showcase_data import email_of
    from sidecar.scores import read_scores

    path = t.cfg.config_dir / "scores.csv"
    lines = ["trainee,batch,assignment,score,max_score,feedback"]
    lines += [
        f'{email_of(name)},"{BATCH}",{title},{score:g},{top:g},'
        for name, title, score, top in csv_rows(t.client.version().major)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = read_scores(path.read_bytes()).rows
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        with job_context(t.cfg, "scores", wait=True) as (ctx, _), ctx.sessions() as session:
            outcomes = import_scores(session, ctx.client, t.cfg, rows, ctx.clock())
            waiting = any("not in Odoo yet" in o.detail for o in outcomes)
            if waiting and time.monotonic() < deadline:
                session.rollback()
            else:
                session.commit()
                deliver(ctx)
                break
        time.sleep(1.0)  # the sync has not seen the tasks' ids yet
    scored = sum(1 for o in outcomes if o.result in ("scored", "rescored"))
    return f"a mentor imported {scored} score(s) from {path.name} (ojt-sidecar scores import)"
