"""The rooms of docs/architecture.md hold: the import contracts in pyproject.toml pass, a forbidden
import makes them fail, every module of `sidecar/` is placed in a room, and no import circle
exists outside the emulator."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("sidecar", "connectors", "jobs", "verify_site")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four packages and pyproject.toml, copied so that a test may break them."""
    tree = tmp_path_factory.mktemp("tree")
    shutil.copy(ROOT / "pyproject.toml", tree)
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return tree


def test_the_contracts_hold() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("sidecar/figures/rules.py", "import jobs.deliver", "The core"),
        ("verify_site/records.py", "import connectors.client", "The public site"),
        ("connectors/paging.py", "import sidecar.store.models", "The connector speaks Odoo"),
        ("jobs/sync/runner.py", "import sidecar.cli.app", "The CLI wires jobs"),
        ("jobs/deliver.py", "import sidecar.emulator", "only the demo starts it"),
        ("jobs/issue/make.py", "import verify_site.serve", "only the service's web module"),
        ("jobs/incremental/cursors.py", "import jobs.sync.runner", "Inside jobs"),
        ("sidecar/cockpit/reads.py", "import jobs.signin", "The cockpit reads the store"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(
    tree_copy: Path, module: str, line: str, contract: str
) -> None:
    target = tree_copy / module
    original = target.read_text()
    target.write_text(original + f"\n{line}  # noqa\n")
    try:
        result = _lint_imports(tree_copy)
    finally:
        target.write_text(original)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout


def test_every_module_of_sidecar_has_a_room() -> None:
    """A new module of `sidecar/` must be named in the core contract, be the cockpit (its own
    contract), or live in the CLI or the emulator: otherwise nothing would check what it
    imports."""
    (core,) = [c for c in _contracts() if c["id"] == "core"]
    (cockpit,) = [c for c in _contracts() if c["id"] == "cockpit"]
    placed = {str(m) for m in core["source_modules"]} | {"sidecar.cli", "sidecar.emulator"}  # type: ignore[attr-defined]
    placed |= {str(m) for m in cockpit["source_modules"]}  # type: ignore[attr-defined]
    children = {
        f"sidecar.{p.stem}"
        for p in (ROOT / "sidecar").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    assert children - placed == set()


def test_no_import_circle_outside_the_emulator() -> None:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    ours = {m for m in graph.modules if not m.startswith("sidecar.emulator")}
    circles = [
        sorted(component)
        for component in _strongly_connected(ours, graph.find_modules_directly_imported_by)
        if len(component) > 1
    ]
    assert circles == []


def _strongly_connected(nodes: set[str], edges: object) -> list[set[str]]:
    """Tarjan's algorithm, iteratively (the import graph is a few hundred modules)."""
    successors = {n: sorted(set(edges(n)) & nodes) for n in nodes}  # type: ignore[operator]
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(successors[node]):
                work.append((node, i + 1))
                nxt = successors[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def test_the_circle_finder_finds_a_circle() -> None:
    edges = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}
    components = _strongly_connected(set(edges), lambda n: edges[n])
    assert {"a", "b", "c"} in components
    assert {"d"} in components


ODOO_MODEL = re.compile(r"^(slide|hr|event|survey|mail|res|ir|portal|website)\.[a-z_.]+$")


def test_only_the_odoo_adapters_spell_odoo_model_names() -> None:
    """`jobs/odoo/` is where the jobs' knowledge of Odoo lives; a model name written elsewhere
    in `jobs/` would escape `ojt-sidecar check` and the next Odoo version's review."""
    spelled = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}"
        for path in sorted((ROOT / "jobs").rglob("*.py"))
        if "odoo" not in path.relative_to(ROOT / "jobs").parts[:1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and ODOO_MODEL.match(node.value)
    ]
    assert spelled == []


def test_the_model_name_check_recognises_a_model_name() -> None:
    assert ODOO_MODEL.match("slide.channel.partner")
    assert ODOO_MODEL.match("hr.applicant")
    assert not ODOO_MODEL.match("ojt_sidecar.enroll")
