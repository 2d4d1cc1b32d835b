"""`buurttrainer unmatched [DIALOGUE]`: answers the dialogue did not foresee, per node."""

from __future__ import annotations

import argparse
import json

from trainer.commands import load, open_store
from trainer.errors import UserError
from trainer.messages import text


def run(args: argparse.Namespace) -> int:
    from trainer.sessions.unmatched import collect

    content = load(args)
    missing = [p for p in content.problems if p.code == "no-content"]
    if missing:  # nothing to look for: saying "no unforeseen answers" would mislead
        raise UserError(missing[0].message)
    if args.dialogue and args.dialogue not in content.dialogues:
        raise UserError(
            text(
                "cli.graph_unknown", dialogue=args.dialogue,
                known=", ".join(sorted(content.dialogues)), suggestion="",
            )
        )  # fmt: skip
    with open_store(args) as store:
        found = collect(store, content, args.dialogue)
    if args.format == "json":
        print(json.dumps([u.to_json() for u in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print(text("unmatched.none"))
        return 0
    current = None
    for item in found:
        if (item.dialogue, item.node) != current:
            current = (item.dialogue, item.node)
            print(text("unmatched.node", dialogue=item.dialogue, node=item.node))
        reasons = ", ".join(text(f"unmatched.{r}") for r in sorted(item.reasons))
        print(f"  {item.count:>3}x  {item.answer}  ({reasons})")
    return 0
