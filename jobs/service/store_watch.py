"""What the service's own job runs last learned about its store.

A store that cannot be written (a full disk, a read-only file, PostgreSQL restarting or failing
over) may still answer the reads `/healthz` makes, so reading the store is not enough to know
it works: the job runs tell. Each failure of the store in a run is reported here, and each run
that records its end clears it. `/healthz` answers 503 while a failure stands, and the log gets
one line when the store fails and one when it is back, not one per attempt in between.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

log = logging.getLogger("ojt_sidecar.service")


@dataclass(frozen=True)
class StoreTrouble:
    error: str  # the store's own words, one line
    since: datetime  # the first failure of this outage
    job: str  # the job run that met it first


class StoreWatch:
    """Thread-safe: job runs report, the ops endpoint reads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._trouble: StoreTrouble | None = None

    def failed(self, job: str, error: str, now: datetime) -> bool:
        """A run of `job` could not use the store; True when this starts an outage."""
        with self._lock:
            if self._trouble is not None:
                return False
            self._trouble = StoreTrouble(error=error, since=now, job=job)
        return True

    def worked(self, now: datetime) -> None:
        """A run wrote to the store: any outage is over."""
        with self._lock:
            trouble, self._trouble = self._trouble, None
        if trouble is not None:
            seconds = (now - trouble.since).total_seconds()
            log.info("the store works again, after %.0f s; jobs resume", seconds)

    @property
    def trouble(self) -> StoreTrouble | None:
        with self._lock:
            return self._trouble


class WatchCollector(Collector):
    """`ojt_sidecar_store_writable`: 0 while the service's latest use of the store failed."""

    def __init__(self, watch: StoreWatch) -> None:
        self._watch = watch

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            "ojt_sidecar_store_writable",
            "1 unless the service's latest job run could not write to its store, else 0.",
        )
        gauge.add_metric([], 0 if self._watch.trouble is not None else 1)
        yield gauge
