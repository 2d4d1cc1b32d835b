"""`buurttrainer export` and `buurttrainer import`: gathering sessions from several laptops."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from trainer.commands import open_store
from trainer.commands.sessions import parse_since
from trainer.errors import UserError
from trainer.files import open_private
from trainer.messages import text


def run_export(args: argparse.Namespace) -> int:
    from trainer.store.exchange import export_lines, write_export

    since = parse_since(args.since)
    with open_store(args) as store:
        lines = export_lines(store, since=since, pseudonymise=args.pseudonymise)
        if args.output:
            path = Path(args.output)
            try:
                with open_private(path) as handle:
                    count = write_export(lines, handle)
            except OSError as exc:
                raise UserError(text("cli.cannot_write", path=path, reason=exc.strerror)) from exc
            print(text("cli.export_done", count=count, path=path), file=sys.stderr)
        else:
            write_export(lines, sys.stdout)
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Read and check every file first, so one bad file means nothing is imported at all."""
    from trainer.store.exchange import ImportFormatError, import_items, parse_lines

    parsed = []
    for name in args.files:
        path = Path(name)
        try:
            if name == "-":
                parsed.append((name, parse_lines(sys.stdin, "stdin")))
                continue
            with path.open(encoding="utf-8") as handle:
                parsed.append((name, parse_lines(handle, str(path))))
        except FileNotFoundError as exc:
            raise UserError(text("cli.file_not_found", path=path)) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(text("cli.cannot_read", path=path, reason=exc)) from exc
        except ImportFormatError as exc:
            raise UserError(text("cli.import_bad", reason=exc)) from exc
    with open_store(args) as store:
        for name, items in parsed:
            result = import_items(store, items)
            print(
                text(
                    "cli.import_done",
                    path=name,
                    added=result.sessions_added,
                    updated=result.sessions_updated,
                    turns=result.turns_added,
                    reviews=result.reviews_added,
                    unchanged=result.unchanged,
                )
            )
    return 0
