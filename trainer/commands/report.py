"""`buurttrainer report`: a session, trainee or cohort report as HTML or Markdown.

Reports hold trainees' conversations, so a report written to a file is owner-only, like exports.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from trainer.commands import load, open_store
from trainer.commands.sessions import parse_since
from trainer.errors import UserError
from trainer.messages import text


def _selector(args: argparse.Namespace) -> str:
    """Which report: exactly one of SESSION_ID, --trainee and --cohort."""
    chosen = [
        kind
        for kind, given in (
            ("session", args.session is not None),
            ("trainee", args.trainee is not None),
            ("cohort", bool(args.cohort)),
        )
        if given
    ]
    if len(chosen) != 1:
        raise UserError(text("report.cli.pick_one"))
    if args.since is not None and chosen[0] != "cohort":
        raise UserError(text("report.cli.since_needs_cohort"))
    return chosen[0]


def _render(args: argparse.Namespace, kind: str) -> str:
    from trainer.reports import cohort_report, session_report, trainee_report

    since = parse_since(args.since) if kind == "cohort" else None
    content = load(args)
    with open_store(args) as store:
        if kind == "session":
            try:
                session = store.resolve(args.session)
            except KeyError:
                raise UserError(text("cli.unknown_session", session=args.session)) from None
            except LookupError:
                raise UserError(text("cli.ambiguous_session", session=args.session)) from None
            return session_report(store, content, session, args.format)
        if kind == "trainee":
            try:
                return trainee_report(store, content, args.trainee, args.format)
            except LookupError:
                raise UserError(text("report.no_trainee", trainee=args.trainee)) from None
        return cohort_report(store, content, since, args.format)


def run(args: argparse.Namespace) -> int:
    kind = _selector(args)
    output = _render(args, kind)
    if not args.output:
        sys.stdout.write(output if output.endswith("\n") else output + "\n")
        return 0
    from trainer.files import write_private

    path = Path(args.output).expanduser()
    try:
        write_private(path, output)
    except OSError as exc:
        raise UserError(
            text("report.cli.write_failed", path=path, reason=exc.strerror or exc)
        ) from exc
    print(text("report.cli.written", path=path))
    return 0
