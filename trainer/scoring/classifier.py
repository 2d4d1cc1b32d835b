"""The fitted answer model as plain arrays, and scoring with numpy alone.

Two stages. The base model reads a piece of text: TF-IDF blocks (words, stems, characters)
and one calibrated linear model per label (the three skills and the five pitfalls). The
combiner (`trainer.scoring.combine`) reads what the base model says about the whole answer
and about each of its segments (`trainer.scoring.segments`) and gives the answer's
probabilities. Scoring reproduces scikit-learn's TF-IDF, linear models and sigmoid calibration
exactly; a test compares it with predict_proba.

A fitted model is JSON (settings, vocabularies, thresholds, the hash of the arrays) plus an
.npz of numbers loaded with `allow_pickle=False`: no pickle is ever read, so a model file
cannot run code, and a file that is truncated, has the wrong shapes, holds non-finite numbers
or does not match its hash is refused (`ModelFileError`), never used.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from trainer.content.model import PITFALLS, SKILLS
from trainer.engine.records import Assessment
from trainer.scoring.combine import FEATURES, LABELS, REFERRAL, combined, features, logits
from trainer.scoring.evidence import phrases
from trainer.scoring.features import counts
from trainer.scoring.segments import segments, without_ruled_out
from trainer.scoring.services import names_service

FORMAT = 2
ARRAYS = ("weights", "intercepts", "sigmoid_a", "sigmoid_b", "combiner_coef", "combiner_intercept")


class ModelFileError(ValueError):
    """A saved model that cannot be used (missing, corrupt, other format)."""


@dataclass
class SkillModel:
    """TF-IDF blocks, calibrated linear models per label (several folds each), the combiner
    and the thresholds."""

    analyzers: tuple[str, ...]
    word_ngrams: tuple[int, int]
    char_ngrams: tuple[int, int]
    vocabularies: list[dict[str, int]]  # per block: term -> column within the block
    idf: list[np.ndarray]  # per block
    weights: np.ndarray  # (features, k): one column per calibrated fold per label
    intercepts: np.ndarray  # (k,)
    sigmoid_a: np.ndarray  # (k,)
    sigmoid_b: np.ndarray  # (k,)
    columns: dict[str, list[int]]  # label -> its columns in weights
    combiner_coef: np.ndarray  # (labels, combiner features)
    combiner_intercept: np.ndarray  # (labels,)
    thresholds: dict[str, float]  # label -> cut-off on the combined probability
    version: str
    meta: dict[str, Any]

    # ---------------------------------------------------------------- the base model

    def _features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        cols: list[int] = []
        values: list[float] = []
        offset = 0
        for vocab, idf, counted in zip(
            self.vocabularies,
            self.idf,
            counts(text, self.analyzers, self.word_ngrams, self.char_ngrams),
            strict=True,
        ):
            block_cols, block_values = [], []
            for term, count in counted.items():
                col = vocab.get(term)
                if col is not None:
                    block_cols.append(col)
                    block_values.append((1.0 + math.log(count)) * idf[col])
            norm = math.sqrt(sum(v * v for v in block_values)) or 1.0
            cols.extend(offset + c for c in block_cols)
            values.extend(v / norm for v in block_values)
            offset += len(vocab)
        return np.asarray(cols, dtype=np.int64), np.asarray(values, dtype=np.float64)

    def base_probabilities(self, text: str) -> np.ndarray:
        """Per label (in LABELS order), the base model's calibrated probability for `text`
        read as one piece: the mean over the calibration folds, as scikit-learn does."""
        cols, values = self._features(text)
        decision = values @ self.weights[cols] + self.intercepts if len(cols) else self.intercepts
        calibrated = 1.0 / (1.0 + np.exp(self.sigmoid_a * decision + self.sigmoid_b))
        return np.array([calibrated[self.columns[label]].mean() for label in LABELS])

    def base_log_odds(self, text: str, label: int) -> float:
        """The base model's unclipped log-odds for one label (the mean over its folds): for
        explanations, where a confident answer must still show which words it rests on."""
        cols, values = self._features(text)
        which = self.columns[LABELS[label]]
        weights = self.weights[cols][:, which] if len(cols) else np.zeros((0, len(which)))
        decision = values @ weights + self.intercepts[which]
        return float(-(self.sigmoid_a[which] * decision + self.sigmoid_b[which]).mean())

    def base_evidence(self, text: str) -> np.ndarray:
        """The base model's log-odds per label (a scale that does not saturate near 0 or 1)."""
        return logits(self.base_probabilities(text))

    # ---------------------------------------------------------------- the answer

    def evidence(self, answer: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """The base evidence of the whole answer and of each segment, with the referral
        column read without dismissive clauses; and the segments' texts."""
        parts = segments(answer)
        whole = self.base_evidence(answer)
        kept = without_ruled_out(answer)
        if kept != answer:
            whole[REFERRAL] = self.base_evidence(kept)[REFERRAL] if kept.strip() else -10.0
        if len(parts) == 1 and parts[0].text == answer.strip():
            rows = whole[None, :].copy()
        else:
            rows = np.array([self.base_evidence(p.text) for p in parts])
            for i, part in enumerate(parts):
                if part.kept != part.text:
                    rows[i, REFERRAL] = (
                        self.base_evidence(part.kept)[REFERRAL] if part.kept.strip() else -10.0
                    )
        return whole, rows, [p.text for p in parts]

    def probabilities(self, text: str) -> dict[str, float]:
        """The combined probability of every label (skills and pitfalls) for one answer."""
        whole, rows, _ = self.evidence(text)
        result = combined(
            features(whole, rows, names_service(text)),
            self.combiner_coef,
            self.combiner_intercept,
        )
        return {label: float(p) for label, p in zip(LABELS, result, strict=True)}

    def labels_for(self, scores: dict[str, float]) -> frozenset[str]:
        """The skills shown, at the thresholds chosen by grouped CV."""
        return frozenset(s for s in SKILLS if scores[s] >= self.thresholds[s])

    def pitfalls_for(self, scores: dict[str, float]) -> frozenset[str]:
        return frozenset(p for p in PITFALLS if scores[p] >= self.thresholds[p])

    def assess(self, text: str) -> Assessment:
        scores = self.probabilities(text)
        return Assessment(
            {s: scores[s] for s in SKILLS},
            self.labels_for(scores),
            self.version,
            pitfall_scores={p: scores[p] for p in PITFALLS},
            pitfalls=self.pitfalls_for(scores),
        )

    def explain(self, text: str, scores: dict[str, float] | None = None) -> dict[str, dict]:
        """Per label that the answer shows, the phrases of the answer that carried it (see
        `trainer.scoring.evidence`); nothing for a label it does not show."""
        scores = scores if scores is not None else self.probabilities(text)
        shown = self.labels_for(scores) | self.pitfalls_for(scores)
        _, rows, texts = self.evidence(text)
        result: dict[str, dict] = {}
        for index, label in enumerate(LABELS):
            if label not in shown:
                result[label] = {"up": [], "down": []}
                continue
            carrier = texts[int(rows[:, index].argmax())] or text
            result[label] = {
                "up": phrases(carrier, partial(self.base_log_odds, label=index)),
                "down": [],
            }
        return result

    def assess_explained(self, text: str) -> Assessment:
        scores = self.probabilities(text)
        return Assessment(
            {s: scores[s] for s in SKILLS},
            self.labels_for(scores),
            self.version,
            self.explain(text, scores),
            pitfall_scores={p: scores[p] for p in PITFALLS},
            pitfalls=self.pitfalls_for(scores),
        )

    def explaining(self) -> ExplainingScorer:
        """This model as a scorer whose assessments carry their explanation."""
        return ExplainingScorer(self)

    # ---------------------------------------------------------------- files

    def _arrays(self) -> dict[str, np.ndarray]:
        return {
            "weights": self.weights,
            "intercepts": self.intercepts,
            "sigmoid_a": self.sigmoid_a,
            "sigmoid_b": self.sigmoid_b,
            "combiner_coef": self.combiner_coef,
            "combiner_intercept": self.combiner_intercept,
            **{f"idf{i}": idf for i, idf in enumerate(self.idf)},
        }

    def save(self, stem: Path, mode: int = 0o600) -> None:
        """Write `stem.npz` and then `stem.json` (which records the npz's hash) atomically,
        readable by the owner only unless `mode` says otherwise (the shipped model)."""
        stem.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        buffer = io.BytesIO()
        # allow_pickle spelled out: the arrays are all numeric, so nothing is pickled either
        # way (and `load` would refuse a pickle); named, it also keeps mypy from matching
        # **arrays against that keyword.
        np.savez(buffer, allow_pickle=False, **self._arrays())
        data = buffer.getvalue()
        meta = {
            "format": FORMAT,
            "version": self.version,
            "labels": list(LABELS),
            "combiner_features": list(FEATURES),
            "analyzers": list(self.analyzers),
            "word_ngrams": list(self.word_ngrams),
            "char_ngrams": list(self.char_ngrams),
            "vocabularies": [sorted(v, key=v.__getitem__) for v in self.vocabularies],
            "columns": self.columns,
            "thresholds": self.thresholds,
            "arrays_sha256": hashlib.sha256(data).hexdigest(),
            "meta": self.meta,
        }
        _atomic(stem.with_suffix(".npz"), lambda handle: handle.write(data), mode)
        _atomic(
            stem.with_suffix(".json"),
            lambda handle: handle.write(json.dumps(meta, ensure_ascii=False).encode()),
            mode,
        )

    @classmethod
    def load(cls, stem: Path) -> SkillModel:
        """Read a saved model, refusing anything that is not exactly what `save` wrote."""
        try:
            meta = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
            if not isinstance(meta, dict) or meta.get("format") != FORMAT:
                raise ModelFileError(f"format {meta.get('format')!r} != {FORMAT}")
            if meta.get("labels") != list(LABELS) or meta.get("combiner_features") != list(
                FEATURES
            ):
                raise ModelFileError("labels or combiner features of another version")
            data = stem.with_suffix(".npz").read_bytes()
            if hashlib.sha256(data).hexdigest() != meta.get("arrays_sha256"):
                raise ModelFileError("the arrays do not match their recorded hash")
            with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
                blocks = len(meta["vocabularies"])
                loaded = {name: np.asarray(arrays[name], dtype=np.float64) for name in ARRAYS}
                idf = [np.asarray(arrays[f"idf{i}"], dtype=np.float64) for i in range(blocks)]
            vocabularies = [{t: i for i, t in enumerate(v)} for v in meta["vocabularies"]]
            model = cls(
                analyzers=tuple(meta["analyzers"]),
                word_ngrams=_pair(meta["word_ngrams"]),
                char_ngrams=_pair(meta["char_ngrams"]),
                vocabularies=vocabularies,
                idf=idf,
                columns={str(k): [int(c) for c in v] for k, v in meta["columns"].items()},
                thresholds={str(k): float(v) for k, v in meta["thresholds"].items()},
                version=str(meta["version"]),
                meta=dict(meta.get("meta", {})),
                **loaded,
            )
        except ModelFileError:
            raise
        except Exception as exc:  # zip, OS, JSON, key or type trouble: all mean "unusable"
            raise ModelFileError(f"{type(exc).__name__}: {exc}") from exc
        model.validate()
        return model

    def validate(self) -> None:
        """Shapes that fit together, finite numbers, thresholds strictly between 0 and 1."""
        k = len(self.intercepts)
        n = sum(len(v) for v in self.vocabularies)
        problems = []
        if len(self.analyzers) != len(self.vocabularies) or len(self.idf) != len(self.vocabularies):
            problems.append("blocks")
        if any(len(idf) != len(v) for idf, v in zip(self.idf, self.vocabularies, strict=False)):
            problems.append("idf")
        if (
            self.weights.shape != (n, k)
            or self.sigmoid_a.shape != (k,)
            or self.sigmoid_b.shape != (k,)
        ):
            problems.append("weights")
        if self.combiner_coef.shape != (len(LABELS), len(FEATURES)):
            problems.append("combiner")
        if self.combiner_intercept.shape != (len(LABELS),):
            problems.append("combiner intercept")
        if set(self.columns) != set(LABELS) or any(
            not cols or min(cols) < 0 or max(cols) >= k for cols in self.columns.values()
        ):
            problems.append("columns")
        if set(self.thresholds) != set(LABELS) or not all(
            0.0 < t < 1.0 and math.isfinite(t) for t in self.thresholds.values()
        ):
            problems.append("thresholds")
        arrays = [*self._arrays().values()]
        if not all(np.isfinite(a).all() for a in arrays):
            problems.append("non-finite numbers")
        if problems:
            raise ModelFileError("unusable model: " + ", ".join(problems))


def _pair(value: Any) -> tuple[int, int]:
    low, high = value
    return int(low), int(high)


def _atomic(path: Path, write, mode: int = 0o600) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class ExplainingScorer:
    """A `Scorer` that explains every answer, for play where feedback names the words."""

    model: SkillModel

    @property
    def version(self) -> str:
        return self.model.version

    def assess(self, text: str) -> Assessment:
        return self.model.assess_explained(text)
