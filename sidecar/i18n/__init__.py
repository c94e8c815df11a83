"""The words of the certificate and its public page in the holder's language.

A trainee's language is their contact's `lang` in Odoo ("fr_FR", "es_419", "ar_001"), cut to
the language ("fr"); one we have no catalogue for falls back to the configured default
(`certificates.default_language`), then English. English is the source: each text is written in
English where it is used (`words(lang)("Issued on")`), and `locales/<lang>.po` (gettext's
format, read with Babel) holds its translation. `tests/test_i18n.py` checks that every text used
has a translation in every catalogue, with the same `{placeholders}`. Dates are written by Babel
in the language's own long form."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_interval
from babel.messages.pofile import read_po

SOURCE = "en"
LANGUAGES = ("en", "fr", "es", "ar")
_RIGHT_TO_LEFT = frozenset({"ar", "he", "fa", "ur"})
LOCALES = Path(__file__).parent / "locales"


def language_of(odoo_lang: str | None, default: str = SOURCE) -> str:
    """The catalogue for an Odoo `lang` value, else `default` when we have it, else English."""
    if odoo_lang:
        wanted = odoo_lang.replace("-", "_").split("_")[0].lower()
        if wanted in LANGUAGES:
            return wanted
    return default if default in LANGUAGES else SOURCE


def format_span(start: date | None, end: date | None) -> str:
    """A batch's dates as people write them: "2 – 12 December 2026", "" when unknown."""
    if start is None or end is None:
        day = start or end
        return f"{day.day} {day:%B %Y}" if day else ""
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day} – {end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


@functools.cache
def _catalogue(lang: str) -> dict[str, str]:
    if lang == SOURCE:
        return {}
    with (LOCALES / f"{lang}.po").open("rb") as po:
        catalogue = read_po(po, locale=lang)
    return {str(m.id): str(m.string) for m in catalogue if m.id and m.string and not m.fuzzy}


@dataclass(frozen=True)
class Words:
    """One language's words: call it with the English text and its `{placeholders}`."""

    lang: str

    def __call__(self, text: str, **values: Any) -> str:
        found = _catalogue(self.lang).get(text, text)
        return found.format(**values) if values else found

    def long_date(self, value: date) -> str:
        """ "3 March 2026", "3 mars 2026", "3 de marzo de 2026", "٣ مارس ٢٠٢٦"."""
        if self.lang == SOURCE:
            return f"{value.day} {format_date(value, 'MMMM y', locale='en')}"
        return format_date(value, "long", locale=self.lang)

    def span(self, start: date | None, end: date | None) -> str:
        """A batch's dates: "2 – 12 December 2026", "2–12 déc. 2026"; "" when unknown."""
        if self.lang == SOURCE or start is None or end is None:
            day = start or end
            if self.lang != SOURCE and day is not None:
                return self.long_date(day)
            return format_span(start, end)
        return str(format_interval(start, end, "yMMMMd", locale=self.lang))

    @property
    def right_to_left(self) -> bool:
        return self.lang in _RIGHT_TO_LEFT

    @property
    def direction(self) -> str:
        """The HTML `dir` of a page in this language."""
        return "rtl" if self.right_to_left else "ltr"


@functools.cache
def words(lang: str) -> Words:
    """The words of `lang`, one of `LANGUAGES` (else English)."""
    return Words(lang if lang in LANGUAGES else SOURCE)
