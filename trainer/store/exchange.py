"""Moving session logs between laptops: JSON-lines export and idempotent import.

The export is one header line and then one line per session holding everything about it (the
opening, every turn as stored, every review), so a line can be read on its own. Session ids
are UUIDs and reviews carry their own uid, which makes import idempotent: a session already
present only gains the turns and reviews it lacks, and importing the same file twice adds
nothing. With `pseudonymise`, trainee names become stable pseudonyms (the same name always maps
to the same pseudonym from this store) and the name is also removed from answers, replies and
comments, where a persona may have spoken it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from trainer.content.model import SKILLS
from trainer.engine.records import State, Turn, route_key
from trainer.messages import text
from trainer.store.database import (
    SUMMARY_SQL,
    SessionQuery,
    SessionSummary,
    Store,
    ensure_trainee,
    stored_json,
)
from trainer.store.reviews import Review, insert_review, reviews_of

FORMAT = "buurttrainer-sessions"
VERSION = 1
PSEUDONYM_KEY = "pseudonym_key"


class ImportFormatError(ValueError):
    """A line of an import file that cannot be used; the message names the line."""


@dataclass(frozen=True)
class ImportResult:
    sessions_added: int = 0
    sessions_updated: int = 0
    turns_added: int = 0
    reviews_added: int = 0
    unchanged: int = 0


class Pseudonymiser:
    """Trainee name -> `deelnemer-xxxxxxxx`, keyed with a secret kept in this store, so the same
    name gets the same pseudonym in every export from here but cannot be guessed back."""

    def __init__(self, store: Store) -> None:
        key = store.setting(PSEUDONYM_KEY)
        if key is None:
            key = secrets.token_hex(32)
            store.set_setting(PSEUDONYM_KEY, key)
        self.key = bytes.fromhex(key)

    def name(self, trainee: str) -> str:
        digest = hmac.new(self.key, trainee.encode(), hashlib.sha256).hexdigest()
        return f"deelnemer-{digest[:8]}"

    def scrub(self, value: str, trainee: str) -> str:
        """Replace the full name and each longer part of it (first name, surname) in a text."""
        pseudonym = self.name(trainee)
        parts = sorted({trainee, *(p for p in trainee.split() if len(p) >= 3)}, key=len)
        for part in reversed(parts):
            value = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", pseudonym, value, flags=re.I)
        return value


def _session_rows(store: Store, since: str | None) -> Iterator[tuple[SessionSummary, str]]:
    where, params = SessionQuery(since=since).where()
    sql = SUMMARY_SQL.replace("FROM sessions s", ", s.opening FROM sessions s", 1)
    for row in store.db.execute(sql + where + " ORDER BY s.started, s.rowid", params):
        yield SessionSummary.from_row(row[:-1]), row[-1]


def export_lines(
    store: Store, since: str | None = None, pseudonymise: bool = False
) -> Iterator[dict[str, Any]]:
    """The header, then one object per session started on or after `since`."""
    yield {"format": FORMAT, "version": VERSION, "pseudonymised": pseudonymise}
    masker = Pseudonymiser(store) if pseudonymise else None
    # Read all rows first: the per-session queries below must not interleave with this cursor.
    for summary, opening in list(_session_rows(store, since)):
        turns = store.db.execute(
            "SELECT created, record FROM turns WHERE session_id = ? ORDER BY idx", (summary.id,)
        ).fetchall()
        item: dict[str, Any] = {
            "id": summary.id,
            "trainee": summary.trainee,
            "persona": summary.persona,
            "dialogue": summary.dialogue,
            "mode": summary.mode,
            "started": summary.started,
            "updated": summary.updated,
            "finished": summary.finished,
            "outcome": summary.outcome,
            "opening": stored_json(opening),
            "turns": [{"created": c, **stored_json(r)} for c, r in turns],
            "reviews": [r.to_json() for r in reviews_of(store, summary.id)],
        }
        yield _masked(item, masker) if masker else item


def _masked(item: dict[str, Any], masker: Pseudonymiser) -> dict[str, Any]:
    name = item["trainee"]
    item["trainee"] = masker.name(name)
    item["opening"]["reply"] = masker.scrub(item["opening"]["reply"], name)
    for turn in item["turns"]:
        for key in ("answer", "reply"):
            turn[key] = masker.scrub(turn.get(key) or "", name)
    for review in item["reviews"]:
        review["body"] = masker.scrub(review["body"], name)
    return item


def write_export(lines: Iterable[dict[str, Any]], handle) -> int:
    """Write the lines; return how many sessions were written."""
    count = -1
    for line in lines:
        handle.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return max(count, 0)


# ---------------------------------------------------------------------- import


def _need(item: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = item.get(key)
    if not isinstance(value, kind):
        raise ImportFormatError(text("import.missing", where=where, key=key))
    return value


def parse_lines(lines: Iterable[str], name: str) -> list[dict[str, Any]]:
    """Read and validate a whole export before anything is written, so a bad file adds nothing."""
    items: list[dict[str, Any]] = []
    header_seen = False
    for number, line in enumerate(lines, start=1):
        where = f"{name}:{number}"
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(text("import.not_json", where=where, reason=exc.msg)) from None
        if not isinstance(item, dict):
            raise ImportFormatError(text("import.not_object", where=where))
        if not header_seen:
            if item.get("format") != FORMAT:
                raise ImportFormatError(text("import.not_export", where=where))
            if item.get("version") != VERSION:
                raise ImportFormatError(
                    text("import.version", where=where, found=item.get("version"), known=VERSION)
                )
            header_seen = True
            continue
        for key in ("id", "trainee", "persona", "dialogue", "mode", "started"):
            _need(item, key, str, where)
        _need(item, "opening", dict, where)
        try:
            State.from_json(item["opening"]["state"])
            turns = [Turn.from_json(t) for t in _need(item, "turns", list, where)]
        except (KeyError, TypeError, ValueError) as exc:
            raise ImportFormatError(text("import.turn", where=where, reason=exc)) from None
        if [t.index for t in turns] != list(range(1, len(turns) + 1)):
            raise ImportFormatError(text("import.order", where=where))
        for review in item.get("reviews") or []:
            if not isinstance(review, dict) or not isinstance(review.get("uid"), str):
                raise ImportFormatError(text("import.review", where=where))
        items.append(item)
    if not header_seen:
        raise ImportFormatError(text("import.empty", where=name))
    return items


def import_items(store: Store, items: list[dict[str, Any]]) -> ImportResult:
    """Add what is new, in one transaction: all of the file or, on an error, nothing."""
    added = updated = turns_added = reviews_added = unchanged = 0
    with store.transaction() as db:
        for item in items:
            trainee_id = ensure_trainee(db, item["trainee"])
            exists = db.execute("SELECT turns FROM sessions WHERE id = ?", (item["id"],)).fetchone()
            if exists is None:
                db.execute(
                    "INSERT INTO sessions(id, trainee_id, persona, dialogue, mode, started,"
                    " updated, opening, node) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        item["id"], trainee_id, item["persona"], item["dialogue"], item["mode"],
                        item["started"], item.get("updated") or item["started"],
                        json.dumps(item["opening"], ensure_ascii=False),
                        item["opening"]["state"]["node"],
                    ),
                )  # fmt: skip
            new_turns = 0
            for data in item["turns"]:
                turn = Turn.from_json(data)
                cursor = db.execute(
                    "INSERT OR IGNORE INTO turns(session_id, idx, created, node, labels, outcome,"
                    " route, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        item["id"], turn.index, data.get("created") or item["started"], turn.node,
                        " ".join(turn.labels), turn.outcome, route_key(turn),
                        json.dumps(turn.to_json(), ensure_ascii=False),
                    ),
                )  # fmt: skip
                new_turns += cursor.rowcount
            new_reviews = 0
            for data in item.get("reviews") or []:
                new_reviews += insert_review(store, _review(item["id"], data))
            if new_turns:
                _refresh(db, item)
            turns_added += new_turns
            reviews_added += new_reviews
            if exists is None:
                added += 1
            elif new_turns or new_reviews:
                updated += 1
            else:
                unchanged += 1
    return ImportResult(added, updated, turns_added, reviews_added, unchanged)


def _review(session: str, data: dict[str, Any]) -> Review:
    labels = data.get("labels")
    return Review(
        uid=data["uid"],
        session=session,
        turn=data.get("turn"),
        author=str(data.get("author") or "?"),
        kind=str(data.get("kind") or "comment"),
        body=str(data.get("body") or ""),
        labels=None if labels is None else tuple(s for s in SKILLS if s in labels),
        created=str(data.get("created") or ""),
    )


def _refresh(db, item: dict[str, Any]) -> None:
    """Recompute a session's row from all its turns (the file may hold a later state)."""
    rows = db.execute(
        "SELECT idx, created, labels, outcome, record FROM turns WHERE session_id = ? ORDER BY idx",
        (item["id"],),
    ).fetchall()
    last = rows[-1]
    counts = [sum(skill in r[2].split() for r in rows) for skill in SKILLS]
    node = stored_json(last[4])["state_after"]["node"]
    db.execute(
        "UPDATE sessions SET turns = ?, updated = ?, outcome = ?, finished = ?, node = ?,"
        " listening = ?, reciprocity = ?, referral = ? WHERE id = ?",
        (
            last[0], max(last[1], item.get("updated") or ""), last[3],
            item.get("finished") or (last[1] if last[3] else None), node, *counts, item["id"],
        ),
    )  # fmt: skip
