"""The read queries behind the trainer's views (cohort trends, where trainees get stuck, answers
a dialogue did not foresee): SQL lives in the store package only, so a schema change is one
package's business. Each returns plain rows or the store's records; the sessions package turns
them into figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from trainer.store.database import SUMMARY_SQL, SessionQuery, SessionSummary, Store


def finished_sessions(
    store: Store, since: str | None = None, trainee: str | None = None
) -> list[SessionSummary]:
    """Finished sessions, by trainee name and then in time order."""
    where, params = SessionQuery(trainee=trainee, since=since).where()
    where += (" AND" if where else " WHERE") + " s.finished IS NOT NULL"
    rows = store.db.execute(SUMMARY_SQL + where + " ORDER BY t.name, s.started, s.rowid", params)
    return [SessionSummary.from_row(row) for row in rows]


def node_counts(
    store: Store, dialogue: str, since: str | None = None
) -> tuple[list[tuple[str, Any, int]], list[tuple[str, int]], list[tuple[str, int]]]:
    """For one dialogue: (node, route, answers) per way out; (node, sessions) standing there
    now; (node, sessions) that came there at least once."""
    window = " AND s.started >= ?" if since else ""
    params: list[object] = [dialogue, *([since] if since else [])]
    answered = store.db.execute(
        "SELECT t.node, t.route, count(*) FROM turns t JOIN sessions s ON s.id = t.session_id"
        f" WHERE s.dialogue = ?{window} GROUP BY t.node, t.route",
        params,
    ).fetchall()
    standing = store.db.execute(
        "SELECT s.node, count(*) FROM sessions s"
        f" WHERE s.dialogue = ?{window} AND s.node IS NOT NULL GROUP BY s.node",
        params,
    ).fetchall()
    reached = store.db.execute(
        "SELECT node, count(DISTINCT sid) FROM ("
        " SELECT t.node AS node, t.session_id AS sid FROM turns t"
        f" JOIN sessions s ON s.id = t.session_id WHERE s.dialogue = ?{window}"
        f" UNION ALL SELECT s.node, s.id FROM sessions s WHERE s.dialogue = ?{window}"
        ") WHERE node IS NOT NULL GROUP BY node",
        params + params,
    ).fetchall()
    return answered, standing, reached


def routed_turns(
    store: Store, dialogue: str | None = None, node: str | None = None
) -> Iterator[tuple[str, str, str, str, str]]:
    """(dialogue, node, route, created, record) of every free-text turn that took a route."""
    sql = (
        "SELECT s.dialogue, t.node, t.route, t.created, t.record FROM turns t"
        " JOIN sessions s ON s.id = t.session_id WHERE t.route LIKE 'r%'"
    )
    params: list[str] = []
    if dialogue:
        sql += " AND s.dialogue = ?"
        params.append(dialogue)
    if node:
        sql += " AND t.node = ?"
        params.append(node)
    yield from store.db.execute(sql, params)
