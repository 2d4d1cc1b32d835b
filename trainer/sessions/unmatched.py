"""Growing the tree from practice: free-text answers a dialogue did not really foresee.

An answer counts when it only matched a node's fallback route (no route was written for it),
or when the classifier was unsure about it (a skill score near the middle). Authors read them
per node to add routes, choices or training examples.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trainer.content.loader import Content
from trainer.content.model import SKILLS
from trainer.store.database import Store, stored_json
from trainer.store.queries import routed_turns

UNSURE = (0.35, 0.65)  # a skill score in this band: the classifier could go either way


@dataclass
class Unforeseen:
    """One answer text (case and spacing aside) at one node, with how often it came."""

    dialogue: str
    node: str
    answer: str
    reasons: set[str] = field(default_factory=set)  # "fallback", "unsure"
    count: int = 0
    last: str = ""
    scores: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "dialogue": self.dialogue,
            "node": self.node,
            "answer": self.answer,
            "reasons": sorted(self.reasons),
            "count": self.count,
            "last": self.last,
            "scores": {s: round(self.scores.get(s, 0.0), 3) for s in SKILLS},
        }


def unsure(scores: dict[str, float]) -> bool:
    return any(UNSURE[0] <= scores.get(s, 0.0) <= UNSURE[1] for s in SKILLS)


def collect(
    store: Store, content: Content, dialogue: str | None = None, node: str | None = None
) -> list[Unforeseen]:
    """Per node, the unforeseen answers, most frequent first."""
    found: dict[tuple[str, str, str], Unforeseen] = {}
    for dialogue_id, node_id, route, created, record in routed_turns(store, dialogue, node):
        current = content.dialogues.get(dialogue_id)
        known = current.nodes.get(node_id) if current else None
        if known is None:
            continue  # the dialogue changed since: nothing to point at
        index = int(route[1:])
        data = stored_json(record)
        scores = {s: float(v) for s, v in (data.get("scores") or {}).items()}
        reasons = set()
        if index < len(known.routes) and not known.routes[index].when:
            reasons.add("fallback")
        if unsure(scores):
            reasons.add("unsure")
        if not reasons:
            continue
        answer = " ".join(str(data.get("answer", "")).split())
        key = (dialogue_id, node_id, answer.lower())
        item = found.setdefault(key, Unforeseen(dialogue_id, node_id, answer))
        item.reasons |= reasons
        item.count += 1
        if created >= item.last:
            item.last, item.scores = created, scores
    return sorted(found.values(), key=lambda u: (u.dialogue, u.node, -u.count, u.answer))
