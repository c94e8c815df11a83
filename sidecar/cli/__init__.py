"""The command line: the click app (`app`), the command bodies (`commands/`), option and output
helpers, log set-up and the demo (`demo/`). This is the composition root: the only package that
wires `jobs`, `verify_site` and the emulator together."""

from sidecar.cli.app import main, run

__all__ = ["main", "run"]
