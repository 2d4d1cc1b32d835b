"""The conversation engine: (dialogue, persona, state, answer, scorer) -> turn.

Pure and deterministic: it never prints, never touches a file and keeps no hidden state, so the
CLI, the app, the playthrough runner and the tests all drive the same code. The scorer is a
protocol: tests inject a fixed scorer, the real classifier plugs in unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from trainer.content.model import SKILLS, STATE_RANGE, Dialogue, Effects, Node, Persona, Route
from trainer.content.templates import render
from trainer.messages import text as message

if TYPE_CHECKING:
    from trainer.content.kaart import Kaart


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


class Scorer(Protocol):
    """Anything that can say which skills a free-text answer shows."""

    version: str

    def assess(self, text: str) -> Assessment: ...


@dataclass(frozen=True)
class FixedScorer:
    """Always returns the same skills: for tests and for playthroughs with fixed skills."""

    skills: frozenset[str] = frozenset()
    version: str = "fixed"

    def assess(self, text: str) -> Assessment:
        return fixed_assessment(self.skills, self.version)


def fixed_assessment(skills: frozenset[str], model: str) -> Assessment:
    return Assessment({s: 1.0 if s in skills else 0.0 for s in SKILLS}, frozenset(skills), model)


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

    @property
    def ended(self) -> bool:
        return self.outcome is not None

    def evidence(self, skill: str, count: int = 3) -> list[str]:
        """The words that pushed this skill up most (from the explanation, if any)."""
        found = (self.explanation or {}).get(skill, {}).get("up", [])
        return [word for word, _ in found[:count]]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["state_before"] = self.state_before.to_json()
        data["state_after"] = self.state_after.to_json()
        data["labels"] = list(self.labels)
        data["feedback"] = list(self.feedback)
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
        )


def _clamp(value: int) -> int:
    low, high = STATE_RANGE
    return max(low, min(high, value))


def apply_effects(state: State, effects: Effects) -> State:
    if not effects:
        return state
    flags = (state.flags | frozenset(effects.set)) - frozenset(effects.unset)
    return replace(
        state, trust=_clamp(state.trust + effects.trust), mood=_clamp(state.mood + effects.mood),
        flags=flags,
    )  # fmt: skip


def template_context(persona: Persona, state: State, trainee: str) -> dict[str, Any]:
    return {
        "persona": persona.template_view(),
        "trainee": trainee,
        "trust": state.trust,
        "mood": state.mood,
        "flags": state.flags,
    }


def spoken_line(node: Node, persona: Persona, state: State, trainee: str) -> str:
    """What the persona says at `node` in `state`. `check` renders each line in one sample
    state; a line that fails in another (`{{ 100 // (trust - 40) }}` at trust 40) is an
    EngineError like any other answer that cannot be played, never a crash."""
    try:
        return render(node.say, template_context(persona, state, trainee))
    except Exception as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise EngineError(message("engine.line_failed", node=node.id, reason=reason)) from exc


def opening(dialogue: Dialogue, persona: Persona, trainee: str) -> tuple[State, str]:
    """The state at the start node (its `enter` effects applied) and the persona's first line."""
    state = State(dialogue.start, persona.start_trust, persona.start_mood)
    node = dialogue.nodes[dialogue.start]
    state = apply_effects(state, node.enter)
    return state, spoken_line(node, persona, state, trainee)


def say(dialogue: Dialogue, persona: Persona, state: State, trainee: str) -> str:
    """What the persona says at the state's node (used when resuming a session)."""
    return spoken_line(dialogue.nodes[state.node], persona, state, trainee)


def transition(dialogue: Dialogue, state: State, effects: Effects, target: str) -> State:
    """The state after leaving a node with these effects for `target` (whose `enter` effects
    apply on arrival). Exploration calls this directly: it needs no reply text."""
    after = apply_effects(state, effects)
    after = replace(after, node=target, turn=state.turn + 1)
    return apply_effects(after, dialogue.nodes[target].enter)


def with_services(
    assessment: Assessment, text: str, persona: Persona, kaart: Kaart | None, need: str = ""
) -> Assessment:
    """The assessment plus the services the answer names and whether they fit the need at
    stake (the node's `need`, else any of the persona's needs)."""
    if kaart is None:
        return assessment
    from trainer.engine.judging import judge

    named, fact = judge(text, persona, kaart, need)
    return replace(assessment, services=named, facts=frozenset({fact}))


def service_record(assessment: Assessment, need: str) -> dict[str, Any]:
    """What a turn keeps of the services named: which, whether they fit, and the need at
    stake (so the debrief can judge over-referral without the dialogue at hand)."""
    if not assessment.facts:
        return {}
    record: dict[str, Any] = {
        "services": list(assessment.services),
        "service_fact": next(iter(assessment.facts)),
    }
    if need:
        record["need"] = need
    return record


def condition_values(state: State, turn: int) -> dict[str, float]:
    """What `trust`, `mood` and `turn` mean in a route's conditions (turn: the answer's number)."""
    return {"trust": state.trust, "mood": state.mood, "turn": turn}


def select_route(node: Node, assessment: Assessment, state: State, turn: int) -> tuple[int, Route]:
    """The first route whose every clause holds; check guarantees a fallback exists."""
    values = condition_values(state, turn)
    flags = state.flags | assessment.facts
    for index, route in enumerate(node.routes):
        if all(c.holds(assessment.labels, assessment.scores, values, flags) for c in route.when):
            return index, route
    raise EngineError(f"node {node.id!r} has no matching route and no fallback")


def step(
    dialogue: Dialogue,
    persona: Persona,
    state: State,
    answer: Answer,
    scorer: Scorer | None,
    trainee: str,
    kaart: Kaart | None = None,
) -> Turn:
    """Play one answer at the state's node and return the resulting turn. With a sociale
    kaart, the services the answer names are recognised, recorded and routed on."""
    node = dialogue.nodes[state.node]
    if node.end is not None:
        raise EngineError("the conversation has already ended")
    turn_number = state.turn + 1
    explanation = None
    if answer.choice is not None:
        if not 0 <= answer.choice < len(node.choices):
            raise EngineError(f"choice {answer.choice + 1} does not exist at node {node.id!r}")
        picked = node.choices[answer.choice]
        assessment = with_services(
            fixed_assessment(picked.skills, "choice"), picked.text, persona, kaart, node.need
        )
        text_given, route_index, condition = picked.text, None, None
        feedback, effects, target = picked.feedback, picked.effects, picked.next
        mode = "choice"
    else:
        if not node.routes:
            raise EngineError(f"node {node.id!r} only has choices")
        if scorer is None:
            raise EngineError("free text needs a scorer")
        given = clean_answer(answer.text)
        if len(given) > MAX_ANSWER_CHARS:
            raise EngineError(
                message("engine.answer_too_long", length=len(given), limit=MAX_ANSWER_CHARS)
            )
        assessment = with_services(scorer.assess(given), given, persona, kaart, node.need)
        route_index, route = select_route(node, assessment, state, turn_number)
        text_given, condition = given, route.describe()
        feedback, effects, target = route.feedback, route.effects, route.next
        explanation = assessment.explanation
        mode = "free"
    after = transition(dialogue, state, effects, target)
    next_node = dialogue.nodes[target]
    reply = spoken_line(next_node, persona, after, trainee)
    return Turn(
        index=turn_number,
        node=node.id,
        mode=mode,
        answer=text_given,
        choice=answer.choice,
        route=route_index,
        route_condition=condition,
        scores=dict(assessment.scores),
        labels=tuple(s for s in SKILLS if s in assessment.labels),
        model=assessment.model,
        feedback=feedback,
        state_before=state,
        state_after=after,
        reply=reply,
        outcome=next_node.end.outcome if next_node.end else None,
        explanation=explanation,
        extra=service_record(assessment, node.need),
    )
