"""The Open Badges credentials of certificates issued against a real Odoo (`./dev test -m live`,
with ODOO_URL, ODOO_DB, ODOO_USER and ODOO_PASSWORD of an administrator), checked by code no one
here wrote: Digital Bazaar's verifier under node and 1EdTech's JSON Schema
(`test_outside_verifier.py` says how they are installed).

Ten contacts (no users) whose names are written in ten scripts (Latin with accents, Cyrillic,
Greek, Chinese, Japanese, Korean, Arabic, Hebrew, Devanagari and Thai), their Odoo `lang`
en_US, fr_FR, es_ES and ar_001 in turn, complete a course. The real jobs (sync, issue, deliver)
issue their certificates and deliver the PDFs to Odoo. Each credential, as stored, as embedded
in the PDF Odoo now holds, and as the verify site serves it at `/c/<serial>.json`, passes the
verifier and the schema; tampered copies fail. Then `cert revoke` and one deliver cycle: the
site's status list has the certificate's bit set, its page says Revoked and the verifier sees
the revocation. `cert renew` gives a new serial, and `cert export` a ZIP with the current PDFs,
their credentials and `manifest.csv`.

Needs French, Spanish and Arabic active in Odoo (Settings > Languages); skipped otherwise. The
course and contacts it makes are archived after, as the other live tests do."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from connectors import OdooClient
from jobs.context import JobContext
from jobs.deliver import deliver
from jobs.issue.runner import IssueJob
from jobs.odoo_session import client_from_config
from jobs.sync.runner import SyncJob
from sidecar.certificates.pdf import CREDENTIAL_NAME
from sidecar.certificates.serial import check
from sidecar.certificates.signing import load_public_keys
from sidecar.certificates.statuslist import decode_list, is_set
from sidecar.certificates.verify_pdf import verify_pdf
from sidecar.cli import main
from sidecar.config import Config
from sidecar.store.bootstrap import Store, open_store
from sidecar.store.models import Certificate
from tests.credentials.test_issue import schema_errors
from tests.credentials.test_outside_verifier import (  # noqa: F401 (the node verifier fixture)
    STRUCTURAL,
    Verify,
    published,
    tampered,
    verify,
)
from tests.jobs.live import clean_up, live_course, write_live_config
from verify_site.app import create_app

pytestmark = [pytest.mark.live, pytest.mark.credentials]

# One name per script; the `lang` of the contacts goes round LANGS.
NAMES = (
    "Zoë Ñúñez-Ærøskøbing",
    "Дмитрий Шостакович",
    "Δημήτρης Παπαδόπουλος",
    "王小明",
    "山田 花子",
    "김민준",
    "محمد عبد الله",
    "דוד בן־גוריון",
    "कृष्ण कुमार",
    "สมชาย ใจดี",
)
LANGS = ("en_US", "fr_FR", "es_ES", "ar_001")
BASE_URL = "https://verify.example.org"
PROGRAM = "creds"

# Goes on `tests.jobs.live.SERVER`, whose last lines are the `certificates:` section: the first
# two lines here are more of it.
CONFIG = """\
  verify_base_url: {base_url}
  validity_days: 730
programs:
  - key: {program}
    name: Credentials {tag}
    courses:
      - course: {course}
"""


@dataclass
class Made:
    """What the test made in Odoo, and the trainees: partner → (name, lang)."""

    tag: str
    course: int = 0
    trainees: dict[int, tuple[str, str]] = field(default_factory=dict)


@pytest.fixture
def made(live: OdooClient) -> Iterator[Made]:
    active = {r["code"] for r in live.search_read_list("res.lang", [], ["code"])}
    if missing := sorted(set(LANGS) - active):
        pytest.skip(f"activate {', '.join(missing)} in Odoo (Settings > Languages) first")
    scenario = Made(uuid.uuid4().hex[:8])
    try:
        scenario.course, lesson = live_course(live, scenario.tag)
        for i, name in enumerate(NAMES):
            lang = LANGS[i % len(LANGS)]
            email = f"ojt.cred.{i}.{scenario.tag}@example.org"
            partner = live.create("res.partner", {"name": name, "email": email, "lang": lang})
            scenario.trainees[int(partner)] = (name, lang)
            live.create(
                "slide.channel.partner", {"channel_id": scenario.course, "partner_id": partner}
            )
            live.create(
                "slide.slide.partner",
                {
                    "slide_id": lesson,
                    "channel_id": scenario.course,
                    "partner_id": partner,
                    "completed": True,
                },
            )
        yield scenario
    finally:
        status_tags = live.search("res.partner.category", [("name", "ilike", scenario.tag)])
        partners = list(scenario.trainees)
        clean_up(
            live,
            [
                ("res.partner.category", "write", {"ids": status_tags, "vals": {"active": False}}),
                ("res.partner", "write", {"ids": partners, "vals": {"active": False}}),
                ("slide.channel", "write", {"ids": [scenario.course], "vals": {"active": False}}),
            ],
        )


def cli(*args: str) -> str:
    """`ojt-sidecar ARGS`: its output, once it exited 0."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def current(store: Store) -> dict[int, Certificate]:
    """Partner → their certificate that no re-issue replaced, detached from the session."""
    with store.sessions() as session:
        found = list(
            session.scalars(select(Certificate).where(Certificate.superseded_at.is_(None)))
        )
        session.expunge_all()
    return {cert.odoo_partner_id: cert for cert in found}


def pdf_in_odoo(live: OdooClient, cert: Certificate) -> bytes:
    """The certificate's PDF as delivered: the attachment on the trainee's contact."""
    (row,) = live.search_read_list(
        "ir.attachment",
        [
            ("res_model", "=", "res.partner"),
            ("res_id", "=", cert.odoo_partner_id),
            ("name", "=", f"certificate-{cert.serial}.pdf"),
        ],
        ["datas"],
    )
    return base64.b64decode(row["datas"])


def credentials_of(
    live: OdooClient, cfg: Config, site: FlaskClient, cert: Certificate
) -> dict[str, dict[str, Any]]:
    """The certificate's credential in the store, in the PDF Odoo holds and on the verify site,
    each checked to be the same credential (the PDF's the very bytes stored)."""
    assert cert.credential is not None and cert.status_index is not None
    pdf = pdf_in_odoo(live, cert)
    assert hashlib.sha256(pdf).hexdigest() == cert.pdf_sha256
    assert verify_pdf(pdf, load_public_keys(cfg.certificates.signing_key)).ok, cert.serial
    (embedded,) = PdfReader(io.BytesIO(pdf)).attachments[CREDENTIAL_NAME]
    assert embedded == cert.credential.encode("utf-8")
    served = site.get(f"/c/{cert.serial}.json")
    assert served.status_code == 200, served.get_data(as_text=True)
    found = {
        "store": json.loads(cert.credential),
        "pdf": json.loads(embedded),
        "site": json.loads(served.data),
    }
    assert found["site"] == found["store"]
    return found


def issue_and_deliver(ctx: JobContext) -> None:
    """One sync, issue and deliver cycle of the real jobs, each without a problem."""
    assert SyncJob(ctx).run().problems == []
    issued = IssueJob(ctx).run()
    assert issued.problems == [] and issued.flagged == [], issued
    assert deliver(ctx).failed == 0


def check_issued(made: Made, certs: dict[int, Certificate], program: str) -> None:
    """One delivered certificate per trainee, in their name as Odoo spells it."""
    assert set(certs) == set(made.trainees)
    for partner, cert in certs.items():
        name, lang = made.trainees[partner]
        assert cert.participant_name == name and cert.program_name == program
        assert cert.delivered_at is not None, cert.serial
        assert lang in LANGS
        # written in the trainee's language in Odoo (each of these has a catalogue)
        assert cert.lang == lang.split("_")[0], (cert.serial, lang)


def check_outside(node: Verify, cfg: Config, credentials: dict[str, dict[str, Any]]) -> None:
    """Every credential verifies (and is not revoked) and passes the schema; every tampered copy
    fails the verifier, and each structurally broken one the schema too."""
    cases = [{"name": name, "credential": c} for name, c in credentials.items()]
    broken: dict[str, dict[str, Any]] = {}
    for name, credential in credentials.items():
        if name.endswith(":store"):  # the three are one credential
            for kind, copy_ in tampered(credential).items():
                broken[f"{name}:tampered:{kind}"] = copy_
    cases += [{"name": name, "credential": c} for name, c in broken.items()]
    results = {r["name"]: r for r in node(cases, published(cfg))["results"]}
    for name, credential in credentials.items():
        assert results[name]["verified"], results[name]
        assert results[name]["status"] is False, results[name]
        assert schema_errors(credential) == [], name
    for name, copy_ in broken.items():
        assert not results[name]["verified"], name
        if name.rsplit(":", 1)[1] in STRUCTURAL:
            assert schema_errors(copy_), name


def check_credentials(
    node: Verify, live: OdooClient, cfg: Config, made: Made, certs: dict[int, Certificate]
) -> None:
    site = create_app(cfg, rate_limit_per_minute=10_000).test_client()
    credentials: dict[str, dict[str, Any]] = {}
    for partner, cert in certs.items():
        for source, credential in credentials_of(live, cfg, site, cert).items():
            subject = credential["credentialSubject"]
            assert subject["name"] == made.trainees[partner][0], source
            assert credential["id"] == f"{BASE_URL}/c/{cert.serial}"
            credentials[f"{cert.serial}:{source}"] = credential
    check_outside(node, cfg, credentials)


def check_revocation(
    node: Verify, live: OdooClient, ctx: JobContext, config: Path, certs: dict[int, Certificate]
) -> Certificate:
    """`cert revoke` one (an English speaker's: its page is in English), one deliver cycle: the
    note is on the contact, the list has its bit and no other, the page and verifier agree."""
    revoked = next(c for c in certs.values() if c.participant_name == NAMES[0])
    assert "revoked" in cli("cert", "revoke", "-c", str(config), revoked.serial, "--reason", "Test")
    assert deliver(ctx).failed == 0
    notes = live.search_count(
        "mail.message",
        [
            ("model", "=", "res.partner"),
            ("res_id", "=", revoked.odoo_partner_id),
            ("body", "ilike", revoked.serial),
            ("body", "ilike", "was revoked"),
        ],
    )
    assert notes == 1
    site = create_app(ctx.cfg, rate_limit_per_minute=10_000).test_client()
    answer = site.get("/status/1")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    bits = decode_list(json.loads(answer.data)["credentialSubject"]["encodedList"])
    for cert in certs.values():
        assert cert.status_index is not None
        assert is_set(bits, cert.status_index) is (cert is revoked), cert.serial
    assert "Revoked" in site.get(f"/c/{revoked.serial}").get_data(as_text=True)
    cases = [
        {"name": c.serial, "credential": json.loads(c.credential or "")} for c in certs.values()
    ]
    results = {r["name"]: r for r in node(cases, published(ctx.cfg))["results"]}
    for cert in certs.values():
        assert results[cert.serial]["verified"], results[cert.serial]
        assert results[cert.serial]["status"] is (cert is revoked), results[cert.serial]
    return revoked


def check_renewal(
    node: Verify, live: OdooClient, cfg: Config, config: Path, old: Certificate, store: Store
) -> Certificate:
    """`cert renew` (an Arabic name): a new, valid serial, delivered, its credential verifying."""
    said = cli("cert", "renew", "-c", str(config), old.serial)
    found = re.search(rf"renewed {old.serial} as (\S+) for ", said)
    assert found, said
    assert "0 failed" in said, said
    new = current(store)[old.odoo_partner_id]
    assert new.serial == found.group(1) != old.serial and check(new.serial) == "ok"
    assert (new.generation, new.participant_name) == (old.generation + 1, old.participant_name)
    with store.sessions() as session:
        replaced = session.get(Certificate, old.id)
        assert replaced is not None and replaced.superseded_by_id == new.id
    site = create_app(cfg, rate_limit_per_minute=10_000).test_client()
    credentials = {f"{new.serial}:{k}": v for k, v in credentials_of(live, cfg, site, new).items()}
    check_outside(node, cfg, credentials)
    # The two link each other: the new page and credential name the old one, as served.
    assert f'href="/c/{old.serial}"' in site.get(f"/c/{new.serial}").get_data(as_text=True)
    (related,) = json.loads(new.credential or "{}")["relatedResource"]
    served = site.get(f"/c/{old.serial}.json").data
    digest = base64.b64encode(hashlib.sha384(served).digest()).decode()
    assert related["id"] == f"{old.verify_url}.json" and related["digestSRI"] == f"sha384-{digest}"
    return new


def check_export(cfg: Config, tmp_path: Path, certs: dict[int, Certificate], revoked: str) -> None:
    """`cert export`: a manifest row per current certificate, each valid one's PDF as issued
    and its credential as signed; the revoked one listed without its files."""
    target = tmp_path / "export.zip"
    config = str(tmp_path / "config.yaml")
    said = cli("cert", "export", "-c", config, "--program", PROGRAM, "--zip", str(target))
    valid = len(certs) - 1
    assert f"{len(certs)} certificate(s) in the manifest, {2 * valid} file(s)" in said, said
    output_dir = cfg.certificates.output_dir
    with zipfile.ZipFile(target) as bundle:
        names = set(bundle.namelist())
        manifest = bundle.read("manifest.csv").decode("utf-8")
        rows = {r["serial"]: r for r in csv.DictReader(io.StringIO(manifest))}
        assert set(rows) == {c.serial for c in certs.values()}
        assert names == {"manifest.csv"} | {
            r[k] for r in rows.values() for k in ("pdf", "credential") if r[k]
        }
        for cert in certs.values():
            row = rows[cert.serial]
            assert row["participant"] == cert.participant_name
            if cert.serial == revoked:
                assert (row["status"], row["pdf"], row["credential"]) == ("revoked", "", "")
                continue
            assert row["status"] == "valid"
            pdf = bundle.read(row["pdf"])
            assert pdf == (output_dir / cert.pdf_path).read_bytes()
            assert hashlib.sha256(pdf).hexdigest() == row["pdf_sha256"] == cert.pdf_sha256
            assert bundle.read(row["credential"]) == (cert.credential or "").encode("utf-8")
    assert len([n for n in names if n.endswith(".pdf")]) == valid


def test_credentials_of_every_script_on_a_real_odoo(
    live: OdooClient,
    made: Made,
    tmp_path: Path,
    verify: Verify,  # noqa: F811
) -> None:
    cfg = write_live_config(
        CONFIG, tmp_path, base_url=BASE_URL, program=PROGRAM, tag=made.tag, course=made.course
    )
    config = tmp_path / "config.yaml"
    store = open_store(cfg)
    with ExitStack() as stack:
        stack.callback(store.close)
        ctx = JobContext(cfg, store.sessions, stack.enter_context(client_from_config(cfg)))
        issue_and_deliver(ctx)
        certs = current(store)
        check_issued(made, certs, f"Credentials {made.tag}")
        check_credentials(verify, live, cfg, made, certs)

        revoked = check_revocation(verify, live, ctx, config, certs)
        arabic = next(c for c in certs.values() if c.participant_name == "محمد عبد الله")
        renewed = check_renewal(verify, live, cfg, config, arabic, store)
        now = current(store)
        assert {p: c.serial for p, c in now.items()} == {
            **{p: c.serial for p, c in certs.items()},
            arabic.odoo_partner_id: renewed.serial,
        }
        check_export(cfg, tmp_path, now, revoked.serial)
