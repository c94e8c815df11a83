"""`ojt-sidecar verify-pdf`: a certificate PDF checked offline, its verdict in words or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from sidecar.cli.commands.certs import UsageProblem
from sidecar.config import Config

if TYPE_CHECKING:
    from sidecar.certificates.verify_pdf import PdfVerification

Echo = Callable[[str], None]


NO_KEYS_HINT = (
    "pass -c config.yaml (the config whose certificates.signing_key signed it) or --keys "
    "keys.json (the issuer's https://…/.well-known/ojt-sidecar/keys.json, saved)"
)


def verify_pdf_command(
    cfg: Config | None,
    path: Path,
    *,
    as_json: bool,
    echo: Echo,
    keys_file: Path | None = None,
) -> int:
    """Exit 0 only for a certificate verified in full; 1 when it is not valid, and also when it
    could not be verified (no public keys known, so the signature went unchecked): that is not
    "valid", but it is not called forged either."""
    from sidecar.certificates.signing import load_public_keys, public_keys_path, read_keys_file
    from sidecar.certificates.verify_pdf import verify_pdf

    data = _read_file(path, MAX_PDF_BYTES, "a certificate PDF")
    if keys_file is not None:
        _read_file(keys_file, MAX_KEYS_BYTES, "a public keys file")
        try:
            keys = read_keys_file(keys_file)
        except UnicodeDecodeError:
            raise UsageProblem(f"{keys_file} is not a public keys file (not UTF-8 text)") from None
    elif cfg is not None:
        keys_file = public_keys_path(cfg.certificates.signing_key)
        keys = load_public_keys(cfg.certificates.signing_key)
    else:
        keys = []
    result = verify_pdf(data, keys)
    hint = _keys_hint(result, keys_file)
    if as_json:
        echo(_verify_json(result, hint))
    else:
        for line in _verify_lines(path, result, hint):
            echo(line)
    return 0 if result.ok else 1


# Our certificates are a few hundred kilobytes, a keys file a few; beyond these bounds the
# file is something else, and reading it whole could exhaust memory.
MAX_PDF_BYTES = 50 * 1024 * 1024
MAX_KEYS_BYTES = 1024 * 1024


def _read_file(path: Path, limit: int, what: str) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or one sentence why not: a
    device (/dev/zero never ends), a pipe (may never answer) or a folder is no document."""
    try:
        if not path.is_file():
            missing = not path.exists()
            reason = "no such file" if missing else f"not a regular file, so not {what}"
            raise UsageProblem(f"cannot read {path}: {reason}")
        with path.open("rb") as file:
            data = file.read(limit + 1)
    except OSError as exc:
        raise UsageProblem(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise UsageProblem(f"{path} is larger than {limit // (1024 * 1024)} MiB: not {what}")
    return data


def _verdict(result: PdfVerification) -> str:
    if result.ok:
        return "valid"
    return "could not be verified" if result.unverified else "not valid"


def _keys_hint(result: PdfVerification, keys_file: Path | None) -> str | None:
    if result.signature == "unchecked":
        known = "no public keys known" if keys_file is None else f"no public keys at {keys_file}"
        return f"{known}; {NO_KEYS_HINT}"
    if result.signature == "unknown_key" and keys_file is not None:
        return (
            f"only the keys at {keys_file} were known; "
            "if another issuer signed it, pass its keys with -c or --keys"
        )
    return None


def _verify_json(result: PdfVerification, hint: str | None) -> str:
    fields = asdict(result.fields) if result.fields else None
    return json.dumps(
        {
            "ok": result.ok,
            "verdict": _verdict(result),
            "signature": result.signature,
            "credential": result.credential,
            "hint": hint,
            "problems": result.problems,
            "kid": result.kid,
            "qr_url": result.qr_url,
            "fields": fields,
        },
        indent=2,
        default=str,
        ensure_ascii=False,
    )


def _verify_lines(path: Path, result: PdfVerification, hint: str | None) -> Iterator[str]:
    if result.fields is not None:
        f = result.fields
        yield f"{path}: certificate {f.serial} for {f.participant} — {f.program}"
    for problem in result.problems:
        yield f"  problem: {problem}"
    if result.signature == "unchecked":
        yield f"  signature: not checked — {hint}"
    elif hint is not None:
        yield f"  hint: {hint}"
    if result.credential == "valid":
        yield "  Open Badges credential: its proof holds and it agrees with the payload"
    if result.ok:
        yield f"{path}: VALID signature, payload and QR agree"
    elif result.unverified:
        yield (
            f"{path}: could not be verified — payload, serial, QR code and page agree, "
            "but the signature was not checked"
        )
    else:
        yield f"{path}: NOT VALID"
