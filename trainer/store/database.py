"""The session store: SQLite in the user's data folder.

Every turn is committed the moment it is played (WAL, synchronous=FULL), so a crash or a kill
loses nothing already answered and an unfinished session can be resumed from its last turn.
The schema is versioned with PRAGMA user_version and upgraded by ordered migrations. Several
processes may write at once (the web mode starts one app per browser tab): a generous busy
timeout makes writers wait for each other instead of failing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from trainer.content.model import SKILLS
from trainer.engine.records import State, Turn, clean_answer, route_key

DB_NAME = "buurttrainer.sqlite3"
BUSY_TIMEOUT_MS = 30_000

MIGRATIONS: tuple[str, ...] = (
    # 1: trainees, sessions, turns, reviews
    """
    CREATE TABLE trainees (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL
    );
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        trainee_id INTEGER NOT NULL REFERENCES trainees(id),
        persona TEXT NOT NULL,
        dialogue TEXT NOT NULL,
        mode TEXT NOT NULL,
        started TEXT NOT NULL,
        updated TEXT NOT NULL,
        finished TEXT,
        outcome TEXT,
        turns INTEGER NOT NULL DEFAULT 0,
        opening TEXT NOT NULL
    );
    CREATE INDEX sessions_started ON sessions(started);
    CREATE INDEX sessions_trainee ON sessions(trainee_id, started);
    CREATE INDEX sessions_persona ON sessions(persona, started);
    CREATE TABLE turns (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        created TEXT NOT NULL,
        node TEXT NOT NULL,
        labels TEXT NOT NULL,
        outcome TEXT,
        record TEXT NOT NULL,
        PRIMARY KEY (session_id, idx)
    ) WITHOUT ROWID;
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        turn_idx INTEGER,
        author TEXT NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL DEFAULT '',
        labels TEXT,
        created TEXT NOT NULL
    );
    CREATE INDEX reviews_session ON reviews(session_id, turn_idx);
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: what the review table shows without reading turns (skill counts, where a session
    # stands, reviewed or not), the route of each turn for the cohort's node statistics, and a
    # unique id per review so importing the same log twice adds nothing.
    """
    ALTER TABLE sessions ADD COLUMN listening INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN reciprocity INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN referral INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN node TEXT;
    ALTER TABLE sessions ADD COLUMN reviewed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE turns ADD COLUMN route TEXT;
    ALTER TABLE reviews ADD COLUMN uid TEXT;
    UPDATE turns SET route = CASE
        WHEN json_extract(record, '$.choice') IS NOT NULL
            THEN 'c' || json_extract(record, '$.choice')
        WHEN json_extract(record, '$.route') IS NOT NULL
            THEN 'r' || json_extract(record, '$.route')
        END;
    UPDATE sessions SET
        listening = (SELECT count(*) FROM turns
            WHERE session_id = sessions.id AND ' ' || labels || ' ' LIKE '% listening %'),
        reciprocity = (SELECT count(*) FROM turns
            WHERE session_id = sessions.id AND ' ' || labels || ' ' LIKE '% reciprocity %'),
        referral = (SELECT count(*) FROM turns
            WHERE session_id = sessions.id AND ' ' || labels || ' ' LIKE '% referral %'),
        node = coalesce(
            (SELECT json_extract(record, '$.state_after.node') FROM turns
                WHERE session_id = sessions.id ORDER BY idx DESC LIMIT 1),
            json_extract(opening, '$.state.node')),
        reviewed = EXISTS (SELECT 1 FROM reviews WHERE session_id = sessions.id);
    UPDATE reviews SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
    CREATE UNIQUE INDEX reviews_uid ON reviews(uid);
    CREATE INDEX sessions_dialogue ON sessions(dialogue, started);
    CREATE INDEX sessions_outcome ON sessions(outcome, started);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(RuntimeError):
    """The store cannot be used (corrupt file, unreadable folder, newer schema, ...)."""


def stored_json(raw: str | bytes) -> Any:
    """A JSON record read back from the store. A record that no longer parses is damage that
    SQLite's own checks did not see (a page cut short, bytes overwritten): it is reported as a
    damaged store, like SQLite's own errors, not as a bug."""
    try:
        return json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise sqlite3.DatabaseError(f"a stored record is not valid JSON ({exc})") from exc


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("buurttrainer", appauthor=False))


def data_dir(option: str | None) -> Path:
    """`--data-dir`, else BUURTTRAINER_DATA, else the platform's user data folder."""
    chosen = option or os.environ.get("BUURTTRAINER_DATA")
    return Path(chosen).expanduser() if chosen else default_data_dir()


@dataclass(frozen=True)
class SessionSummary:
    """One row of the sessions list: everything the review table shows, without the turns."""

    id: str
    trainee: str
    persona: str
    dialogue: str
    mode: str
    started: str
    finished: str | None
    outcome: str | None
    turns: int
    updated: str = ""
    duration: int = 0  # seconds from the start to the last turn
    skills: dict[str, int] = field(default_factory=dict)  # answers that showed each skill
    node: str | None = None  # where the session stands (its ending, once finished)
    reviewed: bool = False

    def share(self, skill: str) -> float:
        return self.skills.get(skill, 0) / self.turns if self.turns else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "trainee": self.trainee,
            "persona": self.persona,
            "dialogue": self.dialogue,
            "mode": self.mode,
            "started": self.started,
            "finished": self.finished,
            "turns": self.turns,
            "outcome": self.outcome,
            "duration_seconds": self.duration,
            "skills": {s: self.skills.get(s, 0) for s in SKILLS},
            "reviewed": self.reviewed,
        }

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> SessionSummary:
        """A row of `SUMMARY_SQL`."""
        (id_, trainee, persona, dialogue, mode, started, finished, outcome, turns, updated,
         duration, listening, reciprocity, referral, node, reviewed) = row  # fmt: skip
        return cls(
            id_, trainee, persona, dialogue, mode, started, finished, outcome, turns, updated,
            int(duration or 0),
            {"listening": listening, "reciprocity": reciprocity, "referral": referral},
            node, bool(reviewed),
        )  # fmt: skip


@dataclass(frozen=True)
class Opening:
    """The state at the start of a session and the persona's first line."""

    state: State
    reply: str


# Seconds from the start to the last turn; SQLite's julianday reads our ISO stamps with offset.
DURATION_SQL = "CAST(round((julianday(s.updated) - julianday(s.started)) * 86400) AS INTEGER)"
SUMMARY_SQL = f"""
    SELECT s.id, t.name, s.persona, s.dialogue, s.mode, s.started, s.finished, s.outcome, s.turns,
        s.updated, {DURATION_SQL}, s.listening, s.reciprocity, s.referral, s.node, s.reviewed
    FROM sessions s JOIN trainees t ON t.id = s.trainee_id
"""


def day_after(day: str) -> str:
    """'2026-11-23' -> '2026-11-24': an inclusive end date as an exclusive bound."""
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def check_date(value: str) -> str:
    """A YYYY-MM-DD date, or ValueError with a message a user can act on."""
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ValueError(f"'{value}' is not a date; write it as YYYY-MM-DD") from None


# What the review table can be sorted on: a fixed list, never user text in SQL.
SORT_COLUMNS: dict[str, str] = {
    "started": "s.started",
    "trainee": "t.name",
    "persona": "s.persona",
    "dialogue": "s.dialogue",
    "duration": DURATION_SQL,
    "outcome": "coalesce(s.outcome, '')",
    "turns": "s.turns",
    **{skill: f"(s.{skill} * 1.0 / max(s.turns, 1))" for skill in SKILLS},
    "reviewed": "s.reviewed",
}


@dataclass(frozen=True)
class SessionQuery:
    """Which sessions to list and in which order; dates are YYYY-MM-DD, both ends inclusive."""

    trainee: str | None = None  # the exact name
    trainee_part: str | None = None  # part of a name, any case (the review screen's filter)
    persona: str | None = None
    dialogue: str | None = None
    since: str | None = None
    until: str | None = None
    unfinished: bool = False
    reviewed: bool | None = None
    sort: str = "started"
    descending: bool = True

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.trainee:
            clauses.append("t.name = ?")
            params.append(self.trainee)
        if self.trainee_part:
            escaped = self.trainee_part.replace("\\", "\\\\").replace("%", "\\%")
            clauses.append("t.name LIKE ? ESCAPE '\\'")
            params.append("%" + escaped.replace("_", "\\_") + "%")
        if self.persona:
            clauses.append("s.persona = ?")
            params.append(self.persona)
        if self.dialogue:
            clauses.append("s.dialogue = ?")
            params.append(self.dialogue)
        if self.since:
            clauses.append("s.started >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("s.started < ?")
            params.append(day_after(self.until))
        if self.unfinished:
            clauses.append("s.finished IS NULL")
        if self.reviewed is not None:
            clauses.append("s.reviewed = ?")
            params.append(int(self.reviewed))
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def order_by(self) -> str:
        column = SORT_COLUMNS.get(self.sort, "s.started")
        way = "DESC" if self.descending else "ASC"
        # Ties (same second, same value) keep insertion order, newest first.
        return f" ORDER BY {column} {way}, s.started DESC, s.rowid DESC"


def ensure_trainee(db: sqlite3.Connection, name: str) -> int:
    """The trainee's id, adding the trainee first if needed, inside the caller's transaction
    (import adds many sessions in one)."""
    db.execute("INSERT OR IGNORE INTO trainees(name, created) VALUES (?, ?)", (name, now()))
    return db.execute("SELECT id FROM trainees WHERE name = ?", (name,)).fetchone()[0]


def _draft_key(session_id: str) -> str:
    return f"draft:{session_id}"


@dataclass(frozen=True)
class Purged:
    """What `Store.purge` deleted (or would delete)."""

    sessions: int
    turns: int
    reviews: int
    trainees: int


class Store:
    """A connection to one store file; cheap to open, safe to use from one thread."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / DB_NAME
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            self.db = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = FULL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(str(exc)) from exc

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE so concurrent writers queue on the busy timeout, not fail mid-way."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(str(exc)) from exc
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"schema version {version} is newer than this program ({SCHEMA_VERSION})"
            )
        if version == SCHEMA_VERSION:
            return
        with self.transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # ------------------------------------------------------------------ trainees, settings

    def trainee_id(self, name: str) -> int:
        row = self.db.execute("SELECT id FROM trainees WHERE name = ?", (name,)).fetchone()
        if row:
            return row[0]
        with self.transaction() as db:
            return ensure_trainee(db, name)

    def trainees(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM trainees ORDER BY name")]

    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def save_draft(self, session_id: str, answer: str) -> None:
        """Keep a typed answer before it is scored, so a crash while scoring loses nothing.
        `add_turn` removes it in the same transaction that commits the turn."""
        self.set_setting(_draft_key(session_id), clean_answer(answer))

    def draft(self, session_id: str) -> str | None:
        """The answer typed but not yet played in this session, if any."""
        return self.setting(_draft_key(session_id))

    # ------------------------------------------------------------------ sessions and turns

    def start_session(
        self, trainee: str, persona: str, dialogue: str, mode: str, opening: Opening
    ) -> str:
        """Create a session and return its id (a UUID: unique across laptops for import)."""
        trainee_id = self.trainee_id(trainee)
        session_id = uuid.uuid4().hex
        stamp = now()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO sessions(id, trainee_id, persona, dialogue, mode, started, updated,"
                " opening, node) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id, trainee_id, persona, dialogue, mode, stamp, stamp,
                    json.dumps({"state": opening.state.to_json(), "reply": opening.reply}),
                    opening.state.node,
                ),
            )  # fmt: skip
        return session_id

    def add_turn(self, session_id: str, turn: Turn) -> None:
        """Commit one turn durably, and close the session if the turn reached an ending."""
        stamp = now()
        record = json.dumps(turn.to_json(), ensure_ascii=False)
        shown = [int(s in turn.labels) for s in SKILLS]
        with self.transaction() as db:
            db.execute(
                "INSERT INTO turns(session_id, idx, created, node, labels, outcome, route, record)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id, turn.index, stamp, turn.node, " ".join(turn.labels),
                    turn.outcome, route_key(turn), record,
                ),
            )  # fmt: skip
            db.execute(
                "UPDATE sessions SET turns = ?, updated = ?, outcome = ?, finished = ?, node = ?,"
                " listening = listening + ?, reciprocity = reciprocity + ?,"
                " referral = referral + ? WHERE id = ?",
                (
                    turn.index, stamp, turn.outcome, stamp if turn.ended else None,
                    turn.state_after.node, *shown, session_id,
                ),
            )  # fmt: skip
            db.execute("DELETE FROM settings WHERE key = ?", (_draft_key(session_id),))

    def resolve(self, prefix: str) -> str:
        """The full session id for an id or an unambiguous prefix of one."""
        rows = self.db.execute(
            "SELECT id FROM sessions WHERE id >= ? AND id < ? LIMIT 2",
            (prefix, prefix + "\uffff"),
        ).fetchall()
        if not rows:
            raise KeyError(prefix)
        if len(rows) > 1 and rows[0][0] != prefix:
            raise LookupError(prefix)
        return rows[0][0]

    def summary(self, session_id: str) -> SessionSummary:
        row = self.db.execute(SUMMARY_SQL + " WHERE s.id = ?", (session_id,)).fetchone()
        if row is None:
            raise KeyError(session_id)
        return SessionSummary.from_row(row)

    def opening(self, session_id: str) -> Opening:
        row = self.db.execute("SELECT opening FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise KeyError(session_id)
        data = stored_json(row[0])
        return Opening(State.from_json(data["state"]), data["reply"])

    def turns(self, session_id: str) -> list[Turn]:
        rows = self.db.execute(
            "SELECT record FROM turns WHERE session_id = ? ORDER BY idx", (session_id,)
        )
        return [Turn.from_json(stored_json(r[0])) for r in rows]

    def current_state(self, session_id: str) -> State:
        """Where a session stands: the last turn's state, or the opening state."""
        row = self.db.execute(
            "SELECT record FROM turns WHERE session_id = ? ORDER BY idx DESC LIMIT 1",
            (session_id,),
        ).fetchone()
        if row:
            return State.from_json(stored_json(row[0])["state_after"])
        return self.opening(session_id).state

    def list_sessions(
        self,
        trainee: str | None = None,
        persona: str | None = None,
        since: str | None = None,
        unfinished: bool = False,
        limit: int | None = None,
    ) -> list[SessionSummary]:
        """Sessions, newest first, filtered on trainee, persona, start date and state."""
        query = SessionQuery(trainee=trainee, persona=persona, since=since, unfinished=unfinished)
        return self.find_sessions(query, limit=limit)

    def find_sessions(
        self, query: SessionQuery, limit: int | None = None, offset: int = 0
    ) -> list[SessionSummary]:
        """One page of sessions matching the query, in its order (indexed, so fast at scale)."""
        where, params = query.where()
        if not limit:
            sql = SUMMARY_SQL + where + query.order_by()
            return [SessionSummary.from_row(row) for row in self.db.execute(sql, params)]
        # Page on row ids first (an index-only walk, cheap even 50,000 rows deep), then read
        # the full rows of just that page.
        page = (
            "SELECT s.rowid FROM sessions s JOIN trainees t ON t.id = s.trainee_id"
            f"{where}{query.order_by()} LIMIT {int(limit)} OFFSET {int(offset)}"
        )
        sql = f"{SUMMARY_SQL} WHERE s.rowid IN ({page}){query.order_by()}"
        return [SessionSummary.from_row(row) for row in self.db.execute(sql, params)]

    def purge(self, before: str, dry_run: bool = False) -> Purged:
        """Delete every session last touched before `before` (YYYY-MM-DD, UTC), with its turns,
        reviews and unsent draft, and the names of trainees left without sessions: retention
        under the AVG. secure_delete overwrites the freed pages and the WAL is checkpointed
        and truncated, so the deleted conversations do not linger in the file."""
        old = "SELECT id FROM sessions WHERE updated < ?"
        with self.transaction() as db:
            counted = Purged(
                sessions=db.execute(f"SELECT count(*) FROM ({old})", (before,)).fetchone()[0],
                turns=db.execute(
                    f"SELECT count(*) FROM turns WHERE session_id IN ({old})", (before,)
                ).fetchone()[0],
                reviews=db.execute(
                    f"SELECT count(*) FROM reviews WHERE session_id IN ({old})", (before,)
                ).fetchone()[0],
                trainees=db.execute(
                    "SELECT count(*) FROM trainees WHERE id NOT IN"
                    " (SELECT trainee_id FROM sessions WHERE updated >= ?)",
                    (before,),
                ).fetchone()[0],
            )
            if dry_run:
                return counted
            db.execute("PRAGMA secure_delete = ON")
            db.execute(
                "DELETE FROM settings WHERE key IN (SELECT 'draft:' || id FROM sessions"
                " WHERE updated < ?)",
                (before,),
            )
            db.execute("DELETE FROM sessions WHERE updated < ?", (before,))  # cascades
            db.execute("DELETE FROM trainees WHERE id NOT IN (SELECT trainee_id FROM sessions)")
        # With another process reading, this checkpoints what it can; the rest goes at the
        # next checkpoint (every 1,000 pages, and when the last connection closes).
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return counted

    def count_sessions(self, query: SessionQuery) -> int:
        where, params = query.where()
        sql = "SELECT count(*) FROM sessions s JOIN trainees t ON t.id = s.trainee_id" + where
        return self.db.execute(sql, params).fetchone()[0]
