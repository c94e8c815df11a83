"""Assignments in Odoo's Project app (`programs[].assignments`): a project per batch, a task per
participant per assignment, and what the mentor scored. Run by the sync after its streams."""

from jobs.assignments.runner import AssignmentReport, sync_assignments

__all__ = ["AssignmentReport", "sync_assignments"]
