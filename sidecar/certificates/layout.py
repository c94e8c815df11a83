"""Where the certificate's texts go, between the header and the bottom band, and how big they
are: the title, "This certifies that", the participant, "has successfully completed …", the
program, its batch and the message.

Every text is fitted (`fitting.py`): shrunk, then wrapped, down to its floor, never cut. When
the message would not fit above the bottom band, the texts above it and the gaps between them
are drawn smaller, step by step (`SCALES`), until it does. So a message of up to
MESSAGE_LIMIT characters and a name of up to NAME_LIMIT characters always fit above their
floors (tests/certificates/test_text_fit.py checks the worst case: a logo, and a title,
program and batch of 200 characters). Beyond that the texts still print whole, smaller than
their floors (down to HARD_FLOOR), and `name_problem` / `message_problem` say why they are too
long, for the issuing job and `check-config` to refuse them first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sidecar.certificates.fitting import Block, Spec, fit
from sidecar.certificates.limits import MESSAGE_FLOOR, MESSAGE_LIMIT, NAME_FLOOR, NAME_LIMIT
from sidecar.certificates.typefaces import unprintable

BOTTOM_BAND_TOP = 168.0  # the figures, issuer and QR code sit below this line
HARD_FLOOR = 4.0  # texts beyond their limits shrink down to this, never cut
SCALES = (1.0, 0.93, 0.86, 0.8, 0.74, 0.68, 0.62)  # the texts above the message, smaller
READABLE = 9.0  # the message is kept this big, if smaller texts above it allow, before its floor

TITLE = Spec("Times-Bold", 38, 20, 12, 600, 2)
CERTIFIES = Spec("Times-Italic", 15, 15, 5, 640, 2)  # "This certifies that", translated or not
NAME = Spec("Times-Bold", 36, 18, NAME_FLOOR, 620, 3)
COMPLETED = Spec("Times-Italic", 14, 14, 5, 640, 2)  # "has successfully completed …"
PROGRAM = Spec("Times-Bold", 23, 12, 9, 600, 2)
BATCH = Spec("Times-Roman", 13, 9, 7, 560, 2)
MESSAGE = Spec("Times-Italic", 12.5, 12.5, MESSAGE_FLOOR, 620, None, 1.28)
ISSUER = Spec("Times-Roman", 12, 7, 6, 220, 2)  # in the bottom band, over "Issued by"
ISSUER_LABEL = Spec("Helvetica-Bold", 10, 6, 5, 600, 2)  # at the top, when not letter-spaced
# The height the message always has, first baseline to last: what the worst case leaves (at
# the smallest scale, with a logo and every other text at its longest; a test measures it).
MESSAGE_HEIGHT = 70.0


class TextDoesNotFit(ValueError):
    """A text too long to print even in the smallest type; the message is one plain sentence."""


@dataclass(frozen=True)
class Placed:
    block: Block
    y: float  # the first line's baseline


@dataclass(frozen=True)
class Flow:
    """The middle of the page, top to bottom, at one scale."""

    scale: float
    title: Placed
    rule_y: float
    certifies: Placed
    name: Placed
    underline_y: float
    completed: Placed
    program: Placed
    batch: Placed | None
    message: Placed


@dataclass(frozen=True)
class Texts:
    title: str
    certifies: str  # "This certifies that"
    name: str
    completed: str  # "has successfully completed the training program"
    program: str
    batch: str | None  # the batch and its dates, as one line
    message: str


def plan(texts: Texts, top: float) -> Flow:
    """The largest layout in which every text fits above its floor, below the issuer's name
    at baseline `top`, the message at READABLE size or more if any allows it; failing that,
    the smallest, with texts below their floors."""
    for message_floor in (READABLE, MESSAGE_FLOOR):
        for scale in SCALES:
            flow = _flow(texts, top, scale, None, message_floor)
            if flow is not None:
                return flow
    flow = _flow(texts, top, SCALES[-1], HARD_FLOOR, HARD_FLOOR)
    if flow is None:
        raise TextDoesNotFit("The certificate's texts do not fit on the page even in 4 pt type.")
    return flow


def _flow(
    texts: Texts, top: float, s: float, floor: float | None, message_floor: float = MESSAGE_FLOOR
) -> Flow | None:
    """The layout at scale `s`, or None when a text does not fit (above `floor`, when given,
    instead of each text's own; the message above `message_floor`)."""
    title = _place(texts.title, TITLE.scaled(s), top - 44 * s, floor)
    if title is None:
        return None
    certifies = _place(texts.certifies, CERTIFIES.scaled(s), _last(title) - 54 * s, floor)
    name = certifies and _place(texts.name, NAME.scaled(s), _last(certifies) - 50 * s, floor)
    if certifies is None or name is None:
        return None
    completed = _place(texts.completed, COMPLETED.scaled(s), _last(name) - 40 * s, floor)
    program = completed and _place(
        texts.program, PROGRAM.scaled(s), _last(completed) - 32 * s, floor
    )
    if completed is None or program is None:
        return None
    batch = None
    if texts.batch:
        batch = _place(texts.batch, BATCH.scaled(s), _last(program) - 22 * s, floor)
        if batch is None:
            return None
    first = _last(batch or program) - 34 * s
    message = fit(texts.message, MESSAGE, height=first - BOTTOM_BAND_TOP, floor=message_floor)
    if message is None:
        return None
    return Flow(
        scale=s,
        title=title,
        rule_y=_last(title) - 16 * s,
        certifies=certifies,
        name=name,
        underline_y=_last(name) - 14 * s,
        completed=completed,
        program=program,
        batch=batch,
        message=Placed(message, first),
    )


def fitted(text: str, spec: Spec) -> Block:
    """`text` fitted by `spec`, below its floor when it must be (down to HARD_FLOOR)."""
    block = fit(text, spec) or fit(text, spec, floor=HARD_FLOOR)
    if block is None:
        raise TextDoesNotFit(f"The text {text[:40]!r}… does not fit on a certificate in 4 pt type.")
    return block


def _place(text: str, spec: Spec, y: float, floor: float | None) -> Placed | None:
    block = fit(text, spec, floor=floor)
    return None if block is None else Placed(block, y)


def _last(placed: Placed) -> float:
    """The baseline of the block's last line."""
    return placed.y - placed.block.depth


# --- the limits, for those who decide what is printed -------------------------------------


def name_problem(name: str) -> str | None:
    """Why `name` cannot be printed as it is on a certificate, or None when it fits: at most
    NAME_LIMIT characters, every one in a bundled font, and on at most three lines no smaller
    than NAME_FLOOR points. The reason is worded like `sidecar.issuance`'s, for the list of a
    review To-Do ("… has no certificate because: the name has 140 characters; …")."""
    return _problem("name", name, NAME_LIMIT) or (
        None
        if fit(name, NAME) is not None
        else f"the name is too wide for a certificate even at {NAME_FLOOR:g} pt on three lines"
    )


def message_problem(message: str) -> str | None:
    """Why the message (its placeholders filled in) cannot be printed as it is, or None when
    it fits: at most MESSAGE_LIMIT characters, every one in a bundled font, and within the
    height the fullest page leaves it in type no smaller than MESSAGE_FLOOR points."""
    return _problem("message", message, MESSAGE_LIMIT) or (
        None
        if fit(message, MESSAGE, height=MESSAGE_HEIGHT) is not None
        else f"the message does not fit on a certificate even at {MESSAGE_FLOOR:g} pt"
    )


def name_fits(name: str) -> bool:
    return name_problem(name) is None


def message_fits(message: str) -> bool:
    return message_problem(message) is None


def _problem(what: str, text: str, limit: int) -> str | None:
    length = len(" ".join(text.split()))
    if length > limit:
        return f"the {what} has {length} characters; a certificate prints at most {limit}"
    missing = unprintable(text)
    if missing:
        shown = " ".join(f"{ch} (U+{ord(ch):04X})" for ch in missing[:5])
        return f"the {what} has characters no certificate font can print: {shown}"
    return None
