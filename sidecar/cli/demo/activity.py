"""A minute of trainee activity in Odoo for `ojt-sidecar demo`, played over XML-RPC.

Each step is something a trainee or a recruiter does in Odoo, written the way Odoo records it
(docs/odoo-notes.md §14 lessons, §17 attendance, §16 certification attempts, §19 stage
changes), so the sidecar sees it only through its own sync, exactly as it would on a real Odoo.
Steps are placed on a nominal minute (`MINUTE`); `Activity` plays them over `span` seconds, the
minute itself unless the demo is too short to hold it (`activity_span`), and lasts exactly
`span`: it ends on the minute, not on its last step.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sidecar.cli.demo import ojt_loop
from sidecar.emulator.showcase_data import EVENT, OJT_STAGE, SURVEY

if TYPE_CHECKING:
    from connectors import OdooClient
    from sidecar.config import Config

log = logging.getLogger("ojt_sidecar.cli.demo.runner")
MINUTE = 60.0  # the nominal length of the activity: every `Step.at` falls inside it
CATCH_UP = 10.0  # seconds a `--duration` run keeps after the activity for the service to catch up
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd"}

PYTHON, ODOO = "Python Foundations", "Odoo Development Basics"
SAFETY, FORKLIFT = "Warehouse Safety", "Forklift Operation"


class Trainees:
    """Finds records by name over RPC and records trainee activity on them."""

    def __init__(self, client: OdooClient, cfg: Config | None = None) -> None:
        self.client = client
        self.cfg = cfg  # the demo's config, for what a mentor does with the sidecar's commands
        self._cache: dict[tuple[str, str], Any] = {}

    def _once(self, kind: str, key: str, fetch: Callable[[], Any]) -> Any:
        if (kind, key) not in self._cache:
            self._cache[(kind, key)] = fetch()
        return self._cache[(kind, key)]

    def partner(self, name: str) -> int:
        """The trainee's contact: an applicant's own (Odoo may have named it after the e-mail),
        else the contact of that name."""
        applicants = self.client.search_read_list(
            "hr.applicant", [("partner_name", "=", name)], ["partner_id"], limit=1, names=False
        )
        if applicants and applicants[0]["partner_id"]:
            return int(applicants[0]["partner_id"])
        found = self.client.search("res.partner", [("name", "=", name)], order="id desc", limit=1)
        if not found:
            raise LookupError(f"no contact named {name}")
        return int(found[0])

    def course(self, name: str) -> dict[str, Any]:
        """Channel id, lesson ids in order, the quiz and the certification of a course."""

        def fetch() -> dict[str, Any]:
            channel = self.client.search("slide.channel", [("name", "=", name)], limit=1)[0]
            slides = self.client.search_read_list(
                "slide.slide",
                [("channel_id", "=", channel), ("is_category", "=", False)],
                ["name", "slide_category"],
                order="sequence asc, id asc",
            )
            by_kind: dict[str, list[dict[str, Any]]] = {}
            for slide in slides:
                by_kind.setdefault(str(slide["slide_category"]), []).append(slide)
            return {
                "channel": channel,
                "lessons": [
                    s for s in slides if s["slide_category"] not in ("quiz", "certification")
                ],
                "quiz": by_kind["quiz"][0]["id"],
                "certification": by_kind.get("certification", [{"id": None}])[0]["id"],
            }

        return dict(self._once("course", name, fetch))

    def is_member(self, name: str, course: str) -> bool:
        return bool(
            self.client.search(
                "slide.channel.partner",
                [
                    ("channel_id", "=", self.course(course)["channel"]),
                    ("partner_id", "=", self.partner(name)),
                ],
            )
        )

    def _progress_row(self, slide: int, partner: int) -> int | None:
        found = self.client.search(
            "slide.slide.partner", [("slide_id", "=", slide), ("partner_id", "=", partner)]
        )
        return int(found[0]) if found else None

    def complete_lessons(self, name: str, course: str, count: int) -> list[str]:
        """The trainee completes their next `count` lessons of `course`; their titles."""
        partner, info = self.partner(name), self.course(course)
        done = {
            int(row["slide_id"])
            for row in self.client.search_read_list(
                "slide.slide.partner",
                [
                    ("partner_id", "=", partner),
                    ("channel_id", "=", info["channel"]),
                    ("completed", "=", True),
                ],
                ["slide_id"],
                names=False,
            )
        }
        todo = [s for s in info["lessons"] if s["id"] not in done][:count]
        for slide in todo:
            row = self._progress_row(slide["id"], partner)
            if row is None:
                self.client.create(
                    "slide.slide.partner",
                    {"slide_id": slide["id"], "partner_id": partner, "completed": True},
                )
            else:
                self.client.write("slide.slide.partner", [row], {"completed": True})
        return [str(s["name"]) for s in todo]

    def quiz(self, name: str, course: str, attempts: int, passed: bool = True) -> None:
        """The trainee's quiz attempts so far, and whether the last one passed."""
        partner, slide = self.partner(name), self.course(course)["quiz"]
        values = {"completed": passed, "quiz_attempts_count": attempts}
        row = self._progress_row(slide, partner)
        if row is None:
            self.client.create(
                "slide.slide.partner", {"slide_id": slide, "partner_id": partner, **values}
            )
        else:
            self.client.write("slide.slide.partner", [row], values)

    def certification(self, name: str, course: str, score: int) -> None:
        """One finished attempt scoring `score` % (a multiple of 20), built the way
        docs/odoo-notes.md §16 describes."""
        partner, slide = self.partner(name), self.course(course)["certification"]
        row = self._progress_row(slide, partner)
        if row is None:
            row = int(
                self.client.create(
                    "slide.slide.partner", {"slide_id": slide, "partner_id": partner}
                )
            )
        survey = self.client.search("survey.survey", [("title", "=", SURVEY)], limit=1)[0]
        attempt = self.client.create(
            "survey.user_input",
            {
                "survey_id": survey,
                "partner_id": partner,
                "slide_id": slide,
                "slide_partner_id": row,
            },
        )
        questions = self.client.search(
            "survey.question", [("survey_id", "=", survey)], order="sequence asc"
        )
        answers = self.client.search_read_list(
            "survey.question.answer",
            [("question_id", "in", questions)],
            ["question_id", "is_correct"],
            names=False,
        )
        right = round(score * len(questions) / 100)
        lines = []
        for n, question in enumerate(questions):
            want = n < right
            answer = next(
                a for a in answers if a["question_id"] == question and bool(a["is_correct"]) == want
            )
            lines.append(
                {
                    "user_input_id": attempt,
                    "question_id": question,
                    "answer_type": "suggestion",
                    "suggested_answer_id": answer["id"],
                }
            )
        self.client.create_many("survey.user_input.line", lines)
        self.client.write("survey.user_input", [attempt], {"state": "done"})

    def attend(self, name: str) -> None:
        """Mark the trainee's practical-week registration Attended (`done`)."""
        event = self.client.search("event.event", [("name", "=", EVENT)], limit=1)[0]
        found = self.client.search(
            "event.registration",
            [("event_id", "=", event), ("partner_id", "=", self.partner(name))],
        )
        self.client.write("event.registration", found, {"state": "done"})

    def move_applicant(self, name: str, stage: str) -> None:
        stage_id = self.client.search("hr.recruitment.stage", [("name", "=", stage)], limit=1)[0]
        found = self.client.search("hr.applicant", [("partner_name", "=", name)])
        self.client.write("hr.applicant", found, {"stage_id": stage_id})


Act = Callable[[Trainees], str | None]  # what happened, or None when it could not happen yet


@dataclass(frozen=True)
class Step:
    at: float  # second of the nominal minute
    act: Act


def lessons(names: Sequence[str], course: str, count: int = 1) -> Act:
    def act(t: Trainees) -> str | None:
        done = {
            name: t.complete_lessons(name, course, count)
            for name in names
            if t.is_member(name, course)
        }
        done = {name: titles for name, titles in done.items() if titles}
        if not done:
            return None
        if len(done) == 1:
            ((name, titles),) = done.items()
            return f"{name} completed {', '.join(repr(x) for x in titles)} ({course})"
        who = ", ".join(list(done)[:-1]) + f" and {list(done)[-1]}"
        lessons_ = max(len(titles) for titles in done.values())
        return f"{who} completed {lessons_} lesson{'s' * (lessons_ > 1)} each of {course}"

    return act


def quiz(name: str, course: str, attempt: int) -> Act:
    def act(t: Trainees) -> str:
        t.quiz(name, course, attempt)
        return f"{name} passed the {course} quiz ({ORDINALS.get(attempt, f'{attempt}th')} attempt)"

    return act


def finish_course(name: str, course: str, attempt: int) -> Act:
    def act(t: Trainees) -> str:
        titles = t.complete_lessons(name, course, 99)
        t.quiz(name, course, attempt)
        return f"{name} completed {', '.join(repr(x) for x in titles)} and passed the {course} quiz"

    return act


def certification(name: str, score: int) -> Act:
    def act(t: Trainees) -> str:
        t.certification(name, ODOO, score)
        verdict = "passed" if score >= 70 else "failed"
        return f"{name} {verdict} the {SURVEY} ({score} %)"

    return act


def attend(*names: str) -> Act:
    def act(t: Trainees) -> str:
        for name in names:
            t.attend(name)
        return f"{', '.join(names)} attended {EVENT}"

    return act


def to_ojt(name: str) -> Act:
    def act(t: Trainees) -> str:
        t.move_applicant(name, OJT_STAGE)
        return f"a recruiter moved applicant {name} to {OJT_STAGE}"

    return act


STEPS: tuple[Step, ...] = (
    Step(2, certification("Priya Raman", 80)),
    Step(3, ojt_loop.open_batch),  # the field technicians' batch: sidecar/cli/demo/ojt_loop.py
    Step(4, quiz("Ahmed Hassan", FORKLIFT, 1)),
    Step(6, lessons(["Aisha Khan"], ODOO)),
    Step(7, ojt_loop.register),
    Step(8, lessons(["Zoe Adams", "Liam Murphy", "Sara Lindqvist", "Ivan Petrov"], PYTHON)),
    Step(10, attend("Kenji Sato")),
    Step(12, lessons(["Tom Okafor"], ODOO, 2)),
    Step(14, quiz("Olivia Bennett", PYTHON, 2)),
    Step(15, quiz("Noah Fischer", PYTHON, 2)),
    Step(16, lessons(["Jonas Berg", "Ruth Mensah", "Victor Dubois"], SAFETY)),
    Step(18, finish_course("Kenji Sato", FORKLIFT, 1)),
    Step(20, to_ojt("Leo Schmidt")),
    Step(21, ojt_loop.hand_in),
    Step(22, lessons(["Diego Alvarez"], ODOO)),
    Step(24, certification("Marcus Webb", 100)),
    Step(26, lessons(["Mei Chen", "Lucas Moreau", "Anna Kowalski"], PYTHON, 2)),
    Step(28, quiz("Emma Johansson", FORKLIFT, 2)),
    Step(30, ojt_loop.score_in_odoo),
    Step(32, attend("Grace Okoro", "Pablo Ortega", "Jonas Berg")),
    Step(34, lessons(["Sam Taylor", "Maya Singh", "Felix Wagner"], SAFETY, 2)),
    Step(35, ojt_loop.import_csv),
    Step(36, quiz("Tom Okafor", ODOO, 1)),
    Step(38, lessons(["Hannah Schultz", "Yusuf Demir"], PYTHON, 2)),
    Step(40, quiz("Fatima Zahra", FORKLIFT, 1)),
    Step(42, ojt_loop.end_batch),
    Step(44, certification("Lena Fischer", 80)),
    Step(46, lessons(["Grace Okoro", "Pablo Ortega", "Nadia Haddad"], FORKLIFT)),
    Step(48, lessons(["Aisha Khan"], ODOO, 3)),
    Step(50, certification("Tom Okafor", 100)),
    Step(52, lessons(["Leo Schmidt", "Nina Petrova"], PYTHON)),
    Step(54, attend("Fatima Zahra")),
    Step(57, lessons(["Chloe Martin", "Mateo Silva", "Zoe Adams"], PYTHON)),
)


def activity_span(duration: float | None) -> float:
    """How many seconds the activity lasts in a demo of `duration` seconds (None: until Ctrl-C):
    a minute, unless that would leave the service less than `CATCH_UP` seconds after it; then
    shortened to leave them (but to no less than half the demo)."""
    if duration is None:
        return MINUTE
    return min(MINUTE, max(duration - CATCH_UP, duration / 2))


def describe_span(span: float) -> str:
    """`span` as the demo tells it: "a minute", or the seconds when it is not one."""
    return "a minute" if span == MINUTE else f"{span:g} s"


class Activity:
    """Plays `STEPS` over `span` seconds (the nominal minute scaled), reporting each thing that
    happened, and the end of the activity, to `report`. `start` plays them on a background
    thread; `play` in the calling one. `clock` and `wait` (seconds → True when stopped) are
    injectable so that the schedule can be tested without waiting for it."""

    def __init__(
        self,
        client: OdooClient,
        report: Callable[[str], None],
        span: float = MINUTE,
        steps: Sequence[Step] = STEPS,
        *,
        cfg: Config | None = None,
        clock: Callable[[], float] = time.monotonic,
        wait: Callable[[float], bool] | None = None,
    ) -> None:
        self.trainees = Trainees(client, cfg)
        self.report = report
        self.span = span
        self.scale = span / MINUTE
        self.steps = steps
        self.finished = threading.Event()
        self._stop = threading.Event()
        self._clock = clock
        self._wait = wait or self._stop.wait
        self._origin: float | None = None
        self._thread = threading.Thread(target=self._run, name="demo-activity", daemon=True)

    def plan(self) -> list[tuple[float, Step]]:
        """When each step is played, in seconds after the start; the activity ends at `span`."""
        return [(step.at * self.scale, step) for step in self.steps]

    def start(self, origin: float | None = None) -> None:
        """Play on a background thread, timed from `origin` (a `clock` reading; default now)."""
        self._origin = origin
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)

    def _run(self) -> None:
        self.play(self._origin)

    def play(self, origin: float | None = None) -> None:
        """Each step at its time after `origin`, then the end at `span`; returns early when
        stopped. Steps are timed from `origin`, not from each other, so a slow one delays none
        after it."""
        start = self._clock() if origin is None else origin
        try:
            for at, step in self.plan():
                if self._wait(max(0.0, start + at - self._clock())):
                    return
                try:
                    happened = step.act(self.trainees)
                except Exception:  # one step going wrong must not end the demo: it is logged
                    log.exception("demo activity step at %s s failed", step.at)
                    continue
                if happened:
                    self.report(happened)
            if self._wait(max(0.0, start + self.span - self._clock())):
                return
            self.report(
                f"end of the trainee activity ({describe_span(self.span)}); "
                "the service keeps running"
            )
        finally:
            self.finished.set()
