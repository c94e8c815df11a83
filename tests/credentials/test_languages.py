"""A certificate speaks its holder's language (their contact's `lang` in Odoo): the PDF's fixed
words, its dates and its page; and a renewed or re-issued certificate names the one it replaces,
on its page and, with a digest, in its credential."""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Callable

from flask import Flask
from pypdf import PdfReader
from sqlalchemy import text

from tests.credentials.conftest import World


def pdf_text(world: World, pdf_path: str) -> str:
    data = (world.cfg.certificates.output_dir / pdf_path).read_bytes()
    return " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())


def test_the_pdf_and_its_page_follow_the_trainees_language(
    world: World, site: Callable[..., Flask]
) -> None:
    french = world.issue("Zoé Martin", odoo_lang="fr_BE")
    arabic = world.issue("ليلى حداد", odoo_lang="ar_001")
    german = world.issue("Jörg Weber", odoo_lang="de_DE")  # no catalogue: the config's default
    unset = world.issue("Sam Lee")
    assert (french.lang, arabic.lang, german.lang, unset.lang) == ("fr", "ar", "en", "en")

    printed = pdf_text(world, french.pdf_path)
    # the shipped title and message are translated; the dates are French
    assert "Certificat de réussite" in printed and "Félicitations, Zoé Martin !" in printed
    assert "DÉLIVRÉ LE 1 mai 2025" in printed and "VALABLE JUSQU'AU 1 mai 2027" in printed
    assert "Certificate of Completion" not in printed
    assert "Spring cohort · 3 mars" in printed and "25 avr. 2025" in printed  # the batch's dates
    assert "This certifies that" in pdf_text(world, german.pdf_path)

    client = site().test_client()
    page = client.get(f"/c/{french.serial}").get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in page
    assert "Certificat valide" in page and "Délivré par Test Training le 1 mai 2025" in page
    assert "25 avr. 2025" in page
    page = client.get(f"/c/{arabic.serial}").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and "شهادة صالحة" in page
    page = client.get(f"/c/{unset.serial}").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page and "Valid certificate" in page
    assert client.get(f"/c/{french.serial}.page.json").get_json()["lang"] == "fr"


def test_an_operators_own_title_stays_as_written(world: World) -> None:
    custom = world.cfg.certificates.model_copy(update={"title": "Forklift Licence"})
    world.issuing = world.issuing.__class__(
        world.cfg.model_copy(update={"certificates": custom}),
        world.issuing.signer,
        world.issuing.issuer,
        world.issuing.today,
    )
    printed = pdf_text(world, world.issue("Zoé Martin", odoo_lang="fr_FR").pdf_path)
    assert "Forklift Licence" in printed and "Nous certifions que" in printed


def test_a_certificate_with_no_language_recorded_uses_the_configured_default(
    world: World, site: Callable[..., Flask]
) -> None:
    old = world.issue("Ana")
    with world.sessions() as session, session.begin():
        session.execute(
            text("UPDATE certificates SET lang = NULL WHERE id = :id"),
            {"id": old.id},
        )
    page = site(default_language="es").test_client().get(f"/c/{old.serial}")
    assert '<html lang="es" dir="ltr">' in page.get_data(as_text=True)
    assert "Certificado válido" in page.get_data(as_text=True)


def test_a_replacement_names_the_certificate_it_replaces(
    world: World, site: Callable[..., Flask]
) -> None:
    old = world.issue("Ana", odoo_lang="en_US")
    new = world.replace(old, odoo_lang="es_ES")
    assert new.lang == "es"
    client = site().test_client()
    page = client.get(f"/c/{new.serial}").get_data(as_text=True)
    assert f'<a href="/c/{old.serial}">Este certificado sustituye al {old.serial}.</a>' in page
    assert f'href="/c/{new.serial}"' in client.get(f"/c/{old.serial}").get_data(as_text=True)
    assert client.get(f"/c/{new.serial}.page.json").get_json()["previous_serial"] == old.serial
    assert client.get(f"/c/{old.serial}.page.json").get_json()["previous_serial"] is None

    # The credential names its predecessor as served, with the digest of those exact bytes.
    (related,) = world.credential(new)["relatedResource"]
    served = client.get(f"/c/{old.serial}.json").data
    digest = base64.b64encode(hashlib.sha384(served).digest()).decode()
    assert related == {
        "id": f"{old.verify_url}.json",
        "digestSRI": f"sha384-{digest}",
        "mediaType": "application/vc",
    }
    assert "relatedResource" not in world.credential(old)
