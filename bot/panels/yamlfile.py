"""YAML read safely, keeping the line of every mapping and key for error messages.

Whatever a file holds costs a bounded amount: aliases may not expand the document beyond
`MAX_VALUES` values (a "billion laughs" file is refused before it is built), a value that
cannot be built (an integer of 5,000 digits, the 45th of a month) is a problem at its line,
and no message quotes more than `shown()` allows of the file's text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import yaml

from ..errors import Problem

MAX_VALUES = 1_000_000  # values in a document once its aliases are expanded
MAX_DEPTH = 100  # lists and mappings inside each other; a panel file needs four
_KINDS = {"timestamp": "date", "int": "whole number", "float": "number", "bool": "boolean"}
_SHOWN = 80  # characters of a value quoted in a message


def shown(value: Any) -> str:
    """`repr(value)`, cut to a length a message can carry (a value may be huge)."""
    text = repr(value) if not isinstance(value, (dict, list)) else f"a {type(value).__name__}"
    return text if len(text) <= _SHOWN else text[:_SHOWN - 1] + "…"


class Mapping(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int
    key_lines: dict[Any, int]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """yaml's safe loader, recording line numbers and duplicate keys instead of losing them."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Any value that cannot be built is a problem at its line, not an internal error."""
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, OverflowError, TypeError) as error:
            kind = node.tag.rsplit(":", 1)[-1]
            reason = _first_line(error).split(";")[0]
            raise yaml.constructor.ConstructorError(
                None, None, f"{shown(node.value)} is not a valid {_KINDS.get(kind, kind)} ({reason})",
                node.start_mark) from None


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Iterator[Mapping]:
    data = Mapping()
    data.line, data.key_lines = node.start_mark.line + 1, {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, (str, int, float, bool, dt.date)) or key is None:
            loader.duplicates.append((line, f"a mapping key must be a plain name, not {shown(key)}"))
            continue
        if key in data:
            loader.duplicates.append((line, f"duplicate key {shown(key)} (first at line {data.key_lines[key]})"))
            continue
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = line


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def parse_yaml(path: str, text: str) -> tuple[Any, list[Problem]]:
    """Parse YAML safely; syntax errors, tags and duplicate keys become problems with lines."""
    for number, source_line in enumerate(text.splitlines(), start=1):
        indent = source_line[: len(source_line) - len(source_line.lstrip(" \t"))]
        if "\t" in indent:
            return None, [Problem(path, number, "tab in indentation; indent with spaces")]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None and (refused := _too_big(node) if "*" in text else _too_deep(node)):
            return None, [Problem(path, *refused)]
        document = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(str(part) for part in (error.context, error.problem) if part)
        if error.problem and "constructor for the tag" in error.problem:
            message = f"tag {error.problem.split('tag ')[-1]} is not allowed; only plain YAML"
        return None, [Problem(path, line, message)]
    except yaml.YAMLError as error:
        return None, [Problem(path, None, f"not valid YAML: {_first_line(error)}")]
    finally:
        loader.dispose()
    return document, [Problem(path, line, message) for line, message in loader.duplicates]


def _too_big(root: yaml.Node) -> tuple[int, str] | None:
    """Why the document is refused before it is built: aliases that expand it beyond
    MAX_VALUES values, nesting deeper than MAX_DEPTH, or a value that contains itself.
    Walked without recursion, each node once."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool, int]] = [(root, False, 0)]
    while stack:
        node, children_done, depth = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done:
            open_nodes.discard(id(node))
            sizes[id(node)] = min(MAX_VALUES + 1, 1 + sum(sizes[id(child)] for child in children))
            if sizes[id(node)] > MAX_VALUES:
                return node.start_mark.line + 1, (f"aliases expand this value to more than {MAX_VALUES:,} "
                                                  "values; write the values out or use fewer aliases")
            continue
        if depth > MAX_DEPTH:
            return node.start_mark.line + 1, f"values are nested more than {MAX_DEPTH} levels deep"
        open_nodes.add(id(node))
        stack.append((node, True, depth))
        for child in children:
            if id(child) in open_nodes:
                return child.start_mark.line + 1, "a value contains itself through an alias"
            stack.append((child, False, depth + 1))
    return None


def _too_deep(root: yaml.Node) -> tuple[int, str] | None:
    """`_too_big` for a document without aliases (no `*` in its text), where every node has
    one parent: only its depth is checked, each node once."""
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node.start_mark.line + 1, f"values are nested more than {MAX_DEPTH} levels deep"
        stack.extend((child, depth + 1) for child in _children(node))
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    line = text[0] if text else type(error).__name__
    return line if len(line) <= 200 else line[:199] + "…"
