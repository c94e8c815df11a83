"""What a server process holds from its start, kept out of the garbage collector's scans.

Python's cyclic collector now and then scans every object it tracks in its oldest generation.
In the verification site's process that is every module, the Flask app, SQLAlchemy's mappers,
the config: a full collection took 67-74 ms on a 2-vCPU machine, during which the loop answers
nothing. Under 32 connections that one pause was the verify page's whole p99 (over 20 ms, where
it is 6-8 ms without it; docs/benchmarks.md, "Certificates and the verification page").

What exists once a server has started lives as long as the process, so `gc.freeze` moves it to
a generation that is never scanned; later collections look only at what requests and jobs made.
Objects frozen are still freed when their last reference goes; only cycles among them would
stay, and the start-up state has none worth reclaiming."""

from __future__ import annotations

import gc


def freeze_startup() -> None:
    """Collect what start-up left behind, then keep the rest out of future collections. For a
    process's entry point, once it is ready to serve: never from a library or a test."""
    gc.collect()
    gc.freeze()
