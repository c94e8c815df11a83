"""Keeping a process on one core (`verify_site.one_core`).

A Python process serves its requests on threads that take turns holding one interpreter lock.
When the kernel runs those threads on two cores, every hand-over of the lock wakes a thread on
the other core: before cached certificate pages were answered on waitress's loop thread
(sidecar/quickserve.py) the process answered about half as many of them, with twice the latency
tail, as on one core, and the pages that still go to worker threads gain about a quarter there
(docs/benchmarks.md, "Certificates and the verification page"). Keeping it on one core loses
little: only one thread runs Python at a time anyway."""

from __future__ import annotations

import contextlib
import os


def keep_on_one_core() -> int | None:
    """Keep this process on one of the cores it may use, and return that core; None where the
    platform cannot pin a process or only one core is allowed anyway. The core is chosen by the
    process id, so that several processes on one host spread over the cores."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) <= 1:
        return None
    core = allowed[os.getpid() % len(allowed)]
    os.sched_setaffinity(0, {core})  # this thread, and the threads it starts from now on
    for thread in _threads():  # and those already running (a server's workers, say)
        with contextlib.suppress(ProcessLookupError, PermissionError):  # ended meanwhile
            os.sched_setaffinity(thread, {core})
    return core


def _threads() -> list[int]:
    """The ids of this process's threads (Linux's /proc); none where there is no /proc."""
    try:
        return [int(name) for name in os.listdir("/proc/self/task")]
    except OSError:
        return []
