"""The places of the revocation status list that certificates hold, read once per issue cycle.

Every certificate draws a random free index (docs/credentials.md). Asking the store about each
draw cost a round trip per certificate; instead the indexes taken are read on the cycle's first
draw and the cycle's own draws added to them. Another replica drawing the same index in between
is rare (one in 131,072 per certificate it issued meanwhile) and caught where it always was:
the unique index fails the second commit, the issue job takes that as "issued elsewhere", and
the next cycle, which reads the list afresh, decides again."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.certificates.statuslist import draw_index
from sidecar.store.models import Certificate


class StatusIndexes:
    """One issue cycle's view of the indexes taken; make a new one for the next cycle."""

    def __init__(self) -> None:
        self._taken: set[int] | None = None

    def draw(self, session: Session) -> int:
        """A random index no certificate in the store (as read at the first draw) nor this
        cycle has; StatusListFull when none is found."""
        if self._taken is None:
            self._taken = set(
                session.scalars(
                    select(Certificate.status_index).where(Certificate.status_index.is_not(None))
                )
            )
        index = draw_index(self._taken.__contains__)
        self._taken.add(index)
        return index
