"""The CLI's subcommands: one module per command, each exposing `run(args) -> exit code`,
plus the helpers they share (loading content, opening the store).

A thin layer over everything below it (the app included: `commands.app` starts it); imported
only by `trainer.cli`.
"""

from __future__ import annotations

import argparse

from trainer.content.diagnostics import did_you_mean
from trainer.content.loader import Content, content_root, load_content
from trainer.content.model import Dialogue, Persona
from trainer.errors import UserError
from trainer.messages import text


def load(args: argparse.Namespace) -> Content:
    return load_content(content_root(getattr(args, "content", None)))


def open_store(args: argparse.Namespace):
    from trainer.store.database import Store, StoreError, data_dir

    folder = data_dir(getattr(args, "data_dir", None))
    try:
        return Store(folder)
    except StoreError as exc:
        raise UserError(text("cli.db_error", path=folder, reason=exc)) from exc


def store_corrections(args: argparse.Namespace) -> list:
    """Trainer corrections from the store, for training the classifier. A store that does not
    exist yet has none; scoring must not create one as a side effect."""
    from trainer.store.database import DB_NAME, data_dir
    from trainer.store.reviews import corrections

    if not (data_dir(getattr(args, "data_dir", None)) / DB_NAME).exists():
        return []
    with open_store(args) as store:
        return corrections(store)


def pick_persona(content: Content, persona_id: str) -> Persona:
    if persona_id not in content.personas:
        raise UserError(
            text(
                "cli.unknown_persona",
                persona=persona_id,
                known=", ".join(sorted(content.personas)) or "-",
                suggestion=did_you_mean(persona_id, content.personas),
            )
        )
    return content.personas[persona_id]


def pick_dialogue(
    content: Content, persona: Persona, dialogue_id: str | None, command: str = "play"
) -> Dialogue:
    """The dialogue to play or draw: the one named, or the persona's only one. With several
    and none named, the choice is the user's: they are listed, with the command to pick one."""
    options = content.dialogues_for(persona.id)
    if dialogue_id is None:
        if not options:
            raise UserError(text("cli.no_dialogue", persona=persona.id))
        if len(options) > 1:
            raise UserError(
                text(
                    f"cli.several_dialogues.{command}",
                    persona=persona.id,
                    known=", ".join(d.id for d in options),
                    first=options[0].id,
                )
            )
        return options[0]
    for dialogue in options:
        if dialogue.id == dialogue_id:
            return dialogue
    raise UserError(
        text(
            "cli.unknown_dialogue",
            dialogue=dialogue_id,
            persona=persona.id,
            known=", ".join(d.id for d in options) or "-",
        )
    )
