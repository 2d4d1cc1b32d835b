"""The typed content model: what personas and dialogues are once they have been validated.

Nothing downstream of `trainer.content.loader` sees raw YAML dicts; it sees these frozen dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from trainer.content.conditions import Clause
from trainer.messages import text

SKILLS: tuple[str, ...] = ("listening", "reciprocity", "referral")
#: The moves that close a resident down (shared/rubric.md, "Pitfalls"), labelled independently
#: of the skills: an answer can show a skill and a pitfall at once.
PITFALLS: tuple[str, ...] = ("advice", "takeover", "reassurance", "closed", "judging")
OUTCOMES: tuple[str, ...] = ("connected", "referred", "closed", "taken_over", "open")
#: Outcomes that count as a good result when a trainee's best result is shown.
GOOD_OUTCOMES = frozenset({"connected", "referred"})
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
STATE_RANGE = (0, 100)


@dataclass(frozen=True)
class Effects:
    """Changes to the persona's state: trust and mood deltas, flags set and unset."""

    trust: int = 0
    mood: int = 0
    set: tuple[str, ...] = ()
    unset: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.trust or self.mood or self.set or self.unset)


@dataclass(frozen=True)
class Choice:
    """A ready-made answer in beginner mode; also a labelled training example."""

    text: str
    skills: frozenset[str]
    feedback: tuple[str, ...]
    next: str
    effects: Effects = Effects()
    line: int = 0
    index: int = 0  # position in the file's list, for messages
    # The pitfalls this answer shows (shared/rubric.md): training data, and feedback in play.
    pitfalls: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Route:
    """Where a free-text answer leads when all of `when` holds; no clauses = the fallback."""

    when: tuple[Clause, ...]
    feedback: tuple[str, ...]
    next: str
    effects: Effects = Effects()
    line: int = 0
    index: int = 0  # position in the file's list, for messages

    @property
    def is_fallback(self) -> bool:
        return not self.when

    def describe(self) -> str:
        if not self.when:
            return text("route.otherwise")
        return f" {text('route.and')} ".join(c.source for c in self.when)


@dataclass(frozen=True)
class Ending:
    outcome: str
    debrief: str


@dataclass(frozen=True)
class Node:
    id: str
    say: str
    enter: Effects = Effects()
    choices: tuple[Choice, ...] = ()
    routes: tuple[Route, ...] = ()
    end: Ending | None = None
    line: int = 0
    # The persona's need at stake here (a need id): a referral at this node fits when it names
    # one of that need's services. Empty: any of the persona's needs counts.
    need: str = ""

    def targets(self) -> list[str]:
        """Every node this node can lead to, choices first."""
        return [c.next for c in self.choices] + [r.next for r in self.routes]


@dataclass(frozen=True)
class Offer:
    """Something the persona can give (reciprocity material) or needs help with (referral)."""

    id: str
    text: str
    services: tuple[str, ...] = ()
    # Whether a neighbour could meet this need instead of a professional: referring it to a
    # professional service is then over-referral.
    neighbour: bool = False


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    age: int
    situation: str
    background: str
    character: str
    difficulty: str
    start_trust: int
    start_mood: int
    gives: tuple[Offer, ...]
    needs: tuple[Offer, ...]
    household: str = ""
    path: Path | None = None

    def template_view(self) -> dict[str, object]:
        """What dialogue templates may read as `persona`."""
        return {
            "id": self.id,
            "name": self.name,
            "age": self.age,
            "household": self.household,
            "situation": self.situation,
            "background": self.background,
            "character": self.character,
            "difficulty": self.difficulty,
        }


@dataclass(frozen=True)
class Dialogue:
    id: str
    persona: str
    title: str
    start: str
    nodes: dict[str, Node]
    description: str = ""
    path: Path | None = None
    flags: frozenset[str] = field(default_factory=frozenset)

    def endings(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.end is not None]

    def service_routes(self) -> list[tuple[Node, Route, Clause]]:
        """Routes whose conditions ask which service was named (`fitting_service`, ...), with
        their first such clause: they need the sociale kaart to recognise services."""
        found = []
        for node in self.nodes.values():
            for route in node.routes:
                clause = next((c for c in route.when if c.kind == "service"), None)
                if clause is not None:
                    found.append((node, route, clause))
        return found

    def target(self, node: str, key: str) -> str | None:
        """Where route `r0` or choice `c1` of a node leads; None when there is no such way
        (a stored session's route after the dialogue was edited)."""
        found = self.nodes.get(node)
        index = int(key[1:]) if key[1:].isdigit() else -1
        options = (found.routes if key.startswith("r") else found.choices) if found else ()
        return options[index].next if 0 <= index < len(options) else None
