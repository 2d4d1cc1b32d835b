"""The engine: deterministic turns, first-match routing, effects, flags and endings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MINI
from trainer.content.loader import load_content
from trainer.engine.records import Answer, EngineError, FixedScorer, State, Turn
from trainer.engine.step import opening, step


@pytest.fixture(scope="module")
def henk():
    content = load_content(MINI)
    return content.dialogues["henk-kennismaking"], content.personas["henk"]


def test_opening_renders_the_first_line(henk) -> None:
    dialogue, persona = henk
    state, reply = opening(dialogue, persona, "Sam")
    assert state == State("deur", 40, 40, frozenset(), 0)
    assert reply.startswith("*Een oudere man doet langzaam open.*")


def test_choice_turn_records_everything(henk) -> None:
    dialogue, persona = henk
    state, _ = opening(dialogue, persona, "Sam")
    turn = step(dialogue, persona, state, Answer.pick(0), None, "Sam")
    assert turn.mode == "choice" and turn.choice == 0 and turn.route is None
    assert turn.labels == ("listening",)
    assert turn.scores == {"listening": 1.0, "reciprocity": 0.0, "referral": 0.0}
    assert turn.state_before == state
    assert turn.state_after.node == "knie" and turn.state_after.trust == 50
    assert turn.state_after.turn == 1
    assert turn.feedback == ("Een open vraag nodigt hem uit.",)
    assert "Riet" in turn.reply
    assert turn.outcome is None


def test_free_text_takes_the_first_matching_route(henk) -> None:
    dialogue, persona = henk
    state, _ = opening(dialogue, persona, "Sam")
    turn = step(
        dialogue,
        persona,
        state,
        Answer("Hoe gaat het?"),
        FixedScorer(frozenset({"listening"})),
        "Sam",
    )
    assert (turn.route, turn.route_condition, turn.state_after.node) == (0, "listening", "knie")
    # Neither route 1 (needs trust < 30) nor route 0 holds: the fallback, with its effect.
    turn = step(dialogue, persona, state, Answer("Mooi weer"), FixedScorer(), "Sam")
    assert (turn.route, turn.route_condition) == (2, "anders")
    assert turn.state_after.trust == 35


def test_state_conditions_use_trust_before_the_answer(henk) -> None:
    dialogue, persona = henk
    low = State("deur", 20, 40)
    turn = step(dialogue, persona, low, Answer("Mooi weer"), FixedScorer(), "Sam")
    assert turn.route == 1 and turn.outcome == "closed"


def test_flags_and_templates(henk) -> None:
    dialogue, persona = henk
    state = State("knie", 60, 40)
    turn = step(
        dialogue,
        persona,
        state,
        Answer("U kunt vast veel"),
        FixedScorer(frozenset({"reciprocity"})),
        "Sam",
    )
    assert "vak_genoemd" in turn.state_after.flags
    assert turn.reply == "Mijn vak, ja. Dat zou ik best willen, Sam."
    assert turn.outcome == "connected" and turn.ended


def test_trust_is_clamped(henk) -> None:
    dialogue, persona = henk
    turn = step(dialogue, persona, State("deur", 10, 40), Answer.pick(1), None, "Sam")
    assert turn.state_after.trust == 0


def test_same_input_same_turn(henk) -> None:
    dialogue, persona = henk
    state, _ = opening(dialogue, persona, "Sam")
    scorer = FixedScorer(frozenset({"listening"}))
    assert step(dialogue, persona, state, Answer("x"), scorer, "Sam") == step(
        dialogue, persona, state, Answer("x"), scorer, "Sam"
    )


def test_turn_round_trips_through_json(henk) -> None:
    dialogue, persona = henk
    state, _ = opening(dialogue, persona, "Sam")
    turn = step(dialogue, persona, state, Answer.pick(0), None, "Sam")
    assert Turn.from_json(turn.to_json()) == turn


@pytest.mark.parametrize(
    ("state", "answer", "scorer"),
    [
        (State("buurman", 40, 40), Answer.pick(0), None),  # already ended
        (State("deur", 40, 40), Answer.pick(5), None),  # no such choice
        (State("deur", 40, 40), Answer("hallo"), None),  # free text without scorer
    ],
)
def test_impossible_answers_raise_engine_error(henk, state, answer, scorer) -> None:
    dialogue, persona = henk
    with pytest.raises(EngineError):
        step(dialogue, persona, state, answer, scorer, "Sam")


def test_core_does_not_import_textual() -> None:
    import subprocess
    import sys

    code = (
        "import sys, trainer.content.loader, trainer.content.checks, trainer.engine.step, trainer.store.database, "
        "trainer.engine.playthrough, trainer.content.graph, trainer.sessions.conversation, trainer.sessions.progress, "
        "trainer.scoring.keywords, trainer.scoring.classifier, trainer.scoring.loader, "
        "trainer.store.reviews, trainer.sessions.cohort, trainer.store.exchange, trainer.files, trainer.reports, "
        "trainer.app.exports, trainer.engine.preview, trainer.sessions.unmatched, trainer.engine.explorer, trainer.content.scaffold; "
        "bad = [m for m in ('textual', 'sklearn') if m in sys.modules]; "
        "print(bad); sys.exit(1 if 'textual' in bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
