"""Which notifications a program's trainees are due now (docs/notifications.md): the rules of
`sidecar.notifications` applied to the facts of one program, and nothing from Odoo yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from jobs.notify.facts import ProgramFacts, Trainee
from jobs.notify.texts import REMINDERS
from sidecar.config.notifications import NotificationsConfig
from sidecar.config.programs import Program as ProgramConfig
from sidecar.notifications import expiry_due, inactivity_due, key, milestones_due
from sidecar.statuses import CourseStatus
from sidecar.store.models import CourseIntegration


@dataclass(frozen=True)
class Decision:
    """One notification decided: sent (`send`), or recorded as told by another (covered)."""

    kind: str
    key: str
    program_id: int | None
    partner_id: int
    occasion: str
    send: bool = True
    program_key: str = ""
    name: str = ""  # the person's name as the store has it
    values: dict[str, str] = field(default_factory=dict)
    links: tuple[int, ...] = ()  # courses (Odoo ids) whose pages the message links to
    extra_html: str = ""  # a generated part after the words (the digest's lists)


def percent_text(value: float) -> str:
    return f"{value:g} %" if value == int(value) else f"{value:.0f} %"


class ProgramDecider:
    """The notifications due for one program's trainees at `now`."""

    def __init__(
        self,
        facts: ProgramFacts,
        configured: ProgramConfig,
        settings: NotificationsConfig,
        now: datetime,
        opted_out: set[int],
    ) -> None:
        self.facts = facts
        self.configured = configured
        self.settings = settings
        self.now = now
        self.opted_out = opted_out
        self._switches = configured.notifications
        self._course_names = {c.id: c.course_name or c.course_ref for c in facts.courses}

    def decisions(self) -> list[Decision]:
        found: list[Decision] = []
        for trainee in self.facts.trainees:
            found.extend(self._for(trainee))
        if self._on("expiry"):
            found.extend(self._expiry())
        return found

    # --- one trainee ------------------------------------------------------------------------

    def _on(self, kind: str, partner: int | None = None) -> bool:
        if not self._switches.on(kind):
            return False
        return not (kind in REMINDERS and partner in self.opted_out)

    def _decision(self, kind: str, trainee: Trainee, occasion: str = "", **kw: object) -> Decision:
        program = self.facts.program
        parts = [program.key, trainee.partner_id, *([occasion] if occasion else [])]
        return Decision(
            kind=kind,
            key=key(kind, *parts),
            program_id=program.id,
            partner_id=trainee.partner_id,
            occasion=occasion,
            program_key=program.key,
            name=trainee.name,
            **kw,  # type: ignore[arg-type]
        )

    def _for(self, trainee: Trainee) -> list[Decision]:
        decided = self.facts.decided
        if not trainee.integrated:
            return []  # in none of the program's courses (left, or removed): nothing to tell
        if self._predates(trainee):
            return self._baseline(trainee)
        found: list[Decision] = []
        p = trainee.partner_id
        if self._on("welcome") and not decided.has(p, "welcome", ""):
            found.append(self._welcome(trainee))
        done = self.facts.completed_courses.get(trainee.student_id, set())
        if self._on("course_completed"):
            for course_id in sorted(done):
                if not decided.has(p, "course_completed", str(course_id)):
                    course = self._course_names.get(course_id, "")
                    found.append(
                        self._decision(
                            "course_completed", trainee, str(course_id), values={"course": course}
                        )
                    )
        completed_told = self._on("program_completed") and trainee.complete
        if self._on("milestone", p):
            found.extend(self._milestones(trainee, completed_told))
        if completed_told and not decided.has(p, "program_completed", ""):
            found.append(self._decision("program_completed", trainee))
        if self._on("inactivity", p) and not trainee.complete:
            found.extend(self._inactivity(trainee))
        return found

    def _welcome(self, trainee: Trainee) -> Decision:
        courses = [c for c in self.facts.courses if c.status == CourseStatus.ACTIVE]
        batch = self.facts.batch_names.get(trainee.batch_id or 0)
        values = {
            "courses": ", ".join(self._course_names[c.id] for c in courses),
            "requirements": requirements_text(self.configured, self._course_names, courses),
            "batch": f" ({batch})" if batch else "",
        }
        links = tuple(c.odoo_channel_id for c in courses if c.odoo_channel_id is not None)
        return self._decision("welcome", trainee, values=values, links=links)

    def _predates(self, trainee: Trainee) -> bool:
        since = self.facts.since
        return (
            since is not None
            and trainee.created_at < since
            and not self.facts.decided.has(trainee.partner_id, "seen", "")
        )

    def _baseline(self, trainee: Trainee) -> list[Decision]:
        """A trainee from before notifications began: what they reached is recorded as told."""
        covered = [self._decision("seen", trainee, send=False)]
        covered.append(self._decision("welcome", trainee, send=False))
        for course_id in sorted(self.facts.completed_courses.get(trainee.student_id, set())):
            covered.append(self._decision("course_completed", trainee, str(course_id), send=False))
        for threshold in self.settings.milestones:
            if trainee.percent + 1e-9 >= threshold:
                covered.append(
                    self._decision("milestone", trainee, percent_key(threshold), send=False)
                )
        if trainee.complete:
            covered.append(self._decision("program_completed", trainee, send=False))
        return covered

    def _milestones(self, trainee: Trainee, completed_told: bool) -> list[Decision]:
        decided = self.facts.decided.occasions(trainee.partner_id, "milestone")
        due = milestones_due(
            trainee.percent,
            self.settings.milestones,
            (float(occasion) for occasion in decided),
            completed_told,
        )
        found = [
            self._decision("milestone", trainee, percent_key(t), send=False) for t in due.covered
        ]
        if due.fire is not None:
            found.append(
                self._decision(
                    "milestone",
                    trainee,
                    percent_key(due.fire),
                    values={"percent": percent_text(due.fire)},
                )
            )
        return found

    def _inactivity(self, trainee: Trainee) -> list[Decision]:
        spell = trainee.last_activity.strftime("%Y%m%dT%H%M%S")
        sent = [
            at
            for occasion, at in self.facts.decided.occasions(
                trainee.partner_id, "inactivity"
            ).items()
            if occasion.startswith(spell + ".")
        ]
        rule = self.settings.inactivity
        number = inactivity_due(
            self.now,
            trainee.last_activity,
            sent,
            after=timedelta(days=rule.after_days),
            every=timedelta(days=rule.every_days),
            at_most=rule.at_most,
        )
        if number is None:
            return []
        days = (self.now - trainee.last_activity).days
        values = {"days": str(days), "percent": percent_text(round(trainee.percent))}
        return [self._decision("inactivity", trainee, f"{spell}.{number}", values=values)]

    # --- certificates -----------------------------------------------------------------------

    def _expiry(self) -> list[Decision]:
        found: list[Decision] = []
        today = self.now.date()
        for cert in self.facts.expiring:
            if cert.partner_id in self.opted_out:
                continue
            decided = self.facts.decided.occasions(cert.partner_id, "expiry")
            done = [
                int(occ.rsplit(".", 1)[1]) for occ in decided if occ.startswith(cert.serial + ".")
            ]
            due = expiry_due(today, cert.expires_on, self.settings.expiry_days, done)
            program = self.facts.program
            for days, send in [(d, False) for d in due.covered] + (
                [(due.fire, True)] if due.fire is not None else []
            ):
                occasion = f"{cert.serial}.{int(days)}"
                found.append(
                    Decision(
                        kind="expiry",
                        key=key("expiry", cert.serial, int(days)),
                        program_id=program.id,
                        partner_id=cert.partner_id,
                        occasion=occasion,
                        send=send,
                        program_key=program.key,
                        name=cert.name,
                        values={
                            "serial": cert.serial,
                            "expires_on": cert.expires_on.isoformat(),
                            "days": str((cert.expires_on - today).days),
                            "verify_url": cert.verify_url,
                            "renewal": renewal_text(self.configured, cert.expires_on),
                        },
                    )
                )
        return found


def renewal_text(configured: ProgramConfig, expires_on: date) -> str:
    """How the certificate is renewed under the program's rule (docs/product-rules.md §15)."""
    rule = configured.renewal
    if rule.rule == "requirements":
        return (
            "It is renewed on its last valid day if you still meet the program's requirements then."
        )
    if rule.rule == "refresher":
        opens = expires_on - timedelta(days=rule.window_days)
        return (
            f"Complete the refresher course {rule.course} from {opens.isoformat()} on, and it "
            "is renewed."
        )
    return "Ask your training coordinator how to renew it."


def requirements_text(
    configured: ProgramConfig, names: dict[int, str], courses: list[CourseIntegration]
) -> str:
    """What completes the program, in words: the required courses (with a threshold below
    100 %), then the attendance, score and hand-in minimums the program sets."""
    parts = []
    for course in courses:
        if not course.required:
            continue
        name = names.get(course.id, course.course_ref)
        threshold = course.completion_threshold
        parts.append(f"complete {name}" + (f" to {threshold} %" if threshold < 100 else ""))
    needed = configured.requirements
    if needed.min_attendance is not None:
        parts.append(f"attend at least {percent_text(needed.min_attendance)} of the sessions")
    if needed.min_average_score is not None:
        parts.append(f"score at least {percent_text(needed.min_average_score)} on average")
    if needed.min_submitted is not None:
        parts.append(f"hand in at least {needed.min_submitted} assignment(s)")
    return "; ".join(parts) or "take part in the program"


def percent_key(threshold: float) -> str:
    return f"{threshold:g}"
