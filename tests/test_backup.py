"""`ojt-sidecar backup` and `restore`: a sidecar that synced, issued, delivered and revoked comes
back elsewhere with every certificate verifying, online and offline, and its next jobs write
nothing twice to Odoo; and a restore refuses what it must (a changed, cut or hostile archive, a
store that exists, a service at work) before it writes anything."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import tarfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import create_engine

from jobs.service.leases import try_acquire
from sidecar.certificates.signing import generate_key, load_public_keys
from sidecar.cli import main
from sidecar.cli.demo.runner import simulate_completions, write_demo_config
from sidecar.config import load_config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import open_store
from sidecar.store.engine import make_engine
from sidecar.store.migrate import current_revision, head_revision, upgrade
from sidecar.store.models import utcnow
from tests.jobs.syncing import client_for
from verify_site.app import create_app

NO_ODOO = "http://127.0.0.1:9"  # the refusals never reach Odoo
ODOO_RECORDS = ("mail.message", "ir.attachment", "mail.mail", "mail.activity", "res.partner")


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def odoo_records(emu: OdooEmulator) -> dict[str, int]:
    return {model: len(emu.env.search(model, [])) for model in ODOO_RECORDS}


def writes_to_odoo(emu: OdooEmulator) -> list[str]:
    return [
        f"{c.model}.{c.model_method}"
        for c in emu.calls
        if c.model_method in ("create", "write", "message_post", "unlink")
    ]


def page(config: Path, serial: str) -> str:
    response = create_app(load_config(config)).test_client().get(f"/c/{serial}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def pack(archive: Path, files: dict[str, bytes], *, manifest: dict[str, Any] | None = None) -> Path:
    """An archive holding `files` and a manifest that lists them truly (or the one given)."""
    if manifest is None:
        manifest = json.loads(files.pop("manifest.json"))
        manifest["files"] = [
            {"path": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
            for n, d in files.items()
        ]
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in {**files, "manifest.json": json.dumps(manifest).encode()}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return archive


def nothing_restored(config: Path) -> bool:
    """The destination holds only its config: no store, no key, no certificate."""
    return sorted(p.name for p in config.parent.iterdir()) == ["config.yaml"]


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A sidecar with a migrated store, a signing key and one certificate file; no Odoo."""
    config = write_demo_config(tmp_path / "live", NO_ODOO, "ojt")
    cfg = load_config(config)
    open_store(cfg).close()
    generate_key(cfg.certificates.signing_key)
    pdf = cfg.certificates.output_dir / "2026" / "OJT-TEST.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.7 a certificate")
    return config


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    """A config whose store, keys and certificates are all still to come."""
    return write_demo_config(tmp_path / "restored", NO_ODOO, "ojt")


@pytest.fixture
def archive(small: Path, tmp_path: Path) -> Path:
    path = tmp_path / "backup.tar.gz"
    code, _, err = invoke("backup", "-c", small, "-o", path)
    assert code == 0, err
    return path


def test_a_restored_sidecar_verifies_every_certificate_and_doubles_nothing_in_odoo(
    tmp_path: Path, emu: OdooEmulator
) -> None:
    live = write_demo_config(tmp_path / "live", emu.url, emu.db)
    cfg = load_config(live)
    generate_key(cfg.certificates.signing_key)
    with client_for(emu) as client:
        simulate_completions(client, "junior-developers", cfg, count=2)
    assert invoke("sync", "-c", live)[0] == 0
    code, out, err = invoke("issue", "-c", live)
    assert code == 0 and "2 certificate(s) issued" in out, out + err
    # the next sync shows the two as certified on their contacts (status_in_odoo)
    assert invoke("sync", "-c", live)[0] == 0 and invoke("issue", "-c", live)[0] == 0
    certs = json.loads(invoke("cert", "list", "-c", live, "--json")[1])
    revoked = certs[0]["serial"]
    assert invoke("cert", "revoke", "-c", live, revoked, "--reason", "issued in error")[0] == 0

    # Backed up with the revocation's note to Odoo still pending; the live sidecar then
    # delivers it, so the restored store believes pending a write that Odoo already has.
    archive = tmp_path / "backup.tar.gz"
    code, out, err = invoke("backup", "-c", live, "-o", archive)
    assert code == 0, err
    assert "2 certificate(s), 1 revoked" in out
    assert invoke("issue", "-c", live)[0] == 0
    in_odoo = odoo_records(emu)

    restored = write_demo_config(tmp_path / "restored", emu.url, emu.db)
    code, out, err = invoke("restore", "-c", restored, archive)
    assert code == 0, err
    assert "2 certificate(s), 1 revoked" in out and "Traceback" not in out + err
    assert "1 pending Odoo write(s) will be looked for in Odoo before they are sent" in out

    for cert in certs:
        html = page(restored, cert["serial"])
        if cert["serial"] == revoked:
            assert "revoked" in html.lower() and "issued in error" in html
        else:
            assert "Valid certificate" in html
        pdf = load_config(restored).certificates.output_dir / cert["pdf"]
        assert pdf.read_bytes() == (cfg.certificates.output_dir / cert["pdf"]).read_bytes()
        code, out, _ = invoke("verify-pdf", "-c", restored, "--json", pdf)
        assert code == 0 and json.loads(out)["ok"], out

    emu.reset_calls()
    assert invoke("sync", "-c", restored)[0] == 0
    code, out, err = invoke("issue", "-c", restored)  # issues, then delivers the outbox
    assert code == 0, out + err
    assert "0 certificate(s) issued" in out and "1 found from earlier attempts" in out, out
    # the one write: the revoked trainee's tag moved back to completed, which neither sidecar
    # had done yet (the live one did not sync after the revocation)
    assert writes_to_odoo(emu) == ["res.partner.write"]
    assert odoo_records(emu) == in_odoo


def test_the_archive_is_private_and_its_manifest_describes_it(small: Path, tmp_path: Path) -> None:
    path = tmp_path / "backup.tar.gz"
    code, out, err = invoke("backup", "-c", small, "-o", path)
    assert code == 0, err
    assert "the archive holds the private signing key" in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with tarfile.open(path, "r:gz") as tar:
        modes = {m.name: stat.S_IMODE(m.mode) for m in tar}
    assert modes["keys/signing.key"] == 0o600 and modes["store/ojt-sidecar.db"] == 0o600
    files = members(path)
    manifest = json.loads(files.pop("manifest.json"))
    assert manifest["sidecar_version"] == "0.1.0" and manifest["created_at"]
    assert manifest["store_kind"] == "sqlite" and manifest["schema_revision"] == head_revision()
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == {
        name: hashlib.sha256(data).hexdigest() for name, data in files.items()
    }
    assert "certificates/2026/OJT-TEST.pdf" in files
    cfg = load_config(small)
    assert files["keys/signing.key"] == cfg.certificates.signing_key.read_bytes()
    # and a second backup under the same name is refused, the first one kept
    code, _, err = invoke("backup", "-c", small, "-o", path)
    assert code == 1 and "already exists" in err


def test_restore_refuses_an_existing_store_and_key_unless_forced(
    archive: Path, fresh: Path
) -> None:
    assert invoke("restore", "-c", fresh, archive)[0] == 0
    cfg = load_config(fresh)
    cfg.certificates.signing_key.write_bytes(b"a newer key")
    code, out, err = invoke("restore", "-c", fresh, archive)
    assert code == 1 and out == ""
    assert err.startswith("error: the store ") and "--force" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert cfg.certificates.signing_key.read_bytes() == b"a newer key"
    code, _, err = invoke("restore", "-c", fresh, archive, "--force")
    assert code == 0, err
    assert cfg.certificates.signing_key.read_bytes() == members(archive)["keys/signing.key"]


def test_restore_refuses_a_changed_archive_and_writes_nothing(
    archive: Path, fresh: Path, tmp_path: Path
) -> None:
    files = members(archive)
    manifest = json.loads(files.pop("manifest.json"))
    files["certificates/2026/OJT-TEST.pdf"] = b"%PDF-1.7 a forged certificate"
    changed = pack(tmp_path / "changed.tar.gz", files, manifest=manifest)
    code, _, err = invoke("restore", "-c", fresh, changed)
    assert code == 1
    assert "'certificates/2026/OJT-TEST.pdf'" in err and "does not match its checksum" in err
    assert nothing_restored(fresh)


def test_restore_refuses_a_truncated_archive(archive: Path, fresh: Path, tmp_path: Path) -> None:
    data = archive.read_bytes()
    for cut in (len(data) // 2, len(data) - 4):  # inside the data; inside gzip's trailer
        truncated = tmp_path / f"cut-{cut}.tar.gz"
        truncated.write_bytes(data[:cut])
        code, _, err = invoke("restore", "-c", fresh, truncated)
        assert code == 1 and "damaged, truncated or not an ojt-sidecar backup" in err, err
    assert nothing_restored(fresh)


@pytest.mark.parametrize(
    "name", ["certificates/../../escaped.pdf", "/tmp/escaped.pdf", "certificates/./x.pdf"]
)
def test_restore_refuses_a_member_that_leads_outside(
    archive: Path, fresh: Path, tmp_path: Path, name: str
) -> None:
    files = members(archive)
    files[name] = b"%PDF-1.7 somewhere else"
    hostile = pack(tmp_path / "hostile.tar.gz", files)  # its manifest lists it, truly
    code, _, err = invoke("restore", "-c", fresh, hostile)
    assert code == 1 and f"{name!r}" in err and "refused" in err, err
    assert nothing_restored(fresh) and not (tmp_path / "escaped.pdf").exists()


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE])
def test_restore_refuses_links(archive: Path, fresh: Path, tmp_path: Path, kind: bytes) -> None:
    hostile = tmp_path / "links.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(hostile, "w:gz") as tar:
        link = tarfile.TarInfo("certificates/2026/passwd.pdf")
        link.type, link.linkname = kind, "/etc/passwd"
        tar.addfile(link)
        for member in source:
            tar.addfile(member, source.extractfile(member))
    code, _, err = invoke("restore", "-c", fresh, hostile)
    assert code == 1 and "holds a link ('certificates/2026/passwd.pdf')" in err, err
    assert nothing_restored(fresh)


def test_restore_refuses_while_the_service_holds_a_lease(archive: Path, fresh: Path) -> None:
    assert invoke("restore", "-c", fresh, archive)[0] == 0
    cfg = load_config(fresh)
    store = open_store(cfg, reconcile=False)
    with store.sessions() as session, session.begin():
        assert try_acquire(session, "sync", "vm:4242:a1b2c3", timedelta(minutes=2), utcnow())
    store.close()
    code, _, err = invoke("restore", "-c", fresh, archive, "--force")
    assert code == 1
    assert "vm:4242:a1b2c3 holds the 'sync' lease on this store" in err and "stop it" in err


def test_restore_upgrades_a_store_from_an_older_schema(tmp_path: Path, fresh: Path) -> None:
    old = write_demo_config(tmp_path / "old", NO_ODOO, "ojt")
    engine = make_engine(load_config(old).store.url.get_secret_value())
    upgrade(engine, "0003")
    engine.dispose()
    archive = tmp_path / "old.tar.gz"
    code, out, err = invoke("backup", "-c", old, "-o", archive)
    assert code == 0 and "schema revision 0003" in out, err
    code, out, err = invoke("restore", "-c", fresh, archive)
    assert code == 0, err
    assert f"upgraded from schema revision 0003 to {head_revision()}" in out
    restored = create_engine(load_config(fresh).store.url.get_secret_value())
    assert current_revision(restored) == head_revision()
    restored.dispose()


def test_a_forced_restore_keeps_public_keys_rotated_since_the_backup(
    archive: Path, small: Path
) -> None:
    cfg = load_config(small)
    rotated = generate_key(cfg.certificates.signing_key, rotate=True)
    store = cfg.store.url.get_secret_value().removeprefix("sqlite:///")
    os.remove(store)  # the store was lost: back to the backup
    code, out, err = invoke("restore", "-c", small, archive, "--force")
    assert code == 0, err
    assert "kept 1 newer public key(s)" in out
    keys = {k["kid"]: k["status"] for k in load_public_keys(cfg.certificates.signing_key)}
    assert keys[rotated] == "retired" and list(keys.values()).count("current") == 1


def test_on_postgresql_the_archive_holds_the_files_and_the_store_goes_with_pg_dump(
    postgres_url: str, tmp_path: Path
) -> None:
    live = on_store(write_demo_config(tmp_path / "live", NO_ODOO, "ojt"), postgres_url)
    cfg = load_config(live)
    open_store(cfg).close()
    generate_key(cfg.certificates.signing_key)
    (cfg.certificates.output_dir / "OJT-PG.pdf").parent.mkdir(parents=True)
    (cfg.certificates.output_dir / "OJT-PG.pdf").write_bytes(b"%PDF-1.7 on postgres")
    archive = tmp_path / "pg.tar.gz"
    code, out, err = invoke("backup", "-c", live, "-o", archive)
    assert code == 0, err
    assert "store: on PostgreSQL" in out and "back it up with pg_dump" in out
    files = members(archive)
    manifest = json.loads(files["manifest.json"])
    assert manifest["store_kind"] == "postgresql" and not manifest["store_included"]
    assert manifest["schema_revision"] == head_revision()
    assert sorted(files) == [
        "certificates/OJT-PG.pdf",
        "keys/signing.key",
        "keys/signing.key.public.json",
        "manifest.json",
    ]

    into_sqlite = write_demo_config(tmp_path / "sqlite", NO_ODOO, "ojt")
    code, _, err = invoke("restore", "-c", into_sqlite, archive)
    assert code == 1 and "the archive holds no store" in err and "pg_dump" in err

    restored = on_store(write_demo_config(tmp_path / "restored", NO_ODOO, "ojt"), postgres_url)
    code, out, err = invoke("restore", "-c", restored, archive)
    assert code == 0, err
    assert "store: on PostgreSQL" in out and "restored with pg_restore" in out
    back = load_config(restored).certificates
    assert (back.output_dir / "OJT-PG.pdf").read_bytes() == b"%PDF-1.7 on postgres"
    assert back.signing_key.read_bytes() == cfg.certificates.signing_key.read_bytes()


def on_store(config: Path, url: str) -> Path:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["store"]["url"] = url
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    return config


def test_restore_refuses_a_certificate_folder_that_links_elsewhere(
    archive: Path, fresh: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    certificates = load_config(fresh).certificates.output_dir
    certificates.mkdir()
    (certificates / "2026").symlink_to(elsewhere)
    code, _, err = invoke("restore", "-c", fresh, archive)
    assert code == 1 and "leads outside" in err, err
    assert list(elsewhere.iterdir()) == []
    assert not load_config(fresh).certificates.signing_key.exists()
