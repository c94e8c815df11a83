"""Log setup: human-readable lines (default) or JSON lines for log collectors.

Both shapes are one line per record. The text shape never prints a traceback: an exception is
reduced to `(ExcType: first line of its message)` on the same line, as the CLI promises that
people never see a stack. The JSON shape carries the full traceback as one string field `exc`
(newlines escaped), so nothing is lost for whoever reads the collector.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

LogFormat = Literal["text", "json"]
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# Libraries whose INFO lines are routine chatter, not news for an operator: Alembic's "Context
# impl SQLiteImpl." at every start, APScheduler's "Added job" / "Running job" / "Job … executed
# successfully" at every run. They are held at WARNING unless we log at DEBUG (`-v`).
QUIET_LIBRARIES = ("alembic", "apscheduler")

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


def _exception_summary(record: logging.LogRecord) -> str | None:
    if not record.exc_info or record.exc_info[1] is None:
        return None
    exc = record.exc_info[1]
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


class TextFormatter(logging.Formatter):
    """`2026-01-05T10:00:00.123Z INFO ojt_sidecar.sync: message key=value (Error: reason)`."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().replace("\n", " ⏎ ")
        parts = [_timestamp(record), record.levelname, f"{record.name}: {message}"]
        parts.extend(f"{k}={_plain(v)}" for k, v in _extras(record).items())
        summary = _exception_summary(record)
        if summary:
            parts.append(f"({summary.replace(chr(10), ' ')})")
        return " ".join(parts)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (ISO UTC), level, logger, msg, extra fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in _extras(record).items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info).rstrip()
        elif record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, default=str, ensure_ascii=False)


def _plain(value: Any) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if (" " in text or not text) else text


class _OurHandler(logging.StreamHandler):
    """Marks the handler `setup` installed, so calling it again replaces it."""


def setup(level: str, fmt: LogFormat, *, stream: TextIO | None = None) -> logging.Handler:
    """Route every log record to `stream` (default stderr) in the given shape, from `level` up.

    Safe to call again (the `run` command does, with the config's level): the handler installed
    before is replaced, handlers others installed are left alone. The `QUIET_LIBRARIES` log
    from WARNING up (or from `level` when it is higher); at DEBUG they log everything.
    """
    name = level.upper()
    if name not in LEVELS:
        raise ValueError(f"log level must be one of {', '.join(LEVELS)} (got {level!r})")
    if fmt not in ("text", "json"):
        raise ValueError(f"log format must be text or json (got {fmt!r})")
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(old)
    handler = _OurHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(name)
    # A level on the library's own logger, not a handler filter: records below it are never
    # made. Never below our level either, since propagation to the root's handlers does not
    # check the root's level again.
    quiet = (
        logging.NOTSET
        if name == "DEBUG"
        else max(logging.WARNING, logging.getLevelNamesMapping()[name])
    )
    for library in QUIET_LIBRARIES:
        logging.getLogger(library).setLevel(quiet)
    logging.captureWarnings(True)
    return handler
