"""Safe YAML with line numbers: plain data plus where each key was written.

Only plain YAML is read: any `!!python/...` or other unknown tag is an error, so
loading a file never runs code. Duplicate keys in a mapping are errors too, since
the second silently winning is how typos hide.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from sim.errors import InputError, Problem

KeyPath = tuple[Any, ...]
LineMap = dict[KeyPath, int]
_MERGE = "tag:yaml.org,2002:merge"


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects unknown tags and duplicate keys."""

    def construct_undefined(self, node: Node) -> Any:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise yaml.constructor.ConstructorError(None, None, f"tag '{tag}' is not allowed (plain YAML only)",
                         node.start_mark)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == _MERGE:
                    continue
                key = self.construct_object(key_node, deep=deep)
                try:
                    dup = key in seen
                    seen.add(key)
                except TypeError:
                    continue  # unhashable key: the base class reports it
                if dup:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key '{key}' in a mapping", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


StrictLoader.add_constructor(None, StrictLoader.construct_undefined)


def parse_yaml(text: str, file: str = "<string>") -> tuple[Any, LineMap]:
    """Data and a map from key path (keys and list indices) to its 1-based line."""
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        data = loader.construct_document(node)
        lines: LineMap = {}
        _record(loader, node, (), lines)
        return data, lines
    except yaml.YAMLError as err:
        raise InputError([_problem(err, file)]) from None
    finally:
        loader.dispose()


def load_yaml(path: str | Path) -> tuple[Any, LineMap]:
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError([Problem(file, None, "", f"cannot read file: {err}")]) from None
    return parse_yaml(text, file)


def parse_value(text: str) -> Any:
    """A value written on the command line (`--set path=VALUE`), read as YAML."""
    data, _ = parse_yaml(text, "<value>")
    return data


def _record(loader: StrictLoader, node: Node, at: KeyPath, lines: LineMap) -> None:
    lines.setdefault(at, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            try:
                key = loader.construct_object(key_node, deep=True)
                hash(key)
            except (yaml.YAMLError, TypeError):
                continue
            lines[(*at, key)] = key_node.start_mark.line + 1
            _record(loader, value_node, (*at, key), lines)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*at, i)] = item.start_mark.line + 1
            _record(loader, item, (*at, i), lines)


def _problem(err: yaml.YAMLError, file: str) -> Problem:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None)
    if isinstance(err, yaml.constructor.ConstructorError):
        return Problem(file, line, "", problem)
    what = f"{context}, {problem}" if context else problem
    return Problem(file, line, "", f"YAML syntax error: {what}")
