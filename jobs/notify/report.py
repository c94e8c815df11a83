"""What one notification cycle did, for its job run, the log and the command."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class NotifyReport:
    queued: dict[str, int] = field(default_factory=dict)  # kind → messages queued
    covered: int = 0  # recorded as told by another message
    opted_out: int = 0  # reminders not sent: the person asked for none
    held: int = 0  # queued for the end of quiet hours
    skipped: str | None = None  # why nothing ran

    @property
    def total(self) -> int:
        return sum(self.queued.values())
