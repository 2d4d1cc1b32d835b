"""Evaluation: grouped cross-validation against a majority and a keyword baseline, plus the
independent held-out set, as per-skill precision, recall, F1 and Cohen's kappa."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from trainer.content.model import PITFALLS, SKILLS
from trainer.scoring.combine import LABELS
from trainer.scoring.corpus import Example


@dataclass(frozen=True)
class SkillMetrics:
    precision: float
    recall: float
    f1: float
    kappa: float
    support: int
    agreement: float = 0.0  # share of answers where system and truth say the same


@dataclass
class Evaluation:
    """Metrics per system ("model", "keywords", "majority") and per label, for one data set."""

    name: str
    examples: int
    systems: dict[str, dict[str, SkillMetrics]] = field(default_factory=dict)

    def macro_f1(self, system: str, labels: tuple[str, ...] = SKILLS) -> float:
        """Macro-F1 over the skills (or, with `labels=PITFALLS`, over the pitfalls)."""
        found = [self.systems[system][x].f1 for x in labels if x in self.systems[system]]
        return float(np.mean(found)) if found else 0.0


def metrics(truth: np.ndarray, predicted: np.ndarray) -> SkillMetrics:
    from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support

    p, r, f, _ = precision_recall_fscore_support(
        truth, predicted, average="binary", zero_division=0
    )
    kappa = cohen_kappa_score(truth, predicted) if len(set(truth) | set(predicted)) > 1 else 0.0
    agree = float(np.mean(truth == predicted)) if len(truth) else 0.0
    return SkillMetrics(float(p), float(r), float(f), float(kappa), int(truth.sum()), agree)


def evaluate(
    name: str,
    examples: Sequence[Example],
    predictions: dict[str, np.ndarray],
    majority_from: Sequence[Example] | None = None,
) -> Evaluation:
    """Score each system's 0/1 predictions (n x labels: skills, then pitfalls, or skills
    only) against the examples' labels."""
    from trainer.scoring.keywords import KeywordScorer
    from trainer.scoring.pipeline import label_matrix

    truth = label_matrix(examples)
    keyword = KeywordScorer()
    systems = dict(predictions)
    assessed = [keyword.assess(e.text) for e in examples]
    systems["keywords"] = np.array([[x in a.shown for x in LABELS] for a in assessed], dtype=int)
    reference = label_matrix(majority_from or examples)
    majority = (reference.mean(axis=0) > 0.5).astype(int)
    systems["majority"] = np.tile(majority, (len(examples), 1))
    result = Evaluation(name, len(examples))
    for system, predicted in systems.items():
        result.systems[system] = {
            label: metrics(truth[:, i], predicted[:, i])
            for i, label in enumerate(LABELS[: predicted.shape[1]])
        }
    return result


def table(evaluation: Evaluation, markdown: bool = False) -> str:
    """The evaluation as an aligned text table, or a Markdown table."""
    header = ["system", "label", "precision", "recall", "F1", "kappa", "agree", "n+"]
    rows = []
    for system, per_label in evaluation.systems.items():
        for label in LABELS:
            if label not in per_label:
                continue
            m = per_label[label]
            rows.append(
                [system, label, f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.f1:.3f}",
                 f"{m.kappa:.3f}", f"{m.agreement:.3f}", str(m.support)]
            )  # fmt: skip
        rows.append(
            [system, "macro-F1 skills", "", "", f"{evaluation.macro_f1(system):.3f}", "", "", ""]
        )
        if PITFALLS[0] in per_label:
            pitfalls = f"{evaluation.macro_f1(system, PITFALLS):.3f}"
            rows.append([system, "macro-F1 pitfalls", "", "", pitfalls, "", "", ""])
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    )
