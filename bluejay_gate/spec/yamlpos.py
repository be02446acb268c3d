"""YAML with line numbers: ``yaml.safe_load`` semantics, plus the line of every value.

The node tree is composed with ``yaml.SafeLoader`` (no Python tags, no arbitrary objects)
and turned into plain Python values (dict, list, str, int, float, bool, None) while the
line of each value is recorded by its path, e.g. ``("thresholds", "Empathy", 1)``. For a
mapping entry the line is the line of its key; for a list item, the item's own line.

Differences from ``safe_load``, on purpose:

- a key given twice in one mapping is an error (``safe_load`` keeps the last one);
- mapping keys are kept as written (``yes:`` stays ``"yes"``, ``1:`` stays ``"1"``):
  metric names are matched exactly;
- timestamps and binary scalars stay the text as written, so every value is plain JSON;
- recursive aliases, alias bombs and absurd nesting are errors, not hangs or crashes.

Errors are ``YamlError(message, line)``; the spec loader adds the file name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path = tuple[str | int, ...]

MAX_NODES = 100_000  # values built after alias expansion; a spec is a few hundred
MAX_DEPTH = 60  # nesting levels; a spec needs about six

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_PLAIN_SCALAR_TAGS = frozenset(
    {
        "tag:yaml.org,2002:str",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
    }
)
_TEXT_SCALAR_TAGS = frozenset({"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"})


class YamlError(Exception):
    """The text is not a YAML document we accept. ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(slots=True)
class Located:
    """A YAML document as plain values, with the line of each path."""

    value: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """Line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1


def load_located(text: str) -> Located | None:
    """Parse one YAML document. ``None`` for an empty document (only comments/blank)."""
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        builder = _Builder(loader)
        value = builder.build(node, (), 0)
        return Located(value, builder.lines)
    except yaml.MarkedYAMLError as exc:
        raise YamlError(_yaml_message(exc, text), _mark_line(exc)) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise YamlError(
            f"character {_codepoint(exc.character)} is not allowed in YAML: remove it", line
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(" ".join(str(exc).split()), None) from None
    except RecursionError:
        raise YamlError(
            f"the document is nested too deeply (more than {MAX_DEPTH} levels)", None
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


def _mark_line(exc: yaml.MarkedYAMLError) -> int | None:
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark is not None else None


INDENT_HINT = "(use spaces, not tabs)"
_INDENT_PROBLEMS = (
    "expected <block end>",
    "did not find expected key",
    "could not find expected ':'",
    "mapping values are not allowed here",
    "block sequence entries are not allowed",
)


def _indentation_message(exc: yaml.MarkedYAMLError, text: str) -> str | None:
    """Our words for the parser's indentation and tab errors, or ``None``."""
    problem = exc.problem or ""
    mark = exc.problem_mark
    lines = text.splitlines()
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    leading = line[: len(line) - len(line.lstrip(" \t"))]
    if "'\\t'" in problem or "\t" in leading:
        return f"indentation: a tab indents this line {INDENT_HINT}"
    if not any(p in problem for p in _INDENT_PROBLEMS):
        return None
    if "mapping values are not allowed here" in problem:
        return (
            "indentation: this line does not line up with the keys above it, or a value "
            f"holds ': ' unquoted {INDENT_HINT}; quote a value that contains ': '"
        )
    return f"indentation: this line does not line up with the lines above it {INDENT_HINT}"


def _yaml_message(exc: yaml.MarkedYAMLError, text: str = "") -> str:
    if (indentation := _indentation_message(exc, text)) is not None:
        return indentation
    context = exc.context
    marks = exc.context_mark, exc.problem_mark
    if context and marks[0] and marks[1] and marks[0].line != marks[1].line:
        context += f" (started at line {marks[0].line + 1})"
    parts = [p for p in (context, exc.problem) if p]
    text = "; ".join(" ".join(p.split()) for p in parts) or "cannot parse"
    return f"invalid YAML: {text}"


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


class _Builder:
    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.lines: dict[Path, int] = {}
        self.count = 0
        self.flattened: set[int] = set()
        self.active: set[int] = set()

    def build(self, node: Node, path: Path, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlError(
                f"the document expands to more than {MAX_NODES} values (alias bomb?)", _line(node)
            )
        if depth > MAX_DEPTH:
            raise YamlError(
                f"the document is nested too deeply (more than {MAX_DEPTH} levels)", _line(node)
            )
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        if id(node) in self.active:
            raise YamlError("an alias refers to the mapping or list that contains it", _line(node))
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if node.tag != _SEQ_TAG:
                    raise YamlError(f"unsupported YAML tag {_tag(node)}: remove it", _line(node))
                items = []
                for index, child in enumerate(node.value):
                    self.lines[(*path, index)] = _line(child)
                    items.append(self.build(child, (*path, index), depth + 1))
                return items
            if isinstance(node, MappingNode):
                return self._mapping(node, path, depth)
            raise YamlError("unsupported YAML node", _line(node))  # pragma: no cover
        finally:
            self.active.discard(id(node))

    def _scalar(self, node: ScalarNode) -> Any:
        if node.tag in _TEXT_SCALAR_TAGS:
            return str(node.value)
        if node.tag not in _PLAIN_SCALAR_TAGS:
            raise YamlError(f"unsupported YAML tag {_tag(node)}: remove it", _line(node))
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: MappingNode, path: Path, depth: int) -> dict[str, Any]:
        if node.tag != _MAP_TAG:
            raise YamlError(f"unsupported YAML tag {_tag(node)}: remove it", _line(node))
        if id(node) not in self.flattened:
            self._check_duplicates(node)
            # Resolves ``<<: *anchor`` merge keys in place; explicit keys come last and win.
            self.loader.flatten_mapping(node)
            self.flattened.add(id(node))
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _key_text(key_node)
            self.lines[(*path, key)] = _line(key_node)
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def _check_duplicates(self, node: MappingNode) -> None:
        seen: dict[str, int] = {}
        for key_node, _ in _own_entries(node):
            key = _key_text(key_node)
            if key in seen:
                raise YamlError(
                    f"duplicate key {_show(key)} (first at line {seen[key]}): keep one of them",
                    _line(key_node),
                )
            seen[key] = _line(key_node)


def _own_entries(node: MappingNode) -> Iterator[tuple[Node, Node]]:
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE_TAG:
            yield key_node, value_node


def _key_text(node: Node) -> str:
    if not isinstance(node, ScalarNode):
        raise YamlError("a mapping key must be plain text, not a list or mapping", _line(node))
    return str(node.value)


def _show(key: str) -> str:
    """A key for a one-line message: backticked, escaped when it holds odd characters."""
    if key.isprintable() and "`" not in key and key.strip() == key and key:
        return f"`{key}`"
    return repr(key)


def _tag(node: Node) -> str:
    return str(node.tag).replace("tag:yaml.org,2002:", "!!")


def _codepoint(character: object) -> str:
    code = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
    return f"U+{code:04X}"
