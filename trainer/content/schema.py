"""Schema checks over located YAML: the validator every content file (persona, dialogue,
sociale kaart, playthroughs) is read through, so each finding names its `file:line:col`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from trainer.content.diagnostics import Problem, did_you_mean, display_path
from trainer.content.located import Located, Path_, load_located, message_params
from trainer.content.model import SKILLS
from trainer.messages import text

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def load_file(path: Path, build: Callable[[Validator], Any]):
    located, problems = load_located(path, display_path(path))
    if located is None:
        return None, None, problems
    validator = Validator(located, display_path(path))
    validator.problems.extend(problems)
    result = build(validator)
    return result, located, validator.problems


class Reporter:
    """The one reporter of every content check: a problem `code` at a spot of one located
    file (a key or a value, or an explicit line and column), its parameters shortened for a
    message, its severity and wording from the diagnostics catalogue."""

    def __init__(self, located: Located, name: str) -> None:
        self.located = located
        self.name = name
        self.problems: list[Problem] = []

    def __call__(
        self, spot: Path_, code: str, /, *, key: bool = False, line: int = 0, col: int = 0,
        **params: Any,
    ) -> None:  # fmt: skip
        pos = self.located.pos(spot, key=key)
        line, col = (line, col or 1) if line else (pos.line, pos.col)
        self.problems.append(Problem.make(self.name, line, col, code, **message_params(params)))


class Validator(Reporter):
    """Schema checks over located data; every finding carries the spot it was found at."""

    def report(self, spot: Path_, code: str, /, *, key: bool = False, **params: Any) -> None:
        self(spot, code, key=key, **params)

    def line(self, where: Path_) -> int:
        return self.located.pos(where).line

    def _type_name(self, value: Any) -> str:
        if value is None:
            return text("type.none")
        if isinstance(value, bool):
            return text("type.bool")
        if isinstance(value, int):
            return text("type.int")
        if isinstance(value, float):
            return text("type.number")
        if isinstance(value, str):
            return text("type.text")
        if isinstance(value, list):
            return text("type.list")
        return text("type.mapping")

    def wrong_type(self, where: Path_, value: Any, expected: str) -> None:
        self.report(
            where, "wrong-type", field=field_name(where), expected=text(expected),
            actual=self._type_name(value),
        )  # fmt: skip

    def mapping(
        self, where: Path_, value: Any, required: Iterable[str], optional: Iterable[str],
        place: str, extra: str = "",
    ) -> dict[str, Any] | None:  # fmt: skip
        if not isinstance(value, dict):
            self.wrong_type(where, value, "type.mapping")
            return None
        required, optional = list(required), list(optional)
        allowed = required + optional
        for key in value:
            if key not in allowed:
                self.report(
                    (*where, key), "unknown-key", key=True, field=key, where=place,
                    allowed=", ".join(allowed), suggestion=did_you_mean(str(key), allowed),
                )  # fmt: skip
        for key in required:
            if key not in value:
                self.report(where, "missing-key", field=key, where=place, extra=extra)
        return value

    def string(self, where: Path_, value: Any, *, nonempty: bool = True) -> str | None:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.wrong_type(where, value, "type.text")
            return None
        result = str(value).strip()
        if nonempty and not result:
            self.report(
                where, "bad-value", field=field_name(where), value="''",
                expected=text("expected.nonempty"),
            )  # fmt: skip
            return None
        return result

    def integer(self, where: Path_, value: Any, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.wrong_type(where, value, "type.int")
            return None
        if not low <= value <= high:
            self.report(
                where, "bad-value", field=field_name(where), value=value,
                expected=text("expected.range", low=low, high=high),
            )  # fmt: skip
            return None
        return value

    def ident(self, where: Path_, value: Any) -> str | None:
        result = self.string(where, value)
        if result is not None and not ID_PATTERN.match(result):
            self.report(where, "bad-id", value=result)
            return None
        return result

    def choice_of(
        self, where: Path_, value: Any, options: Iterable[str], expected: str
    ) -> str | None:
        result = self.string(where, value)
        options = list(options)
        if result is not None and result not in options:
            self.report(
                where, "bad-value", field=field_name(where), value=result,
                expected=text(expected) + did_you_mean(result, options),
            )  # fmt: skip
            return None
        return result

    def text_list(self, where: Path_, value: Any) -> tuple[str, ...] | None:
        """Feedback: one line or a list of lines."""
        if isinstance(value, list):
            items = [self.string((*where, i), item) for i, item in enumerate(value)]
            if not value:
                self.report(
                    where, "bad-value", field=field_name(where), value="[]",
                    expected=text("expected.nonempty"),
                )  # fmt: skip
            return tuple(i for i in items if i is not None)
        single = self.string(where, value)
        return (single,) if single is not None else None

    def list_of(self, where: Path_, value: Any) -> list[Any]:
        if not isinstance(value, list):
            self.wrong_type(where, value, "type.list")
            return []
        return value

    def check_id_matches_file(self, ident: str | None) -> None:
        stem = self.located.path.name.removesuffix(".yaml")
        if ident is not None and ident != stem:
            self.report(("id",), "id-mismatch", id=ident, file=self.located.path.name)


def field_name(where: Path_) -> str:
    for part in reversed(where):
        if isinstance(part, str):
            return part
    return str(where[-1]) if where else ""


def skill_list(
    v: Validator, where: Path_, raw: Any, allowed: tuple[str, ...] = SKILLS
) -> frozenset[str] | None:
    """A list of skills (or, with `allowed=PITFALLS`, of pitfalls); an unknown name is reported
    with the nearest known one."""
    items = v.list_of(where, raw)
    if not isinstance(raw, list):
        return None
    code = "unknown-skill" if allowed == SKILLS else "unknown-pitfall"
    names = set()
    for i, item in enumerate(items):
        name = v.string((*where, i), item)
        if name is None:
            continue
        if name not in allowed:
            v.report((*where, i), code, skill=name, suggestion=did_you_mean(name, allowed))
            continue
        names.add(name)
    return frozenset(names)
