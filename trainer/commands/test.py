"""`buurttrainer test [PATH...] [--explore] [--random N --seed S]`: playthroughs and coverage.

Exit code 1 when a playthrough fails, or when exploring or random runs find a conversation that
can loop forever, an ending nobody can reach or a node nobody can visit. Coverage gaps of the
playthroughs themselves are reported, not failed: they tell the author what to test next.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from trainer.commands import load
from trainer.content.loader import Content
from trainer.content.model import Dialogue
from trainer.engine.playthrough import PlaythroughResult, load_playthroughs, run_playthrough
from trainer.engine.records import Assessment, Scorer
from trainer.errors import UserError
from trainer.messages import counted, text


def _files(args: argparse.Namespace, content: Content) -> list[Path]:
    if not args.paths:
        return content.playthrough_files()
    found: list[Path] = []
    for name in args.paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(path.rglob("*.tests.yaml"))
        elif path.exists():
            found.append(path)
        else:
            raise UserError(text("cli.file_not_found", path=path))
    return found


class _LazyScorer:
    """The classifier, loaded only when a playthrough has typed text without fixed skills."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.model: Scorer | None = None

    @property
    def version(self) -> str:
        """The classifier's version once loaded ('' before: no answer was scored by it)."""
        return self.model.version if self.model is not None else ""

    def assess(self, answer: str) -> Assessment:
        if self.model is None:
            from trainer.scoring import default_scorer

            self.model = default_scorer(self.content.root)
        return self.model.assess(answer)


def _arrows(path) -> str:
    return " → ".join(path) if path else "-"


def _report_failure(result: PlaythroughResult) -> None:
    expected = result.playthrough
    if result.error:
        print("        " + text("test.error", error=result.error))
    if expected.path is not None and tuple(result.path) != expected.path:
        step = next(
            (i for i, (a, b) in enumerate(zip(expected.path, result.path, strict=False)) if a != b),
            min(len(expected.path), len(result.path)),
        )
        print("        " + text("test.expected_path", path=_arrows(expected.path)))
        print("        " + text("test.actual_path", path=_arrows(result.path)))
        print("        " + text("test.first_difference", step=step + 1))
    if expected.outcome is not None and result.outcome != expected.outcome:
        print(
            "        "
            + text("test.outcome", expected=expected.outcome, actual=result.outcome or "-")
        )


def _kaart_file(content: Content) -> str:
    from trainer.content.diagnostics import display_path
    from trainer.content.kaart import kaart_path

    return display_path(kaart_path(content.root))


def _needs_kaart(content: Content, dialogue: Dialogue, result: PlaythroughResult) -> str:
    """Why a failed playthrough could not pass, when that is a missing sociale kaart: its path
    (expected or taken) passes a node whose routes look at the service named. '' otherwise."""
    if content.kaart is not None:
        return ""
    passed = set(result.playthrough.path or ()) | set(result.path)
    for node, _, clause in dialogue.service_routes():
        if node.id in passed:
            return text(
                "test.needs_kaart", node=node.id, condition=clause.source, file=_kaart_file(content)
            )
    return ""


def run(args: argparse.Namespace) -> int:
    from trainer.engine.explorer import Coverage

    content = load(args)
    scorer = _LazyScorer(content)
    # A dialogue with errors is not loaded, so it would silently go untested: say so and fail.
    errors = [p for p in content.problems if p.severity == "error"]
    for problem in errors:
        print(problem.render())
    failed = len(errors)
    needs_kaart = 0
    coverage: dict[str, Coverage] = {}
    for path in _files(args, content):
        playthroughs, problems = load_playthroughs(path, content)
        errors = [p for p in problems if p.severity == "error"]
        print(path)
        for problem in errors:
            print(problem.render())
        failed += len(errors)
        for playthrough in playthroughs:
            dialogue = content.dialogues[playthrough.dialogue]
            result = run_playthrough(
                playthrough, dialogue, content.personas[dialogue.persona], scorer,
                kaart=content.kaart,
            )  # fmt: skip
            coverage.setdefault(dialogue.id, Coverage(dialogue)).add(result)
            mark = "OK  " if result.passed else "FOUT"
            print(f"  {mark}  {playthrough.name}")
            if not result.passed:
                failed += 1
                needs = _needs_kaart(content, dialogue, result)
                if needs:
                    needs_kaart += 1
                    print("        " + needs)
                else:
                    _report_failure(result)
    for dialogue_id, cover in sorted(coverage.items()):
        dialogue = cover.dialogue
        print(
            text(
                "test.coverage",
                dialogue=dialogue_id,
                nodes=len(dialogue.nodes) - len(cover.missing_nodes()),
                all_nodes=len(dialogue.nodes),
                routes=len(cover.all_routes()) - len(cover.missing_routes()),
                all_routes=len(cover.all_routes()),
                endings=len(cover.endings) - len(cover.missing_endings()),
                all_endings=len(cover.endings),
            )
        )
        for label, items in (
            ("test.missing_nodes", cover.missing_nodes()),
            ("test.missing_endings", cover.missing_endings()),
            (
                "test.missing_routes",
                [f"{n} {k}→{dialogue.target(n, k)}" for n, k in cover.missing_routes()],
            ),
        ):
            if items:
                print("  " + text(label, items=", ".join(items)))
    chosen = [content.dialogues[d] for d in sorted(coverage)] or list(content.dialogues.values())
    if args.explore:
        failed += sum(_explore(content, d, Path(args.out)) for d in chosen)
    if args.random:
        failed += sum(_random(content, d, args.random, args.seed, Path(args.out)) for d in chosen)
    if needs_kaart:
        print(counted("test.needs_kaart_summary", needs_kaart, file=_kaart_file(content)))
    print(counted("test.summary_failed", failed) if failed else text("test.summary_ok"))
    return 1 if failed else 0


def _explore(content: Content, dialogue: Dialogue, out: Path) -> int:
    """Exhaustive walk of one dialogue; returns the number of problems found."""
    from trainer.engine.explorer import (
        explore,
        playthrough_file,
        replay_path,
        write_playthrough,
    )

    persona = content.personas[dialogue.persona]
    result = explore(dialogue, persona, kaart=content.kaart)
    states = counted("count.states", result.states)
    print(text("test.explore", dialogue=dialogue.id, states=states))
    problems = 0
    if result.truncated:
        print("  " + text("test.truncated"))
    for node, taken in result.stuck.items():
        path = replay_path(dialogue, persona, taken)
        body = playthrough_file(dialogue, f"loopt vast bij {node}", taken, path, None)
        written = write_playthrough(out, f"{dialogue.id}-vast-{node}.tests.yaml", body)
        print("  " + text("test.stuck", node=node, file=written))
        problems += 1
    for label, items in (
        ("test.never_visited", result.unvisited()),
        ("test.never_ended", result.unreached_endings()),
    ):
        if items:
            print("  " + text(label, items=", ".join(items)))
            problems += len(items)
    unused = [f"{n} {k}→{dialogue.target(n, k)}" for n, k in result.unused_routes()]
    if unused:
        print("  " + text("test.unused_routes", items=", ".join(unused)))
    if not problems:
        print("  " + text("test.explore_ok"))
    return problems


def _random(content: Content, dialogue: Dialogue, count: int, seed: int, out: Path) -> int:
    from trainer.engine.explorer import playthrough_file, random_runs, write_playthrough

    runs = random_runs(
        dialogue, content.personas[dialogue.persona], count, seed, kaart=content.kaart
    )
    failures = [r for r in runs if r.failed]
    conversations = counted("count.conversations", count)
    print(
        text(
            "test.random",
            dialogue=dialogue.id,
            conversations=conversations,
            seed=seed,
            failed=len(failures),
        )
    )
    for run in failures:
        name = f"willekeurig {run.number} (seed {seed})"
        body = playthrough_file(dialogue, name, run.moves, run.path, None)
        written = write_playthrough(
            out, f"{dialogue.id}-willekeurig-{seed}-{run.number}.tests.yaml", body
        )
        print("  " + text("test.random_failed", number=run.number, file=written))
    return len(failures)
