"""`buurttrainer new persona ID`: start a persona from a working example."""

from __future__ import annotations

import argparse

from trainer.content.loader import content_root, default_content_root
from trainer.errors import UserError
from trainer.messages import text


def run(args: argparse.Namespace) -> int:
    from trainer.content.scaffold import ScaffoldError, write

    root = content_root(args.content)
    if root.name == "_content" and root == default_content_root():
        # The installed program's own copy: edits there vanish with the next update.
        raise UserError(text("new.installed", path=root))
    try:
        scaffold = write(root, args.id)
    except ScaffoldError as exc:
        if exc.kind == "bad-id":
            raise UserError(text("new.bad_id", id=args.id)) from exc
        raise UserError(text("new.exists", path=exc.path)) from exc
    except OSError as exc:
        raise UserError(text("cli.cannot_write", path=root, reason=exc.strerror)) from exc
    print(text("new.done", id=args.id))
    for path in scaffold.files:
        print(f"  {path}")
    if scaffold.kaart is not None:
        print(text("new.kaart", path=scaffold.kaart))
    content_option = f" --content {root}" if args.content else ""
    print(text("new.next", check=f"buurttrainer check{content_option}",
               test=f"buurttrainer test{content_option}"))  # fmt: skip
    return 0
