"""`buurttrainer serve`: the app in a web browser; `buurttrainer trainer-password`: its lock.

A thin CLI layer: it checks the arguments, prints what a coordinator needs to know and hands
over to `trainer.web` (the server in `trainer.web.server`, the host policy in
`trainer.web.hosts`, the password in `trainer.web.passwords`). The server binds to loopback
unless --allow-remote is given.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from trainer.errors import UserError
from trainer.messages import language, text
from trainer.web.hosts import is_loopback
from trainer.web.passwords import SERVED_ENV
from trainer.web.server import check_port, child_command, make_server


def run(args: argparse.Namespace) -> int:
    from trainer.commands import open_store
    from trainer.content.loader import content_root
    from trainer.store.database import data_dir
    from trainer.web.passwords import has_password

    host, port = args.host, args.port
    remote = not is_loopback(host)
    if remote and not args.allow_remote:
        raise UserError(text("serve.remote_refused", host=host))
    if not 0 < port < 65536:
        raise UserError(text("serve.bad_port", port=port))
    data = data_dir(getattr(args, "data_dir", None)).resolve()
    with open_store(args):  # a store that cannot be opened fails here, not in every tab
        pass
    content = content_root(getattr(args, "content", None)).resolve()
    if not content.is_dir():
        raise UserError(text("cli.file_not_found", path=content))
    check_port(host, port)
    if remote:
        print(text("serve.remote_warning", host=host, port=port), file=sys.stderr)
    if not has_password(data):
        print(text("serve.no_password", data=shlex.quote(str(data))), file=sys.stderr)
    os.environ[SERVED_ENV] = "1"  # also for platforms whose shell cannot set it per command
    server = make_server(child_command(data, content, language()), host, port, remote, data)
    try:
        server.serve()
    except OSError as exc:
        raise UserError(text("serve.cannot_bind", host=host, port=port, reason=exc)) from exc
    return 0


def run_password(args: argparse.Namespace) -> int:
    """`buurttrainer trainer-password`: set the trainer password (twice, hidden; or --stdin)."""
    import getpass

    from trainer.store.database import data_dir
    from trainer.web.passwords import PasswordError, check_new, set_password

    if args.stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            password = getpass.getpass(text("password.prompt"))
            check_new(password)
            again = getpass.getpass(text("password.prompt_again"))
        except PasswordError as exc:
            raise UserError(str(exc)) from exc
        except EOFError as exc:
            raise UserError(text("password.no_input")) from exc
        if again != password:
            raise UserError(text("password.mismatch"))
    folder = data_dir(getattr(args, "data_dir", None))
    try:
        path = set_password(folder, password)
    except PasswordError as exc:
        raise UserError(str(exc)) from exc
    except OSError as exc:
        raise UserError(text("cli.cannot_write", path=folder, reason=exc)) from exc
    print(text("password.saved", path=path))
    return 0
