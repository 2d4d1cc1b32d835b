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
from typing import Any

from jinja2 import StrictUndefined, TemplateError, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from trainer.messages import text

#: Names a `say` template may use; anything else is reported by `check`.
TEMPLATE_NAMES = ("persona", "trainee", "trust", "mood", "flags")


#: What a persona line may compute: a line needs none of this, and without limits
#: `{{ 9 ** (9 ** 9) }}` or `{{ 'x' * 10 ** 12 }}` would keep `check` (and a conversation) busy
#: or fill the memory. Loops inside loops can still be slow: lines are written by trusted
#: authors, and these limits are against accidents, not against an attacker.
MAX_POWER_BITS = 100_000
MAX_REPEAT = 10_000
MAX_RANGE = 1_000


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"**", "*"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _too_big_power(left, right):
            raise SecurityError(f"{left!r} ** {right!r} is too large")
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if (
                    isinstance(sequence, str | list | tuple)
                    and isinstance(times, int)
                    and len(sequence) * times > MAX_REPEAT
                ):
                    raise SecurityError(f"repeating {len(sequence)} items {times} times")
        return super().call_binop(context, operator, left, right)


def _too_big_power(base: object, exponent: object) -> bool:
    if not isinstance(base, int) or not isinstance(exponent, int) or abs(base) <= 1:
        return False
    return exponent > 0 and base.bit_length() * exponent > MAX_POWER_BITS


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise SecurityError(f"a range of {len(numbers)} numbers is too long (at most {MAX_RANGE})")
    return numbers


@lru_cache(maxsize=1)
def environment() -> ImmutableSandboxedEnvironment:
    env = _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.globals["range"] = _range
    return env


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
    try:
        return _template_problems(source, context)
    except RecursionError:  # `{{ ((((...` thousands deep: jinja's parser recurses per level
        return [(1, "template-syntax", text("reason.template_too_deep"))]


def _template_problems(source: str, context: Mapping[str, object]) -> list[tuple[int, str, str]]:
    env = environment()
    try:
        ast = env.parse(source)
    except TemplateError as exc:
        return [(getattr(exc, "lineno", 1) or 1, "template-syntax", str(exc.message or exc))]
    unknown = sorted(meta.find_undeclared_variables(ast) - set(TEMPLATE_NAMES))
    if unknown:
        return [(_line_of(source, unknown[0]), "template-undefined", unknown[0])]
    # `persona.<field>` anywhere, also in a branch the sample render below does not take
    # (`{% if trust < 30 %}{{ persona.nam }}{% endif %}` would otherwise fail only in play).
    view = context.get("persona")
    if isinstance(view, Mapping):
        for attr in _persona_fields(ast):
            if attr not in view:
                return [(_line_of(source, attr), "template-undefined", f"persona.{attr}")]
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


def _persona_fields(ast: nodes.Template) -> list[str]:
    """The fields read from `persona` (`persona.name`, `persona['name']`), in order."""
    found = []
    # find_all types what it yields for a tuple of classes as their common base (Expr), so
    # each kind is narrowed on its own.
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Getattr) and _is_persona(node.node):
            found.append(node.attr)
        elif (
            isinstance(node, nodes.Getitem)
            and _is_persona(node.node)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
        ):
            found.append(node.arg.value)
    return found


def _is_persona(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Name) and node.name == "persona"


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
