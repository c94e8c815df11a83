"""The configs the demo writes: `write_showcase_config` for `ojt-sidecar demo` (the showcase
dataset, fast schedules, the verify site and ops endpoint on given ports) and `write_demo_config`
for the emulator's default demo data, which the tests use. Every config the demo writes begins
with `DEMO_MARK`: that is how a later run recognises a directory as a previous demo run."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

DEMO_MARK = "# Written by `ojt-sidecar demo`"  # how every config the demo writes begins

# The parts both configs share: the emulator's login, the store, the certificates. Each dataset's
# own part (recruitment, programs) is written out whole. `{{` and `}}` are literal braces once
# formatted.
_ODOO = """\
odoo:
  url: {url}
  database: {db}
  username: admin
  password: ${{OJT_DEMO_ODOO_PASSWORD:-admin}}
  timeout_seconds: 10
"""
_STORE = """\
store:
  url: sqlite:///{store}
"""
_CERTIFICATES = """\
certificates:
  issuer:
    name: YourCompany Training
  output_dir: certificates
  signing_key: keys/signing.key
  verify_base_url: http://127.0.0.1:{verify_port}
"""

DEMO_CONFIG = (
    f"""\
{DEMO_MARK} for the built-in Odoo emulator; see config.example.yaml for
# every key and what it means.
"""
    + _ODOO
    + _STORE
    + """\
recruitment:
  ojt_stage: On the Job Training
programs:
  - key: junior-developers
    name: Junior Developer OJT
    responsible_user: admin
    jobs: [Trainee]
    courses:
      - course: Basics of Gardening
      - course: Taking care of Trees
    issue_on: completion
    # Odoo's demo data enrolls its internal demo users (Mitchell Admin, Marc Demo) in these
    # courses: count them, so the tests have trainees to certify.
    include_internal_users: true
  - key: woodworking
    name: Woodworking Apprenticeship
    courses:
      - course: Trees, Wood and Gardens
      - course: Choose your wood!
        completion_threshold: 80
    issue_on: completion
    include_internal_users: true
"""
    + _CERTIFICATES
)

SHOWCASE_CONFIG = (
    f"""\
{DEMO_MARK} for the built-in Odoo emulator and its showcase data; see
# config.example.yaml for every key and what it means. Fast schedules, so things move.
"""
    + _ODOO
    + """\
  retry:
    {{max_attempts: 2, initial_backoff_seconds: 0.2, max_backoff_seconds: 1, jitter_seconds: 0.1}}
"""
    + _STORE
    + """\
# enroll, issue and deliver share the outbox: a run that starts while another holds it is
# skipped, so their intervals are chosen not to fall together often (issue also delivers).
schedules:
  sync: {{every: 2s}}
  issue: {{every: 2s}}
  enroll: {{every: 5s}}
  deliver: {{every: 7s}}
  notify: {{every: 3s}}
  reconcile: {{every: 30s}}
recruitment:
  ojt_stage: On the Job Training
programs:
  - key: junior-developers
    name: Junior Developer OJT
    responsible_user: admin
    jobs: [Junior Developer]
    courses:
      - course: Python Foundations
      - course: Odoo Development Basics
    weights: {{elearning: 0.8, attendance: 0.0, assessments: 0.2}}
    requirements: {{min_average_score: 60}}
    issue_on: completion
  - key: warehouse-operations
    name: Warehouse Operations Apprenticeship
    responsible_user: admin
    jobs: [Warehouse Operator]
    courses:
      - course: Warehouse Safety
      - course: Forklift Operation
    weights: {{elearning: 0.7, attendance: 0.3, assessments: 0.0}}
    requirements: {{min_attendance: 80}}
    issue_on: completion
    batches:
      - key: practical-week
        name: Forklift Practical Week cohort
        event: Forklift Practical Week
  - key: field-technicians
    name: Field Technician OJT
    responsible_user: admin
    courses:
      - course: Field Service Basics
    issue_on: batch_done
    # a mentor's event with this tag is a batch; its assignments are a copy of the template
    batch_tag: Field technician cohort
    assignments:
      template_project: Field technician assignments (template)
"""
    + _CERTIFICATES
    + """\
verify_site:
  host: 127.0.0.1
  port: {verify_port}
service:
  ops_host: 127.0.0.1
  ops_port: {ops_port}
# The cockpit (docs/cockpit.md), hosted by the service. A real config takes the key from the
# environment (secret_key: ${{OJT_APP_SECRET}}); this one is made for this demo run.
app:
  enabled: true
  host: 127.0.0.1
  port: {app_port}
  secret_key: {app_secret}
"""
)


def write_demo_config(workdir: Path, url: str, db: str) -> Path:
    """A config for the emulator's default demo data (`OdooEmulator(demo=True)`), for tests."""
    return _write(workdir, DEMO_CONFIG, url=url, db=db, verify_port=8080)


API_KEY_ENV = "OJT_DEMO_ODOO_API_KEY"


def write_showcase_config(
    workdir: Path,
    url: str,
    db: str,
    verify_port: int,
    ops_port: int,
    *,
    api_key: bool = False,
    app_port: int = 8090,
) -> Path:
    """The demo's config under `workdir`: the showcase programs, fast schedules, the verify site
    on `verify_port` (also the certificates' verify URL), the cockpit on `app_port` with a
    secret key made now; every path inside `workdir`. With
    `api_key`, the login is the API key in $OJT_DEMO_ODOO_API_KEY (JSON-2 on Odoo 19+)."""
    template = SHOWCASE_CONFIG
    if api_key:
        template = template.replace(
            "  password: ${{OJT_DEMO_ODOO_PASSWORD:-admin}}\n",
            f"  api_key: ${{{{{API_KEY_ENV}}}}}\n",
        )
    return _write(
        workdir,
        template,
        url=url,
        db=db,
        verify_port=verify_port,
        ops_port=ops_port,
        app_port=app_port,
        app_secret=secrets.token_urlsafe(32),
    )


def _write(workdir: Path, template: str, **values: Any) -> Path:
    """`template` filled in as `workdir`/config.yaml, its store `workdir`/ojt-sidecar.db."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "config.yaml"
    store = (workdir / "ojt-sidecar.db").resolve()
    path.write_text(template.format(store=store, **values), encoding="utf-8")
    return path
