"""How values read on the page: names (full or initials), dates, scores."""

from __future__ import annotations

NONE_SHOWN = "—"


def initials(name: str) -> str:
    """ "Jane van Doe" -> "J. V. D."; parts without a letter are skipped; "—" when none is left."""
    letters = [next((c for c in part if c.isalpha()), "") for part in name.split()]
    shown = [f"{letter.upper()}." for letter in letters if letter]
    return " ".join(shown) if shown else NONE_SHOWN


def shown_name(name: str, name_display: str) -> str:
    return initials(name) if name_display == "initials" else name


def score(value: float | None) -> str:
    """Scores are percentages; one decimal at most."""
    if value is None:
        return NONE_SHOWN
    return f"{round(value, 1):g} %"
