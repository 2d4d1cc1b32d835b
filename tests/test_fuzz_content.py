"""Bad input at scale for the content loader and `check` (issue 8): property-based tests.

Whatever lies in a content folder, `load_content` (and `check`'s `collect`, which also reads the
playthrough files) must return: never a traceback, never a hang. Every problem it reports names a
file, a line and a column, carries a documented code and a one-line message; whatever it does
accept as playable can be played without the engine failing.

Covered here:
- random YAML structures (Hypothesis' recursive dicts, lists and scalars, some shaped like a
  persona, dialogue or sociale kaart so that validation goes deep) dumped to YAML, and random
  YAML-ish text, placed as persona, dialogue and kaart files in a temporary content root;
- the shipped files (anna, lodewijk, their dialogues, sociale-kaart.yaml) mutated: keys deleted
  or renamed, values swapped or replaced by another type, the text truncated at a random byte,
  tabs, bad indentation, deleted and doubled lines, stray YAML characters, broken bytes;
- pathological files, each under a deadline and with bounded memory: a 50 MB file, a file one
  byte over the limit, 10,000 levels of `[` (and `{a: `, and `- `), alias bombs, an alias inside
  its own anchor, a 2 MB flat list over the value cap (lowered, to show the parser stops at
  the cap rather than at the end), invalid UTF-8, UTF-16, a BOM, NUL and
  other control characters, a folder or a device or a pipe where a file should be, a link loop,
  a dangling link, and an unreadable file (skipped as root, who can read it anyway);
- persona lines that would compute forever or overflow jinja's parser (`9 ** (9 ** 9)`,
  `'x' * 10 ** 12`, `range(10 ** 9)`, 5,000 brackets), or that fail only in a branch the
  sample render of `check` does not take;
- a dialogue of 800 nodes with as many misspelt targets and unused flags: the checks after
  parsing must stay linear.

Reproducible by default: every property runs a fixed number of examples with
`derandomize=True` (the same examples every run, no example database). A
longer hunt with fresh random examples, in all three fuzz modules:

    BUURTTRAINER_FUZZ_SCALE=20 python -m pytest -q tests/test_fuzz_content.py \
        tests/test_fuzz_engine.py tests/test_fuzz_cli.py

(max_examples times 20, random seeds; a failure prints the seed and a `@reproduce_failure` blob,
and `--hypothesis-seed=N` replays a run).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import stat
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import ROOT
from tests.fuzzing import fuzz
from trainer.commands.check import collect
from trainer.content.diagnostics import Problem, display_path
from trainer.content.loader import Content
from trainer.content.located import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES
from trainer.content.model import SKILLS
from trainer.engine.records import Answer, EngineError, FixedScorer
from trainer.engine.step import opening, step
from trainer.messages import CATALOGUE

CODES = {
    key.removeprefix("check.")
    for key in CATALOGUE["nl"]
    if key.startswith("check.") and not key.endswith(".hint")
}
PERSONAS = ("anna", "lodewijk")
DIALOGUE_OF = {"anna": "anna-na-het-ontslag", "lodewijk": "lodewijk-aan-de-deur"}
KAART = "sociale-kaart.yaml"


# --------------------------------------------------------------------------- the property


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail (instead of hanging the suite) when the block runs longer than `seconds`."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_well_formed(problems: list[Problem], root: Path) -> None:
    """Each problem names a file of the root (or the root), a line and a column, a documented
    code and a message on one line without control characters (a key may hold a line break or
    an escape sequence; printed raw it would break the `file:line:col` layout or the terminal)."""
    names = {display_path(root)} | {display_path(p) for p in root.rglob("*")}
    for problem in problems:
        assert isinstance(problem, Problem), problem
        assert problem.path in names, problem
        assert isinstance(problem.line, int) and problem.line >= 1, problem
        assert isinstance(problem.col, int) and problem.col >= 1, problem
        assert problem.severity in ("error", "warning"), problem
        assert problem.code in CODES, problem
        assert problem.message.strip() and problem.message.isprintable(), problem
        assert not problem.hint or problem.hint.isprintable(), problem
        assert "Traceback" not in problem.message, problem


def check_root(root: Path, rng: random.Random | None = None, seconds: float = 20) -> Content:
    """Everything `buurttrainer check` does with a root, under a deadline; then the property."""
    with deadline(seconds):
        content, problems, _ = collect(root)
        for problem in problems:  # what `check` prints, with the source line and caret
            problem.render(content.source_line(problem))
    assert_well_formed(problems, root)
    for dialogue in content.dialogues.values():
        assert dialogue.persona in content.personas
        play_around(content, dialogue.id, rng or random.Random(0))
    return content


def measured_check(root: Path) -> tuple[Content, float, int]:
    """`check_root` with a 15 s deadline, and what it cost: seconds and peak bytes allocated."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        content = check_root(root, seconds=15)
        return content, time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def play_around(content: Content, dialogue_id: str, rng: random.Random, turns: int = 25) -> None:
    """A dialogue that loaded without errors plays: random choices and fixed-skill answers
    give turns or the engine's own error, never anything else."""
    dialogue = content.dialogues[dialogue_id]
    persona = content.personas[dialogue.persona]
    state, _ = opening(dialogue, persona, "Sam")
    for _ in range(turns):
        node = dialogue.nodes[state.node]
        if node.end is not None:
            return
        if node.choices and (not node.routes or rng.random() < 0.5):
            answer = Answer.pick(rng.randrange(len(node.choices)))
        else:
            answer = Answer("Hoe gaat het met u?")
        skills = frozenset(s for s in SKILLS if rng.random() < 0.4)
        try:
            turn = step(dialogue, persona, state, answer, FixedScorer(skills), "Sam", content.kaart)
        except EngineError:  # e.g. a node with neither choices nor a fallback would be reported
            return
        assert 0 <= turn.state_after.trust <= 100 and 0 <= turn.state_after.mood <= 100
        state = turn.state_after


@contextlib.contextmanager
def content_root(files: dict[str, bytes | str]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        root = Path(folder)
        (root / "personas").mkdir()
        (root / "dialogues").mkdir()
        for name, body in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(body, str):
                path.write_text(body, encoding="utf-8")
            else:
                path.write_bytes(body)
        yield root


def shipped(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def pair(persona: str) -> dict[str, str]:
    """A persona's files as shipped: persona, dialogue and its playthroughs."""
    dialogue = DIALOGUE_OF[persona]
    files = {
        f"personas/{persona}.yaml": shipped(f"personas/{persona}.yaml"),
        f"dialogues/{dialogue}.yaml": shipped(f"dialogues/{dialogue}.yaml"),
    }
    tests = ROOT / "dialogues" / f"{dialogue}.tests.yaml"
    if tests.exists():
        files[f"dialogues/{dialogue}.tests.yaml"] = tests.read_text(encoding="utf-8")
    return files


def test_shipped_pairs_are_clean() -> None:
    """The base the mutations start from loads without errors (else they prove little)."""
    for persona in PERSONAS:
        with content_root({**pair(persona), KAART: shipped(KAART)}) as root:
            content = check_root(root)
            assert DIALOGUE_OF[persona] in content.dialogues, [
                p.render() for p in content.problems if p.severity == "error"
            ]


# --------------------------------------------------------------------------- random structures

WORDS = (
    # keys and values of the format, so random data often reaches deep validation
    "id", "name", "age", "situation", "background", "character", "difficulty", "start",
    "gives", "needs", "household", "persona", "title", "description", "nodes", "say", "need",
    "enter", "choices", "routes", "end", "text", "skills", "feedback", "next", "effects",
    "when", "trust", "mood", "set", "unset", "outcome", "debrief", "services", "neighbour",
    "aliases", "describes", "helps_with", "for_whom", "contact", "misspellings",
    "professional", "dialogue", "playthroughs", "answers", "path", "listening",
    "reciprocity", "referral", "easy", "hard", "connected", "closed", "open", "deur", "anna",
    "trust >= 40", "not listening", "fitting_service", "zoon_verteld", "{{ persona.name }}",
    "{% if 'x' in flags %}ja{% endif %}", "{{ persona.nope }}", "{{", "{% for %}",
    "*zucht*", "huisarts", "", " ", "~", "null", "yes", "0x1F", "1e9", "2026-02-30",
)  # fmt: skip
KEYS = st.sampled_from(WORDS) | st.text(max_size=10)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-200, 200)
    | st.integers()
    | st.floats()
    | st.sampled_from(WORDS)
    | st.text(max_size=30)
)
ANY = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=25,
)


def maybe(value: st.SearchStrategy) -> st.SearchStrategy:
    return value | ANY


SKILL_LIST = st.lists(st.sampled_from([*SKILLS, "luisteren", 3]), max_size=3)
EFFECTS = st.fixed_dictionaries(
    {},
    optional={
        "trust": maybe(st.integers(-120, 120)),
        "mood": maybe(st.integers(-20, 20)),
        "set": maybe(st.sampled_from(["zoon_verteld", "Bad Flag", ["a", "b"]])),
        "unset": ANY,
    },
)
NODE_IDS = st.sampled_from(["deur", "knie", "dicht", "eind", "Bad Node", "x-y"])
CHOICE = st.fixed_dictionaries(
    {"text": maybe(st.text(min_size=1, max_size=20)), "next": maybe(NODE_IDS)},
    optional={"skills": maybe(SKILL_LIST), "feedback": ANY, "effects": maybe(EFFECTS)},
)
ROUTE = st.fixed_dictionaries(
    {"next": maybe(NODE_IDS), "feedback": maybe(st.just("Goed zo."))},
    optional={
        "when": maybe(st.lists(st.sampled_from((*WORDS[-20:], "listening", "trust < 30")))),
        "effects": maybe(EFFECTS),
    },
)
NODE = st.fixed_dictionaries(
    {"say": maybe(st.sampled_from(["Hallo.", "{{ persona.name }} zucht.", "{% if %}"]))},
    optional={
        "choices": maybe(st.lists(CHOICE, max_size=3)),
        "routes": maybe(st.lists(ROUTE, max_size=3)),
        "end": maybe(
            st.fixed_dictionaries(
                {"outcome": st.sampled_from(["connected", "dicht"]), "debrief": ANY}
            )
        ),
        "enter": maybe(EFFECTS),
        "need": maybe(st.sampled_from(["werk", "geld", "nope"])),
    },
)
DIALOGUE = st.fixed_dictionaries(
    {
        "id": maybe(st.just("fuzz")),
        "persona": maybe(st.just("fuzz")),
        "title": maybe(st.just("Fuzz")),
        "start": maybe(NODE_IDS),
        "nodes": maybe(st.dictionaries(NODE_IDS, NODE, max_size=4)),
    },
    optional={"description": ANY, "extra": ANY},
)
OFFER = st.fixed_dictionaries(
    {"id": maybe(st.sampled_from(["werk", "geld"])), "text": maybe(st.just("Iets."))},
    optional={"services": maybe(st.lists(st.sampled_from(["huisarts", "nope"]))), "neighbour": ANY},
)
PERSONA = st.fixed_dictionaries(
    {
        "id": maybe(st.just("fuzz")),
        "name": maybe(st.just("Fuzz")),
        "age": maybe(st.integers(-5, 130)),
        "situation": maybe(st.just("Iets.")),
        "background": maybe(st.just("Iets.")),
        "character": maybe(st.just("Iets.")),
        "difficulty": maybe(st.sampled_from(["easy", "makkelijk"])),
        "start": maybe(st.fixed_dictionaries({"trust": ANY}, optional={"mood": ANY})),
        "gives": maybe(st.lists(OFFER, max_size=2)),
        "needs": maybe(st.lists(OFFER, max_size=2)),
    },
    optional={"household": ANY},
)
SERVICE = st.fixed_dictionaries(
    {
        key: maybe(st.just(value))
        for key, value in {
            "id": "huisarts", "name": "Huisarts", "aliases": ["dokter"],
            "describes": [["pijn", "knie"]], "helps_with": "Iets.", "for_whom": "Iedereen.",
            "contact": "Bellen.",
        }.items()
    },
    optional={"misspellings": ANY, "professional": ANY},
)  # fmt: skip
KAART_DATA = st.fixed_dictionaries({"services": maybe(st.lists(SERVICE, max_size=3))})
YAMLISH = st.text(alphabet="ab: -[]{}&*!|>'\"#\n\t%@`,?~01\\.\u00e9", max_size=120)


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@fuzz(120)
@given(
    persona=maybe(PERSONA) | YAMLISH,
    dialogue=maybe(DIALOGUE) | YAMLISH,
    kaart=st.none() | maybe(KAART_DATA) | YAMLISH,
    rng=st.randoms(use_true_random=False),
)
def test_random_structures(persona: Any, dialogue: Any, kaart: Any, rng: random.Random) -> None:
    files = {
        "personas/fuzz.yaml": persona if isinstance(persona, str) else dump(persona),
        "dialogues/fuzz.yaml": dialogue if isinstance(dialogue, str) else dump(dialogue),
    }
    if kaart is not None:
        files[KAART] = kaart if isinstance(kaart, str) else dump(kaart)
    with content_root(files) as root:
        check_root(root, rng)


# --------------------------------------------------------------------------- mutated shipped files


def _spots(data: Any, found: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in the data, depth first."""
    if isinstance(data, dict):
        for key, value in data.items():
            found.append((data, key))
            _spots(value, found)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.append((data, index))
            _spots(value, found)
    return found


@st.composite
def mutated(draw: st.DrawFn, source: str) -> bytes:
    """The file's text after one to three random edits, as bytes (some edits break UTF-8)."""
    data = yaml.safe_load(source)
    text = source
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(
                ["delete", "retype", "swap", "rename", "truncate", "tab", "indent",
                 "drop-line", "double-line", "insert", "byte"]
            )
        )  # fmt: skip
        if kind in ("delete", "retype", "swap", "rename"):
            spots = _spots(data, [])
            if not spots:
                continue
            container, key = spots[draw(st.integers(0, len(spots) - 1))]
            if kind == "delete":
                del container[key]
            elif kind == "retype":
                container[key] = draw(ANY)
            elif kind == "swap":
                other, other_key = spots[draw(st.integers(0, len(spots) - 1))]
                with contextlib.suppress(KeyError, IndexError):
                    container[key], other[other_key] = other[other_key], container[key]
            elif isinstance(container, dict):
                value = container.pop(key)
                container[draw(KEYS)] = value
            text = dump(data)
            data = yaml.safe_load(text) if text.strip() else {}
            continue
        lines = text.splitlines(keepends=True) or [""]
        at = draw(st.integers(0, len(lines) - 1))
        if kind == "truncate":
            raw = text.encode("utf-8")
            return raw[: draw(st.integers(0, len(raw)))]
        if kind == "tab":
            pos = draw(st.integers(0, len(text)))
            text = text[:pos] + "\t" + text[pos:]
        elif kind == "indent":
            line = lines[at]
            shift = draw(st.integers(-3, 3))
            lines[at] = line[-shift:] if shift < 0 else " " * shift + line
            text = "".join(lines)
        elif kind == "drop-line":
            del lines[at]
            text = "".join(lines)
        elif kind == "double-line":
            lines.insert(at, lines[at])
            text = "".join(lines)
        elif kind == "insert":
            pos = draw(st.integers(0, len(text)))
            text = text[:pos] + draw(YAMLISH) + text[pos:]
        else:  # a random byte somewhere: often not UTF-8 any more
            raw = bytearray(text.encode("utf-8"))
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
            return bytes(raw)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            return text.encode("utf-8")  # no longer YAML: structural edits stop here
        if not isinstance(data, dict | list):
            return text.encode("utf-8")
    return text.encode("utf-8")


@fuzz(12)
@given(persona=st.sampled_from(PERSONAS), data=st.data(), rng=st.randoms(use_true_random=False))
def test_mutated_dialogue(persona: str, data: st.DataObject, rng: random.Random) -> None:
    files: dict[str, str | bytes] = dict(pair(persona))
    name = f"dialogues/{DIALOGUE_OF[persona]}.yaml"
    files[name] = data.draw(mutated(files[name]))
    with content_root(files) as root:
        check_root(root, rng)


@fuzz(10)
@given(persona=st.sampled_from(PERSONAS), data=st.data(), rng=st.randoms(use_true_random=False))
def test_mutated_persona(persona: str, data: st.DataObject, rng: random.Random) -> None:
    files: dict[str, str | bytes] = {**pair(persona), KAART: shipped(KAART)}
    name = f"personas/{persona}.yaml"
    files[name] = data.draw(mutated(files[name]))
    with content_root(files) as root:
        check_root(root, rng)


@fuzz(8)
@given(data=st.data())
def test_mutated_kaart(data: st.DataObject) -> None:
    files: dict[str, str | bytes] = {
        "personas/anna.yaml": shipped("personas/anna.yaml"),
        KAART: data.draw(mutated(shipped(KAART))),
    }
    with content_root(files) as root:
        check_root(root)


# --------------------------------------------------------------------------- pathological files

DIALOGUE_FILE = "dialogues/fuzz.yaml"


def billion_laughs() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghij":
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]")
        previous = name
    return "\n".join(lines) + "\n"


def quadratic_blowup() -> str:
    """One anchor, a million values: a 1,000-item list aliased 1,000 times."""
    return "a: &a [" + ", ".join(["x"] * 1_000) + "]\nb: [" + ", ".join(["*a"] * 1_000) + "]\n"


def chained_depth() -> str:
    """Shallow text, deep expansion: each anchor nests the previous one 30 levels deeper."""
    lines = ["a0: &a0 x"]
    for n in range(1, 40):
        lines.append(f"a{n}: &a{n} " + "[" * 30 + f"*a{n - 1}" + "]" * 30)
    return "\n".join(lines) + "\n"


PATHOLOGICAL: dict[str, tuple[bytes | str, str]] = {
    # name: (file body, the code that must be reported for it)
    "deep-flow-lists": ("[" * 10_000 + "]" * 10_000, "too-complex"),
    "deep-flow-unclosed": ("[" * 10_000, "too-complex"),
    "deep-flow-maps": ("{a: " * 10_000 + "}" * 10_000, "too-complex"),
    "deep-block-lists": ("- " * 10_000 + "x\n", "too-complex"),
    "deep-block-maps": ("".join(" " * i + f"k{i}:\n" for i in range(200)), "too-complex"),
    "billion-laughs": (billion_laughs(), "too-complex"),
    "quadratic-blowup": (quadratic_blowup(), "too-complex"),
    "alias-in-own-anchor": ("&a [*a, *a, *a]\n", "too-complex"),
    "alias-in-own-anchor-map": ("&a {x: *a, y: *a}\n", "too-complex"),
    "alias-chain-deep": (chained_depth(), "too-complex"),
    "undefined-alias": ("a: *nope\n", "yaml-syntax"),
    "merge-key": ("a: &a {x: 1}\nb:\n  <<: *a\n", "yaml-syntax"),
    "python-tag": ("id: !!python/object/apply:os.system [echo hi]\n", "yaml-syntax"),
    "bad-date": ("id: 2026-02-30\n", "yaml-syntax"),
    "huge-int": ("id: " + "9" * 5000 + "\n", "yaml-syntax"),
    "invalid-utf8": (b"id: fuzz\nname: \xff\xfe Fuzz\n", "file-encoding"),
    "truncated-utf8": ("id: fuzz\nname: Zoë".encode()[:-1], "file-encoding"),
    "utf8-surrogate": (b"id: fuzz\nname: \xed\xa0\x80\n", "file-encoding"),
    "utf16": ("id: fuzz\n".encode("utf-16"), "file-encoding"),
    "nul": ("id: fuzz\nname: Fu\x00zz\n", "yaml-syntax"),
    "control-char": ("id: fuzz\nname: Fu\x1bzz\n", "yaml-syntax"),
    "empty": ("", "empty-file"),
    "only-comment": ("# niets\n", "empty-file"),
    "two-documents": ("id: a\n---\nid: b\n", "yaml-syntax"),
    "tabs": ("id: fuzz\nnodes:\n\tdeur:\n\t\tsay: hoi\n", "yaml-syntax"),
}


@pytest.mark.oldest  # what the parser refuses, and how, depends on the PyYAML and libyaml
@pytest.mark.parametrize("case", sorted(PATHOLOGICAL))
def test_pathological_file(case: str, tmp_path: Path) -> None:
    """Refused with the right problem, quickly, in bounded memory, at a sensible line."""
    body, code = PATHOLOGICAL[case]
    with content_root({DIALOGUE_FILE: body}) as root:
        content, elapsed, peak = measured_check(root)
        found = [p for p in content.problems if p.path == display_path(root / DIALOGUE_FILE)]
        assert code in {p.code for p in found}, [p.render() for p in found]
        assert not content.dialogues
    # generous for a loaded 2-core machine with tracemalloc on: the unguarded loader took
    # 20 s and a RecursionError on the deep cases, and 50 MB on the alias bomb.
    assert elapsed < 8, elapsed
    assert peak < 64_000_000, peak


def test_the_value_cap_stops_the_parser_early(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file of plain values over the cap is refused as soon as the cap is passed, not after
    reading all of it: with the cap lowered to 1,000, a 2 MB flat list takes milliseconds.
    (At the real cap of MAX_VALUES a file costs ~2 s on a loaded 2-core machine: PyYAML's pure
    Python parser does some 50,000 values a second.)"""
    import trainer.content.located

    monkeypatch.setattr(trainer.content.located, "MAX_VALUES", 1_000)
    body = "[" + "1," * (MAX_FILE_BYTES // 2 - 2) + "1]"
    with content_root({DIALOGUE_FILE: body}) as root:
        started = time.perf_counter()
        content = check_root(root)
        elapsed = time.perf_counter() - started
    [problem] = content.problems
    assert problem.code == "too-complex" and "1000" in problem.message
    assert elapsed < 1.5, elapsed
    assert MAX_VALUES >= 20 * 2_500  # the largest shipped file has ~2,500 keys and values


TEMPLATE_BOMBS = {
    # name: (a persona line, the code check must report for it)
    "power": ("{{ 9 ** (9 ** 9) }}", "template-undefined"),
    "repeat": ("{{ 'x' * 10 ** 12 }}", "template-undefined"),
    "range": ("{% for i in range(10 ** 9) %}{% endfor %}", "template-undefined"),
    "deep-brackets": ("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", "template-syntax"),
    "deep-blocks": ("{% if 1 %}" * 3000 + "x" + "{% endif %}" * 3000, "template-syntax"),
    "typo-in-a-branch": ("{% if trust < 10 %}{{ persona.nam }}{% endif %}", "template-undefined"),
}


@pytest.mark.parametrize("case", sorted(TEMPLATE_BOMBS))
def test_template_bombs_are_reported_quickly(case: str, mini: Path) -> None:
    """A persona line that would compute forever, fill the memory, overflow jinja's parser,
    or fail only in a state `check` does not render: a problem at its line, in milliseconds."""
    line, code = TEMPLATE_BOMBS[case]
    dialogue = mini / "dialogues" / "henk-kennismaking.yaml"
    source = dialogue.read_text(encoding="utf-8")
    old = "{% if 'vak_genoemd' in flags %}Mijn vak, ja.{% endif %} Dat zou ik best willen, {{ trainee }}."
    assert old in source
    dialogue.write_text(source.replace(old, line), encoding="utf-8")
    started = time.perf_counter()
    content = check_root(mini, seconds=10)
    assert time.perf_counter() - started < 5
    [problem] = [p for p in content.problems if p.severity == "error"]
    assert (problem.code, problem.line) == (code, 63), problem.render()
    assert "henk-kennismaking" not in content.dialogues


def test_checks_stay_linear_in_a_huge_dialogue(mini: Path) -> None:
    """800 nodes, each with a misspelt target and a flag nobody uses: the checks after parsing
    took 4 s here (a did-you-mean over every node for every target, a search for each flag
    through every node); linear now, they take a fraction of the parsing time."""
    from trainer.content.located import parse_located

    lines = ["id: reus", "persona: henk", "title: Reus", "start: n0", "nodes:"]
    for i in range(800):
        lines += [
            f"  n{i}:",
            "    say: Hallo.",
            "    choices:",
            f"      - {{text: a, skills: [], feedback: f, next: m{i}, effects: {{set: [v_{i}]}}}}",
        ]
    lines += ["  m0:", "    say: Dag.", "    end: {outcome: open, debrief: Klaar.}"]
    source = "\n".join(lines) + "\n"
    (mini / "dialogues" / "reus.yaml").write_text(source, encoding="utf-8")
    started = time.perf_counter()
    parse_located(source, Path("reus.yaml"), "reus.yaml")
    parsing = time.perf_counter() - started
    started = time.perf_counter()
    content = check_root(mini, seconds=60)
    total = time.perf_counter() - started
    codes = [p.code for p in content.problems if p.path.endswith("reus.yaml")]
    assert codes.count("unknown-node") == 799 and codes.count("unused-flag") == 800
    assert total - parsing < max(1.0, parsing), (total, parsing)


def test_bom_is_accepted() -> None:
    files = {**pair("lodewijk"), KAART: shipped(KAART)}
    name = "personas/lodewijk.yaml"
    with content_root({**files, name: "\ufeff" + files[name]}) as root:
        content = check_root(root)
    assert "lodewijk" in content.personas and not content.problems


def test_crlf_line_ends_are_accepted_with_the_same_lines() -> None:
    files = pair("lodewijk")
    name = f"dialogues/{DIALOGUE_OF['lodewijk']}.yaml"
    broken = files[name].replace("next:", "nxet:", 1)
    with content_root({**files, name: broken}) as root:
        lf = [(p.line, p.col, p.code) for p in check_root(root).problems]
    with content_root({**files, name: broken.replace("\n", "\r\n").encode()}) as root:
        crlf = [(p.line, p.col, p.code) for p in check_root(root).problems]
    assert lf == crlf and lf


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    with content_root(pair("anna")) as root:
        huge = root / "dialogues" / "groot.yaml"
        with huge.open("wb") as handle:  # sparse: made in no time, 50 MB of zeros to read
            handle.truncate(50 * 1024 * 1024)
        content, elapsed, peak = measured_check(root)
    [problem] = [p for p in content.problems if p.path.endswith("groot.yaml")]
    assert problem.code == "file-too-large" and (problem.line, problem.col) == (1, 1)
    assert "52,4 MB" in problem.message and "2 MB" in problem.message
    assert problem.message.startswith("bestand is te groot")
    assert "anna-na-het-ontslag" in content.dialogues  # the other files still load
    assert peak < 20_000_000 and elapsed < 8, (peak, elapsed)


def test_one_byte_over_the_limit_is_refused() -> None:
    body = "# " + "x" * (MAX_FILE_BYTES - 2) + "\n"
    assert len(body) == MAX_FILE_BYTES + 1
    with content_root({DIALOGUE_FILE: body}) as root:
        content = check_root(root)
    assert [p.code for p in content.problems] == ["file-too-large"]


def test_depth_just_inside_the_limit_is_fine() -> None:
    """The limits refuse absurd files only: 60 levels still load (as an unknown key here)."""
    body = "id: fuzz\nx: " + "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1) + "\n"
    with content_root({DIALOGUE_FILE: body}) as root:
        codes = {p.code for p in check_root(root).problems}
    assert "too-complex" not in codes and "unknown-key" in codes


def test_anchors_and_aliases_within_reason_are_allowed() -> None:
    """Aliases are capped, not refused: repeating a feedback text through an anchor works."""
    files = pair("lodewijk")
    name = f"dialogues/{DIALOGUE_OF['lodewijk']}.yaml"
    source = files[name]
    first = source.index("feedback:")
    line_end = source.index("\n", first)
    value = source[first + len("feedback:") : line_end].strip()
    assert value and not value.startswith(("|", ">", "&", "*")), value
    anchored = source[:first] + "feedback: &fb " + value + source[line_end:]
    second = anchored.index("feedback:", first + 20)
    second_end = anchored.index("\n", second)
    if anchored[second + len("feedback:") : second_end].strip():
        anchored = anchored[:second] + "feedback: *fb" + anchored[second_end:]
    with content_root({**files, name: anchored}) as root:
        content = check_root(root)
    assert DIALOGUE_OF["lodewijk"] in content.dialogues, [p.render() for p in content.problems]


def _special(root: Path, case: str) -> Path:
    path = root / "personas" / "anna.yaml"
    if case == "folder":
        path.mkdir()
        (path / "x.yaml").write_text("id: x\n", encoding="utf-8")
    elif case == "pipe":
        os.mkfifo(path)
    elif case == "device":
        path.symlink_to("/dev/zero")
    elif case == "link-loop":
        path.symlink_to(path.name)
    elif case == "dangling-link":
        path.symlink_to("bestaat-niet.yaml")
    return path


@pytest.mark.parametrize("case", ["folder", "pipe", "device", "link-loop", "dangling-link"])
def test_not_a_file_where_a_persona_should_be(case: str) -> None:
    files = pair("anna")
    del files["personas/anna.yaml"]
    with content_root(files) as root:
        if case == "pipe" and not hasattr(os, "mkfifo"):
            pytest.skip("no named pipes on this system")
        _special(root, case)
        content = check_root(root, seconds=10)
    [problem] = [p for p in content.problems if p.path.endswith("personas/anna.yaml")]
    assert problem.code == "file-unreadable", problem
    assert problem.message.startswith("bestand kan niet gelezen worden: ")
    assert "anna" not in content.personas and not content.dialogues


@pytest.mark.parametrize("where", ["dialogues/x.yaml", KAART])
def test_folder_where_a_dialogue_or_the_kaart_should_be(where: str) -> None:
    with content_root(pair("anna")) as root:
        (root / where).mkdir()
        content = check_root(root)
    [problem] = [p for p in content.problems if p.path.endswith(where)]
    assert problem.code == "file-unreadable" and "map" in problem.message


def test_content_folders_that_are_files() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "personas").write_text("geen map\n", encoding="utf-8")
        (root / "dialogues").write_text("geen map\n", encoding="utf-8")
        content = check_root(root)
        assert [p.code for p in content.problems] == ["no-content"]
        assert_well_formed(content.problems, root)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_unreadable_file() -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading the file")
    with content_root(pair("anna")) as root:
        path = root / "personas" / "anna.yaml"
        path.chmod(0)
        try:
            content = check_root(root)
        finally:
            path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    [problem] = [p for p in content.problems if p.path.endswith("personas/anna.yaml")]
    assert problem.code == "file-unreadable" and "toestemming" in problem.message


def test_copy_of_shipped_content_with_every_file_broken_at_once() -> None:
    """All files truncated mid-way: every one reported, no dialogue offered, nothing raised."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for sub in ("personas", "dialogues"):
            shutil.copytree(ROOT / sub, root / sub)
        shutil.copy(ROOT / KAART, root / KAART)
        for path in root.rglob("*.yaml"):
            raw = path.read_bytes()
            path.write_bytes(raw[: len(raw) // 2 + 1])
        content = check_root(root, seconds=30)
        broken = {p.path for p in content.problems if p.severity == "error"}
    assert not content.dialogues
    assert len(broken) >= 6
