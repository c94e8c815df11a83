"""Quick requests answered on waitress's own loop thread; the rest on its worker threads.

waitress reads and parses requests on one thread (its loop) and hands each to a pool of worker
threads, which write the answer back for the loop to send. A Python process's threads take
turns holding one interpreter lock, so every request passes that lock from the loop to a worker
and back; when the kernel runs those threads on two cores, each hand-over wakes a thread on the
other core, and the waits add up to most of the latency tail (docs/benchmarks.md, "Certificates
and the verification page": p99 17-40 ms with the pool, 9 ms on the loop, on the same machine
in the same minutes).

A request that its app answers at once (a certificate page from the page cache after one status
read; a webhook queued) is therefore served on the loop itself, right after the poll that read
it. Everything else still goes to the pool, so a slow request (a page rendered for the first
time, a PDF, a store that is slow to answer) never holds up the loop. `quick` decides from the
parsed request alone, before the app sees it; it is a hint about where to run, never about what
to answer: the app answers the same on either thread.

Two limits keep one connection from holding the loop: a round serves only the requests that were
ready when it began (a connection's next pipelined request waits for the next round), and a
connection whose answers are not being read (its output above `MAX_UNSENT`) goes to the pool,
where waitress makes a worker wait for the client, as it always did.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, nullcontext
from typing import Any

from waitress import wasyncore
from waitress.task import ThreadedTaskDispatcher

log = logging.getLogger("waitress")

MAX_UNSENT = 1024 * 1024  # bytes of a connection's answers not yet sent, beyond which: the pool

Quick = Callable[[Any], bool]  # waitress's parsed request (`waitress.parser.HTTPRequestParser`)
# Around one round of quick requests, given them all before the first is served: where the app
# can do for all at once what each would do alone (the site reads their statuses in one query).
Together = Callable[[list[Any]], AbstractContextManager[None]]


def _each(requests: list[Any]) -> AbstractContextManager[None]:
    return nullcontext()


class QuickFirst(ThreadedTaskDispatcher):
    """waitress's task dispatcher, serving the requests `quick` accepts on the loop thread (in
    `serve_ready`, which the loop calls after every poll) and the others on `threads` workers."""

    def __init__(self, quick: Quick, threads: int, *, together: Together = _each) -> None:
        super().__init__()
        self.quick = quick
        self.together = together
        self.ready: deque[Any] = deque()
        self.loop_thread: int | None = None
        self.set_thread_count(threads)

    def add_task(self, task: Any) -> None:
        if not self._on_loop(task):
            super().add_task(task)
            return
        self.ready.append(task)
        if threading.get_ident() != self.loop_thread:
            # A worker finished a connection's request and found the next one quick: the loop
            # may be waiting in its poll.
            task.server.pull_trigger()

    def _on_loop(self, task: Any) -> bool:
        requests = getattr(task, "requests", None)  # a channel; other tasks go to the pool
        if self.loop_thread is None:  # served by `server.run()`, not `loop`: nobody would serve it
            return False
        if not requests or getattr(task, "total_outbufs_len", MAX_UNSENT) >= MAX_UNSENT:
            return False
        try:
            return bool(self.quick(requests[0]))
        except Exception:  # a predicate that cannot tell: the pool serves it, as before
            log.exception("could not tell whether a request is quick")
            return False

    def serve_ready(self) -> None:
        """Serve, on this thread, the quick requests ready now (not those they make ready),
        inside `together(their parsed requests)`."""
        batch = [self.ready.popleft() for _ in range(len(self.ready))]
        if not batch:
            return
        with ExitStack() as round_:
            try:
                round_.enter_context(
                    self.together([channel.requests[0] for channel in batch if channel.requests])
                )
            except Exception:  # the requests are served all the same, each on its own
                log.exception("could not prepare a round of quick requests")
            for channel in batch:
                try:
                    channel.service()
                except BaseException:  # as waitress's workers: log, and keep serving the others
                    log.exception("Exception when servicing %r", channel)

    def shutdown(self, cancel_pending: bool = True, timeout: int = 5) -> bool:
        self.ready.clear()
        done: bool = super().shutdown(cancel_pending, timeout)
        return done


def loop(server: Any, *, until: Callable[[], bool] = lambda: False, timeout: float = 1.0) -> None:
    """Run `server`'s loop until its sockets are closed or `until()` is true (checked at least
    every `timeout` seconds), serving a `QuickFirst` dispatcher's quick requests between polls.
    Any other waitress server runs as under `server.run()`."""
    sockets = server.map if hasattr(server, "map") else server._map
    dispatcher = server.task_dispatcher
    quick = dispatcher if isinstance(dispatcher, QuickFirst) else None
    if quick is not None:
        quick.loop_thread = threading.get_ident()
    use_poll = server.adj.asyncore_use_poll
    while sockets and not until():
        wait = 0.0 if quick is not None and quick.ready else timeout
        wasyncore.loop(timeout=wait, map=sockets, use_poll=use_poll, count=1)
        if quick is not None:
            quick.serve_ready()
