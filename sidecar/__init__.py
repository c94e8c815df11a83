"""ojt-sidecar core: configuration, domain rules, store and the command line."""

__version__ = "0.1.0"
