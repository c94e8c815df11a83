"""`ojt-sidecar demo` and `ojt-sidecar emulator`: the product on the built-in Odoo emulator.

The emulator is imported here and nowhere else in production code: it exists so that a new user
sees the sidecar work without an Odoo, and so that the tests have a faithful Odoo to talk to.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path

Echo = Callable[[str], None]

DEMO_CONFIG = """\
# Written by `ojt-sidecar demo` for the built-in Odoo emulator; see config.example.yaml for
# every key and what it means.
odoo:
  url: {url}
  database: {db}
  username: admin
  password: ${{OJT_DEMO_ODOO_PASSWORD:-admin}}
  timeout_seconds: 10
store:
  url: sqlite:///{store}
recruitment:
  ojt_stage: On the Job Training
programs:
  - key: junior-developers
    name: Junior Developer OJT
    responsible_user: admin
    jobs: [Experienced Developer]
    courses:
      - course: Basics of Gardening
      - course: Taking care of Trees
    issue_on: completion
  - key: woodworking
    name: Woodworking Apprenticeship
    courses:
      - course: Trees, Wood and Gardens
      - course: Choose your wood!
        completion_threshold: 80
    issue_on: completion
certificates:
  issuer:
    name: YourCompany Training
  output_dir: certificates
  signing_key: keys/signing.key
  verify_base_url: http://127.0.0.1:8080
"""


def write_demo_config(workdir: Path, url: str, db: str) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "config.yaml"
    store = (workdir / "ojt-sidecar.db").resolve()
    path.write_text(DEMO_CONFIG.format(url=url, db=db, store=store), encoding="utf-8")
    return path


def run_demo(workdir: Path, *, keep_running: bool, echo: Echo) -> int:
    """Start the emulator with demo data, point a config at it, run `check`, then `sync` twice
    and `status`; the exit code."""
    from jobs.odoo_session import client_from_config
    from jobs.preflight import run_preflight
    from sidecar.commands.status import status_command
    from sidecar.commands.sync import run_sync_command
    from sidecar.config import load_config
    from sidecar.emulator import OdooEmulator

    with OdooEmulator(demo=True) as emu:
        config_path = write_demo_config(workdir, emu.url, emu.db)
        echo(f"Odoo emulator (17.0, demo data) listening on {emu.url}, database {emu.db!r}")
        echo(f"Demo config written to {config_path}\n")
        cfg = load_config(config_path)
        echo(f"$ ojt-sidecar check -c {config_path}")
        with client_from_config(cfg, max_attempts=2) as client:
            findings = run_preflight(client, cfg)
        for finding in findings:
            echo(str(finding))
        failed = sum(1 for f in findings if f.level == "fail")
        if failed:
            echo(f"{failed} check(s) failed.")
            return 1
        echo("All checks passed.\n")
        for _ in range(2):
            echo(f"$ ojt-sidecar sync -c {config_path}")
            run_sync_command(cfg, full=False, dry_run=False, echo=echo)
            echo("")
        echo(f"$ ojt-sidecar status -c {config_path}")
        status_command(cfg, as_json=False, echo=echo)
        if keep_running:
            echo(f"\nThe emulator keeps running on {emu.url}; press Ctrl-C to stop.")
            _wait_forever()
    return 0


def serve_emulator(host: str, port: int, *, demo: bool, echo: Echo) -> None:
    from sidecar.emulator import OdooEmulator

    emulator = OdooEmulator(demo=demo, host=host, port=port)
    try:
        emulator.start()
    except OSError as exc:
        raise SystemExit(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    with emulator as emu:
        echo(f"Odoo emulator (17.0) on {emu.url}, database {emu.db!r}, login admin / admin")
        echo("Press Ctrl-C to stop.")
        _wait_forever()


def _wait_forever() -> None:
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
