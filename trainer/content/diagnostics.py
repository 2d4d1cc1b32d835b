"""A problem found in content, and how it is shown to an author.

Every problem has a stable code (documented with an example in docs/checks.md) so that authors,
scripts and tests can rely on it; the message and hint are rendered from the catalogue in the
user's language when the problem is made.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

from trainer.messages import text

Severity = Literal["error", "warning"]


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
    def make(
        cls, path: str, line: int, col: int, severity: Severity, code: str, **params: object
    ) -> Problem:
        """Build a problem whose message and hint come from the catalogue entry for `code`."""
        return cls(
            path,
            line,
            col,
            severity,
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
