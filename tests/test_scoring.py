"""The classifier: features match scikit-learn, the score contract, explanations, the cache
(never a pickle), and free-text routing with the real model."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import MINI, ROOT, run_cli, run_process
from trainer.content.loader import load_content
from trainer.content.model import PITFALLS, SKILLS
from trainer.scoring.classifier import ModelFileError, SkillModel
from trainer.scoring.corpus import heldout_examples, training_examples
from trainer.scoring.features import char_wb_ngrams, stem_ngrams, stem_tokens, word_ngrams
from trainer.scoring.loader import cache_key, load_model
from trainer.scoring.pipeline import DEFAULT_VARIANT, VARIANTS, export


@pytest.fixture(scope="session", autouse=True)
def _shared_model_cache(tmp_path_factory: pytest.TempPathFactory):
    """One model cache for the whole session: the model is fitted once, then read back."""
    folder = tmp_path_factory.mktemp("cache")
    old = os.environ.get("BUURTTRAINER_CACHE")
    os.environ["BUURTTRAINER_CACHE"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("BUURTTRAINER_CACHE", None)
    else:
        os.environ["BUURTTRAINER_CACHE"] = old


@pytest.fixture(scope="module")
def model() -> SkillModel:
    return load_model(MINI)


@pytest.fixture(scope="module")
def examples():
    return training_examples(load_content(MINI))


def test_features_match_scikit_learn(examples) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from trainer.scoring.pipeline import _vectorizer

    variant = VARIANTS[DEFAULT_VARIANT]
    word = _vectorizer("word", variant).build_analyzer()
    char = _vectorizer("char", variant).build_analyzer()
    stem = _vectorizer("stem", variant).build_analyzer()
    texts = [e.text for e in examples] + ["Wat   fijn!!  Één   cafeé\tvoor u", "u", "ik"]
    for text in texts:
        assert Counter(word_ngrams(text)) == Counter(word(text)), text
        assert Counter(char_wb_ngrams(text)) == Counter(char(text)), text
        assert Counter(stem_ngrams(text)) == Counter(stem(text)), text
    assert isinstance(_vectorizer("word", variant), TfidfVectorizer)


def test_stems_read_chat_spelling_and_both_forms_of_address() -> None:
    """ "das lastig, hoe voel jij je" and "dat is lastig, hoe voelt u zich" share their stems
    where it matters: the pronoun and the spelled-out "dat is"."""
    assert stem_tokens("das lastig") == stem_tokens("dat is lastig")
    assert stem_tokens("hoe gaat t met jou") == stem_tokens("hoe gaat het met u")


def test_numpy_scoring_equals_predict_proba(examples) -> None:
    from trainer.scoring.combine import LABELS, logits
    from trainer.scoring.pipeline import combiner_inputs, fit_base

    variant = VARIANTS[DEFAULT_VARIANT]
    train = examples[: len(examples) * 2 // 3]
    probe = [e.text for e in examples[len(train) :]][:200]
    base = fit_base(train, variant)
    coef = np.ones((len(LABELS), 10)) * 0.1
    exported = export(
        base, coef, np.zeros(len(LABELS)), variant, dict.fromkeys(LABELS, 0.5), "t", 1
    )
    expected = base.probabilities(probe)
    ours = np.array([exported.base_probabilities(t) for t in probe])
    assert np.allclose(ours, expected, atol=1e-9)
    # The combiner's inputs, computed in batches for training, equal those of one answer.
    batch = combiner_inputs(base, probe[:40])
    from trainer.scoring.combine import features
    from trainer.scoring.services import names_service

    for text, rows in zip(probe[:40], batch, strict=True):
        whole, parts, _ = exported.evidence(text)
        assert np.allclose(features(whole, parts, names_service(text)), rows, atol=1e-6), text
    assert np.allclose(logits(expected[:1]), logits(ours[:1]))


def _score(*texts: str, explain: bool = False, stdin: str = "") -> list[dict]:
    args = ["score", "--content", str(MINI), *(["--explain"] if explain else []), *texts]
    result = run_process(*args, stdin=stdin)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_score_contract(model: SkillModel) -> None:
    records = _score("Hoe is dat nou voor u, zo alleen?", "Zullen we samen de huisarts bellen?")
    assert [r["text"] for r in records] == [
        "Hoe is dat nou voor u, zo alleen?", "Zullen we samen de huisarts bellen?",
    ]  # fmt: skip
    for record in records:
        assert set(record) == {"text", "scores", "labels", "services", "pitfalls", "pitfall_scores"}
        assert set(record["scores"]) == set(SKILLS)
        assert set(record["pitfall_scores"]) == set(PITFALLS)
        assert all(0.0 <= p <= 1.0 for p in record["scores"].values())
        assert all(0.0 <= p <= 1.0 for p in record["pitfall_scores"].values())
        expected = [s for s in SKILLS if record["scores"][s] >= model.thresholds[s]]
        assert record["labels"] == expected
        found = [p for p in PITFALLS if record["pitfall_scores"][p] >= model.thresholds[p]]
        assert record["pitfalls"] == found
    assert "listening" in records[0]["labels"]
    assert records[1]["labels"] == ["referral"]
    assert [r["services"] for r in records] == [[], ["huisarts"]]  # from the sociale kaart


def test_score_reads_stdin_one_answer_per_line() -> None:
    records = _score(stdin="Vertel gerust verder.\n\nWilt u de buurman leren klussen?\n")
    assert [r["text"] for r in records] == [
        "Vertel gerust verder.",
        "Wilt u de buurman leren klussen?",
    ]


def test_explanation_names_the_phrase_and_nothing_for_what_was_not_shown() -> None:
    (record,) = _score("Zullen we samen de huisarts bellen?", explain=True)
    explanation = record["explanation"]
    assert set(explanation) == set(SKILLS) | set(PITFALLS)
    phrases = [phrase for phrase, _ in explanation["referral"]["up"]]
    assert any("huisarts" in p for p in phrases), phrases
    assert all(delta > 0 for _, delta in explanation["referral"]["up"])
    for label in set(SKILLS) | set(PITFALLS):
        if label not in record["labels"] and label not in record["pitfalls"]:
            assert explanation[label] == {"up": [], "down": []}, label


def test_warm_cache_scores_without_scikit_learn(model: SkillModel) -> None:
    code = (
        "import sys; from pathlib import Path; from trainer.scoring.loader import load_model; "
        f"m = load_model(Path({str(MINI)!r})); m.assess('hoe gaat het?'); "
        "sys.exit(1 if 'sklearn' in sys.modules else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, "a cached model must load without importing scikit-learn"


def test_cache_never_unpickles(
    model: SkillModel, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import pickle

    def refuse(*args, **kwargs):
        raise AssertionError("pickle must never be used to load a model")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    assert load_model(MINI).version == model.version
    # An .npz holding Python objects (which would need pickle) is refused, not executed.
    stem = tmp_path / "evil"
    model.save(stem)
    np.savez(stem.with_suffix(".npz"), weights=np.array([object()], dtype=object))
    with pytest.raises(ModelFileError):
        SkillModel.load(stem)


def test_corrupt_cache_is_refitted(
    model: SkillModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUURTTRAINER_CACHE", str(tmp_path))
    key = cache_key(MINI, DEFAULT_VARIANT)
    stem = tmp_path / "models" / key
    stem.parent.mkdir(parents=True)
    stem.with_suffix(".json").write_text("{kapot", encoding="utf-8")
    refitted = load_model(MINI)
    assert refitted.version == model.version
    assert json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))["format"] == 2
    assert stem.with_suffix(".npz").stat().st_mode & 0o077 == 0


def test_cache_key_follows_the_training_data(mini: Path) -> None:
    before = cache_key(mini, DEFAULT_VARIANT)
    dialogue = mini / "dialogues" / "henk-kennismaking.yaml"
    dialogue.write_text(dialogue.read_text(encoding="utf-8") + "\n# ander\n", encoding="utf-8")
    assert cache_key(mini, DEFAULT_VARIANT) != before


def test_dialogue_choices_are_training_data(examples) -> None:
    texts = {e.text for e in examples}
    assert "Nee, ik ben van de buurtcoöperatie. Hoe gaat het met u?" in texts


def _words(text: str) -> frozenset[str]:
    return frozenset(re.sub(r"[^\w ]+", " ", text.lower()).split())


def test_heldout_is_not_in_training(examples) -> None:
    """Not even as a near copy (the same words but one, or in another order): a held-out
    answer whose twin was trained on measures memory, not recognition."""
    training = [_words(e.text) for e in examples]
    near = []
    for held in heldout_examples():
        words = _words(held.text)
        for other in training:
            if words == other or (
                len(words | other) >= 4 and len(words & other) / len(words | other) >= 0.8
            ):
                near.append(held.text)
                break
    assert near == []


def test_every_corpus_row_is_labelled_for_skills_and_pitfalls() -> None:
    """The pitfalls column is read like the skills: a typo in a label is a CorpusError with
    file:line, and every pitfall has examples enough to learn from."""
    from trainer.content.model import PITFALLS
    from trainer.scoring.corpus import read_csv, training_files

    rows = [e for path in training_files() for e in read_csv(path)]
    for pitfall in PITFALLS:
        assert sum(pitfall in e.pitfalls for e in rows) >= 100, pitfall
    assert sum(bool(e.labels) and bool(e.pitfalls) for e in rows) >= 100, "skill and pitfall"


def test_a_bad_pitfall_label_names_file_and_line(tmp_path: Path) -> None:
    from trainer.scoring.corpus import CorpusError, read_csv

    path = tmp_path / "c.csv"
    path.write_text(
        "text,labels,pitfalls,group,persona,kind\nU moet dat doen,none,advise,G1,,\n",
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match=r"c\.csv:2: unknown pitfalls \['advise'\]"):
        read_csv(path)


def test_free_text_play_routes_on_the_classifier(mini: Path) -> None:
    result = run_process(
        "play", "henk", "--content", str(mini),
        stdin="Hoe gaat het eigenlijk met u?\nU was timmerman; zou u een jonge buurman willen leren klussen?\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Einde: verbonden met een buur" in result.stdout
    session = json.loads(run_process("sessions", "--format", "json").stdout)[0]
    from trainer.store.database import Store, data_dir

    with Store(data_dir(None)) as store:
        turns = store.turns(session["id"])
    assert [t.route_condition for t in turns] == ["listening", "reciprocity"]
    assert turns[0].labels == ("listening",) and turns[0].scores["listening"] > 0.5
    assert turns[0].model.startswith("0.") and turns[0].mode == "free"


def test_score_text_via_cli_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "score", "--content", str(MINI), "Dat klinkt eenzaam.")
    assert code == 0 and json.loads(out)["labels"] == ["listening"]


def test_corpus_has_the_size_and_mix_the_classifier_needs() -> None:
    """Issue 3's floor for the labelled corpus (dialogue choices come on top)."""
    from trainer.scoring.corpus import read_csv, training_files

    rows = [e for path in training_files() for e in read_csv(path)]
    assert len(rows) >= 1500
    for skill in SKILLS:
        assert sum(skill in e.labels for e in rows) >= 300, skill
    assert sum(not e.labels for e in rows) >= 300
    assert sum(len(e.labels) >= 2 for e in rows) >= 150
    assert sum(e.kind == "hard_negative" for e in rows) >= 150
    personas = {e.persona for e in rows}
    assert {"", "lodewijk", "anna"} <= personas, "generic and persona-fitted answers"


def test_shipped_model_on_the_heldout_set() -> None:
    """The quality bar, measured on answers never trained or tuned on."""
    from trainer.scoring.evaluate import evaluate
    from trainer.scoring.pipeline import label_matrix

    heldout = heldout_examples()
    assert len(heldout) >= 300
    shipped = load_model(ROOT)
    predicted = np.array([[s in shipped.assess(e.text).labels for s in SKILLS] for e in heldout])
    result = evaluate("held-out", heldout, {"model": predicted.astype(int)})
    assert result.macro_f1("model") >= 0.90
    assert result.macro_f1("model") >= result.macro_f1("keywords") + 0.10
    for skill in SKILLS:
        assert result.systems["model"][skill].kappa >= 0.75, skill
    assert label_matrix(heldout).sum() > 0


def _one_correction(data: Path):
    """A store with one answer a trainer relabelled as referral; returns its corrections."""
    from tests.test_review_store import play
    from trainer.store.database import Store
    from trainer.store.reviews import correct, corrections

    with Store(data) as store:
        session = play(store, [0])
        correct(store, session, 1, "Tom", ["referral"])
        return corrections(store)


def test_trainer_corrections_are_part_of_training_and_of_the_cache_key(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trainer.scoring import loader, pipeline

    found = _one_correction(data_dir)
    assert cache_key(MINI, DEFAULT_VARIANT, found) != cache_key(MINI, DEFAULT_VARIANT)
    seen = []

    from types import SimpleNamespace

    fitted = SimpleNamespace(meta={})
    monkeypatch.setattr(pipeline, "train", lambda examples, *a: seen.extend(examples) or fitted)
    loader.fit_model(MINI, DEFAULT_VARIANT, "test", found)
    mine = [e for e in seen if e.source == "trainer"]
    assert [(e.text, e.labels, e.author) for e in mine] == [
        (found[0].answer, frozenset({"referral"}), "Tom")
    ]


def test_eval_reports_agreement_with_trainer_corrections(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _one_correction(data_dir)
    code, out, _ = run_cli(capsys, "eval", "--content", str(MINI), "--data-dir", str(data_dir))
    assert code == 0
    section = out.split("## agreement with trainer corrections (1 answers)")[1]
    # When played, the answer counted as listening; the trainer says referral only.
    played = [
        line
        for line in section.splitlines()
        if line.startswith("model when played") and "macro-F1" not in line
    ]
    assert [line.split()[3] for line in played] == ["listening", "reciprocity", "referral"]
    agree = [float(line.split()[-2]) for line in played]
    assert agree == [0.0, 1.0, 0.0]
