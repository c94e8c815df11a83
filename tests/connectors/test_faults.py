"""Each fault Odoo 17 gives (docs/odoo-notes.md §1-§3) maps to the error class to act on."""

from __future__ import annotations

import pytest

from connectors import errors, faults

TB = 'Traceback (most recent call last):\n  File "/odoo/odoo/service/model.py", line 1, in x\n'


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        (3, "Access Denied", errors.OdooAuthenticationError),
        (
            4,
            "You are not allowed to access 'Applicant' (hr.applicant) records.",
            errors.OdooAccessError,
        ),
        (
            4,
            "Private methods (such as _get_name) cannot be called remotely.",
            errors.OdooUnknownMethodError,
        ),
        (
            2,
            "Record does not exist or has been deleted.\n(Record: res.partner(999999,), User: 2)",
            errors.OdooMissingRecordError,
        ),
        (2, "Object x.no.such.model doesn't exist", errors.OdooUnknownModelError),
        (
            2,
            "The operation cannot be completed: A partner membership to a channel must be unique!",
            errors.OdooValidationError,
        ),
        (
            1,
            TB + "AttributeError: The method 'no_such_method' does not exist on the model "
            "'res.partner'\n",
            errors.OdooUnknownMethodError,
        ),
        (  # the wording of later 17.0 builds, 18.0 and 19.0 (seen on a real 17.0 server)
            1,
            TB + "AttributeError: The method 'res.partner.no_such_method' does not exist\n",
            errors.OdooUnknownMethodError,
        ),
        (  # any other AttributeError is a server error, not an unknown method
            1,
            TB + "AttributeError: 'NoneType' object has no attribute 'id'\n",
            errors.OdooServerError,
        ),
        (
            1,
            TB + "ValueError: Invalid field 'no_such_field' on model 'res.partner'\n",
            errors.OdooServerError,
        ),
        (
            1,
            TB + 'psycopg2.OperationalError: connection to server at "127.0.0.1", port 5432 '
            'failed: FATAL:  database "no_such_db" does not exist\n',
            errors.OdooUnknownDatabaseError,
        ),
        (
            1,
            TB + "psycopg2.errors.SerializationFailure: could not serialize access due to "
            "concurrent update\n",
            errors.OdooConcurrencyError,
        ),
    ],
)
def test_xmlrpc_fault_maps_to_error_class(code: int, text: str, expected: type) -> None:
    error = faults.classify(faults.from_xmlrpc_fault(code, text), model="m", method="x")
    assert type(error) is expected
    assert error.detail == text


def test_only_transient_errors_are_retryable() -> None:
    concurrency = faults.classify(
        faults.from_xmlrpc_fault(1, TB + "psycopg2.errors.SerializationFailure: x\n"),
        model=None,
        method=None,
    )
    business = faults.classify(faults.from_xmlrpc_fault(2, "Nope"), model=None, method=None)
    assert concurrency.retryable and not concurrency.may_have_applied
    assert not business.retryable


def test_none_marshal_fault_is_recognised_as_success() -> None:
    exc = faults.from_xmlrpc_fault(
        1, TB + "TypeError: cannot marshal None unless allow_none is enabled\n"
    )
    assert faults.is_none_return(exc)
    other = faults.from_xmlrpc_fault(
        1, TB + "TypeError: cannot marshal <class 'odoo.api.res.partner'> objects\n"
    )
    assert not faults.is_none_return(other)


def test_jsonrpc_error_maps_by_exception_name() -> None:
    error = {
        "code": 200,
        "message": "Odoo Server Error",
        "data": {
            "name": "odoo.exceptions.AccessError",
            "debug": TB + "odoo.exceptions.AccessError: not allowed\n",
            "message": "not allowed",
            "arguments": ["not allowed"],
            "context": {},
        },
    }
    mapped = faults.classify(faults.from_jsonrpc_error(error), model="a", method="b")
    assert isinstance(mapped, errors.OdooAccessError)
    assert mapped.message == "not allowed"
    assert str(mapped) == "a.b: not allowed"


def test_legacy_endpoint_string_fault_code_is_understood() -> None:
    exc = faults.from_xmlrpc_fault(
        "warning -- UserError\n\nObject x.no.such.model doesn't exist", ""
    )
    assert exc.name == "UserError"
