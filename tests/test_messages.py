"""The message catalogue holds together: both languages say the same things with the same
placeholders, every key lives in one area module, and plurals go through `counted` only."""

from __future__ import annotations

import re
import string
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT, run_cli
from trainer import messages
from trainer.messages import AREAS, CATALOGUE, LANGUAGES, counted, merge, set_language, text

#: Entries whose '|' is text (a Markdown table, YAML's block indicator), not singular|plural.
LITERAL_PIPES = {"app.help", "yaml.block_indicator"}

#: Fake plurals ('gesprek(ken)', 'knoop/knopen', 'session(s)') still waiting for their call site
#: (outside trainer/commands/{check,test,sessions}.py) to switch to `counted`. Shrink this list;
#: never grow it.
FAKE_PLURALS_LEFT = {
    "cli.export_done",  # trainer/commands/exchange.py
    "cli.import_done",  # trainer/commands/exchange.py
    "app.content_problems",  # trainer/app/main.py
    "app.progress.chart",  # trainer/app/screens/progress.py
    "app.cohort.trainees_hint",  # trainer/app/screens/cohort.py
    "app.cohort.nodes_hint",  # trainer/app/screens/cohort.py
    "report.trainee_sub",  # trainer/reports/templates/trainee.*.j2
    "report.spark_title",  # trainer/reports/templates/cohort.html.j2
    "report.dialogue_sessions",  # trainer/reports/templates/cohort.*.j2
}
FAKE_PLURAL = re.compile(r"[a-z]\((?:s|en|ken|n)\)|\b[a-z]+/[a-z]+en\b")

TRAINER = ROOT / "trainer"
#: A message rendered by key: text("KEY", ...) in Python, t("KEY", ...) in the report templates.
TEXT_CALL = re.compile(r"\b(?:text|t)\(\s*[\"']([a-z_][\w.-]*)[\"']")
COUNTED_CALL = re.compile(r"\bcounted\(\s*[\"']([a-z_][\w.-]*)[\"']")


def fields(template: str) -> set[str]:
    """The {placeholders} of a template (a malformed one raises ValueError)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def is_plural(key: str) -> bool:
    return key not in LITERAL_PIPES and "|" in CATALOGUE["nl"][key] + CATALOGUE["en"][key]


PLURALS = sorted(k for k in CATALOGUE["nl"] if is_plural(k))


def calls(pattern: re.Pattern[str]) -> dict[str, list[str]]:
    """Message keys rendered by `pattern` anywhere in trainer/, with the files that do it."""
    found: dict[str, list[str]] = {}
    for path in sorted(TRAINER.rglob("*")):
        if path.suffix in (".py", ".j2"):
            source = path.read_text(encoding="utf-8")
            for key in pattern.findall(source):
                found.setdefault(key, []).append(path.relative_to(ROOT).as_posix())
    return found


def area_modules() -> list[str]:
    folder = Path(messages.__file__).parent
    return sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")


def test_every_area_module_is_merged_and_shaped_alike() -> None:
    assert sorted(area.__name__.rsplit(".", 1)[1] for area in AREAS) == area_modules()
    for area in AREAS:
        doc = area.__doc__ or ""
        assert doc.strip() and "\n" not in doc.strip(), f"{area.__name__}: one-line docstring"
        assert isinstance(area.NL, dict) and isinstance(area.EN, dict), area.__name__
        assert set(area.NL) == set(area.EN), (area.__name__, set(area.NL) ^ set(area.EN))


def test_dutch_and_english_have_the_same_keys() -> None:
    assert LANGUAGES == ("nl", "en")
    assert set(CATALOGUE["nl"]) == set(CATALOGUE["en"]), set(CATALOGUE["nl"]) ^ set(CATALOGUE["en"])


def test_no_key_is_defined_in_two_areas() -> None:
    owners: dict[str, list[str]] = {}
    for area in AREAS:
        for key in {*area.NL, *area.EN}:
            owners.setdefault(key, []).append(area.__name__)
    assert not {k: v for k, v in owners.items() if len(v) > 1}
    assert len(CATALOGUE["nl"]) == sum(len(area.NL) for area in AREAS)


def test_merging_refuses_a_key_defined_in_two_areas() -> None:
    one, two = ModuleType("one"), ModuleType("two")
    one.NL, one.EN = {"a.b": "x"}, {"a.b": "x"}  # type: ignore[attr-defined]
    two.NL, two.EN = {"a.b": "y"}, {"a.b": "y"}  # type: ignore[attr-defined]
    assert merge((one,), "nl") == {"a.b": "x"}
    with pytest.raises(ValueError, match=r"'a\.b'.*one.*two"):
        merge((one, two), "nl")


@pytest.mark.parametrize("key", sorted(CATALOGUE["nl"]))
def test_both_languages_have_the_same_placeholders(key: str) -> None:
    assert fields(CATALOGUE["nl"][key]) == fields(CATALOGUE["en"][key])


@pytest.mark.parametrize("key", PLURALS)
def test_a_plural_has_a_singular_and_a_plural_in_both_languages(key: str) -> None:
    for lang in LANGUAGES:
        parts = CATALOGUE[lang][key].split("|")
        assert len(parts) == 2 and all(p.strip() for p in parts), (lang, parts)
        assert "n" in fields(parts[1]), f"{lang}: the plural says how many ({{n}})"
        set_language(lang)
        params = {name: "X" for name in fields(CATALOGUE[lang][key]) - {"n"}}
        one, many = counted(key, 1, **params), counted(key, 3, **params)
        assert "|" not in one + many and one != many and "3" in many, (lang, one, many)


def test_plurals_are_rendered_only_through_counted() -> None:
    assert PLURALS, "the catalogue has plural entries"
    misused = {k: files for k, files in calls(TEXT_CALL).items() if k in PLURALS}
    assert not misused, f"render these with counted(), not text(): {misused}"
    used = calls(COUNTED_CALL)
    assert used, "counted() is used somewhere"
    assert not {k for k in used if k not in PLURALS}, "counted() needs a 'singular|plural' entry"
    assert all(k in CATALOGUE["nl"] for k in calls(TEXT_CALL)), "text() of an unknown key"


def test_no_entry_fakes_a_plural() -> None:
    faked = {
        k
        for lang in LANGUAGES
        for k, v in CATALOGUE[lang].items()
        if FAKE_PLURAL.search(v) and k not in LITERAL_PIPES
    }
    assert faked == FAKE_PLURALS_LEFT, (
        f"new fake plurals (use counted()): {sorted(faked - FAKE_PLURALS_LEFT)}; "
        f"fixed (drop them from FAKE_PLURALS_LEFT): {sorted(FAKE_PLURALS_LEFT - faked)}"
    )


def test_text_with_a_missing_parameter_raises() -> None:
    with pytest.raises(KeyError, match="persona"):
        text("check.unknown-persona")
    with pytest.raises(KeyError, match="first"):
        text("check.duplicate-key", key="title")
    with pytest.raises(KeyError, match="file"):
        counted("test.needs_kaart_summary", 2)
    with pytest.raises(KeyError):
        text("no.such.message")
    assert text("no.such.message", default="") == ""
    assert text("check.duplicate-key", key="title", first=3) == (
        "'title' staat er twee keer (eerder op regel 3)"
    )


@pytest.mark.parametrize(
    ("lang", "key", "n", "expected"),
    [
        ("nl", "count.errors", 1, "1 fout"),
        ("nl", "count.errors", 0, "0 fouten"),
        ("nl", "count.personas", 1, "1 persona"),
        ("nl", "count.personas", 2, "2 persona's"),
        ("nl", "count.dialogues", 1, "1 dialoog"),
        ("nl", "count.conversations", 1, "1 gesprek"),
        ("nl", "test.summary_failed", 1, "1 probleem."),
        ("nl", "test.summary_failed", 4, "4 problemen."),
        ("en", "count.files", 1, "1 file"),
        ("en", "count.warnings", 2, "2 warnings"),
        ("en", "count.states", 1, "1 state"),
        ("en", "test.summary_failed", 1, "1 problem."),
        ("en", "test.summary_failed", 2, "2 problems."),
    ],
)
def test_counted_picks_singular_or_plural(lang: str, key: str, n: int, expected: str) -> None:
    set_language(lang)
    assert counted(key, n) == expected


def test_check_and_test_count_in_words(mini: Path, tmp_path: Path, capsys) -> None:
    """The call sites: one of a kind is singular ('1 dialoog', '1 fout', '1 probleem')."""
    code, out, _ = run_cli(capsys, "check", "--content", str(mini))
    assert code == 0 and "Alles in orde: 1 dialoog, 1 persona." in out
    out_dir = str(tmp_path / "uit")
    code, out, _ = run_cli(
        capsys, "test", "--lang", "en", "--random", "1", "--content", str(mini), "--out", out_dir
    )
    assert code == 0 and "1 conversation with seed 1, 0 without an ending" in out, out
    tests = mini / "dialogues" / "henk-kennismaking.tests.yaml"
    source = tests.read_text(encoding="utf-8")
    tests.write_text(source.replace("outcome: closed", "outcome: open", 1), encoding="utf-8")
    code, out, _ = run_cli(capsys, "test", "--content", str(mini), "--out", out_dir)
    assert code == 1 and out.splitlines()[-1] == "1 probleem.", out
    tests.write_text(source.replace("answers: [2]", "answers: [0]", 1), encoding="utf-8")
    code, out, _ = run_cli(capsys, "check", str(tests))
    assert code == 1 and "1 bestand gecontroleerd: 1 fout, 0 waarschuwingen." in out, out
