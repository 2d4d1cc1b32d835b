"""Testing dialogues: playthrough coverage, exhaustive exploration and reproducible random runs.

`buurttrainer test` and pytest share this. Exploration treats a free-text answer as the set of
skills it shows: at each node it tries every choice and, for the routes, every combination of
the three skills, keeping one answer per distinct route taken. So each route whose conditions
can hold in some state is driven by skills that satisfy it. A state is (node, trust, mood,
flags, and the turn if the dialogue has turn conditions); trust and mood are clamped, so the
state space is finite and the walk ends. A state from which no ending can be reached is a
conversation that loops forever.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import yaml

from trainer.engine import (
    Answer,
    FixedScorer,
    State,
    fixed_assessment,
    opening,
    select_route,
    step,
    transition,
)
from trainer.model import SKILLS, Dialogue, Persona
from trainer.playthrough import PlaythroughResult, ScriptedAnswer

SKILL_SETS: tuple[frozenset[str], ...] = tuple(
    frozenset(c) for n in range(len(SKILLS) + 1) for c in combinations(SKILLS, n)
)
MAX_STATES = 200_000
TURN_CAP = 60


# ---------------------------------------------------------------------- coverage


@dataclass
class Coverage:
    """Which nodes, routes (node + r0/c1) and endings a set of playthroughs reached."""

    dialogue: Dialogue
    nodes: set[str] = field(default_factory=set)
    routes: set[tuple[str, str]] = field(default_factory=set)

    def add(self, result: PlaythroughResult) -> None:
        self.nodes.update(result.path)
        for turn in result.turns:
            key = f"c{turn.choice}" if turn.choice is not None else f"r{turn.route}"
            self.routes.add((turn.node, key))

    def all_routes(self) -> list[tuple[str, str]]:
        found = []
        for node in self.dialogue.nodes.values():
            found += [(node.id, f"c{i}") for i in range(len(node.choices))]
            found += [(node.id, f"r{i}") for i in range(len(node.routes))]
        return found

    @property
    def endings(self) -> list[str]:
        return [n.id for n in self.dialogue.endings()]

    def missing_nodes(self) -> list[str]:
        return [n for n in self.dialogue.nodes if n not in self.nodes]

    def missing_routes(self) -> list[tuple[str, str]]:
        return [r for r in self.all_routes() if r not in self.routes]

    def missing_endings(self) -> list[str]:
        return [n for n in self.endings if n not in self.nodes]


def target(dialogue: Dialogue, node: str, key: str) -> str:
    """Where route `r0` or choice `c1` of a node leads."""
    found = dialogue.nodes[node]
    options = found.choices if key.startswith("c") else found.routes
    return options[int(key[1:])].next


# ---------------------------------------------------------------------- options per state


@dataclass(frozen=True)
class Move:
    """One way to answer at a node: a choice, or a free-text answer showing these skills."""

    key: str  # "c0" or "r2"
    choice: int | None = None
    skills: frozenset[str] = frozenset()

    def answer(self) -> Answer:
        return Answer.pick(self.choice) if self.choice is not None else Answer(self.text())

    def text(self) -> str:
        shown = ", ".join(s for s in SKILLS if s in self.skills) or "geen vaardigheid"
        return f"(vrij antwoord: {shown})"

    def scripted(self) -> ScriptedAnswer:
        if self.choice is not None:
            return ScriptedAnswer(choice=self.choice)
        return ScriptedAnswer(text=self.text(), skills=self.skills)

    def scorer(self) -> FixedScorer | None:
        return None if self.choice is not None else FixedScorer(self.skills, "explore")


def moves(dialogue: Dialogue, state: State) -> list[Move]:
    """Every choice, and per route that some skill combination selects here, one answer."""
    node = dialogue.nodes[state.node]
    found = [Move(f"c{i}", choice=i) for i in range(len(node.choices))]
    seen: set[int] = set()
    for skills in SKILL_SETS if node.routes else ():
        index, _ = select_route(node, fixed_assessment(skills, "explore"), state, state.turn + 1)
        if index not in seen:
            seen.add(index)
            found.append(Move(f"r{index}", skills=skills))
    return found


def _uses_turn(dialogue: Dialogue) -> bool:
    return any(
        "turn" in clause.source
        for node in dialogue.nodes.values()
        for route in node.routes
        for clause in route.when
    )


# ---------------------------------------------------------------------- exploration


def next_state(dialogue: Dialogue, state: State, move: Move) -> State:
    """Where a move leads, without rendering the reply (exploration visits many states)."""
    node = dialogue.nodes[state.node]
    if move.choice is not None:
        picked = node.choices[move.choice]
        return transition(dialogue, state, picked.effects, picked.next)
    route = node.routes[int(move.key[1:])]
    return transition(dialogue, state, route.effects, route.next)


@dataclass
class Exploration:
    dialogue: Dialogue
    states: int = 0
    nodes: set[str] = field(default_factory=set)
    routes: set[tuple[str, str]] = field(default_factory=set)
    stuck: dict[str, list[Move]] = field(default_factory=dict)  # node -> moves to get there
    truncated: bool = False

    def unvisited(self) -> list[str]:
        """Nodes (not endings: those are `unreached_endings`) no answer can lead to."""
        return [
            n.id for n in self.dialogue.nodes.values() if n.end is None and n.id not in self.nodes
        ]

    def unreached_endings(self) -> list[str]:
        return [n.id for n in self.dialogue.endings() if n.id not in self.nodes]

    def unused_routes(self) -> list[tuple[str, str]]:
        return [r for r in Coverage(self.dialogue).all_routes() if r not in self.routes]


def _key(state: State, with_turn: bool) -> tuple:
    turn = min(state.turn, TURN_CAP) if with_turn else 0
    return (state.node, state.trust, state.mood, state.flags, turn)


def explore(dialogue: Dialogue, persona: Persona, limit: int = MAX_STATES) -> Exploration:
    """Walk every reachable state; record what is reached and where no ending can be reached."""
    result = Exploration(dialogue)
    with_turn = _uses_turn(dialogue)
    start, _ = opening(dialogue, persona, "test")
    start_key = _key(start, with_turn)
    how: dict[tuple, list[Move]] = {start_key: []}
    states: dict[tuple, State] = {start_key: start}
    edges: dict[tuple, set[tuple]] = {}
    queue = deque([start_key])
    while queue:
        key = queue.popleft()
        state = states[key]
        result.nodes.add(state.node)
        if dialogue.nodes[state.node].end is not None:
            continue
        edges[key] = set()
        for move in moves(dialogue, state):
            result.routes.add((state.node, move.key))
            after = next_state(dialogue, state, move)
            after_key = _key(after, with_turn)
            edges[key].add(after_key)
            if after_key not in states:
                if len(states) >= limit:
                    result.truncated = True
                    continue
                states[after_key] = after
                how[after_key] = [*how[key], move]
                queue.append(after_key)
    result.states = len(states)
    if not result.truncated:
        result.stuck = _stuck(dialogue, states, edges, how)
    return result


def _stuck(dialogue: Dialogue, states: dict, edges: dict, how: dict) -> dict[str, list[Move]]:
    """States from which no ending is reachable, one example per node (the shortest route)."""
    reverse: dict[tuple, set[tuple]] = {}
    for source, targets in edges.items():
        for goal in targets:
            reverse.setdefault(goal, set()).add(source)
    good = {k for k, s in states.items() if dialogue.nodes[s.node].end is not None}
    queue = deque(good)
    while queue:
        for source in reverse.get(queue.popleft(), ()):
            if source not in good:
                good.add(source)
                queue.append(source)
    stuck: dict[str, list[Move]] = {}
    for key in sorted(set(states) - good, key=lambda k: len(how[k])):
        stuck.setdefault(states[key].node, how[key])
    return stuck


def replay_path(dialogue: Dialogue, persona: Persona, taken: list[Move]) -> list[str]:
    """The nodes these moves pass through, from the start."""
    state, _ = opening(dialogue, persona, "test")
    path = [state.node]
    for move in taken:
        state = next_state(dialogue, state, move)
        path.append(state.node)
    return path


# ---------------------------------------------------------------------- random runs


@dataclass
class RandomRun:
    number: int
    moves: list[Move]
    path: list[str]
    outcome: str | None

    @property
    def failed(self) -> bool:
        return self.outcome is None


def random_runs(
    dialogue: Dialogue, persona: Persona, count: int, seed: int, max_turns: int = 200
) -> list[RandomRun]:
    """`count` runs choosing uniformly among the moves at each node; the same seed gives the
    same runs. A run that reaches no ending within `max_turns` has failed (a likely loop)."""
    rng = random.Random(seed)
    runs = []
    for number in range(1, count + 1):
        state, _ = opening(dialogue, persona, "test")
        path, taken, outcome = [state.node], [], None
        for _ in range(max_turns):
            if dialogue.nodes[state.node].end is not None:
                break
            move = rng.choice(moves(dialogue, state))
            turn = step(dialogue, persona, state, move.answer(), move.scorer(), "test")
            taken.append(move)
            state = turn.state_after
            path.append(state.node)
            outcome = turn.outcome
        runs.append(RandomRun(number, taken, path, outcome))
    return runs


# ---------------------------------------------------------------------- replayable files


def playthrough_file(
    dialogue: Dialogue, name: str, taken: list[Move], path: list[str], outcome: str | None
) -> str:
    """A playthrough file that replays these moves with `buurttrainer test FILE`."""
    answers: list[object] = []
    for move in taken:
        if move.choice is not None:
            answers.append(move.choice + 1)
        else:
            answers.append({"text": move.text(), "skills": sorted(move.skills)})
    item: dict[str, object] = {"name": name, "answers": answers, "path": path}
    if outcome:
        item["outcome"] = outcome
    data = {"dialogue": dialogue.id, "playthroughs": [item]}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def write_playthrough(folder: Path, filename: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_text(body, encoding="utf-8")
    return path
