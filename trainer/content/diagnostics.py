"""A problem found in content, and how it is shown to an author.

Every problem has a stable code (documented with an example in docs/checks.md) so that authors,
scripts and tests can rely on it; the message and hint are rendered from the catalogue in the
user's language when the problem is made.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from trainer.messages import text

Severity = Literal["error", "warning"]

#: Every problem code, with its severity: the one table that `check`, `test` and the app rely
#: on. Each code's message is the catalogue entry `check.CODE` (hint: `check.CODE.hint`) and it
#: is documented, with a failing example and its fix, in docs/checks.md; tests/test_checks.py
#: holds the three together (every code used, documented with this severity, worded in Dutch
#: and English).
CODES: dict[str, Severity] = {
    "file-unreadable": "error",
    "file-encoding": "error",
    "file-too-large": "error",
    "empty-file": "error",
    "yaml-syntax": "error",
    "too-complex": "error",
    "bad-key": "error",
    "duplicate-key": "error",
    "missing-key": "error",
    "unknown-key": "error",
    "wrong-type": "error",
    "bad-value": "error",
    "bad-id": "error",
    "id-mismatch": "error",
    "duplicate-id": "error",
    "unknown-skill": "error",
    "unknown-pitfall": "error",
    "unknown-persona": "error",
    "persona-without-dialogue": "warning",
    "unknown-service": "error",
    "kaart-missing": "warning",
    "unknown-need": "error",
    "unknown-node": "error",
    "unreachable-node": "warning",
    "dead-end": "error",
    "no-ending": "error",
    "no-endings": "error",
    "start-is-ending": "warning",
    "missing-fallback": "error",
    "unreachable-route": "warning",
    "bad-condition": "error",
    "unknown-variable": "error",
    "unused-flag": "warning",
    "template-syntax": "error",
    "template-undefined": "error",
    "no-content": "error",
    "not-content-file": "error",
    "playthrough-dialogue": "error",
    "bad-answer": "error",
}


@dataclass(frozen=True)
class Problem:
    """One thing an author should fix, located at `path:line:col`."""

    path: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str
    hint: str = ""

    @classmethod
    def make(cls, path: str, line: int, col: int, code: str, **params: object) -> Problem:
        """Build a problem for `code`: its severity from CODES, its message and hint from the
        catalogue entry for `code`. An unknown code is a bug of ours (KeyError)."""
        return cls(
            path,
            line,
            col,
            CODES[code],
            code,
            text(f"check.{code}", **params),
            text(f"check.{code}.hint", default="", **params),
        )

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    def render(self, source_line: str | None = None) -> str:
        """The compiler-style block: location line, source line with a caret, and the hint."""
        label = text(f"severity.{self.severity}")
        out = [f"{self.path}:{self.line}:{self.col}: {label} {self.code}: {self.message}"]
        if source_line:
            shown = source_line.expandtabs(1).rstrip()
            out.append(f"    {shown}")
            out.append("    " + " " * max(self.col - 1, 0) + "^")
        if self.hint:
            out.append(f"    {text('hint')}: {self.hint}")
        return "\n".join(out)


def did_you_mean(name: str, options: Iterable[str]) -> str:
    """A ' Bedoelde je ...?' suffix when `name` is close to one of `options`, else ''."""
    close = difflib.get_close_matches(str(name), [str(o) for o in options], n=1, cutoff=0.6)
    return text("did_you_mean", name=close[0]) if close else ""


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


#: `did_you_mean` compares a name with every option, so thousands of misspelt targets among
#: thousands of nodes would take minutes; past this many options only the likeliest are tried.
SUGGEST_FROM = 200


def suggest(name: str, options: Collection[str]) -> str:
    """`did_you_mean` with bounded work: with many options, only those that start with the
    same character and are about as long are compared (no change for real content)."""
    if len(options) <= SUGGEST_FROM:
        return did_you_mean(name, options)
    name = str(name)
    index = _by_start_and_length(tuple(options))
    slack = len(name) // 3
    near = [
        option
        for length in range(len(name) - slack, len(name) + slack + 1)
        for option in index.get((name[:1], length), ())[:SUGGEST_FROM]
    ]
    return did_you_mean(name, near[:SUGGEST_FROM])


@lru_cache(maxsize=8)
def _by_start_and_length(options: tuple[str, ...]) -> dict[tuple[str, int], list[str]]:
    index: dict[tuple[str, int], list[str]] = {}
    for option in map(str, options):
        index.setdefault((option[:1], len(option)), []).append(option)
    return index


def display_path(path: Path) -> str:
    """How a file is named in messages: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # outside it, a link loop, no working folder
        return str(path)
