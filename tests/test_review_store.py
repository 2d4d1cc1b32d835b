"""The trainer's side of the store: filtering and sorting sessions, comments and corrections,
the cohort figures, the schema upgrade, and export/import between laptops."""

from __future__ import annotations

import io
import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import MINI, run_cli
from tests.test_progress import play as play_conversation
from trainer.content.loader import load_content
from trainer.engine.records import Answer
from trainer.scoring.corpus import correction_examples, training_examples
from trainer.sessions.cohort import node_stats, trainee_trends
from trainer.sessions.conversation import Conversation
from trainer.store.database import MIGRATIONS, SessionQuery, Store
from trainer.store.exchange import (
    ImportFormatError,
    Pseudonymiser,
    export_lines,
    import_items,
    parse_lines,
    write_export,
)
from trainer.store.reviews import add_comment, correct, corrected_labels, corrections, reviews_of


def play(store: Store, picks: list[int], trainee: str = "Sanne") -> str:
    """Play Henk's dialogue with these choices; returns the session id."""
    return play_conversation(store, picks, trainee).session


def stamp(store: Store, session: str, started: str, updated: str | None = None) -> None:
    """Pretend a session was played at another time."""
    store.db.execute(
        "UPDATE sessions SET started = ?, updated = ? WHERE id = ?",
        (started, updated or started, session),
    )


# ---------------------------------------------------------------------- listing


def test_sessions_filter_on_part_of_a_name_persona_dates_and_reviewed(data_dir: Path) -> None:
    with Store(data_dir) as store:
        a = play(store, [0, 0], "Sanne de Vries")
        b = play(store, [1], "Kees")
        c = play(store, [0], "Sanne Jansen")
        stamp(store, a, "2026-10-01T09:00:00+00:00", "2026-10-01T09:12:30+00:00")
        stamp(store, b, "2026-10-15T09:00:00+00:00")
        stamp(store, c, "2026-11-02T09:00:00+00:00")
        add_comment(store, b, None, "Trainer Tom", "Goed begin")

        def ids(**kw) -> list[str]:
            return [s.id for s in store.find_sessions(SessionQuery(**kw))]

        assert ids(trainee_part="sanne") == [c, a], "any case, newest first"
        assert ids(trainee_part="%") == [], "a % is a character, not a wildcard"
        assert ids(since="2026-10-15") == [c, b]
        assert ids(until="2026-10-15") == [b, a], "the end date is inclusive"
        assert ids(since="2026-10-02", until="2026-10-31") == [b]
        assert ids(persona="henk", reviewed=True) == [b]
        assert ids(reviewed=False) == [c, a]
        assert store.count_sessions(SessionQuery(trainee_part="SANNE")) == 2
        first = store.summary(a)
        assert first.duration == 750
        assert first.skills == {"listening": 1, "reciprocity": 1, "referral": 0}
        assert first.node == "buurman" and first.outcome == "connected"


def test_sessions_sort_on_any_column_and_page(data_dir: Path) -> None:
    with Store(data_dir) as store:
        made = [play(store, [0, 0] if n % 2 else [1], f"T{n:02d}") for n in range(7)]
        by_name = store.find_sessions(SessionQuery(sort="trainee", descending=False))
        assert [s.trainee for s in by_name] == [f"T{n:02d}" for n in range(7)]
        most_turns = store.find_sessions(SessionQuery(sort="turns"), limit=3)
        assert all(s.turns == 2 for s in most_turns)
        page2 = store.find_sessions(SessionQuery(sort="trainee", descending=False), 3, 3)
        assert [s.trainee for s in page2] == ["T03", "T04", "T05"]
        by_listening = store.find_sessions(SessionQuery(sort="listening"))
        assert by_listening[0].share("listening") >= by_listening[-1].share("listening")
        bogus = store.find_sessions(SessionQuery(sort="name; DROP TABLE sessions"))
        assert len(bogus) == len(made), "an unknown sort key falls back to the date"


# ---------------------------------------------------------------------- reviews


def test_comments_and_corrections_are_kept_with_who_and_when(data_dir: Path) -> None:
    with Store(data_dir) as store:
        session = play(store, [0, 0])
        add_comment(store, session, 1, "Tom", "Mooie open vraag")
        add_comment(store, session, None, "Tom", "Goed gesprek")
        correct(store, session, 2, "Tom", ["referral"])
        correct(store, session, 2, "Ayse", [])  # a second trainer: none of the three
        found = reviews_of(store, session)
        assert [(r.turn, r.kind) for r in found] == [
            (1, "comment"), (None, "comment"), (2, "correction"), (2, "correction"),
        ]  # fmt: skip
        latest = corrected_labels(found)[2]
        assert latest.author == "Ayse" and latest.labels == ()
        assert store.summary(session).reviewed
        with pytest.raises(KeyError):
            add_comment(store, session, 9, "Tom", "bestaat niet")
        with pytest.raises(ValueError):
            add_comment(store, session, 1, "Tom", "   ")
        with pytest.raises(ValueError):
            correct(store, session, 1, "Tom", ["empathy"])


def test_a_correction_becomes_a_training_example_that_wins_over_the_corpus(
    data_dir: Path,
) -> None:
    content = load_content(MINI)
    with Store(data_dir) as store:
        session = play(store, [0])
        answer = store.turns(session)[0].answer
        correct(store, session, 1, "Tom", ["referral"])
        found = corrections(store)
    assert [(c.answer, c.labels, c.model_labels, c.author) for c in found] == [
        (answer, ("referral",), ("listening",), "Tom")
    ]
    example = correction_examples(found)[0]
    assert (example.source, example.author, example.kind) == ("trainer", "Tom", "correction")
    examples = training_examples(content, found)
    same_text = [e for e in examples if e.text.lower() == answer.lower()]
    assert len(same_text) == 1, "the dialogue's own choice label is deduplicated away"
    assert same_text[0].labels == frozenset({"referral"})


# ---------------------------------------------------------------------- cohort


def test_node_stats_count_reached_stopped_and_routes(data_dir: Path) -> None:
    with Store(data_dir) as store:
        play(store, [0, 0])  # deur -> knie -> buurman (end)
        play(store, [0, 1])  # deur -> knie -> huisarts (end)
        play(store, [0])  # deur -> knie, then stopped
        play(store, [1])  # deur -> dicht (end)
        play(store, [])  # opened the door, nothing answered
        stats = node_stats(store, "henk-kennismaking")
    door = stats["deur"]
    assert (door.reached, door.answered, door.stopped) == (5, 4, 1)
    assert door.routes == {"c0": 3, "c1": 1}
    assert (stats["knie"].reached, stats["knie"].stopped) == (3, 1)
    assert stats["knie"].routes == {"c0": 1, "c1": 1}
    assert (stats["buurman"].reached, stats["buurman"].stopped) == (1, 1)


def test_trainee_trends_hold_finished_sessions_in_time_order(data_dir: Path) -> None:
    with Store(data_dir) as store:
        first = play(store, [1])
        play(store, [0])  # unfinished: not a point
        second = play(store, [0, 0])
        stamp(store, first, "2026-10-01T09:00:00+00:00")
        stamp(store, second, "2026-10-02T09:00:00+00:00")
        trends = trainee_trends(store)
    assert [t.trainee for t in trends] == ["Sanne"]
    assert [s.id for s in trends[0].sessions] == [first, second]
    assert trends[0].shares("listening") == [0.0, 0.5]


# ---------------------------------------------------------------------- schema upgrade


def test_a_version_1_store_is_upgraded_with_counts_routes_and_review_ids(data_dir: Path) -> None:
    with Store(data_dir) as store:
        session = play(store, [0, 0])
        add_comment(store, session, 1, "Tom", "ok")
    # Rebuild the file as version 1 had it, then open it with this program.
    path = data_dir / "buurttrainer.sqlite3"
    old = sqlite3.connect(path)
    sessions = old.execute("SELECT id, trainee_id, persona, dialogue, mode, started, updated,"
                           " finished, outcome, turns, opening FROM sessions").fetchall()  # fmt: skip
    turns = old.execute("SELECT session_id, idx, created, node, labels, outcome, record FROM turns")
    turns = turns.fetchall()
    old.close()
    os.remove(path)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
    db.execute("INSERT INTO trainees(id, name, created) VALUES (1, 'Sanne', 'x')")
    db.executemany("INSERT INTO sessions VALUES (?,?,?,?,?,?,?,?,?,?,?)", sessions)
    db.executemany("INSERT INTO turns VALUES (?,?,?,?,?,?,?)", turns)
    db.execute("INSERT INTO reviews(session_id, turn_idx, author, kind, body, created)"
               " VALUES (?, 1, 'Tom', 'comment', 'ok', 'x')", (session,))  # fmt: skip
    db.commit()
    db.close()
    with Store(data_dir) as store:
        summary = store.summary(session)
        assert summary.skills == {"listening": 1, "reciprocity": 1, "referral": 0}
        assert summary.node == "buurman" and summary.reviewed
        routes = store.db.execute("SELECT route FROM turns ORDER BY idx").fetchall()
        assert routes == [("c0",), ("c0",)]
        assert all(len(r.uid) == 32 for r in reviews_of(store, session))


# ---------------------------------------------------------------------- export and import


def export_text(store: Store, **kw) -> str:
    handle = io.StringIO()
    write_export(export_lines(store, **kw), handle)
    return handle.getvalue()


def test_export_import_round_trips_and_importing_twice_adds_nothing(tmp_path: Path) -> None:
    with Store(tmp_path / "laptop") as laptop:
        done = play(laptop, [0, 0])
        open_one = play(laptop, [0], "Kees")
        add_comment(laptop, done, 1, "Tom", "Mooi")
        correct(laptop, done, 2, "Tom", ["referral"])
        text_out = export_text(laptop)
        expected = {s: (laptop.summary(s), laptop.turns(s)) for s in (done, open_one)}
    items = parse_lines(text_out.splitlines(), "export.jsonl")
    with Store(tmp_path / "trainer") as central:
        first = import_items(central, items)
        assert (first.sessions_added, first.turns_added, first.reviews_added) == (2, 3, 2)
        again = import_items(central, items)
        assert (again.sessions_added, again.turns_added, again.reviews_added) == (0, 0, 0)
        assert again.unchanged == 2
        for session, (summary, turns) in expected.items():
            assert central.summary(session) == summary
            assert central.turns(session) == turns
        assert central.db.execute("SELECT count(*) FROM reviews").fetchone()[0] == 2
        assert [c.labels for c in corrections(central)] == [("referral",)]


def test_a_later_export_of_a_continued_session_adds_only_the_new_turns(tmp_path: Path) -> None:
    content = load_content(MINI)
    with Store(tmp_path / "laptop") as laptop, Store(tmp_path / "central") as central:
        session = play(laptop, [0])
        import_items(central, parse_lines(export_text(laptop).splitlines(), "a"))
        Conversation.resume(laptop, content, session).answer(Answer.pick(1), None)
        result = import_items(central, parse_lines(export_text(laptop).splitlines(), "b"))
        assert (result.sessions_updated, result.turns_added) == (1, 1)
        assert central.summary(session) == laptop.summary(session)


def test_pseudonymised_export_hides_the_name_everywhere_and_consistently(data_dir: Path) -> None:
    with Store(data_dir) as store:
        session = play(store, [0, 0], "Sanne de Vries")
        play(store, [1], "Sanne de Vries")
        add_comment(store, session, None, "Tom", "Sanne deed het goed; mevrouw De Vries ook")
        text_out = export_text(store, pseudonymise=True)
        pseudonym = Pseudonymiser(store).name("Sanne de Vries")
    lines = [json.loads(line) for line in text_out.splitlines()]
    assert lines[0]["pseudonymised"] is True
    assert {line["trainee"] for line in lines[1:]} == {pseudonym}
    assert "Sanne" not in text_out and "Vries" not in text_out
    assert pseudonym.startswith("deelnemer-")


def test_export_since_leaves_older_sessions_out(data_dir: Path) -> None:
    with Store(data_dir) as store:
        old = play(store, [1])
        new = play(store, [1])
        stamp(store, old, "2026-01-01T10:00:00+00:00")
        lines = [json.loads(x) for x in export_text(store, since="2026-06-01").splitlines()]
    assert [line["id"] for line in lines[1:]] == [new]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "leeg"),
        ('{"format": "iets anders"}\n', "geen Buurttrainer-export"),
        ('{"format": "buurttrainer-sessions", "version": 1}\n{kapot\n', ":2: geen JSON"),
        ('{"format": "buurttrainer-sessions", "version": 1}\n{"id": "x"}\n', "'trainee'"),
    ],
)
def test_a_bad_import_file_names_the_line_and_imports_nothing(
    capsys, tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    code, out, err = run_cli(capsys, "import", str(bad))
    assert code == 1 and "Traceback" not in err
    assert message in err
    code, out, _ = run_cli(capsys, "sessions", "--format", "json")
    assert json.loads(out) == []


def test_export_and_import_commands_round_trip(capsys, tmp_path: Path) -> None:
    laptop = tmp_path / "laptop"
    with Store(laptop) as store:
        session = play(store, [0, 0])
    target = tmp_path / "out.jsonl"
    code, _, err = run_cli(capsys, "export", "--data-dir", str(laptop), "-o", str(target))
    assert code == 0 and "1 sessie(s)" in err
    assert target.stat().st_mode & 0o777 == 0o600, "exports hold conversations: owner only"
    central = tmp_path / "central"
    for expected in ("1 nieuwe sessie(s)", "0 nieuwe sessie(s)"):
        code, out, _ = run_cli(capsys, "import", "--data-dir", str(central), str(target))
        assert code == 0 and expected in out
    code, out, _ = run_cli(capsys, "sessions", "--data-dir", str(central), "--format", "json")
    assert [s["id"] for s in json.loads(out)] == [session]
    code, _, err = run_cli(capsys, "import", str(tmp_path / "missing.jsonl"))
    assert code == 1 and "niet gevonden" in err


def test_parse_lines_refuses_turns_out_of_order(data_dir: Path) -> None:
    with Store(data_dir) as store:
        play(store, [0, 0])
        header, line = export_text(store).splitlines()
    item = json.loads(line)
    item["turns"].reverse()
    with pytest.raises(ImportFormatError, match=r"f:2: .*1, 2, 3"):
        parse_lines([header, json.dumps(item)], "f")
