"""YAML loading that remembers where every key and value stood in the file.

PyYAML's `safe_load` throws positions away, so an error found after loading could only name the
file. We compose the node graph with the safe loader instead, convert it to plain Python data
ourselves and keep a map from each value's path to its line and column. Converting by hand also
lets us refuse what `safe_load` silently accepts: duplicate keys, alias bombs and absurd nesting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trainer.messages import text
from trainer.problems import Problem

#: Larger files are refused before parsing: no persona or dialogue comes near this.
MAX_FILE_BYTES = 2_000_000
#: Values produced after expanding aliases; guards against "billion laughs" documents.
MAX_VALUES = 200_000
MAX_DEPTH = 60

Path_ = tuple[Any, ...]


@dataclass(frozen=True)
class Pos:
    """A 1-based line and column in a source file."""

    line: int
    col: int


@dataclass
class Located:
    """Plain data loaded from YAML plus the position of every value and mapping key."""

    path: Path
    data: Any
    text: str
    values: dict[Path_, Pos] = field(default_factory=dict)
    keys: dict[Path_, Pos] = field(default_factory=dict)

    def pos(self, where: Path_, *, key: bool = False) -> Pos:
        """Best position for `where`: the key or value itself, else its nearest ancestor."""
        table = self.keys if key else self.values
        probe = tuple(where)
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), Pos(1, 1))

    def line_text(self, line: int) -> str:
        lines = self.text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""


class _TooComplex(Exception):
    def __init__(self, reason: str, mark: yaml.Mark | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.mark = mark


def _mark_pos(mark: yaml.Mark | None) -> Pos:
    return Pos(mark.line + 1, mark.column + 1) if mark is not None else Pos(1, 1)


def load_located(path: Path, display: str | None = None) -> tuple[Located | None, list[Problem]]:
    """Read and parse `path`; on failure return no data and the problems that say why."""
    name = display or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [
            Problem.make(name, 1, 1, "error", "file-unreadable", reason=exc.strerror or exc)
        ]
    if size > MAX_FILE_BYTES:
        return None, [
            Problem.make(name, 1, 1, "error", "file-too-large", size=size, limit=MAX_FILE_BYTES)
        ]
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem.make(name, 1, 1, "error", "file-encoding", reason=exc.reason)]
    except OSError as exc:
        return None, [
            Problem.make(name, 1, 1, "error", "file-unreadable", reason=exc.strerror or exc)
        ]
    return parse_located(text, path, name)


def parse_located(text: str, path: Path, name: str) -> tuple[Located | None, list[Problem]]:
    """Parse YAML source `text`; `name` is how problems refer to the file."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        pos = _mark_pos(exc.problem_mark or exc.context_mark)
        what = exc.problem or exc.context or "syntax"
        return None, [Problem.make(name, pos.line, pos.col, "error", "yaml-syntax", what=what)]
    except yaml.YAMLError as exc:
        return None, [Problem.make(name, 1, 1, "error", "yaml-syntax", what=exc)]
    located = Located(path=path, data=None, text=text)
    if root is None:
        return None, [Problem.make(name, 1, 1, "error", "empty-file")]
    problems: list[Problem] = []
    converter = _Converter(located, problems, name)
    try:
        located.data = converter.convert(root, (), 0)
    except _TooComplex as exc:
        pos = _mark_pos(exc.mark)
        return None, [
            Problem.make(name, pos.line, pos.col, "error", "too-complex", reason=exc.reason)
        ]
    return located, problems


class _Converter:
    """Turns composed YAML nodes into dicts, lists and scalars, recording positions."""

    def __init__(self, located: Located, problems: list[Problem], name: str) -> None:
        self.located = located
        self.problems = problems
        self.name = name
        self.count = 0
        self.constructor = yaml.SafeLoader("")

    def convert(self, node: yaml.Node, where: Path_, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _TooComplex(text("reason.too_many_values", limit=MAX_VALUES), node.start_mark)
        if depth > MAX_DEPTH:
            raise _TooComplex(text("reason.too_deep", limit=MAX_DEPTH), node.start_mark)
        self.located.values[where] = _mark_pos(node.start_mark)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    pos = _mark_pos(key_node.start_mark)
                    self.problems.append(
                        Problem.make(self.name, pos.line, pos.col, "error", "bad-key")
                    )
                    continue
                key = self.constructor.construct_object(key_node)
                if not isinstance(key, str | int | float | bool) or key is None:
                    key = str(key)
                key_pos = _mark_pos(key_node.start_mark)
                if key in result:
                    first = self.located.keys[(*where, key)]
                    self.problems.append(
                        Problem.make(
                            self.name,
                            key_pos.line,
                            key_pos.col,
                            "error",
                            "duplicate-key",
                            key=key,
                            first=first.line,
                        )
                    )
                    continue
                self.located.keys[(*where, key)] = key_pos
                result[key] = self.convert(value_node, (*where, key), depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [
                self.convert(item, (*where, index), depth + 1)
                for index, item in enumerate(node.value)
            ]
        try:
            return self.constructor.construct_object(node)
        except yaml.YAMLError as exc:
            pos = _mark_pos(node.start_mark)
            self.problems.append(
                Problem.make(self.name, pos.line, pos.col, "error", "yaml-syntax", what=exc)
            )
            return None
