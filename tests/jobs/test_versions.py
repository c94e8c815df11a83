"""The whole job chain on every Odoo version the emulator speaks, and over JSON-2 where Odoo has
it: enroll the OJT stage's applicants, sync their progress, issue and deliver certificates. The
same Odoo records come out on every version and transport, and a second pass writes nothing.

This is the matrix's "all versions" half: the flows that differ between versions (memberships,
applicants and candidates, access checks, returned ids, attachments, JSON-2). Everything else
runs on the default 17.0 in the rest of the suite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors import OdooClient, OdooSettings
from connectors.retry import READ_ONLY_METHODS
from jobs.context import JobContext
from jobs.deliver import deliver
from jobs.enroll import run_enroll_cycle
from jobs.issue.runner import IssueJob
from jobs.odoo.profile import profile_of
from jobs.odoo_session import client_from_config
from jobs.sync.runner import SyncJob
from sidecar.certificates.signing import generate_key
from sidecar.cli.demo.runner import simulate_completions
from sidecar.config import Config, load_config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import open_store
from tests.conftest import FAST_RETRY
from tests.jobs.enrolling import CONFIG, ELIGIBLE

RUNS = [
    ("16.0", "xmlrpc"),
    ("17.0", "xmlrpc"),
    ("17.0", "jsonrpc"),
    ("18.0", "xmlrpc"),
    ("19.0", "xmlrpc"),
    ("19.0", "json2"),
    ("20.0", "json2"),
]


def configure(tmp_path: Path, emu: OdooEmulator, transport: str) -> Config:
    text = CONFIG.format(url=emu.url, db=emu.db, store=f"sqlite:///{tmp_path / 'store.db'}")
    if transport == "json2":
        text = text.replace("password: admin", f"api_key: {emu.new_api_key()}")
    text = text.replace("  username: admin\n", f"  username: admin\n  transport: {transport}\n")
    text += (
        f"certificates:\n  output_dir: {tmp_path / 'certificates'}\n"
        f"  signing_key: {tmp_path / 'signing.key'}\n"
    )
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    cfg = load_config(path)
    generate_key(cfg.certificates.signing_key)
    return cfg


def one_pass(cfg: Config, client: OdooClient, tmp_path: Path) -> dict[str, Any]:
    store = open_store(cfg)
    try:
        ctx = JobContext(cfg, store.sessions, client, files_root=cfg.certificates.output_dir)
        enrolled = run_enroll_cycle(ctx).enrolled
        with admin(client) as odoo:
            simulate_completions(odoo, "gardening", cfg, count=2)
        SyncJob(ctx).run()
        issued = IssueJob(ctx).run()
        # the statuses issuance changed show in Odoo at the next sync (status_in_odoo)
        SyncJob(ctx).run()
        shown = deliver(ctx)
        return {
            "enrolled": sorted(enrolled),
            "issued": len(issued.issued),
            "delivered": issued.delivery.delivered if issued.delivery else 0,
            "failed": issued.delivery.failed if issued.delivery else 0,
            "status writes": shown.delivered,
        }
    finally:
        store.close()


def admin(client: OdooClient) -> OdooClient:
    """The test's own hands in Odoo (XML-RPC as admin), apart from the sidecar's client."""
    s = client.settings
    return OdooClient(
        OdooSettings(
            url=s.url, database=s.database, username="admin", secret="admin", retry=FAST_RETRY
        )
    )


def landed(emu: OdooEmulator) -> dict[str, Any]:
    """What the chain leaves in Odoo, in version-independent terms."""

    def count(model: str, domain: list[Any]) -> int:
        return len(emu.env.search(model, domain, context={"active_test": False}))

    partners = [
        emu.env.search_read("hr.applicant", [("id", "=", a)], ["partner_id"])[0]["partner_id"][0]
        for a in ELIGIBLE
    ]
    return {
        "portal users": count("res.users", [("partner_id", "in", partners), ("share", "=", True)]),
        "memberships": count(
            "slide.channel.partner", [("partner_id", "in", partners), ("channel_id", "in", [1, 2])]
        ),
        "enrollment notes": count(
            "mail.message",
            [("model", "=", "hr.applicant"), ("body", "ilike", "Enrolled in Gardening OJT")],
        ),
        "certificate files": count("ir.attachment", [("name", "=like", "certificate-%.pdf")]),
        "certificate messages": count(
            "mail.message", [("model", "=", "res.partner"), ("body", "ilike", "certificate")]
        ),
        "contacts tagged certified": sum(
            len(row["partner_ids"])
            for row in emu.env.search_read(
                "res.partner.category",
                [("name", "=", "OJT Gardening OJT: certified")],
                ["partner_ids"],
            )
        ),
    }


def run_chain(version: str, transport: str, tmp_path: Path) -> tuple[dict[str, Any], OdooEmulator]:
    emu = OdooEmulator(version=version).start()
    cfg = configure(tmp_path, emu, transport)
    with client_from_config(cfg) as client:
        first = one_pass(cfg, client, tmp_path)
        assert client.transport.name == transport
        assert profile_of(client).series == version
        emu.reset_calls()
        again = one_pass(cfg, client, tmp_path)
    writes = [
        f"{c.model}.{c.model_method}"
        for c in emu.calls
        if c.model_method
        and c.model_method not in READ_ONLY_METHODS
        and c.model_method not in ("action_channel_enroll", "action_channel_invite")
        and c.model != "slide.slide.partner"  # the test's own completions
    ]
    assert again == {"enrolled": [], "issued": 0, "delivered": 0, "failed": 0, "status writes": 0}
    assert writes == [], f"a second pass wrote to Odoo {version} over {transport}: {writes}"
    return {"first pass": first, "in Odoo": landed(emu)}, emu


EXPECTED = {
    "first pass": {
        "enrolled": sorted(f"applicant:{a}" for a in ELIGIBLE),
        "issued": 2,
        # per certificate: the PDF and a message on the contact, the same on the applicant (8);
        # and the status tags of the first sync (status_in_odoo): 2 tags made (enrolled,
        # completed), 4 contacts tagged: the three enrolled applicants and Joel Willis, the
        # demo's portal member (its internal users are no trainees: product-rules §12)
        "delivered": 14,
        "failed": 0,
        # the certified tag, made once, on the two certified contacts
        "status writes": 3,
    },
    "in Odoo": {
        "portal users": 3,
        "memberships": 6,
        "enrollment notes": 3,
        "certificate files": 4,
        "certificate messages": 2,
        "contacts tagged certified": 2,
    },
}


@pytest.mark.parametrize(("version", "transport"), RUNS, ids=[f"{v}-{t}" for v, t in RUNS])
def test_the_same_records_come_out_on_every_version_and_transport(
    version: str, transport: str, tmp_path: Path
) -> None:
    result, emu = run_chain(version, transport, tmp_path)
    try:
        assert result == EXPECTED
    finally:
        emu.stop()
