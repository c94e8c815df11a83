"""Turn pydantic's error records, and kinds of broken YAML, into one plain sentence each, in the
operator's words."""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, NoReturn, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr
from pydantic_core import ErrorDetails, PydanticCustomError

from sidecar.config.problems import Loc

# Error type used by every validator of ours: its message is already the final sentence.
CONFIG_ERROR = "config"

_MAX_SHOWN = 60

# `scheme://user:password@` anywhere in a text: the password is replaced before it is shown.
# One slash is enough (`http:/u:pw@h`): a URL used as a file path loses the other.
# The scheme is bounded and must start a word: unbounded, a long run of letters made every
# position a new start and the match quadratic (a 200,000-character name took a minute).
_CREDENTIALS = re.compile(
    r"(?P<head>(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}:/+[^/?#@\s:]*:)\S*@"
)


def mask_credentials(text: str) -> str:
    """`text` with every password written inside a URL shown as `***`.

    Messages echo what the operator wrote; a URL such as postgresql://u:secret@h/db must never
    reach a terminal or a log collector with its password.
    """
    return _CREDENTIALS.sub(r"\g<head>***@", text)


def fail(message: str) -> NoReturn:
    """Reject a value with a final, operator-facing sentence (no pydantic wording added)."""
    raise PydanticCustomError(CONFIG_ERROR, message)


def describe(value: Any) -> str:
    """Show a value inside "(got …)" the way the operator wrote it in YAML."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        value = mask_credentials(value)
        shown = value if len(value) <= _MAX_SHOWN else value[: _MAX_SHOWN - 1] + "…"
        return repr(shown)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int):
        return number(value)
    if isinstance(value, float):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"


def number(value: float) -> str:
    """Print a bound or a measured number without a needless `.0`."""
    if isinstance(value, int):
        # float() of a 400-digit int overflows; the operator needs its size, not its digits.
        digits = len(str(abs(value)))
        return str(value) if digits <= 15 else f"a number of {digits} digits"
    return str(int(value)) if value.is_integer() else f"{value:g}"


def _strip(tp: Any) -> Any:
    """Remove `Annotated[...]` and `| None` wrappers to reach the type that matters."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(tp) if a is not type(None)]
            models = [a for a in members if isinstance(a, type) and issubclass(a, BaseModel)]
            if len(members) == 1:
                tp = members[0]
            elif len(models) == 1:
                tp = models[0]
            else:
                return tp
        else:
            return tp


def annotation_at(root: type[BaseModel], loc: Loc) -> Any:
    """The declared type at `loc` under `root`, or None when `loc` leaves the model."""
    tp: Any = root
    for part in loc:
        tp = _strip(tp)
        if isinstance(part, int):
            if get_origin(tp) not in (list, tuple) or not get_args(tp):
                return None
            tp = get_args(tp)[0]
        elif isinstance(tp, type) and issubclass(tp, BaseModel) and part in tp.model_fields:
            tp = tp.model_fields[part].annotation
        else:
            return None
    return tp


def _mentions(tp: Any, target: type) -> bool:
    if tp is target:
        return True
    return any(_mentions(arg, target) for arg in get_args(tp))


def is_secret(root: type[BaseModel], loc: Loc) -> bool:
    """True when the setting at `loc` holds a secret, whose value must never be echoed."""
    return _mentions(annotation_at(root, loc), SecretStr)


def _unknown_key(root: type[BaseModel], loc: Loc) -> str:
    key = str(loc[-1])
    parent = _strip(annotation_at(root, loc[:-1]))
    allowed = (
        list(parent.model_fields)
        if isinstance(parent, type) and issubclass(parent, BaseModel)
        else []
    )
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown key {key!r} (did you mean {close[0]!r}?)"
    if allowed:
        return f"unknown key {key!r} (allowed keys: {', '.join(allowed)})"
    return f"unknown key {key!r}"


def _literal(ctx: Mapping[str, Any]) -> str:
    # pydantic spells the choices "'a', 'b' or 'c'"; the operator wants a plain list.
    choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
    return ", ".join(choices) or str(ctx.get("expected", ""))


_WHOLE = {"int_type", "int_parsing", "int_from_float", "int_parsing_size"}
_NUMBER = {"float_type", "float_parsing", "finite_number", "decimal_parsing", "decimal_type"}
_BOOL = {"bool_type", "bool_parsing"}
_DATE = {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
_LIST = {"list_type", "tuple_type", "iterable_type", "sequence_str"}
_MAPPING = {"model_type", "model_attributes_type", "dict_type", "mapping_type"}
_BOUNDS = {
    "greater_than": ("gt", "must be greater than"),
    "greater_than_equal": ("ge", "must be at least"),
    "less_than": ("lt", "must be less than"),
    "less_than_equal": ("le", "must be at most"),
}


def translate(error: ErrorDetails, root: type[BaseModel]) -> str:
    """One plain sentence for one pydantic error, never echoing a secret value."""
    kind = error["type"]
    loc: Loc = tuple(error["loc"])
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    got = "" if is_secret(root, loc) else f" (got {describe(value)})"
    if kind == CONFIG_ERROR:
        return error["msg"]
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return _unknown_key(root, loc)
    if kind in _WHOLE:
        return f"must be a whole number{got}"
    if kind in _NUMBER:
        return f"must be a number{got}"
    if kind in _BOOL:
        return f"must be true or false{got}"
    if kind == "string_type":
        hint = "; put it in quotes" if isinstance(value, int | float) else ""
        return f"must be text{got}{hint}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "literal_error":
        return f"must be one of: {_literal(ctx)}{got}"
    if kind in _DATE:
        return f"must be a date like 2026-01-05{got}"
    if kind in _LIST:
        return f"must be a list{got}"
    if kind in _MAPPING:
        return f"must be a mapping of settings{got}"
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return f"must have at least {least} entr{'y' if least == 1 else 'ies'}"
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        return f"{words} {number(ctx[key])}{got}"
    # Anything else: pydantic's own sentence, reworded to read like ours.
    text = re.sub(r"^(Value error, |Assertion failed, )", "", error["msg"])
    text = text.replace("Input should be", "must be")
    return f"{text[:1].lower()}{text[1:]}{got}"


# --- YAML syntax errors ------------------------------------------------------------------------

# One sentence per kind of broken YAML, said about the line to fix (see yamlerrors.py, which
# finds the kind and the line). `{column}` and the like are filled in there.
YAML_SENTENCES = {
    "generic": "the file is not valid YAML here; check the indentation, quotes and brackets of "
    "this line and of the line above it",
    "tab": "this line contains a tab character (column {column}); YAML allows only spaces for "
    "indentation and after the ':', so replace the tab with spaces",
    "more": "this line is indented more than line {above} above it, but line {above} is not a "
    "section (a key ending in ':'), so nothing can be placed under it",
    "matches_none": "this line is indented by {spaces}, which matches no section above it "
    "(their entries are indented by {columns} spaces); indent it exactly as far as the other "
    "entries of its section",
    "mixed": "this line starts in the same column as line {above} above it, but only one of the "
    "two is a list item ('- '); list items and settings cannot be mixed at the same indentation",
    "uneven": "this line is indented by {spaces}, but line {other} below it, in the same section, "
    "by {other_spaces}; indent all entries of a section by the same amount",
    "first_indented": "this first setting of the file is indented by {spaces}, but top-level "
    "sections must start at the very beginning of their line",
    "misfit": "this line does not fit under line {above} above it; check the indentation of "
    "both lines",
    "no_colon": "this line has no ':' after the name of its setting; write it as `name: value` "
    "(or start it with # if it is a comment)",
    "no_space": "this line needs a space after the ':' that ends the name of its setting; "
    "write it as `name: value`",
    "colon_in_value": "the value on this line contains ': ' (column {column}), which YAML reads "
    "as the start of another setting; put the whole value in quotes",
    "no_name": "there is a ':' with no setting name before it (column {column}); write "
    "`name: value`",
    "dash_after_key": "a list item ('- ') cannot start on the same line as its key; put each "
    "item on its own line below the key, indented, or put the value in quotes if it is text",
    "dash_space": "a list item needs a space after its '-'; write `- value`",
    "quote_open": "the {quote} that starts the value on this line is not closed on this line, "
    "so everything up to line {end} is read as part of that value; add the closing {quote}",
    "quote_open_eof": "the {quote} that starts the value on this line is never closed, so the "
    "rest of the file is read as part of that value; add the closing {quote}",
    "after_quote": "there is more text after the closing {quote} of the value (column "
    "{column}); put the whole value inside the quotes{hint}",
    "after_bracket": "a value that starts with {opener} is read as {meaning}, so the text after "
    "its closing bracket (column {column}) does not fit; put the whole value in quotes",
    "unexpected_text": "there is unexpected text at column {column}; if the value holds quotes "
    "or brackets, put the whole value in quotes",
    "escape": "inside double quotes a backslash (\\) starts a special character, and this one is "
    "not valid; use single quotes around the value instead, or write each backslash twice",
    "special": "a value that starts with {char} must be written in quotes, because YAML gives "
    "{char} a special meaning there; put the whole value in quotes",
    "tag": "{tag} starts with !, which YAML reads as a type tag, and this file allows none; "
    "remove it, or put the whole value in quotes if it is text",
    "never_closed": "the {opener} opened on this line is never closed; add the closing {closer} "
    "at the end of the {what}",
    "still_open": "the {opener} opened on this line is still open at line {other}; add the "
    "closing {closer} at the end of the {what} (or, if the {what} goes on, separate its "
    "entries with commas)",
    "flow_colon": "an entry of the {opener} {closer} {what} contains ': ' (column {column}); put "
    "that entry in quotes",
    "flow_comma": "the entries of the {opener} {closer} {what} must be separated by commas; one "
    "is missing before column {column}",
    "stray_closer": "there is a {closer} here (column {column}) without a matching {opener}; "
    "remove it, or put the whole value in quotes",
    "stray_comma": "there is a comma here (column {column}) that belongs to no list in [ ] or "
    "{{ }}; remove it, or put the whole value in quotes",
    "empty_entry": "there is a comma with no entry before it (column {column}); remove the extra "
    "comma",
    "missing_value": "a value is missing before column {column}; if the value holds quotes, "
    "brackets or ':', put the whole value in quotes",
    "secret_special": "this value starts with {char}, which YAML gives a special meaning; put "
    "the whole value in quotes (it is not shown here: it may be a secret)",
    "alias": "*{name} stands for the value marked &{name}, but no value above is marked so; if "
    "this is text, put it in quotes",
    "anchor_twice": "the marker &{name} is already used on line {other}; give each marked value "
    "its own name",
    "two_documents": "a config file holds one document, but '---' on this line starts a second "
    "one; remove it",
    "key_not_text": "the name of a setting must be plain text, not a list or a section; put it "
    "in quotes or fix the brackets",
    "merge": "'<<:' must be followed by *name, where name marks a section above (written &name)",
}
