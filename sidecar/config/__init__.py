"""The operator's configuration: one YAML file, validated into immutable pydantic models.

    cfg = load_config("config.yaml")          # raises ConfigError listing every problem
    client = OdooClient(settings_from(cfg.odoo))

`ConfigError.problems` holds `ConfigProblem(path, message)` items such as
`programs[1].courses[0].completion_threshold: must be between 0 and 100 (got 150)`.
"""

from sidecar.config.hooks import HooksConfig
from sidecar.config.loader import load_config
from sidecar.config.models import (
    Batch,
    CertificatesConfig,
    Config,
    Eligibility,
    Issuer,
    LoggingConfig,
    OdooApps,
    OdooConfig,
    Program,
    ProgramCourse,
    RecruitmentConfig,
    Requirements,
    RetryPolicy,
    Schedule,
    Schedules,
    StoreConfig,
    SyncConfig,
    VerifySiteConfig,
    Weights,
)
from sidecar.config.problems import ConfigError, ConfigProblem

__all__ = [
    "Batch",
    "CertificatesConfig",
    "Config",
    "ConfigError",
    "ConfigProblem",
    "Eligibility",
    "HooksConfig",
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
    "StoreConfig",
    "SyncConfig",
    "VerifySiteConfig",
    "Weights",
    "load_config",
]
