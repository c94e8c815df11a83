"""Error cases of docs/odoo-notes.md §1-§3: fault codes, exact texts, None-returning methods."""

from __future__ import annotations

import pytest

from .conftest import Rpc, last_line

REQUIRED_TAIL = (
    "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
    "- Delete: another model requires the record being deleted. If possible, archive it instead."
    "\n\n"
)


def test_unknown_model(rpc: Rpc) -> None:
    fault = rpc.fault("x.no.such.model", "search", [[]])
    assert (fault.faultCode, fault.faultString) == (2, "Object x.no.such.model doesn't exist")


@pytest.mark.parametrize("method", ["_get_name", "_read", "_action_add_members", "_mark_done"])
def test_private_methods(rpc: Rpc, method: str) -> None:
    fault = rpc.fault("res.partner", method, [[1]])
    assert fault.faultCode == 4
    assert fault.faultString == f"Private methods (such as {method}) cannot be called remotely."


def test_unknown_method(rpc: Rpc) -> None:
    fault = rpc.fault("res.partner", "no_such_method", [[1]])
    assert fault.faultCode == 1
    assert last_line(fault) == (
        "AttributeError: The method 'no_such_method' does not exist on the model 'res.partner'"
    )
    fault = rpc.fault("slide.channel", "action_add_member", [[1]])
    assert last_line(fault) == (
        "AttributeError: The method 'action_add_member' does not exist on the model 'slide.channel'"
    )


def test_read_drops_missing_ids(rpc: Rpc) -> None:
    assert rpc.ek("res.partner", "read", [[999999], ["name"]]) == []
    assert rpc.ek("res.partner", "read", [[1, 999999], ["name"]]) == [
        {"id": 1, "name": "YourCompany"}
    ]
    assert rpc.ek("res.partner", "search_read", [[["id", "=", 999999]]]) == []
    assert rpc.ek("res.partner", "exists", [[1, 999999]]) == [1]


@pytest.mark.parametrize(
    "method,args", [("write", [[999999], {"comment": "x"}]), ("unlink", [[999999]])]
)
def test_missing_record_on_write_and_unlink(rpc: Rpc, method: str, args: list) -> None:
    fault = rpc.fault("res.partner", method, args)
    assert fault.faultCode == 2
    assert fault.faultString == (
        "Record does not exist or has been deleted.\n(Record: res.partner(999999,), User: 2)"
    )


def test_unlink_existing_returns_true(rpc: Rpc) -> None:
    pid = rpc.ek("res.partner", "create", [{"name": "Temp"}])
    assert rpc.ek("res.partner", "unlink", [[pid]]) is True


@pytest.mark.parametrize(
    "model,vals,field",
    [
        (
            "res.partner.category",
            {"color": 1},
            "Model: Partner Tags (res.partner.category)\nField: Tag Name (name)",
        ),
        (
            "slide.channel.partner",
            {"channel_id": 1},
            "Model: Channel / Partners (Members) (slide.channel.partner)\n"
            "Field: Partner (partner_id)",
        ),
        (
            "hr.applicant",
            {"partner_name": "X"},
            "Model: Applicant (hr.applicant)\nField: Subject / Application (name)",
        ),
    ],
)
def test_required_field_missing(rpc: Rpc, model: str, vals: dict, field: str) -> None:
    fault = rpc.fault(model, "create", [vals])
    assert (fault.faultCode, fault.faultString) == (2, REQUIRED_TAIL + field)


def test_unique_constraints(rpc: Rpc) -> None:
    pid = rpc.ek("res.partner", "create", [{"name": "Uniq"}])
    rpc.ek("slide.channel.partner", "create", [{"channel_id": 1, "partner_id": pid}])
    fault = rpc.fault("slide.channel.partner", "create", [{"channel_id": 1, "partner_id": pid}])
    assert (fault.faultCode, fault.faultString) == (
        2,
        "The operation cannot be completed: A partner membership to a channel must be unique!",
    )
    rpc.ek("slide.slide.partner", "create", [{"slide_id": 1, "partner_id": pid}])
    fault = rpc.fault("slide.slide.partner", "create", [{"slide_id": 1, "partner_id": pid}])
    assert fault.faultString == (
        "The operation cannot be completed: A partner membership to a slide must be unique!"
    )


def test_invalid_fields(rpc: Rpc) -> None:
    fault = rpc.fault("res.partner", "read", [[1], ["no_such_field"]])
    assert fault.faultCode == 1
    assert last_line(fault) == "ValueError: Invalid field 'no_such_field' on model 'res.partner'"
    fault = rpc.fault("res.partner", "create", [{"name": "x", "no_such_field": 1}])
    assert last_line(fault) == "ValueError: Invalid field 'no_such_field' on model 'res.partner'"
    fault = rpc.fault("res.partner", "search", [[["no_such_field", "=", 1]]])
    assert last_line(fault) == (
        "ValueError: Invalid field res.partner.no_such_field in leaf ('no_such_field', '=', 1)"
    )


def test_wrong_selection_value(rpc: Rpc) -> None:
    fault = rpc.fault("event.registration", "write", [[1], {"state": "attended"}])
    assert fault.faultCode == 1
    assert last_line(fault) == "ValueError: Wrong value for event.registration.state: 'attended'"


def test_browse_cannot_be_marshalled(rpc: Rpc) -> None:
    fault = rpc.fault("res.partner", "browse", [[999999]])
    assert fault.faultCode == 1
    assert last_line(fault) == "TypeError: cannot marshal <class 'odoo.api.res.partner'> objects"


def test_bad_order(rpc: Rpc) -> None:
    fault = rpc.fault("res.partner", "search_read", [[]], {"order": "write_date; drop table x"})
    assert fault.faultCode == 2
    assert fault.faultString == (
        'Invalid "order" specified (write_date; drop table x). A valid "order" specification is '
        "a comma-separated list of valid field names (optionally followed by asc/desc for the "
        "direction)"
    )


def test_error_rolls_the_whole_call_back(rpc: Rpc) -> None:
    before = rpc.ek("res.partner.category", "search_count", [[]])
    rpc.fault("res.partner.category", "create", [[{"name": "ok"}, {"color": 2}]])
    assert rpc.ek("res.partner.category", "search_count", [[]]) == before


@pytest.mark.parametrize(
    "model,method,args,check",
    [
        (
            "res.partner",
            "action_archive",
            [[16]],
            ("res.partner", [["id", "=", 16], ["active", "=", False]]),
        ),
        (
            "res.partner",
            "toggle_active",
            [[16]],
            ("res.partner", [["id", "=", 16], ["active", "=", False]]),
        ),
        (
            "event.registration",
            "action_set_done",
            [[1]],
            ("event.registration", [["id", "=", 1], ["state", "=", "done"]]),
        ),
        (
            "slide.channel",
            "action_grant_access",
            [[5], 20],
            ("slide.channel.partner", [["channel_id", "=", 5], ["partner_id", "=", 20]]),
        ),
        (
            "slide.slide",
            "action_mark_completed",
            [[3]],
            (
                "slide.slide.partner",
                [["slide_id", "=", 3], ["partner_id", "=", 3], ["completed", "=", True]],
            ),
        ),
        (
            "slide.channel.partner",
            "action_archive",
            [[3]],
            ("slide.channel.partner", [["id", "=", 3], ["active", "=", False]]),
        ),
    ],
)
def test_none_returns_fault_after_commit(rpc: Rpc, model, method, args, check) -> None:
    fault = rpc.fault(model, method, args)
    assert fault.faultCode == 1
    assert last_line(fault) == "TypeError: cannot marshal None unless allow_none is enabled"
    check_model, domain = check
    assert rpc.ek(check_model, "search_count", [domain], {"context": {"active_test": False}}) == 1


def test_message_post_singleton_and_partner_ids(rpc: Rpc) -> None:
    fault = rpc.fault("res.partner", "message_post", [[16, 17]], {"body": "x"})
    assert last_line(fault) == "ValueError: Expected singleton: res.partner(16, 17)"
    fault = rpc.fault(
        "res.partner", "message_post", [[16]], {"body": "x", "partner_ids": [[6, 0, [17]]]}
    )
    assert last_line(fault) == (
        "ValueError: Posting a message should receive partners as a list of IDs "
        "(received [[6, 0, [17]]])"
    )


def test_access_rights_of_an_internal_user(emu, rpc: Rpc) -> None:
    uid = emu.create_user("RPC Probe Limited", "rpc_limited", "limited123")
    assert uid == 8
    auth = {"uid": uid, "password": "limited123"}
    fault = rpc.fault("hr.applicant", "search_read", [[]], {"fields": ["partner_name"]}, **auth)
    assert fault.faultCode == 4
    assert fault.faultString == (
        "You are not allowed to access 'Applicant' (hr.applicant) records.\n\n"
        "This operation is allowed for the following groups:\n"
        "\t- Recruitment/Officer: Manage all applicants\n\n"
        "Contact your administrator to request access if necessary."
    )
    for model in ("slide.channel.partner", "survey.user_input", "ir.config_parameter"):
        assert rpc.fault(model, "search_read", [[]], **auth).faultCode == 4
    fault = rpc.fault("res.users", "write", [[2], {"signature": "x"}], **auth)
    assert fault.faultString.startswith("You are not allowed to modify 'User' (res.users) records.")
    assert (
        rpc.ek("hr.applicant", "check_access_rights", ["read"], {"raise_exception": False}, **auth)
        is False
    )
    assert rpc.ek("res.partner", "check_access_rights", ["read"], **auth) is True


def test_record_rules_of_a_portal_user(emu, rpc: Rpc) -> None:
    uid = emu.create_user("RPC Probe Portal User", "rpc_portal", "portal123", groups=("portal",))
    auth = {"uid": uid, "password": "portal123"}
    fault = rpc.fault("res.users", "read", [[2], ["login"]], **auth)
    assert fault.faultCode == 4
    assert fault.faultString.startswith(
        "Uh-oh! Looks like you have stumbled upon some top-secret records.\n\n"
        f"Sorry, RPC Probe Portal User (id={uid}) doesn't have 'read' access to:\n"
        "- User (res.users)"
    )
    own = emu.env.search_read("res.users", [["id", "=", uid]], ["partner_id"])[0]["partner_id"][0]
    rows = rpc.ek("res.partner", "search_read", [[]], {"fields": ["id"]}, **auth)
    assert rows == [{"id": own}]
