"""`buurttrainer purge --before DATE`: delete old sessions (retention under the AVG/GDPR).

A session counts as before DATE when its last answer was (its `updated` time, UTC). Its turns,
reviews and trainer corrections go with it, and trainee names left without sessions too.
`--dry-run` says what would go and deletes nothing. Exports already written elsewhere are not
touched: say so, because a coordinator has to delete those by hand.
"""

from __future__ import annotations

import argparse

from trainer.commands import open_store
from trainer.errors import UserError
from trainer.messages import counted, text


def run(args: argparse.Namespace) -> int:
    from trainer.store.database import check_date

    try:
        before = check_date(args.before)
    except ValueError as exc:
        raise UserError(text("cli.bad_date", option="--before", value=args.before)) from exc
    with open_store(args) as store:
        purged = store.purge(before, dry_run=args.dry_run)
    key = "cli.purge.would" if args.dry_run else "cli.purge.done"
    print(
        text(
            key, before=before, sessions=counted("count.sessions", purged.sessions),
            turns=counted("count.turns", purged.turns),
            reviews=counted("count.reviews", purged.reviews),
            trainees=counted("count.trainees", purged.trainees),
        )
    )  # fmt: skip
    if not args.dry_run and purged.sessions:
        from trainer.scoring.loader import clear_correction_models

        # A model fitted on trainer corrections must not outlive the sessions it learned from.
        clear_correction_models()
        print(text("cli.purge.exports"))
    return 0
