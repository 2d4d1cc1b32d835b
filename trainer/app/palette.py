"""Command palette entries, worded from the catalogue: one helper the app and every screen use,
in a leaf module so that screens need not import the app."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import SystemCommand

from trainer.messages import text


def palette_command(key: str, callback: Callable[[], object]) -> SystemCommand:
    """A command palette entry whose title and help are `app.cmd.KEY` and `app.cmd.KEY_help`."""
    return SystemCommand(text(f"app.cmd.{key}"), text(f"app.cmd.{key}_help"), callback)
