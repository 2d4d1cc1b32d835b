"""The `buurttrainer` command: one entry point, a subcommand per task.

A thin layer over the core. Imports of the core happen inside each command so that
`buurttrainer --help` stays fast and never loads scikit-learn or Textual. Errors go to stderr
with a non-zero exit code; content problems are reported, never raised as tracebacks.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NoReturn

from trainer import __version__
from trainer.errors import UserError
from trainer.messages import LANGUAGES, language, set_language, text


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--content", metavar="DIR", default=default,
        help="folder with personas/ and dialogues/ (env BUURTTRAINER_CONTENT; default: shipped content)",
    )  # fmt: skip
    parser.add_argument(
        "--data-dir", metavar="DIR", default=default,
        help="folder for the session store (env BUURTTRAINER_DATA; default: user data folder)",
    )  # fmt: skip
    parser.add_argument(
        "--lang", choices=LANGUAGES, default=default,
        help="language of messages (env BUURTTRAINER_LANG; default: nl)",
    )  # fmt: skip


# argparse's own messages, in Dutch: (pattern, replacement) on the English text it builds.
_ARGPARSE_NL = (
    (r"^unrecognized arguments: (.*)$", r"onbekende argumenten: \1"),
    (r"^the following arguments are required: (.*)$", r"dit ontbreekt nog: \1"),
    (r"^argument (\S+): invalid choice: (.*) \(choose from (.*)\)$",
     r"\1: \2 kan niet; kies uit \3"),
    (r"^argument (\S+): invalid \w+ value: (.*)$", r"\1: \2 is geen geldige waarde"),
    (r"^argument (\S+): expected one argument$", r"\1 heeft een waarde nodig"),
    (r"^argument (\S+): expected at least one argument$", r"\1 heeft minstens één waarde nodig"),
    (r"^ambiguous option: (\S+) could match (.*)$", r"\1 is niet eenduidig: \2"),
    (r"^argument (\S+): (.*)$", r"\1: \2"),
)  # fmt: skip


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake on the command line is one line in the user's language with
    where to find help, like every other error, instead of English usage text."""

    def error(self, message: str) -> NoReturn:
        import re

        if language() == "nl":
            for pattern, replacement in _ARGPARSE_NL:
                if re.match(pattern, message):
                    message = re.sub(pattern, replacement, message)
                    break
        line = text("cli.usage_error", message=message, prog=self.prog)
        self.exit(2, text("cli.error", message=" ".join(line.split())) + "\n")


@dataclass(frozen=True)
class Command:
    """One subcommand: its name, where its code is (`module:function`, imported only when it
    runs, so `--help` stays fast), its help line and the function that adds its arguments.
    Adding a command is one entry in COMMANDS (and its arguments function, if any)."""

    name: str
    target: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None] | None = None

    def load(self) -> Callable[[argparse.Namespace], int]:
        module, function = self.target.split(":")
        return getattr(importlib.import_module(module), function)


def _check_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths", nargs="*", metavar="PATH", help="content folders or files (default: the content)"
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--strict", action="store_true", help="also fail on warnings")


def _graph_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "dialogue", metavar="DIALOGUE", help="a dialogue id, or a persona id with one dialogue"
    )
    p.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")


def _play_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("persona", nargs="?", metavar="PERSONA")
    p.add_argument("--dialogue", metavar="ID", help="which dialogue of the persona")
    p.add_argument("--trainee", metavar="NAME", help="who is practising (remembered)")
    p.add_argument("--choices", action="store_true", help="pick from ready-made answers")
    p.add_argument("--script", metavar="FILE", help="play the playthroughs in FILE")
    p.add_argument(
        "--resume", nargs="?", const="latest", metavar="SESSION",
        help="continue an unfinished session (default: your latest)",
    )  # fmt: skip


def _score_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "texts",
        nargs="*",
        metavar="TEXT",
        help="answers to score (default: one per line from stdin)",
    )
    p.add_argument(
        "--explain", action="store_true", help="add the words that pushed each score up or down"
    )


def _eval_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--report", metavar="FILE", help="also write the tables as Markdown to FILE")
    p.add_argument("--variants", action="store_true", help="compare every pipeline variant")


def _sessions_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--trainee", metavar="NAME")
    p.add_argument("--persona", metavar="ID")
    p.add_argument(
        "--since", metavar="DATE", help="only sessions started on or after DATE (YYYY-MM-DD)"
    )
    p.add_argument("--format", choices=("table", "json"), default="table")


def _report_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "session", nargs="?", metavar="SESSION_ID", help="the session (an unambiguous id prefix)"
    )
    p.add_argument("--trainee", metavar="NAME", help="one trainee's progress over time")
    p.add_argument("--cohort", action="store_true", help="every trainee, and where sessions stall")
    p.add_argument(
        "--since", metavar="DATE", help="with --cohort: sessions started on or after YYYY-MM-DD"
    )
    p.add_argument("--format", choices=("html", "md"), default="html")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE (owner-only) not stdout")


def _export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("jsonl",), default="jsonl")
    p.add_argument(
        "--since", metavar="DATE", help="only sessions started on or after DATE (YYYY-MM-DD)"
    )
    p.add_argument(
        "--pseudonymise", action="store_true",
        help="replace trainee names by stable pseudonyms, also inside the texts",
    )  # fmt: skip
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE (owner-only) not stdout")


def _import_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="export files ('-' for stdin)")


def _test_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths", nargs="*", metavar="PATH",
        help="playthrough files or folders (default: every *.tests.yaml of the content)",
    )  # fmt: skip
    p.add_argument(
        "--explore", action="store_true",
        help="walk every choice and route: report loops, unreachable endings and nodes",
    )  # fmt: skip
    p.add_argument("--random", type=int, default=0, metavar="N", help="play N random runs")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="seed for --random (1)")
    p.add_argument(
        "--out", default="buurttrainer-testfouten", metavar="DIR",
        help="where failing explored or random runs are written as playthrough files",
    )  # fmt: skip


def _unmatched_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dialogue", nargs="?", metavar="DIALOGUE")
    p.add_argument("--format", choices=("text", "json"), default="text")


def _author_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dialogue", nargs="?", metavar="DIALOGUE", help="which dialogue to open")


def _new_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", choices=("persona",), help="what to create")
    p.add_argument("id", metavar="ID", help="the persona's id: letters, digits and hyphens")


def _purge_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--before", required=True, metavar="DATE", help="YYYY-MM-DD")
    p.add_argument("--dry-run", action="store_true", help="say what would go, delete nothing")


def _serve_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    p.add_argument(
        "--allow-remote", action="store_true",
        help="allow a --host other than this computer: anyone on the network can open it",
    )  # fmt: skip


def _trainer_password_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--stdin", action="store_true", help="read the password from stdin (scripts)")


#: Every subcommand, in the order `--help` lists them. With no command the app starts (APP).
COMMANDS: tuple[Command, ...] = (
    Command(
        "check",
        "trainer.commands.check:run",
        "check personas, dialogues and playthroughs",
        _check_arguments,
    ),
    Command(
        "graph",
        "trainer.commands.graph:run",
        "draw a dialogue as Mermaid or Graphviz DOT",
        _graph_arguments,
    ),
    Command(
        "play", "trainer.commands.play:run", "play a conversation in the terminal", _play_arguments
    ),
    Command(
        "score",
        "trainer.commands.score:run",
        "score answers on the three skills (JSON lines)",
        _score_arguments,
    ),
    Command(
        "eval",
        "trainer.commands.eval:run",
        "evaluate the classifier by grouped cross-validation",
        _eval_arguments,
    ),
    Command(
        "sessions", "trainer.commands.sessions:run", "list recorded sessions", _sessions_arguments
    ),
    Command(
        "report",
        "trainer.commands.report:run",
        "a session, trainee or cohort report (HTML or Markdown)",
        _report_arguments,
    ),
    Command(
        "export",
        "trainer.commands.exchange:run_export",
        "write sessions as JSON lines, to gather on one machine",
        _export_arguments,
    ),
    Command(
        "import",
        "trainer.commands.exchange:run_import",
        "add sessions from export files (twice adds nothing)",
        _import_arguments,
    ),
    Command(
        "review",
        "trainer.commands.app:run_review",
        "open the app at the trainer's review of sessions",
        None,
    ),
    Command(
        "test",
        "trainer.commands.test:run",
        "run playthrough tests, report coverage, explore dialogues",
        _test_arguments,
    ),
    Command(
        "unmatched",
        "trainer.commands.unmatched:run",
        "answers that only matched a fallback route or left the classifier unsure",
        _unmatched_arguments,
    ),
    Command(
        "author",
        "trainer.commands.app:run_author",
        "try a dialogue from any node and see why it branches",
        _author_arguments,
    ),
    Command(
        "new",
        "trainer.commands.new:run",
        "start new content from a working example",
        _new_arguments,
    ),
    Command(
        "purge",
        "trainer.commands.purge:run",
        "delete sessions last played before a date (retention)",
        _purge_arguments,
    ),
    Command(
        "serve",
        "trainer.commands.serve:run",
        "the app in a web browser, one app per tab, one store",
        _serve_arguments,
    ),
    Command(
        "trainer-password",
        "trainer.commands.serve:run_password",
        "set the password for the served trainer area",
        _trainer_password_arguments,
    ),
)
APP = Command("app", "trainer.commands.app:run", "the trainee app")
BY_NAME = {command.name: command for command in COMMANDS}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="buurttrainer",
        description="Buurttrainer: practise doorstep conversations as a buurtassistent.",
    )
    parser.add_argument("--version", action="version", version=f"buurttrainer {__version__}")
    _global_options(parser, suppress=False)
    common = _Parser(add_help=False)
    _global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        p = sub.add_parser(command.name, parents=[common], help=command.help)
        if command.arguments is not None:
            command.arguments(p)
    return parser


def _early_language(argv: Sequence[str]) -> str:
    """--lang as given, before parsing: a mistake on the command line is told in it too."""
    for index, arg in enumerate(argv):
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    early = _early_language(argv) or os.environ.get("BUURTTRAINER_LANG") or "nl"
    set_language(early if early in LANGUAGES else "nl")
    parser = build_parser()
    args = parser.parse_args(argv)
    lang = getattr(args, "lang", None) or os.environ.get("BUURTTRAINER_LANG") or "nl"
    set_language(lang if lang in LANGUAGES else "nl")
    import sqlite3

    from trainer.store.database import StoreError

    try:
        command = BY_NAME.get(args.command, APP) if args.command else APP
        run = command.load()
        return run(args)
    except UserError as exc:
        print(text("cli.error", message=exc), file=sys.stderr)
        return 1
    except StoreError as exc:
        print(text("cli.error", message=exc), file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as exc:  # found by a query after opening: a damaged file
        reason = " ".join(str(exc).split()).encode("ascii", "replace").decode()
        print(text("cli.error", message=text("cli.db_damaged", reason=reason)), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug of ours: say so plainly, keep the details for a report
        if os.environ.get("BUURTTRAINER_DEBUG"):
            raise
        print(text("cli.unexpected", kind=type(exc).__name__, message=exc), file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
