"""The certificate's and the verify page's words in the holder's language: every catalogue
translates every text the code uses, with the same placeholders; Odoo's `lang` values pick the
right catalogue, and an unknown one falls back."""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from sidecar.i18n import LANGUAGES, LOCALES, SOURCE, language_of, words

ROOT = Path(__file__).resolve().parents[1]
# How the code asks for a text: `_("...")` in templates, `w("...")`/`words(x)("...")` in Python.
USED = re.compile(r"""(?:\b_|\bw|\bwords\([^()]*\))\(\s*"((?:[^"\\]|\\.)+)"(?=\s*[,)])""")


def catalogue(lang: str) -> dict[str, str]:
    with (LOCALES / f"{lang}.po").open("rb") as po:
        return {str(m.id): str(m.string) for m in read_po(po) if m.id}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def texts_used() -> set[str]:
    found: set[str] = set()
    for folder in ("sidecar", "jobs", "verify_site"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".html") and "emulator" not in path.parts:
                found |= {m.replace('\\"', '"') for m in USED.findall(path.read_text("utf-8"))}
    return found


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != SOURCE])
def test_each_catalogue_translates_every_text_with_its_placeholders(lang: str) -> None:
    translated = catalogue(lang)
    english = catalogue("fr").keys()  # every catalogue holds the same texts
    assert translated.keys() == english
    for source, text in translated.items():
        assert text.strip(), f"{lang}: {source!r} has no translation"
        assert placeholders(text) == placeholders(source), f"{lang}: {source!r}"
    missing = texts_used() - translated.keys()
    assert not missing, f"{lang} lacks: {sorted(missing)}"


@pytest.mark.parametrize(
    ("odoo", "default", "chosen"),
    [
        ("fr_FR", "en", "fr"),
        ("fr_BE", "en", "fr"),
        ("es_419", "en", "es"),
        ("ar_001", "en", "ar"),
        ("en_US", "fr", "en"),
        ("de_DE", "es", "es"),  # no German catalogue: the configured default
        ("de_DE", "xx", "en"),  # nor that: English
        (None, "fr", "fr"),
        ("", "en", "en"),
    ],
)
def test_odoo_languages_pick_a_catalogue_or_fall_back(
    odoo: str | None, default: str, chosen: str
) -> None:
    assert language_of(odoo, default) == chosen


def test_words_dates_and_direction() -> None:
    day = date(2026, 3, 3)
    assert words("en")("Issued on") == "Issued on" and words("en").long_date(day) == "3 March 2026"
    assert words("fr")("Issued on") == "Délivré le" and words("fr").long_date(day) == "3 mars 2026"
    assert words("es").long_date(day) == "3 de marzo de 2026"
    assert words("ar")("Reason: {reason}", reason="خطأ") == "السبب: خطأ"
    assert words("ar").direction == "rtl" and words("fr").direction == "ltr"
    assert words("xx").lang == "en"


def test_batch_spans_in_each_language() -> None:
    start, end = date(2025, 3, 3), date(2025, 4, 25)
    assert words("en").span(start, end) == "3 March – 25 April 2025"
    # CLDR's own spacing: thin spaces around the dash
    assert words("fr").span(start, end) == "3 mars\u2009–\u200925 avr. 2025"
    assert words("es").span(start, end).replace("\u2009", " ") == "3 de marzo – 25 de abril de 2025"
    assert words("fr").span(None, end) == "25 avril 2025" and words("fr").span(None, None) == ""
