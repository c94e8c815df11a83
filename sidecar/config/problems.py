"""What a broken configuration looks like to the operator: problems with a dotted path each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

# A location inside the configuration, as pydantic spells it: keys and list indices.
Loc = tuple[str | int, ...]


def format_path(loc: Iterable[str | int]) -> str:
    """Spell a location the way operators read it: `programs[1].courses[0].course`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with the configuration.

    `path` is dotted with list indices (`programs[1].courses[0].completion_threshold`), or `""`
    for problems with the file as a whole. `message` is one plain sentence. `line` and `column`
    (1-based) point into the YAML file when known; they are not part of `str(problem)`.
    """

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(Exception):
    """The configuration cannot be used; `problems` lists everything found, in file order."""

    def __init__(self, problems: Sequence[ConfigProblem], source: str | Path | None = None) -> None:
        self.problems: list[ConfigProblem] = list(problems)
        self.source = str(source) if source is not None else None
        super().__init__(self._render())

    def _render(self) -> str:
        count = len(self.problems)
        where = f" in {self.source}" if self.source else ""
        head = f"{count} problem{'s' if count != 1 else ''}{where}:"
        lines = [head]
        for problem in self.problems:
            # Whole-file problems already say where they are in their message.
            at = f" (line {problem.line})" if problem.line is not None and problem.path else ""
            lines.append(f"  - {problem}{at}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._render()
