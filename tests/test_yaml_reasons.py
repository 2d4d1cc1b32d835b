"""Broken YAML is explained in Dutch, the same with and without libyaml.

A fresh machine may get a PyYAML whose libyaml stops at its own nesting limit with an English
reason, or a PyYAML built without libyaml at all; authors must read the same Dutch problem, at
the same place, whatever they got. Each case runs under both parsers.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import trainer.content.located as yamlsrc
from trainer.content.located import MAX_DEPTH, parse_located
from trainer.content.yaml_reasons import _REASONS, dutch_reason
from trainer.messages import CATALOGUE, set_language

LOADERS = ["python"] + (["libyaml"] if yaml.__with_libyaml__ else [])


@pytest.fixture(params=LOADERS)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "python":
        monkeypatch.setattr(yamlsrc, "LOADER", yamlsrc._Loader)
    return request.param


def problems(source: str) -> list[tuple[int, int, str, str]]:
    _, found = parse_located(source, Path("x.yaml"), "x.yaml")
    return [(p.line, p.col, p.code, p.message) for p in found]


# Deep nesting: (text, line, column where the nesting starts)
DEEP = {
    "flow-lists": ("[" * 10_000 + "]" * 10_000, 1, 1),
    "flow-unclosed": ("[" * 10_000, 1, 1),
    "flow-maps": ("{a: " * 10_000 + "}" * 10_000, 1, 1),
    # past libyaml's own limit of 1,000 and under it: the same refusal either way
    "flow-1500": ("[" * 1_500 + "]" * 1_500, 1, 1),
    "flow-200": ("[" * 200 + "]" * 200, 1, 1),
    "flow-in-a-field": ("id: x\nnodes:\n  deur:\n    say: " + "[" * 5_000, 4, 10),
    "block-lists": ("- " * 10_000 + "x\n", 1, 1),
    "block-maps": ("".join(" " * i + f"k{i}:\n" for i in range(200)), 1, 1),
}


@pytest.mark.parametrize("case", sorted(DEEP))
def test_deep_nesting_is_too_complex_where_it_starts(case: str, loader: str) -> None:
    body, line, col = DEEP[case]
    [(got_line, got_col, code, message)] = problems(body)
    assert code == "too-complex", message
    assert (got_line, got_col) == (line, col)
    assert f"dieper genest dan {MAX_DEPTH} niveaus" in message


def test_nesting_at_the_limit_is_accepted(loader: str) -> None:
    body = "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1)
    assert problems(body) == []


BROKEN = {
    "colon-in-text": ("say: hallo: daar\n", 1),
    "tab-indent": ("id: x\nnodes:\n\tdeur:\n\t\tsay: hoi\n", 3),
    "bad-escape": ('say: "een \\q"\n', 1),
    "unclosed-list": ("a: [1, 2\nb: 3\n", 2),
    "unclosed-quote": ('say: "hallo\n', 2),
    "two-documents": ("id: a\n---\nid: b\n", 2),
    "undefined-alias": ("a: *x\n", 1),
    "at-sign": ("a: @x\n", 1),
    "block-indicator": ("a: |x\n  t\n", 1),
    "bad-indentation": ("a:\n    b: 1\n  c: 2\n", 3),
    "dash-in-map": ("a: 1\n- b\n", 2),
    "unclosed-map": ("a: {b: 1\n", 2),
    "anchor-name": ("a: & \n", 1),
    "directive": ("%YAML 9.9\n---\na: 1\n", 1),
    "unknown-tag": ("a: !!python/object:os.system x\n", 1),
    "bad-date": ("a: 2026-02-30\n", 1),
}

#: Words of PyYAML's and libyaml's English reasons: none may reach a Dutch message.
ENGLISH = re.compile(
    r"\b(expected|found|mapping|while|scanning|parsing|allowed|could not|cannot start|token|"
    r"stream|document start|block end|indicator|constructor|determine)\b"
)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_yaml_is_explained_in_dutch(case: str, loader: str) -> None:
    body, line = BROKEN[case]
    found = problems(body)
    assert found, case
    got_line, _, code, message = found[0]
    assert code == "yaml-syntax", message
    assert got_line == line, found
    assert not ENGLISH.search(message), message


def test_both_parsers_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml: one parser only")
    fast = {case: problems(body) for case, (body, _) in BROKEN.items()}
    monkeypatch.setattr(yamlsrc, "LOADER", yamlsrc._Loader)
    slow = {case: problems(body) for case, (body, _) in BROKEN.items()}
    assert fast == slow


def test_every_reason_has_dutch_and_english_text() -> None:
    keys = {key for _, key in _REASONS} | {"yaml.unknown"}
    for language in ("nl", "en"):
        assert keys <= set(CATALOGUE[language]), keys - set(CATALOGUE[language])


def test_an_unknown_wording_gets_a_dutch_reason_not_the_english_one() -> None:
    reason = dutch_reason("a brand new complaint of some future parser")
    assert reason == CATALOGUE["nl"]["yaml.unknown"]


def test_english_messages_in_english(loader: str) -> None:
    set_language("en")
    try:
        [(_, _, _, message)] = problems("say: hallo: daar\n")
    finally:
        set_language("nl")
    assert "colon" in message
