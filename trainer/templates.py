"""Persona lines as sandboxed jinja2 templates.

Authors write `{{ persona.name }}` and `{% if 'zoon' in flags %}`; the sandbox keeps templates
from reaching Python internals or files, and StrictUndefined turns a misspelt name into an error
that `check` can report instead of silently printing nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

#: Names a `say` template may use; anything else is reported by `check`.
TEMPLATE_NAMES = ("persona", "trainee", "trust", "mood", "flags")


@lru_cache(maxsize=1)
def environment() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
    )


@lru_cache(maxsize=4096)
def _compile(source: str):
    return environment().from_string(source)


def render(source: str, context: Mapping[str, object]) -> str:
    """Render a persona line. Content that passed `check` renders without error."""
    if "{" not in source:
        return source.strip()
    return _compile(source).render(**context).strip()


def template_problems(source: str, context: Mapping[str, object]) -> list[tuple[int, str, str]]:
    """Problems in one template as (line within the template, code, detail)."""
    if "{" not in source:
        return []
    env = environment()
    try:
        ast = env.parse(source)
    except TemplateError as exc:
        return [(getattr(exc, "lineno", 1) or 1, "template-syntax", str(exc.message or exc))]
    unknown = sorted(meta.find_undeclared_variables(ast) - set(TEMPLATE_NAMES))
    if unknown:
        return [(_line_of(source, unknown[0]), "template-undefined", unknown[0])]
    try:
        _compile(source).render(**context)
    except TemplateError as exc:
        detail = str(exc.message or exc)
        missing = re.search(r"has no attribute '([^']+)'", detail)
        if missing:
            detail = f"persona.{missing[1]}"
        return [(_line_of(source, missing[1]) if missing else 1, "template-undefined", detail)]
    except Exception as exc:
        return [(1, "template-undefined", str(exc))]
    return []


def _line_of(source: str, name: str) -> int:
    for number, line in enumerate(source.splitlines(), start=1):
        if name in line:
            return number
    return 1


_STAGE = re.compile(r"\*([^*\n]+)\*")


@dataclass(frozen=True)
class Segment:
    """A piece of a persona line; `stage` marks a stage direction (`*...*` in the YAML)."""

    text: str
    stage: bool = False


def persona_line(line: str, collapse: bool = True) -> tuple[Segment, ...]:
    """A rendered persona line in pieces, stage directions marked, so the app (italics) and
    the reports (<em>, Markdown emphasis) show them alike. `collapse` makes whitespace single
    (YAML block scalars wrap lines)."""
    if collapse:
        line = " ".join(line.split())
    segments: list[Segment] = []
    position = 0
    for match in _STAGE.finditer(line):
        if match.start() > position:
            segments.append(Segment(line[position : match.start()]))
        segments.append(Segment(match.group(1).strip(), stage=True))
        position = match.end()
    if position < len(line):
        segments.append(Segment(line[position:]))
    return tuple(segments)
