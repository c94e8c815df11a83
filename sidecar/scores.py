"""The CSV file of offline scores (`ojt-sidecar scores import FILE.csv`): read and checked here,
without the store or Odoo, so that every bad row is named with its line and reason and no bad
row stops the others.

The file: UTF-8 (a byte-order mark is fine), separated by commas, semicolons or tabs, with a
header row naming the columns in any order and any case:

    trainee,batch,assignment,score,max_score,feedback
    ana@example.com,Welding December,T-joint,8.5,10,Clean seam
    42,Welding December,T-joint,7,,

- `trainee`: the trainee's e-mail, or their Odoo contact (res.partner) id;
- `batch`, `assignment`: as named in Odoo (the batch event's name, the assignment's title);
- `score`: a number, 0 or more (a decimal comma is accepted: `8,5`);
- `max_score` (optional): above 0; empty means the assignment's own maximum;
- `feedback` (optional): text for the trainee, at most 2,000 characters.

Whether the trainee, batch and assignment exist is for the importer to say; this module only
says whether each row can mean anything.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass

REQUIRED = ("trainee", "batch", "assignment", "score")
OPTIONAL = ("max_score", "feedback")
MAX_BYTES = 10_000_000
MAX_ROWS = 100_000
MAX_FEEDBACK = 2000
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DECIMAL = re.compile(r"[0-9]{1,15}(\.[0-9]{0,15})?|\.[0-9]{1,15}")


class ScoresFileError(Exception):
    """The file as a whole cannot be read: one sentence saying why."""


@dataclass(frozen=True)
class ScoreRow:
    line: int
    trainee: str | int  # an e-mail (lower-cased) or a partner id
    batch: str
    assignment: str
    score: float
    max_score: float | None
    feedback: str


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class ScoresFile:
    rows: list[ScoreRow]
    problems: list[RowProblem]


def read_scores(data: bytes) -> ScoresFile:
    """Every row that can be imported, and every one that cannot, with why."""
    if len(data) > MAX_BYTES:
        raise ScoresFileError(f"the file is larger than {MAX_BYTES // 1_000_000} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScoresFileError(
            f"the file is not UTF-8 text (byte {exc.start + 1}); save it as CSV UTF-8"
        ) from None
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise ScoresFileError("the file is empty; it needs a header row and one row per score")
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(lines[0]))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        columns = _columns(header)
        rows: list[ScoreRow] = []
        problems: list[RowProblem] = []
        seen: dict[tuple[str | int, str, str], int] = {}
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) + len(problems) >= MAX_ROWS:
                raise ScoresFileError(f"the file has more than {MAX_ROWS:,} rows; split it")
            found = _row(line, cells, columns, len(header))
            if isinstance(found, RowProblem):
                problems.append(found)
                continue
            key = (found.trainee, found.batch.casefold(), found.assignment.casefold())
            if key in seen:
                problems.append(
                    RowProblem(line, f"the same trainee, batch and assignment as line {seen[key]}")
                )
                continue
            seen[key] = line
            rows.append(found)
    except csv.Error as exc:
        raise ScoresFileError(f"line {reader.line_num}: not a CSV row ({exc})") from None
    return ScoresFile(rows, problems)


def _dialect(first_line: str) -> type[csv.Dialect]:
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    separator = max(counts, key=lambda sep: counts[sep])

    class Dialect(csv.excel):
        delimiter = separator
        strict = True  # an unclosed quote is an error, not the rest of the file in one cell

    return Dialect


def _columns(header: list[str]) -> dict[str, int]:
    unknown = [name for name in header if name not in REQUIRED + OPTIONAL]
    if unknown:
        raise ScoresFileError(
            f"line 1: unknown column {unknown[0]!r}; the columns are "
            + ", ".join(REQUIRED + OPTIONAL)
        )
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        raise ScoresFileError(f"line 1: the column {twice[0]!r} appears twice")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ScoresFileError(
            f"line 1: the header has no {missing[0]!r} column; it needs "
            + ", ".join(REQUIRED)
            + " (and may have "
            + ", ".join(OPTIONAL)
            + ")"
        )
    return {name: header.index(name) for name in header}


def _row(line: int, cells: list[str], columns: dict[str, int], width: int) -> ScoreRow | RowProblem:
    if len(cells) > width:
        return RowProblem(line, f"{len(cells)} cells, but the header names {width} columns")

    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    trainee = _trainee(cell("trainee"))
    if trainee is None:
        return RowProblem(line, "trainee must be an e-mail address or an Odoo contact id")
    for name in ("batch", "assignment"):
        if not cell(name):
            return RowProblem(line, f"{name} is empty")
    score = _number(cell("score"))
    if score is None or score < 0:
        return RowProblem(line, f"score must be a number, 0 or more (got {cell('score')!r})")
    max_score = _number(cell("max_score")) if cell("max_score") else None
    if cell("max_score") and (max_score is None or max_score <= 0):
        return RowProblem(line, f"max_score must be a number above 0 (got {cell('max_score')!r})")
    if max_score is not None and score > max_score:
        return RowProblem(line, f"score {score:g} is above max_score {max_score:g}")
    feedback = cell("feedback")
    if len(feedback) > MAX_FEEDBACK:
        return RowProblem(line, f"feedback is longer than {MAX_FEEDBACK:,} characters")
    return ScoreRow(line, trainee, cell("batch"), cell("assignment"), score, max_score, feedback)


def _trainee(value: str) -> str | int | None:
    if value.isdigit() and value.isascii() and 0 < int(value) < 2**31:
        return int(value)
    if _EMAIL.fullmatch(value):
        return value.lower()
    return None


def _number(value: str) -> float | None:
    """A plain decimal (no sign, exponent or digit grouping), with a point or a comma."""
    if value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")
    if not _DECIMAL.fullmatch(value):
        return None
    number = float(value)
    return number if math.isfinite(number) else None
