"""Training with scikit-learn: the base model (TF-IDF over words, stems and char_wb n-grams,
a calibrated linear model per label), the combiner over the answer's segments, and per-label
thresholds chosen on grouped cross-validation.

Only training and evaluation import scikit-learn; the result is exported to a `SkillModel`
that scores with numpy. Everything is deterministic: no shuffling, fixed solvers.

Why two stages: the corpus labels whole answers, while the rubric reads them sentence by
sentence. The combiner learns, from answers the base model never saw (out-of-fold), how the
evidence of the whole and of the segments map onto the label of the whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from trainer.scoring.classifier import SkillModel
from trainer.scoring.combine import FLOOR, LABELS, REFERRAL, features, logits
from trainer.scoring.corpus import Example
from trainer.scoring.features import (
    CHAR_NGRAMS,
    TOKEN_PATTERN,
    WORD_NGRAMS,
    stem_ngrams,
)
from trainer.scoring.segments import segments, without_ruled_out
from trainer.scoring.services import names_service

CV_FOLDS = 5
CALIBRATION_FOLDS = 3
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)
COMBINER_C = 1.0


@dataclass(frozen=True)
class Variant:
    """One well-founded configuration to compare by grouped CV."""

    name: str
    analyzers: tuple[str, ...] = ("word", "stem", "char")
    classifier: str = "linsvc"  # "logreg" | "linsvc"
    C: float = 0.5
    word_ngrams: tuple[int, int] = WORD_NGRAMS
    char_ngrams: tuple[int, int] = CHAR_NGRAMS


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("word+stem+char-linsvc"),
        Variant("word+char-linsvc", analyzers=("word", "char")),
        Variant("word+stem+char-logreg", classifier="logreg", C=4.0),
        Variant("char-linsvc", analyzers=("char",)),
    )
}
#: Kept by grouped CV (see docs/scoring.md for the comparison and `buurttrainer eval --variants`).
DEFAULT_VARIANT = "word+stem+char-linsvc"


def label_matrix(examples: Sequence[Example], labels: Sequence[str] = LABELS) -> np.ndarray:
    """0/1 per example and label; skills and pitfalls both."""
    return np.array([[x in (e.labels | e.pitfalls) for x in labels] for e in examples], dtype=int)


def _vectorizer(analyzer: str, variant: Variant):
    from sklearn.feature_extraction.text import TfidfVectorizer

    if analyzer == "word":
        return TfidfVectorizer(
            analyzer="word", token_pattern=TOKEN_PATTERN, ngram_range=variant.word_ngrams,
            lowercase=True, strip_accents="unicode", sublinear_tf=True,
        )  # fmt: skip
    if analyzer == "stem":
        return TfidfVectorizer(analyzer=stem_ngrams, sublinear_tf=True)
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=variant.char_ngrams, lowercase=True,
        strip_accents="unicode", sublinear_tf=True, min_df=2,
    )  # fmt: skip


def _classifier(variant: Variant):
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    if variant.classifier == "linsvc":
        return LinearSVC(C=variant.C, class_weight="balanced", max_iter=5000, random_state=0)
    return LogisticRegression(
        C=variant.C, class_weight="balanced", solver="liblinear", max_iter=2000, random_state=0
    )


@dataclass
class Base:
    """The fitted scikit-learn base model: vectorizers and one calibrated model per label."""

    vectorizers: list
    calibrated: dict

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        from scipy.sparse import hstack

        X = hstack([v.transform(list(texts)) for v in self.vectorizers]).tocsr()
        return np.column_stack([self.calibrated[x].predict_proba(X)[:, 1] for x in LABELS])


def fit_base(examples: Sequence[Example], variant: Variant) -> Base:
    """Vectorizers and one CalibratedClassifierCV per label.

    The vocabularies come from the shipped corpus and the dialogues only, never from trainer
    corrections: a cached model then holds no n-gram of a real answer that the shipped corpus
    does not have, so deleting sessions (`purge`) leaves none behind in the cache.
    """
    from scipy.sparse import hstack
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import GroupKFold

    texts = [e.text for e in examples]
    groups = [e.group for e in examples]
    Y = label_matrix(examples)
    shipped = [e.text for e in examples if e.source != "trainer"] or texts
    vectorizers = [_vectorizer(a, variant).fit(shipped) for a in variant.analyzers]
    X = hstack([v.transform(texts) for v in vectorizers]).tocsr()
    calibrated = {}
    for index, label in enumerate(LABELS):
        y = Y[:, index]
        # Calibration folds are grouped too, so paraphrases do not flatter the sigmoid fit.
        splits = list(GroupKFold(n_splits=CALIBRATION_FOLDS).split(X, y, groups))
        model = CalibratedClassifierCV(_classifier(variant), method="sigmoid", cv=splits)
        calibrated[label] = model.fit(X, y)
    return Base(vectorizers, calibrated)


@dataclass
class _Plan:
    """Where one answer's pieces sit in the batch: the whole, the whole without dismissive
    clauses (-1: nothing left), each segment and each segment without them (None: same)."""

    whole: int
    kept: int | None = None
    parts: list[int] = field(default_factory=list)
    parts_kept: list[int | None] = field(default_factory=list)


def combiner_inputs(base: Base, texts: Sequence[str]) -> np.ndarray:
    """The combiner's features for each answer (answers x labels x features), computed in
    batches: the same numbers `SkillModel.probabilities` computes one answer at a time."""
    pieces: list[str] = []

    def add(piece: str) -> int:
        if not piece.strip():
            return -1
        pieces.append(piece)
        return len(pieces) - 1

    plans = []
    for text in texts:
        parts = segments(text)
        kept = without_ruled_out(text)
        plan = _Plan(whole=len(pieces))
        pieces.append(text)
        if kept != text:
            plan.kept = add(kept)
        single = len(parts) == 1 and parts[0].text == text.strip()
        for part in parts:
            plan.parts.append(plan.whole if single else len(pieces))
            if not single:
                pieces.append(part.text)
            plan.parts_kept.append(add(part.kept) if part.kept != part.text else None)
        plans.append(plan)
    evidence = logits(base.probabilities(pieces))

    def referral(at: int | None, default: float) -> float:
        return default if at is None else FLOOR if at < 0 else float(evidence[at][REFERRAL])

    result = []
    for text, plan in zip(texts, plans, strict=True):
        whole = evidence[plan.whole].copy()
        whole[REFERRAL] = referral(plan.kept, whole[REFERRAL])
        rows = evidence[plan.parts].copy()
        for i, at in enumerate(plan.parts_kept):
            rows[i, REFERRAL] = referral(at, rows[i, REFERRAL])
        result.append(features(whole, rows, names_service(text)))
    return np.array(result)


def grouped_folds(examples: Sequence[Example], n_splits: int = CV_FOLDS):
    from sklearn.model_selection import GroupKFold

    groups = [e.group for e in examples]
    return list(GroupKFold(n_splits=n_splits).split(np.zeros(len(examples)), groups=groups))


def out_of_fold_inputs(examples: Sequence[Example], variant: Variant) -> np.ndarray:
    """Combiner features for every example from a base model that never saw its family."""
    inputs = np.zeros((len(examples), len(LABELS), 1))
    for train, test in grouped_folds(examples):
        base = fit_base([examples[i] for i in train], variant)
        found = combiner_inputs(base, [examples[i].text for i in test])
        if inputs.shape[2] != found.shape[2]:
            inputs = np.zeros((len(examples), *found.shape[1:]))
        inputs[test] = found
    return inputs


def _combiner(X: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=COMBINER_C, class_weight="balanced", max_iter=2000).fit(X, y)


def fit_combiner(inputs: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per label, the combiner's weights and intercept."""
    coef = np.zeros(inputs.shape[1:])
    intercept = np.zeros(inputs.shape[1])
    for index in range(len(LABELS)):
        model = _combiner(inputs[:, index, :], Y[:, index])
        coef[index] = model.coef_.ravel()
        intercept[index] = float(model.intercept_[0])
    return coef, intercept


def out_of_fold(examples: Sequence[Example], inputs: np.ndarray) -> np.ndarray:
    """Combined probabilities for every example from a combiner that never saw its family
    (the base evidence in `inputs` is out-of-fold already)."""
    Y = label_matrix(examples)
    probs = np.zeros(Y.shape)
    for train, test in grouped_folds(examples):
        for index in range(len(LABELS)):
            model = _combiner(inputs[train, index, :], Y[train, index])
            probs[test, index] = model.predict_proba(inputs[test, index, :])[:, 1]
    return probs


def best_thresholds(Y: np.ndarray, probs: np.ndarray) -> dict[str, float]:
    """Per label, the cut-off that maximises F1 on out-of-fold probabilities."""
    from sklearn.metrics import f1_score

    result = {}
    for index, label in enumerate(LABELS):
        scores = [
            f1_score(Y[:, index], probs[:, index] >= t, zero_division=0) for t in THRESHOLD_GRID
        ]
        result[label] = float(THRESHOLD_GRID[int(np.argmax(scores))])
    return result


def export(
    base: Base,
    coef: np.ndarray,
    intercept: np.ndarray,
    variant: Variant,
    thresholds: dict[str, float],
    version: str,
    n: int,
) -> SkillModel:
    """Copy the fitted numbers into a SkillModel that scores with numpy alone."""
    weights: list[np.ndarray] = []
    intercepts: list[float] = []
    sig_a: list[float] = []
    sig_b: list[float] = []
    columns: dict[str, list[int]] = {}
    for label in LABELS:
        columns[label] = []
        for part in base.calibrated[label].calibrated_classifiers_:
            columns[label].append(len(intercepts))
            weights.append(np.asarray(part.estimator.coef_).ravel())
            intercepts.append(float(np.asarray(part.estimator.intercept_).ravel()[0]))
            sig_a.append(float(part.calibrators[0].a_))
            sig_b.append(float(part.calibrators[0].b_))
    return SkillModel(
        analyzers=variant.analyzers,
        word_ngrams=variant.word_ngrams,
        char_ngrams=variant.char_ngrams,
        vocabularies=[{t: int(i) for t, i in v.vocabulary_.items()} for v in base.vectorizers],
        idf=[np.asarray(v.idf_, dtype=np.float64) for v in base.vectorizers],
        weights=np.column_stack(weights),
        intercepts=np.asarray(intercepts),
        sigmoid_a=np.asarray(sig_a),
        sigmoid_b=np.asarray(sig_b),
        columns=columns,
        combiner_coef=coef,
        combiner_intercept=intercept,
        thresholds=dict(thresholds),
        version=version,
        meta={"variant": variant.name, "examples": n},
    )


@dataclass
class Trained:
    """The production model and the out-of-fold probabilities its thresholds came from."""

    model: SkillModel
    out_of_fold: np.ndarray


def train_with_evidence(examples: Sequence[Example], variant_name: str, version: str) -> Trained:
    """Thresholds and combiner from grouped CV, then the base model fitted on all examples."""
    variant = VARIANTS[variant_name]
    Y = label_matrix(examples)
    inputs = out_of_fold_inputs(examples, variant)
    probs = out_of_fold(examples, inputs)
    thresholds = best_thresholds(Y, probs)
    coef, intercept = fit_combiner(inputs, Y)
    model = export(
        fit_base(examples, variant), coef, intercept, variant, thresholds, version, len(examples)
    )
    model.meta["thresholds_from"] = f"grouped {CV_FOLDS}-fold CV"
    return Trained(model, probs)


def train(examples: Sequence[Example], variant_name: str, version: str) -> SkillModel:
    """The production model."""
    return train_with_evidence(examples, variant_name, version).model
