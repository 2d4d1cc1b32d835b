"""YAML loading that remembers where every key and value stood in the file.

PyYAML's `safe_load` throws positions away, so an error found after loading could only name the
file. We compose the node graph with the safe loader instead, convert it to plain Python data
ourselves and keep a map from each value's path to its line and column. Converting by hand also
lets us refuse what `safe_load` silently accepts: duplicate keys, alias bombs and absurd nesting.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trainer.content.diagnostics import Problem
from trainer.content.yaml_reasons import dutch_reason, is_too_deep
from trainer.messages import text

#: Larger files are refused before parsing (the largest shipped file is under 50 kB): the file
#: is read in one bounded read, so even an endless special file never gets read whole.
MAX_FILE_BYTES = 2_000_000
#: Nodes composed (keys, values, aliases) and values produced after expanding aliases: a
#: "billion laughs" document is refused from the size of its node graph, in time linear in the
#: file and before any value is built. No real content comes near (a 47 kB dialogue has ~1,100).
MAX_VALUES = 100_000
#: Nesting of blocks and lists, checked while scanning so that `[[[[...` is refused at level
#: 61 instead of overflowing the stack; real content nests about 8 levels deep.
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
    _lines: list[str] | None = field(default=None, repr=False, compare=False)

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
        if self._lines is None:  # split once: checks ask for many lines of a large file
            self._lines = self.text.splitlines()
        lines = self._lines
        return lines[line - 1] if 0 < line <= len(lines) else ""


class _TooComplex(Exception):
    def __init__(self, reason: str, mark: yaml.Mark | None, *, values: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.mark = mark
        self.values = values  # too many values (else: too deep)


def _too_deep(mark: yaml.Mark | None) -> _TooComplex:
    return _TooComplex(text("reason.too_deep", limit=MAX_DEPTH), mark)


def _too_many(mark: yaml.Mark | None) -> _TooComplex:
    return _TooComplex(text("reason.too_many_values", limit=MAX_VALUES), mark, values=True)


class _Loader(yaml.SafeLoader):
    """The safe loader with limits checked as it goes, so that absurd input stops early.

    PyYAML's scanner gets slower with every open flow level and its composer recurses once per
    level, so 10,000 levels of `[` would take seconds and then overflow the stack; here nesting
    is refused at MAX_DEPTH while scanning, and the composer stops after MAX_VALUES nodes. A
    refused nesting is reported where it starts (the outermost bracket or block of the run), so
    the author is sent to the place to flatten, not to level 61 somewhere to its right.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0
        self._flow_start: yaml.Mark | None = None
        self._block_start: yaml.Mark | None = None

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        if self.flow_level == 0:
            self._flow_start = self.get_mark()
        if self.flow_level >= MAX_DEPTH:
            raise _too_deep(self._flow_start)
        super().fetch_flow_collection_start(TokenClass)

    def add_indent(self, column: int) -> bool:
        if not self.indents:  # the outermost block: where the column starts, on this line
            here = self.get_mark()
            # No buffer, so no snippet: the pointer (0) is never read.
            self._block_start = yaml.Mark(here.name, here.index, here.line, column, None, 0)
        added = super().add_indent(column)
        if len(self.indents) > MAX_DEPTH:
            raise _too_deep(self._block_start)
        return added

    def compose_node(self, parent: Any, index: Any) -> Any:
        return _compose_guarded(self, parent, index)


def _compose_guarded(loader: Any, parent: Any, index: Any) -> Any:
    """PyYAML's compose_node, refusing more than MAX_VALUES nodes or MAX_DEPTH levels."""
    loader._nodes += 1
    if loader._nodes > MAX_VALUES:
        raise _too_many(loader.peek_event().start_mark)
    if loader._depth > MAX_DEPTH:
        raise _too_deep(loader.peek_event().start_mark)
    loader._depth += 1
    try:
        return yaml.composer.Composer.compose_node(loader, parent, index)
    finally:
        loader._depth -= 1


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _FastLoader(yaml.composer.Composer, CParser, yaml.resolver.Resolver):
        """libyaml's scanner and parser (C, about 8x faster) under the same Python composer
        and limits as _Loader. libyaml parses nesting with a stack, not recursion, so deep
        input reaches the composer's depth check as events, cheaply."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._depth = 0
            self._nodes = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            return _compose_guarded(self, parent, index)

        # Composer's own; CParser's C version would compose in C, past the limits.
        get_single_node = yaml.composer.Composer.get_single_node
        compose_document = yaml.composer.Composer.compose_document

    LOADER: type = _FastLoader
else:  # pragma: no cover - PyYAML built without libyaml
    LOADER = _Loader


#: A value from the file is shown in a message on one line and at most this long.
SHOWN_CHARS = 60
#: Message parameters that quote the file (the others come from the catalogue or the format,
#: or are paths, which are shown whole: `other` is where a duplicate id was first seen).
QUOTED = frozenset(
    {"field", "value", "key", "id", "target", "node", "need", "persona", "service", "skill",
     "condition", "name", "what", "dialogue", "start", "flag"}
)  # fmt: skip


def shown(value: object, limit: int | None = SHOWN_CHARS) -> object:
    """`value` as a message shows it: a text on one line (a key may hold a line break), cut
    short past `limit` characters (a value may be a megabyte long)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return value
    if not isinstance(value, str):
        if limit is None or len(repr(value)) <= limit:
            return value
        value = repr(value)
    flat = value
    if not flat.isprintable():  # line breaks, tabs, control characters
        flat = " ".join(flat.split()) or repr(flat)[1:-1]
        flat = "".join(c if c.isprintable() else repr(c)[1:-1] for c in flat)
    return flat if limit is None or len(flat) <= limit else flat[: limit - 3] + "..."


def message_params(params: dict[str, object]) -> dict[str, object]:
    """Parameters for a problem's message: every text on one line, quoted ones short."""
    return {k: shown(v, SHOWN_CHARS if k in QUOTED else None) for k, v in params.items()}


def _mark_pos(mark: yaml.Mark | None) -> Pos:
    return Pos(mark.line + 1, mark.column + 1) if mark is not None else Pos(1, 1)


def _one_line(value: object) -> str:
    """A message part on one line (PyYAML's texts may span several)."""
    return " ".join(str(value).split())


def _os_reason(exc: OSError) -> str:
    reasons = {
        errno.ENOENT: "reason.not_found",
        errno.EACCES: "reason.no_permission",
        errno.EPERM: "reason.no_permission",
        errno.EISDIR: "reason.is_directory",
        errno.ELOOP: "reason.link_loop",
    }
    key = reasons.get(exc.errno or 0)
    return text(key) if key else _one_line(exc.strerror or exc)


def _read(path: Path, name: str) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes in one bounded read, or the problem that says why not.

    Opened without blocking (a named pipe would otherwise wait for a writer) and refused unless
    it is a regular file, so a link to /dev/zero or a pipe never hangs the loader.
    """

    def unreadable(reason: str) -> tuple[None, list[Problem]]:
        return None, [Problem.make(name, 1, 1, "file-unreadable", reason=reason)]

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        return unreadable(_os_reason(exc))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            return unreadable(text("reason.is_directory"))
        if not stat.S_ISREG(info.st_mode):
            return unreadable(text("reason.not_regular"))
        if info.st_size > MAX_FILE_BYTES:
            return None, [_too_large(name, info.st_size)]
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        return unreadable(_os_reason(exc))
    finally:
        os.close(fd)
    if size > MAX_FILE_BYTES:  # it grew after the size was looked at
        return None, [_too_large(name, size)]
    return b"".join(chunks), []


def _too_large(name: str, size: int) -> Problem:
    return Problem.make(
        name, 1, 1, "file-too-large", size=_megabytes(size),
        limit=_megabytes(MAX_FILE_BYTES),
    )  # fmt: skip


def _megabytes(size: int) -> str:
    """'52,4 MB' (Dutch) or '52.4 MB': one decimal, or none for whole numbers."""
    figure = f"{size / 1_000_000:.1f}".removesuffix(".0")
    return figure.replace(".", text("decimal_point")) + " MB"


def _decode(raw: bytes, name: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 text with universal newlines (as `Path.read_text` gives), or where it is not."""
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            reason, line, col = text("reason.utf16"), 1, 1
        else:
            line = raw.count(b"\n", 0, exc.start) + 1
            start = raw.rfind(b"\n", 0, exc.start) + 1
            col = len(raw[start : exc.start].decode("utf-8", "replace")) + 1
            reason = text("reason.bad_byte", byte=f"0x{raw[exc.start]:02x}")
        return None, [Problem.make(name, line, col, "file-encoding", reason=reason)]
    return source.replace("\r\n", "\n").replace("\r", "\n"), []


def load_located(path: Path, display: str | None = None) -> tuple[Located | None, list[Problem]]:
    """Read and parse `path`; on failure return no data and the problems that say why."""
    name = display or str(path)
    raw, problems = _read(path, name)
    if raw is None:
        return None, problems
    source, problems = _decode(raw, name)
    if source is None:
        return None, problems
    return parse_located(source, path, name)


def _position(source: str, index: int) -> Pos:
    line = source.count("\n", 0, index) + 1
    return Pos(line, index - (source.rfind("\n", 0, index) + 1) + 1)


def parse_located(source: str, path: Path, name: str) -> tuple[Located | None, list[Problem]]:
    """Parse YAML `source`; `name` is how problems refer to the file."""
    try:
        try:
            root = _compose(LOADER, source)
        except (yaml.YAMLError, _TooComplex) as fast_error:
            if LOADER is _Loader or getattr(fast_error, "values", False):
                raise
            # libyaml has limits and wordings of its own (it stops at 1,000 levels, with an
            # English reason): the Python parser, with our limits, says what is wrong and
            # where, the same with and without libyaml. It runs only on a file that failed.
            _compose(_Loader, source)
            raise  # the Python parser accepted it: libyaml's refusal stands
    except _TooComplex as exc:
        pos = _mark_pos(exc.mark)
        return None, [Problem.make(name, pos.line, pos.col, "too-complex", reason=exc.reason)]
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, such as NUL
        pos = _position(source, exc.position) if isinstance(exc.position, int) else Pos(1, 1)
        what = text("reason.bad_char", char=f"U+{exc.character:04X}")
        return None, [Problem.make(name, pos.line, pos.col, "yaml-syntax", what=what)]
    except yaml.MarkedYAMLError as exc:
        pos = _mark_pos(exc.problem_mark or exc.context_mark)
        if is_too_deep(exc.problem):
            reason = text("reason.too_deep", limit=MAX_DEPTH)
            return None, [Problem.make(name, pos.line, pos.col, "too-complex", reason=reason)]
        what = dutch_reason(exc.problem or exc.context)
        return None, [Problem.make(name, pos.line, pos.col, "yaml-syntax", what=what)]
    except yaml.YAMLError as exc:
        what = dutch_reason(exc)
        return None, [Problem.make(name, 1, 1, "yaml-syntax", what=what)]
    located = Located(path=path, data=None, text=source)
    if root is None:
        return None, [Problem.make(name, 1, 1, "empty-file")]
    problems: list[Problem] = []
    converter = _Converter(located, problems, name)
    try:
        _check_expansion(root)
        located.data = converter.convert(root, (), 0)
    except _TooComplex as exc:
        pos = _mark_pos(exc.mark)
        return None, [Problem.make(name, pos.line, pos.col, "too-complex", reason=exc.reason)]
    return located, problems


def _compose(loader_class: type, source: str) -> yaml.Node | None:
    loader = loader_class(source)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a node graph that aliases would expand past MAX_VALUES values, or that contains
    itself, or whose expansion nests deeper than MAX_DEPTH. Each node is sized once (aliases
    share nodes), so a billion-laughs document costs time and memory in proportion to its
    text, never to its expansion."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active or depth > MAX_DEPTH:  # an alias inside its own anchor: endless
            raise _too_deep(node.start_mark)
        active.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            children = [value for _, value in node.value]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            children = []
        for child in children:
            total += size(child, depth + 1)
            if total > MAX_VALUES:
                raise _too_many(child.start_mark)
        active.discard(key)
        sizes[key] = total
        return total

    size(root, 0)


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
            raise _too_many(node.start_mark)
        if depth > MAX_DEPTH:
            raise _too_deep(node.start_mark)
        self.located.values[where] = _mark_pos(node.start_mark)
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
            # `!!python/object:...` and friends: never constructed, but not silently taken
            self.failed(node, text("reason.unknown_tag", tag=_one_line(node.tag)))
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key_pos = _mark_pos(key_node.start_mark)
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(
                        Problem.make(self.name, key_pos.line, key_pos.col, "bad-key")
                    )
                    continue
                key = self.scalar(key_node)
                if key is _FAILED:
                    continue
                if not isinstance(key, str | int | float | bool) or key is None:
                    key = str(key)
                if key in result:
                    first = self.located.keys[(*where, key)]
                    self.problems.append(
                        Problem.make(
                            self.name,
                            key_pos.line,
                            key_pos.col,
                            "duplicate-key",
                            key=shown(key),
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
        value = self.scalar(node)
        return None if value is _FAILED else value

    def scalar(self, node: yaml.Node) -> Any:
        """The Python value of a scalar, or _FAILED after reporting why it has none: an unknown
        or unsafe tag, `<<` (merge keys), a date that does not exist, an integer too long to
        convert."""
        if node.tag == "tag:yaml.org,2002:merge":
            return self.failed(node, text("reason.merge_key"))
        try:
            return self.constructor.construct_object(node)
        except yaml.YAMLError as exc:
            return self.failed(node, dutch_reason(getattr(exc, "problem", None) or exc))
        except (ValueError, OverflowError):
            value = _one_line(node.value)
            value = value if len(value) <= 40 else value[:37] + "..."
            return self.failed(node, text("reason.bad_scalar", value=value))

    def failed(self, node: yaml.Node, what: str) -> object:
        pos = _mark_pos(node.start_mark)
        self.problems.append(
            Problem.make(self.name, pos.line, pos.col, "yaml-syntax", what=shown(what, None))
        )
        return _FAILED


_FAILED = object()
_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
