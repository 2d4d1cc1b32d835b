"""Drawing a dialogue as Mermaid or Graphviz DOT, so authors can see the shape of their tree.

Endings, choice edges and route edges look different; route edges carry their conditions.
"""

from __future__ import annotations

from trainer.content.model import Dialogue
from trainer.messages import text

FORMATS = ("mermaid", "dot")


def _skills(skills: frozenset[str]) -> str:
    return ", ".join(sorted(skills)) if skills else "-"


def _edges(dialogue: Dialogue):
    for node in dialogue.nodes.values():
        for number, choice in enumerate(node.choices, start=1):
            yield node.id, choice.next, "choice", f"{number}: {_skills(choice.skills)}"
        for route in node.routes:
            yield node.id, route.next, "route", route.describe()


def to_mermaid(dialogue: Dialogue) -> str:
    ids = {nid: f"n{i}" for i, nid in enumerate(dialogue.nodes)}
    lines = ["flowchart TD", f"  %% {dialogue.title} ({dialogue.id})"]
    for nid, node in dialogue.nodes.items():
        if node.end is not None:
            outcome = text(f"outcome.{node.end.outcome}")
            lines.append(
                f'  {ids[nid]}(["{_mm(nid)}<br/>{_mm(outcome)}"]):::end_{node.end.outcome}'
            )
        elif nid == dialogue.start:
            lines.append(f'  {ids[nid]}[["{_mm(nid)}"]]')
        else:
            lines.append(f'  {ids[nid]}["{_mm(nid)}"]')
    for source, target, kind, label in _edges(dialogue):
        if target not in ids:
            continue
        arrow = "-->" if kind == "choice" else "-.->"
        lines.append(f'  {ids[source]} {arrow}|"{_mm(label)}"| {ids[target]}')
    lines += [
        "  classDef end_connected fill:#d4edda,stroke:#2e7d32",
        "  classDef end_referred fill:#d6e9f8,stroke:#1565c0",
        "  classDef end_closed fill:#f8d7da,stroke:#c62828",
        "  classDef end_taken_over fill:#fff3cd,stroke:#ef6c00",
        "  classDef end_open fill:#eeeeee,stroke:#616161",
    ]
    return "\n".join(lines) + "\n"


def _mm(value: str) -> str:
    return value.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _dot_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_DOT_COLOURS = {
    "connected": "#d4edda",
    "referred": "#d6e9f8",
    "closed": "#f8d7da",
    "taken_over": "#fff3cd",
    "open": "#eeeeee",
}


def to_dot(dialogue: Dialogue) -> str:
    lines = [
        f"digraph {_dot_str(dialogue.id)} {{",
        f"  label={_dot_str(dialogue.title)};",
        "  node [shape=box, style=rounded, fontname=Helvetica];",
        "  edge [fontname=Helvetica, fontsize=10];",
    ]
    for nid, node in dialogue.nodes.items():
        if node.end is not None:
            label = f"{nid}\n{text(f'outcome.{node.end.outcome}')}"
            colour = _DOT_COLOURS[node.end.outcome]
            lines.append(
                f"  {_dot_str(nid)} [label={_dot_str(label)}, shape=doubleoctagon,"
                f' style=filled, fillcolor="{colour}"];'
            )
        elif nid == dialogue.start:
            lines.append(f"  {_dot_str(nid)} [penwidth=2];")
        else:
            lines.append(f"  {_dot_str(nid)};")
    for source, target, kind, label in _edges(dialogue):
        style = "solid" if kind == "choice" else "dashed"
        lines.append(
            f"  {_dot_str(source)} -> {_dot_str(target)} [label={_dot_str(label)}, style={style}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_graph(dialogue: Dialogue, fmt: str) -> str:
    return to_mermaid(dialogue) if fmt == "mermaid" else to_dot(dialogue)
