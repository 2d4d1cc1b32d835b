"""Playthrough tests: a list of answers and the node path and outcome they must produce.

Modelled on YarnSpinner's .testplan files. They live beside the dialogues as
`<dialogue>.tests.yaml`; `buurttrainer play --script`, `buurttrainer check` and pytest all use
this one loader and runner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from trainer.content.diagnostics import Problem, did_you_mean, display_path
from trainer.content.loader import Content
from trainer.content.located import load_located
from trainer.content.model import OUTCOMES, Dialogue, Persona
from trainer.content.schema import Validator
from trainer.engine.records import Answer, EngineError, FixedScorer, Scorer, State, Turn
from trainer.engine.step import opening, step

if TYPE_CHECKING:
    from trainer.content.kaart import Kaart


@dataclass(frozen=True)
class ScriptedAnswer:
    """One answer in a playthrough: a choice (0-based), typed text, or text with fixed skills."""

    choice: int | None = None
    text: str = ""
    skills: frozenset[str] | None = None
    pitfalls: frozenset[str] | None = None

    @property
    def fixed(self) -> bool:
        """Scored as written (`skills:` or `pitfalls:` given), not by the classifier."""
        return self.skills is not None or self.pitfalls is not None

    def as_answer(self) -> Answer:
        return Answer.pick(self.choice) if self.choice is not None else Answer(self.text)


@dataclass(frozen=True)
class Playthrough:
    name: str
    dialogue: str
    answers: tuple[ScriptedAnswer, ...]
    path: tuple[str, ...] | None
    outcome: str | None
    source: str
    line: int


@dataclass
class PlaythroughResult:
    playthrough: Playthrough
    path: list[str] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    outcome: str | None = None
    error: str | None = None

    @property
    def passed(self) -> bool:
        expected = self.playthrough
        return (
            self.error is None
            and (expected.path is None or tuple(self.path) == expected.path)
            and (expected.outcome is None or self.outcome == expected.outcome)
        )


def load_playthroughs(path: Path, content: Content) -> tuple[list[Playthrough], list[Problem]]:
    """Read one playthrough file; problems name file and line like every other check."""
    located, problems = load_located(path, display_path(path))
    if located is None:
        return [], problems
    v = Validator(located, display_path(path))
    v.problems.extend(problems)
    data = v.mapping((), located.data, ("dialogue", "playthroughs"), (), "het bestand")
    if data is None or "dialogue" not in data:
        return [], v.problems
    dialogue_id = v.string(("dialogue",), data["dialogue"])
    if dialogue_id is not None and dialogue_id not in content.dialogues:
        known = list(content.dialogues)
        v.report(
            ("dialogue",), "playthrough-dialogue", dialogue=dialogue_id,
            suggestion=did_you_mean(dialogue_id, known),
        )  # fmt: skip
        return [], v.problems
    result: list[Playthrough] = []
    for index, raw in enumerate(v.list_of(("playthroughs",), data.get("playthroughs", []))):
        where = ("playthroughs", index)
        item = v.mapping(
            where, raw, ("name", "answers"), ("path", "outcome"), f"playthrough {index + 1}"
        )
        if item is None:
            continue
        name = v.string((*where, "name"), item.get("name", ""))
        answers = []
        for number, answer in enumerate(v.list_of((*where, "answers"), item.get("answers", []))):
            scripted = _scripted(v, (*where, "answers", number), answer, number)
            if scripted is not None:
                answers.append(scripted)
        path_value = None
        if "path" in item:
            raw_path = v.list_of((*where, "path"), item["path"])
            path_value = tuple(str(p) for p in raw_path)
        outcome = (
            v.choice_of((*where, "outcome"), item["outcome"], OUTCOMES, "expected.outcome")
            if "outcome" in item
            else None
        )
        if name:
            result.append(
                Playthrough(
                    name,
                    dialogue_id or "",
                    tuple(answers),
                    path_value,
                    outcome,
                    display_path(path),
                    v.line(where),
                )
            )
    return result, v.problems


def _scripted(v: Validator, where: tuple, raw: object, number: int) -> ScriptedAnswer | None:
    if isinstance(raw, bool):
        v.report(where, "bad-answer", index=number + 1)
        return None
    if isinstance(raw, int):
        if raw < 1:
            v.report(where, "bad-answer", index=number + 1)
            return None
        return ScriptedAnswer(choice=raw - 1)
    if isinstance(raw, str):
        return ScriptedAnswer(text=raw)
    if isinstance(raw, dict):
        item = v.mapping(where, raw, ("text",), ("skills", "pitfalls"), f"antwoord {number + 1}")
        if item is None:
            return None
        from trainer.content.model import PITFALLS
        from trainer.content.schema import skill_list

        skills = skill_list(v, (*where, "skills"), item["skills"]) if "skills" in item else None
        pitfalls = (
            skill_list(v, (*where, "pitfalls"), item["pitfalls"], PITFALLS)
            if "pitfalls" in item
            else None
        )
        return ScriptedAnswer(text=str(item.get("text", "")), skills=skills, pitfalls=pitfalls)
    v.report(where, "bad-answer", index=number + 1)
    return None


def run_playthrough(
    playthrough: Playthrough,
    dialogue: Dialogue,
    persona: Persona,
    scorer: Scorer | None,
    trainee: str = "test",
    on_start: Callable[[State, str], None] | None = None,
    on_turn: Callable[[Turn], None] | None = None,
    kaart: Kaart | None = None,
) -> PlaythroughResult:
    """Play the scripted answers; stop at an ending, an error, or when the answers run out."""
    result = PlaythroughResult(playthrough)
    state, reply = opening(dialogue, persona, trainee)
    if on_start:
        on_start(state, reply)
    result.path.append(state.node)
    for scripted in playthrough.answers:
        if dialogue.nodes[state.node].end is not None:
            result.error = "meer antwoorden dan nodig: het gesprek was al afgelopen"
            break
        use = (
            FixedScorer(scripted.skills or frozenset(), "script", scripted.pitfalls or frozenset())
            if scripted.fixed
            else scorer
        )
        try:
            turn = step(dialogue, persona, state, scripted.as_answer(), use, trainee, kaart)
        except EngineError as exc:
            result.error = str(exc)
            break
        if on_turn:
            on_turn(turn)
        result.turns.append(turn)
        state = turn.state_after
        result.path.append(state.node)
        result.outcome = turn.outcome
    return result
