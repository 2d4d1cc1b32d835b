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
from dataclasses import dataclass, field, replace
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from trainer.content.model import PITFALLS, SKILLS, Dialogue, Node, Persona
from trainer.engine.judging import FITTING, NONE, WRONG, fitting_services
from trainer.engine.playthrough import PlaythroughResult, ScriptedAnswer
from trainer.engine.records import Answer, FixedScorer, State, fixed_assessment, route_key
from trainer.engine.step import opening, select_route, transition

if TYPE_CHECKING:
    from trainer.content.kaart import Kaart

SKILL_SETS: tuple[frozenset[str], ...] = tuple(
    frozenset(c) for n in range(len(SKILLS) + 1) for c in combinations(SKILLS, n)
)


def label_sets(node: Node) -> tuple[frozenset[str], ...]:
    """Every combination of the skills and of the pitfalls this node's routes name, smallest
    first: a pitfall no route reads cannot change where an answer goes."""
    named = [p for p in PITFALLS if any(c.name == p for r in node.routes for c in r.when)]
    if not named:
        return SKILL_SETS
    labels = (*SKILLS, *named)
    return tuple(frozenset(c) for n in range(len(labels) + 1) for c in combinations(labels, n))


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
            self.routes.add((turn.node, route_key(turn) or ""))

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


# ---------------------------------------------------------------------- options per state


@dataclass(frozen=True)
class Move:
    """One way to answer at a node: a choice, or a free-text answer showing these skills."""

    key: str  # "c0" or "r2"
    choice: int | None = None
    skills: frozenset[str] = frozenset()  # the fewest skills that take this way
    most: frozenset[str] = frozenset()  # the most skills an answer can show and still take it
    service: str = ""  # a service the answer names, so a replay routes on the kaart the same

    def answer(self) -> Answer:
        return Answer.pick(self.choice) if self.choice is not None else Answer(self.text())

    def text(self) -> str:
        shown = ", ".join(s for s in (*SKILLS, *PITFALLS) if s in self.skills) or "geen vaardigheid"
        named = f"; {self.service}" if self.service else ""
        return f"(vrij antwoord: {shown}{named})"

    def scripted(self) -> ScriptedAnswer:
        if self.choice is not None:
            return ScriptedAnswer(choice=self.choice)
        return ScriptedAnswer(
            text=self.text(),
            skills=self.skills & frozenset(SKILLS),
            pitfalls=self.skills & frozenset(PITFALLS),
        )

    def scorer(self) -> FixedScorer | None:
        return None if self.choice is not None else FixedScorer(self.skills, "explore")


# Per service fact, an example the explorer names so the answer routes the same on replay;
# keyed by the need at stake ("" for nodes that name none).
ServiceOptions = dict[str, tuple[tuple[frozenset[str], str], ...]]
NO_SERVICES: tuple[tuple[frozenset[str], str], ...] = ((frozenset(), ""),)


def service_options(dialogue: Dialogue, persona: Persona, kaart: Kaart | None) -> ServiceOptions:
    """When routes test which service was named: a fitting one, a wrong one and none, per
    need at stake in the dialogue (what fits depends on the node's need)."""
    if kaart is None or not Relevance.of(dialogue).services:
        return {}
    options: ServiceOptions = {}
    any_need = fitting_services(persona)
    for need in {node.need for node in dialogue.nodes.values()}:
        fitting = sorted(s for s in fitting_services(persona, need) if s in kaart)
        # The likelier mistake first: a service for another of the persona's needs (the UWV
        # while Anna's bills are at stake), else one that fits none of them.
        elsewhere = sorted(s for s in any_need if s in kaart and s not in fitting)
        other = elsewhere or sorted(s for s in kaart.services if s not in any_need)
        found: list[tuple[frozenset[str], str]] = [(frozenset({NONE}), "")]
        if fitting:
            found.append((frozenset({FITTING}), kaart.services[fitting[0]].name))
        if other:
            found.append((frozenset({WRONG}), kaart.services[other[0]].name))
        options[need] = tuple(found)
    return options


def moves(dialogue: Dialogue, state: State, services: ServiceOptions | None = None) -> list[Move]:
    """Every choice, and per route that some skill combination (and, where routes test it,
    service fact) selects here, one answer."""
    node = dialogue.nodes[state.node]
    found = [
        Move(f"c{i}", choice=i, skills=c.skills, most=c.skills) for i, c in enumerate(node.choices)
    ]
    fewest: dict[int, tuple[frozenset[str], str]] = {}
    most: dict[int, frozenset[str]] = {}
    for facts, named in (services or {}).get(node.need, NO_SERVICES) if node.routes else ():
        for skills in label_sets(node):  # smallest sets first
            assessment = replace(fixed_assessment(skills, "explore"), facts=facts)
            index, _ = select_route(node, assessment, state, state.turn + 1)
            fewest.setdefault(index, (skills, named))
            if len(skills) >= len(most.get(index, frozenset())):
                most[index] = skills
    found += [
        Move(f"r{i}", skills=fewest[i][0], most=most[i], service=fewest[i][1])
        for i in sorted(fewest)
    ]
    return found


@dataclass(frozen=True)
class Relevance:
    """What the routes of a dialogue read besides skills. Two states that agree on these
    (and on node and trust) branch alike, so exploring one of them is enough."""

    mood: bool
    turn: bool
    flags: frozenset[str]
    services: bool = False

    @classmethod
    def of(cls, dialogue: Dialogue) -> Relevance:
        clauses = [
            clause
            for node in dialogue.nodes.values()
            for route in node.routes
            for clause in route.when
        ]
        return cls(
            mood=any(c.kind == "state" and c.name == "mood" for c in clauses),
            turn=any(c.kind == "state" and c.name == "turn" for c in clauses),
            flags=frozenset(c.name for c in clauses if c.kind == "flag"),
            services=any(c.kind == "service" for c in clauses),
        )

    def key(self, state: State) -> tuple:
        return (
            state.node,
            state.trust,
            state.mood if self.mood else 0,
            state.flags & self.flags,
            min(state.turn, TURN_CAP) if self.turn else 0,
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
    reach: Reach | None = None

    def unvisited(self) -> list[str]:
        """Nodes (not endings: those are `unreached_endings`) no answer can lead to."""
        return [
            n.id for n in self.dialogue.nodes.values() if n.end is None and n.id not in self.nodes
        ]

    def unreached_endings(self) -> list[str]:
        return [n.id for n in self.dialogue.endings() if n.id not in self.nodes]

    def unused_routes(self) -> list[tuple[str, str]]:
        return [r for r in Coverage(self.dialogue).all_routes() if r not in self.routes]


def explore(
    dialogue: Dialogue, persona: Persona, limit: int = MAX_STATES, kaart: Kaart | None = None
) -> Exploration:
    """Walk every reachable state; record what is reached and where no ending can be reached."""
    services = service_options(dialogue, persona, kaart)
    result = Exploration(dialogue)
    relevance = Relevance.of(dialogue)
    start, _ = opening(dialogue, persona, "test")
    start_key = relevance.key(start)
    how: dict[tuple, list[Move]] = {start_key: []}
    states: dict[tuple, State] = {start_key: start}
    edges: dict[tuple, list[tuple[tuple, Move]]] = {}
    queue = deque([start_key])
    while queue:
        key = queue.popleft()
        state = states[key]
        result.nodes.add(state.node)
        if dialogue.nodes[state.node].end is not None:
            continue
        edges[key] = []
        for move in moves(dialogue, state, services):
            result.routes.add((state.node, move.key))
            after = next_state(dialogue, state, move)
            after_key = relevance.key(after)
            if after_key not in states:
                if len(states) >= limit:
                    result.truncated = True
                    continue
                states[after_key] = after
                how[after_key] = [*how[key], move]
                queue.append(after_key)
            edges[key].append((after_key, move))
    result.states = len(states)
    if not result.truncated:
        good = _can_end(dialogue, states, edges)
        result.stuck = _stuck(states, good, how)
        result.reach = _reach(dialogue, start_key, states, edges, good)
    return result


def _can_end(dialogue: Dialogue, states: dict, edges: dict) -> set[tuple]:
    """The states from which some ending can still be reached."""
    reverse: dict[tuple, set[tuple]] = {}
    for source, targets in edges.items():
        for goal, _ in targets:
            reverse.setdefault(goal, set()).add(source)
    good = {k for k, s in states.items() if dialogue.nodes[s.node].end is not None}
    queue = deque(good)
    while queue:
        for source in reverse.get(queue.popleft(), ()):
            if source not in good:
                good.add(source)
                queue.append(source)
    return good


def _stuck(states: dict, good: set[tuple], how: dict) -> dict[str, list[Move]]:
    """States from which no ending is reachable, one example per node (the shortest route)."""
    stuck: dict[str, list[Move]] = {}
    for key in sorted(set(states) - good, key=lambda k: len(how[k])):
        stuck.setdefault(states[key].node, how[key])
    return stuck


# ---------------------------------------------------------------------- what can be reached


@dataclass(frozen=True)
class Reach:
    """Per outcome the trust on arrival (lowest, highest); per skill the fewest and most
    answers showing it in one complete conversation (most is None: a loop can repeat it)."""

    outcomes: dict[str, tuple[int, int]]
    skills: dict[str, tuple[int | None, int | None]]

    def to_json(self) -> dict[str, object]:
        return {
            "outcomes": {
                o: {"trust_min": lo, "trust_max": hi}
                for o, (lo, hi) in sorted(self.outcomes.items())
            },
            "skills": {s: {"min": lo, "max": hi} for s, (lo, hi) in self.skills.items()},
        }


def _reach(dialogue: Dialogue, start: tuple, states: dict, edges: dict, good: set) -> Reach:
    outcomes: dict[str, tuple[int, int]] = {}
    for state in states.values():
        end = dialogue.nodes[state.node].end
        if end is not None:
            lo, hi = outcomes.get(end.outcome, (state.trust, state.trust))
            outcomes[end.outcome] = (min(lo, state.trust), max(hi, state.trust))
    live = {k: [(t, m) for t, m in v if t in good] for k, v in edges.items() if k in good}
    component = _components(live)
    skills = {}
    for skill in SKILLS:
        skills[skill] = (
            _fewest(start, live, good, states, dialogue, skill),
            _most(start, live, component, states, dialogue, skill),
        )
    return Reach(outcomes, skills)


def _fewest(start, live, good, states, dialogue, skill) -> int | None:
    """0-1 breadth-first search: the fewest answers showing the skill on a way to an ending."""
    if start not in good:
        return None
    best = {start: 0}
    queue = deque([start])
    while queue:
        key = queue.popleft()
        for target, move in live.get(key, ()):
            weight = skill in move.skills
            if best[key] + weight < best.get(target, 1 << 30):
                best[target] = best[key] + weight
                (queue.append if weight else queue.appendleft)(target)
    ends = [v for k, v in best.items() if dialogue.nodes[states[k].node].end is not None]
    return min(ends) if ends else None


def _most(start, live, component, states, dialogue, skill) -> int | None:
    """The most answers showing the skill on a way to an ending, or None when a loop that can
    still end can show it again and again."""
    if start not in component:
        return None
    out: dict[int, list[tuple[int, int]]] = {}
    for source, targets in live.items():
        for target, move in targets:
            weight = int(skill in move.most)
            if component[source] == component[target]:
                if weight:
                    return None
                continue
            out.setdefault(component[source], []).append((component[target], weight))
    final = {component[k] for k in component if dialogue.nodes[states[k].node].end is not None}
    memo: dict[int, int] = {}
    order = _topological(out, component[start])
    for node in reversed(order):
        best = 0 if node in final else -(1 << 30)
        for target, weight in out.get(node, ()):
            best = max(best, weight + memo.get(target, -(1 << 30)))
        memo[node] = best
    value = memo.get(component[start], -1)
    return value if value >= 0 else None


def _topological(out: dict[int, list[tuple[int, int]]], start: int) -> list[int]:
    """Components reachable from start, each before the ones it leads to (iterative DFS)."""
    order: list[int] = []
    seen = {start}
    stack = [(start, iter(out.get(start, ())))]
    while stack:
        node, children = stack[-1]
        for target, _ in children:
            if target not in seen:
                seen.add(target)
                stack.append((target, iter(out.get(target, ()))))
                break
        else:
            stack.pop()
            order.append(node)
    order.reverse()
    return order


def _components(graph: dict[tuple, list[tuple[tuple, Move]]]) -> dict[tuple, int]:
    """Strongly connected components (Tarjan, iterative: state graphs are deep)."""
    index: dict[tuple, int] = {}
    low: dict[tuple, int] = {}
    on_stack: set[tuple] = set()
    stack: list[tuple] = []
    component: dict[tuple, int] = {}
    counter = 0
    nodes = set(graph) | {t for targets in graph.values() for t, _ in targets}
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = graph.get(node, [])
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position][0]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = index[node]
                    if member == node:
                        break
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return component


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
    dialogue: Dialogue,
    persona: Persona,
    count: int,
    seed: int,
    max_turns: int = 200,
    kaart: Kaart | None = None,
) -> list[RandomRun]:
    """`count` runs choosing uniformly among the moves at each node; the same seed gives the
    same runs. A run that reaches no ending within `max_turns` has failed (a likely loop)."""
    rng = random.Random(seed)
    services = service_options(dialogue, persona, kaart)
    runs = []
    for number in range(1, count + 1):
        state, _ = opening(dialogue, persona, "test")
        path, taken, outcome = [state.node], [], None
        for _ in range(max_turns):
            if dialogue.nodes[state.node].end is not None:
                break
            move = rng.choice(moves(dialogue, state, services))
            state = next_state(dialogue, state, move)
            taken.append(move)
            path.append(state.node)
            end = dialogue.nodes[state.node].end
            outcome = end.outcome if end else None
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
