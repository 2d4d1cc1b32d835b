"""Text features, written out so that scoring does not need scikit-learn at run time.

Training uses scikit-learn's TfidfVectorizer with exactly these settings; scoring uses the
functions below, which reproduce its analyzers (a test checks they agree on the whole corpus).
Importing scikit-learn costs over a second, which the `score` command cannot afford.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

#: Keep one-letter words: "u" carries the signal in "hoe is dat voor u?".
TOKEN_PATTERN = r"(?u)\b\w+\b"
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)

_TOKEN = re.compile(TOKEN_PATTERN)
_WHITE = re.compile(r"\s\s+")


def preprocess(text: str) -> str:
    """Lowercase and strip accents (sklearn's strip_accents='unicode')."""
    normalised = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in normalised if not unicodedata.combining(c))


def word_ngrams(text: str, ngrams: tuple[int, int] = WORD_NGRAMS) -> list[str]:
    tokens = _TOKEN.findall(preprocess(text))
    low, high = ngrams
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), high + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_wb_ngrams(text: str, ngrams: tuple[int, int] = CHAR_NGRAMS) -> list[str]:
    """Character n-grams inside word boundaries, padded with a space, as sklearn's char_wb."""
    low, high = ngrams
    grams = []
    for word in _WHITE.sub(" ", preprocess(text)).split():
        padded = f" {word} "
        length = len(padded)
        for n in range(low, high + 1):
            offset = 0
            grams.append(padded[offset : offset + n])
            while offset + n < length:
                offset += 1
                grams.append(padded[offset : offset + n])
            if offset == 0:
                break
    return grams


def counts(
    text: str, analyzers: tuple[str, ...], word: tuple[int, int], char: tuple[int, int]
) -> list[Counter[str]]:
    result = []
    for analyzer in analyzers:
        grams = word_ngrams(text, word) if analyzer == "word" else char_wb_ngrams(text, char)
        result.append(Counter(grams))
    return result
