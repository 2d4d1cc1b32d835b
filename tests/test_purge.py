"""`buurttrainer purge --before DATE`: old sessions go with everything attached to them, and
the deleted conversations are not left readable in the store file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_cli
from trainer.content.loader import load_content
from trainer.engine.records import Answer, FixedScorer
from trainer.sessions.conversation import Conversation
from trainer.store.database import DB_NAME, Store
from trainer.store.reviews import add_comment, correct


def _session(store: Store, mini: Path, trainee: str, answer: str, last_played: str) -> str:
    content = load_content(mini)
    talk = Conversation.start(
        store, content.personas["henk"], content.dialogues["henk-kennismaking"], trainee
    )
    talk.answer(Answer(answer), FixedScorer(frozenset({"listening"})))
    store.save_draft(talk.session, "nog niet verstuurd " + answer)
    with store.transaction() as db:  # as if it was last played then
        db.execute("UPDATE sessions SET updated = ? WHERE id = ?", (last_played, talk.session))
    return talk.session


@pytest.fixture
def old_and_new(mini: Path, data_dir: Path) -> tuple[str, str, str]:
    with Store(data_dir) as store:
        old = _session(store, mini, "Oud Lid", "GEHEIM-OUD-ANTWOORD", "2025-03-01T10:00:00+00:00")
        both = _session(store, mini, "Sanne", "Sanne vroeg", "2025-12-31T23:59:59+00:00")
        new = _session(store, mini, "Sanne", "Sanne nu", "2026-01-01T00:00:00+00:00")
        add_comment(store, old, 1, "Trainer", "mooi gevraagd")
        correct(store, old, 1, "Trainer", ("listening", "referral"))
        add_comment(store, new, None, "Trainer", "blijft staan")
    return old, both, new


def test_purge_deletes_old_sessions_with_turns_reviews_drafts_and_names(
    old_and_new: tuple[str, str, str], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, both, new = old_and_new
    code, out, err = run_cli(capsys, "purge", "--before", "2026-01-01")
    assert code == 0, err
    assert out.splitlines()[0] == (
        "Verwijderd: 2 sessies van vóór 2026-01-01, met 2 beurten en 2 beoordelingen;"
        " 1 deelnemer zonder sessies."
    )
    assert "exports en rapporten" in out
    with Store(data_dir) as store:
        assert [s.id for s in store.list_sessions()] == [new]
        assert store.trainees() == ["Sanne"]  # "Oud Lid" had nothing left
        assert store.draft(old) is None and store.draft(both) is None
        assert store.draft(new) == "nog niet verstuurd Sanne nu"
        counts = {
            table: store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("turns", "reviews")
        }
    assert counts == {"turns": 1, "reviews": 1}
    # Deleted for real: the answer's text is gone from the file and its write-ahead log.
    for path in data_dir.glob(DB_NAME + "*"):
        assert b"GEHEIM-OUD-ANTWOORD" not in path.read_bytes(), path.name
    with sqlite3.connect(data_dir / DB_NAME) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_dry_run_says_what_would_go_and_deletes_nothing(
    old_and_new: tuple[str, str, str], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "purge", "--before", "2025-06-01", "--dry-run")
    assert code == 0
    assert out.strip() == (
        "Zou verwijderen: 1 sessie van vóór 2025-06-01, met 1 beurt en 2 beoordelingen;"
        " 1 deelnemer zonder sessies. Er is niets verwijderd."
    )
    with Store(data_dir) as store:
        assert len(store.list_sessions()) == 3


def test_purge_needs_a_real_date(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "purge", "--before", "vorig jaar")
    assert code == 1 and out == ""
    assert "--before: 'vorig jaar' is geen datum; schrijf JJJJ-MM-DD" in err
    code, _, err = run_cli(capsys, "purge")
    assert code == 2 and "--before" in err and "Traceback" not in err
