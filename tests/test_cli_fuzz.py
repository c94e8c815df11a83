"""Hostile command-line arguments: every command's ids, texts and paths fed values an operator
(or a script gone wrong) could type. Each must end in one plain sentence naming the argument or
the value at fault and a non-zero exit, never a traceback. The config is valid and points at an
Odoo nobody listens on (127.0.0.1:9, one attempt), so nothing can hang on the network."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from sidecar.cli import main
from tests.config.bad_configs import SECRETS, base, dump

HUGE = str(2**80)
ID_VALUES = [
    str(2**31),
    str(2**63),
    HUGE,
    "9" * 5000,
    "-1",
    "0",
    "-" + str(2**63),
    "1e3",
    "0x10",
    "1_000",
    "１２",  # fullwidth digits: int() takes them, Odoo ids are ASCII
    "٣",
    "",
    " ",
    "nan",
    "inf",
    "\x00",
    "1\x00",
    "12abc",
    "😀",
]
TEXT_VALUES = ["", " ", "\x00", "x" * 10_000, "😀", "\u202eevil", "../../etc/passwd", "%s%n", "\n"]
SERIALS = [
    *TEXT_VALUES,
    "ABCD-EFGH-JKMN-PQRS-T",
    "ABCD-EFGH-JKMN-PQRS-U",
    "abcd efgh jkmn pqrs t",
    "A" * 21,
    "ABCD-EFGH-JKMN-PQRS",
    "ABCD-EFGH-JKMN-PQRS-TT",
    "0000-0000-0000-0000-0",
    "ÀBCD-EFGH-JKMN-PQRS-T",
    HUGE,
]


@dataclass(frozen=True)
class Case:
    """Arguments after the command's `-c CONFIG` (added unless `config` is False), the exit
    codes allowed, and what the sentence must name (any one of `names`)."""

    name: str
    args: tuple[str, ...]
    names: tuple[str, ...]
    codes: tuple[int, ...] = (2,)
    config: bool = True


def _ids() -> Iterator[Case]:
    for value in ID_VALUES:
        yield Case(
            f"enroll --applicant {value[:20]!r}",
            ("enroll", "--applicant", value),
            ("'--applicant'",),
        )
        yield Case(
            f"enroll --partner {value[:20]!r}",
            ("enroll", "--partner", value, "--program", "juniors"),
            ("'--partner'",),
        )


def _texts() -> Iterator[Case]:
    for value in TEXT_VALUES:
        shown = repr(value)[1:20]
        yield Case(
            f"enroll --program {shown}",
            ("enroll", "--partner", "7", "--program", value),
            ("no program",),
        )
        yield Case(f"students --program {shown}", ("students", "--program", value), ("no program",))
        yield Case(
            f"cert revoke --reason {shown}",
            ("cert", "revoke", "ABCD", "--reason", value),
            ("--reason", "not a certificate serial"),
        )
    for value in ("done", "", "\x00", "CERTIFIED"):
        yield Case(
            f"students --status {value!r}",
            ("students", "--program", "juniors", "--status", value),
            ("'--status'",),
        )
    yield Case("log format", ("--log-format", "xml", "status"), ("'--log-format'",), config=False)


def _serials() -> Iterator[Case]:
    wrong = ("not a certificate serial", "wrong check character", "no certificate with serial")
    for value in SERIALS:
        shown = repr(value)[1:20]
        yield Case(f"cert show {shown}", ("cert", "show", value), wrong)
        yield Case(f"cert revoke {shown}", ("cert", "revoke", value, "--reason", "test"), wrong)
    for value in ("", "junk", "ABCD-EFGH-JKMN-PQRS-T", HUGE):
        yield Case(f"cert reissue {value[:20]!r}", ("cert", "reissue", value), wrong)


def _files(tmp: Path) -> dict[str, str]:
    text = tmp / "notes.txt"
    text.write_text("not a pdf\n", encoding="utf-8")
    junk = tmp / "junk.pdf"
    junk.write_bytes(os.urandom(2048))
    empty = tmp / "empty.pdf"
    empty.write_bytes(b"")
    fake = tmp / "fake.pdf"
    fake.write_bytes(b"%PDF-1.7\n" + b"\xff" * 500)
    return {
        "a directory": str(tmp),
        "the root": "/",
        "/dev/zero": "/dev/zero",
        "/dev/null": "/dev/null",
        "missing": str(tmp / "absent.pdf"),
        "a NUL byte": "a\x00b.pdf",
        "a long name": "x" * 5000,
        "a text file": str(text),
        "random bytes": str(junk),
        "an empty file": str(empty),
        "a broken PDF": str(fake),
    }


READ_AND_REFUSED = ("a text file", "random bytes", "an empty file", "a broken PDF")


def _paths(tmp: Path) -> Iterator[Case]:
    files = _files(tmp)
    for what, path in files.items():
        # A file that can be read but is no certificate: "NOT VALID", exit 1.
        codes = (1,) if what in READ_AND_REFUSED else (2,)
        yield Case(
            f"verify-pdf {what}", ("verify-pdf", path), (path[:40], "PDF"), codes, config=False
        )
        keys_codes = (1, 2) if what in READ_AND_REFUSED or what == "/dev/null" else (2,)
        yield Case(
            f"verify-pdf --keys {what}",
            ("verify-pdf", "--keys", path, files["a text file"]),
            (path[:40], "--keys", "public keys"),
            keys_codes,
            config=False,
        )
    commands = [
        ("check-config",),
        ("check",),
        ("sync",),
        ("status",),
        ("issue",),
        ("keys", "generate"),
        ("db", "upgrade"),
        ("cert", "list"),
        ("run", "--once"),
        ("students", "--program", "juniors"),
        ("enroll",),
        ("app",),
        ("webhooks", "log"),
        ("api-token", "list"),
    ]
    bad_configs = {k: v for k, v in files.items() if k not in READ_AND_REFUSED}
    bad_configs["a text file"] = files["a text file"]
    for command in commands:
        for what, path in bad_configs.items():
            yield Case(
                f"{' '.join(command)} -c {what}",
                (*command, "-c", path),
                ("'-c' / '--config'", path[:40]),
                config=False,
            )


def _listeners() -> Iterator[Case]:
    for host in (
        "not a host",
        "",
        " ",
        "300.1.1.1",
        "a..b",
        "-h",
        "h_" * 200,
        "\x00",
        "😀",
        "http://h",
        "[::1",
    ):
        yield Case(f"serve --host {host[:20]!r}", ("serve", "--host", host), ("'--host'",))
    for port in ("0", "99999", "-1", "65536", "abc", "", HUGE):
        yield Case(f"serve --port {port[:20]!r}", ("serve", "--port", port), ("'--port'",))
        yield Case(f"app --port {port[:20]!r}", ("app", "--port", port), ("'--port'",))
    for port in ("99999", "-1", "abc", HUGE):
        yield Case(
            f"emulator --port {port[:20]!r}",
            ("emulator", "--port", port),
            ("'--port'",),
            config=False,
        )
    for duration in ("0", "-1", "abc", "", "nan", "inf", "1e400"):
        yield Case(
            f"demo --duration {duration!r}",
            ("demo", "--duration", duration),
            ("'--duration'",),
            config=False,
        )


def cases(tmp: Path) -> list[Case]:
    return [*_ids(), *_texts(), *_serials(), *_paths(tmp), *_listeners()]


# The files the path cases name, made when the cases are (both are needed at collection).
FILES = Path("/tmp/ojt-sidecar-cli-fuzz")
FILES.mkdir(exist_ok=True)
CASES = cases(FILES)


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid config with a migrated store, pointing at an Odoo that is not there."""
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "var").mkdir()
    path = folder / "config.yaml"
    path.write_text(dump(base()), encoding="utf-8")
    result = CliRunner().invoke(main, ["db", "upgrade", "-c", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_argument_is_one_sentence(config: Path, case: Case) -> None:
    args = list(case.args)
    if case.config:
        args += ["-c", str(config)]
    result = CliRunner().invoke(main, args)
    output = result.stdout + result.stderr
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    assert result.exit_code in case.codes, output[-2000:]
    # Errors are on stderr; a verdict (verify-pdf's NOT VALID) is the command's output.
    assert any(name in output for name in case.names), (case.names, output[-2000:])
    for secret in SECRETS:
        assert secret not in output


def test_the_fuzz_is_large() -> None:
    assert len(CASES) >= 150
    print(f"{len(CASES)} hostile command lines")
