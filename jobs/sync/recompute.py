"""Turn the mirrored Odoo rows into students, trackers and figures (docs/product-rules.md §4–§8).

Runs for the partners queued by the loader, per active program, in three roles:

- `recompute_gather` reads the mirrors, config and stored rows of a batch of partners, a fixed
  handful of statements per program whatever the batch's size;
- `recompute_figures` is pure: plain data and the time in, each trainee's figures out; all the
  arithmetic is in `sidecar.figures`;
- `recompute_write` compares with the stored rows and writes what changed, one executemany
  statement per kind of change. Nothing is written for a student whose figures did not move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from jobs.sync.recompute_figures import SUMMARY, TRACKED, Calculator
from jobs.sync.recompute_gather import gather
from jobs.sync.recompute_who import Contact
from jobs.sync.recompute_write import write
from sidecar.config import Config
from sidecar.config import Program as ProgramConfig
from sidecar.store.models import PendingRecompute, Program, utcnow
from sidecar.store.sql import among

__all__ = [
    "SUMMARY",
    "TRACKED",
    "PartnerInfo",
    "RecomputeResult",
    "pending_partners",
    "recompute",
]

# partner ids -> {partner_id: (name, email, internal user)}; called only for partners without a
# student yet, or whose internal-user standing was never read (docs/product-rules.md §12).
PartnerInfo = Callable[[list[int]], dict[int, Contact]]


@dataclass
class RecomputeResult:
    partners: int = 0
    students_created: int = 0
    students_updated: int = 0


def pending_partners(session: Session, limit: int | None = None) -> list[int]:
    stmt = select(PendingRecompute.partner_id).order_by(PendingRecompute.partner_id)
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def recompute(
    session: Session, cfg: Config, partner_ids: list[int], partner_info: PartnerInfo
) -> RecomputeResult:
    """Recompute `partner_ids` in every active program and dequeue them, in the caller's
    transaction."""
    result = RecomputeResult(partners=len(partner_ids))
    settings = {p.key: p for p in cfg.programs}
    programs = session.scalars(select(Program).where(Program.active.is_(True))).all()
    for program in programs:
        configured = settings.get(program.key)
        if configured is None:
            continue
        _recompute_program(session, program, configured, partner_ids, partner_info, result)
    if partner_ids:
        session.execute(
            delete(PendingRecompute).where(among(PendingRecompute.partner_id, partner_ids))
        )
    return result


def _recompute_program(
    session: Session,
    program: Program,
    configured: ProgramConfig,
    partner_ids: list[int],
    partner_info: PartnerInfo,
    result: RecomputeResult,
) -> None:
    """gather → compute → write, for one program."""
    gathered = gather(session, program, configured, partner_ids)
    if gathered is None:
        return
    now = utcnow()
    calculator = Calculator(gathered.rules, now)
    computed = {partner: calculator.figures_of(t) for partner, t in gathered.trainees.items()}
    wanted = gathered.to_read
    written = write(
        session, program.id, gathered, computed, partner_info(wanted) if wanted else {}, now
    )
    result.students_created += len(written.new_students)
    result.students_updated += len(written.student_updates)
