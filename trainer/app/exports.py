"""Reports exported from the app: where they go and what they are called.

Kept apart from the screens so the worker that runs it needs nothing from Textual.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from trainer.content.loader import Content
from trainer.files import write_private
from trainer.store.database import Store

REPORTS_FOLDER = "rapporten"


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:40] or "x"


def write_report(folder: Path, content: Content, kind: str, key: str | None) -> Path:
    """Render a report as HTML into `<data folder>/rapporten/` and return the file's path.

    `kind` is "session" (key: session id), "trainee" (key: name) or "cohort" (key: since-date
    or None). Opens its own store connection, so it can run in a worker thread.
    """
    from trainer.reports import cohort_report, session_report, trainee_report

    with Store(folder) as store:
        if kind == "session":
            html = session_report(store, content, key or "", "html")
            name = f"sessie-{(key or '')[:8]}"
        elif kind == "trainee":
            html = trainee_report(store, content, key or "", "html")
            name = f"deelnemer-{_slug(key or '')}"
        else:
            html = cohort_report(store, content, key, "html")
            name = "groep"
    target = folder / REPORTS_FOLDER
    target.mkdir(mode=0o700, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return write_private(target / f"{name}-{stamp}.html", html)
