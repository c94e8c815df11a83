import dataclasses
import io
import json
from collections.abc import Callable
from pathlib import Path

import pypdfium2
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from sidecar.certificates.drawing import _qr_runs, qr_matrix
from sidecar.certificates.pdf import EMBEDDED_NAME, PdfStyle
from sidecar.certificates.signing import Signer
from tests.certificates.conftest import STYLE, make_fields

Render = Callable[..., bytes]


def _text(data: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())


def _qr(data: bytes) -> list[str]:
    image = pypdfium2.PdfDocument(data)[0].render(scale=3).to_pil()
    return [code.text for code in zxingcpp.read_barcodes(image)]


def test_page_shows_the_certificate(render: Render) -> None:
    fields = make_fields()
    text = _text(render(fields))
    assert fields.batch is not None
    for expected in [fields.participant, fields.program, fields.serial, fields.batch, "87.5 %"]:
        assert expected in text
    assert "This certifies that" in text and "31 May 2024" in text and "31 May 2026" in text


def test_no_average_shows_a_dash_and_no_batch_no_expiry(render: Render) -> None:
    fields = make_fields(average_score=None, batch=None, expires_on=None)
    text = _text(render(fields))
    assert "AVERAGE SCORE —" in text
    assert "Spring 2024" not in text and "VALID UNTIL" not in text


def test_qr_code_encodes_the_verify_url(render: Render) -> None:
    for _ in range(5):
        fields = make_fields()
        assert _qr(render(fields)) == [fields.verify_url]


def test_markup_in_a_name_is_shown_literally(render: Render) -> None:
    name = "<script>alert(1)</script> <b>Bob</b> &amp;"
    assert name in _text(render(make_fields(participant=name)))


def test_a_long_name_fits_on_the_page(render: Render) -> None:
    name = "Maximiliano Alessandro Bartholomew Fitzgerald-Worthington de la Cruz III"
    assert len(name) > 60
    assert name in _text(render(make_fields(participant=name)))


def test_a_very_long_name_wraps_and_stays_readable(render: Render) -> None:
    name = " ".join(["Bartholomew"] * 27)  # ~320 characters
    text = _text(render(make_fields(participant=name)))
    assert "".join(name.split()) in "".join(text.split())


def test_non_latin_names_do_not_crash(render: Render) -> None:
    for name in ["Zoë Łukasz Δημήτρης Ñúñez", "Иван Петров", "王小明", "😀 Emoji"]:
        data = render(make_fields(participant=name))
        assert data.startswith(b"%PDF-")


def test_signed_payload_is_embedded(signer: Signer, render: Render) -> None:
    fields = make_fields()
    signed = signer.sign(fields.to_payload())
    reader = PdfReader(io.BytesIO(render(fields)))
    (attachment,) = reader.attachments[EMBEDDED_NAME]
    envelope = json.loads(attachment)
    assert envelope["payload"].encode() == signed.payload_bytes
    assert envelope["kid"] == signer.kid
    assert envelope["signature"] == signed.signature  # Ed25519 is deterministic
    assert reader.metadata is not None
    assert fields.participant in (reader.metadata.title or "")
    assert reader.metadata.author == STYLE.issuer_name


def test_footer_names_the_key(signer: Signer, render: Render) -> None:
    fields = make_fields()
    text = _text(render(fields))
    assert f"Verify at {fields.verify_url} · signed with key {signer.kid}" in text


def test_a_logo_is_drawn(render: Render, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 60), (200, 30, 30)).save(logo)
    style = PdfStyle(**{**STYLE.__dict__, "logo_path": logo})
    image = pypdfium2.PdfDocument(render(make_fields(), style))[0].render(scale=1).to_pil()
    pixels = image.convert("RGB").tobytes()
    reds = sum(
        1
        for i in range(0, len(pixels), 3)
        if pixels[i] > 150 and pixels[i + 1] < 80 and pixels[i + 2] < 80
    )
    assert reds > 500


def test_the_qr_runs_cover_exactly_the_dark_modules() -> None:
    for url in ["https://certs.example.org/c/" + make_fields().serial, "http://x.io/c/Ab"]:
        matrix = qr_matrix(url)
        n = len(matrix)
        drawn = [[False] * n for _ in range(n)]
        ops = _qr_runs(matrix).split()
        assert len(ops) % 5 == 0 and set(ops[4::5]) == {"re"}
        for i in range(0, len(ops), 5):
            x, y, w, h = map(int, ops[i : i + 4])
            assert h == 1 and w >= 1
            for col in range(x, x + w):
                assert not drawn[n - 1 - y][col]
                drawn[n - 1 - y][col] = True
        assert drawn == matrix


def test_the_page_stream_is_deflated_only(render: Render) -> None:
    page = PdfReader(io.BytesIO(render(make_fields()))).pages[0]
    assert page["/Contents"].get_object()["/Filter"] in ("/FlateDecode", ["/FlateDecode"])


def test_the_fixed_words_and_dates_are_in_the_certificates_language(render: Render) -> None:
    fields = make_fields()
    french = _text(render(fields, dataclasses.replace(STYLE, lang="fr")))
    assert "Nous certifions que" in french and "This certifies that" not in french
    assert "a suivi avec succès le programme de formation" in french
    assert "DÉLIVRÉ LE 31 mai 2024" in french and "VALABLE JUSQU'AU 31 mai 2026" in french
    assert "signé avec la clé" in french
    page = pypdfium2.PdfDocument(render(fields, dataclasses.replace(STYLE, lang="ar")))[0]
    arabic = set(page.get_textpage().get_text_range().split("\r\n"))
    # shaped in the bundled fonts and extracting back in logical order
    assert {"نشهد بأن", "قد أتمّ بنجاح البرنامج التدريبي", "صدر في", "31 مايو 2024"} <= arabic
    # the operator's own title and message stay as written
    assert {"Certificate of Completion", fields.participant} <= arabic
