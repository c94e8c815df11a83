"""Model-specific Odoo logic the product depends on, one module per Odoo app."""

from __future__ import annotations

from ..hooks import Hooks
from . import base, chatter, events, mail, portal, recruitment, slides, slides_actions, survey

# registered in this order: where two modules hook the same key, the later one wins
MODULES = (base, mail, chatter, slides, slides_actions, survey, recruitment, events, portal)


def register_all(hooks: Hooks) -> None:
    for module in MODULES:
        module.register(hooks)
