"""Loading personas and dialogues from a content folder into the typed model.

Loading never raises on bad content: every file is validated on its own, its problems are
collected with `file:line:col`, and a dialogue with errors is left out of `Content.dialogues`
so that one broken file never stops the others from being offered.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.content.conditions import Clause, ConditionError, parse_clause
from trainer.content.diagnostics import Problem, display_path
from trainer.content.located import Located, Path_, Pos
from trainer.content.model import (
    DIFFICULTIES,
    OUTCOMES,
    PITFALLS,
    STATE_RANGE,
    Choice,
    Dialogue,
    Effects,
    Ending,
    Node,
    Offer,
    Persona,
    Route,
)
from trainer.content.schema import Validator, field_name, load_file, skill_list
from trainer.messages import text

if TYPE_CHECKING:
    from trainer.content.kaart import Kaart

FLAG_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
TESTS_SUFFIX = ".tests.yaml"


@dataclass
class Content:
    """Everything loaded from one content root, with the problems found on the way."""

    root: Path
    personas: dict[str, Persona] = field(default_factory=dict)
    dialogues: dict[str, Dialogue] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sources: dict[str, Located] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)  # dialogue id -> display path
    broken_personas: set[str] = field(default_factory=set)  # ids of personas with errors
    files: list[Path] = field(default_factory=list)
    kaart: Kaart | None = None  # the sociale kaart, when the root has one

    def dialogues_for(self, persona: str) -> list[Dialogue]:
        return sorted(
            (d for d in self.dialogues.values() if d.persona == persona), key=lambda d: d.id
        )

    def playthrough_files(self) -> list[Path]:
        folder = self.root / "dialogues"
        return sorted(folder.glob(f"*{TESTS_SUFFIX}")) if folder.is_dir() else []

    def source_line(self, problem: Problem) -> str:
        located = self.sources.get(problem.path)
        return located.line_text(problem.line) if located else ""


def persona_files(root: Path) -> list[Path]:
    folder = root / "personas"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def dialogue_files(root: Path) -> list[Path]:
    folder = root / "dialogues"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.yaml") if not p.name.endswith(TESTS_SUFFIX))


def load_content(root: Path) -> Content:
    """Load and validate every persona and dialogue under `root`."""
    from trainer.content.checks import check_dialogue  # graph checks need the typed dialogue

    content = Content(root=root)
    if not (root / "personas").is_dir() and not (root / "dialogues").is_dir():
        content.problems.append(Problem.make(display_path(root), 1, 1, "no-content", root=root))
        return content
    persona_sources: dict[str, str] = {}
    for path in persona_files(root):
        content.files.append(path)
        persona, located, problems = load_file(path, _build_persona)
        if located is not None:
            content.sources[display_path(path)] = located
        content.problems.extend(problems)
        if persona is None:
            if located is not None and isinstance(located.data, dict):
                content.broken_personas.add(str(located.data.get("id", "")))
            else:  # not even readable: by convention the file is named after the id
                content.broken_personas.add(path.stem)
            continue
        if persona.id in content.personas:
            content.problems.append(_duplicate(located, "persona", persona.id, persona_sources))
            continue
        persona_sources[persona.id] = display_path(path)
        content.personas[persona.id] = persona
    dialogue_sources: dict[str, str] = {}
    for path in dialogue_files(root):
        content.files.append(path)
        dialogue, located, problems = load_file(path, _build_dialogue)
        if located is not None:
            content.sources[display_path(path)] = located
        if dialogue is not None and located is not None:
            if dialogue.id in dialogue_sources:
                problems.append(_duplicate(located, "dialoog", dialogue.id, dialogue_sources))
            else:
                dialogue_sources[dialogue.id] = display_path(path)
            problems.extend(
                check_dialogue(dialogue, located, content.personas, content.broken_personas)
            )
        content.problems.extend(problems)
        if dialogue is None:
            continue
        # A dialogue whose persona has errors is not playable either (its own problems are
        # the persona file's, reported there once).
        if any(p.severity == "error" for p in problems) or dialogue.persona not in content.personas:
            content.broken.setdefault(dialogue.id, display_path(path))
        elif dialogue.id not in content.dialogues:
            content.dialogues[dialogue.id] = dialogue
    for persona in content.personas.values():
        if persona.id not in {d.persona for d in content.dialogues.values()} and not any(
            _persona_of_broken(content, d) == persona.id for d in content.broken
        ):
            located = content.sources.get(persona_sources[persona.id])
            pos = located.pos(("id",)) if located else None
            content.problems.append(
                Problem.make(
                    persona_sources[persona.id],
                    pos.line if pos else 1,
                    pos.col if pos else 1,
                    "persona-without-dialogue",
                    persona=persona.id,
                )
            )
    from trainer.content.kaart import check_references, kaart_path, load_kaart

    kaart, problems = load_kaart(root)
    content.problems.extend(problems)
    if kaart is not None:
        content.kaart = kaart
        content.files.append(kaart_path(root))
        content.problems.extend(check_references(content.personas, kaart, content.sources))
    elif not kaart_path(root).exists():  # a broken kaart has problems of its own
        content.problems.extend(_kaart_missing(content, kaart_path(root)))
    return content


def _kaart_missing(content: Content, kaart_file: Path) -> list[Problem]:
    """Without a sociale kaart no service is recognised: a need's `services` and a route on
    `fitting_service` / `wrong_service` / `no_service` cannot work. One warning per file that
    relies on it, at its first such place, naming the file that is missing."""
    problems = []
    for persona in content.personas.values():
        with_services = [(n, need) for n, need in enumerate(persona.needs) if need.services]
        if persona.path is None or not with_services:
            continue
        name = display_path(persona.path)
        located = content.sources.get(name)
        n, need = with_services[0]
        pos = located.pos(("needs", n, "services")) if located else None
        what = text("check.kaart-missing.need", need=need.id)
        problems.append(_kaart_warning(name, pos, kaart_file, what))
    for dialogue in content.dialogues.values():
        uses = dialogue.service_routes()
        if dialogue.path is None or not uses:
            continue
        name = display_path(dialogue.path)
        node, route, clause = uses[0]
        what = text(
            "check.kaart-missing.route", node=node.id, condition=clause.source, count=len(uses)
        )
        problems.append(_kaart_warning(name, Pos(route.line or 1, 1), kaart_file, what))
    return problems


def _kaart_warning(name: str, pos: Pos | None, kaart_file: Path, what: str) -> Problem:
    return Problem.make(
        name, pos.line if pos else 1, pos.col if pos else 1, "kaart-missing",
        file=display_path(kaart_file), what=what,
    )  # fmt: skip


def _persona_of_broken(content: Content, dialogue_id: str) -> str | None:
    located = content.sources.get(content.broken[dialogue_id])
    data = located.data if located else None
    return data.get("persona") if isinstance(data, dict) else None


def _duplicate(located: Located, kind: str, ident: str, seen: dict[str, str]) -> Problem:
    pos = located.pos(("id",))
    return Problem.make(
        display_path(located.path), pos.line, pos.col, "duplicate-id",
        kind=kind, id=ident, other=seen[ident],
    )  # fmt: skip


# --------------------------------------------------------------------------- validation


# --------------------------------------------------------------------------- personas

PERSONA_REQUIRED = (
    "id", "name", "age", "situation", "background", "character", "difficulty", "start",
    "gives", "needs",
)  # fmt: skip
PERSONA_OPTIONAL = ("household",)


def _build_persona(v: Validator) -> Persona | None:
    data = v.mapping((), v.located.data, PERSONA_REQUIRED, PERSONA_OPTIONAL, text("where.top"))
    if data is None:
        return None
    ident = v.ident(("id",), data["id"]) if "id" in data else None
    v.check_id_matches_file(ident)
    fields = {
        key: v.string((key,), data[key])
        for key in ("name", "situation", "background", "character")
        if key in data
    }
    household = v.string(("household",), data["household"]) if "household" in data else ""
    age = v.integer(("age",), data["age"], 0, 120) if "age" in data else None
    difficulty = (
        v.choice_of(("difficulty",), data["difficulty"], DIFFICULTIES, "expected.difficulty")
        if "difficulty" in data
        else None
    )
    trust = mood = None
    if "start" in data:
        start = v.mapping(("start",), data["start"], ("trust",), ("mood",), "'start'")
        if start is not None:
            trust = (
                v.integer(("start", "trust"), start["trust"], *STATE_RANGE)
                if "trust" in start
                else None
            )
            mood = v.integer(("start", "mood"), start.get("mood", 50), *STATE_RANGE)
    gives = _offers(v, data, "gives", with_services=False)
    needs = _offers(v, data, "needs", with_services=True)
    # A None is a value the validator has already reported; such a persona is not built.
    name, situation, background, character = (
        fields.get(key) for key in ("name", "situation", "background", "character")
    )
    if (
        ident is None or age is None or difficulty is None or trust is None or mood is None
        or gives is None or needs is None or household is None or name is None
        or situation is None or background is None or character is None
    ):  # fmt: skip
        return None
    return Persona(
        id=ident, name=name, age=age, situation=situation, background=background,
        character=character, difficulty=difficulty, start_trust=trust, start_mood=mood,
        gives=gives, needs=needs, household=household or "", path=v.located.path,
    )  # fmt: skip


def _offers(v: Validator, data: dict[str, Any], key: str, *, with_services: bool):
    if key not in data:
        return None
    items = v.list_of((key,), data[key])
    if isinstance(data[key], list) and not items:
        v.report((key,), "bad-value", field=key, value="[]", expected=text("expected.nonempty"))
    result = []
    optional = ("services", "neighbour") if with_services else ()
    for index, item in enumerate(items):
        where = (key, index)
        entry = v.mapping(where, item, ("id", "text"), optional, f"'{key}'")
        if entry is None:
            continue
        ident = v.ident((*where, "id"), entry["id"]) if "id" in entry else None
        body = v.string((*where, "text"), entry["text"]) if "text" in entry else None
        services: list[str] = []
        if "services" in entry:
            raw = v.list_of((*where, "services"), entry["services"])
            services = [s for i, x in enumerate(raw) if (s := v.string((*where, "services", i), x))]
        neighbour = entry.get("neighbour", False)
        if not isinstance(neighbour, bool):
            v.wrong_type((*where, "neighbour"), neighbour, "type.bool")
            neighbour = False
        if ident and body:
            result.append(Offer(ident, body, tuple(services), neighbour))
    return tuple(result)


# --------------------------------------------------------------------------- dialogues

DIALOGUE_REQUIRED = ("id", "persona", "title", "start", "nodes")
DIALOGUE_OPTIONAL = ("description",)
NODE_KEYS = ("say", "need", "enter", "choices", "routes", "end")
CHOICE_REQUIRED = ("text", "skills", "feedback", "next")
ROUTE_REQUIRED = ("feedback", "next")
EFFECT_KEYS = ("trust", "mood", "set", "unset")


def _build_dialogue(v: Validator) -> Dialogue | None:
    data = v.mapping((), v.located.data, DIALOGUE_REQUIRED, DIALOGUE_OPTIONAL, text("where.top"))
    if data is None:
        return None
    ident = v.ident(("id",), data["id"]) if "id" in data else None
    v.check_id_matches_file(ident)
    persona = v.ident(("persona",), data["persona"]) if "persona" in data else None
    title = v.string(("title",), data["title"]) if "title" in data else None
    description = v.string(("description",), data.get("description", ""), nonempty=False)
    start = v.string(("start",), data["start"]) if "start" in data else None
    nodes: dict[str, Node] = {}
    raw_nodes = data.get("nodes")
    if "nodes" in data and not isinstance(raw_nodes, dict):
        v.wrong_type(("nodes",), raw_nodes, "type.mapping")
    elif isinstance(raw_nodes, dict):
        if not raw_nodes:
            v.report(
                ("nodes",),
                "bad-value",
                field="nodes",
                value="{}",
                expected=text("expected.nonempty"),
            )
        for node_id, raw in raw_nodes.items():
            node = _build_node(v, str(node_id), raw)
            if node is not None:
                nodes[str(node_id)] = node
    if not nodes:
        return None
    # Keep going with what we have, so the graph checks still run; the missing pieces were
    # reported above and make this dialogue count as broken.
    ident = ident or v.located.path.name.removesuffix(".yaml")
    flags = frozenset(
        flag
        for node in nodes.values()
        for effects in (
            node.enter,
            *(c.effects for c in node.choices),
            *(r.effects for r in node.routes),
        )
        for flag in effects.set
    )
    return Dialogue(
        id=ident, persona=persona or "", title=title or ident, start=start or "", nodes=nodes,
        description=description or "", path=v.located.path, flags=flags,
    )  # fmt: skip


def _build_node(v: Validator, node_id: str, raw: Any) -> Node | None:
    where: Path_ = ("nodes", node_id)
    if not FLAG_PATTERN.match(node_id.replace("-", "_")):
        v.report(where, "bad-id", key=True, value=node_id)
    data = v.mapping(where, raw, ("say",), NODE_KEYS[1:], text("where.node", node=node_id))
    if data is None:
        return None
    say = v.string((*where, "say"), data["say"]) if "say" in data else None
    need = (v.ident((*where, "need"), data["need"]) if "need" in data else "") or ""
    enter = _effects(v, (*where, "enter"), data["enter"]) if "enter" in data else Effects()
    choices: list[Choice] = []
    for index, item in enumerate(v.list_of((*where, "choices"), data.get("choices", []))):
        choice = _build_choice(v, node_id, index, item)
        if choice is not None:
            choices.append(choice)
    routes: list[Route] = []
    for index, item in enumerate(v.list_of((*where, "routes"), data.get("routes", []))):
        route = _build_route(v, node_id, index, item)
        if route is not None:
            routes.append(route)
    end = None
    if "end" in data:
        raw_end = v.mapping(
            (*where, "end"),
            data["end"],
            ("outcome", "debrief"),
            (),
            text("where.field", field="end"),
        )
        if raw_end is not None:
            outcome = (
                v.choice_of(
                    (*where, "end", "outcome"), raw_end["outcome"], OUTCOMES, "expected.outcome"
                )
                if "outcome" in raw_end
                else None
            )
            debrief = (
                v.string((*where, "end", "debrief"), raw_end["debrief"])
                if "debrief" in raw_end
                else None
            )
            if outcome and debrief:
                end = Ending(outcome, debrief)
        if "choices" in data or "routes" in data:
            key = "choices" if "choices" in data else "routes"
            v.report(
                (*where, key), "bad-value", key=True, field=key, value=key,
                expected=text("expected.end_only"),
            )  # fmt: skip
    if say is None or enter is None:
        return None
    return Node(
        id=node_id, say=say, enter=enter, choices=tuple(choices), routes=tuple(routes),
        end=end, line=v.line(where), need=need,
    )  # fmt: skip


def _build_choice(v: Validator, node_id: str, index: int, raw: Any) -> Choice | None:
    where: Path_ = ("nodes", node_id, "choices", index)
    place = text("where.choice", index=index + 1, node=node_id)
    data = v.mapping(where, raw, CHOICE_REQUIRED, ("effects", "pitfalls"), place)
    if data is None:
        return None
    body = v.string((*where, "text"), data["text"]) if "text" in data else None
    skills = skill_list(v, (*where, "skills"), data["skills"]) if "skills" in data else None
    feedback = v.text_list((*where, "feedback"), data["feedback"]) if "feedback" in data else None
    target = v.string((*where, "next"), data["next"]) if "next" in data else None
    effects = _effects(v, (*where, "effects"), data["effects"]) if "effects" in data else Effects()
    pitfalls = (
        skill_list(v, (*where, "pitfalls"), data["pitfalls"], PITFALLS)
        if "pitfalls" in data
        else frozenset()
    )
    if body is None or skills is None or feedback is None or target is None or effects is None:
        return None
    return Choice(
        body, skills, feedback, target, effects, v.line(where), index, pitfalls or frozenset()
    )


def _build_route(v: Validator, node_id: str, index: int, raw: Any) -> Route | None:
    where: Path_ = ("nodes", node_id, "routes", index)
    place = text("where.route", index=index + 1, node=node_id)
    data = v.mapping(where, raw, ROUTE_REQUIRED, ("when", "effects"), place)
    if data is None:
        return None
    clauses: list[Clause] = []
    ok = True
    if "when" in data:
        raw_when = data["when"]
        items = raw_when if isinstance(raw_when, list) else [raw_when]
        if not items:
            v.report(
                (*where, "when"),
                "bad-value",
                field="when",
                value="[]",
                expected=text("expected.nonempty"),
            )
            ok = False
        for i, item in enumerate(items):
            spot = (*where, "when", i) if isinstance(raw_when, list) else (*where, "when")
            source = v.string(spot, item)
            if source is None:
                ok = False
                continue
            try:
                clauses.append(parse_clause(source))
            except ConditionError:
                v.report(spot, "bad-condition", condition=source)
                ok = False
    feedback = v.text_list((*where, "feedback"), data["feedback"]) if "feedback" in data else None
    target = v.string((*where, "next"), data["next"]) if "next" in data else None
    effects = _effects(v, (*where, "effects"), data["effects"]) if "effects" in data else Effects()
    if not ok or feedback is None or target is None or effects is None:
        return None
    return Route(tuple(clauses), feedback, target, effects, v.line(where), index)


def _effects(v: Validator, where: Path_, raw: Any) -> Effects | None:
    data = v.mapping(where, raw, (), EFFECT_KEYS, text("where.field", field=field_name(where)))
    if data is None:
        return None
    deltas = {}
    for key in ("trust", "mood"):
        if key in data:
            deltas[key] = v.integer((*where, key), data[key], -100, 100)
    flags: dict[str, tuple[str, ...]] = {}
    for key in ("set", "unset"):
        names = []
        raw_names = data.get(key, [])
        items = raw_names if isinstance(raw_names, list) else [raw_names]
        for i, item in enumerate(items):
            spot = (*where, key, i) if isinstance(raw_names, list) else (*where, key)
            name = v.string(spot, item)
            if name is not None and not FLAG_PATTERN.match(name):
                v.report(spot, "bad-value", field=key, value=name, expected=text("expected.flag"))
            elif name is not None:
                names.append(name)
        flags[key] = tuple(names)
    if any(value is None for value in deltas.values()):
        return None
    return Effects(
        trust=deltas.get("trust") or 0, mood=deltas.get("mood") or 0,
        set=flags["set"], unset=flags["unset"],
    )  # fmt: skip


def default_content_root() -> Path:
    """The shipped content: inside the installed package, or the source checkout's top level."""
    package = Path(__file__).resolve().parent.parent  # trainer/
    installed = package / "_content"
    if installed.is_dir():
        return installed
    return package.parent


def content_root(option: str | None) -> Path:
    """`--content`, else BUURTTRAINER_CONTENT, else the shipped content."""
    chosen = option or os.environ.get("BUURTTRAINER_CONTENT")
    return Path(chosen).expanduser() if chosen else default_content_root()
