"""Durable store writes: how many turns a second the store commits, the way the app records them.

A turn is recorded by `Conversation.record`, which calls `Store.add_turn`: one `BEGIN
IMMEDIATE ... COMMIT` on a WAL database with `synchronous = FULL`, so each commit is fsynced
and a crash keeps every turn already recorded. The turns are real: the shipped dialogues
played with answers from the corpus, scored by the classifier with explanations and the
sociale kaart (as the app does), so each record has the size it has in use (about 1.6 kB).
They are played once, untimed, and then recorded again into new sessions in the timed
batches; only `record` is timed (a session's start is not).

A typed answer in the app also saves a draft before it is scored (`save_draft`, one more
commit): the second figure is that path, draft plus turn. The third is the floor the disk
sets: a bare SQLite commit of one row of the same size, WAL and synchronous=FULL, in the same
folder. Short batches of the three alternate, so all three see the same load on a shared disk
(where other processes' fsyncs can slow every commit several times over).

`python bench/store_writes.py` prints the three figures.
"""

from __future__ import annotations

import itertools
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POOL = 300  # turns played once, then recorded again and again
BATCH = 60  # turns per timed batch: short, so that the kinds alternate often
BATCHES = 15  # of each kind; each figure is the median over its batches
BUDGET = 1000.0  # turns per second
MAX_TURNS = 40  # a session that loops this long is cut off


def _pool(store, content):
    """Sessions played with the real classifier: [(persona, dialogue, [turns])]."""
    from trainer.engine.records import Answer
    from trainer.scoring import default_scorer
    from trainer.scoring.corpus import training_examples
    from trainer.sessions.conversation import Conversation

    scorer = default_scorer(content.root).explaining()
    answers = itertools.cycle([e.text for e in training_examples()][:400])
    dialogues = sorted(content.dialogues.values(), key=lambda d: d.id)
    sessions, played = [], 0
    for dialogue in itertools.cycle(dialogues):
        persona = content.personas[dialogue.persona]
        conversation = Conversation.start(store, persona, dialogue, "Speler", kaart=content.kaart)
        while not conversation.ended and len(conversation.turns) < MAX_TURNS:
            conversation.answer(Answer(next(answers)), scorer)
        sessions.append((persona, dialogue, conversation.turns))
        played += len(conversation.turns)
        if played >= POOL:
            return sessions
    raise AssertionError("unreachable")


def measure(batches: int = BATCHES) -> dict[str, float]:
    """Medians over batches: turns/s recorded, typed answers/s (draft + turn), bare commits/s;
    the median ratio of recorded turns to bare commits in the same round; the record size."""
    from trainer.content.loader import default_content_root, load_content
    from trainer.sessions.conversation import Conversation
    from trainer.store.database import Store

    content = load_content(default_content_root())
    folder = Path(tempfile.mkdtemp(prefix="bt-bench-store-"))
    rates: dict[str, list[float]] = {"record": [], "draft": [], "bare": []}
    with Store(folder / "played") as scratch:
        sessions = _pool(scratch, content)
        size = statistics.mean(
            len(r[0]) for r in scratch.db.execute("SELECT record FROM turns")
        )  # fmt: skip
    row = "x" * int(size)
    bare = sqlite3.connect(folder / "bare.db", isolation_level=None)
    bare.execute("PRAGMA journal_mode = WAL")
    bare.execute("PRAGMA synchronous = FULL")
    bare.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, record TEXT NOT NULL)")
    replay = itertools.cycle(sessions)
    with Store(folder / "store") as store:
        for _ in range(batches):
            for kind in ("record", "draft"):
                spent, done = 0.0, 0
                while done < BATCH:
                    persona, dialogue, turns = next(replay)
                    conversation = Conversation.start(
                        store, persona, dialogue, "Bench", kaart=content.kaart
                    )
                    for turn in turns:
                        began = time.perf_counter()
                        if kind == "draft":
                            conversation.save_draft(turn.answer)
                        conversation.record(turn)
                        spent += time.perf_counter() - began
                    done += len(turns)
                rates[kind].append(done / spent)
            began = time.perf_counter()
            for _ in range(BATCH):
                bare.execute("BEGIN IMMEDIATE")
                bare.execute("INSERT INTO t(record) VALUES (?)", (row,))
                bare.execute("COMMIT")
            rates["bare"].append(BATCH / (time.perf_counter() - began))
    bare.close()
    ratio = statistics.median(r / b for r, b in zip(rates["record"], rates["bare"], strict=True))
    return {**{k: statistics.median(v) for k, v in rates.items()}, "ratio": ratio, "size": size}


def main() -> int:
    found = measure()
    budget = f"(budget >= {BUDGET:.0f})"
    print(f"turns recorded (one commit each):        {found['record']:8.0f} /s  {budget}")
    print(f"typed answers (draft + turn, 2 commits): {found['draft']:8.0f} /s")
    print(f"bare SQLite commits (WAL, FULL), floor:  {found['bare']:8.0f} /s")
    print(f"recorded turns per bare commit, same round: {found['ratio']:.2f}")
    print(f"record size: {found['size']:.0f} bytes")
    return 0 if found["record"] >= BUDGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
