"""The dry run's transport: reads reach Odoo, writes never do, and the records a rehearsal made
answer later reads as Odoo would."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jobs.rehearsal import FIRST_STAND_IN, Made, RehearsalTransport


class FakeOdoo:
    """A transport that answers every read with nothing and notes each call it gets."""

    name = "fake"

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def version(self) -> dict[str, Any]:
        return {"server_version": "17.0"}

    def login(self) -> int | None:
        return 2

    def call(
        self, model: str, method: str, ids: Sequence[Any] | None, params: dict[str, Any]
    ) -> Any:
        self.calls.append((model, method))
        return {"search": [], "read": [], "search_count": 0}.get(method, [])

    def close(self) -> None:
        raise AssertionError("the rehearsal must not close the job's own transport")


def make_ann(wire: RehearsalTransport) -> int:
    made = wire.call("res.partner", "create", None, {"vals_list": {"name": "Ann", "email": "a@x"}})
    assert isinstance(made, int)
    return made


def rehearsal() -> tuple[FakeOdoo, RehearsalTransport]:
    odoo = FakeOdoo()
    return odoo, RehearsalTransport(odoo, Made())


def test_writes_are_recorded_never_sent_and_creates_answer_stand_in_ids() -> None:
    odoo, wire = rehearsal()
    partner = make_ann(wire)
    many = wire.call("res.partner", "create", None, {"vals_list": [{"name": "B"}, {"name": "C"}]})
    assert partner == FIRST_STAND_IN and many == [FIRST_STAND_IN - 1, FIRST_STAND_IN - 2]
    assert wire.call("res.partner", "write", [partner], {"vals": {"name": "Anne"}}) is True
    assert isinstance(wire.call("res.partner", "message_post", [7], {"body": "hi"}), int)
    wire.close()
    assert odoo.calls == []


def test_reads_of_made_records_are_answered_from_the_rehearsal() -> None:
    odoo, wire = rehearsal()
    partner = make_ann(wire)
    rows = wire.call("res.partner", "read", [partner], {"fields": ["name", "email", "phone"]})
    assert rows == [{"id": partner, "name": "Ann", "email": "a@x", "phone": False}]
    assert odoo.calls == []  # nothing real was asked for
    assert wire.call("res.partner", "read", [3, partner], {"fields": ["name"]})[0]["id"] == partner
    assert odoo.calls == [("res.partner", "read")]  # the real id went to Odoo
    found = wire.call("res.partner", "search", None, {"domain": [("email", "=", "a@x")]})
    assert found == [partner]
    assert wire.call("res.partner", "search_count", None, {"domain": [("email", "=", "b@x")]}) == 0


def test_what_odoo_makes_alongside_a_portal_wizard_and_a_grant() -> None:
    _, wire = rehearsal()
    partner = make_ann(wire)
    users = {"domain": [("partner_id", "=", partner)]}
    assert wire.call("res.users", "search", None, users) == []
    wizard = wire.call(
        "portal.wizard", "create", None, {"vals_list": {"partner_ids": [[6, 0, [partner]]]}}
    )
    line_domain = [("wizard_id", "=", wizard), ("partner_id", "=", partner)]
    (line,) = wire.call("portal.wizard.user", "search", None, {"domain": line_domain})
    wire.call("portal.wizard.user", "action_grant_access", [line], {})
    assert len(wire.call("res.users", "search", None, users)) == 1


def test_a_domain_the_rehearsal_cannot_judge_finds_nothing_it_made() -> None:
    _, wire = rehearsal()
    make_ann(wire)
    either = ["|", ("email", "=", "a@x"), ("name", "=", "Ann")]
    assert wire.call("res.partner", "search", None, {"domain": either}) == []
    like = [("name", "ilike", "an")]
    assert wire.call("res.partner", "search", None, {"domain": like}) == []
    listed = [("name", "in", ["Ann", "Bob"])]
    assert len(wire.call("res.partner", "search", None, {"domain": listed})) == 1
