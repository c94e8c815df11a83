"""Certificate serials: 80 random bits in Crockford base32 plus one check character.

Canonical form: ``ABCD-EFGH-JKMN-PQRS-T`` — sixteen data characters in four groups, then the
check character. The check character is *not* Crockford's mod-37 symbol: it is a weighted sum
over the field GF(32), chosen because it stays inside the 32-character alphabet (no ``*~$=U`` in
URLs or on paper) and detects strictly more errors. With the weights ``α^0 … α^16`` (α a
primitive element of GF(32)) on the seventeen characters, a valid serial satisfies
``Σ α^i · s_i = 0``. Then:

- any single substitution, at any position including the check character, changes the sum by
  ``α^i · (a ⊕ b) ≠ 0``;
- any adjacent transposition, including the last data character with the check character,
  changes it by ``(α^i ⊕ α^(i+1)) · (a ⊕ b) ≠ 0``, because the seventeen weights are distinct.

So every single-character substitution and every adjacent transposition is told apart as a
typo, with no exceptions (the tests check this exhaustively for random serials).
"""

from __future__ import annotations

import re
import secrets
from typing import Literal

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DATA_CHARS = 16
LENGTH = DATA_CHARS + 1
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
# Crockford's reading rules: case-insensitive, I and L read as 1, O as 0.
_SUBSTITUTE = {"I": "1", "L": "1", "O": "0"}
_IGNORED = frozenset(" -\t")
# Longest input worth looking at: a serial with a separator between every character and some
# slack. Anything longer is not a serial, and we refuse it before doing any work.
_MAX_INPUT = 4 * LENGTH + 16

# GF(32) with the primitive polynomial x^5 + x^2 + 1: exponent and logarithm tables.
_EXP: list[int] = []
_x = 1
for _ in range(31):
    _EXP.append(_x)
    _x <<= 1
    if _x & 0b100000:
        _x ^= 0b100101
_LOG = {v: i for i, v in enumerate(_EXP)}


def _mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[(_LOG[a] + _LOG[b]) % 31]


def _weighted_sum(values: list[int]) -> int:
    total = 0
    for i, v in enumerate(values):
        total ^= _mul(_EXP[i % 31], v)
    return total


def _check_value(data: list[int]) -> int:
    """The check value c with Σ α^i·d_i ⊕ α^16·c = 0, i.e. c = α^-16 · Σ α^i·d_i."""
    return _mul(_EXP[(31 - DATA_CHARS) % 31], _weighted_sum(data))


_CANONICAL = re.compile(
    rf"(?:[{re.escape(ALPHABET)}]{{4}}-){{{LENGTH // 4}}}[{re.escape(ALPHABET)}]{{{LENGTH % 4}}}",
    re.ASCII,
)


def _format(chars: str) -> str:
    return "-".join(chars[i : i + 4] for i in range(0, LENGTH, 4))


def new_serial() -> str:
    """A fresh serial (80 bits from `secrets`) in canonical form."""
    number = secrets.randbits(5 * DATA_CHARS)
    data = [(number >> (5 * i)) & 31 for i in range(DATA_CHARS)]
    chars = "".join(ALPHABET[v] for v in data) + ALPHABET[_check_value(data)]
    return _format(chars)


def _characters(text: str) -> str | None:
    if not isinstance(text, str) or len(text) > _MAX_INPUT:
        return None
    if _CANONICAL.fullmatch(text):  # the common case (a scanned QR code), without the loop
        return text.replace("-", "")
    out = []
    for c in text:
        if c in _IGNORED:
            continue
        if not c.isascii():  # "ı".upper() == "I": only ASCII may be read as a serial character
            return None
        c = c.upper()
        c = _SUBSTITUTE.get(c, c)
        if c not in _VALUE:
            return None
        out.append(c)
    if len(out) != LENGTH:
        return None
    return "".join(out)


def normalize(text: str) -> str | None:
    """The canonical form of `text`, or None when it is not shaped like a serial at all (wrong
    length or characters). The check character is not verified here: see `check`."""
    chars = _characters(text)
    return None if chars is None else _format(chars)


def check(text: str) -> Literal["ok", "malformed", "typo"]:
    """ "ok", "malformed" (not shaped like a serial) or "typo" (shaped like one, but the check
    character does not match: most likely mistyped, not forged)."""
    chars = _characters(text)
    if chars is None:
        return "malformed"
    values = [_VALUE[c] for c in chars]
    return "ok" if _weighted_sum(values) == 0 else "typo"
