"""How the evidence of an answer's segments combines into one score per label, by the rubric.

For each label the combiner sees a few numbers about the answer (`FEATURES`): the evidence of
the whole answer, of its strongest segment and of its last, whether it has several segments,
the pitfalls shown after the strongest segment (a later "ik regel het wel" takes an offer back)
and whether it names a professional service of the sociale kaart. A logistic regression per
label, fitted on out-of-fold evidence (`trainer.scoring.pipeline`), weighs them: the weights,
not hand-written rules, decide how much a greeting dilutes or a later sentence takes back.
"""

from __future__ import annotations

import numpy as np

from trainer.content.model import PITFALLS, SKILLS

LABELS: tuple[str, ...] = SKILLS + PITFALLS
#: Evidence is in log-odds, clipped: beyond +-10 a probability says nothing more, and an absent
#: segment ("no later sentence") is this floor.
FLOOR = -10.0
FEATURES: tuple[str, ...] = (
    "whole", "strongest", "last", "several", *(f"later_{p}" for p in PITFALLS), "service",
)  # fmt: skip
_PITFALL_COLUMNS = [LABELS.index(p) for p in PITFALLS]
REFERRAL = LABELS.index("referral")


def logits(probabilities: np.ndarray) -> np.ndarray:
    """Probabilities to clipped log-odds."""
    p = np.clip(probabilities, 1e-6, 1 - 1e-6)
    return np.clip(np.log(p / (1 - p)), FLOOR, -FLOOR)


def features(whole: np.ndarray, parts: np.ndarray, service: bool) -> np.ndarray:
    """The combiner's input, one row per label.

    `whole` is the evidence (log-odds per label) of the whole answer, `parts` that of each
    segment in order (segments x labels); in both the referral column is already the evidence
    without dismissive clauses.
    """
    strongest = parts.argmax(axis=0)
    several = float(len(parts) > 1)
    rows = np.empty((len(LABELS), len(FEATURES)))
    for label in range(len(LABELS)):
        after = parts[strongest[label] + 1 :]
        later = (
            after[:, _PITFALL_COLUMNS].max(axis=0) if len(after) else np.full(len(PITFALLS), FLOOR)
        )
        rows[label, :4] = (whole[label], parts[strongest[label], label], parts[-1, label], several)
        rows[label, 4 : 4 + len(PITFALLS)] = later
        rows[label, -1] = float(service)
    return rows


def combined(rows: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """Per label, the combiner's probability."""
    z = np.einsum("lf,lf->l", rows, coef) + intercept
    return 1.0 / (1.0 + np.exp(-z))
