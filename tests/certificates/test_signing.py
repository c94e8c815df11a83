import json
import stat
from pathlib import Path

import pytest

from sidecar.certificates.signing import (
    KeyFileError,
    Signer,
    canonical_json,
    generate_key,
    load_public_keys,
    verify_signature,
)

PAYLOAD = {"v": 1, "participant": "Zoë <b>", "score": 87.5, "batch": None}


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "signing.key"
    generate_key(path)
    return path


def test_canonical_json_sorts_keys_and_keeps_unicode() -> None:
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


def test_canonical_json_refuses_nan() -> None:
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_sign_and_verify_round_trip(key_path: Path) -> None:
    signed = Signer.load(key_path).sign(PAYLOAD)
    assert signed.payload_bytes == canonical_json(PAYLOAD)
    assert "=" not in signed.signature
    keys = load_public_keys(key_path)
    assert verify_signature(signed.payload_bytes, signed.signature, keys, signed.kid)


def test_a_changed_payload_byte_fails(key_path: Path) -> None:
    signed = Signer.load(key_path).sign(PAYLOAD)
    keys = load_public_keys(key_path)
    for i in range(len(signed.payload_bytes)):
        tampered = bytearray(signed.payload_bytes)
        tampered[i] ^= 0x01
        assert not verify_signature(bytes(tampered), signed.signature, keys, signed.kid)


def test_wrong_kid_fails(key_path: Path, tmp_path: Path) -> None:
    signed = Signer.load(key_path).sign(PAYLOAD)
    other = tmp_path / "other.key"
    other_kid = generate_key(other)
    keys = load_public_keys(key_path) + load_public_keys(other)
    assert not verify_signature(signed.payload_bytes, signed.signature, keys, other_kid)
    assert not verify_signature(signed.payload_bytes, signed.signature, keys, "0" * 16)


@pytest.mark.parametrize("signature", ["", "!!!", "AAAA", "A" * 86 + "==", "A" * 86, "é" * 86])
def test_malformed_signatures_are_false(key_path: Path, signature: str) -> None:
    signed = Signer.load(key_path).sign(PAYLOAD)
    keys = load_public_keys(key_path)
    assert verify_signature(signed.payload_bytes, signature, keys, signed.kid) is False


def test_malformed_key_entries_are_false(key_path: Path) -> None:
    signed = Signer.load(key_path).sign(PAYLOAD)
    entry = load_public_keys(key_path)[0]
    bad_lists: list[list] = [
        [{**entry, "x": "not base64!"}],
        [{**entry, "x": entry["x"][:-2]}],
        [{**entry, "crv": "Ed448"}],
        [{k: v for k, v in entry.items() if k != "x"}],
        ["not a dict", 3, None],
    ]
    for keys in bad_lists:
        assert verify_signature(signed.payload_bytes, signed.signature, keys, signed.kid) is False


def test_an_entry_whose_kid_does_not_match_its_key_is_not_trusted(
    key_path: Path, tmp_path: Path
) -> None:
    signed = Signer.load(key_path).sign(PAYLOAD)
    other = tmp_path / "other.key"
    generate_key(other)
    forged = {**load_public_keys(other)[0], "kid": signed.kid}
    assert not verify_signature(signed.payload_bytes, signed.signature, [forged], signed.kid)


def test_rotation_keeps_old_certificates_verifiable(key_path: Path) -> None:
    old = Signer.load(key_path).sign(PAYLOAD)
    new_kid = generate_key(key_path, rotate=True)
    keys = load_public_keys(key_path)
    assert {k["kid"]: k["status"] for k in keys} == {old.kid: "retired", new_kid: "current"}
    assert verify_signature(old.payload_bytes, old.signature, keys, old.kid)
    new = Signer.load(key_path)
    assert new.kid == new_kid
    signed = new.sign(PAYLOAD)
    assert verify_signature(signed.payload_bytes, signed.signature, keys, new_kid)


def test_generate_refuses_to_overwrite(key_path: Path) -> None:
    before = key_path.read_bytes()
    with pytest.raises(KeyFileError, match="already exists"):
        generate_key(key_path)
    assert key_path.read_bytes() == before


def test_key_file_modes(key_path: Path) -> None:
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_path.parent.stat().st_mode) == 0o700


def test_public_key_entries(key_path: Path) -> None:
    (entry,) = json.loads((key_path.parent / "signing.key.public.json").read_text())
    assert entry["kty"] == "OKP" and entry["crv"] == "Ed25519" and entry["status"] == "current"
    assert len(entry["kid"]) == 16 and entry["kid"] == Signer.load(key_path).kid
    assert "=" not in entry["x"]


def test_missing_key_names_the_path_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "nope.key"
    with pytest.raises(KeyFileError) as err:
        Signer.load(path)
    assert str(path) in str(err.value)
    assert "ojt-sidecar keys generate" in str(err.value)


def test_a_non_ed25519_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.key"
    path.write_text("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
    with pytest.raises(KeyFileError, match="not an unencrypted Ed25519"):
        Signer.load(path)


def test_no_public_key_file_is_an_empty_list(tmp_path: Path) -> None:
    assert load_public_keys(tmp_path / "none.key") == []
