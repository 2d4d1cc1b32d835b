"""Scoring: which skills a free-text answer shows.

`keywords` is the transparent baseline; the scikit-learn classifier builds on the same
`Scorer` protocol (trainer.engine), so the engine and the UI never know which one they use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trainer.engine import Scorer


def default_scorer() -> Scorer:
    """The scorer that free-text play uses."""
    from trainer.scoring.keywords import KeywordScorer

    return KeywordScorer()
