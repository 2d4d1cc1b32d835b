"""The shipped content: clean under `check --strict`, and every playthrough passes.

pytest runs every `*.tests.yaml` beside the dialogues, so an author's playthroughs are part of
the suite without writing Python.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MINI, run_cli
from trainer.commands.check import collect
from trainer.content.loader import default_content_root, load_content
from trainer.engine.playthrough import load_playthroughs, run_playthrough
from trainer.scoring import default_scorer

SHIPPED = default_content_root()
ROOTS = [SHIPPED, MINI]


def _playthroughs():
    for root in ROOTS:
        content = load_content(root)
        for path in content.playthrough_files():
            for playthrough in load_playthroughs(path, content)[0]:
                yield pytest.param(content, playthrough, id=f"{path.name}:{playthrough.name}")


def test_shipped_content_has_lodewijk_and_anna() -> None:
    content = load_content(SHIPPED)
    assert {"lodewijk", "anna"} <= set(content.personas)
    for persona in ("lodewijk", "anna"):
        dialogues = content.dialogues_for(persona)
        assert dialogues, f"{persona} has no playable dialogue"
        for dialogue in dialogues:
            assert len(dialogue.nodes) >= 15
            assert len({n.end.outcome for n in dialogue.endings()}) >= 3


@pytest.mark.parametrize("root", ROOTS, ids=["shipped", "mini"])
def test_check_strict_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "--strict", "--content", str(root))
    assert code == 0, out


@pytest.mark.parametrize(("content", "playthrough"), list(_playthroughs()))
def test_playthrough(content, playthrough) -> None:
    dialogue = content.dialogues[playthrough.dialogue]
    persona = content.personas[dialogue.persona]
    result = run_playthrough(playthrough, dialogue, persona, default_scorer(), kaart=content.kaart)
    assert result.error is None, result.error
    assert result.path == list(playthrough.path or result.path), (
        f"expected {' > '.join(playthrough.path or [])}\n   got {' > '.join(result.path)}"
    )
    assert result.outcome == playthrough.outcome


@pytest.mark.parametrize("root", ROOTS, ids=["shipped", "mini"])
def test_every_ending_and_node_is_covered_by_a_playthrough(root: Path) -> None:
    content, problems, _ = collect(root)
    assert not [p for p in problems if p.severity == "error"]
    for dialogue in content.dialogues.values():
        reached: set[str] = set()
        outcomes: set[str] = set()
        for path in content.playthrough_files():
            for playthrough in load_playthroughs(path, content)[0]:
                if playthrough.dialogue != dialogue.id:
                    continue
                persona = content.personas[dialogue.persona]
                result = run_playthrough(
                    playthrough, dialogue, persona, default_scorer(), kaart=content.kaart
                )
                reached.update(result.path)
                outcomes.add(result.outcome or "")
        endings = {n.id for n in dialogue.endings()}
        assert endings <= reached, (
            f"{dialogue.id}: no playthrough ends at {sorted(endings - reached)}"
        )
