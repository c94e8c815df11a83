"""Pages (every row once, whatever the page size), ETags (304 while nothing changed) and
parameters the API refuses with 400 and a sentence."""

from __future__ import annotations

from sqlalchemy import select

from sidecar.store.models import Student
from tests.cockpit.api.data import EXTRA, Api

LISTS = (
    "/api/v1/programs",
    "/api/v1/batches",
    "/api/v1/trainees",
    "/api/v1/trainees?batch=batch-a",
    "/api/v1/progress",
    "/api/v1/attendance",
    "/api/v1/scores",
    "/api/v1/certificates",
)


def test_walking_every_page_loses_and_repeats_nothing(api: Api) -> None:
    token = api.token("all")
    for path in LISTS:
        whole = api.json(f"{path}{'&' if '?' in path else '?'}limit=500", token)
        assert whole["next_cursor"] is None and whole["data"], path
        for limit in (1, 2, 7):
            assert api.walk(path, token, limit) == whole["data"], (path, limit)


def test_pages_of_trainees_follow_one_another(api: Api) -> None:
    token = api.token("trainees")
    first = api.json("/api/v1/trainees?limit=10", token)
    assert len(first["data"]) == 10 and isinstance(first["next_cursor"], str)
    second = api.json(f"/api/v1/trainees?limit=10&cursor={first['next_cursor']}", token)
    third = api.json(f"/api/v1/trainees?limit=10&cursor={second['next_cursor']}", token)
    assert len(third["data"]) == 3 + EXTRA - 20 and third["next_cursor"] is None
    rows = first["data"] + second["data"] + third["data"]
    assert len({(r["partner_id"], r["program"]) for r in rows}) == len(rows) == 3 + EXTRA
    assert len(api.json("/api/v1/trainees", token)["data"]) == 3 + EXTRA  # 100 by default


def test_a_page_survives_rows_added_before_it(api: Api) -> None:
    """A cursor is a place in the order, not an offset: a trainee added meanwhile comes at
    the end, and nothing already read is read again."""
    token = api.token("trainees")
    first = api.json("/api/v1/trainees?limit=5", token)
    with api.world.store.sessions() as db, db.begin():
        db.add(Student(program_id=1, odoo_partner_id=9999, name="Late Comer"))
    rest = api.walk(f"/api/v1/trainees?cursor={first['next_cursor']}", token, 50)
    keys = [(r["partner_id"], r["program"]) for r in first["data"] + rest]
    assert len(keys) == len(set(keys)) == 3 + EXTRA + 1
    assert rest[-1]["name"] == "Late Comer"


def test_an_etag_answers_304_until_the_data_changes(api: Api) -> None:
    token = api.token("trainees")
    first = api.get("/api/v1/trainees", token)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    assert first.headers["Cache-Control"] == "no-store"  # private data
    again = api.get("/api/v1/trainees", token, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    other = api.get("/api/v1/trainees", token, **{"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data
    with api.world.store.sessions() as db, db.begin():
        student = db.scalar(select(Student).where(Student.name == "Trainee B"))
        assert student is not None
        student.overall_pct = 99.0
    changed = api.get("/api/v1/trainees", token, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


BAD = (
    ("limit=0", "'limit' is not valid: input should be greater than or equal to 1"),
    ("limit=501", "'limit' is not valid: input should be less than or equal to 500"),
    ("limit=ten", "'limit' is not valid"),
    ("limit=", "'limit' is not valid"),
    ("cursor=!!", "'cursor' is not valid"),
    ("cursor=YWJj", "This cursor is not one this API gave"),  # "abc"
    ("cursor=MSwy", "This cursor is not one this API gave"),  # "1,2": not this list's
    ("cursor=" + "OTk5" * 10, "This cursor is not one this API gave"),  # 30 nines
    ("page=2", "There is no query parameter 'page' here (known: limit, cursor, program,"),
    ("limit=5&limit=6", "Give the query parameter 'limit' once"),
    ("status=done", "'status' is not valid: input should be 'not_integrated', 'enrolled'"),
    ("program=nope", "No active program has the key 'nope'."),
    ("program=old", "No active program has the key 'old'."),
    ("program=Big%20Key", "'program' is not valid: it does not have the form it takes"),
    ("batch=batch-z", "No batch has the key 'batch-z'."),
    ("program=wood&batch=batch-a", "No batch has the key 'batch-a' in program 'wood'."),
    ("program=%00", "'program' is not valid"),
)
OTHERS = (
    "/api/v1/progress?partner=0",
    "/api/v1/progress?partner=abc",
    f"/api/v1/scores?partner={2**31}",
    "/api/v1/attendance?batch=",
    "/api/v1/batches?status=finished",
    "/api/v1/certificates?trainee=1",
    "/api/v1/programs?program=gardening",
)


def test_bad_parameters_are_400_with_a_sentence(api: Api) -> None:
    token = api.token("all")
    for query, says in BAD:
        answer = api.get(f"/api/v1/trainees?{query}", token)
        assert answer.status_code == 400, query
        body = answer.get_json()
        assert body["error"] == "bad_request" and says in body["message"], (query, body)
        assert body["message"].endswith(".") and "\n" not in body["message"], body
    for path in OTHERS:
        answer = api.get(path, token)
        assert answer.status_code == 400, path
        assert answer.get_json()["error"] == "bad_request", path
