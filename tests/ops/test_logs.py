"""Log lines: one per record, text for people (no traceback), JSON for collectors."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from sidecar.cli import main
from sidecar.cli.logs import QUIET_LIBRARIES, setup


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    libraries = {name: logging.getLogger(name).level for name in QUIET_LIBRARIES}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, library_level in libraries.items():
        logging.getLogger(name).setLevel(library_level)


def _fail_and_log(logger: logging.Logger) -> None:
    try:
        raise ConnectionError("Odoo did not answer\nsecond line")
    except ConnectionError:
        logger.exception("sync pass failed", extra={"job": "sync", "rows": 12})


def test_json_lines_parse_and_carry_the_exception_as_one_field() -> None:
    out = io.StringIO()
    setup("info", "json", stream=out)
    log = logging.getLogger("ojt_sidecar.test")
    log.info("started %s", "sync")
    _fail_and_log(log)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["msg"] == "started sync" and first["level"] == "INFO"
    assert first["logger"] == "ojt_sidecar.test"
    assert first["ts"].endswith("Z") and "T" in first["ts"]
    assert second["job"] == "sync" and second["rows"] == 12
    assert "Traceback" in second["exc"]
    assert "ConnectionError: Odoo did not answer" in second["exc"]


def test_text_lines_show_the_error_on_the_same_line_without_a_traceback() -> None:
    out = io.StringIO()
    setup("INFO", "text", stream=out)
    _fail_and_log(logging.getLogger("ojt_sidecar.test"))
    text = out.getvalue()
    assert text.count("\n") == 1
    assert "Traceback" not in text
    assert "ERROR ojt_sidecar.test: sync pass failed job=sync rows=12" in text
    assert "(ConnectionError: Odoo did not answer)" in text


def test_level_filters_and_setup_again_replaces_its_handler() -> None:
    out = io.StringIO()
    setup("WARNING", "text", stream=out)
    setup("WARNING", "json", stream=out)
    logging.getLogger("ojt_sidecar.test").info("hidden")
    logging.getLogger("ojt_sidecar.test").warning("shown")
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["msg"] == "shown"


def test_a_bad_level_is_one_plain_sentence() -> None:
    with pytest.raises(ValueError, match="log level must be one of DEBUG, INFO"):
        setup("LOUD", "text")


def test_the_cli_takes_log_format_from_its_option_or_the_environment() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--log-format", "yaml", "check-config", "-c", "none.yaml"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "Invalid value for '--log-format'" in result.output
    result = runner.invoke(main, ["--help"], env={"OJT_SIDECAR_LOG_FORMAT": "json"})
    assert result.exit_code == 0 and "--log-format [text|json]" in result.output


def _library_chatter_and_ours() -> None:
    logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")
    logging.getLogger("alembic.runtime.migration").info("Will assume non-transactional DDL.")
    logging.getLogger("apscheduler.scheduler").info("Added job %r to job store %r", "sync", "db")
    logging.getLogger("apscheduler.executors.default").info(
        'Job "%s" executed successfully', "sync (trigger: interval[0:05:00])"
    )
    logging.getLogger("ojt_sidecar.service").info("sync: ok")


def test_at_info_alembic_and_apscheduler_chatter_is_held_back_but_warnings_pass() -> None:
    out = io.StringIO()
    setup("INFO", "text", stream=out)
    _library_chatter_and_ours()
    logging.getLogger("apscheduler.executors.default").warning("Run time of job was missed")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert "INFO ojt_sidecar.service: sync: ok" in lines[0]
    assert "WARNING apscheduler.executors.default: Run time of job was missed" in lines[1]


def test_at_debug_the_libraries_speak_again_even_after_a_quieter_setup() -> None:
    out = io.StringIO()
    setup("INFO", "json", stream=out)
    setup("DEBUG", "json", stream=out)  # `run -v`: the app's setup, then the service's
    _library_chatter_and_ours()
    loggers = [json.loads(line)["logger"] for line in out.getvalue().splitlines()]
    assert loggers == [
        "alembic.runtime.migration",
        "alembic.runtime.migration",
        "apscheduler.scheduler",
        "apscheduler.executors.default",
        "ojt_sidecar.service",
    ]


def test_above_warning_the_libraries_follow_our_level() -> None:
    out = io.StringIO()
    setup("ERROR", "text", stream=out)
    logging.getLogger("alembic.runtime.migration").warning("not shown")
    logging.getLogger("apscheduler.scheduler").error("shown")
    assert out.getvalue().count("\n") == 1 and "shown" in out.getvalue()
