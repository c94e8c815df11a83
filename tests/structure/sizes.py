"""Module and function sizes of the production code, against the targets of docs/architecture.md:
no module over 400 lines, no function over 60, and 90 % of functions at 30 lines or fewer.

Run by `./dev lint` (or `python -m tests.structure.sizes`); prints the figures and the worst
offenders, and exits 1 when a target is missed. The emulator counts too: it ships in the wheel.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("sidecar", "connectors", "jobs", "verify_site")
MAX_MODULE = 400
MAX_FUNCTION = 60
P90_FUNCTION = 30
# Data, not logic: the emulator's seeded records and the Alembic migrations.
EXEMPT = ("sidecar/emulator/demo_data.py", "sidecar/emulator/showcase_data.py", "migrations/")


@dataclass(frozen=True)
class Sized:
    where: str
    lines: int


def modules() -> list[Path]:
    found = [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))]
    return [p for p in found if not any(e in p.relative_to(ROOT).as_posix() for e in EXEMPT)]


def module_sizes(paths: list[Path]) -> list[Sized]:
    return [Sized(p.relative_to(ROOT).as_posix(), len(p.read_text().splitlines())) for p in paths]


def function_sizes(paths: list[Path]) -> list[Sized]:
    sizes = []
    for path in paths:
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                where = f"{path.relative_to(ROOT).as_posix()}:{node.lineno} {node.name}"
                sizes.append(Sized(where, (node.end_lineno or node.lineno) - first + 1))
    return sizes


def percentile(values: list[int], fraction: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0


def main() -> int:
    paths = modules()
    mods, funcs = module_sizes(paths), function_sizes(paths)
    big_mods = sorted((m for m in mods if m.lines > MAX_MODULE), key=lambda s: -s.lines)
    big_funcs = sorted((f for f in funcs if f.lines > MAX_FUNCTION), key=lambda s: -s.lines)
    p90 = percentile([f.lines for f in funcs], 0.9)
    print(f"sizes: {len(mods)} modules, {len(funcs)} functions")
    print(f"  modules over {MAX_MODULE} lines: {len(big_mods)} (target 0)")
    for m in big_mods:
        print(f"    {m.lines:5d}  {m.where}")
    print(f"  functions over {MAX_FUNCTION} lines: {len(big_funcs)} (target 0)")
    for f in big_funcs:
        print(f"    {f.lines:5d}  {f.where}")
    print(f"  function length p90: {p90} lines (target <= {P90_FUNCTION})")
    missed = bool(big_mods or big_funcs or p90 > P90_FUNCTION)
    print("sizes: targets missed" if missed else "sizes: targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
