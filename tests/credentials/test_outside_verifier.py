"""Every credential the demo issues, checked by code no one here wrote: Digital Bazaar's verifiers
under node (the proof, the issuer's DID document, the status list and the credential's bit) and
1EdTech's Open Badges 3.0 JSON Schema (jsonschema). Tampered copies fail.

The npm packages come from `tests/credentials/node/package-lock.json`, installed outside the
checkout (`.ci/run` does it). Without node or them this module is skipped, saying what is
missing; with OJT_CREDENTIAL_TESTS=required, as `.ci/run` sets it, it fails instead."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sidecar.certificates import did as dids
from sidecar.certificates import proof
from sidecar.certificates.linked_data import BUNDLED
from sidecar.certificates.signing import load_public_keys
from sidecar.certificates.status_publishing import publish_status_list
from sidecar.certificates.statuslist import list_url
from sidecar.cli.commands.certs import cert_revoke
from sidecar.config import Config, load_config
from sidecar.store.bootstrap import open_store
from sidecar.store.models import Certificate
from tests.credentials.conftest import World
from tests.credentials.test_issue import schema_errors
from verify_site.app import create_app

pytestmark = pytest.mark.credentials

HERE = Path(__file__).parent
CONTEXTS = Path(__file__).resolve().parents[2] / "sidecar" / "certificates" / "contexts"
SCRIPT = HERE / "verify_with_digitalbazaar.mjs"
LOCK = HERE / "node" / "package-lock.json"
REQUIRED_ENV = "OJT_CREDENTIAL_TESTS"
MODULES_ENV = "OJT_CREDENTIAL_NODE_MODULES"
INSTALL = (
    "To install them: mkdir -p ~/.cache/ojt-sidecar/credentials-node && cp"
    " tests/credentials/node/package*.json ~/.cache/ojt-sidecar/credentials-node/ &&"
    " npm ci --prefix ~/.cache/ojt-sidecar/credentials-node"
)

Verify = Callable[[list[dict[str, Any]], dict[str, Any]], dict[str, Any]]


def node_modules() -> Path:
    given = os.environ.get(MODULES_ENV)
    if given:
        return Path(given)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "ojt-sidecar" / "credentials-node" / "node_modules"


def _missing() -> list[str]:
    """What is missing to run the verifiers, or a version other than the lock's."""
    missing = [] if shutil.which("node") else ["node (apt-get install nodejs npm)"]
    if not node_modules().is_dir():
        return [*missing, f"the npm packages of tests/credentials/node (no {node_modules()})"]
    locked = json.loads(LOCK.read_text())["packages"]
    for name in json.loads((HERE / "node" / "package.json").read_text())["dependencies"]:
        manifest = node_modules() / name / "package.json"
        want = locked[f"node_modules/{name}"]["version"]
        if not manifest.is_file():
            missing.append(f"{name}@{want} in {node_modules()}")
        elif json.loads(manifest.read_text())["version"] != want:
            missing.append(f"{name}@{want} (another version is installed)")
    return missing


@pytest.fixture(scope="module")
def verify(tmp_path_factory: pytest.TempPathFactory) -> Verify:
    missing = _missing()
    if missing:
        reason = f"Digital Bazaar's verifiers are not installed: {', '.join(missing)}. {INSTALL}"
        if os.environ.get(REQUIRED_ENV) == "required":
            pytest.fail(reason)
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("node-verifier")
    (folder / "node_modules").symlink_to(node_modules(), target_is_directory=True)
    shutil.copy(SCRIPT, folder / SCRIPT.name)
    (folder / "package.json").write_text('{"type": "module", "private": true}\n')

    def run(cases: list[dict[str, Any]], documents: dict[str, Any]) -> dict[str, Any]:
        given = {
            "contexts": {url: str(CONTEXTS / name) for url, name in BUNDLED.items()},
            "documents": documents,
            "now": datetime.now(UTC).isoformat(),
            "cases": cases,
        }
        (folder / "cases.json").write_text(json.dumps(given))
        done = subprocess.run(
            ["node", SCRIPT.name, "cases.json"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        answer: dict[str, Any] = json.loads(done.stdout)
        assert all(answer["contextsMatchNpm"].values()), answer["contextsMatchNpm"]
        assert len(answer["results"]) == len(cases)
        return answer

    return run


@dataclass
class Demo:
    cfg: Config
    credentials: dict[str, dict[str, Any]]  # serial -> credential


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`ojt-sidecar demo --duration 20`, then every credential it issued."""
    root = tmp_path_factory.mktemp("demo")
    command = [sys.executable, "-c", "from sidecar.cli import run; run()", "demo"]
    done = subprocess.run(
        [*command, "--dir", str(root / "demo"), "--duration", "20"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    cfg = load_config(root / "demo" / "config.yaml")
    store = open_store(cfg)
    with store.sessions() as session:
        rows = session.execute(select(Certificate.serial, Certificate.credential)).all()
    store.close()
    credentials = {serial: json.loads(text) for serial, text in rows if text}
    assert len(credentials) == len(rows) >= 3, done.stdout[-3000:]
    yield Demo(cfg, credentials)


def published(cfg: Config) -> dict[str, Any]:
    """The issuer's DID document and the status list, as the verify site serves them now."""
    client = create_app(cfg, rate_limit_per_minute=10_000).test_client()
    base_url = str(cfg.certificates.verify_base_url)
    did_document = client.get("/.well-known/did.json").get_json()
    status = client.get("/status/1")
    assert status.status_code == 200, status.get_data(as_text=True)
    return {dids.did_web(base_url): did_document, list_url(base_url): json.loads(status.data)}


def tampered(credential: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Copies of `credential`, each changed in one way after it was signed."""

    def changed(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        copied = copy.deepcopy(credential)
        change(copied)
        return copied

    def new_proof_value(c: dict[str, Any]) -> None:
        value = c["proof"][0]["proofValue"]
        c["proof"][0]["proofValue"] = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]

    return {
        "name": changed(lambda c: c["credentialSubject"].update(name="Someone Else")),
        "date": changed(lambda c: c.update(validFrom="2020-01-01T00:00:00Z")),
        "proof": changed(new_proof_value),
        "no-date": changed(lambda c: c.update(validFrom="yesterday")),
        "no-program": changed(lambda c: c["credentialSubject"]["achievement"].pop("name")),
        "not-a-badge": changed(lambda c: c.update(type=["VerifiableCredential"])),
    }


STRUCTURAL = ("no-date", "no-program", "not-a-badge")  # what a schema can see


def test_every_demo_credential_verifies_and_tampered_copies_do_not(
    verify: Verify, demo: Demo
) -> None:
    cases = [{"name": s, "credential": c} for s, c in demo.credentials.items()]
    first = next(iter(demo.credentials.values()))
    cases += [{"name": f"tampered:{k}", "credential": c} for k, c in tampered(first).items()]
    results = {r["name"]: r for r in verify(cases, published(demo.cfg))["results"]}
    for serial in demo.credentials:
        assert results[serial]["verified"], results[serial]
        assert results[serial]["status"] is False, results[serial]  # checked: not revoked
    for kind in tampered(first):
        result = results[f"tampered:{kind}"]
        assert not result["verified"], kind
        # refused for what was changed, not for a document it could not load
        expected = "must be a valid date" if kind == "no-date" else "Invalid signature"
        assert expected in (result["error"] or ""), result


def test_every_demo_credential_passes_the_schema_and_broken_copies_fail(demo: Demo) -> None:
    for serial, credential in demo.credentials.items():
        assert schema_errors(credential) == [], serial
    broken = tampered(next(iter(demo.credentials.values())))
    for kind in STRUCTURAL:
        assert schema_errors(broken[kind]), kind


def test_our_own_verifier_agrees(demo: Demo) -> None:
    base_url = str(demo.cfg.certificates.verify_base_url)
    keys = dids.key_resolver(
        dids.did_web(base_url), load_public_keys(demo.cfg.certificates.signing_key)
    )
    for credential in demo.credentials.values():
        assert proof.verify_document(credential, keys)
    for copy_ in tampered(next(iter(demo.credentials.values()))).values():
        assert not proof.verify_document(copy_, keys)


def test_a_revocation_shows_to_the_outside_verifier(verify: Verify, demo: Demo) -> None:
    revoked = sorted(demo.credentials)[0]
    # the operator's command: it signs and stores the status list the site then serves
    cert_revoke(demo.cfg, revoked, reason="Issued in error", echo=lambda _: None)
    cases = [{"name": s, "credential": c} for s, c in demo.credentials.items()]
    results = {r["name"]: r for r in verify(cases, published(demo.cfg))["results"]}
    page = create_app(demo.cfg).test_client().get(f"/c/{revoked}").get_data(as_text=True)
    assert 'class="status status-revoked"' in page  # in the holder's language
    for serial in demo.credentials:
        assert results[serial]["status"] is (serial == revoked), results[serial]


def test_a_replacement_credential_naming_its_predecessor_verifies(
    verify: Verify, world: World
) -> None:
    old = world.issue("Ana Lima", odoo_lang="pt_BR")
    new = world.replace(old, odoo_lang="fr_FR")
    with world.sessions() as session, session.begin():
        assert publish_status_list(world.cfg, session, datetime.now(UTC))
    renewed = world.credential(new)
    assert renewed["relatedResource"][0]["id"] == f"{old.verify_url}.json"
    retargeted = copy.deepcopy(renewed)
    retargeted["relatedResource"][0]["digestSRI"] = "sha384-" + "A" * 64
    cases = [
        {"name": "renewed", "credential": renewed},
        {"name": "retargeted", "credential": retargeted},
    ]
    results = {r["name"]: r for r in verify(cases, published(world.cfg))["results"]}
    assert results["renewed"]["verified"], results["renewed"]
    assert not results["retargeted"]["verified"]  # the link to the predecessor is signed
    assert schema_errors(renewed) == []
