"""The keyword baseline: a skill is shown when one of its typical words or phrases appears.

It is what a reasonable person would write in an afternoon, and the bar the classifier must
clear by a wide margin in `buurttrainer eval`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trainer.content.model import PITFALLS, SKILLS
from trainer.engine.records import Assessment

KEYWORDS: dict[str, tuple[str, ...]] = {
    "listening": (
        r"\bhoe (is|was|gaat|voelt|vindt|ervaart)\b",
        r"\bwat (vindt|vind|zou|betekent|maakt|denkt)\b",
        r"\bvoel",
        r"\bklinkt\b",
        r"\bals ik (u|je) goed\b",
        r"\bklopt dat\b",
        r"\bvertel",
        r"\bbegrijp ik\b",
        r"\bdus (u|je)\b",
        r"\bmoeilijk\b",
        r"\bzwaar\b",
        r"\beenzaam\b",
    ),
    "reciprocity": (
        r"\b(zou|wil|kan|kunt|wilt) (u|je) .*\b(helpen|bijdragen|meedoen|leren)\b",
        r"\bruil",
        r"\bsamen\b",
        r"\bbuurt(genoten|bewoners)?\b",
        r"\bvrijwillig",
        r"\bmeedoen\b",
        r"\b(goed in|talent|handig)\b",
        r"\bwat kunt (u|je)\b",
        r"\bteruggeven\b",
    ),
    "referral": (
        r"\bhuisarts",
        r"\bpoh\b",
        r"\bwijkteam",
        r"\bschuldhulp",
        r"\bbudget(coach|hulp)",
        r"\buwv\b",
        r"\bwmo\b",
        r"\bmaatschappelijk werk",
        r"\bmantelzorg(steunpunt|makelaar)",
        r"\bjuridisch loket",
        r"\bsociaal raadslid",
        r"\bthuiszorg",
        r"\bwijkverpleeg",
        r"\bveilig thuis",
        r"\bvoedselbank",
        r"\bouderenadviseur",
        r"\b112\b",
        r"\bgemeente\b",
        r"\bcasemanager",
        r"\btaalhuis",
        r"\bhulpverlen",
        r"\bprofessional",
    ),
}

#: The same afternoon's work for the pitfalls: the phrases a trainer would underline.
PITFALL_KEYWORDS: dict[str, tuple[str, ...]] = {
    "advice": (
        r"\b(je|u) moet\b", r"\bmoet (je|u)\b", r"\bzou ik\b", r"\bprobeer\b",
        r"\bga (eens|maar|gewoon)\b", r"\ber al aan gedacht\b", r"\bhet beste\b",
        r"\bweet (je|u) wat helpt\b",
    ),
    "takeover": (
        r"\bik regel\b", r"\bregel ik\b", r"\bik bel\b.*\bvoor (je|u)\b", r"\blaat (mij|maar aan mij)\b",
        r"\bik doe (het|dat)\b", r"\bgeef .* maar\b", r"\bzoek ik\b",
    ),
    "reassurance": (
        r"\bkomt (wel )?goed\b", r"\bvalt (best |wel )?mee\b", r"\bgeen zorgen\b",
        r"\biedereen heeft\b", r"\bzo erg is het\b", r"\bgaat vanzelf\b",
    ),
    "closed": (
        r"^(heeft|hebt|heb|bent|ben|is|woont|werkt|kent|ken|weet|gaat|doet|neemt|wilt|wil) (u|je|jij)\b[^?]*\?\s*$",
    ),
    "judging": (
        r"\bwaarom (heeft|hebt|heb|bent|ben|doe|doet)\b", r"\bzelf kunnen weten\b",
        r"\bhad (je|u)\b", r"\bmoet(en)? ook\b", r"\bverplicht\b", r"\bschande\b",
    ),
}  # fmt: skip

_COMPILED = {
    label: [re.compile(p) for p in pats] for label, pats in {**KEYWORDS, **PITFALL_KEYWORDS}.items()
}


@dataclass(frozen=True)
class KeywordScorer:
    """Score 1.0 for a skill when any of its patterns matches the lowercased answer."""

    version: str = "keywords-1"

    def assess(self, text: str) -> Assessment:
        lowered = text.lower()
        scores = {
            skill: 1.0 if any(p.search(lowered) for p in _COMPILED[skill]) else 0.0
            for skill in SKILLS
        }
        labels = frozenset(s for s, v in scores.items() if v >= 0.5)
        pitfall_scores = {
            p: 1.0 if any(x.search(lowered) for x in _COMPILED[p]) else 0.0 for p in PITFALLS
        }
        return Assessment(
            scores,
            labels,
            self.version,
            pitfall_scores=pitfall_scores,
            pitfalls=frozenset(p for p, v in pitfall_scores.items() if v >= 0.5),
        )
