"""The command line as an operator meets it: exit codes, one line per problem, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sidecar.cli import main
from sidecar.emulator import OdooEmulator

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config.example.yaml"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def emulator_config(tmp_path: Path, emu: OdooEmulator, **replace: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("http://127.0.0.1:8069", emu.url)
    for old, new in replace.items():
        text = text.replace(old, new)
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "var").mkdir(exist_ok=True)
    return path


def test_example_config_is_valid() -> None:
    code, out, _ = invoke("check-config", "-c", str(EXAMPLE))
    assert code == 0
    assert out.count("\n") == 1 and "valid" in out


def test_three_mistakes_give_three_path_named_lines_and_exit_2(tmp_path: Path) -> None:
    broken = EXAMPLE.read_text(encoding="utf-8")
    broken = broken.replace("timeout_seconds: 30", "timeout_seconds: soon", 1)
    broken = broken.replace("completion_threshold: 100", "completion_threshold: 150", 1)
    broken = broken.replace("transport: auto", "transport: soap", 1)
    path = tmp_path / "broken.yaml"
    path.write_text(broken, encoding="utf-8")
    code, out, err = invoke("check-config", "-c", str(path))
    assert code == 2
    problems = [line for line in err.splitlines() if not line.endswith("found")]
    assert len(problems) == 3, err
    assert any("odoo.timeout_seconds" in p for p in problems)
    assert any("odoo.transport" in p for p in problems)
    assert any("completion_threshold" in p and "programs[" in p for p in problems)
    assert "Traceback" not in err + out


def test_missing_config_file_is_one_plain_error(tmp_path: Path) -> None:
    code, _, err = invoke("check-config", "-c", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "Traceback" not in err and "nope.yaml" in err


def test_bare_command_shows_the_commands_and_exits_0() -> None:
    code, out, _ = invoke()
    assert code == 0
    assert "check-config" in out and "Commands:" in out


def test_check_against_the_emulator_passes(tmp_path: Path, emu: OdooEmulator) -> None:
    config = str(emulator_config(tmp_path, emu))
    assert invoke("keys", "generate", "-c", config)[0] == 0
    code, out, err = invoke("check", "-c", config)
    assert code == 0, out + err
    assert "Odoo 17.0" in out
    assert "OK    signing key" in out
    assert "FAIL" not in out


def test_check_fails_without_a_signing_key_and_says_how_to_make_one(
    tmp_path: Path, emu: OdooEmulator
) -> None:
    code, out, _ = invoke("check", "-c", str(emulator_config(tmp_path, emu)))
    assert code == 1
    (line,) = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert "signing key" in line and "ojt-sidecar keys generate" in line


def test_check_config_warns_of_a_missing_signing_key_but_the_config_is_valid(
    tmp_path: Path, emu: OdooEmulator
) -> None:
    config = str(emulator_config(tmp_path, emu))
    code, out, err = invoke("check-config", "-c", config)
    assert code == 0 and "valid" in out
    assert "warning: no signing key at" in err and "keys generate" in err
    invoke("keys", "generate", "-c", config)
    code, _, err = invoke("check-config", "-c", config)
    assert code == 0 and err == ""


def test_check_ignores_a_missing_ojt_stage_when_no_program_lists_jobs(
    tmp_path: Path, emu: OdooEmulator
) -> None:
    config = emulator_config(tmp_path, emu, **{"ojt_stage: On the Job Training": "ojt_stage: Nope"})
    invoke("keys", "generate", "-c", str(config))
    code, out, _ = invoke("check", "-c", str(config))
    assert code == 1 and "Nope" in out  # the example's programs list jobs: the stage is needed
    text = config.read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("jobs:"))
    config.write_text(text, encoding="utf-8")
    code, out, err = invoke("check", "-c", str(config))
    assert code == 0, out + err
    assert "Nope" not in out and "stage" not in out


def test_check_with_a_wrong_password_fails_with_one_finding(
    tmp_path: Path, emu: OdooEmulator
) -> None:
    config = emulator_config(tmp_path, emu, **{"${ODOO_PASSWORD:-admin}": "wrong"})
    code, out, _ = invoke("check", "-c", str(config))
    assert code == 1
    assert "FAIL" in out and "refused" in out


def test_check_names_a_course_missing_in_odoo(tmp_path: Path, emu: OdooEmulator) -> None:
    config = emulator_config(tmp_path, emu, **{"Choose your wood!": "No Such Course"})
    code, out, _ = invoke("check", "-c", str(config))
    assert code == 1
    assert "No Such Course" in out


def test_sync_dry_run_reads_odoo_and_keeps_nothing(tmp_path: Path, emu: OdooEmulator) -> None:
    config = str(emulator_config(tmp_path, emu))
    code, out, err = invoke("sync", "-c", config, "--dry-run")
    assert code == 0, out + err
    assert "Dry run: " in out and " would change; " in out and " 0 would change" not in out
    code, out, _ = invoke("status", "-c", config, "--json")
    status = json.loads(out)
    assert status["last_successful_sync"]["finished_at"] is None
    assert sum(p["students"] for p in status["programs"]) == 0


def test_sync_then_status_then_students(tmp_path: Path, emu: OdooEmulator) -> None:
    config = str(emulator_config(tmp_path, emu))
    code, out, err = invoke("sync", "-c", config)
    assert code == 0, out + err
    assert "rows read" in out
    code, out, _ = invoke("sync", "-c", config)
    assert code == 0 and " 0 changed" in out
    code, out, _ = invoke("status", "-c", config, "--json")
    status = json.loads(out)
    assert status["last_successful_sync"]["finished_at"] is not None
    assert sum(p["students"] for p in status["programs"]) > 0
    key = status["programs"][0]["key"]
    code, out, _ = invoke("students", "-c", config, "--program", key, "--json")
    assert code == 0
    assert isinstance(json.loads(out), list)


def test_students_of_an_unknown_program_is_a_usage_error(tmp_path: Path, emu: OdooEmulator) -> None:
    code, out, err = invoke(
        "students", "-c", str(emulator_config(tmp_path, emu)), "--program", "nope"
    )
    # On stderr: a script reading the table (or --json) from stdout gets nothing half-true.
    assert code == 2 and "no program 'nope'" in err and out == ""


def test_db_upgrade_is_idempotent(tmp_path: Path, emu: OdooEmulator) -> None:
    config = str(emulator_config(tmp_path, emu))
    assert invoke("db", "upgrade", "-c", config)[0] == 0
    code, out, _ = invoke("db", "upgrade", "-c", config)
    assert code == 0 and "already at revision" in out


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["sync", "--help"]])
def test_help_is_available(args: list[str]) -> None:
    code, out, _ = invoke(*args)
    assert code == 0 and "Usage" in out


def test_unreachable_odoo_is_reported_without_traceback(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "http://127.0.0.1:8069", "http://127.0.0.1:9"
    )
    # Retries end in the same sentence; the example's backoff would only make the test wait.
    text = text.replace("max_attempts: 5 ", "max_attempts: 2 ")
    text = text.replace("initial_backoff_seconds: 0.5 ", "initial_backoff_seconds: 0.05 ")
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    env = {**os.environ, "ODOO_PASSWORD": "x"}
    done = subprocess.run(
        [sys.executable, "-c", "from sidecar.cli import run; run()", "sync", "-c", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "refused" in done.stderr


def test_store_from_a_newer_version_is_one_plain_error(tmp_path: Path, emu: OdooEmulator) -> None:
    import sqlite3

    config = emulator_config(tmp_path, emu)
    db = tmp_path / "var" / "ojt-sidecar.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
    code, _, err = invoke("status", "-c", str(config))
    assert code == 1
    assert "cannot be migrated" in err and "Traceback" not in err


def test_a_store_folder_that_cannot_be_created_is_one_plain_error(
    tmp_path: Path, emu: OdooEmulator
) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be")
    config = emulator_config(
        tmp_path, emu, **{"sqlite:///var/ojt-sidecar.db": "sqlite:///blocker/sub/store.db"}
    )
    code, _, err = invoke("status", "-c", str(config))
    assert code == 1
    assert "blocker" in err and "Traceback" not in err
