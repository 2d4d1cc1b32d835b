"""An answer cut into the sentences and clauses the rubric reads one by one.

The rubric combines sentences: a skill shown anywhere counts, a greeting or thanks around it
changes nothing, a later sentence that takes an offer back decides. A bag of words over the
whole answer cannot do that (a greeting in front of "Hoe is het met u?" dilutes the question),
so the classifier also scores every segment and combines them (`trainer.scoring.combine`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trainer.content.recognise import ruled_out, words

#: Sentence ends, line breaks, and the clause words that turn a sentence around ("..., maar
#: zo erg is het nou ook weer niet"): what follows them is read as a segment of its own.
_SPLIT = re.compile(r"(?<=[.!?;…])\s+|\n+|,?\s+(?=(?:maar|alleen|toch)\s)", re.IGNORECASE)


@dataclass(frozen=True)
class Segment:
    """One sentence or clause, and `kept`: its words without the clauses that name something
    only to rule it out ("het UWV is niks voor uw zaak"), which must not count as pointing the
    resident to it (the same rule as service recognition, `trainer.content.recognise`)."""

    text: str
    kept: str


def without_ruled_out(text: str) -> str:
    """The words of `text` outside its dismissive clauses."""
    out = ruled_out(text)
    if not out:
        return text
    return " ".join(w for i, w in enumerate(words(text)) if i not in out)


def segments(answer: str) -> list[Segment]:
    """The answer's segments in order; an answer without any text is one empty segment."""
    parts = [part.strip() for part in _SPLIT.split(answer) if part and part.strip()]
    return [Segment(part, without_ruled_out(part)) for part in parts] or [Segment("", "")]
