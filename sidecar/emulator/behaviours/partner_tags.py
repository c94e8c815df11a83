"""Contact tags (``res.partner.category``), as recorded on real servers: names are not unique,
a contact's ``category_id`` is written with Commands ((4, id) links, (3, id) unlinks, (6, 0,
ids) replaces) or a plain list of ids, and the tag's ``partner_ids`` is the same relation seen
from the other side."""

from __future__ import annotations

from ..hooks import Hooks
from ..orm import Env
from ..versions import Profile
from .project import _mirror

PARTNER = "res.partner"
TAG = "res.partner.category"


def _tag_prepare(env: Env, vals: dict) -> None:
    vals.setdefault("active", True)


def register(hooks: Hooks, profile: Profile) -> None:
    hooks.prepare[TAG].append(_tag_prepare)
    _mirror(hooks, TAG, "partner_ids", PARTNER, "category_id")
