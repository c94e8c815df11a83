"""`ojt-sidecar demo` and `ojt-sidecar emulator`: the product on the built-in Odoo emulator.

The emulator is imported here and nowhere else in production code: it exists so that a new user
sees the sidecar work without an Odoo, and so that the tests have a faithful Odoo to talk to.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from connectors import OdooClient
    from sidecar.config import Config

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
    jobs: [Trainee]
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


def _forget_previous_run(workdir: Path) -> None:
    """Each demo starts a fresh emulator, so what an earlier run stored describes an Odoo that is
    gone: remove exactly what the demo itself writes, nothing else in the directory."""
    import shutil

    for name in ("ojt-sidecar.db", "ojt-sidecar.db-wal", "ojt-sidecar.db-shm"):
        (workdir / name).unlink(missing_ok=True)
    for name in ("certificates", "keys"):
        shutil.rmtree(workdir / name, ignore_errors=True)


def run_demo(workdir: Path, *, keep_running: bool, echo: Echo) -> int:
    """Start the emulator with demo data, point a config at it, run `check`, then `sync` twice
    and `status`; the exit code."""
    from jobs.odoo_session import client_from_config
    from jobs.preflight import run_preflight
    from sidecar.commands.certs import cert_list, keys_generate, run_issue_command
    from sidecar.commands.enroll import run_enroll
    from sidecar.commands.status import status_command
    from sidecar.commands.sync import run_sync_command
    from sidecar.config import load_config
    from sidecar.emulator import OdooEmulator

    _forget_previous_run(workdir)
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
        echo(f"$ ojt-sidecar enroll -c {config_path}")
        run_enroll(cfg, None, None, None, dry_run=False, echo=echo)
        echo(f"\n$ ojt-sidecar sync -c {config_path}")
        run_sync_command(cfg, full=False, dry_run=False, echo=echo)
        with client_from_config(cfg, max_attempts=2) as client:
            finished = simulate_completions(client, cfg.programs[0].key, cfg, count=2)
        echo(f"\n(trainee activity in Odoo: {', '.join(finished)} finished every lesson)\n")
        echo(f"$ ojt-sidecar sync -c {config_path}")
        run_sync_command(cfg, full=False, dry_run=False, echo=echo)
        if not cfg.certificates.signing_key.exists():
            echo(f"\n$ ojt-sidecar keys generate -c {config_path}")
            keys_generate(cfg, rotate=False, echo=echo)
        echo(f"\n$ ojt-sidecar issue -c {config_path}")
        run_issue_command(cfg, dry_run=False, echo=echo)
        echo(f"\n$ ojt-sidecar status -c {config_path}")
        status_command(cfg, as_json=False, echo=echo)
        echo(f"\n$ ojt-sidecar cert list -c {config_path}")
        cert_list(cfg, program=None, as_json=False, echo=echo)
        if keep_running:
            from verify_site.serve import serve

            echo(f"\nThe emulator keeps running on {emu.url}; the verification site follows.")
            echo("Open a certificate's 'verify' URL above in a browser; press Ctrl-C to stop.")
            with contextlib.suppress(KeyboardInterrupt):
                serve(cfg)
    return 0


def simulate_completions(
    client: OdooClient, program_key: str, cfg: Config, count: int
) -> list[str]:
    """Play `count` trainees of a program finishing every published lesson of its courses, the
    way Odoo records it (`slide.slide.partner.completed`), so there is something to certify."""
    program = cfg.program(program_key)
    names = [c.course for c in program.courses]
    channels = client.search(
        "slide.channel", [("name", "in", [n for n in names if isinstance(n, str)])]
    ) + [n for n in names if isinstance(n, int)]
    members = client.search_read_list(
        "slide.channel.partner", [("channel_id", "in", channels)], ["partner_id"], names=False
    )
    # The newest members: demo trainees rather than the admin who created the courses.
    partners = sorted({int(m["partner_id"]) for m in members if m["partner_id"]}, reverse=True)[
        :count
    ]
    slides = client.search_read_list(
        "slide.slide",
        [("channel_id", "in", channels), ("is_category", "=", False), ("is_published", "=", True)],
        ["channel_id"],
        names=False,
    )
    for partner in partners:
        for channel in channels:
            if not client.search(
                "slide.channel.partner",
                [("channel_id", "=", channel), ("partner_id", "=", partner)],
            ):
                client.create(
                    "slide.channel.partner", {"channel_id": channel, "partner_id": partner}
                )
        for slide in slides:
            done = client.search(
                "slide.slide.partner",
                [("slide_id", "=", slide["id"]), ("partner_id", "=", partner)],
            )
            if done:
                client.write("slide.slide.partner", done, {"completed": True})
            else:
                client.create(
                    "slide.slide.partner",
                    {"slide_id": slide["id"], "partner_id": partner, "completed": True},
                )
    rows = client.read("res.partner", partners, ["name"])
    return [str(r["name"]) for r in rows]


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
