"""The fitted skill model as plain arrays, and scoring with numpy alone.

A fitted model is exported to JSON (settings, vocabularies, thresholds) plus an .npz of numbers,
loaded with `allow_pickle=False`: no pickle is ever read, so a model file cannot run code.
Scoring reproduces TF-IDF (sublinear tf, l2 per block), the linear models and their sigmoid
calibration exactly; a test compares it with scikit-learn's own predict_proba.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from trainer.content.model import SKILLS
from trainer.engine.records import Assessment
from trainer.scoring.features import counts

FORMAT = 1
_WORD = re.compile(r"(?u)\b\w+\b")


class ModelFileError(ValueError):
    """A saved model that cannot be used (missing, corrupt, other format)."""


@dataclass
class SkillModel:
    """TF-IDF blocks, one calibrated linear model per skill (several folds each), thresholds."""

    analyzers: tuple[str, ...]
    word_ngrams: tuple[int, int]
    char_ngrams: tuple[int, int]
    vocabularies: list[dict[str, int]]  # per block: term -> column within the block
    idf: list[np.ndarray]  # per block
    weights: np.ndarray  # (features, k): one column per calibrated fold per skill
    intercepts: np.ndarray  # (k,)
    sigmoid_a: np.ndarray  # (k,)
    sigmoid_b: np.ndarray  # (k,)
    columns: dict[str, list[int]]  # skill -> its columns in weights
    thresholds: dict[str, float]
    version: str
    meta: dict[str, Any]

    # ---------------------------------------------------------------- scoring

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

    def _calibrated_logits(self, text: str) -> np.ndarray:
        """Per fitted (fold) classifier, the calibrated log-odds -(a*d + b)."""
        cols, values = self._features(text)
        decision = values @ self.weights[cols] + self.intercepts if len(cols) else self.intercepts
        return -(self.sigmoid_a * decision + self.sigmoid_b)

    def probabilities(self, text: str) -> dict[str, float]:
        calibrated = 1.0 / (1.0 + np.exp(-self._calibrated_logits(text)))
        return {s: float(calibrated[self.columns[s]].mean()) for s in SKILLS}

    def log_odds(self, text: str) -> dict[str, float]:
        """The evidence per skill on a scale that does not saturate near 0 or 1."""
        logits = self._calibrated_logits(text)
        return {s: float(logits[self.columns[s]].mean()) for s in SKILLS}

    def labels_for(self, scores: dict[str, float]) -> frozenset[str]:
        return frozenset(s for s in SKILLS if scores[s] >= self.thresholds[s])

    def assess(self, text: str) -> Assessment:
        scores = self.probabilities(text)
        return Assessment(scores, self.labels_for(scores), self.version)

    def explain(self, text: str, top: int = 5, minimum: float = 0.05) -> dict[str, dict[str, list]]:
        """Per skill, the words whose removal lowers (`up`) or raises (`down`) the evidence most.

        Occlusion rather than reading coefficients: character n-grams have no readable
        names, but "without this word the evidence drops" is plain to a trainee. Measured in
        log-odds, because a confident answer's probability sits at 1.0 whichever word is gone.
        """
        full = self.log_odds(text)
        words = list(dict.fromkeys(m.group(0) for m in _WORD.finditer(text)))
        effects: dict[str, list[tuple[str, float]]] = {s: [] for s in SKILLS}
        for word in words:
            without = re.sub(rf"(?u)\b{re.escape(word)}\b", " ", text)
            reduced = self.log_odds(without)
            for skill in SKILLS:
                effects[skill].append((word, round(full[skill] - reduced[skill], 3)))
        result = {}
        for skill in SKILLS:
            ranked = sorted(effects[skill], key=lambda item: -item[1])
            result[skill] = {
                "up": [[w, d] for w, d in ranked if d >= minimum][:top],
                "down": [[w, d] for w, d in reversed(ranked) if d <= -minimum][:top],
            }
        return result

    def assess_explained(self, text: str) -> Assessment:
        assessment = self.assess(text)
        return Assessment(
            assessment.scores, assessment.labels, assessment.model, self.explain(text)
        )

    def explaining(self) -> ExplainingScorer:
        """This model as a scorer whose assessments carry their explanation."""
        return ExplainingScorer(self)

    # ---------------------------------------------------------------- files

    def save(self, stem: Path) -> None:
        """Write `stem.json` and `stem.npz` atomically, readable by the owner only."""
        stem.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        meta = {
            "format": FORMAT,
            "version": self.version,
            "analyzers": list(self.analyzers),
            "word_ngrams": list(self.word_ngrams),
            "char_ngrams": list(self.char_ngrams),
            "vocabularies": [sorted(v, key=v.__getitem__) for v in self.vocabularies],
            "columns": self.columns,
            "thresholds": self.thresholds,
            "meta": self.meta,
        }
        arrays = {
            "weights": self.weights,
            "intercepts": self.intercepts,
            "sigmoid_a": self.sigmoid_a,
            "sigmoid_b": self.sigmoid_b,
            **{f"idf{i}": idf for i, idf in enumerate(self.idf)},
        }
        # allow_pickle spelled out: the arrays are all numeric, so nothing is pickled either
        # way (and `load` would refuse a pickle); named, it also keeps mypy from matching
        # **arrays against that keyword.
        _atomic(
            stem.with_suffix(".npz"),
            lambda handle: np.savez(handle, allow_pickle=False, **arrays),
        )
        _atomic(
            stem.with_suffix(".json"),
            lambda handle: handle.write(json.dumps(meta, ensure_ascii=False).encode()),
        )

    @classmethod
    def load(cls, stem: Path) -> SkillModel:
        try:
            meta = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT:
                raise ModelFileError(f"format {meta.get('format')} != {FORMAT}")
            with np.load(stem.with_suffix(".npz"), allow_pickle=False) as arrays:
                blocks = len(meta["vocabularies"])
                idf = [arrays[f"idf{i}"].astype(np.float64) for i in range(blocks)]
                weights = arrays["weights"].astype(np.float64)
                intercepts = arrays["intercepts"].astype(np.float64)
                sigmoid_a = arrays["sigmoid_a"].astype(np.float64)
                sigmoid_b = arrays["sigmoid_b"].astype(np.float64)
            vocabularies = [{t: i for i, t in enumerate(v)} for v in meta["vocabularies"]]
            if weights.shape[0] != sum(len(v) for v in vocabularies):
                raise ModelFileError("weights do not match the vocabularies")
            return cls(
                analyzers=tuple(meta["analyzers"]),
                word_ngrams=tuple(meta["word_ngrams"]),
                char_ngrams=tuple(meta["char_ngrams"]),
                vocabularies=vocabularies,
                idf=idf,
                weights=weights,
                intercepts=intercepts,
                sigmoid_a=sigmoid_a,
                sigmoid_b=sigmoid_b,
                columns={k: list(v) for k, v in meta["columns"].items()},
                thresholds={k: float(v) for k, v in meta["thresholds"].items()},
                version=str(meta["version"]),
                meta=dict(meta.get("meta", {})),
            )
        except ModelFileError:
            raise
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelFileError(str(exc)) from exc


def _atomic(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.chmod(tmp, 0o600)
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
