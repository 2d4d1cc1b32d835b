"""`buurttrainer sessions`: recorded sessions as a table or JSON."""

from __future__ import annotations

import argparse
import json

from trainer.commands import open_store
from trainer.errors import UserError
from trainer.messages import text


def parse_since(value: str | None) -> str | None:
    """Accept YYYY-MM-DD (or a full ISO timestamp) and return a comparable ISO string."""
    if value is None:
        return None
    from datetime import datetime

    from trainer.store.database import check_date

    try:
        return (
            check_date(value)
            if len(value.strip()) == 10
            else datetime.fromisoformat(value).isoformat()
        )
    except ValueError as exc:
        raise UserError(text("cli.bad_date", option="--since", value=value)) from exc


def run(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        rows = store.list_sessions(
            trainee=args.trainee, persona=args.persona, since=parse_since(args.since)
        )
    if args.format == "json":
        print(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(text("cli.no_sessions"))
        return 0
    header = [
        text(f"sessions.{k}")
        for k in ("id", "trainee", "persona", "dialogue", "started", "turns", "outcome")
    ]
    table = [
        [
            r.id[:8],
            r.trainee,
            r.persona,
            r.dialogue,
            r.started.replace("T", " ")[:16],
            str(r.turns),
            text(f"outcome.{r.outcome or 'none'}"),
        ]
        for r in rows
    ]
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(len(header))]
    for row in [header, *table]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0
