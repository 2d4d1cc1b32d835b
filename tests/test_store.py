"""The store: durable turns, resume, listing and filtering, schema version."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import MINI
from trainer.content.loader import load_content
from trainer.engine.records import Answer
from trainer.engine.step import opening, step
from trainer.store.database import SCHEMA_VERSION, Opening, Store, StoreError


@pytest.fixture
def henk():
    content = load_content(MINI)
    return content.dialogues["henk-kennismaking"], content.personas["henk"]


def _play(store: Store, henk, trainee: str, answers: list[int]) -> str:
    dialogue, persona = henk
    state, reply = opening(dialogue, persona, trainee)
    session = store.start_session(
        trainee, persona.id, dialogue.id, "choices", Opening(state, reply)
    )
    for index in answers:
        turn = step(dialogue, persona, state, Answer.pick(index), None, trainee)
        store.add_turn(session, turn)
        state = turn.state_after
    return session


def test_turns_are_visible_to_another_connection_at_once(tmp_path: Path, henk) -> None:
    with Store(tmp_path) as store:
        session = _play(store, henk, "Fatima", [0])
        other = sqlite3.connect(tmp_path / "buurttrainer.sqlite3")
        assert (
            other.execute("SELECT count(*) FROM turns WHERE session_id = ?", (session,)).fetchone()[
                0
            ]
            == 1
        )


def test_resume_state_and_summary(tmp_path: Path, henk) -> None:
    with Store(tmp_path) as store:
        session = _play(store, henk, "Fatima", [0])
    with Store(tmp_path) as store:  # a new process would do the same
        assert store.current_state(session).node == "knie"
        summary = store.summary(session)
        assert (summary.turns, summary.finished, summary.outcome) == (1, None, None)
        assert [t.node for t in store.turns(session)] == ["deur"]
        assert store.opening(session).reply.startswith("*Een oudere man")


def test_finished_sessions_get_outcome(tmp_path: Path, henk) -> None:
    with Store(tmp_path) as store:
        session = _play(store, henk, "Fatima", [0, 0])
        summary = store.summary(session)
        assert summary.outcome == "connected" and summary.finished


def test_listing_filters(tmp_path: Path, henk) -> None:
    with Store(tmp_path) as store:
        a = _play(store, henk, "Fatima", [0])
        b = _play(store, henk, "Joost", [1])
        assert {s.id for s in store.list_sessions()} == {a, b}
        assert [s.id for s in store.list_sessions(trainee="Joost")] == [b]
        assert store.list_sessions(persona="anna") == []
        assert [s.id for s in store.list_sessions(unfinished=True)] == [a]
        assert store.list_sessions(since="2999-01-01") == []
        assert store.resolve(a[:6]) == a
        with pytest.raises(KeyError):
            store.resolve("zzz")


def test_schema_version_and_wal(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {
            r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        assert {"trainees", "sessions", "turns", "reviews"} <= tables


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    Store(tmp_path).close()
    db = sqlite3.connect(tmp_path / "buurttrainer.sqlite3")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError):
        Store(tmp_path)


def test_corrupt_file_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "buurttrainer.sqlite3").write_bytes(b"dit is geen database" * 100)
    with pytest.raises(StoreError):
        Store(tmp_path)


def test_store_is_owner_only(tmp_path: Path) -> None:
    Store(tmp_path / "d").close()
    assert (tmp_path / "d" / "buurttrainer.sqlite3").stat().st_mode & 0o077 == 0
