"""Installed languages: what an administrator adds in Odoo's Settings, Languages. Odoo accepts
a `lang` value (a contact's, a user's) only among the installed languages; the references were
recorded with English alone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# What the showcase installs (Odoo's codes and names)
SHOWCASE = (
    ("fr_FR", "French / Français"),
    ("es_ES", "Spanish (ES) / Español (ES)"),
    ("ar_001", "Arabic / الْعَرَبيّة"),
)


def install(specs: Mapping[str, Any], languages: Iterable[tuple[str, str]]) -> None:
    """Each (code, name) becomes a value every `lang` selection field accepts."""
    wanted = list(languages)
    for spec in specs.values():
        fdef = spec.fields.get("lang")
        if fdef is None or fdef.get("type") != "selection":
            continue
        known = [list(pair) for pair in fdef.get("selection") or []]
        codes = {code for code, _ in known}
        added = [[code, name] for code, name in wanted if code not in codes]
        spec.fields["lang"] = {**fdef, "selection": known + added}
