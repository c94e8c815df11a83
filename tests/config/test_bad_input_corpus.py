"""Every malformed config of the corpus (tests/config/bad_configs.py) through the real command,
`ojt-sidecar check-config -c FILE`: exit 2, no traceback, one sentence per problem naming the
setting at fault, and never a secret. A mutation that happens to leave the config valid exits
0, and then what the service builds from it must build."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sidecar.cli import main
from sidecar.config import Config, load_config
from sidecar.config.problems import Loc, format_path
from tests.config.bad_configs import (
    DIRECTORY,
    GENERATED,
    HAND_WRITTEN,
    HOSTILE,
    MISSING,
    SECRETS,
    Bad,
    Mutation,
    base,
    dump,
    mutation,
    paths,
    summary,
)

CLI = [sys.executable, "-c", "import sys; from sidecar.cli import run; sys.exit(run())"]


def materialize(content: str | bytes, folder: Path) -> Path:
    """The file `check-config` is given: written, or a folder, or a path to nothing."""
    (folder / "var").mkdir(exist_ok=True)
    if content == DIRECTORY:
        return folder / "var"
    if content == MISSING:
        return folder / "absent.yaml"
    path = folder / "config.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def check_config(path: Path) -> Result:
    return CliRunner().invoke(main, ["check-config", "-c", str(path)])


def assert_no_crash_and_no_secret(result: Result) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert isinstance(result.exception, SystemExit) or result.exception is None, repr(
        result.exception
    )
    for secret in SECRETS:
        assert secret not in output, f"{secret} shown: {output}"


def problem_lines(result: Result, path: Path) -> list[str]:
    """The problem sentences, without the file name that starts each line."""
    lines = result.stderr.splitlines()
    assert lines, "a refused config says why"
    if not lines[0].startswith(f"{path}: "):  # click's own usage error: `-c` names the file
        assert "Invalid value for '-c' / '--config'" in result.stderr
        return [line for line in lines if line.startswith("Error: ")]
    assert all(line.startswith(f"{path}: ") for line in lines), result.stderr
    assert lines[-1].endswith(" found"), lines[-1]
    return [line.removeprefix(f"{path}: ") for line in lines[:-1]]


def assert_refused(result: Result, path: Path, at: str) -> None:
    assert_no_crash_and_no_secret(result)
    assert result.exit_code == 2, result.output
    sentences = problem_lines(result, path)
    assert sentences
    assert any(at in sentence for sentence in sentences), (at, sentences)
    # One sentence each: no pydantic dumps, no multi-line reprs.
    for sentence in sentences:
        assert "pydantic" not in sentence and "input_value" not in sentence, sentence
        assert "For further information" not in sentence, sentence


@pytest.mark.parametrize("case", HAND_WRITTEN, ids=[c.name for c in HAND_WRITTEN])
def test_a_hand_written_bad_config_is_named(tmp_path: Path, case: Bad) -> None:
    path = materialize(case.content, tmp_path)
    assert_refused(check_config(path), path, case.at)


def related(loc: Loc) -> str:
    """What a sentence about a mutation at `loc` must name: the setting, its section, or (for
    rules between settings) the section two levels up."""
    return format_path(loc[: max(1, len(loc) - 2)])


def build_what_the_service_builds(cfg: Config) -> None:
    """What `run` and `serve` make from a config before any Odoo call: none may raise."""
    from jobs.odoo_session import client_from_config
    from jobs.service.schedule import first_runs, make_scheduler
    from verify_site.app import create_app

    now = datetime.now(UTC)
    client_from_config(cfg)
    for schedule in cfg.schedules.jobs().values():
        schedule.trigger(timezone=UTC).get_next_fire_time(None, now)
    first_runs(cfg.schedules.jobs(), {"sync": now}, now)
    make_scheduler(cfg, 2)
    cfg.certificates.verification_url("ABCD-EFGH-JKMN-PQRS-T")
    cfg.required_apps()
    assert cfg.store.display_url
    create_app(cfg)


def check_mutation(case: Mutation, folder: Path) -> int:
    path = materialize(case.content, folder)
    result = check_config(path)
    assert_no_crash_and_no_secret(result)
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        sentences = problem_lines(result, path)
        assert any(related(case.loc) in s for s in sentences), (case.name, sentences)
    else:
        build_what_the_service_builds(load_config(path))
    return result.exit_code


@pytest.mark.parametrize("case", GENERATED, ids=[c.name for c in GENERATED])
def test_a_hostile_value_anywhere_is_named_or_harmless(tmp_path: Path, case: Mutation) -> None:
    check_mutation(case, tmp_path)


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    loc=st.sampled_from(paths(base())),
    value=st.one_of(
        st.sampled_from(HOSTILE),
        st.integers(),
        st.floats(),
        st.text(max_size=30),
        st.lists(st.integers(), max_size=3),
    ),
    add_key=st.booleans(),
)
def test_hypothesis_mutations_are_named_or_harmless(
    tmp_path: Path, loc: Loc, value: Any, add_key: bool
) -> None:
    data: Any = base()
    for part in loc:
        data = data[part]
    case = mutation(loc, value, add_key=add_key and isinstance(data, dict))
    check_mutation(case, tmp_path)


def test_the_corpus_is_large() -> None:
    assert len(HAND_WRITTEN) >= 150 and len(GENERATED) >= 150
    print(summary())  # the counts the issue asks for, shown with -s


def test_the_base_config_is_valid(tmp_path: Path) -> None:
    path = materialize(dump(base()), tmp_path)
    result = check_config(path)
    assert result.exit_code == 0, result.output
    build_what_the_service_builds(load_config(path))


SUBPROCESS_CASES = [
    "billion laughs",
    "binary junk",
    "a directory",
    "odoo url 'http://admin:Url-S3cret-pw@127.0.0.1:8069'",
    "course 2^80",
    "infinite timeout",
]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_a_real_process_prints_no_traceback(tmp_path: Path, name: str) -> None:
    case = next(c for c in HAND_WRITTEN if c.name == name)
    path = materialize(case.content, tmp_path)
    done = subprocess.run(
        [*CLI, "check-config", "-c", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert case.at in done.stderr
    assert not any(secret in done.stderr for secret in SECRETS)
