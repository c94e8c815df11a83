"""load_config: file → YAML → `${VAR}` interpolation → validated `Config`, or one ConfigError
that lists every problem found, each with a dotted path and a plain sentence."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from sidecar.config.interpolate import interpolate
from sidecar.config.messages import describe, mask_credentials, translate
from sidecar.config.models import Config
from sidecar.config.problems import ConfigError, ConfigProblem, Loc, format_path
from sidecar.config.yamlfile import YamlDocument, YamlSyntaxError, parse_yaml


def load_config(path: str | Path, environ: Mapping[str, str] | None = None) -> Config:
    """Load and validate the configuration file at `path`.

    `${VAR}` and `${VAR:-default}` in string values are read from `environ` (default
    `os.environ`); `$$` is a literal `$`. Relative file settings are resolved against the
    file's directory. Raises ConfigError with every problem found (never a traceback): an
    unreadable file, invalid YAML, unset variables, unknown keys, bad values and
    inconsistent settings alike.
    """
    source = Path(path).expanduser()
    document = _read(source)
    if not isinstance(document.data, Mapping):
        what = "empty" if document.data is None else f"{describe(document.data)}, not a mapping"
        raise ConfigError(
            [ConfigProblem("", f"the file must hold a mapping of settings (it is {what})", 1)],
            source,
        )
    env = os.environ if environ is None else environ
    data, env_problems = interpolate(document.data, env)
    found: list[tuple[Loc, str]] = [*document.duplicates, *env_problems]
    try:
        config = Config.model_validate(data, context={"config_dir": source.absolute().parent})
    except ValidationError as exc:
        # A value whose variable is missing is reported once, for the variable.
        unset = [loc for loc, _ in env_problems]
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            if not any(loc[: len(u)] == u for u in unset):
                found.append((loc, translate(error, Config)))
    if found:
        raise ConfigError(_problems(found, document), source)
    return config


# A config is a few kilobytes; reading stops well beyond that (`-c /dev/zero` never ends).
MAX_BYTES = 1024 * 1024


def _read(source: Path) -> YamlDocument:
    try:
        with source.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise ConfigError(
                [ConfigProblem("", f"{source} is larger than 1 MiB: that is not a config file")]
            )
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigProblem("", f"config file {source} does not exist")]) from None
    except IsADirectoryError:
        raise ConfigError([ConfigProblem("", f"{source} is a directory, not a file")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [ConfigProblem("", f"config file {source} is not UTF-8 text (byte {exc.start})")]
        ) from None
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise ConfigError(
            [ConfigProblem("", f"cannot read config file {source}: {reason}")]
        ) from None
    try:
        return parse_yaml(text)
    except YamlSyntaxError as exc:
        where = f"line {exc.line}: " if exc.line is not None else ""
        problem = ConfigProblem("", f"{where}{exc.reason}", exc.line, exc.column)
        raise ConfigError([problem], source) from None


def _problems(found: list[tuple[Loc, str]], document: YamlDocument) -> list[ConfigProblem]:
    """Deduplicate and order the problems as they appear in the file."""
    unique = dict.fromkeys(found)
    # Masked once more here, whoever wrote the sentence: a password inside a URL never shows.
    problems = [
        ConfigProblem(format_path(loc), mask_credentials(message), document.line_of(loc))
        for loc, message in unique
    ]
    return sorted(problems, key=lambda p: p.line or 0)
