"""A trainer's review of a session: comments per turn and per session, and label corrections.

Reviews are appended, never edited in place: the latest correction of a turn counts, and the
history of who changed what stays readable. Each review has a unique id so that importing the
same log twice adds nothing. A correction is also a labelled answer for the classifier
(`trainer.scoring.corpus.correction_examples`), with who made it and when.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from trainer.content.model import SKILLS
from trainer.store.database import Store, now

COMMENT, CORRECTION = "comment", "correction"


@dataclass(frozen=True)
class Review:
    """One comment or correction; `turn` is None for a comment on the whole session."""

    uid: str
    session: str
    turn: int | None
    author: str
    kind: str
    body: str
    labels: tuple[str, ...] | None
    created: str

    def to_json(self) -> dict[str, object]:
        return {
            "uid": self.uid,
            "turn": self.turn,
            "author": self.author,
            "kind": self.kind,
            "body": self.body,
            "labels": None if self.labels is None else list(self.labels),
            "created": self.created,
        }


@dataclass(frozen=True)
class Correction:
    """A trainer's labels for one answer, with the answer and what the model said then."""

    session: str
    turn: int
    answer: str
    persona: str
    labels: tuple[str, ...]
    model_labels: tuple[str, ...]
    author: str
    created: str


def _labels(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    words = set(value.split())
    return tuple(s for s in SKILLS if s in words)


def ordered_labels(labels: Iterable[str]) -> tuple[str, ...]:
    """Skills in rubric order; anything that is not a skill is refused."""
    chosen = set(labels)
    unknown = chosen - set(SKILLS)
    if unknown:
        raise ValueError(f"unknown skill(s): {', '.join(sorted(unknown))}")
    return tuple(s for s in SKILLS if s in chosen)


def insert_review(store: Store, review: Review) -> bool:
    """Write a review inside the caller's transaction; False if its uid is already there."""
    labels = None if review.labels is None else " ".join(review.labels)
    cursor = store.db.execute(
        "INSERT OR IGNORE INTO reviews(uid, session_id, turn_idx, author, kind, body, labels,"
        " created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            review.uid, review.session, review.turn, review.author, review.kind, review.body,
            labels, review.created,
        ),
    )  # fmt: skip
    store.db.execute("UPDATE sessions SET reviewed = 1 WHERE id = ?", (review.session,))
    return cursor.rowcount > 0


def _add(store: Store, review: Review) -> Review:
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM sessions WHERE id = ?", (review.session,)).fetchone() is None:
            raise KeyError(review.session)
        if (
            review.turn is not None
            and not db.execute(
                "SELECT 1 FROM turns WHERE session_id = ? AND idx = ?",
                (review.session, review.turn),
            ).fetchone()
        ):
            raise KeyError(f"{review.session} turn {review.turn}")
        insert_review(store, review)
    return review


def add_comment(store: Store, session: str, turn: int | None, author: str, body: str) -> Review:
    """Comment on one turn, or on the whole session when `turn` is None."""
    body = body.strip()
    if not body:
        raise ValueError("an empty comment")
    return _add(store, Review(uuid.uuid4().hex, session, turn, author, COMMENT, body, None, now()))


def correct(
    store: Store, session: str, turn: int, author: str, labels: Iterable[str], note: str = ""
) -> Review:
    """Set the skills an answer really showed (an empty set: none of the three)."""
    chosen = ordered_labels(labels)
    return _add(
        store,
        Review(uuid.uuid4().hex, session, turn, author, CORRECTION, note.strip(), chosen, now()),
    )


def reviews_of(store: Store, session: str) -> list[Review]:
    """Every comment and correction of a session, oldest first."""
    rows = store.db.execute(
        "SELECT uid, session_id, turn_idx, author, kind, body, labels, created FROM reviews"
        " WHERE session_id = ? ORDER BY created, id",
        (session,),
    )
    return [Review(r[0], r[1], r[2], r[3], r[4], r[5], _labels(r[6]), r[7]) for r in rows]


def corrected_labels(reviews: list[Review]) -> dict[int, Review]:
    """Per turn, the correction that counts (the latest)."""
    latest: dict[int, Review] = {}
    for review in reviews:
        if review.kind == CORRECTION and review.turn is not None:
            latest[review.turn] = review
    return latest


def corrections(store: Store) -> list[Correction]:
    """The latest correction of every corrected answer in the store, oldest first."""
    rows = store.db.execute(
        """
        SELECT r.session_id, r.turn_idx, json_extract(t.record, '$.answer'), s.persona,
            r.labels, t.labels, r.author, r.created
        FROM reviews r
        JOIN turns t ON t.session_id = r.session_id AND t.idx = r.turn_idx
        JOIN sessions s ON s.id = r.session_id
        WHERE r.kind = 'correction' AND r.id = (
            SELECT r2.id FROM reviews r2 WHERE r2.kind = 'correction'
            AND r2.session_id = r.session_id AND r2.turn_idx = r.turn_idx
            ORDER BY r2.created DESC, r2.id DESC LIMIT 1)
        ORDER BY r.created, r.id
        """
    )
    return [
        Correction(
            r[0], r[1], r[2] or "", r[3], _labels(r[4]) or (), _labels(r[5]) or (), r[6], r[7]
        )
        for r in rows
    ]
