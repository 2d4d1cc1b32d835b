"""The conversation engine: (dialogue, persona, state, answer, scorer) -> turn.

Pure and deterministic: it never prints, never touches a file and keeps no hidden state, so the
CLI, the app, the playthrough runner and the tests all drive the same code. The scorer is a
protocol: tests inject a fixed scorer, the real classifier plugs in unchanged.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from trainer.content.model import (
    PITFALLS,
    SKILLS,
    STATE_RANGE,
    Dialogue,
    Effects,
    Node,
    Persona,
    Route,
)
from trainer.content.templates import render
from trainer.engine.records import (
    MAX_ANSWER_CHARS,
    Answer,
    Assessment,
    EngineError,
    Scorer,
    State,
    Turn,
    clean_answer,
    fixed_assessment,
)
from trainer.messages import text as message

if TYPE_CHECKING:
    from trainer.content.kaart import Kaart


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


def pitfall_feedback(route: Route, assessment: Assessment) -> tuple[str, ...]:
    """A line per pitfall the typed answer showed, saying what it does and what works instead;
    not for a pitfall the route itself is about (its author's feedback already speaks of it)."""
    named = {c.name for c in route.when if c.kind == "pitfall"}
    return tuple(
        message(f"pitfall_feedback.{p}")
        for p in PITFALLS
        if p in assessment.pitfalls and p not in named
    )


def condition_values(state: State, turn: int) -> dict[str, float]:
    """What `trust`, `mood` and `turn` mean in a route's conditions (turn: the answer's number)."""
    return {"trust": state.trust, "mood": state.mood, "turn": turn}


def select_route(node: Node, assessment: Assessment, state: State, turn: int) -> tuple[int, Route]:
    """The first route whose every clause holds; check guarantees a fallback exists."""
    values = condition_values(state, turn)
    flags = state.flags | assessment.facts
    for index, route in enumerate(node.routes):
        if all(c.holds(assessment.shown, assessment.all_scores, values, flags) for c in route.when):
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
            fixed_assessment(picked.skills, "choice", picked.pitfalls),
            picked.text,
            persona,
            kaart,
            node.need,
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
        feedback, effects, target = (
            route.feedback + pitfall_feedback(route, assessment),
            route.effects,
            route.next,
        )
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
        pitfalls=tuple(p for p in PITFALLS if p in assessment.pitfalls),
        pitfall_scores=dict(assessment.pitfall_scores),
        model=assessment.model,
        feedback=feedback,
        state_before=state,
        state_after=after,
        reply=reply,
        outcome=next_node.end.outcome if next_node.end else None,
        explanation=explanation,
        extra=service_record(assessment, node.need),
    )
