"""The review screen's queries on a big store: 100,000 sessions and 2,000,000 turns.

`python bench/review_scale.py` builds the store once (about a minute; kept in
bench/.cache/review-100k, which git ignores) and prints the median time of each query the review
screen and `sessions` run: counting and listing a page with filters, sorting on every column,
a deep page, and opening one session (summary, opening, all turns, reviews). `bench/run.py`
puts the worst of them in its table and lists them all below it.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.store.database import DB_NAME, SessionQuery, Store  # noqa: E402
from trainer.store.reviews import reviews_of  # noqa: E402

CACHE = ROOT / "bench" / ".cache" / "review-100k"
SESSIONS = 100_000
TURNS_PER_SESSION = 20
TRAINEES = 400
PAGE = 50
BUDGET_MS = 300.0
SKILLS = ("listening", "reciprocity", "referral")
DIALOGUES = (("anna", "anna-na-het-ontslag"), ("lodewijk", "lodewijk-aan-de-deur"))
OUTCOMES = ("connected", "referred", "open", "taken_over", "closed", None)


def _turn_record(index: int, node: str, after: str, labels: list[str], rng: random.Random) -> str:
    state = {"node": node, "trust": 40, "mood": 50, "flags": [], "turn": index - 1}
    record = {
        "index": index,
        "node": node,
        "mode": "free",
        "answer": f"Antwoord {index}: hoe is dat voor u, en wat zou u zelf willen doen?",
        "choice": None,
        "route": rng.randrange(3),
        "route_condition": "listening",
        "scores": {s: round(rng.random(), 3) for s in SKILLS},
        "labels": labels,
        "model": "bench",
        "feedback": ["Je vraagt door naar wat zij zelf wil."],
        "state_before": state,
        "state_after": {**state, "node": after, "turn": index},
        "reply": "Nou, dat weet ik eigenlijk niet zo goed. Misschien wel, ja.",
        "outcome": None,
        "explanation": {s: {"up": [["hoe", 0.8]], "down": []} for s in SKILLS},
        "extra": {},
    }
    return json.dumps(record, ensure_ascii=False)


def build(folder: Path, sessions: int = SESSIONS, turns: int = TURNS_PER_SESSION) -> None:
    """Write the synthetic store with the program's own schema (so its indexes are the real
    ones), in bulk: one transaction, no fsync per row."""
    if folder.exists():
        shutil.rmtree(folder)
    rng = random.Random(7)
    with Store(folder) as store:
        db = store.db
        db.execute("PRAGMA synchronous = OFF")
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO trainees(id, name, created) VALUES (?, ?, '2025-01-01T00:00:00+00:00')",
            [(n + 1, f"Deelnemer {n:03d}") for n in range(TRAINEES)],
        )
        start = datetime(2025, 1, 1, tzinfo=UTC)
        opening = json.dumps(
            {"state": {"node": "deur", "trust": 30, "mood": 50, "flags": [], "turn": 0},
             "reply": "Ja? Wat is er?"}
        )  # fmt: skip
        session_rows, turn_rows = [], []
        for number in range(sessions):
            persona, dialogue = DIALOGUES[number % 2]
            began = start + timedelta(minutes=number * 10 + rng.randrange(10))
            outcome = rng.choice(OUTCOMES)
            counts = dict.fromkeys(SKILLS, 0)
            sid = f"{number:032x}"
            for index in range(1, turns + 1):
                labels = [s for s in SKILLS if rng.random() < 0.4]
                for s in labels:
                    counts[s] += 1
                node, after = f"n{index}", f"n{index + 1}"
                created = (began + timedelta(seconds=30 * index)).isoformat()
                last = index == turns
                turn_rows.append(
                    (sid, index, created, node, " ".join(labels),
                     outcome if last else None, f"r{rng.randrange(3)}",
                     _turn_record(index, node, after, labels, rng))
                )  # fmt: skip
            updated = (began + timedelta(seconds=30 * turns)).isoformat()
            session_rows.append(
                (sid, 1 + number % TRAINEES, persona, dialogue, "free", began.isoformat(),
                 updated, updated if outcome else None, outcome, turns, opening,
                 counts["listening"], counts["reciprocity"], counts["referral"],
                 f"n{turns + 1}", int(number % 10 == 0))
            )  # fmt: skip
            if len(turn_rows) >= 100_000:
                _flush(db, session_rows, turn_rows)
        _flush(db, session_rows, turn_rows)
        db.execute("COMMIT")
        db.execute("ANALYZE")


def _flush(db, session_rows: list, turn_rows: list) -> None:
    db.executemany(
        "INSERT INTO sessions(id, trainee_id, persona, dialogue, mode, started, updated, finished,"
        " outcome, turns, opening, listening, reciprocity, referral, node, reviewed)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        session_rows,
    )
    db.executemany(
        "INSERT INTO turns(session_id, idx, created, node, labels, outcome, route, record)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        turn_rows,
    )
    session_rows.clear()
    turn_rows.clear()


def ensure_store() -> Path:
    marker = CACHE / "complete"
    if not marker.exists():
        print(f"building {SESSIONS:,} sessions / {SESSIONS * TURNS_PER_SESSION:,} turns...",
              file=sys.stderr)  # fmt: skip
        began = time.perf_counter()
        build(CACHE)
        marker.write_text("ok")
        print(f"built in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    return CACHE


def median_ms(function: Callable[[], object], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def measurements(folder: Path) -> list[tuple[str, float, float, str]]:
    """(name, ms, budget, unit) per query; each is what one screen refresh runs."""
    rows = []
    with Store(folder) as store:
        assert store.count_sessions(SessionQuery()) == SESSIONS, "incomplete bench store"

        def page(query: SessionQuery, offset: int = 0) -> Callable[[], object]:
            def run() -> object:
                return store.count_sessions(query), store.find_sessions(query, PAGE, offset)

            return run

        cases = {
            "newest first (no filter)": page(SessionQuery()),
            "filter: part of a trainee name": page(SessionQuery(trainee_part="deelnemer 12")),
            "filter: persona + date range": page(
                SessionQuery(persona="anna", since="2025-06-01", until="2025-06-30")
            ),
            "filter: not reviewed, sorted by duration": page(
                SessionQuery(reviewed=False, sort="duration")
            ),
            "sort: trainee A-Z": page(SessionQuery(sort="trainee", descending=False)),
            "sort: listening share": page(SessionQuery(sort="listening")),
            "sort: outcome": page(SessionQuery(sort="outcome", descending=False)),
            "page 1,000 of 2,000": page(SessionQuery(), offset=50_000),
        }
        for name, run in cases.items():
            rows.append((f"review at 100k: {name}, ms", median_ms(run), BUDGET_MS, "ms"))
        sid = f"{SESSIONS // 2:032x}"

        def open_session() -> object:
            return (store.summary(sid), store.opening(sid), store.turns(sid),
                    reviews_of(store, sid))  # fmt: skip

        rows.append(("review at 100k: open one session (20 turns), ms", median_ms(open_session),
                     BUDGET_MS, "ms"))  # fmt: skip
    return rows


def main() -> int:
    folder = ensure_store()
    size = (folder / DB_NAME).stat().st_size / 1e9
    print(f"store: {folder / DB_NAME} ({size:.2f} GB)")
    failed = 0
    for name, figure, budget, _unit in measurements(folder):
        ok = figure <= budget
        failed += not ok
        print(f"{name:58} {figure:10.1f} {budget:8.1f}  {'ok' if ok else 'OVER BUDGET'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
