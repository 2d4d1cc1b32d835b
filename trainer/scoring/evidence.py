"""Evidence in the trainee's own words: the phrase of an answer that carried a label.

Occlusion, not coefficients: character n-grams have no readable names, but "without these
words the evidence drops" is plain to a trainee. Words whose removal lowers the evidence are
grouped into the phrases they form in the answer ("klinkt zwaar", "wat kunt u goed"), and a
phrase made only of function words ("de", "het", "bij", "zal ik") is never evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_WORD = re.compile(r"(?u)\b\w+\b")
#: A word must lower the evidence by this much (log-odds) to be part of a phrase.
MINIMUM = 0.25
PHRASES = 2

#: Articles, pronouns, prepositions, conjunctions, particles, auxiliaries and greetings: they
#: may sit inside a phrase, but a phrase needs at least one other word. Question words and
#: ordinary verbs are not here: "hoe gaat het" is evidence of an open question.
FUNCTION_WORDS = frozenset(
    [
        "de",
        "het",
        "een",
        "en",
        "of",
        "maar",
        "want",
        "dus",
        "dat",
        "die",
        "dit",
        "deze",
        "daar",
        "hier",
        "er",
        "ik",
        "je",
        "jij",
        "u",
        "uw",
        "jouw",
        "jou",
        "me",
        "mij",
        "mijn",
        "we",
        "wij",
        "ons",
        "onze",
        "ze",
        "zij",
        "hij",
        "hem",
        "haar",
        "hun",
        "hen",
        "zich",
        "zelf",
        "men",
        "iemand",
        "iets",
        "in",
        "op",
        "aan",
        "bij",
        "met",
        "voor",
        "van",
        "naar",
        "om",
        "te",
        "tot",
        "uit",
        "over",
        "door",
        "onder",
        "tegen",
        "tussen",
        "na",
        "sinds",
        "als",
        "dan",
        "ook",
        "nog",
        "wel",
        "niet",
        "geen",
        "al",
        "zo",
        "nu",
        "even",
        "eens",
        "toch",
        "hoor",
        "he",
        "hè",
        "ja",
        "nee",
        "oh",
        "o",
        "ach",
        "nou",
        "is",
        "zijn",
        "was",
        "waren",
        "ben",
        "bent",
        "heb",
        "hebt",
        "heeft",
        "hebben",
        "had",
        "hadden",
        "kan",
        "kun",
        "kunt",
        "kunnen",
        "kon",
        "zal",
        "zult",
        "zullen",
        "zou",
        "zouden",
        "wil",
        "wilt",
        "willen",
        "wou",
        "moet",
        "moeten",
        "mag",
        "mogen",
        "word",
        "wordt",
        "worden",
        "hallo",
        "hoi",
        "hey",
        "dag",
        "goedemiddag",
        "goedemorgen",
        "goedenavond",
        "doei",
        "groetjes",
    ]
)


def is_function_word(word: str) -> bool:
    return word.lower() in FUNCTION_WORDS


def phrases(text: str, evidence: Callable[[str], float]) -> list[list]:
    """The phrases of `text` that carry the evidence most, strongest first, each with how
    much the evidence drops without it: `[["klinkt zwaar", 2.1], ...]`."""
    tokens = list(_WORD.finditer(text))
    if not tokens:
        return []
    full = evidence(text)
    drops = [full - evidence(text[: t.start()] + " " + text[t.end() :]) for t in tokens]
    spans: list[tuple[int, int]] = []
    start = None
    for index, drop in enumerate([*drops, -1.0]):
        if drop >= MINIMUM and start is None:
            start = index
        elif drop < MINIMUM and start is not None:
            spans.append((start, index))
            start = None
    found: list[tuple[str, float]] = []
    for first, end in spans:
        words = [t.group(0) for t in tokens[first:end]]
        if all(is_function_word(w) for w in words):
            continue
        phrase = text[tokens[first].start() : tokens[end - 1].end()]
        found.append((phrase, round(sum(drops[first:end]), 3)))
    found.sort(key=lambda item: -item[1])
    return [[phrase, drop] for phrase, drop in found[:PHRASES]]
