"""`check` at scale: synthetic content of N dialogues of 200 nodes each, and how long `check` takes.

The content has the shapes of the shipped dialogues (measured on them), 200 nodes long. Per
node: a `say` of about 400 characters, nearly 60% of them jinja templates; on the nodes that
are not endings, 3 to 4 choices (on 9 in 10 of them) and 3 to 5 routes plus a fallback, with
conditions on skills, trust, mood and flags, feedback on each, and effects that set flags. The
tree branches mostly forward; some choices and fallbacks loop back to an earlier node (about
one edge back per two nodes), and about one node in seven is an ending. Every persona has
needs and gives; every flag that is set is used (in a condition or a template). The content is clean:
`check --strict` passes on it, which every measurement verifies.

`python bench/check_scale.py [--runs N]` prints the figures for 25, 50 and 100 dialogues.
`python bench/check_scale.py --time DIR` is the child that `run.py` starts per measurement: it
imports the program first, then times one in-process call of the function behind the CLI's
`check` (`trainer.commands.check.run`, text format: no `reach` walk, no classifier) on DIR, so
each run starts with the caches empty, as an author's `buurttrainer check` does.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NODES = 200
SIZES = (25, 50, 100)
BUDGET_S = 2.0  # for 100 dialogues

_VOCABULARY = (
    "ja nee nou goed even buurt deur huis straat koffie thee werk geld post brief zorg hulp "
    "tijd kind kinderen school moeder vader zoon dochter buren buurvrouw buurman wijkteam "
    "huisarts dokter knie trap boodschappen tuin hond kat fiets bus markt kerk moskee winkel "
    "gemeente formulier rekening huur toeslag eenzaam moe blij bang boos verdrietig trots "
    "praten luisteren vragen helpen samen alleen misschien eigenlijk gewoon toch wel niet "
    "vandaag morgen gisteren vroeger later altijd nooit soms vaak weer echt heel best"
)
WORDS = _VOCABULARY.split()
SKILL_SETS = ([], ["listening"], ["reciprocity"], ["referral"], ["listening", "reciprocity"])
FLAG_WORDS = (
    "advies_gekregen", "gaven_genoemd", "zorg_benoemd", "te_vroeg_verwezen", "post_gezien",
    "familie_verteld", "hulp_gevraagd", "ruil_voorgesteld", "gevoel_benoemd", "buur_genoemd",
)  # fmt: skip
OUTCOMES = ("connected", "referred", "closed", "taken_over", "open")


class _Block(str):
    """A string written as a YAML block scalar (`|`), as authors write `say` and debriefs."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml when there: faster
    def ignore_aliases(self, data: object) -> bool:
        return True  # authors write every list out, never `&id001`


def _block(dumper: yaml.SafeDumper, data: _Block) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style="|")


_Dumper.add_representer(_Block, _block)


def _sentence(rng: random.Random, chars: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < chars:
        words.append(rng.choice(WORDS))
    return " ".join(words).capitalize() + "."


def _say(rng: random.Random, node: str, flags: list[str]) -> str:
    """About 400 characters over three lines; a bit more than half are templates."""
    lines = [f"*{_sentence(rng, 60)}*", _sentence(rng, 150), _sentence(rng, 150)]
    kind = rng.random()
    if kind < 0.25:
        flag = rng.choice(flags)
        lines[1] = (
            f"{{% if '{flag}' in flags %}}{_sentence(rng, 70)} ({node}){{% else %}}"
            f"{_sentence(rng, 70)}{{% endif %}}"
        )
    elif kind < 0.4:
        lines[2] = f"{_sentence(rng, 100)} Dag {{{{ trainee }}}}, ik ben {{{{ persona.name }}}}."
    elif kind < 0.5:
        lines[2] = f"{{% if trust >= 50 %}}{_sentence(rng, 90)} ({node}){{% endif %}}"
    elif kind < 0.57:
        lines[0] = f"*{{{{ persona.name }}}} ({{{{ persona.age }}}}) {_sentence(rng, 40)}*"
    return _Block("\n".join(lines) + "\n")


def _effects(rng: random.Random, flags: list[str]) -> dict | None:
    roll = rng.random()
    if roll < 0.35:
        return {"trust": rng.choice((5, 10, 15))}
    if roll < 0.6:
        return {"trust": rng.choice((-5, -10, -15)), "mood": -5}
    if roll < 0.75:
        return {"trust": 5, "set": [rng.choice(flags)]}
    return None


def _forward(rng: random.Random, ids: list[str], at: int, span: int = 10) -> str:
    return ids[min(len(ids) - 1, at + rng.randint(1, span))]


def _back(rng: random.Random, ids: list[str], at: int) -> str:
    return ids[max(0, at - rng.randint(1, 12))]


def dialogue(persona: dict, number: int, nodes: int = NODES) -> dict:
    """One dialogue of `nodes` nodes for `persona`; deterministic per (persona, number)."""
    rng = random.Random(f"{persona['id']}-{number}")
    flags = list(FLAG_WORDS[: rng.randint(6, 10)])
    ids = [f"{rng.choice(WORDS)}_{i:03d}" for i in range(nodes)]
    # About one node in six is an ending, the last few always: every forward walk ends.
    endings = {i for i in range(8, nodes) if rng.random() < 0.14} | set(range(nodes - 4, nodes))
    needs = [n["id"] for n in persona["needs"]]
    graph: dict[str, dict] = {}
    for i, nid in enumerate(ids):
        node: dict = {"say": _say(rng, nid, flags)}
        if i in endings:
            node["end"] = {
                "outcome": OUTCOMES[rng.randrange(len(OUTCOMES))],
                "debrief": _Block("\n".join(_sentence(rng, 90) for _ in range(4)) + "\n"),
            }
            graph[nid] = node
            continue
        if i % 25 == 3:  # a node that sets a flag on arrival, like `ontslag: enter: {set: [...]}`
            node["enter"] = {"set": [flags[(i // 25) % len(flags)]]}
        if rng.random() < 0.3:
            node["need"] = rng.choice(needs)
        if rng.random() < 0.9:  # most nodes offer choices (beginner mode) as well as routes
            choices = []
            for c in range(rng.choice((3, 3, 4, 4, 4))):
                choice: dict = {
                    "text": _sentence(rng, 105),
                    "skills": rng.choice(SKILL_SETS),
                    "feedback": _sentence(rng, 70),
                    "next": ids[i + 1]
                    if c == 0
                    else (_back(rng, ids, i) if rng.random() < 0.1 else _forward(rng, ids, i)),
                }
                if effects := _effects(rng, flags):
                    choice["effects"] = effects
                choices.append(choice)
            node["choices"] = choices
        flag, other = rng.sample(flags, 2)
        conditions = [
            ["referral", f"trust >= {rng.choice((50, 55, 60, 65))}"],
            ["listening"],
            ["reciprocity", flag],
            ["referral", f"not {other}"],
            ["listening", f"mood >= {rng.choice((35, 40, 45))}"],
            ["referral"],
            ["reciprocity"],
        ]
        rng.shuffle(conditions)
        routes = []
        for r, when in enumerate(conditions[: rng.choice((3, 4, 4, 5))]):
            route: dict = {
                "when": when,
                "feedback": _sentence(rng, 70),
                "next": ids[i + 1] if r == 0 else _forward(rng, ids, i),
            }
            if effects := _effects(rng, flags):
                route["effects"] = effects
            routes.append(route)
        fallback: dict = {"feedback": _sentence(rng, 70)}
        if rng.random() < 0.3:  # the persona repeats herself: loop back, as `knie` does
            fallback["effects"] = {"trust": -5}
            fallback["next"] = _back(rng, ids, i)
        else:
            fallback["next"] = _forward(rng, ids, i, 4)
        routes.append(fallback)
        node["routes"] = routes
        graph[nid] = node
    # Every flag is used: in a condition above, or else in a template here.
    for position, flag in enumerate(flags):
        nid = ids[(position * 17 + 5) % nodes]
        graph[nid]["say"] = _Block(
            f"{{% if '{flag}' in flags %}}Dat zei je al. {{% endif %}}{graph[nid]['say']}"
        )
    _connect(graph, ids, rng)
    return {
        "id": f"{persona['id']}-gesprek-{number}",
        "persona": persona["id"],
        "title": f"{persona['name']}, gesprek {number}",
        "description": _sentence(rng, 90),
        "start": ids[0],
        "nodes": graph,
    }


def _connect(graph: dict[str, dict], ids: list[str], rng: random.Random) -> None:
    """Make every node reachable from the start: an unreached node gets a route from an earlier
    reached node (inserted before the fallback, as an author would add a branch)."""
    while True:
        reached, queue = {ids[0]}, [ids[0]]
        while queue:
            node = graph[queue.pop()]
            for item in (*node.get("choices", ()), *node.get("routes", ())):
                if item["next"] not in reached:
                    reached.add(item["next"])
                    queue.append(item["next"])
        missing = [i for i, nid in enumerate(ids) if nid not in reached]
        if not missing:
            return
        first = missing[0]
        sources = [s for s in ids[:first] if s in reached and "routes" in graph[s]]
        routes = graph[rng.choice(sources[-10:])]["routes"]
        routes.insert(
            len(routes) - 1,
            {"when": ["listening", "trust >= 70"], "feedback": _sentence(rng, 70),
             "next": ids[first]},
        )  # fmt: skip


def persona(number: int) -> dict:
    rng = random.Random(f"persona-{number}")
    pid = f"persona-{number:03d}"
    return {
        "id": pid,
        "name": rng.choice(("Anna", "Henk", "Fatma", "Joke", "Daan", "Mehmet", "Greet", "Ria")),
        "age": rng.randint(20, 90),
        "household": _sentence(rng, 60),
        "situation": _sentence(rng, 110),
        "background": _Block("\n".join(_sentence(rng, 90) for _ in range(6)) + "\n"),
        "character": _Block("\n".join(_sentence(rng, 90) for _ in range(5)) + "\n"),
        "difficulty": rng.choice(("easy", "medium", "hard")),
        "start": {"trust": rng.randint(20, 45), "mood": rng.randint(30, 60)},
        "gives": [{"id": f"gift-{k}", "text": _sentence(rng, 80)} for k in range(3)],
        "needs": [
            {"id": "geldzorgen", "text": _sentence(rng, 80), "services": ["wijkteam"]},
            {"id": "eenzaam", "text": _sentence(rng, 80), "neighbour": True},
            {"id": "gezondheid", "text": _sentence(rng, 80), "services": ["huisarts"]},
        ],
    }


def _dump(data: dict, path: Path) -> None:
    path.write_text(
        yaml.dump(
            data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
            default_flow_style=None,
        ),  # short lists and effects in flow style, `[listening]`, as authors write them
        encoding="utf-8",
    )  # fmt: skip


def generate(root: Path, dialogues: int, nodes: int = NODES) -> int:
    """Write `dialogues` dialogues (two per persona) under root; returns the bytes written."""
    if root.exists():
        shutil.rmtree(root)
    (root / "personas").mkdir(parents=True)
    (root / "dialogues").mkdir()
    people = [persona(n) for n in range((dialogues + 1) // 2)]
    for p in people:
        _dump(p, root / "personas" / f"{p['id']}.yaml")
    for number in range(dialogues):
        d = dialogue(people[number // 2], number % 2 + 1, nodes)
        _dump(d, root / "dialogues" / f"{d['id']}.yaml")
    return sum(f.stat().st_size for f in root.rglob("*.yaml"))


def time_check(root: Path) -> tuple[float, float, int, str]:
    """Wall and CPU seconds of one `check` of root in this process; its exit code, last line."""
    import contextlib
    import io

    # Everything `check` imports lazily is imported first: the figure is the checking.
    import trainer.content.checks  # noqa: F401  (what load_content imports lazily)
    from trainer.commands.check import run

    # --strict only changes the exit code (warnings fail too): proof the content is clean.
    args = argparse.Namespace(paths=[str(root)], format="text", strict=True, content=None)
    out = io.StringIO()
    began, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(out):
        code = run(args)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    return seconds, cpu, code, out.getvalue().strip().splitlines()[-1]


def subset(full: Path, root: Path, dialogues: int) -> int:
    """The first `dialogues` dialogues of `full` and their personas, copied to root; bytes."""
    for kind in ("personas", "dialogues"):
        (root / kind).mkdir(parents=True)
    names = sorted(p.name for p in (full / "dialogues").glob("*.yaml"))[:dialogues]
    for name in names:
        shutil.copyfile(full / "dialogues" / name, root / "dialogues" / name)
    for pid in sorted({name.split("-gesprek-")[0] for name in names}):
        shutil.copyfile(full / "personas" / f"{pid}.yaml", root / "personas" / f"{pid}.yaml")
    return sum(f.stat().st_size for f in root.rglob("*.yaml"))


def measure(folder: Path, runs: int = 1, sizes: tuple[int, ...] = SIZES) -> list[dict[str, float]]:
    """Per size: dialogues, median wall and CPU seconds, MB of YAML. Each run is a fresh
    process (so no template or file cache carries over from an earlier run)."""
    generate(folder / "all", max(sizes))
    results = []
    for size in sizes:
        root = folder / f"d{size}"
        size_bytes = subset(folder / "all", root, size)
        walls, cpus = [], []
        for _ in range(runs):
            out = subprocess.run(
                [sys.executable, __file__, "--time", str(root)],
                check=True, capture_output=True, text=True, cwd=ROOT,
            )  # fmt: skip
            wall, cpu, code, last = out.stdout.strip().split("\t")
            if code != "0":
                raise SystemExit(f"synthetic content is not clean ({size} dialogues): {last}")
            walls.append(float(wall))
            cpus.append(float(cpu))
        results.append(
            {"dialogues": size, "wall": statistics.median(walls),
             "cpu": statistics.median(cpus), "mb": size_bytes / 1e6}
        )  # fmt: skip
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time", metavar="DIR", help="time one check of DIR (child mode)")
    parser.add_argument("--generate", metavar="DIR", help="only write 100 dialogues into DIR")
    parser.add_argument("--runs", type=int, default=1, help="runs per size (median)")
    args = parser.parse_args()
    if args.time:
        wall, cpu, code, last = time_check(Path(args.time))
        print(f"{wall:.4f}\t{cpu:.4f}\t{code}\t{last}")
        return 0
    if args.generate:
        print(f"{generate(Path(args.generate), SIZES[-1]) / 1e6:.1f} MB")
        return 0
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bt-bench-check-") as folder:
        results = measure(Path(folder), args.runs)
    for r in results:
        print(
            f"{r['dialogues']:4d} dialogues x {NODES} nodes ({r['mb']:5.1f} MB YAML): "
            f"{r['wall']:7.2f} s wall, {r['cpu']:7.2f} s CPU, "
            f"{r['wall'] / r['dialogues'] * 1000:6.0f} ms per dialogue"
        )
    return 0 if results[-1]["wall"] < BUDGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
