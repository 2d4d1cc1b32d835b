"""Whole-dialogue checks that need the typed model: targets, reachability, routes, templates.

Schema problems are found while loading (trainer.content.loader); what is here looks at the dialogue
as a graph and at the meaning of its conditions and texts.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

from trainer.content.conditions import PITFALL_NAMES, SKILL_NAMES, STATE_NAMES
from trainer.content.diagnostics import Problem, did_you_mean, display_path, suggest
from trainer.content.located import Located, Path_
from trainer.content.model import Dialogue, Persona
from trainer.content.schema import Reporter
from trainer.content.templates import TEMPLATE_NAMES, template_problems

SAMPLE_TRAINEE = "Sam"


def check_dialogue(
    dialogue: Dialogue,
    located: Located,
    personas: Mapping[str, Persona],
    broken_personas: frozenset[str] | set[str] = frozenset(),
) -> list[Problem]:
    """Every graph-level and meaning-level problem in one validated dialogue.

    A persona whose own file has errors is reported there, not again as unknown here.
    """
    report = Reporter(located, display_path(located.path))
    nodes = dialogue.nodes
    if dialogue.persona not in personas and dialogue.persona not in broken_personas:
        report(
            ("persona",), "unknown-persona", persona=dialogue.persona,
            known=", ".join(sorted(personas)) or "-",
            suggestion=did_you_mean(dialogue.persona, personas),
        )  # fmt: skip
    if dialogue.start not in nodes:
        report(
            ("start",), "unknown-node", target=dialogue.start,
            suggestion=suggest(dialogue.start, nodes),
        )  # fmt: skip
    elif nodes[dialogue.start].end is not None:
        report(("start",), "start-is-ending")
    used_flags: set[str] = set()
    persona = personas.get(dialogue.persona)
    needs = [need.id for need in persona.needs] if persona else []
    for node in nodes.values():
        base: Path_ = ("nodes", node.id)
        if persona and node.need and node.need not in needs:
            report(
                (*base, "need"), "unknown-need", need=node.need,
                persona=persona.id, known=", ".join(needs) or "-",
                suggestion=did_you_mean(node.need, needs),
            )  # fmt: skip
        if node.end is None and not node.choices and not node.routes:
            report(base, "dead-end", key=True, node=node.id)
        for choice in node.choices:
            if choice.next not in nodes:
                report(
                    (*base, "choices", choice.index, "next"), "unknown-node",
                    target=choice.next, suggestion=suggest(choice.next, nodes),
                )  # fmt: skip
        for position, route in enumerate(node.routes):
            where = (*base, "routes", route.index)
            if route.next not in nodes:
                report(
                    (*where, "next"), "unknown-node", target=route.next,
                    suggestion=suggest(route.next, nodes),
                )  # fmt: skip
            if route.is_fallback and position < len(node.routes) - 1:
                later = node.routes[position + 1]
                report(
                    (*base, "routes", later.index), "unreachable-route",
                    index=later.index + 1,
                )  # fmt: skip
            for number, clause in enumerate(route.when):
                if clause.kind == "flag":
                    used_flags.add(clause.name)
                known = (
                    clause.name in SKILL_NAMES
                    or clause.name in PITFALL_NAMES
                    or clause.name in STATE_NAMES
                    or clause.kind == "service"
                    or (clause.kind == "flag" and clause.name in dialogue.flags)
                )
                if clause.kind == "state" and clause.name not in STATE_NAMES:
                    known = False
                if not known:
                    spot = (
                        (*where, "when", number)
                        if (*where, "when", number) in located.values
                        else (*where, "when")
                    )
                    report(
                        spot, "unknown-variable", name=clause.name,
                        condition=clause.source,
                        suggestion=suggest(
                            clause.name,
                            (*SKILL_NAMES, *PITFALL_NAMES, *STATE_NAMES, *sorted(dialogue.flags)),
                        ),
                    )  # fmt: skip
        if node.routes and not node.routes[-1].is_fallback:
            last = node.routes[-1]
            report((*base, "routes", last.index), "missing-fallback")
        _check_template(report, located, dialogue, node.id, node.say, personas)
    # A flag named in any line counts as used; one search through all lines at once (flags
    # cannot contain the separator), not one per node and flag: that was quadratic.
    says = "\x00".join(node.say for node in nodes.values())
    used_flags.update(f for f in dialogue.flags if f in says)
    first_set = _first_sets(dialogue)
    for flag in sorted(dialogue.flags - used_flags):
        report(first_set.get(flag, ("nodes",)), "unused-flag", flag=flag)
    _check_graph(report, dialogue)
    return report.problems


def _first_sets(dialogue: Dialogue) -> dict[str, Path_]:
    """Per flag, where it is first set (in one pass, not one per flag)."""
    found: dict[str, Path_] = {}
    for node in dialogue.nodes.values():
        base: Path_ = ("nodes", node.id)
        for flag in node.enter.set:
            found.setdefault(flag, (*base, "enter", "set"))
        for c in node.choices:
            for flag in c.effects.set:
                found.setdefault(flag, (*base, "choices", c.index, "effects", "set"))
        for r in node.routes:
            for flag in r.effects.set:
                found.setdefault(flag, (*base, "routes", r.index, "effects", "set"))
    return found


def _check_graph(report: Reporter, dialogue: Dialogue) -> None:
    nodes = dialogue.nodes
    edges = {nid: [t for t in node.targets() if t in nodes] for nid, node in nodes.items()}
    reached: set[str] = set()
    if dialogue.start in nodes:
        queue = deque([dialogue.start])
        reached.add(dialogue.start)
        while queue:
            for target in edges[queue.popleft()]:
                if target not in reached:
                    reached.add(target)
                    queue.append(target)
        for nid in nodes:
            if nid not in reached:
                report(
                    ("nodes", nid),
                    "unreachable-node",
                    key=True,
                    node=nid,
                    start=dialogue.start,
                )
    endings = {nid for nid, node in nodes.items() if node.end is not None}
    if not endings:
        report(("nodes",), "no-endings", key=True)
        return
    incoming: dict[str, list[str]] = {nid: [] for nid in nodes}
    for source, targets in edges.items():
        for target in targets:
            incoming[target].append(source)
    can_end = set(endings)
    queue = deque(endings)
    while queue:
        for source in incoming[queue.popleft()]:
            if source not in can_end:
                can_end.add(source)
                queue.append(source)
    for nid, node in nodes.items():
        stuck = nid not in can_end and (node.choices or node.routes)
        if stuck:
            report(("nodes", nid), "no-ending", key=True, node=nid)


def _check_template(
    report: Reporter, located: Located, dialogue: Dialogue, node_id: str, source: str,
    personas: Mapping[str, Persona],
) -> None:  # fmt: skip
    persona = personas.get(dialogue.persona)
    view = persona.template_view() if persona else {"name": "X", "age": 0, "id": dialogue.persona}
    context = {
        "persona": view, "trainee": SAMPLE_TRAINEE, "trust": 50, "mood": 50,
        "flags": frozenset(dialogue.flags),
    }  # fmt: skip
    for offset, code, what in template_problems(source, context):
        where = ("nodes", node_id, "say")
        pos = located.pos(where)
        first = located.line_text(pos.line)[pos.col - 1 :].lstrip()
        block = first[:1] in ("|", ">")
        line = pos.line + offset if block else pos.line + offset - 1
        fields = [f"persona.{name}" for name in view]
        suggestion = did_you_mean(what, (*TEMPLATE_NAMES, *fields))
        found = located.line_text(line).find(what.split(".")[-1].split("'")[0])
        report(where, code, line=line, col=found + 1, what=what, suggestion=suggestion)
