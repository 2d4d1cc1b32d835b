"""Scoring v2: the shipped model, sentences combined by the rubric, pitfalls, evidence in real
words, and a model cache that never uses a damaged file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT
from trainer.content.model import PITFALLS, SKILLS
from trainer.scoring.classifier import ModelFileError, SkillModel
from trainer.scoring.evidence import is_function_word
from trainer.scoring.loader import SHIPPED, data_key, load_model, shipped_model
from trainer.scoring.pipeline import DEFAULT_VARIANT


@pytest.fixture(scope="module")
def shipped() -> SkillModel:
    model = shipped_model()
    assert model is not None, "the shipped model is missing: python -m trainer.scoring.ship"
    return model


def test_the_shipped_model_belongs_to_the_shipped_corpus(shipped: SkillModel) -> None:
    """Changing the corpus, the shipped dialogues or the kaart without refitting fails here."""
    assert shipped.meta["data_key"] == data_key(ROOT, DEFAULT_VARIANT), (
        "refit the shipped model: python -m trainer.scoring.ship"
    )
    assert load_model(ROOT) is not None and load_model(ROOT).version == shipped.version


@pytest.mark.newest
def test_the_shipped_model_equals_a_fresh_fit(shipped: SkillModel) -> None:
    from trainer.scoring.loader import fit_model

    fresh = fit_model(ROOT, DEFAULT_VARIANT, shipped.version)
    assert fresh.thresholds == shipped.thresholds
    assert fresh.vocabularies == shipped.vocabularies
    assert np.allclose(fresh.weights, shipped.weights, atol=1e-8)
    assert np.allclose(fresh.combiner_coef, shipped.combiner_coef, atol=1e-6)


def _labels(model: SkillModel, text: str) -> set[str]:
    return set(model.assess(text).shown)


@pytest.mark.parametrize(
    ("answer", "present", "absent"),
    [
        # greetings, thanks and introductions neither add nor take away
        ("Goedemiddag, ik ben Sanne van de buurtcoöperatie, ik kom even kennismaken. Hoe is het met u?", {"listening"}, set()),
        ("Dank je wel voor de koffie. Je zegt dat het goed gaat, maar je klinkt moe.", {"listening"}, set()),
        ("waar ben jij eigenlijk goed in?", {"reciprocity"}, set()),
        # a later sentence that takes an offer back decides
        ("Uw soep is beroemd in de straat, bij de buurtmaaltijd zouden ze die graag proeven. Maar laat maar, ik kook zelf wel wat.", {"takeover"}, {"reciprocity"}),
        ("Wat naar voor u, maar zo erg is het nou ook weer niet, dat waait wel over", {"reassurance"}, {"listening"}),
        # advice or taking over dressed as a question is not listening
        ("U moet echt wat rustiger aan doen. Gaat u wel eens op vakantie?", {"advice"}, {"listening"}),
        ("Zal ik die papieren even voor u uitzoeken? Dan regel ik het wel.", {"takeover"}, {"listening"}),
        # a service ruled out is no referral; a service named by an alias is
        ("het wijkteam heeft toch niks voor jou", set(), {"referral"}),
        ("Misschien kan de psycholoog via de huisarts iets voor u betekenen?", {"referral"}, set()),
    ],
)  # fmt: skip
def test_answers_score_as_the_rubric_says(
    shipped: SkillModel, answer: str, present: set, absent: set
) -> None:
    found = _labels(shipped, answer)
    assert present <= found and not (absent & found), found


def test_evidence_is_a_phrase_of_the_answer_never_only_function_words(shipped: SkillModel) -> None:
    answers = [
        "Goedemiddag, ik ben Femke. Hoe gaat het hier met u?",
        "Dat klinkt zwaar, al die rekeningen. Wat kunt u zelf goed, denkt u?",
        "Zullen we samen het wijkteam bellen? U doet het woord.",
        "Komt wel goed hoor, maak je geen zorgen.",
    ]
    for answer in answers:
        scores = shipped.probabilities(answer)
        shown = shipped.labels_for(scores) | shipped.pitfalls_for(scores)
        explanation = shipped.explain(answer, scores)
        assert shown, answer
        for label in (*SKILLS, *PITFALLS):
            phrases = [p for p, _ in explanation[label]["up"]]
            if label not in shown:
                assert phrases == [], (answer, label)
                continue
            assert phrases, (answer, label)
            for phrase in phrases:
                assert phrase in answer
                assert not all(is_function_word(w) for w in phrase.split()), phrase


def test_one_answer_is_fast_enough_for_a_live_conversation(shipped: SkillModel) -> None:
    """Not a timing test (bench/ measures speed): the work per answer is bounded, a handful
    of base-model reads for the whole answer and its segments."""
    calls = []
    original = shipped.base_probabilities

    def counting(text: str):
        calls.append(text)
        return original(text)

    shipped.base_probabilities = counting  # type: ignore[method-assign]
    try:
        shipped.assess("Hallo. Wat fijn dat u opendoet. Hoe gaat het met u?")
    finally:
        del shipped.base_probabilities
    assert len(calls) == 4  # the whole answer and its three sentences


# ---------------------------------------------------------------- the cache


def _saved(shipped: SkillModel, folder: Path) -> Path:
    stem = folder / "m"
    shipped.save(stem)
    return stem


def test_a_truncated_npz_is_refused(shipped: SkillModel, tmp_path: Path) -> None:
    stem = _saved(shipped, tmp_path)
    data = stem.with_suffix(".npz").read_bytes()
    stem.with_suffix(".npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError):
        SkillModel.load(stem)


def test_arrays_that_do_not_match_their_hash_are_refused(
    shipped: SkillModel, tmp_path: Path
) -> None:
    stem = _saved(shipped, tmp_path)
    arrays = dict(np.load(stem.with_suffix(".npz")))
    arrays["intercepts"] = arrays["intercepts"] + 1.0
    np.savez(stem.with_suffix(".npz"), **arrays)
    with pytest.raises(ModelFileError, match="hash"):
        SkillModel.load(stem)


@pytest.mark.parametrize("threshold", [0.0, 1.0, float("nan")])
def test_thresholds_outside_zero_to_one_are_refused(
    shipped: SkillModel, tmp_path: Path, threshold: float
) -> None:
    stem = _saved(shipped, tmp_path)
    meta = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
    meta["thresholds"]["listening"] = threshold
    stem.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelFileError, match="thresholds"):
        SkillModel.load(stem)


def test_non_finite_weights_and_wrong_shapes_are_refused(shipped: SkillModel) -> None:
    from dataclasses import replace

    broken = replace(shipped, combiner_intercept=np.full(len(shipped.combiner_intercept), np.inf))
    with pytest.raises(ModelFileError, match="non-finite"):
        broken.validate()
    with pytest.raises(ModelFileError, match="weights"):
        replace(shipped, weights=shipped.weights[:-1]).validate()


def test_a_damaged_cache_file_is_refitted_by_score_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached model for other content, truncated: `score` refits it and answers."""
    from tests.conftest import MINI, run_process
    from trainer.scoring.loader import cache_key, models_dir

    monkeypatch.setenv("BUURTTRAINER_CACHE", str(tmp_path))
    first = run_process("score", "--content", str(MINI), "Hoe gaat het met u?")
    assert first.returncode == 0, first.stderr
    stem = models_dir() / cache_key(MINI, DEFAULT_VARIANT)
    data = stem.with_suffix(".npz").read_bytes()
    stem.with_suffix(".npz").write_bytes(data[:100])
    again = run_process("score", "--content", str(MINI), "Hoe gaat het met u?")
    assert again.returncode == 0 and "Traceback" not in again.stderr
    assert json.loads(again.stdout)["labels"] == json.loads(first.stdout)["labels"]
    SkillModel.load(stem)  # written anew, whole


def test_tidy_removes_old_and_broken_cache_files(
    shipped: SkillModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trainer.scoring import loader

    monkeypatch.setenv("BUURTTRAINER_CACHE", str(tmp_path))
    folder = loader.models_dir()
    stems = []
    for n in range(loader.KEEP + 2):
        stem = folder / f"k{n}"
        shipped.save(stem)
        os.utime(stem.with_suffix(".json"), (1000 + n, 1000 + n))
        stems.append(stem)
    (folder / "old.json").write_text('{"format": 1}', encoding="utf-8")
    (folder / "old.npz").write_bytes(b"x")
    stale = folder / "k9.npz123.tmp"
    stale.write_bytes(b"x")
    os.utime(stale, (0, 0))
    loader.tidy()
    left = sorted(p.name for p in folder.iterdir())
    kept = [s.name for s in stems[-loader.KEEP :]]
    assert left == sorted([f"{k}.json" for k in kept] + [f"{k}.npz" for k in kept])


def test_vocabularies_hold_no_ngram_of_a_correction(tmp_path: Path) -> None:
    """A model fitted with a trainer's correction keeps no word pair of that answer."""
    from tests.conftest import MINI
    from trainer.content.loader import load_content
    from trainer.scoring.corpus import Example, training_examples
    from trainer.scoring.pipeline import VARIANTS, fit_base

    examples = training_examples(load_content(MINI))[:400]
    secret = Example(
        "Mijn buurman Zwartjes heeft schulden bij Kwakkelbank", frozenset({"referral"}),
        "correction:x:1", source="trainer",
    )  # fmt: skip
    base = fit_base([secret, *examples], VARIANTS[DEFAULT_VARIANT])
    terms = set().union(*(v.vocabulary_ for v in base.vectorizers))
    assert not {"zwartjes", "kwakkelbank", "buurman zwartjes"} & terms


def test_purge_deletes_models_fitted_on_corrections(
    shipped: SkillModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trainer.scoring import loader

    monkeypatch.setenv("BUURTTRAINER_CACHE", str(tmp_path))
    folder = loader.models_dir()
    shipped.save(folder / "plain")
    learned = shipped.meta | {"corrections": 2}
    from dataclasses import replace

    replace(shipped, meta=learned).save(folder / "learned")
    assert loader.clear_correction_models() == 1
    assert sorted(p.name for p in folder.iterdir()) == ["plain.json", "plain.npz"]


def test_the_shipped_model_is_in_the_package() -> None:
    assert SHIPPED.with_suffix(".json").is_file() and SHIPPED.parent.parent.name == "scoring"
    assert "trainer" in SHIPPED.parts


# ---------------------------------------------------------------- pitfalls in content


def test_routes_may_name_pitfalls_and_check_knows_them(mini: Path, capsys) -> None:
    from tests.conftest import run_cli

    path = mini / "dialogues" / "henk-kennismaking.yaml"
    source = path.read_text(encoding="utf-8")
    source = source.replace(
        "        skills: [listening]\n", "        skills: [listening]\n        pitfalls: []\n", 1
    )
    source = source.replace("    routes:\n", "    routes:\n      - when: [advice, not takeover]\n"
                            "        feedback: Je geeft meteen advies.\n        next: knie\n", 1)  # fmt: skip
    path.write_text(source, encoding="utf-8")
    code, out, err = run_cli(capsys, "check", "--content", str(mini))
    assert code == 0, out + err
    path.write_text(source.replace("pitfalls: []", "pitfalls: [advise]"), encoding="utf-8")
    code, out, err = run_cli(capsys, "check", "--content", str(mini))
    assert code != 0 and "unknown-pitfall" in out + err and "advice" in out + err


def test_a_pitfall_routes_the_answer_and_the_feedback_names_it() -> None:
    from trainer.content.conditions import parse_clause
    from trainer.content.model import Node, Route
    from trainer.engine.records import FixedScorer, State
    from trainer.engine.step import pitfall_feedback, select_route

    node = Node(
        "n", "zeg",
        routes=(
            Route((parse_clause("advice"),), ("over advies",), "a"),
            Route((), ("anders",), "b"),
        ),
    )  # fmt: skip
    state = State("n", 50, 50)
    advice = FixedScorer(frozenset({"listening"}), "t", frozenset({"advice", "closed"})).assess("")
    index, route = select_route(node, advice, state, 1)
    assert index == 0
    lines = pitfall_feedback(route, advice)
    assert len(lines) == 1 and "gesloten vraag" in lines[0].lower()  # advice: the route's own
    index, route = select_route(node, FixedScorer(frozenset({"listening"})).assess(""), state, 1)
    assert index == 1 and pitfall_feedback(route, FixedScorer().assess("")) == ()


def test_every_shipped_choice_is_labelled_for_pitfalls() -> None:
    import yaml

    for path in sorted((ROOT / "dialogues").glob("*.yaml")):
        if path.name.endswith(".tests.yaml"):
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for node_id, node in data["nodes"].items():
            for choice in node.get("choices", []):
                assert "pitfalls" in choice, f"{path.name}: {node_id}: {choice['text'][:40]}"
