"""The Textual app: a thin layer of screens over the core (content, engine, store, scoring).

Nothing in the core imports from here; the CLI imports this package only when the app starts,
so `buurttrainer --help` and the scripted commands never load Textual.
"""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace, start: str = "welcome", dialogue: str | None = None) -> int:
    """Start the app for the CLI: load content, open the store, run until the user quits."""
    from trainer.app.main import BuurttrainerApp
    from trainer.commands import load, open_store

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
