"""`buurttrainer` (no command), `review` and `author`: the Textual app, started at a screen.

The CLI's way into the app; the app itself imports nothing from the commands.
"""

from __future__ import annotations

import argparse

from trainer.commands import load, open_store


def run(args: argparse.Namespace, start: str = "welcome", dialogue: str | None = None) -> int:
    """Start the app for the CLI: load content, open the store, run until the user quits."""
    from trainer.app.main import BuurttrainerApp

    content = load(args)
    with open_store(args) as store:
        app = BuurttrainerApp(content, store, start=start, start_dialogue=dialogue)
        app.run()
    return app.return_code or 0


def run_review(args: argparse.Namespace) -> int:
    """`buurttrainer review`: the app, opened at the trainer's session table."""
    return run(args, start="review")


def run_author(args: argparse.Namespace) -> int:
    """`buurttrainer author [DIALOGUE]`: the app, opened at the author preview."""
    return run(args, start="author", dialogue=args.dialogue)
