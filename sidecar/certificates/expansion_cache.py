"""JSON-LD expansion from templates: pyld's expansion of one document of a shape, reused for
every other document of that shape with its own texts put in.

Why: pyld spends most of a credential's signing time processing the contexts again for every
document (the Open Badges context scopes a context to each type), about 4 of 6 ms; every
certificate's credential has the same shape, only its texts differ. docs/credentials.md has
the figures.

Why it gives the same result: expansion looks at a text only where it names a type, or where
a term says its value is an IRI or a vocabulary term (``"@type": "@id"`` or ``"@vocab"``).
A template is made by expanding the document with every text but its types replaced by a
token, then with the texts whose tokens did not come out unchanged put back (`_make`). A token
that comes out, once, exactly as it went in, as a literal's ``@value`` or (for a text that is an
absolute IRI, with a token that is one too) as an ``@id``, marks a *slot*: expansion copies
whatever stands there. Every other text is a *constant* of the template. A document uses a
template only when it has the same keys, list lengths, kinds of text (IRI or not) and other
values, and the same constants; anything else is expanded by pyld. The tests compare the two
ways on generated documents.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]
Expand = Callable[[Mapping[str, Any]], list[Any]]

MAX_TEMPLATES = 64  # our documents have a handful of shapes; a stranger's do not fill memory
_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):\S*$")
_TYPE_KEYS = frozenset({"type", "@type"})


@dataclass(frozen=True)
class Template:
    expanded: list[Any]  # the expansion, with a token in each slot
    slots: dict[str, Path]  # token -> the text it stands for
    constants: dict[Path, str]  # texts that must be these for the template to apply


class ExpansionCache:
    def __init__(self, expand: Expand) -> None:
        self._expand = expand  # the safe expansion (linked_data.expand)
        self._templates: dict[str, Template | None] = {}
        self._lock = threading.Lock()

    def expand(self, document: Mapping[str, Any]) -> list[Any]:
        """What `expand(document)` returns, from a template when one fits."""
        key = _shape(document)
        with self._lock:
            known = key in self._templates
            template = self._templates.get(key)
        if not known:
            template = _make(self._expand, document)  # raises what expanding it raises
            with self._lock:
                if len(self._templates) < MAX_TEMPLATES:
                    self._templates[key] = template
        texts = dict(_texts(document))
        if template is None or any(texts[p] != v for p, v in template.constants.items()):
            return self._expand(document)
        filled: list[Any] = _filled(
            template.expanded, {t: texts[p] for t, p in template.slots.items()}
        )
        return filled


def _texts(node: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Every text of a document outside its `@context`, with where it stands."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "@context":
                yield from _texts(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _texts(value, (*path, index))
    elif isinstance(node, str):
        yield path, node


def _shape(node: Any) -> str:
    """The keys, list lengths, contexts and non-text values of a document, and for each text
    whether it is an IRI."""

    def shape(value: Any, key: Any = None) -> Any:
        if key == "@context":
            return value
        if isinstance(value, dict):
            return {k: shape(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [shape(v) for v in value]
        if isinstance(value, str):
            iri = _IRI.match(value)
            return f"\0iri:{iri.group(1)}" if iri else "\0text"
        return value

    return json.dumps(shape(node), sort_keys=True)


def _token(index: int, value: str) -> str:
    """A stand-in for `value`: an IRI of the same scheme for an IRI (so a scheme that a context
    defines as a prefix shows), a plain word for any other text."""
    iri = _IRI.match(value)
    return f"{iri.group(1)}:x-ojt-slot-{index}" if iri else f"ojtslot{index}x"


def _is_type(path: Path) -> bool:
    """A text that names a type: `type` or `@type`, or an item of one."""
    return bool(path) and (
        path[-1] in _TYPE_KEYS
        or (len(path) > 1 and isinstance(path[-1], int) and path[-2] in _TYPE_KEYS)
    )


def _make(expand: Expand, document: Mapping[str, Any]) -> Template | None:
    """The template of `document`'s shape, or None when no text of it can be a slot."""
    texts = list(_texts(document))
    constants = {p: v for p, v in texts if _is_type(p)}
    for _ in range(2):  # the second round confirms the slots with every constant in place
        probe = copy.deepcopy(dict(document))
        slots = {}
        for index, (path, value) in enumerate(texts):
            if path not in constants:
                token = _token(index, value)
                _put(probe, path, token)
                slots[token] = path
        expanded = expand(probe)
        found = _occurrences(expanded)
        fixed = {p for t, p in slots.items() if found.get(t) not in (["@value"], ["@id"])}
        fixed |= {p for t, p in slots.items() if found.get(t) == ["@id"] and not _IRI.match(t)}
        if not fixed:
            return Template(expanded, slots, constants) if slots else None
        constants.update({p: v for p, v in texts if p in fixed})
    return None  # the slots moved again: this shape is always expanded by pyld


def _put(node: Any, path: Path, value: str) -> None:
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def _occurrences(node: Any, found: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """Text -> the keys it stands under, for every text of an expanded document."""
    found = {} if found is None else found
    if isinstance(node, list):
        for item in node:
            _occurrences(item, found)
    elif isinstance(node, dict):
        for key, value in node.items():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    found.setdefault(item, []).append(key)
                else:
                    _occurrences(item, found)
    return found


def _filled(node: Any, values: dict[str, str]) -> Any:
    """A copy of an expanded template with each slot's token replaced by its text."""
    if isinstance(node, list):
        return [_filled(item, values) for item in node]
    if isinstance(node, dict):
        return {
            key: values.get(value, value) if isinstance(value, str) else _filled(value, values)
            for key, value in node.items()
        }
    return node
