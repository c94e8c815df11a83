"""What every job takes: one `JobContext` (the config, the store's sessions, Odoo, a clock and
the cooperative stop), whoever runs it: the scheduler, a command, a test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from connectors import OdooClient
from jobs.incremental import ShouldStop, never
from sidecar.config import Config
from sidecar.store.models import utcnow

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class JobContext:
    cfg: Config
    sessions: sessionmaker[Session]
    client: OdooClient
    clock: Clock = utcnow
    # Asked between pages, rows and deliveries: True ends the job after what was just stored.
    should_stop: ShouldStop = never
    # Where delivery reads the certificate PDFs it attaches (default: `certificates.output_dir`).
    files_root: Path | None = None

    @property
    def files(self) -> Path:
        return self.files_root if self.files_root is not None else self.cfg.certificates.output_dir
