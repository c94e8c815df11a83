"""Model-specific Odoo logic the product depends on, one module per Odoo app."""

from __future__ import annotations

from ..hooks import Hooks
from . import base, events, mail, portal, recruitment, slides, survey


def register_all(hooks: Hooks) -> None:
    for module in (base, mail, slides, survey, recruitment, events, portal):
        module.register(hooks)
