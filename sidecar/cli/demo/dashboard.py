"""The live summary of `ojt-sidecar demo`: read from the store only, drawn once a second.

On a terminal it redraws one frame in place (per-program bars by status, certificates, syncs,
the latest events); elsewhere (CI logs, a pipe) it prints each event as a plain line and a short
status every few seconds, so the log reads top to bottom, no line longer than `PLAIN_WIDTH`.
"""

from __future__ import annotations

import shutil
import textwrap
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from sidecar.store.queries import (
    CertificateSummary,
    LastSync,
    ProgramStatus,
    certificate_summary,
    last_successful_sync,
    program_statuses,
)

BAR = 36
SHOWN_EVENTS = 8
PLAIN_EVERY = 5.0  # seconds between statuses when not on a terminal
PLAIN_WIDTH = 100  # the longest line written when not on a terminal
PLAIN_INDENT = " " * len("[00:00] ")  # continuation lines start under the text
# status, bar character, ANSI colour
SEGMENTS = (
    ("certified", "█", "32"),
    ("completed", "▓", "36"),
    ("in_progress", "▒", "33"),
    ("enrolled", "░", "2"),
    ("not_integrated", "·", "2"),
)
LABELS = {"in_progress": "in progress", "not_integrated": "not integrated"}


class Feed:
    """What happened, newest last, for both the frame and the plain lines (thread-safe)."""

    def __init__(self, started: float) -> None:
        self.started = started
        self._lock = threading.Lock()
        self._items: deque[tuple[float, str]] = deque(maxlen=200)
        self._count = 0

    def add(self, text: str) -> None:
        with self._lock:
            self._items.append((time.monotonic() - self.started, text))
            self._count += 1

    def since(self, seen: int) -> tuple[list[tuple[float, str]], int]:
        """Events added after the first `seen`, and the new count."""
        with self._lock:
            fresh = min(self._count - seen, len(self._items))
            return list(self._items)[len(self._items) - fresh :], self._count

    def latest(self, n: int) -> list[tuple[float, str]]:
        with self._lock:
            return list(self._items)[-n:]


@dataclass(frozen=True)
class SyncTotals:
    """The completed syncs in the store and what they read and changed, added up. The demo
    starts on a new store, so these are the figures since the demo started: they only grow,
    unlike one run's (an idle sync re-reads its overlap window; a reconcile reads no rows)."""

    runs: int = 0
    rows_read: int = 0
    changes: int = 0


def sync_totals(session: Session) -> SyncTotals:
    """Totals of the successful sync runs (incremental and full; not reconcile passes)."""
    from sidecar.store.models import SyncRun

    runs, read, changes = session.execute(
        select(
            func.count(SyncRun.id),
            func.coalesce(func.sum(SyncRun.rows_read), 0),
            func.coalesce(
                func.sum(SyncRun.rows_created + SyncRun.rows_updated + SyncRun.rows_removed), 0
            ),
        ).where(SyncRun.status == "ok", SyncRun.kind != "reconcile")
    ).one()
    return SyncTotals(int(runs), int(read), int(changes))


@dataclass
class Snapshot:
    programs: list[ProgramStatus]
    certificates: CertificateSummary
    last_sync: LastSync
    verify_url: str | None
    syncs: SyncTotals = field(default_factory=SyncTotals)


@dataclass
class StoreWatcher:
    """Reads the store's figures, and turns new certificates, reviews and enrollments into feed
    events (each once)."""

    sessions: sessionmaker[Session]
    feed: Feed
    _cert_id: int = 0
    _flag_id: int = 0
    _seen_enrollments: set[int] = field(default_factory=set)
    _note_id: int = 0
    first_url: str | None = None

    def _notifications(self, session: Session) -> None:
        """One feed line for the notifications queued since the last poll, by kind."""
        from sidecar.store.models import Notification

        rows = session.execute(
            select(Notification.id, Notification.kind)
            .where(Notification.id > self._note_id, Notification.state == "queued")
            .order_by(Notification.id)
        ).all()
        if not rows:
            return
        self._note_id = rows[-1][0]
        kinds = Counter(kind.replace("_", " ") for _, kind in rows)
        listed = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        self.feed.add(f"notified through Odoo: {listed} (messages on the contacts)")

    def poll(self) -> Snapshot:
        from sidecar.store.models import Certificate, Enrollment, Program, ReviewFlag, Student

        with self.sessions() as session:
            names = dict(session.execute(select(Program.id, Program.name)).all())
            for cert in session.scalars(
                select(Certificate).where(Certificate.id > self._cert_id).order_by(Certificate.id)
            ):
                self._cert_id = cert.id
                self.feed.add(
                    f"issued {cert.serial} to {cert.participant_name} ({cert.program_name})"
                )
                if self.first_url is None:
                    self.first_url = cert.verify_url
                    self.feed.add(f"verification page (open it in a browser): {cert.verify_url}")
            for flag, student in session.execute(
                select(ReviewFlag, Student.name)
                .outerjoin(Student, ReviewFlag.student_id == Student.id)
                .where(ReviewFlag.id > self._flag_id)
                .order_by(ReviewFlag.id)
            ):
                self._flag_id = flag.id
                who = student or "a trainee"
                where = f" ({names[flag.program_id]})" if flag.program_id in names else ""
                self.feed.add(f"review To-Do in Odoo for {who}{where}: {flag.reason}")
            for row in session.scalars(
                select(Enrollment).where(
                    Enrollment.state.in_(("enrolled", "awaiting_review")),
                    Enrollment.id.not_in(self._seen_enrollments or {-1}),
                )
            ):
                self._seen_enrollments.add(row.id)
                program = names.get(row.program_id, "?")
                if row.state == "enrolled":
                    self.feed.add(
                        f"enrolled applicant {row.name} into {program} "
                        "(contact, portal access, courses and a note in Odoo)"
                    )
                else:
                    self.feed.add(f"applicant {row.name} awaits review: {row.reason}")
            self._notifications(session)
            return Snapshot(
                programs=program_statuses(session),
                certificates=certificate_summary(session),
                last_sync=last_successful_sync(session),
                verify_url=self.first_url,
                syncs=sync_totals(session),
            )


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def status_bar(by_status: dict[str, int], width: int = BAR, colour: bool = True) -> str:
    """A bar split by status, each part as wide as its share of the students."""
    total = sum(by_status.values())
    if not total:
        return "·" * width
    out, used, cumulative = [], 0, 0
    for status, char, ansi in SEGMENTS:
        cumulative += by_status.get(status, 0)
        cells = round(width * cumulative / total) - used
        used += cells
        if cells:
            part = char * cells
            out.append(f"\x1b[{ansi}m{part}\x1b[0m" if colour else part)
    return "".join(out)


def counts(by_status: dict[str, int]) -> str:
    return ", ".join(
        f"{by_status.get(s, 0)} {LABELS.get(s, s)}"
        for s, *_ in SEGMENTS
        if s != "not_integrated" or by_status.get(s)
    )


def sync_text(last: LastSync, totals: SyncTotals) -> str:
    """When the last sync finished, and what all syncs since the start read and changed (one
    run's rows read would swing with the runs: a full re-read of the overlap, a reconcile's 0)."""
    if last.finished_at is None:
        return "not yet"
    age = "" if last.age_seconds is None else f", {max(0.0, last.age_seconds):.0f} s ago"
    runs = f"{totals.runs} sync{'s' * (totals.runs != 1)}"
    return (
        f"{last.finished_at.strftime('%H:%M:%S')} UTC{age} · since the start: {runs}, "
        f"{totals.rows_read:,} rows read, {totals.changes:,} changed"
    )


def _cert_text(c: CertificateSummary) -> str:
    waiting = c.outbox.get("pending", 0)
    return (
        f"{c.issued} issued, {c.delivered} delivered to Odoo · "
        f"{c.reviews_open} awaiting review · {waiting} Odoo write(s) waiting"
    )


def frame(
    snap: Snapshot,
    events: list[tuple[float, str]],
    elapsed: float,
    heading: str,
    colour: bool = True,
    columns: int = 120,
) -> list[str]:
    """The lines of one terminal frame, none wider than `columns` (a wrapped line would throw
    off the redraw in place)."""
    bold = (lambda s: f"\x1b[1m{s}\x1b[0m") if colour else (lambda s: s)
    lines = [bold(f"ojt-sidecar demo · {clock(elapsed)} · {heading}"), ""]
    width = max([len(p.name) for p in snap.programs] + [10])
    bar = max(8, min(BAR, columns - width - 16))
    for p in snap.programs:
        avg = "—" if p.average_progress is None else f"{p.average_progress:5.1f} %"
        drawn = status_bar(p.by_status, bar, colour=colour)
        lines.append(f"{p.name:<{width}}  {drawn}  avg {avg}")
        lines.append(f"{'':<{width}}  {p.students} students: {counts(p.by_status)}")
    legend = "  ".join(f"{char} {LABELS.get(s, s)}" for s, char, _ in SEGMENTS[:4])
    lines += [f"{'':<{width}}  {legend}", ""]
    lines.append(f"Certificates: {_cert_text(snap.certificates)}")
    lines.append(f"Last sync:    {sync_text(snap.last_sync, snap.syncs)}")
    lines.append(f"Verify page:  {snap.verify_url or '(after the first certificate)'}")
    lines += ["", bold("Latest")]
    for at, text in events[-SHOWN_EVENTS:]:
        lines.append(f"  {clock(at)}  {text}")
    return [_fit(line, columns) for line in lines]


def _fit(line: str, columns: int) -> str:
    """Cut a plain line to `columns` - 1 characters (lines with colour codes are sized above)."""
    if "\x1b" in line or len(line) < columns:
        return line
    return line[: max(0, columns - 2)] + "…"


def wrap(text: str, width: int = PLAIN_WIDTH, indent: str = PLAIN_INDENT) -> list[str]:
    """`text` as lines of at most `width` characters, the later ones starting with `indent`. A
    single word longer than a line (a long path or URL) is kept whole, so it can be copied."""
    return textwrap.wrap(
        text,
        width,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [""]


def plain_event(at: float, text: str, width: int = PLAIN_WIDTH) -> list[str]:
    return wrap(f"[{clock(at)}] {text}", width)


def status_lines(snap: Snapshot, elapsed: float, width: int = PLAIN_WIDTH) -> list[str]:
    """The plain status: per program its students and average, then its counts by status;
    certificates; the last sync. Each line starts with the time (continuations are indented
    under it) and none is wider than `width`."""
    stamp = f"[{clock(elapsed)}] "
    texts = []
    for p in snap.programs:
        avg = "—" if p.average_progress is None else f"{p.average_progress:.1f} %"
        texts.append(f"{stamp}{p.key}: {p.students} students, avg {avg}")
        texts.append(f"{PLAIN_INDENT}{counts(p.by_status)}")
    texts.append(f"{stamp}certificates: {_cert_text(snap.certificates)}")
    texts.append(f"{stamp}last sync {sync_text(snap.last_sync, snap.syncs)}")
    return [line for text in texts for line in wrap(text, width)]


class Screen:
    """Draws frames in place on a terminal, or plain lines elsewhere."""

    def __init__(self, out: TextIO, live: bool, started: float) -> None:
        self.out = out
        self.live = live
        self.started = started
        self._drawn = 0
        self._seen = 0
        self._last_plain = -PLAIN_EVERY

    def show(self, snap: Snapshot, feed: Feed, heading: str) -> None:
        elapsed = time.monotonic() - self.started
        if self.live:
            columns = shutil.get_terminal_size((120, 40)).columns
            lines = frame(snap, feed.latest(SHOWN_EVENTS), elapsed, heading, columns=columns)
            up = f"\x1b[{self._drawn}F" if self._drawn else ""
            self.out.write(up + "".join(f"{line}\x1b[K\n" for line in lines) + "\x1b[J")
            self._drawn = len(lines)
        else:
            fresh, self._seen = feed.since(self._seen)
            lines = [line for at, text in fresh for line in plain_event(at, text)]
            if elapsed - self._last_plain >= PLAIN_EVERY:
                self._last_plain = elapsed
                lines += status_lines(snap, elapsed)
            self.out.write("".join(f"{line}\n" for line in lines))
        self.out.flush()

    def say(self, text: str) -> None:
        """A line below the frame (the frame is redrawn under it from then on)."""
        self.out.write(text + "\n")
        self.out.flush()
        self._drawn = 0
