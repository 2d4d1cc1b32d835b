"""The engine's records: what a scorer says about an answer (Assessment), where a conversation
stands (State), what the trainee gave (Answer) and what one step produced (Turn).

They are plain frozen dataclasses with their JSON form, so the store, the scorer, reports and
exports can share them without importing the step itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from trainer.content.model import PITFALLS, SKILLS


class EngineError(ValueError):
    """An answer that does not fit the conversation (ended, no such choice, too long, ...)."""


#: Longest typed answer the engine takes: six times the longest answer in the corpus (~330
#: characters). Scoring cost grows with length (the explanation rescored per word took half a
#: minute for 10,000 characters), and an answer this long is a paste accident, not a reply at
#: the door; the trainee gets it back with the reason and can shorten it.
MAX_ANSWER_CHARS = 2_000


def clean_answer(value: str) -> str:
    """The answer as it can be stored: a surrogate pair becomes the character it encodes and
    a lone surrogate (undecodable input, which no UTF-8 file or database can hold) becomes
    U+FFFD. Everything else, control characters and NUL included, is kept as typed."""
    if not any("\ud800" <= c <= "\udfff" for c in value):
        return value
    return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


@dataclass(frozen=True)
class Assessment:
    """What a scorer says about one answer."""

    scores: dict[str, float]
    labels: frozenset[str]
    model: str
    explanation: dict[str, Any] | None = None
    # Set by the engine when the content has a sociale kaart: the services the answer named,
    # and which of fitting_service / wrong_service / no_service holds for this persona.
    services: tuple[str, ...] = ()
    facts: frozenset[str] = frozenset()
    # The pitfalls of the rubric (advice, takeover, ...): probabilities and those shown.
    pitfall_scores: dict[str, float] = field(default_factory=dict)
    pitfalls: frozenset[str] = frozenset()

    @property
    def shown(self) -> frozenset[str]:
        """The skills and the pitfalls shown: what a route's `listening` or `not advice` reads."""
        return self.labels | self.pitfalls

    @property
    def all_scores(self) -> dict[str, float]:
        """Skill and pitfall probabilities, for clauses such as `advice >= 0.5`."""
        return {**self.scores, **self.pitfall_scores}


class Scorer(Protocol):
    """Anything that can say which skills a free-text answer shows."""

    # Read-only: a frozen dataclass field, a property or a plain attribute all satisfy it.
    @property
    def version(self) -> str: ...

    def assess(self, text: str) -> Assessment: ...


@dataclass(frozen=True)
class FixedScorer:
    """Always returns the same skills: for tests and for playthroughs with fixed skills."""

    skills: frozenset[str] = frozenset()
    version: str = "fixed"
    pitfalls: frozenset[str] = frozenset()

    def assess(self, text: str) -> Assessment:
        return fixed_assessment(self.skills, self.version, self.pitfalls)


def fixed_assessment(
    shown: frozenset[str], model: str, pitfalls: frozenset[str] = frozenset()
) -> Assessment:
    """An assessment of certainty: the skills (and pitfalls) in `shown` and `pitfalls` at 1.0,
    the rest at 0.0. Pitfall names in `shown` count as pitfalls, so an explorer's move can
    carry both in one set."""
    skills = frozenset(s for s in shown if s in SKILLS)
    found = frozenset(pitfalls) | frozenset(p for p in shown if p in PITFALLS)
    return Assessment(
        {s: 1.0 if s in skills else 0.0 for s in SKILLS},
        skills,
        model,
        pitfall_scores={p: 1.0 if p in found else 0.0 for p in PITFALLS},
        pitfalls=found,
    )


@dataclass(frozen=True)
class State:
    """The persona's state at a node: trust and mood (0-100), flags, answers given so far."""

    node: str
    trust: int
    mood: int
    flags: frozenset[str] = frozenset()
    turn: int = 0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "flags": sorted(self.flags)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> State:
        return cls(
            node=str(data["node"]),
            trust=int(data["trust"]),
            mood=int(data["mood"]),
            flags=frozenset(data.get("flags", ())),
            turn=int(data.get("turn", 0)),
        )


@dataclass(frozen=True)
class Answer:
    """A trainee's answer: a picked choice (0-based) or typed text."""

    text: str = ""
    choice: int | None = None

    @classmethod
    def pick(cls, index: int) -> Answer:
        return cls(choice=index)


@dataclass(frozen=True)
class Turn:
    """Everything that happened in one exchange; the store keeps this whole record."""

    index: int
    node: str
    mode: str  # "choice" | "free"
    answer: str
    choice: int | None
    route: int | None
    route_condition: str | None
    scores: dict[str, float]
    labels: tuple[str, ...]
    model: str
    feedback: tuple[str, ...]
    state_before: State
    state_after: State
    reply: str
    outcome: str | None = None
    explanation: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    pitfalls: tuple[str, ...] = ()
    pitfall_scores: dict[str, float] = field(default_factory=dict)

    @property
    def ended(self) -> bool:
        return self.outcome is not None

    def evidence(self, label: str, count: int = 2) -> list[str]:
        """The phrases of the answer that carried this skill or pitfall (from the explanation,
        if any; it holds phrases only for what the answer showed)."""
        found = (self.explanation or {}).get(label, {}).get("up", [])
        return [phrase for phrase, _ in found[:count]]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["state_before"] = self.state_before.to_json()
        data["state_after"] = self.state_after.to_json()
        data["labels"] = list(self.labels)
        data["feedback"] = list(self.feedback)
        data["pitfalls"] = list(self.pitfalls)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Turn:
        return cls(
            index=int(data["index"]),
            node=data["node"],
            mode=data["mode"],
            answer=data["answer"],
            choice=data.get("choice"),
            route=data.get("route"),
            route_condition=data.get("route_condition"),
            scores=dict(data.get("scores", {})),
            labels=tuple(data.get("labels", ())),
            model=data.get("model", ""),
            feedback=tuple(data.get("feedback", ())),
            state_before=State.from_json(data["state_before"]),
            state_after=State.from_json(data["state_after"]),
            reply=data.get("reply", ""),
            outcome=data.get("outcome"),
            explanation=data.get("explanation"),
            extra=dict(data.get("extra") or {}),
            pitfalls=tuple(data.get("pitfalls") or ()),
            pitfall_scores=dict(data.get("pitfall_scores") or {}),
        )


def route_key(turn: Turn) -> str | None:
    """How a turn left its node: `c2` for the third choice, `r0` for the first route."""
    if turn.choice is not None:
        return f"c{turn.choice}"
    return None if turn.route is None else f"r{turn.route}"
