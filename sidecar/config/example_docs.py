"""The sentences of the config reference, read from where the operator already reads them,
`config.example.yaml`: the comment lines right above a key, the comment after its value, or a
`name: text` line in a comment block that lists the keys of a section written on one line or
of a list's items."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

Key = tuple[str, ...]  # a dotted path without list markers: ("programs", "courses", "course")


_KEY_LINE = re.compile(
    r"^(?P<indent>\s*)(?P<dash>- )?(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?P<rest>.*)$"
)
_COMMENT = re.compile(r"^\s*#(?: ?)(?P<text>.*)$")
_ENTRY = re.compile(r"^(?P<indent>\s*)(?P<names>[a-z_]+(?:, [a-z_]+)*):\s+(?P<text>\S.*)$")


@dataclass
class ExampleDocs:
    """Sentences found in the example, by key path."""

    direct: dict[Key, str] = field(default_factory=dict)  # comment above the key / after it
    listed: dict[tuple[Key, str], str] = field(default_factory=dict)  # (block's key, name) → text
    see: dict[Key, str] = field(default_factory=dict)  # key → sibling whose block covers it too

    def describe(self, path: Key) -> str:
        """The sentence for `path`: its own comment, else a `name: text` line nearest to it."""
        if path in self.direct:
            return self.direct[path]
        parent, name = path[:-1], path[-1]
        # A `name: text` line in the block above a sibling, the parent or the grandparent.
        for (anchor, listed), text in self.listed.items():
            if listed == name and anchor in ((*parent, anchor[-1]), parent, parent[:-1]):
                return text
        return ""


def read_example(text: str) -> ExampleDocs:
    """Collect the comment sentences of a config example, keyed by the path they document.

    A key with no comment of its own that directly follows a sibling (no blank line between)
    shares that sibling's comment block: `host:` and `port:` under one "Address and port" block.
    One with only a comment after its value keeps it and points at the sibling instead
    (`api_key:` below the `password:` block). A block of `name: text` lines is never shared.
    """
    docs = ExampleDocs()
    stack: list[tuple[int, str]] = []  # (indent of a key, key) of the open mappings
    block: list[str] = []
    shared: dict[int, tuple[str, str]] = {}  # indent -> (comment block, key) of the sibling
    for line in text.splitlines():
        if not line.strip():
            block, shared = [], {}
            continue
        comment = _COMMENT.match(line)
        if comment:
            block.append(comment.group("text"))
            continue
        match = _KEY_LINE.match(line)
        if not match:
            block = []
            continue
        indent = len(match.group("indent")) + (2 if match.group("dash") else 0)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = (*(key for _, key in stack), match.group("key"))
        stack.append((indent, match.group("key")))
        shared = {i: t for i, t in shared.items() if i <= indent}
        if match.group("dash"):
            shared.pop(indent, None)  # a new list item starts a new mapping
        entries = dict(_entries(block))
        for name, sentence in entries.items():
            docs.listed.setdefault((path, name), sentence)
        own = _own_sentence(block, entries, path[-1])
        inline = _inline_comment(match.group("rest"))
        sibling = shared.get(indent) if not block else None
        if own and not _is_listing(block, entries, path[-1]):
            shared[indent] = (own, path[-1])
        sentence = " ".join(part for part in (own, inline) if part)
        if sibling is not None and not sentence:
            sentence = sibling[0]
        elif sibling is not None and path not in docs.direct:
            docs.see[path] = sibling[1]  # documented by its comment after the value only
        if sentence:
            docs.direct.setdefault(path, sentence)
        block = []
    return docs


def _entries(block: list[str]) -> Iterator[tuple[str, str]]:
    """`name: text` lines of a comment block (with their indented continuation lines)."""
    current: tuple[list[str], int, list[str]] | None = None
    for line in block:
        entry = _ENTRY.match(line)
        indent = len(line) - len(line.lstrip())
        if current is not None and not entry and indent > current[1] and line.strip():
            current[2].append(line.strip())
            continue
        if current is not None:
            yield from ((name, " ".join(current[2])) for name in current[0])
            current = None
        if entry:
            names = entry.group("names").split(", ")
            current = (names, len(entry.group("indent")), [entry.group("text").strip()])
    if current is not None:
        yield from ((name, " ".join(current[2])) for name in current[0])


def _is_listing(block: list[str], entries: dict[str, str], key: str) -> bool:
    """True for a block of `name: text` lines that documents `key` (and its siblings)."""
    return bool(block) and _ENTRY.match(block[0]) is not None and key in entries


def _own_sentence(block: list[str], entries: dict[str, str], key: str) -> str:
    if not block:
        return ""
    if _is_listing(block, entries, key):  # a block listing keys: only this key's line
        return entries[key]
    return " ".join(line.strip() for line in block if line.strip())


def _inline_comment(rest: str) -> str:
    quote = None
    for i, char in enumerate(rest):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or rest[i - 1].isspace()):
            return rest[i + 1 :].strip()
    return ""
