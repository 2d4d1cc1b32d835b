"""The trainer's view over many sessions: each trainee's skills over time, and per dialogue node
how often it was reached, where sessions ended or stalled, and which way they went on.

Core logic over the store, no UI: the cohort screen and the cohort report read the same figures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from trainer.content.model import SKILLS, Dialogue
from trainer.store.database import SessionSummary, Store
from trainer.store.queries import finished_sessions, node_counts

# A node where this share of the sessions that reached it stopped without an ending is where
# trainees get stuck: the cohort screen and the cohort report flag it alike.
STALL_SHARE = 0.25


@dataclass(frozen=True)
class TraineeTrend:
    """One trainee's finished sessions, oldest first: the points of their skill lines."""

    trainee: str
    sessions: tuple[SessionSummary, ...]

    def shares(self, skill: str) -> list[float]:
        return [s.share(skill) for s in self.sessions]

    def latest(self, skill: str, window: int = 3) -> float:
        """The skill over the last few sessions: one lucky session should not count as mastery."""
        recent = self.shares(skill)[-window:]
        return sum(recent) / len(recent) if recent else 0.0


def trainee_trends(
    store: Store, since: str | None = None, trainee: str | None = None
) -> list[TraineeTrend]:
    """Per trainee (by name), their finished sessions in time order."""
    grouped: dict[str, list[SessionSummary]] = defaultdict(list)
    for summary in finished_sessions(store, since, trainee):
        grouped[summary.trainee].append(summary)
    return [TraineeTrend(name, tuple(items)) for name, items in grouped.items()]


@dataclass
class NodeStat:
    """How a dialogue node fared across sessions."""

    node: str
    reached: int = 0  # sessions that came to this node at least once
    answered: int = 0  # answers given here (a loop counts each time)
    stopped: int = 0  # sessions standing here now: unfinished ones stalled, finished ones ended
    routes: dict[str, int] = field(default_factory=dict)  # "r0" / "c2" -> times taken

    @property
    def stop_share(self) -> float:
        return self.stopped / self.reached if self.reached else 0.0

    def stalls(self, ending: bool) -> bool:
        """Trainees get stuck here: many sessions that came here stopped without an ending."""
        return not ending and self.stopped > 0 and self.stop_share >= STALL_SHARE


def node_stats(store: Store, dialogue: str, since: str | None = None) -> dict[str, NodeStat]:
    """Per node of one dialogue: reached, answered, stopped here, routes taken."""
    stats: dict[str, NodeStat] = {}

    def stat(node: str) -> NodeStat:
        return stats.setdefault(node, NodeStat(node))

    answered, standing, reached = node_counts(store, dialogue, since)
    for node, route, count in answered:
        entry = stat(node)
        entry.answered += count
        if route is not None:
            entry.routes[route] = entry.routes.get(route, 0) + count
    for node, count in standing:
        stat(node).stopped = count
    for node, count in reached:
        stat(node).reached = count
    return stats


def route_label(dialogue: Dialogue, node: str, key: str, count: int) -> str:
    """'r0 → knie ×12': which way out of a node, where it led, how often."""
    return f"{key} → {dialogue.target(node, key) or '?'} ×{count}"


def skill_totals(sessions: list[SessionSummary]) -> dict[str, float]:
    """The share of answers that showed each skill, over a group of sessions."""
    answers = sum(s.turns for s in sessions)
    return {
        skill: (sum(s.skills.get(skill, 0) for s in sessions) / answers if answers else 0.0)
        for skill in SKILLS
    }
