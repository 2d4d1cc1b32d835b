"""Every check `buurttrainer check` promises, triggered by one realistic author mistake each."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from trainer.content.loader import load_content

DIALOGUE = "dialogues/henk-kennismaking.yaml"
PERSONA = "personas/henk.yaml"


def _edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    source = path.read_text(encoding="utf-8")
    assert old in source, f"fixture no longer contains {old!r}"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")


# (file, text to replace, replacement, expected code, expected line, severity)
MISTAKES = [
    (DIALOGUE, "title: Kennismaken", "title: Kennismaken: met Henk", "yaml-syntax", 3, "error"),
    (DIALOGUE, "title: Kennismaken", "titel: Kennismaken", "unknown-key", 3, "error"),
    (DIALOGUE, "title: Kennismaken met Henk\n", "", "missing-key", 1, "error"),
    (
        DIALOGUE,
        "  dicht:\n",
        "  knie:\n    say: dubbel\n    end: {outcome: open, debrief: x}\n  dicht:\n",
        "duplicate-key",
        76,
        "error",
    ),
    (
        DIALOGUE,
        "        next: buurman\n      - text: Dat klinkt",
        "        next: buurmna\n      - text: Dat klinkt",
        "unknown-node",
        43,
        "error",
    ),
    (DIALOGUE, "start: deur", "start: dur", "unknown-node", 5, "error"),
    (
        DIALOGUE,
        "  dicht:\n",
        "  wees:\n    say: niemand\n    end: {outcome: open, debrief: x}\n  dicht:\n",
        "unreachable-node",
        76,
        "warning",
    ),
    (DIALOGUE, "  dicht:\n", "  wees:\n    say: niemand\n  dicht:\n", "dead-end", 76, "error"),
    (
        DIALOGUE,
        "      - feedback: Vraag door naar wat hij kan of nodig heeft.\n        next: knie\n",
        "",
        "missing-fallback",
        55,
        "error",
    ),
    (
        DIALOGUE,
        "      - feedback: Probeer een open vraag.\n",
        "      - feedback: Probeer een open vraag.\n        when: [trust > 200]\n",
        "missing-fallback",
        31,
        "error",
    ),
    (
        DIALOGUE,
        "when: [referral, trust >= 40]",
        "when: [refferal, trust >= 40]",
        "unknown-variable",
        55,
        "error",
    ),
    (
        DIALOGUE,
        "when: [referral, trust >= 40]",
        "when: [referral, vertrouwen >= 40]",
        "unknown-variable",
        55,
        "error",
    ),
    (
        DIALOGUE,
        "when: [referral, trust >= 40]",
        "when: [referral, trust >>= 40]",
        "bad-condition",
        55,
        "error",
    ),
    (DIALOGUE, "skills: [reciprocity]", "skills: [recipocity]", "unknown-skill", 40, "error"),
    (
        DIALOGUE,
        "Dat zou ik best willen, {{ trainee }}.",
        "Dat zou ik best willen, {{ trainee }.",
        "template-syntax",
        63,
        "error",
    ),
    (
        DIALOGUE,
        "Dat zou ik best willen, {{ trainee }}.",
        "Dat zou ik best willen, {{ persona.naam }}.",
        "template-undefined",
        63,
        "error",
    ),
    (
        DIALOGUE,
        "Dat zou ik best willen, {{ trainee }}.",
        "Dat zou ik best willen, {{ buurman }}.",
        "template-undefined",
        63,
        "error",
    ),
    (DIALOGUE, "persona: henk", "persona: hank", "unknown-persona", 2, "error"),
    (DIALOGUE, "id: henk-kennismaking", "id: henk-kennismaken", "id-mismatch", 1, "error"),
    (DIALOGUE, "id: henk-kennismaking", "id: Henk Kennismaking", "bad-id", 1, "error"),
    (DIALOGUE, "outcome: closed", "outcome: dicht", "bad-value", 79, "error"),
    (DIALOGUE, "effects: {trust: -30}", "effects: {trust: veel}", "wrong-type", 21, "error"),
    (
        DIALOGUE,
        "effects: {set: [vak_genoemd]}\n        next: buurman\n      - when: [referral",
        "effects: {set: [vak_genoemd, ongebruikt]}\n        next: buurman\n      - when: [referral",
        "unused-flag",
        53,
        "warning",
    ),
    (
        DIALOGUE,
        "      - feedback: Probeer een open vraag.\n        effects: {trust: -5}\n        next: knie\n",
        "      - feedback: Probeer een open vraag.\n        effects: {trust: -5}\n        next: knie\n      - feedback: x\n        next: knie\n",
        "unreachable-route",
        34,
        "warning",
    ),
    (PERSONA, "difficulty: easy", "difficulty: makkelijk", "bad-value", 11, "error"),
    (PERSONA, "  trust: 40", "  trust: 140", "bad-value", 13, "error"),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "code", "line", "severity"),
    MISTAKES,
    ids=[f"{m[3]}-{i}" for i, m in enumerate(MISTAKES)],
)
def test_each_mistake_is_reported_at_its_line(
    mini: Path, capsys: pytest.CaptureFixture[str], name: str, old: str, new: str, code: str,
    line: int, severity: str,
) -> None:  # fmt: skip
    _edit(mini, name, old, new)
    content = load_content(mini)
    found = [p for p in content.problems if p.code == code]
    assert found, f"expected {code}, got {[(p.code, p.line) for p in content.problems]}"
    assert found[0].line == line
    assert found[0].severity == severity
    assert found[0].path.endswith(name)
    assert found[0].hint, "every problem tells the author how to fix it"
    exit_code, out, err = run_cli(capsys, "check", "--content", str(mini))
    assert "Traceback" not in out + err
    assert f"{name}:{line}:" in out and code in out
    assert exit_code == (1 if severity == "error" else 0)
    if severity == "warning":
        assert run_cli(capsys, "check", "--strict", "--content", str(mini))[0] == 1


def test_loops_without_exit_are_found(mini: Path) -> None:
    _edit(mini, DIALOGUE, "        next: huisarts\n    routes:", "        next: knie\n    routes:")
    _edit(
        mini,
        DIALOGUE,
        "        next: buurman\n      - text: Dat klinkt",
        "        next: knie\n      - text: Dat klinkt",
    )
    _edit(
        mini,
        DIALOGUE,
        "        next: buurman\n      - when: [referral",
        "        next: knie\n      - when: [referral",
    )
    _edit(
        mini,
        DIALOGUE,
        "        next: huisarts\n      - feedback",
        "        next: knie\n      - feedback",
    )
    codes = {(p.code, p.message.split("'")[1]) for p in load_content(mini).problems}
    assert ("no-ending", "knie") in codes


def test_did_you_mean_in_hints(mini: Path) -> None:
    _edit(
        mini,
        DIALOGUE,
        "        next: buurman\n      - text: Dat klinkt",
        "        next: buurmna\n      - text: Dat klinkt",
    )
    problem = next(p for p in load_content(mini).problems if p.code == "unknown-node")
    assert "'buurman'" in problem.hint


def test_caret_points_at_the_mistake(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(mini, DIALOGUE, "start: deur", "start: dur")
    _, out, _ = run_cli(capsys, "check", "--content", str(mini))
    lines = out.splitlines()
    at = next(i for i, text in enumerate(lines) if "unknown-node" in text)
    assert lines[at + 1].strip() == "start: dur"
    assert lines[at + 2].index("^") == lines[at + 1].index("dur")


def test_one_broken_dialogue_does_not_hide_the_others(mini: Path) -> None:
    broken = (
        (mini / DIALOGUE).read_text(encoding="utf-8").replace("henk-kennismaking", "henk-kapot")
    )
    (mini / "dialogues" / "henk-kapot.yaml").write_text(
        broken.replace("start: deur", "start: nergens"), encoding="utf-8"
    )
    content = load_content(mini)
    assert "henk-kennismaking" in content.dialogues
    assert "henk-kapot" not in content.dialogues
    assert "henk-kapot" in content.broken


def test_alias_bomb_and_huge_file_are_refused(mini: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefgh":
        prev = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    (mini / "dialogues" / "bom.yaml").write_text(bomb, encoding="utf-8")
    (mini / "dialogues" / "groot.yaml").write_text("x: " + "a" * 3_000_000, encoding="utf-8")
    codes = {p.path.split("/")[-1]: p.code for p in load_content(mini).problems}
    assert codes["bom.yaml"] == "too-complex"
    assert codes["groot.yaml"] == "file-too-large"


def test_json_format(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    _edit(mini, DIALOGUE, "skills: [reciprocity]", "skills: [recipocity]")
    code, out, _ = run_cli(capsys, "check", "--format", "json", "--content", str(mini))
    data = json.loads(out)
    assert code == 1
    problem = next(p for p in data["problems"] if p["path"].endswith(DIALOGUE))
    assert set(problem) == {"path", "line", "col", "severity", "code", "message", "hint"}
    assert problem["code"] == "unknown-skill" and problem["line"] == 40


def test_json_lists_dialogues(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code, out, _ = run_cli(capsys, "check", "--format", "json", "--content", str(mini))
    assert code == 0
    (found,) = json.loads(out)["dialogues"]
    reach = found.pop("reach")
    assert found == {
        "id": "henk-kennismaking",
        "persona": "henk",
        "nodes": 5,
        "endings": 3,
        "routes": 6,
        "choices": 4,
    }
    assert reach["can_pass"] and reach["can_fail"]
    assert set(reach["outcomes"]) == {"connected", "referred", "closed"}


def test_check_single_file(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(mini, PERSONA, "difficulty: easy", "difficulty: makkelijk")
    code, out, _ = run_cli(capsys, "check", str(mini / DIALOGUE))
    assert code == 0, out
    code, out, _ = run_cli(capsys, "check", str(mini / PERSONA))
    assert code == 1 and "bad-value" in out


def test_playthrough_file_problems(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(mini, "dialogues/henk-kennismaking.tests.yaml", "answers: [2]", "answers: [0]")
    code, out, _ = run_cli(capsys, "check", "--content", str(mini))
    assert code == 1 and "bad-answer" in out


def test_missing_content_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "check", "--content", str(tmp_path / "nergens"))
    assert code == 1 and "no-content" in out and "Traceback" not in err


def test_the_diagnostics_catalogue_holds_together() -> None:
    """Every code in the one table (CODES) is used by a check, documented in docs/checks.md
    under its own heading with the same severity, and worded in Dutch and English; every
    `check.CODE` message in the catalogue has a code in the table."""
    import re

    from tests.conftest import ROOT
    from trainer.content.diagnostics import CODES
    from trainer.messages import CATALOGUE

    doc = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^### `([a-z-]+)` \((error|warning)\)", doc, re.M))
    assert documented == CODES, "docs/checks.md headings and CODES disagree"
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for path in (ROOT / "trainer").rglob("*.py")
        if path.name != "diagnostics.py" and "messages" not in path.parts
    )
    unused = sorted(code for code in CODES if f'"{code}"' not in source)
    assert not unused, f"codes no check reports: {unused}"
    for language in ("nl", "en"):
        missing = sorted(c for c in CODES if f"check.{c}" not in CATALOGUE[language])
        assert not missing, f"no {language} text for {missing}"
    messages = {
        k.split(".")[1] for k in CATALOGUE["nl"] if k.startswith("check.") and k.count(".") == 1
    }
    assert not sorted(messages - set(CODES) - {"summary", "ok"}), "a message without a code"


def test_an_unknown_code_is_refused() -> None:
    from trainer.content.diagnostics import Problem

    with pytest.raises(KeyError):
        Problem.make("x.yaml", 1, 1, "no-such-code")
