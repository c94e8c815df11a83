"""A store, a signing key and a config, certificates issued by the real `make_certificate` (so
each carries its Open Badges credential and status index), and the verify site on them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from jobs.issue.make import Issuing, make_certificate
from sidecar.certificates.signing import Signer, generate_key
from sidecar.config import Config, load_config
from sidecar.store.engine import make_engine, make_sessionmaker
from sidecar.store.migrate import upgrade
from sidecar.store.models import Batch, Certificate, Program, Student
from tests.stores import migrated_sqlite
from verify_site.app import create_app

HERE = Path(__file__).parent
SCHEMA = HERE / "ob_v3p0_achievementcredential_schema.json"
BASE_URL = "https://verify.example.org"
DID = "did:web:verify.example.org"
ISSUED_AT = datetime(2025, 5, 1, 12, tzinfo=UTC)
TODAY = date(2025, 5, 1)

CONFIG = """\
odoo: {{url: "http://127.0.0.1:9", database: none, username: u, password: p}}
store: {{url: "{store}"}}
programs:
  - key: forklift
    name: Forklift Operator
    courses: [{{course: Warehouse Safety Basics}}, {{course: Driving, required: false}}]
    requirements: {{min_average_score: 70}}
certificates:
  output_dir: {tmp}/certificates
  signing_key: {tmp}/keys/signing.key
  issuer: {{name: Test Training}}
  verify_base_url: {base_url}
  validity_days: 730
"""


@dataclass
class World:
    cfg: Config
    sessions: sessionmaker[Session]
    issuing: Issuing
    program_id: int
    batch_id: int
    partners: Iterator[int]

    def issue(
        self, name: str = "Maria José", *, odoo_lang: str | None = None, **student: Any
    ) -> Certificate:
        """A new trainee of the batch with a certificate, committed; `odoo_lang` is their
        language in Odoo."""
        with self.sessions() as session:
            row = Student(
                program_id=self.program_id,
                odoo_partner_id=next(self.partners),
                batch_id=self.batch_id,
                name=name,
                **student,
            )
            session.add(row)
            session.flush()
            program = session.get(Program, self.program_id)
            batch = session.get(Batch, self.batch_id)
            assert program is not None
            cert = make_certificate(
                session, self.issuing, row, program, batch, now=ISSUED_AT, odoo_lang=odoo_lang
            )
            session.commit()
            session.refresh(cert)
            session.expunge(cert)
            return cert

    def replace(self, old: Certificate, odoo_lang: str | None = None) -> Certificate:
        """A new generation of `old`, as a re-issue or renewal makes it, committed."""
        with self.sessions() as session:
            previous = session.get(Certificate, old.id)
            assert previous is not None
            student = session.get(Student, previous.student_id)
            program = session.get(Program, previous.program_id)
            batch = session.get(Batch, self.batch_id)
            assert student is not None and program is not None
            cert = make_certificate(
                session,
                self.issuing,
                student,
                program,
                batch,
                generation=previous.generation + 1,
                now=ISSUED_AT,
                odoo_lang=odoo_lang,
                replaces=previous,
            )
            previous.superseded_at, previous.superseded_by_id = ISSUED_AT, cert.id
            session.commit()
            session.refresh(cert)
            session.expunge(cert)
            return cert

    def credential(self, cert: Certificate) -> dict[str, Any]:
        assert cert.credential is not None
        document: dict[str, Any] = json.loads(cert.credential)
        return document


def make_world(tmp_path: Path, store_url: str) -> World:
    (tmp_path / "config.yaml").write_text(
        CONFIG.format(store=store_url, tmp=tmp_path, base_url=BASE_URL)
    )
    cfg = load_config(tmp_path / "config.yaml")
    generate_key(cfg.certificates.signing_key)
    engine = make_engine(migrated_sqlite(store_url))
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        program = Program(key="forklift", name="Forklift Operator")
        session.add(program)
        session.flush()
        batch = Batch(
            program_id=program.id,
            key="spring",
            name="Spring cohort",
            start_date=date(2025, 3, 3),
            end_date=date(2025, 4, 25),
        )
        session.add(batch)
        session.commit()
        ids = program.id, batch.id
    signer = Signer.load(cfg.certificates.signing_key)
    issuing = Issuing(cfg, signer, "Test Training", TODAY)
    return World(cfg, sessions, issuing, *ids, partners=iter(range(100, 100_000)))


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path, f"sqlite:///{tmp_path / 'store.db'}")


@pytest.fixture
def site(world: World) -> Callable[..., Flask]:
    def make(**overrides: Any) -> Flask:
        values: dict[str, Any] = {"rate_limit_per_minute": 10_000, "clock": lambda: TODAY}
        values.update(overrides)
        return create_app(world.cfg, **values)

    return make
