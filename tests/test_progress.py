"""Debrief and progress figures: the numbers the app (and later the reports) show."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MINI
from trainer.content.loader import load_content
from trainer.engine.records import Answer
from trainer.sessions.cohort import trainee_trends
from trainer.sessions.conversation import Conversation, ConversationError
from trainer.sessions.progress import best_and_weakest, best_outcomes, session_result
from trainer.store.database import Store


def play(store: Store, picks: list[int], trainee: str = "Sanne") -> Conversation:
    content = load_content(MINI)
    conversation = Conversation.start(
        store, content.personas["henk"], content.dialogues["henk-kennismaking"], trainee
    )
    for pick in picks:
        conversation.answer(Answer.pick(pick), None)
    return conversation


def test_best_outcome_prefers_a_neighbour_over_a_referral_over_a_closed_door(
    data_dir: Path,
) -> None:
    with Store(data_dir) as store:
        play(store, [1])  # closed
        assert best_outcomes(store, "Sanne") == {"henk": "closed"}
        play(store, [0, 1])  # referred
        play(store, [0])  # unfinished: not a result
        assert best_outcomes(store, "Sanne") == {"henk": "referred"}
        play(store, [0, 0])  # connected
        assert best_outcomes(store, "Sanne") == {"henk": "connected"}
        assert best_outcomes(store, "Kees") == {}
        (trend,) = trainee_trends(store, trainee="Sanne")
        assert [s.outcome for s in trend.sessions] == [
            "closed",
            "referred",
            "connected",
        ]


def test_session_result_counts_skills_and_splits_best_from_weakest(data_dir: Path) -> None:
    with Store(data_dir) as store:
        conversation = play(store, [0, 1])
        result = session_result(store, conversation.session)
        shares = {s.skill: (s.shown, s.answers) for s in result.skills}
        assert shares == {"listening": (2, 2), "reciprocity": (0, 2), "referral": (1, 2)}
        assert [r.turn.index for r in result.best] == [1], "trust +10 beats no change"
        assert [r.turn.index for r in result.weakest] == [2]
        assert not {r.turn.index for r in result.best} & {r.turn.index for r in result.weakest}


def test_best_and_weakest_of_nothing_is_empty() -> None:
    assert best_and_weakest([]) == ((), ())


def test_a_finished_session_cannot_be_resumed(data_dir: Path) -> None:
    with Store(data_dir) as store:
        conversation = play(store, [1])
        try:
            Conversation.resume(store, load_content(MINI), conversation.session)
        except ConversationError:
            pass
        else:
            raise AssertionError("resumed a finished session")
