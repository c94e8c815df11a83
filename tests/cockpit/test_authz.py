"""Who may see what: every route × every role (admin, mentor A, mentor B, trainee A, trainee B,
anonymous), signed in through Odoo (the emulator, over HTTP), pages, CSV and PDF downloads."""

from __future__ import annotations

import pytest

from tests.cockpit.world import World

ROLES = {
    "admin": "admin",
    "mentor A": "mentor.a",
    "mentor B": "mentor.b",
    "trainee A": "trainee.a@example.com",
    "trainee B": "trainee.b@example.com",
    "anonymous": None,
}
LOGIN = "302 sign in"  # a page: an anonymous visitor is sent to sign in

# route -> expected answer per role, in the order of ROLES
EXPECTED: dict[str, tuple[object, ...]] = {
    "/": ("302 /dashboard", "302 /dashboard", "302 /dashboard", "302 own", "302 own", LOGIN),
    "/dashboard": (200, 200, 200, 403, 403, LOGIN),
    "/dashboard?batch=batch-a": (200, 200, 400, 403, 403, LOGIN),
    "/dashboard?batch=batch-b": (200, 400, 200, 403, 403, LOGIN),
    "/dashboard/trainees.csv": (200, 200, 200, 403, 403, 401),
    "/batches/{A}": (200, 200, 404, 403, 403, LOGIN),
    "/batches/{B}": (200, 404, 200, 403, 403, LOGIN),
    "/trainees/{tA}": (200, 200, 404, 200, 404, LOGIN),
    "/trainees/{tB}": (200, 404, 200, 404, 200, LOGIN),
    "/certificates/{cA}.pdf": (200, 200, 404, 200, 404, 401),
    "/certificates/{cB}.pdf": (200, 404, 200, 404, 200, 401),
    "/certificates/OJT-NONE.pdf": (404, 404, 404, 404, 404, 401),
    "/batches/{A}/certificates.zip": (200, 200, 404, 403, 403, 401),
    "/batches/{B}/certificates.zip": (200, 404, 200, 403, 403, 401),
    "/admin": (200, 403, 403, 403, 403, LOGIN),
    "/live.json": (200, 200, 200, 200, 200, 401),
    "/tasks/999999": (404, 404, 404, 403, 403, LOGIN),
    "/trainees/99999999999999999999999": (404, 404, 404, 404, 404, 404),
    "/batches/{A}/checkin": (200, 200, 404, 403, 403, LOGIN),
    "/batches/{B}/checkin/code.svg": (200, 404, 200, 403, 403, 401),
    # the API takes bearer tokens only: a signed-in browser's cookie opens nothing there
    "/api/v1/trainees": (401, 401, 401, 401, 401, 401),
    "/api/v1/certificates": (401, 401, 401, 401, 401, 401),
    "/api/v1/openapi.json": (200, 200, 200, 200, 200, 200),
}


def _path(world: World, route: str) -> str:
    return route.format(
        A=world.batches["A"],
        B=world.batches["B"],
        tA=world.partners["trainee.a@example.com"],
        tB=world.partners["trainee.b@example.com"],
        cA=world.serials["A"],
        cB=world.serials["B"],
    )


def _answer(world: World, role: str, status: int, location: str) -> object:
    if status != 302:
        return status
    if location.startswith("/signin?next="):
        return LOGIN
    own = world.partners.get(ROLES[role] or "")
    return "302 own" if location == f"/trainees/{own}" else f"302 {location}"


def test_every_route_for_every_role(world: World) -> None:
    found: dict[str, list[object]] = {route: [] for route in EXPECTED}
    for role, login in ROLES.items():
        client = world.client(login)
        for route in EXPECTED:
            answer = client.get(_path(world, route))
            found[route].append(_answer(world, role, answer.status_code, answer.location or ""))
    assert {route: tuple(got) for route, got in found.items()} == EXPECTED


@pytest.mark.parametrize(
    ("login", "sees", "never"),
    [
        ("admin", ["Trainee A", "Trainee B"], []),
        ("mentor.a", ["Trainee A"], ["Trainee B"]),
        ("mentor.b", ["Trainee B"], ["Trainee A"]),
    ],
)
def test_what_a_dashboard_and_its_csv_show(
    world: World, login: str, sees: list[str], never: list[str]
) -> None:
    client = world.client(login)
    csv_text = client.get("/dashboard/trainees.csv").get_data(as_text=True)
    page = client.get("/dashboard").get_data(as_text=True)
    for name in sees:
        assert name in csv_text
    for name in never:
        assert name not in csv_text
        assert name not in page


def test_a_trainee_sees_only_themself(world: World) -> None:
    client = world.client("trainee.a@example.com")
    page = client.get(_path(world, "/trainees/{tA}")).get_data(as_text=True)
    assert "Trainee A" in page and "Trainee B" not in page
    assert world.serials["A"] in page and world.serials["B"] not in page
    assert "linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in page
    assert f"certId={world.serials['A']}" in page
    pdf = client.get(_path(world, "/certificates/{cA}.pdf"))
    assert pdf.data == b"%PDF-1.4 trainee A"


def test_someone_without_a_role_is_told_why_and_not_signed_in(world: World) -> None:
    client = world.app.test_client()
    from tests.cockpit.world import PASSWORDS, signin

    answer = signin(client, "bystander", PASSWORDS["bystander"])
    assert answer.status_code == 403
    assert "no role in the training cockpit" in answer.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_a_mentors_batch_download_holds_their_batchs_certificates_only(world: World) -> None:
    import io
    import zipfile

    answer = world.client("mentor.a").get(_path(world, "/batches/{A}/certificates.zip"))
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.data)) as bundle:
        manifest = bundle.read("manifest.csv").decode()
        pdfs = [bundle.read(n) for n in bundle.namelist() if n.endswith(".pdf")]
    assert world.serials["A"] in manifest and world.serials["B"] not in manifest
    assert pdfs == [b"%PDF-1.4 trainee A"]


def test_only_the_holder_hides_or_shows_their_certificates_page(world: World) -> None:
    from sqlalchemy import select

    from sidecar.store.models import Certificate
    from tests.cockpit.world import csrf

    def hidden() -> bool:
        with world.store.sessions() as session:
            found = session.scalar(
                select(Certificate.hidden_at).where(Certificate.serial == world.serials["A"])
            )
            return found is not None

    path = f"/certificates/{world.serials['A']}/privacy"
    answers = {}
    for role, login in ROLES.items():
        client = world.client(login)
        home = "/signin" if login is None else client.get("/").location
        token = csrf(client, home)
        before = hidden()
        answer = client.post(path, data={"hide": "yes", "csrf_token": token})
        answers[role] = answer.status_code
        assert hidden() == (before or role == "trainee A"), role  # no one else changes it
    # mentors and admins may not choose for the holder; the other trainee finds nothing
    assert answers == {
        "admin": 403,
        "mentor A": 403,
        "mentor B": 403,
        "trainee A": 303,
        "trainee B": 404,
        "anonymous": 401,
    }
    assert hidden()
    client = world.client("trainee.a@example.com")
    page = client.get(_path(world, "/trainees/{tA}")).get_data(as_text=True)
    # the share link is the holder's own, which shows the details
    assert "details hidden" in page and f"?t=holder-token-of-{world.serials['A']}" in page
    token = csrf(client, _path(world, "/trainees/{tA}"))
    assert client.post(path, data={"hide": "no", "csrf_token": token}).status_code == 303
    assert not hidden()
    assert client.post(path, data={"hide": "maybe", "csrf_token": token}).status_code == 400
