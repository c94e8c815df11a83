"""Build the Odoo client from the operator's config (the only place the two meet)."""

from __future__ import annotations

from connectors import OdooClient, OdooSettings, RetryPolicy
from sidecar.config import Config


def settings_from_config(cfg: Config, *, max_attempts: int | None = None) -> OdooSettings:
    odoo = cfg.odoo
    retry = odoo.retry
    return OdooSettings(
        url=str(odoo.url),
        database=odoo.database,
        username=odoo.username,
        secret=odoo.secret.get_secret_value(),
        transport=odoo.transport,
        api_key=odoo.api_key is not None,
        timeout_seconds=float(odoo.timeout_seconds),
        retry=RetryPolicy(
            max_attempts=max_attempts or retry.max_attempts,
            initial_backoff_seconds=retry.initial_backoff_seconds,
            max_backoff_seconds=retry.max_backoff_seconds,
            jitter_seconds=retry.jitter_seconds,
        ),
        page_size=odoo.page_size,
        read_chunk_size=odoo.read_chunk_size,
        parallel_reads=odoo.parallel_reads,
    )


def client_from_config(cfg: Config, *, max_attempts: int | None = None) -> OdooClient:
    return OdooClient(settings_from_config(cfg, max_attempts=max_attempts))
