"""The showcase's field technicians: three trainees who finished Field Service Basics, and the
template project a mentor prepared for their batch (stages To Do / Submitted / Needs changes /
Scored, three assignments). Their batch event does not exist yet: in the demo a mentor creates
it, tagged for the program, and the sidecar takes it from there."""

from __future__ import annotations

from typing import Any

from .orm import Env

TECH_TRAINEES = ("Ines Duarte", "Omar Farouk", "Julia Novak")
TEMPLATE = "Field technician assignments (template)"
STAGES = ("To Do", "Submitted", "Needs changes", "Scored")
# title, weight, max score, description
ASSIGNMENTS = (
    ("Inspect a forklift", 1, 10, "Walk through the daily inspection and photograph the sheet."),
    ("Load plan", 2, 20, "Plan a mixed pallet load for the Tuesday route."),
    ("Safety walk report", 1, 10, "Report three hazards you found in aisle C and how to fix them."),
)
DEFINITION = [
    {"name": "score", "string": "Score", "type": "float"},
    {"name": "max_score", "string": "Max score", "type": "float"},
    {"name": "feedback", "string": "Feedback", "type": "char"},
    {"name": "weight", "string": "Weight", "type": "float"},
]


def template_project(env: Env) -> int:
    """The mentor's template: the property definition where the version has task properties
    (16.0's cannot be searched or safely read, so none there), its stages and assignments."""
    project = int(env.create("project.project", {"name": TEMPLATE, "privacy_visibility": "portal"}))
    if env.version.major >= 17:
        env.write("project.project", [project], {"task_properties_definition": DEFINITION})
    for i, name in enumerate(STAGES, start=1):
        env.create(
            "project.task.type", {"name": name, "sequence": i, "project_ids": [(6, 0, [project])]}
        )
    for i, (title, weight, top, text) in enumerate(ASSIGNMENTS):
        values: dict[str, Any] = {
            "name": title,
            "project_id": project,
            "sequence": i,
            "description": f"<p>{text}</p>",
        }
        if env.version.major >= 17:
            values["task_properties"] = {"weight": weight, "max_score": top}
        env.create("project.task", values)
    return project
