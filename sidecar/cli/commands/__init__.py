"""The bodies of CLI commands that need more than a few lines (imported lazily by the CLI)."""
