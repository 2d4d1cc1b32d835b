"""Eight processes writing to one store at once (browser tabs, or a group on one laptop):
every turn arrives, in order, and no "database is locked" reaches anyone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from trainer.store.database import Store

WRITERS = 8
TURNS = 500

# One writer: a real session on the fixture dialogue, then TURNS turns through Store.add_turn,
# each committed on its own (as the app does). Prints the session id, or the error.
WRITER = """
import sys
from dataclasses import replace
from pathlib import Path
from trainer.content.loader import load_content
from trainer.sessions.conversation import Conversation
from trainer.engine.step import Answer
from trainer.store.database import Store

content = load_content(Path(sys.argv[2]))
store = Store(Path(sys.argv[1]))
talk = Conversation.start(
    store, content.personas["henk"], content.dialogues["henk-kennismaking"], sys.argv[3]
)
first = talk.answer(Answer.pick(0), None)
for index in range(2, int(sys.argv[4]) + 1):
    store.add_turn(talk.session, replace(first, index=index, answer=f"{sys.argv[3]} {index}"))
print(talk.session)
"""


def test_eight_writers_at_once_lose_nothing_and_never_see_locked(
    mini: Path, data_dir: Path
) -> None:
    Store(data_dir).close()  # the schema exists before the race, as in a running group

    def writer(n: int) -> subprocess.Popen:
        args = [str(data_dir), str(mini), f"deelnemer{n}", str(TURNS)]
        return subprocess.Popen(
            [sys.executable, "-c", WRITER, *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        )  # fmt: skip

    writers = [writer(n) for n in range(WRITERS)]
    results = [writer.communicate(timeout=300) for writer in writers]
    for writer, (_, err) in zip(writers, results, strict=True):
        assert writer.returncode == 0, err
        assert "locked" not in err.lower()
    with Store(data_dir) as store:
        sessions = store.list_sessions()
        assert len(sessions) == WRITERS
        assert sorted(s.id for s in sessions) == sorted(out.strip() for out, _ in results)
        for summary in sessions:
            turns = store.turns(summary.id)
            assert summary.turns == TURNS
            assert [t.index for t in turns] == list(range(1, TURNS + 1))
            assert turns[-1].answer == f"{summary.trainee} {TURNS}"
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
