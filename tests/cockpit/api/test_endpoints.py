"""Each endpoint's data against the world (tests/cockpit/api/data.py): what it shows, what it
leaves out (members who are not counted, inactive programs, secrets) and its filters."""

from __future__ import annotations

from typing import Any

from tests.cockpit.api.data import EXCLUDED_PARTNER, EXTRA, INACTIVE_PARTNER, Api


def _all(api: Api, path: str, token: str) -> list[dict[str, Any]]:
    return api.walk(path, token, 500)


def test_programs_are_the_active_ones_with_their_courses(api: Api) -> None:
    rows = _all(api, "/api/v1/programs", api.token("programs"))
    assert [(p["key"], p["name"]) for p in rows] == [
        ("gardening", "Gardening OJT"),
        ("wood", "Woodworking"),
    ]
    assert rows[0]["courses"] == [
        {
            "name": "Basics of Gardening",
            "odoo_channel_id": 1,
            "required": True,
            "completion_threshold": 100,
        }
    ]


def test_batches_and_their_filters(api: Api) -> None:
    token = api.token("batches")
    rows = _all(api, "/api/v1/batches", token)
    assert [(b["key"], b["program"], b["status"], b["origin"]) for b in rows] == [
        ("batch-a", "gardening", "open", "odoo"),
        ("batch-b", "gardening", "open", "odoo"),
    ]
    assert rows[0]["start_date"] == "2026-01-05" and rows[0]["name"] == "Batch A"
    assert _all(api, "/api/v1/batches?program=wood", token) == []
    assert _all(api, "/api/v1/batches?status=done", token) == []
    assert len(_all(api, "/api/v1/batches?program=gardening&status=open", token)) == 2


def test_trainees_with_their_figures(api: Api) -> None:
    token = api.token("trainees")
    rows = _all(api, "/api/v1/trainees", token)
    names = [(t["name"], t["program"]) for t in rows]
    assert names[:3] == [
        ("Trainee A", "gardening"),
        ("Trainee B", "gardening"),
        ("Trainee A", "wood"),
    ]
    assert len(rows) == 3 + EXTRA
    partners = {t["partner_id"] for t in rows}
    assert EXCLUDED_PARTNER not in partners and INACTIVE_PARTNER not in partners
    a, b = rows[0], rows[1]
    assert a["batch"] == "batch-a" and b["batch"] == "batch-b"
    assert (a["overall_pct"], a["elearning_pct"], a["average_score"]) == (40.0, 50.0, 8.5)
    assert a["status"] == "in_progress" and a["email"] == "trainee.a@example.com"
    assert b["complete"] is True and b["completed_at"] == "2026-05-30T00:00:00Z"
    assert set(a) >= {
        "attendance_pct",
        "assignment_average",
        "certified_at",
        "completed_at",
        "updated_at",
    }


def test_trainee_filters(api: Api) -> None:
    token = api.token("trainees")
    by_batch = _all(api, "/api/v1/trainees?batch=batch-b", token)
    assert [t["name"] for t in by_batch] == ["Trainee B"]
    in_a = _all(api, "/api/v1/trainees?program=gardening&batch=batch-a", token)
    assert len(in_a) == 1 + EXTRA and all(t["batch"] == "batch-a" for t in in_a)
    assert [t["name"] for t in _all(api, "/api/v1/trainees?program=wood", token)] == ["Trainee A"]
    enrolled = _all(api, "/api/v1/trainees?status=enrolled", token)
    assert len(enrolled) == EXTRA and {t["status"] for t in enrolled} == {"enrolled"}


def test_one_trainee_in_all_their_programs(api: Api) -> None:
    token = api.token("trainees")
    partner = api.world.partners["trainee.a@example.com"]
    found = api.json(f"/api/v1/trainees/{partner}", token)
    assert found["partner_id"] == partner and found["name"] == "Trainee A"
    assert [p["program"] for p in found["programs"]] == ["gardening", "wood"]
    for nobody in (EXCLUDED_PARTNER, INACTIVE_PARTNER, 999999):
        answer = api.get(f"/api/v1/trainees/{nobody}", token)
        assert answer.status_code == 404
        assert answer.get_json() == {
            "error": "not_found",
            "message": f"No trainee has the partner id {nobody}.",
        }


def test_progress_per_course(api: Api) -> None:
    token = api.token("progress")
    rows = _all(api, "/api/v1/progress", token)
    found = {(r["trainee"], r["program"], r["course"], r["completion"], r["status"]) for r in rows}
    assert found == {
        ("Trainee A", "gardening", "Basics of Gardening", 60, "in_progress"),
        ("Trainee B", "gardening", "Basics of Gardening", 100, "completed"),
        ("Trainee A", "wood", "Trees, Wood and Gardens", 0, "not_started"),
    }
    partner = api.world.partners["trainee.b@example.com"]
    mine = _all(api, f"/api/v1/progress?partner={partner}", token)
    assert [(r["partner_id"], r["completed"], r["lessons_completed"]) for r in mine] == [
        (partner, True, 10)
    ]
    assert [r["program"] for r in _all(api, "/api/v1/progress?program=wood", token)] == ["wood"]


def test_attendance_of_the_batches_events(api: Api) -> None:
    token = api.token("attendance")
    rows = _all(api, "/api/v1/attendance", token)
    assert [(r["trainee"], r["batch"], r["state"]) for r in rows] == [
        ("Trainee A", "batch-a", "open"),
        ("Trainee B", "batch-b", "open"),
    ]
    assert rows[0]["registration_id"] < rows[1]["registration_id"]  # Odoo's ids, in order
    assert rows[0]["program"] == "gardening" and "barcode" not in rows[0]  # a ticket's secret
    only_b = _all(api, "/api/v1/attendance?batch=batch-b", token)
    assert [r["trainee"] for r in only_b] == ["Trainee B"]
    partner = api.world.partners["trainee.a@example.com"]
    assert [r["trainee"] for r in _all(api, f"/api/v1/attendance?partner={partner}", token)] == [
        "Trainee A"
    ]


def test_scores_of_assignment_tasks(api: Api) -> None:
    token = api.token("scores")
    rows = _all(api, "/api/v1/scores", token)
    assert [
        (r["assignment"], r["trainee"], r["batch"], r["score"], r["max_score"], r["late"])
        for r in rows
    ] == [
        ("Plant a tree", "Trainee A", "batch-a", 8.0, 10.0, False),
        ("Prune a hedge", "Trainee B", "batch-b", None, 20.0, False),
    ]
    assert rows[0]["submitted_at"] == "2026-03-01T00:00:00Z" and rows[1]["submitted_at"] is None
    assert [r["trainee"] for r in _all(api, "/api/v1/scores?batch=batch-b", token)] == ["Trainee B"]


def test_certificates_with_status_and_no_secrets(api: Api) -> None:
    token = api.token("certificates")
    answer = api.get("/api/v1/certificates?limit=500", token)
    text = answer.get_data(as_text=True)
    rows = answer.get_json()["data"]
    assert [(c["serial"], c["status"], c["batch"]) for c in rows] == [
        ("OJT-TEST-A", "valid", "batch-a"),
        ("OJT-TEST-B", "valid", "batch-b"),
        ("OJT-REVOKED-A", "revoked", "batch-a"),
    ]
    assert rows[0]["verify_url"] == "http://127.0.0.1:8080/c/OJT-TEST-A"
    assert rows[0]["issue_date"] == "2026-06-01" and rows[0]["participant"] == "Trainee A"
    for secret in ("SIGNATURE-NEVER-SHOWN", "payload", "private/", "signature", "pdf"):
        assert secret not in text
    partner = api.world.partners["trainee.b@example.com"]
    assert [c["serial"] for c in _all(api, f"/api/v1/certificates?partner={partner}", token)] == [
        "OJT-TEST-B"
    ]
    assert [c["serial"] for c in _all(api, "/api/v1/certificates?batch=batch-a", token)] == [
        "OJT-TEST-A",
        "OJT-REVOKED-A",
    ]
