"""The docs stand on their own and their commands run from any checkout."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _tracked(*patterns: str) -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [ROOT / name for name in listed.stdout.split()]


def test_nothing_cites_a_document_outside_the_repository() -> None:
    outside = re.compile(r"BRIEF|quirks|performance\.md|\.\./shared|odoo-reference")
    cited = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _tracked("*.py", "*.md", "*.yaml", "*.toml")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if outside.search(line) and path.name != "test_docs.py"
    ]
    assert cited == []


def test_doc_commands_do_not_cd_into_one_machines_checkout() -> None:
    absolute_cd = re.compile(r"(^|[;&|]\s*)cd\s+/")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _tracked("*.md")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if absolute_cd.search(line.strip())
    ]
    assert found == []
