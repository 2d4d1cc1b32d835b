"""Authoring tools: `new persona`, `test` (playthroughs, coverage, exploring, random runs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from trainer.content.loader import default_content_root, load_content
from trainer.engine.explorer import explore, random_runs

SHIPPED = load_content(default_content_root())


def test_new_persona_scaffold_passes_check_and_test_in_a_fresh_root(tmp_path: Path, capsys) -> None:
    root = tmp_path / "inhoud"
    code, out, _ = run_cli(capsys, "new", "persona", "oma-truus", "--content", str(root))
    assert code == 0 and "oma-truus" in out
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.yaml"))
    assert files == [
        "dialogues/oma-truus-eerste-gesprek.tests.yaml",
        "dialogues/oma-truus-eerste-gesprek.yaml",
        "personas/oma-truus.yaml",
        "sociale-kaart.yaml",
    ]
    # the folder had no kaart: the shipped one is copied, and the author is told where it is
    shipped = (default_content_root() / "sociale-kaart.yaml").read_bytes()
    assert (root / "sociale-kaart.yaml").read_bytes() == shipped
    assert "sociale kaart" in out and str(root / "sociale-kaart.yaml") in out
    assert "# " in (root / "personas/oma-truus.yaml").read_text(encoding="utf-8")
    code, out, _ = run_cli(capsys, "check", "--strict", "--content", str(root))
    assert code == 0, out
    code, out, _ = run_cli(
        capsys, "test", "--explore", "--random", "5", "--content", str(root),
        "--out", str(tmp_path / "fouten"),
    )  # fmt: skip
    assert code == 0, out
    assert "eindes 3/3" in out and "Alles geslaagd." in out
    import json

    code, out, _ = run_cli(capsys, "check", "--format", "json", "--content", str(root))
    reach = json.loads(out)["dialogues"][0]["reach"]
    assert reach["can_pass"] and reach["can_fail"]
    assert reach["outcomes"]["connected"] == {"trust_min": 50, "trust_max": 50}


def test_new_persona_refuses_a_bad_id_and_never_overwrites(tmp_path: Path, capsys) -> None:
    root = tmp_path / "inhoud"
    for bad in ("Oma Truus", "../weg", "oma_truus", "oma-"):
        code, _, err = run_cli(capsys, "new", "persona", bad, "--content", str(root))
        assert code == 1 and "geen geldige id" in err and "Traceback" not in err
    assert not root.exists()
    (root / "dialogues").mkdir(parents=True)
    mine = root / "dialogues" / "kees-eerste-gesprek.yaml"
    mine.write_text("mijn werk\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "new", "persona", "kees", "--content", str(root))
    assert code == 1 and "bestaat al" in err
    assert mine.read_text(encoding="utf-8") == "mijn werk\n"
    assert not (root / "personas" / "kees.yaml").exists(), "all or nothing"


def test_a_failing_playthrough_shows_expected_and_actual_path(tmp_path: Path, capsys) -> None:
    root = tmp_path / "inhoud"
    run_cli(capsys, "new", "persona", "kees", "--content", str(root))
    tests = root / "dialogues" / "kees-eerste-gesprek.tests.yaml"
    tests.write_text(
        tests.read_text(encoding="utf-8").replace(
            "answers: [1, 1]\n    path: [deur, kennismaken, buur]",
            "answers: [1, 2]\n    path: [deur, kennismaken, buur]",
        ),
        encoding="utf-8",
    )
    code, out, _ = run_cli(capsys, "test", "--content", str(root))
    assert code == 1
    assert "FOUT  luisteren en dan een ruil met een buur" in out
    assert "verwacht pad:  deur → kennismaken → buur" in out
    assert "werkelijk pad: deur → kennismaken → overgenomen" in out
    assert "(eerste verschil bij knoop 3)" in out
    assert "verwacht einde: connected, werkelijk: taken_over" in out


def test_explore_finds_an_endless_loop_and_writes_a_replayable_file(tmp_path: Path, capsys) -> None:
    root = tmp_path / "inhoud"
    run_cli(capsys, "new", "persona", "kees", "--content", str(root))
    dialogue = root / "dialogues" / "kees-eerste-gesprek.yaml"
    # Statically every node is reachable (check is clean), but the only ways out need a trust
    # above the maximum, so the conversation goes round at `kennismaken` forever.
    looped = dialogue.read_text(encoding="utf-8")
    looped = looped.replace(
        "Kees kan geven.\n        next: buur", "Kees kan geven.\n        next: kennismaken", 1
    )
    looped = looped.replace(
        "{mood: -10}\n        next: overgenomen", "{mood: -10}\n        next: kennismaken"
    )
    looped = looped.replace("- when: [reciprocity]\n", "- when: [reciprocity, trust > 100]\n")
    looped = looped.replace(
        "      - feedback: Vraag wat Kees zelf kan of wil.\n",
        "      - when: [trust > 100]\n        feedback: Te veel.\n        next: overgenomen\n"
        "      - feedback: Vraag wat Kees zelf kan of wil.\n",
    )
    dialogue.write_text(looped, encoding="utf-8")
    assert run_cli(capsys, "check", "--strict", "--content", str(root))[0] == 0
    (root / "dialogues" / "kees-eerste-gesprek.tests.yaml").unlink()
    out_dir = tmp_path / "fouten"
    code, out, _ = run_cli(
        capsys, "test", "--explore", "--content", str(root), "--out", str(out_dir)
    )
    assert code == 1
    assert "vanaf knoop kennismaken is geen einde meer te bereiken" in out
    assert "einde nooit bereikt: buur, overgenomen" in out
    written = out_dir / "kees-eerste-gesprek-vast-kennismaken.tests.yaml"
    assert written.exists()
    code, out, _ = run_cli(capsys, "test", str(written), "--content", str(root))
    assert code == 0 and "OK    loopt vast bij kennismaken" in out
    # check --format json tells the author the same in figures: this one cannot be passed.
    import json

    code, out, _ = run_cli(capsys, "check", "--format", "json", "--content", str(root))
    reach = json.loads(out)["dialogues"][0]["reach"]
    assert (reach["complete"], reach["can_pass"], reach["can_fail"]) == (True, False, True)
    assert reach["outcomes"] == {"closed": {"trust_min": 20, "trust_max": 40}}
    assert reach["skills"]["listening"] == {"min": 0, "max": 0}, "listening only leads to the loop"
    assert reach["skills"]["reciprocity"] == {"min": 0, "max": 1}


def test_random_runs_are_reproducible_and_a_run_without_ending_is_written(
    tmp_path: Path, capsys
) -> None:
    dialogue = SHIPPED.dialogues["anna-na-het-ontslag"]
    persona = SHIPPED.personas["anna"]
    first = [r.path for r in random_runs(dialogue, persona, 10, seed=4)]
    assert first == [r.path for r in random_runs(dialogue, persona, 10, seed=4)]
    assert first != [r.path for r in random_runs(dialogue, persona, 10, seed=5)]
    assert all(r.outcome for r in random_runs(dialogue, persona, 10, seed=4))
    # A dialogue that never ends: every random run fails and is written out.
    root = tmp_path / "inhoud"
    run_cli(capsys, "new", "persona", "kees", "--content", str(root))
    path = root / "dialogues" / "kees-eerste-gesprek.yaml"
    text = path.read_text(encoding="utf-8")
    for goal in ("next: buur", "next: overgenomen", "next: dicht"):
        text = text.replace(goal, "next: kennismaken")
    path.write_text(text, encoding="utf-8")
    code, out, _ = run_cli(
        capsys, "test", "--random", "2", "--seed", "9", "--content", str(root),
        "--out", str(tmp_path / "fouten"), str(tmp_path / "geen"),
    )  # fmt: skip
    assert (code == 1 and "niet gevonden" in out + capsys.readouterr().err) or code == 1


@pytest.mark.parametrize("dialogue_id", sorted(SHIPPED.dialogues))
def test_every_shipped_dialogue_explores_clean(dialogue_id: str) -> None:
    """No endless loop, every node and ending reachable (what `test --explore` checks)."""
    dialogue = SHIPPED.dialogues[dialogue_id]
    result = explore(dialogue, SHIPPED.personas[dialogue.persona])
    assert not result.truncated
    assert result.stuck == {}
    assert result.unvisited() == [] and result.unreached_endings() == []


def test_unmatched_lists_fallback_and_unsure_answers_per_node(data_dir: Path, capsys) -> None:
    import json

    from tests.conftest import MINI
    from trainer.engine.records import Answer, Assessment, FixedScorer
    from trainer.sessions.conversation import Conversation
    from trainer.store.database import Store

    class Unsure:
        def assess(self, text: str) -> Assessment:
            return Assessment(
                {"listening": 0.55, "reciprocity": 0.1, "referral": 0.0},
                frozenset({"listening"}), "test",
            )  # fmt: skip

    content = load_content(MINI)
    with Store(data_dir) as store:
        for _ in range(2):  # the same answer twice: counted, not listed twice
            talk = Conversation.start(
                store, content.personas["henk"], content.dialogues["henk-kennismaking"], "Sanne"
            )
            talk.answer(Answer("Mooi weer  vandaag"), FixedScorer())  # -> fallback r2
        talk.answer(Answer("Hoe is het met uw knie?"), Unsure())  # at knie: unsure
        talk.answer(Answer("Wat kunt u goed?"), FixedScorer(frozenset({"reciprocity"})))
    code, out, _ = run_cli(
        capsys, "unmatched", "henk-kennismaking", "--content", str(MINI), "--format", "json"
    )
    assert code == 0
    found = [(u["node"], u["answer"], u["reasons"], u["count"]) for u in json.loads(out)]
    assert found == [
        ("deur", "Mooi weer vandaag", ["fallback"], 2),
        ("knie", "Hoe is het met uw knie?", ["fallback", "unsure"], 1),
    ]
    code, out, _ = run_cli(capsys, "unmatched", "--content", str(MINI))
    assert "henk-kennismaking · knoop deur:" in out and "2x  Mooi weer vandaag" in out


def test_an_unreadable_persona_is_the_only_error_and_nothing_crashes(
    tmp_path: Path, capsys
) -> None:
    """A new author's first typo: one message at its line, no cascade, no traceback."""
    root = tmp_path / "inhoud"
    run_cli(capsys, "new", "persona", "truus", "--content", str(root))
    persona = root / "personas" / "truus.yaml"
    persona.write_text(
        persona.read_text(encoding="utf-8").replace(
            "  - id: koken\n", "  - id: breien\n   text: Breit sokken\n  - id: koken\n"
        ),
        encoding="utf-8",
    )
    code, out, _ = run_cli(capsys, "check", "--content", str(root))
    assert code == 1
    assert "truus.yaml:" in out and "yaml-syntax" in out
    assert "unknown-persona" not in out, "the dialogue's persona is broken, not missing"
    for args in (("test",), ("test", "--explore"), ("test", "--random", "3")):
        code, out, err = run_cli(capsys, *args, "--content", str(root), "--out", str(tmp_path))
        assert code == 1 and "Traceback" not in err and "onverwachte fout" not in err


def test_new_persona_keeps_a_kaart_the_folder_already_has(tmp_path: Path, capsys) -> None:
    root = tmp_path / "inhoud"
    root.mkdir()
    (root / "sociale-kaart.yaml").write_text("# mijn eigen kaart\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "new", "persona", "oma-truus", "--content", str(root))
    assert code == 0 and "sociale kaart" not in out
    assert (root / "sociale-kaart.yaml").read_text(encoding="utf-8") == "# mijn eigen kaart\n"
