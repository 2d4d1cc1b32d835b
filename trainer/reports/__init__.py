"""Reports a trainer mails, prints or pastes into a wiki: one session, one trainee, the cohort.

Each comes as self-contained HTML (inline CSS and SVG, no scripts, nothing fetched) or as
Markdown. Figures come from `trainer.reports.context`, chart geometry from `charts`, and the
markup from the jinja2 templates beside this file, so all three kinds share one look.

Escaping is the environments' job, never the callers': HTML is autoescaped, and Markdown runs
every `{{ }}` through `markdown_escape`, because Markdown renderers pass raw HTML through and a
trainee called `<script>` must stay text in a wiki too.

May import sessions, the store, the engine and the content below it; never the app, the web
package, the commands or the CLI, and never Textual.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

import jinja2

from trainer.content.loader import Content
from trainer.messages import language, text
from trainer.reports.context import cohort_view, session_view, trainee_view
from trainer.store.database import Store

Format = Literal["html", "md"]
FORMATS: tuple[str, ...] = ("html", "md")

__all__ = ["FORMATS", "cohort_report", "markdown_escape", "session_report", "trainee_report"]

_HTML_SPECIALS = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MARKDOWN_SPECIALS = re.compile(r"([\\|*_\[\]`#~])")


def markdown_escape(value: object) -> str:
    """Any value as inert Markdown text on one line.

    `& < >` become entities (so no raw HTML gets through), characters that start emphasis,
    links, headings or code, or end a table cell, are backslash-escaped, and newlines become
    spaces so a value can never break a table row.
    """
    if value is None:
        return ""
    result = str(value)
    result = _MARKDOWN_SPECIALS.sub(r"\\\1", result)
    for char, entity in _HTML_SPECIALS.items():
        result = result.replace(char, entity)
    return " ".join(result.splitlines()) if "\n" in result or "\r" in result else result


def _environment(
    *,
    autoescape: bool,
    keep_trailing_newline: bool = False,
    finalize: Callable[[object], str] | None = None,
) -> jinja2.Environment:
    """One way to build both environments; they differ only in escaping and finalize."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("trainer.reports", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=autoescape,
        keep_trailing_newline=keep_trailing_newline,
        finalize=finalize,
    )
    env.globals["t"] = text
    return env


@lru_cache(maxsize=1)
def html_environment() -> jinja2.Environment:
    """Compiled once per process: a 200-turn report must render in well under 200 ms."""
    return _environment(autoescape=True)


@lru_cache(maxsize=1)
def markdown_environment() -> jinja2.Environment:
    return _environment(autoescape=False, keep_trailing_newline=True, finalize=markdown_escape)


def render(kind: str, fmt: str, **context: object) -> str:
    """Render `<kind>.<fmt>.j2`; ValueError for a format other than html or md."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; choose from {', '.join(FORMATS)}")
    env = html_environment() if fmt == "html" else markdown_environment()
    return env.get_template(f"{kind}.{fmt}.j2").render(lang=language(), **context)


def session_report(store: Store, content: Content, session_id: str, fmt: Format = "html") -> str:
    """One session: header, skills, trainers' comments, the whole transcript and the debrief.

    `session_id` is a full id; KeyError when the store has no such session.
    """
    return render("session", fmt, s=session_view(store, content, session_id))


def trainee_report(store: Store, content: Content, trainee: str, fmt: Format = "html") -> str:
    """One trainee's finished sessions over time; LookupError when they have no session."""
    return render("trainee", fmt, v=trainee_view(store, content, trainee))


def cohort_report(
    store: Store, content: Content, since: str | None = None, fmt: Format = "html"
) -> str:
    """Every trainee's trend and, per dialogue, where sessions go and stall.

    `since` is a YYYY-MM-DD date (sessions started on or after it); ValueError otherwise.
    """
    return render("cohort", fmt, v=cohort_view(store, content, since))
