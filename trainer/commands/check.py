"""`buurttrainer check`: every problem in the content, compiler-style, or as JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from trainer.commands import load
from trainer.content.diagnostics import Problem, display_path
from trainer.content.kaart import Kaart
from trainer.content.loader import Content, content_root, load_content
from trainer.content.located import MAX_FILE_BYTES
from trainer.content.model import Dialogue, Persona
from trainer.engine.playthrough import load_playthroughs
from trainer.messages import counted, text

CONTENT_DIRS = ("personas", "dialogues")


def collect(root: Path) -> tuple[Content, list[Problem], int]:
    """Load a content root and check its playthrough files too; returns content, problems, files."""
    content = load_content(root)
    problems = list(content.problems)
    files = len(content.files)
    for path in content.playthrough_files():
        files += 1
        problems.extend(load_playthroughs(path, content)[1])
    return content, problems, files


def _targets(args: argparse.Namespace) -> list[tuple[Path, Path | None]]:
    """(content root, only this file or None) for each PATH given."""
    if not args.paths:
        return [(content_root(args.content), None)]
    targets: list[tuple[Path, Path | None]] = []
    for raw in args.paths:
        path = Path(raw)
        if path.is_file() and path.parent.name in CONTENT_DIRS:
            targets.append((path.parent.parent, path))
        elif path.is_file():
            targets.append((path.parent, path))
        else:
            targets.append((path, None))
    return targets


PASSED, FAILED = ("connected", "referred"), ("closed", "taken_over")


def _reach(dialogue: Dialogue, persona: Persona, kaart: Kaart | None) -> dict[str, object] | None:
    """What a trainee can reach: per outcome the trust on arrival, per skill the fewest and
    most answers showing it, and whether the dialogue can be passed and failed at all."""
    from trainer.engine.explorer import explore

    result = explore(dialogue, persona, kaart=kaart)
    if result.reach is None:  # too many states to walk: say so rather than guess
        return {"complete": False, "states": result.states}
    outcomes = result.reach.outcomes
    return {
        "complete": True,
        "states": result.states,
        "can_pass": any(o in outcomes for o in PASSED),
        "can_fail": any(o in outcomes for o in FAILED),
        **result.reach.to_json(),
    }


def _source_line(problem: Problem, contents: list[Content]) -> str:
    """The problem's line as the loader read it; a playthrough file's is read here, but only a
    regular file of sane size (never a pipe, a device, or a file the loader refused)."""
    for content in contents:
        if problem.path in content.sources:
            return content.source_line(problem)
    path = Path(problem.path)
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return ""
        source = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    return source[problem.line - 1] if 0 < problem.line <= len(source) else ""


def run(args: argparse.Namespace) -> int:
    problems: list[Problem] = []
    dialogues: list[tuple[Dialogue, Persona, Kaart | None]] = []
    contents: list[Content] = []
    files = 0
    personas = 0
    for root, only in _targets(args):
        if only is None and not root.exists():
            problems.append(Problem.make(display_path(root), 1, 1, "no-content", root=root))
            continue
        content, found, count = collect(root) if root.exists() else (load(args), [], 0)
        contents.append(content)
        if only is not None:
            name = display_path(only)
            known = {*content.files, *content.playthrough_files()}
            found = [p for p in found if p.path == name]
            if only.resolve() not in {f.resolve() for f in known}:
                found.append(Problem.make(name, 1, 1, "not-content-file", file=name))
            count = 1
        problems.extend(found)
        files += count
        personas += len(content.personas)
        dialogues.extend(
            (d, content.personas[d.persona], content.kaart)
            for d in content.dialogues.values()
            if only is None or d.path == only
        )
    problems.sort(key=lambda p: (p.path, p.line, p.col, p.code))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if args.format == "json":
        print(
            json.dumps(
                {
                    "problems": [p.to_json() for p in problems],
                    "dialogues": [
                        {
                            "id": d.id,
                            "persona": d.persona,
                            "nodes": len(d.nodes),
                            "endings": len(d.endings()),
                            "routes": sum(len(n.routes) for n in d.nodes.values()),
                            "choices": sum(len(n.choices) for n in d.nodes.values()),
                            "reach": _reach(d, persona, kaart),
                        }
                        for d, persona, kaart in dialogues
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for problem in problems:
            print(problem.render(_source_line(problem, contents)))
            print()
        if problems:
            print(
                text(
                    "check.summary",
                    files=counted("count.files", files),
                    errors=counted("count.errors", errors),
                    warnings=counted("count.warnings", warnings),
                )
            )
        else:
            print(
                text(
                    "check.ok",
                    dialogues=counted("count.dialogues", len(dialogues)),
                    personas=counted("count.personas", personas),
                )
            )
    if errors or (args.strict and warnings):
        return 1
    return 0
