"""What the sync reads from Odoo: one declared stream per mirrored model, in the order a cycle
syncs them. Each is declared by its app's adapter (`jobs.odoo`): the model, its few fields, its
domain from the scope, its mirror table and how a row maps to that table's columns."""

from __future__ import annotations

from jobs.odoo import elearning, events, surveys
from jobs.odoo.profile import OdooProfile
from jobs.odoo.reads import OddRow, Row, Scope, Stream

STREAMS: tuple[Stream, ...] = (*elearning.STREAMS, *surveys.STREAMS, *events.STREAMS)


def streams_for(profile: OdooProfile) -> tuple[Stream, ...]:
    """The streams as this Odoo version shapes them (16.0's memberships differ)."""
    return (*elearning.streams(profile), *surveys.STREAMS, *events.streams(profile))


__all__ = ["STREAMS", "OddRow", "Row", "Scope", "Stream", "streams_for"]
