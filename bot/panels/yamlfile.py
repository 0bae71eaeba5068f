"""YAML read safely, keeping the line of every mapping and key for error messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import yaml

from ..errors import Problem


class Mapping(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int
    key_lines: dict[Any, int]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """yaml's safe loader, recording line numbers and duplicate keys instead of losing them."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Iterator[Mapping]:
    data = Mapping()
    data.line, data.key_lines = node.start_mark.line + 1, {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, (str, int, float, bool, dt.date)) or key is None:
            loader.duplicates.append((line, f"a mapping key must be a plain name, not {key!r}"))
            continue
        if key in data:
            loader.duplicates.append((line, f"duplicate key {key!r} (first at line {data.key_lines[key]})"))
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
        document = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(str(part) for part in (error.context, error.problem) if part)
        if error.problem and "constructor for the tag" in error.problem:
            message = f"tag {error.problem.split('tag ')[-1]} is not allowed; only plain YAML"
        return None, [Problem(path, line, message)]
    except yaml.YAMLError as error:
        return None, [Problem(path, None, f"not valid YAML: {error}")]
    finally:
        loader.dispose()
    return document, [Problem(path, line, message) for line, message in loader.duplicates]


