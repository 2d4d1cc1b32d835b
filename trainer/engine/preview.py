"""The author preview's reasoning: for an answer at a node, every route with each of its
conditions held or not, and which route the engine takes. Core logic, no UI, so the preview
screen shows exactly what the engine does (it uses the engine's own values and order).
"""

from __future__ import annotations

from dataclasses import dataclass

from trainer.content.model import Node
from trainer.engine.records import Assessment, State
from trainer.engine.step import condition_values


@dataclass(frozen=True)
class ClauseCheck:
    source: str
    held: bool


@dataclass(frozen=True)
class RouteCheck:
    index: int
    clauses: tuple[ClauseCheck, ...]
    next: str
    taken: bool

    @property
    def fallback(self) -> bool:
        return not self.clauses

    @property
    def holds(self) -> bool:
        return all(c.held for c in self.clauses)


def check_routes(node: Node, assessment: Assessment, state: State) -> list[RouteCheck]:
    """Each route of the node with its clauses evaluated; the first that fully holds is taken."""
    values = condition_values(state, state.turn + 1)
    flags = state.flags | assessment.facts  # as the engine routes: the service fact counts
    found: list[RouteCheck] = []
    taken = False
    for index, route in enumerate(node.routes):
        clauses = tuple(
            ClauseCheck(c.source, c.holds(assessment.shown, assessment.all_scores, values, flags))
            for c in route.when
        )
        holds = all(c.held for c in clauses)
        found.append(RouteCheck(index, clauses, route.next, holds and not taken))
        taken = taken or holds
    return found
