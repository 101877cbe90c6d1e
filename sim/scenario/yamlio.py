"""Safe YAML with line numbers: plain data plus where each key was written.

Only plain YAML is read: any `!!python/...` or other unknown tag is an error, so
loading a file never runs code. Duplicate keys in a mapping are errors too, since
the second silently winning is how typos hide.

Reading is bounded whatever the file (SPEC "Limits and large inputs"): its size, its
nesting depth and the number of values it expands to through aliases are counted while
the document is composed, so an alias bomb or `[` x 100000 stops at once with a
file:line message; recursive aliases, impossible dates, integers of thousands of
digits, NaN and infinity, and control characters are refused where they are written.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.core.errors import InputError, Problem

KeyPath = tuple[Any, ...]
LineMap = dict[KeyPath, int]
_MERGE = "tag:yaml.org,2002:merge"

MAX_FILE_BYTES = 1 << 20  # a scenario is a few kB; a MiB scans in well under a second
MAX_VALUES = 10_000  # values in a chain of files, aliases counted at each use (shipped: <= 450)
MAX_DEPTH = 32  # nesting of mappings and lists, through aliases too (scenarios use ~7)
MAX_NUMBER_CHARS = 100  # digits of a number as written (Python refuses ints of 4,300)
MAX_INT = 2**63 - 1  # what SQLite, numpy and JSON readers all hold exactly


@dataclass
class Budget:
    """What a chain of files (a scenario and its `extends` parents) may still use."""

    bytes: int = MAX_FILE_BYTES
    values: int = MAX_VALUES


class _Refused(yaml.MarkedYAMLError):
    """A document that is well-formed YAML but refused: the message is ours, whole."""


def _refuse(message: str, mark: Any) -> _Refused:
    return _Refused(None, None, message, mark)


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects unknown tags, duplicate keys and unbounded documents."""

    def __init__(self, stream: str, budget: Budget | None = None):
        super().__init__(stream)
        self.budget = budget if budget is not None else Budget()
        self._depth = 0
        self._open: set[str] = set()  # anchors whose node is being composed
        self._sizes: dict[str, tuple[int, int]] = {}  # anchor -> (values, height)
        self._count = 0  # values composed so far, aliases counted at their size
        self._height = 0  # deepest level reached so far under the current node

    # -- composing, bounded ------------------------------------------------------
    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            anchor = event.anchor
            if anchor in self._open:
                raise _refuse(f"alias *{_short(anchor)} refers to a value that contains it "
                              "(a recursive alias)", event.start_mark)
            values, height = self._sizes.get(anchor or "", (1, 0))
            self._take(values, event.start_mark)
            self._reach(self._depth + 1 + height, event.start_mark)
            return super().compose_node(parent, index)
        before, outer = self._count, self._height
        self._depth += 1
        self._reach(self._depth, event.start_mark)
        self._take(1, event.start_mark)
        anchor = event.anchor
        self._height = self._depth
        if anchor is not None:
            self._open.add(anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open.discard(anchor)
        if anchor is not None:
            self._sizes[anchor] = (self._count - before, self._height - self._depth - 1)
        self._height = max(outer, self._height)
        return node

    def _take(self, values: int, mark: Any) -> None:
        self._count += values
        self.budget.values -= values
        if self.budget.values < 0:
            raise _refuse(f"more than {MAX_VALUES:,} values, counting each use of an alias "
                          "(with the files it extends); scenario files hold a few hundred", mark)

    def _reach(self, depth: int, mark: Any) -> None:
        self._height = max(self._height, depth)
        if depth > MAX_DEPTH:
            raise _refuse(f"nested more than {MAX_DEPTH} levels deep (through aliases too)", mark)

    # -- constructing, strictly ----------------------------------------------------
    def construct_undefined(self, node: Node) -> Any:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise yaml.constructor.ConstructorError(
            None, None, f"tag '{_short(tag)}' is not allowed (plain YAML only)", node.start_mark)

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
                        None, None, f"duplicate key {_quoted(key)} in a mapping", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_str(self, node: ScalarNode) -> str:
        text = super().construct_yaml_str(node)
        bad = next((c for c in text if _control(c)), None)
        if bad is not None:
            raise _refuse(f"character {_codepoint(bad)} is not allowed in text", node.start_mark)
        return text

    def construct_yaml_int(self, node: ScalarNode) -> int:
        _number_length(node)
        value = super().construct_yaml_int(node)
        if abs(value) > MAX_INT:
            raise _refuse(f"a whole number beyond ±{MAX_INT:,} (64 bits): "
                          f"{_short(node.value)}", node.start_mark)
        return value

    def construct_yaml_float(self, node: ScalarNode) -> float:
        _number_length(node)
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise _refuse(f"expected a finite number, found {_short(node.value)} "
                          "(NaN and infinity are not allowed)", node.start_mark)
        return value

    def construct_yaml_timestamp(self, node: ScalarNode) -> dt.date:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as err:
            raise _refuse(f"impossible date or time {_short(node.value)} ({err})",
                          node.start_mark) from None


for _tag, _method in (("str", StrictLoader.construct_yaml_str),
                      ("int", StrictLoader.construct_yaml_int),
                      ("float", StrictLoader.construct_yaml_float),
                      ("timestamp", StrictLoader.construct_yaml_timestamp)):
    StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _method)
for _tag in ("binary", "omap", "pairs", "set"):  # no scenario value has these shapes
    StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", StrictLoader.construct_undefined)
StrictLoader.add_constructor(None, StrictLoader.construct_undefined)


def _control(c: str) -> bool:
    """Control characters other than tab and line breaks, and lone surrogates (which no
    file can encode)."""
    return c not in "\t\n\r" and unicodedata.category(c) in ("Cc", "Cs")


def _codepoint(c: str) -> str:
    name = {"\x00": " (NUL)", "\x1b": " (ESC)", "\x7f": " (DEL)"}.get(c, "")
    return f"U+{ord(c):04X}{name}"


def _number_length(node: ScalarNode) -> None:
    if len(node.value) > MAX_NUMBER_CHARS:
        raise _refuse(f"a number written with {len(node.value):,} characters (at most "
                      f"{MAX_NUMBER_CHARS})", node.start_mark)


def excerpt(value: Any, limit: int = 40) -> str:
    """At most `limit` characters of `value`, with unprintable characters (controls, bidi
    overrides) escaped: safe to quote in a message, never a whole line of a file."""
    text = str(value)
    escaped = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:limit])
    return escaped + ("..." if len(text) > limit else "")


def _short(value: Any) -> str:
    return excerpt(value, 40)


def _quoted(value: Any) -> str:
    return f"'{excerpt(value)}'"


# -- reading -------------------------------------------------------------------------

def parse_yaml(text: str, file: str = "<string>", budget: Budget | None = None
               ) -> tuple[Any, LineMap]:
    """Data and a map from key path (keys and list indices) to its 1-based line."""
    budget = budget if budget is not None else Budget()
    budget.bytes -= len(text)
    if budget.bytes < 0:
        raise InputError([Problem(file, None, "", f"larger than {MAX_FILE_BYTES >> 10} kB "
                                  "(with the files it extends); scenario files are a few kB")])
    loader = None
    node = None
    try:
        loader = StrictLoader(text, budget)  # its reader checks every character first
        node = loader.get_single_node()
        if node is None:
            return None, {}
        data = loader.construct_document(node)
        lines: LineMap = {}
        _record(loader, node, (), lines, set())
        return data, lines
    except yaml.reader.ReaderError as err:
        raise InputError([_unreadable(err, text, file)]) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = _path_to(node, mark.index) if node is not None and mark is not None else None
        raise InputError([_problem(err, file, ".".join(at or ()))]) from None
    except RecursionError:  # pragma: no cover - depth is bounded above; a last guard
        raise InputError([Problem(file, None, "", "nested too deeply to read")]) from None
    finally:
        if loader is not None:
            loader.dispose()


def read_bytes(path: str | Path, file: str | None = None, budget: Budget | None = None) -> bytes:
    """The bytes of a regular file (not a device, pipe or directory), read no further
    than the budget allows."""
    file = str(path) if file is None else file
    limit = max(budget.bytes if budget is not None else MAX_FILE_BYTES, 0)
    try:
        with open(path, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise InputError([Problem(file, None, "", "not a regular file")])
            raw = fh.read(limit + 1)
    except (OSError, ValueError) as err:  # ValueError: a NUL byte in the name
        reason = os_reason(err) if isinstance(err, OSError) else "not a valid file name"
        raise InputError([Problem(file, None, "", f"cannot read file: {reason}")]) from None
    if len(raw) > limit:
        raise InputError([Problem(file, None, "", f"larger than {MAX_FILE_BYTES >> 10} kB "
                                  "(with the files it extends); scenario files are a few kB")])
    return raw


def read_text(path: str | Path, file: str | None = None, budget: Budget | None = None) -> str:
    """The UTF-8 text of a regular file, read no further than the budget allows."""
    file = str(path) if file is None else file
    raw = read_bytes(path, file, budget)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise InputError([Problem(file, line, "", f"not UTF-8 text (byte 0x{raw[err.start]:02x})")]) from None


def os_reason(err: OSError) -> str:
    """Why an OS call failed, without echoing the path back (callers name it)."""
    return err.strerror or type(err).__name__


def load_yaml(path: str | Path, budget: Budget | None = None) -> tuple[Any, LineMap]:
    file = str(path)
    budget = budget if budget is not None else Budget()
    text = read_text(path, file, budget)
    return parse_yaml(text, file, budget)


def parse_value(text: str) -> Any:
    """A value written on the command line (`--set path=VALUE`), read as YAML."""
    data, _ = parse_yaml(text, "<value>")
    return data


def _record(loader: StrictLoader, node: Node, at: KeyPath, lines: LineMap, seen: set[int]) -> None:
    """Lines of every key path, each node walked once: a value reached again through an
    alias keeps only the line of the key that refers to it."""
    lines.setdefault(at, node.start_mark.line + 1)
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            try:
                key = loader.construct_object(key_node, deep=True)
                hash(key)
            except (yaml.YAMLError, TypeError):
                continue
            lines[(*at, key)] = key_node.start_mark.line + 1
            _record(loader, value_node, (*at, key), lines, seen)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            lines.setdefault((*at, i), item.start_mark.line + 1)
            _record(loader, item, (*at, i), lines, seen)


def _unreadable(err: yaml.reader.ReaderError, text: str, file: str) -> Problem:
    line = text.count("\n", 0, max(err.position, 0)) + 1
    char = err.character
    what = _codepoint(chr(char)) if isinstance(char, int) else "a character"
    return Problem(file, line, "", f"character {what} is not allowed in a scenario file")


def _path_to(root: Node, index: int) -> list[str] | None:
    """The key path of the node written at character `index` (a value refused while
    constructing), keys as written; each node searched once."""
    stack: list[tuple[Node, list[str]]] = [(root, [])]
    seen: set[int] = set()
    while stack:
        node, at = stack.pop()
        if node.start_mark.index == index and at:
            return at
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                key = excerpt(key_node.value) if isinstance(key_node, ScalarNode) else "?"
                if key_node.start_mark.index == index:
                    return [*at, key]
                stack.append((value_node, [*at, key]))
        elif isinstance(node, SequenceNode):
            stack.extend((item, [*at, str(i)]) for i, item in enumerate(node.value))
    return None


def _problem(err: yaml.YAMLError, file: str, path: str = "") -> Problem:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(err, "problem", None) or type(err).__name__
    context = getattr(err, "context", None)
    problem = excerpt(problem, 160)  # PyYAML quotes anchors and characters whole
    if isinstance(err, (yaml.constructor.ConstructorError, _Refused)):
        return Problem(file, line, path, problem)
    what = f"{excerpt(context, 80)}, {problem}" if context else problem
    return Problem(file, line, "", f"YAML syntax error: {what}")
