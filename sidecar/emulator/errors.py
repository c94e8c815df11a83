"""Exceptions raised by the emulated ORM, shaped like the ones a real Odoo 17.0 raises.

Each exception knows the fault code Odoo's ``/xmlrpc/2`` layer gives it, the dotted class name
Odoo's JSON-RPC layer reports in ``error.data.name``, and the fault string: a plain message for
Odoo's own exceptions, a server-looking traceback for everything else (fault code 1).
"""

from __future__ import annotations

# XML-RPC fault codes, as in odoo/service/wsgi_server.py.
APPLICATION_ERROR = 1
WARNING = 2
ACCESS_DENIED = 3
ACCESS_ERROR = 4

# Frames that make the fault-1 strings look like a real server traceback. Clients must only
# rely on the first and the last line; the middle is decoration.
_FRAMES = (
    '  File "/usr/lib/python3/dist-packages/odoo/addons/base/controllers/rpc.py", line 156, '
    "in xmlrpc_2\n    response = self._xmlrpc(service)\n"
    '  File "/usr/lib/python3/dist-packages/odoo/service/model.py", line 149, '
    "in execute_kw\n    return execute(db, uid, obj, method, *args, **kw or {})\n"
)


def format_traceback(type_name: str, message: str) -> str:
    """A traceback string whose last line is ``<type_name>: <message>``, as Odoo sends it."""
    return f"Traceback (most recent call last):\n{_FRAMES}{type_name}: {message}\n"


class OdooError(Exception):
    """Base of every error the emulator reports to a client."""

    fault_code: int = APPLICATION_ERROR
    json_name: str = "builtins.Exception"
    # Name printed on the last traceback line (fault code 1 only).
    type_name: str = "Exception"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def fault_string(self) -> str:
        if self.fault_code == APPLICATION_ERROR:
            return format_traceback(self.type_name, self.message)
        return self.message

    def debug(self) -> str:
        return format_traceback(self.json_name, self.message)


class UserError(OdooError):
    fault_code = WARNING
    json_name = "odoo.exceptions.UserError"
    type_name = json_name


class ValidationError(UserError):
    json_name = "odoo.exceptions.ValidationError"
    type_name = json_name


class MissingError(UserError):
    json_name = "odoo.exceptions.MissingError"
    type_name = json_name


class AccessError(OdooError):
    fault_code = ACCESS_ERROR
    json_name = "odoo.exceptions.AccessError"
    type_name = json_name


class AccessDenied(OdooError):
    fault_code = ACCESS_DENIED
    json_name = "odoo.exceptions.AccessDenied"
    type_name = json_name

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


class PyError(OdooError):
    """A plain Python exception on the server (ValueError, TypeError, ...): fault code 1."""

    def __init__(self, type_name: str, message: str, json_name: str | None = None) -> None:
        super().__init__(message)
        self.type_name = type_name
        self.json_name = json_name or f"builtins.{type_name}"


def value_error(message: str) -> PyError:
    return PyError("ValueError", message)


def type_error(message: str) -> PyError:
    return PyError("TypeError", message)


def attribute_error(message: str) -> PyError:
    return PyError("AttributeError", message)


def psycopg_error(type_name: str, message: str) -> PyError:
    """A database error; psycopg2's classes keep their own module in the name."""
    return PyError(type_name, message, json_name=type_name)


def missing_record(model: str, ids: list[int], uid: int) -> MissingError:
    shown = ", ".join(str(i) for i in ids) + ("," if len(ids) == 1 else "")
    return MissingError(
        f"Record does not exist or has been deleted.\n(Record: {model}({shown}), User: {uid})"
    )


NONE_MARSHAL = "cannot marshal None unless allow_none is enabled"
