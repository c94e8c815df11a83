"""The operator's configuration as immutable pydantic models, built once and passed in.

Programs and their parts live in `programs.py` and are re-exported here.

Every section rejects unknown keys. Relative file settings are resolved against the directory
of the config file (passed as validation context `{"config_dir": Path}` by the loader), so the
paths here are absolute once loaded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field, PrivateAttr, SecretStr, ValidationInfo, model_validator

from sidecar.config.base import Finding, Section, have, list_check
from sidecar.config.cockpit import CockpitConfig
from sidecar.config.fieldtypes import (
    Colour,
    CronExpr,
    Duration,
    FilePath,
    Host,
    HttpUrl,
    ImagePath,
    OdooRef,
    OdooUrl,
    ResolvedPath,
    Secret,
    StoreUrl,
    Template,
    Text,
    between,
    config_dir,
    upper,
)
from sidecar.config.hooks import HooksConfig
from sidecar.config.messages import number
from sidecar.config.notifications import NotificationsConfig
from sidecar.config.outgoing import OutgoingWebhook
from sidecar.config.programs import (
    Batch,
    Eligibility,
    Program,
    ProgramCourse,
    Requirements,
    Weights,
    check_programs,
)
from sidecar.config.status import StatusInOdoo
from sidecar.config.verify_site import VerifySiteConfig

__all__ = [
    "APP_NAMES",
    "Batch",
    "CertificatesConfig",
    "Config",
    "Eligibility",
    "Issuer",
    "LoggingConfig",
    "OdooApps",
    "OdooConfig",
    "Program",
    "ProgramCourse",
    "RecruitmentConfig",
    "Requirements",
    "RetryPolicy",
    "Schedule",
    "Schedules",
    "Section",
    "StoreConfig",
    "SyncConfig",
    "VerifySiteConfig",
    "Weights",
]

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

APP_NAMES = ("elearning", "recruitment", "events", "surveys", "project")
# The ceiling of waits measured in seconds (a call's timeout, a retry's backoff): beyond a day
# none means anything, and sockets and sleeps overflow on the largest floats.
DAY_SECONDS = 86400


# --- odoo -------------------------------------------------------------------------------------


class RetryPolicy(Section):
    """How calls to Odoo are retried: exponential backoff, capped, with random jitter."""

    _has_cross_checks: ClassVar[bool] = True

    max_attempts: Annotated[int, between(1, 100)] = 5
    initial_backoff_seconds: Annotated[float, between(0, DAY_SECONDS)] = 0.5
    max_backoff_seconds: Annotated[float, between(0, DAY_SECONDS)] = 30.0
    jitter_seconds: Annotated[float, between(0, DAY_SECONDS)] = 0.5

    @classmethod
    def _cross_problems(cls, values: Mapping[str, Any]) -> Iterator[Finding]:
        if have(values, "initial_backoff_seconds", "max_backoff_seconds"):
            low, high = values["initial_backoff_seconds"], values["max_backoff_seconds"]
            if high < low:
                yield (
                    ("max_backoff_seconds",),
                    f"must be at least initial_backoff_seconds ({number(low)}) "
                    f"(got {number(high)})",
                )


class OdooApps(Section):
    """Which Odoo apps the sidecar may use; see `Config.required_apps` for what it does use."""

    elearning: bool = True
    recruitment: bool = True
    events: bool = True
    surveys: bool = True
    project: bool = True


class OdooConfig(Section):
    """How to reach Odoo, as whom, and how hard to push it."""

    _has_cross_checks: ClassVar[bool] = True

    url: OdooUrl  # no trailing slash
    database: Text
    username: Text  # login of the service user
    password: Secret = None
    api_key: Secret = None  # preferred over password; exactly one of the two is set
    # auto: JSON-2 on Odoo 19+ when api_key is set, else XML-RPC
    transport: Literal["auto", "xmlrpc", "jsonrpc", "json2"] = "auto"
    timeout_seconds: Annotated[float, between(0, DAY_SECONDS, low_open=True)] = 30.0
    # Odoo's limit_time_real; a write whose answer was lost is looked up after this, not resent.
    longest_request_seconds: Annotated[float, between(0, DAY_SECONDS, low_open=True)] = 120.0
    page_size: Annotated[int, between(1, 10000)] = 1000  # rows per search_read page
    read_chunk_size: Annotated[int, between(1, 10000)] = 500  # ids per `read` call
    parallel_reads: Annotated[int, between(1, 8)] = 2  # connections of a first or full pass
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    apps: OdooApps = Field(default_factory=OdooApps)

    @property
    def secret(self) -> SecretStr:
        """The credential to log in with: the API key when set, else the password."""
        secret = self.api_key or self.password
        if secret is None:  # pragma: no cover - validation guarantees one is set
            raise ValueError("odoo has neither password nor api_key")
        return secret

    @classmethod
    def _cross_problems(cls, values: Mapping[str, Any]) -> Iterator[Finding]:
        if have(values, "url", "transport") and values["transport"] == "jsonrpc":
            path = urlsplit(str(values["url"])).path.strip("/")
            if path:
                yield (
                    ("transport",),
                    f"jsonrpc (odoorpc) cannot reach an Odoo served under a path (/{path}); "
                    "use transport: xmlrpc",
                )
        json2 = have(values, "transport", "api_key") and values["transport"] == "json2"
        if json2 and values["api_key"] is None:
            yield (
                ("transport",),
                "json2 logs in with an API key only: set api_key (e.g. ${ODOO_API_KEY}) "
                "instead of password",
            )
        if not have(values, "password", "api_key"):
            return
        if values["password"] is not None and values["api_key"] is not None:
            yield (), "set only one of password or api_key, not both (api_key is preferred)"
        elif values["password"] is None and values["api_key"] is None:
            yield (
                (),
                "needs password or api_key (api_key is preferred), e.g. api_key: ${ODOO_API_KEY}",
            )


# --- store and schedules ----------------------------------------------------------------------


# Query parameters of a database URL that carry a secret (libpq's names).
_SECRET_PARAMS = frozenset({"password", "sslpassword", "passfile", "sslkey"})


class StoreConfig(Section):
    """Where the sidecar keeps its own tables."""

    # Secret because a PostgreSQL URL carries the password; relative sqlite paths are resolved.
    url: StoreUrl = Field(default="sqlite:///var/ojt-sidecar.db", validate_default=True)

    @property
    def backend(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self.url.get_secret_value().split(":", 1)[0].split("+", 1)[0]

    @property
    def display_url(self) -> str:
        """The URL with its password masked, for logs and `status`: the one after `user:` and
        one given as a query parameter (libpq takes `?password=`)."""
        from sqlalchemy.engine import make_url

        url = make_url(self.url.get_secret_value())
        query = {k: "***" if k.lower() in _SECRET_PARAMS else v for k, v in url.query.items()}
        shown = url.set(query=query).render_as_string(hide_password=True)
        return shown.replace("=%2A%2A%2A", "=***")


class Schedule(Section):
    """When one job runs: `every` (an interval) or `cron` (a crontab line), not both."""

    _has_cross_checks: ClassVar[bool] = True

    every: Duration | None = None
    cron: CronExpr | None = None

    @classmethod
    def _cross_problems(cls, values: Mapping[str, Any]) -> Iterator[Finding]:
        if not have(values, "every", "cron"):
            return
        if values["every"] is not None and values["cron"] is not None:
            yield (), "set either every or cron, not both"
        elif values["every"] is None and values["cron"] is None:
            yield (), 'needs every (like 5m) or cron (like "*/5 * * * *")'

    def trigger(self, timezone: Any = None) -> BaseTrigger:
        """The APScheduler trigger for this schedule (cron in `timezone`, default local)."""
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        if self.cron is not None:
            return CronTrigger.from_crontab(self.cron, timezone=timezone)
        if self.every is None:  # validation guarantees one of the two
            raise ValueError("a schedule needs `every` or `cron`")
        return IntervalTrigger(seconds=self.every.total_seconds(), timezone=timezone)


def _every(minutes: float) -> Any:
    return lambda: Schedule(every=timedelta(minutes=minutes))


class Schedules(Section):
    """One schedule per job the `run` command starts."""

    enroll: Schedule = Field(default_factory=_every(5))
    sync: Schedule = Field(default_factory=_every(5))
    issue: Schedule = Field(default_factory=_every(15))
    notify: Schedule = Field(default_factory=_every(15))
    deliver: Schedule = Field(default_factory=_every(1))
    reconcile: Schedule = Field(default_factory=_every(24 * 60))

    def jobs(self) -> dict[str, Schedule]:
        """Job name → schedule, in a stable order."""
        return {name: getattr(self, name) for name in type(self).model_fields}


class ServiceConfig(Section):
    """How `ojt-sidecar run` behaves: coordination between replicas, shutdown, health."""

    # A replica holds a job's lease while it runs it and renews it every third of this; another
    # replica takes the job over once a lease has expired (its holder died). Default: 60s.
    lease: Duration = timedelta(seconds=60)
    # A run that missed its time by more than this (the process was down) is skipped, not
    # caught up. Default: 5m.
    misfire_grace: Duration = timedelta(minutes=5)
    # On SIGTERM/SIGINT: finish the current page or delivery, then exit; give up after this.
    shutdown_timeout: Duration = timedelta(seconds=30)
    # /healthz turns unhealthy when a job has not succeeded within this many of its intervals.
    unhealthy_after_intervals: Annotated[int, between(1, 1000)] = 3
    # Operations endpoint (/metrics in Prometheus text, /healthz): keep it private.
    ops_host: Host = "127.0.0.1"
    ops_port: Annotated[int, between(1, 65535)] = 9108


class SyncConfig(Section):
    """How the progress sync reads Odoo."""

    # Rows stamped this long before the previous pass began are read again by content: Odoo stamps
    # write_date at transaction start and cuts it to the second. Exceed the longest one + skew.
    overlap: Duration = timedelta(minutes=5)
    # The event.tag.category of programs[].batch_tag (both made in Odoo when missing).
    batch_tag_category: Text = "OJT batches"
    # event.stage names that mean cancelled (16.0-18.0; on 19.0+ the event's kanban state does).
    cancelled_event_stages: tuple[Text, ...] = ("Cancelled",)


class RecruitmentConfig(Section):
    """Which recruitment stage sends applicants into training."""

    ojt_stage: OdooRef = "On the Job Training"  # hr.recruitment.stage name or id


# --- certificates, verification site, logging -------------------------------------------------


class Issuer(Section):
    """Who issues the certificates, and how they look."""

    name: Text | None = None  # None: the name of the service user's Odoo company
    logo: ImagePath | None = None  # PNG or JPEG file, must exist
    primary_color: Colour = "#1F3A5F"
    accent_color: Colour = "#C9A227"


class CertificatesConfig(Section):
    """What certificates say, where they are written, and how they are signed and verified."""

    issuer: Issuer = Field(default_factory=Issuer)
    title: Text = "Certificate of Completion"
    message: Template = "Congratulations, {participant}! You completed {program}."
    output_dir: ResolvedPath = Field(default="var/certificates", validate_default=True)
    signing_key: FilePath = Field(default="var/keys/signing.key", validate_default=True)
    # None: certificates do not expire. At most 100 years: dates end in 9999.
    validity_days: Annotated[int, between(1, 36500)] | None = None
    # None in the file: http://<verify_site.host>:<verify_site.port> is filled in on load.
    verify_base_url: HttpUrl | None = None
    # The language of a certificate and its page when the trainee's Odoo `lang` has no
    # catalogue (sidecar/i18n): one of the languages the sidecar is translated into.
    default_language: Literal["en", "fr", "es", "ar"] = "en"

    def verification_url(self, serial: str) -> str:
        """The public URL the QR code encodes for `serial`."""
        if self.verify_base_url is None:  # pragma: no cover - Config fills it in
            raise ValueError("certificates.verify_base_url is not set")
        return f"{self.verify_base_url}/c/{serial}"


class LoggingConfig(Section):
    """Log verbosity and shape."""

    level: Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(upper)] = "INFO"
    format: Literal["text", "json"] = "text"


class Config(Section):
    """The whole configuration. Build it with `load_config`; pass it (or a section) in."""

    odoo: OdooConfig
    store: StoreConfig = Field(default_factory=dict, validate_default=True)
    schedules: Schedules = Field(default_factory=Schedules)
    sync: SyncConfig = Field(default_factory=SyncConfig)
    recruitment: RecruitmentConfig = Field(default_factory=RecruitmentConfig)
    programs: Annotated[tuple[Program, ...], list_check(check_programs, at_least_one="program")]
    certificates: CertificatesConfig = Field(default_factory=dict, validate_default=True)
    verify_site: VerifySiteConfig = Field(default_factory=VerifySiteConfig)
    service: ServiceConfig = Field(default_factory=ServiceConfig)
    hooks: HooksConfig = Field(default_factory=HooksConfig)
    notifications: NotificationsConfig = Field(default_factory=NotificationsConfig)
    status_in_odoo: StatusInOdoo = Field(default_factory=StatusInOdoo)
    app: CockpitConfig = Field(default_factory=CockpitConfig)
    # events sent to other systems (docs/outgoing-webhooks.md)
    webhooks: tuple[OutgoingWebhook, ...] = ()
    logging: LoggingConfig = Field(default_factory=LoggingConfig)

    _config_dir: Path = PrivateAttr(default_factory=Path.cwd)

    @model_validator(mode="after")
    def _finish(self, info: ValidationInfo) -> Config:
        # Still under construction here, so filling in derived values is safe despite `frozen`.
        self._config_dir = config_dir(info)
        if self.certificates.verify_base_url is None:
            site = self.verify_site
            filled = self.certificates.model_copy(
                update={"verify_base_url": f"http://{site.host}:{site.port}"}
            )
            object.__setattr__(self, "certificates", filled)
        return self

    @property
    def config_dir(self) -> Path:
        """The directory of the loaded config file; relative settings were resolved from it."""
        return self._config_dir

    def program(self, key: str) -> Program:
        """The program with this key; KeyError when there is none."""
        for program in self.programs:
            if program.key == key:
                return program
        raise KeyError(key)

    def required_apps(self) -> list[str]:
        """The Odoo apps this configuration needs, in the order of `APP_NAMES`: those enabled in
        `odoo.apps` AND used: elearning when a program has courses (always); recruitment when a
        program lists jobs; events when a batch is an event, a program names a batch_tag or
        counts attendance; surveys always (certification lessons); project when a program has
        assignments. An app used but disabled is left out: the sidecar skips that part."""
        used = {
            "elearning": any(program.courses for program in self.programs),
            "recruitment": any(program.jobs for program in self.programs),
            "events": any(program.uses_events for program in self.programs),
            "surveys": True,
            "project": any(program.assignments is not None for program in self.programs),
        }
        return [name for name in APP_NAMES if used[name] and getattr(self.odoo.apps, name)]
