"""Training with scikit-learn: TF-IDF over words and char_wb n-grams, a calibrated linear model
per skill, and per-skill thresholds chosen on grouped cross-validation.

Only training and evaluation import scikit-learn; the result is exported to a `SkillModel`
that scores with numpy. Everything is deterministic: no shuffling, fixed solvers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from trainer.content.model import SKILLS
from trainer.scoring.classifier import SkillModel
from trainer.scoring.corpus import Example
from trainer.scoring.features import CHAR_NGRAMS, TOKEN_PATTERN, WORD_NGRAMS

CV_FOLDS = 5
CALIBRATION_FOLDS = 3
THRESHOLD_GRID = np.round(np.arange(0.20, 0.81, 0.01), 2)


@dataclass(frozen=True)
class Variant:
    """One well-founded configuration to compare by grouped CV."""

    name: str
    analyzers: tuple[str, ...] = ("word", "char")
    classifier: str = "logreg"  # "logreg" | "linsvc"
    C: float = 4.0
    word_ngrams: tuple[int, int] = WORD_NGRAMS
    char_ngrams: tuple[int, int] = CHAR_NGRAMS


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("word+char-logreg"),
        Variant("word+char-linsvc", classifier="linsvc", C=0.5),
        Variant("word-logreg", analyzers=("word",)),
        Variant("char-logreg", analyzers=("char",)),
    )
}
#: Kept by grouped CV (see docs/scoring.md for the comparison and `buurttrainer eval --variants`).
DEFAULT_VARIANT = "word+char-linsvc"  # macro-F1 0.926 vs 0.918 for word+char-logreg


def label_matrix(examples: Sequence[Example]) -> np.ndarray:
    return np.array([[s in e.labels for s in SKILLS] for e in examples], dtype=int)


def _vectorizer(analyzer: str, variant: Variant):
    from sklearn.feature_extraction.text import TfidfVectorizer

    if analyzer == "word":
        return TfidfVectorizer(
            analyzer="word", token_pattern=TOKEN_PATTERN, ngram_range=variant.word_ngrams,
            lowercase=True, strip_accents="unicode", sublinear_tf=True,
        )  # fmt: skip
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


def fit_sklearn(examples: Sequence[Example], variant: Variant):
    """The scikit-learn objects: fitted vectorizers and one CalibratedClassifierCV per skill."""
    from scipy.sparse import hstack
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import GroupKFold

    texts = [e.text for e in examples]
    groups = [e.group for e in examples]
    Y = label_matrix(examples)
    vectorizers = [_vectorizer(a, variant) for a in variant.analyzers]
    X = hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
    calibrated = {}
    for index, skill in enumerate(SKILLS):
        y = Y[:, index]
        # Calibration folds are grouped too, so paraphrases do not flatter the sigmoid fit.
        splits = list(GroupKFold(n_splits=CALIBRATION_FOLDS).split(X, y, groups))
        model = CalibratedClassifierCV(_classifier(variant), method="sigmoid", cv=splits)
        calibrated[skill] = model.fit(X, y)
    return vectorizers, calibrated


def export(
    vectorizers, calibrated, variant: Variant, thresholds: dict[str, float], version: str, n: int
) -> SkillModel:
    """Copy the fitted numbers into a SkillModel that scores with numpy alone."""
    weights: list[np.ndarray] = []
    intercepts: list[float] = []
    sig_a: list[float] = []
    sig_b: list[float] = []
    columns: dict[str, list[int]] = {}
    for skill in SKILLS:
        columns[skill] = []
        for part in calibrated[skill].calibrated_classifiers_:
            columns[skill].append(len(intercepts))
            weights.append(np.asarray(part.estimator.coef_).ravel())
            intercepts.append(float(np.asarray(part.estimator.intercept_).ravel()[0]))
            sig_a.append(float(part.calibrators[0].a_))
            sig_b.append(float(part.calibrators[0].b_))
    return SkillModel(
        analyzers=variant.analyzers,
        word_ngrams=variant.word_ngrams,
        char_ngrams=variant.char_ngrams,
        vocabularies=[{t: int(i) for t, i in v.vocabulary_.items()} for v in vectorizers],
        idf=[np.asarray(v.idf_, dtype=np.float64) for v in vectorizers],
        weights=np.column_stack(weights),
        intercepts=np.asarray(intercepts),
        sigmoid_a=np.asarray(sig_a),
        sigmoid_b=np.asarray(sig_b),
        columns=columns,
        thresholds=dict(thresholds),
        version=version,
        meta={"variant": variant.name, "examples": n},
    )


def fit_raw(
    examples: Sequence[Example], variant: Variant, thresholds: dict[str, float], version: str
) -> SkillModel:
    """Fit on `examples` and export, with the thresholds given."""
    vectorizers, calibrated = fit_sklearn(examples, variant)
    return export(vectorizers, calibrated, variant, thresholds, version, len(examples))


def grouped_folds(examples: Sequence[Example], n_splits: int = CV_FOLDS):
    from sklearn.model_selection import GroupKFold

    groups = [e.group for e in examples]
    return list(GroupKFold(n_splits=n_splits).split(np.zeros(len(examples)), groups=groups))


def out_of_fold(examples: Sequence[Example], variant: Variant) -> np.ndarray:
    """Probabilities for every example from a model that never saw its paraphrase family."""
    probs = np.zeros((len(examples), len(SKILLS)))
    half = dict.fromkeys(SKILLS, 0.5)
    for train, test in grouped_folds(examples):
        model = fit_raw([examples[i] for i in train], variant, half, "cv")
        for i in test:
            scores = model.probabilities(examples[i].text)
            probs[i] = [scores[s] for s in SKILLS]
    return probs


def best_thresholds(Y: np.ndarray, probs: np.ndarray) -> dict[str, float]:
    """Per skill, the cut-off that maximises F1 on out-of-fold probabilities."""
    from sklearn.metrics import f1_score

    result = {}
    for index, skill in enumerate(SKILLS):
        scores = [
            f1_score(Y[:, index], probs[:, index] >= t, zero_division=0) for t in THRESHOLD_GRID
        ]
        result[skill] = float(THRESHOLD_GRID[int(np.argmax(scores))])
    return result


def train(examples: Sequence[Example], variant_name: str, version: str) -> SkillModel:
    """The production model: thresholds from grouped CV, then a fit on all examples."""
    variant = VARIANTS[variant_name]
    thresholds = best_thresholds(label_matrix(examples), out_of_fold(examples, variant))
    model = fit_raw(examples, variant, thresholds, version)
    model.meta["thresholds_from"] = f"grouped {CV_FOLDS}-fold CV"
    return model
