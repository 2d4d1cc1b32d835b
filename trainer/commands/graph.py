"""`buurttrainer graph DIALOGUE|PERSONA`: the dialogue tree as Mermaid or Graphviz DOT."""

from __future__ import annotations

import argparse
from pathlib import Path

from trainer.commands import load, pick_dialogue
from trainer.content.diagnostics import did_you_mean
from trainer.content.graph import render_graph
from trainer.errors import UserError
from trainer.messages import text


def run(args: argparse.Namespace) -> int:
    content = load(args)
    dialogue = content.dialogues.get(args.dialogue)
    if dialogue is None and args.dialogue in content.personas:  # a persona: its dialogue
        dialogue = pick_dialogue(content, content.personas[args.dialogue], None, "graph")
    if dialogue is None:
        if args.dialogue in content.broken:
            raise UserError(text("cli.content_errors"))
        raise UserError(
            text(
                "cli.graph_unknown",
                dialogue=args.dialogue,
                known=", ".join(sorted(content.dialogues)) or "-",
                suggestion=did_you_mean(args.dialogue, [*content.dialogues, *content.personas]),
            )
        )
    output = render_graph(dialogue, args.format)
    if args.output:
        try:
            Path(args.output).write_text(output, encoding="utf-8")
        except OSError as exc:
            raise UserError(
                text("cli.cannot_write", path=args.output, reason=exc.strerror or exc)
            ) from exc
    else:
        print(output, end="")
    return 0
