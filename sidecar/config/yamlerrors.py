"""Explain a YAML syntax error in one plain sentence, at the line the operator must look at.

PyYAML says what its scanner or parser expected ("expected <block end>, but found '<block
mapping start>'") and where it noticed, which can be lines after the mistake: an unclosed quote
is noticed where the next quote of the file closes it, an unclosed bracket at the next key.
Here each kind of error becomes a sentence about the file as the operator wrote it
(indentation, tabs, quotes, brackets, a missing ':'), placed on the line to fix. Which of
PyYAML's two marks that is was settled per kind with broken copies of config.example.yaml
(tests/config/test_yaml_errors.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import yaml
from yaml.error import Mark
from yaml.tokens import FlowMappingEndToken, FlowSequenceEndToken, ScalarToken, Token

from sidecar.config.messages import YAML_SENTENCES
from sidecar.config.yamllines import (
    KEY,
    NO_SPACE,
    SWALLOWED,
    ends_a_section,
    has_key,
    inner,
    is_content,
    is_list_item,
    lead,
    may_hold_key,
    plural,
)

# Line breaks as PyYAML counts them, so that line numbers agree with its marks.
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_FOUND = re.compile(r"(?:found|got) '(?P<token>.*)'$")
_SPECIAL = ("|", ">", "*", "&", "!")  # starts a block text, an alias, an anchor or a tag

_BRACKETS = {"[": ("]", "list"), "{": ("}", "section")}
_OPENERS = {"]": "[", "}": "{"}
# Keys whose values may be secrets: a YAML error on their line never quotes the value.
_SECRET_KEY = re.compile(r"(?:password|api_key|secret|token|url)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class Explanation:
    """A plain sentence (without the line number) and the 1-based line and column it is about."""

    message: str
    line: int | None
    column: int | None


def explain(exc: yaml.YAMLError, text: str) -> Explanation:
    """One plain sentence for a PyYAML error raised while reading `text`."""
    if not isinstance(exc, yaml.MarkedYAMLError):
        return Explanation(YAML_SENTENCES["generic"], None, None)
    return _Explainer(exc, text).explain()


class _Explainer:
    def __init__(self, exc: yaml.MarkedYAMLError, text: str) -> None:
        self.exc = exc
        self.text = text
        self.lines = _BREAKS.split(text)
        self.problem = exc.problem or ""
        self.context = exc.context or ""
        self.problem_mark: Mark | None = exc.problem_mark
        self.context_mark: Mark | None = exc.context_mark
        found = _FOUND.search(self.problem)
        self.found = found.group("token") if found else ""

    # --- helpers -----------------------------------------------------------------------------

    def say(self, where: Mark | int | None, kind: str, **fields: object) -> Explanation:
        """The sentence of `kind` at a mark, or at a line (0-based) where its text starts."""
        line: int | None = None
        column: int | None = None
        if isinstance(where, Mark):
            fields.setdefault("column", where.column + 1)
            line, column = where.line + 1, where.column + 1
        elif where is not None:
            line, column = where + 1, lead(self.line(where)) + 1
        return Explanation(YAML_SENTENCES[kind].format(**fields), line, column)

    def line(self, index: int) -> str:
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def char_at(self, mark: Mark | None) -> str:
        return "" if mark is None else self.line(mark.line)[mark.column : mark.column + 1]

    def previous_content(self, index: int) -> int | None:
        """The nearest line above `index` that is neither blank nor only a comment."""
        return next((i for i in range(index - 1, -1, -1) if is_content(self.line(i))), None)

    def open_columns(self, index: int) -> list[int]:
        """Columns at which the sections and lists still open at line `index` start."""
        columns: set[int] = set()
        lowest = len(self.line(index)) + 1_000
        for above in range(index - 1, -1, -1):
            line = self.line(above)
            if is_content(line):
                columns.update(c for c in (inner(line), lead(line)) if c < lowest)
                lowest = min(lowest, lead(line))
        return sorted(columns)

    def same_column(self, index: int, column: int) -> tuple[int, bool] | None:
        """The nearest line above `index` (within its section) with an entry at `column`,
        and whether that entry is a list item."""
        for above in range(index - 1, -1, -1):
            line = self.line(above)
            if not is_content(line):
                continue
            if lead(line) == column:
                return above, is_list_item(line)
            if inner(line) == column:
                return above, False
            if lead(line) < column:
                return None
        return None

    @cached_property
    def tokens(self) -> list[Token]:
        """The tokens PyYAML read before it stopped, in file order. Every question asked of
        them is about tokens that end by the problem's mark, so scanning stops past it: on a
        commented config, scanning the rest of the file cost as much as the failed parse."""
        loader = yaml.SafeLoader(self.text)
        next_token: Callable[[], Token] = loader.get_token  # untyped in PyYAML's stubs
        stop = self.problem_mark.index if self.problem_mark is not None else len(self.text)
        found: list[Token] = []
        try:
            while loader.check_token():
                found.append(next_token())
                if found[-1].start_mark.index > stop:
                    break
        except yaml.YAMLError:
            found.extend(loader.tokens)  # read ahead, not handed out before the error
        finally:
            loader.dispose()
        return sorted(found, key=lambda token: token.start_mark.index)

    def token_before(self, mark: Mark) -> Token | None:
        """The last token with some text that ends at or before `mark`."""
        before = [t for t in self.tokens if t.start_mark.index < t.end_mark.index <= mark.index]
        return before[-1] if before else None

    # --- the kinds ---------------------------------------------------------------------------

    def explain(self) -> Explanation:
        mark = self.problem_mark
        explained = self.unclosed_quote()
        if explained is None and mark is not None:
            if isinstance(self.exc, yaml.scanner.ScannerError):
                explained = self.scanner(mark)
            elif isinstance(self.exc, yaml.parser.ParserError):
                explained = self.parser(mark)
            elif isinstance(self.exc, yaml.composer.ComposerError):
                explained = self.composer(mark)
            elif isinstance(self.exc, yaml.constructor.ConstructorError):
                explained = self.constructor(mark)
        return explained or self.say(mark or self.context_mark, "generic")

    def unclosed_quote(self) -> Explanation | None:
        """A quote left open runs on to the next quote of the file, maybe in a comment lines
        below; the error comes on that line or at the first setting after it."""
        if self.context == "while scanning a quoted scalar" and self.context_mark is not None:
            return self.say(
                self.context_mark, "quote_open_eof", quote=self.char_at(self.context_mark)
            )
        mark = self.problem_mark
        if mark is None:
            return None
        quoted = [
            t
            for t in self.tokens
            if isinstance(t, ScalarToken)
            and t.style in ("'", '"')
            and t.start_mark.line < t.end_mark.line
            and t.end_mark.index <= mark.index
        ]
        if not quoted:
            return None
        token = quoted[-1]
        # Left open if the error follows right after it, or if it swallowed settings or comments.
        inside = self.lines[token.start_mark.line + 1 : token.end_mark.line + 1]
        near = min(mark.line, self.previous_content(mark.line) or 0)
        if token.end_mark.line < near and not any(SWALLOWED.match(line) for line in inside):
            return None
        return self.say(
            token.start_mark, "quote_open", quote=token.style, end=token.end_mark.line + 1
        )

    def scanner(self, mark: Mark) -> Explanation | None:
        if "'\\t'" in self.problem or "tab character" in self.problem:
            return self.say(mark, "tab")
        if self.context == "while scanning a simple key" and self.context_mark is not None:
            return self.no_colon(self.context_mark.line)
        if self.problem == "mapping values are not allowed here":
            return self.colon_not_allowed(mark)
        if self.problem == "sequence entries are not allowed here":
            if self.line(mark.line)[: mark.column].strip():
                return self.say(mark, "dash_after_key")
            return self.indentation(mark, list_item=True)
        if self.problem.startswith(("found unknown escape", "expected escape sequence")):
            return self.say(mark, "escape")
        if self.problem == "mapping keys are not allowed here":
            return self.special(mark)
        if self.context.startswith(("while scanning a", "while parsing a tag")):
            return self.special(self.context_mark)  # alias, anchor, tag, block text, directive
        if self.problem.endswith("that cannot start any token"):
            return self.special(mark)
        return None

    def special(self, mark: Mark | None) -> Explanation | None:
        char = self.char_at(mark)
        return self.say(mark, "special", char=char) if char.strip() else None

    def no_colon(self, index: int) -> Explanation:
        return self.say(index, "no_space" if NO_SPACE.match(self.line(index)) else "no_colon")

    def colon_not_allowed(self, mark: Mark) -> Explanation:
        """`mapping values are not allowed here`: a ': ' PyYAML cannot take as a new key."""
        line = self.line(mark.line)
        key = KEY.match(line[inner(line) :])
        if key is None or inner(line) + len(key.group(0).rstrip()) - 1 != mark.column:
            return self.say(mark, "colon_in_value")
        # The line is `name: ...` but cannot start a setting where it stands.
        above = self.previous_content(mark.line)
        if (
            above is not None
            and lead(line) <= inner(self.line(above))
            and not may_hold_key(self.line(above))
        ):
            return self.no_colon(above)  # the line above ran on into this one
        return self.indentation(mark)

    def indentation(self, mark: Mark, list_item: bool = False) -> Explanation:
        """The line at `mark` does not fit the indentation of the lines above it."""
        index, line = mark.line, self.line(mark.line)
        here, above = lead(line), self.previous_content(mark.line)
        if above is None:
            kind = "first_indented" if here else "generic"
            return self.say(index, kind, spaces=plural(here, "space"))
        previous = self.line(above)
        uneven = self.uneven_first_entry(index, above)
        if uneven is not None:
            return uneven
        if (here > inner(previous) and not ends_a_section(previous)) or (
            here == inner(previous) > lead(previous) and not has_key(previous)
        ):
            return self.say(index, "more", above=above + 1)
        columns = self.open_columns(index)
        if here < inner(previous) and here not in columns:
            shown = ", ".join(str(c) for c in columns[:-1]) + " or " * (len(columns) > 1)
            return self.say(
                index,
                "matches_none",
                spaces=plural(here, "space"),
                columns=f"{shown}{columns[-1]}",
            )
        if not is_list_item(previous) and not may_hold_key(previous):
            return self.no_colon(above)  # a stray line of text, e.g. a comment without its #
        sibling = self.same_column(index, here)
        if sibling is not None and sibling[1] != (list_item or is_list_item(line)):
            return self.say(index, "mixed", above=sibling[0] + 1)
        return self.say(index, "misfit", above=above + 1)

    def uneven_first_entry(self, index: int, above: int) -> Explanation | None:
        """PyYAML stops at the second entry of a section when the first is indented unlike
        it; when the entries after the second agree with it, the first is the line to fix."""
        here, columns = lead(self.line(index)), self.open_columns(index)
        deeper = [c for c in columns if c > here]
        first: int | None = above
        if lead(self.line(above)) > here:  # the entry that opened the nearest deeper column
            target = min(deeper, default=-1)
            lines = range(index - 1, -1, -1)
            first = next((i for i in lines if lead(self.line(i)) == target), None)
        if first is None or is_list_item(self.line(first)) or lead(self.line(first)) == here:
            return None
        header = self.previous_content(first)
        if header is None or not ends_a_section(self.line(header)):
            return None
        top, width = inner(self.line(header)), lead(self.line(first))
        if not (top < here and top < width):
            return None
        later = (
            lead(self.line(i))
            for i in range(index + 1, len(self.lines))
            if is_content(self.line(i)) and lead(self.line(i)) <= max(here, width)
        )
        after = next(later, None)
        if after != here and (after is not None or here - top != 2 or width - top == 2):
            return None
        return self.say(
            first,
            "uneven",
            spaces=plural(width, "space"),
            other=index + 1,
            other_spaces=plural(here, "space"),
        )

    def parser(self, mark: Mark) -> Explanation | None:
        found = self.found
        if self.problem.startswith("expected ',' or"):
            return self.flow_not_closed(mark)
        if self.problem.startswith("expected '<document start>'"):
            return self.after_the_end(mark)
        if found.startswith("<") and found != "<stream end>" and self.char_at(mark) in _SPECIAL:
            return self.special(mark)
        if found == "<scalar>":
            return self.text_after_value(mark)
        if found in _OPENERS:
            return self.say(mark, "stray_closer", closer=found, opener=_OPENERS[found])
        if found == ",":
            kind = "empty_entry" if "node content" in self.problem else "stray_comma"
            return self.say(mark, kind)
        if self.problem.startswith("expected the node content"):
            return self.say(mark, "missing_value")
        if found == ":":
            return self.say(mark, "no_name")
        if re.match(r"-[^\s-]", self.line(mark.line).lstrip(" ")):
            return self.say(mark.line, "dash_space")
        return self.indentation(mark, list_item=found in ("-", "<block sequence start>"))

    def after_the_end(self, mark: Mark) -> Explanation:
        """More file after what YAML took for all of it: the first line is indented (so a key
        at column 0 ends the document) or is a line of text without `name:`."""
        first = next((i for i, line in enumerate(self.lines) if is_content(line)), None)
        if first is None:
            return self.indentation(mark)
        line = self.line(first)
        if not is_list_item(line) and not may_hold_key(line):
            return self.no_colon(first)
        if lead(line) > 0:
            return self.say(first, "first_indented", spaces=plural(lead(line), "space"))
        return self.indentation(mark)

    def text_after_value(self, mark: Mark) -> Explanation:
        token = self.token_before(mark)
        if token is None or token.end_mark.line != mark.line:
            return self.indentation(mark)
        if isinstance(token, ScalarToken) and token.style in ("'", '"'):
            hint = " (inside single quotes, write an apostrophe as two: '')" * (token.style == "'")
            return self.say(mark, "after_quote", quote=token.style, hint=hint)
        if isinstance(token, FlowSequenceEndToken):
            return self.say(mark, "after_bracket", opener="[", meaning="a list")
        if isinstance(token, FlowMappingEndToken):
            return self.say(mark, "after_bracket", opener="{", meaning="a section")
        return self.say(mark, "unexpected_text")

    def flow_not_closed(self, mark: Mark) -> Explanation | None:
        """`[a, b` or `{a: 1` without its closing bracket, or a missing comma inside."""
        opened = self.context_mark
        opener = self.char_at(opened)
        if opened is None or opener not in _BRACKETS:
            return None
        closer, what = _BRACKETS[opener]
        fields = {"opener": opener, "closer": closer, "what": what, "other": mark.line + 1}
        if self.found == "<stream end>":
            return self.say(opened, "never_closed", **fields)
        if mark.line != opened.line:
            return self.say(opened, "still_open", **fields)
        return self.say(mark, "flow_colon" if self.found == ":" else "flow_comma", **fields)

    def secret_here(self, mark: Mark) -> bool:
        """True when the value at `mark` is a password, key or URL, never to be echoed."""
        return _SECRET_KEY.search(self.line(mark.line)[: mark.column]) is not None

    def composer(self, mark: Mark) -> Explanation | None:
        undefined = re.match(r"found undefined alias '(?P<name>.*)'$", self.problem)
        if undefined and self.secret_here(mark):
            return self.say(mark, "secret_special", char="*")
        if undefined:
            return self.say(mark, "alias", name=undefined.group("name"))
        twice = re.match(r"found duplicate anchor '(?P<name>.*)'", self.context)
        if twice and self.context_mark is not None:
            return self.say(
                mark, "anchor_twice", name=twice.group("name"), other=self.context_mark.line + 1
            )
        if self.problem == "but found another document":
            return self.say(mark, "two_documents")
        return None

    def constructor(self, mark: Mark) -> Explanation | None:
        if self.problem.startswith("could not determine a constructor for the tag"):
            if self.secret_here(mark):
                return self.say(mark, "secret_special", char="!")
            tag = re.split(r"[\s,\]}]", self.line(mark.line)[mark.column :], maxsplit=1)[0]
            return self.say(mark, "tag", tag=tag or "this value")
        if self.problem == "found unhashable key":
            return self.say(mark, "key_not_text")
        if "for merging" in self.problem:
            return self.say(mark, "merge")
        return None
