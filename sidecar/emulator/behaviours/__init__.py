"""Model-specific Odoo logic the product depends on, one module per Odoo app."""

from __future__ import annotations

from ..hooks import Hooks
from ..registry import ModelSpec
from ..versions import Profile
from . import (
    automation,
    base,
    candidates,
    chatter,
    events,
    mail,
    partner_tags,
    portal,
    project,
    project_portal,
    project_share,
    recruitment,
    slides,
    slides_actions,
    survey,
)

# registered in this order: where two modules hook the same key, the later one wins
MODULES = (
    base,
    mail,
    chatter,
    slides,
    slides_actions,
    survey,
    recruitment,
    candidates,
    events,
    portal,
    project_portal,
    project,
    project_share,
    partner_tags,
    automation,
)


def register_all(hooks: Hooks, specs: dict[str, ModelSpec], profile: Profile) -> None:
    """Every module's hooks, as this version behaves; then the chatter fields of its models."""
    for module in MODULES:
        module.register(hooks, profile)
    project_share.adapt_specs(specs)
    automation.adapt_specs(specs, profile)
    chatter.register_computes(hooks, specs)
    base.register_model_wide(hooks, specs, profile)
