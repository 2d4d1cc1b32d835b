"""Scoring: which skills a free-text answer shows.

`keywords` is the transparent baseline; the scikit-learn classifier (`classifier`, fitted by
`pipeline` from `corpus` and `features`, cached by `loader`, measured by `evaluate`) builds on
the same `Scorer` protocol (trainer.engine.records), so the engine and the UI never know which
one they use.

May import `trainer.engine` and `trainer.content`; never the store, sessions or anything
above, and never Textual.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trainer.scoring.classifier import SkillModel


def default_scorer(content_root: Path | None = None, corrections: Sequence = ()) -> SkillModel:
    """The classifier for this content and these trainer corrections (cached, or fitted from
    the corpus on first use)."""
    from trainer.content.loader import default_content_root
    from trainer.scoring.loader import load_model

    return load_model(content_root or default_content_root(), corrections=corrections)
