"""Read the YAML file, keeping where each setting sits (for line numbers in problems) and
catching what PyYAML would silently accept: the same key twice in one mapping. Syntax errors
come out as one plain sentence about the line to fix (yamlerrors.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sidecar.config.problems import Loc
from sidecar.config.yamlerrors import explain

_MERGE_TAG = "tag:yaml.org,2002:merge"
# A config holds a few hundred values. Aliases can make a small file stand for billions of them
# ("billion laughs"), or for a value that contains itself: both are refused before anything
# walks the values, and so is nesting no config needs.
MAX_VALUES = 20_000
MAX_DEPTH = 40


@dataclass
class YamlDocument:
    """Parsed data, the line of each location, and duplicate-key findings."""

    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    duplicates: list[tuple[Loc, str]] = field(default_factory=list)

    def line_of(self, loc: Loc) -> int | None:
        """The line of `loc`, or of its nearest ancestor present in the file."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(loc[:end])
            if line is not None:
                return line
        return None


class YamlSyntaxError(Exception):
    """The text is not valid YAML: `reason` is one plain sentence about the line to look at;
    `line` and `column` are 1-based when known."""

    def __init__(self, reason: str, line: int | None, column: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column


class _Loader(yaml.SafeLoader):
    """SafeLoader whose impossible dates and numbers stay text instead of raising ValueError.

    `start: 2026-02-30` or `port: 0x_` look like a date or a number to YAML, but are none;
    kept as text they reach validation, which names the setting and its line.
    """

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)

    def construct_yaml_int(self, node: ScalarNode) -> Any:
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def parse_yaml(text: str) -> YamlDocument:
    """Parse one YAML document safely (no Python tags). Raises YamlSyntaxError, whose reason
    is one plain sentence and whose line is the one the operator must look at."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        # Raised before parsing starts: control characters PyYAML refuses in any document.
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        reason = (
            f"this line contains an invisible control character (#x{exc.character:04x}, column "
            f"{column}) that a YAML file may not hold; delete it"
        )
        raise YamlSyntaxError(reason, line, column) from None
    try:
        node = loader.get_single_node()
        document = YamlDocument(data=None)
        if node is not None:
            # Walk before constructing: construction flattens `<<` merges in place.
            _walk(node, (), document, _Budget())
            document.data = loader.construct_document(node)
        return document
    except yaml.YAMLError as exc:
        found = explain(exc, text)
        raise YamlSyntaxError(found.message, found.line, found.column) from None
    except RecursionError:  # PyYAML's parser recurses once per level of nesting
        raise YamlSyntaxError(
            f"the settings are nested far deeper than a config ever is (over {MAX_DEPTH} levels)",
            None,
            None,
        ) from None
    finally:
        loader.dispose()


@dataclass
class _Budget:
    """How many values the walk has met, aliases expanded: the bound on a file's size in
    values, whatever its size in bytes."""

    values: int = 0

    def spend(self, node: Node, depth: int) -> None:
        self.values += 1
        line = node.start_mark.line + 1
        if depth > MAX_DEPTH:
            raise YamlSyntaxError(
                f"the settings are nested more than {MAX_DEPTH} levels deep here (a YAML alias "
                "that contains itself?)",
                line,
                None,
            )
        if self.values > MAX_VALUES:
            raise YamlSyntaxError(
                f"the file stands for more than {MAX_VALUES:,} values once its YAML aliases are "
                "expanded; a config holds a few hundred (aliases that repeat each other?)",
                line,
                None,
            )


def _walk(node: Node, loc: Loc, document: YamlDocument, budget: _Budget) -> None:
    budget.spend(node, len(loc))
    document.lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, ScalarNode):
                continue
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                document.duplicates.append(
                    (
                        (*loc, key),
                        f"appears twice in the same section (lines {seen[key]} and {line}); "
                        "YAML would silently keep only the last one",
                    )
                )
                continue
            seen[key] = line
            document.lines[(*loc, key)] = line
            _walk(value_node, (*loc, key), document, budget)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*loc, index), document, budget)
