"""Which services of the sociale kaart an answer names or describes.

Transparent rules, so an author can see why a service was (not) found and fix it in the kaart:
- a name, alias or listed misspelling, as a sequence of words (accents and case ignored);
  a one-word name of 5+ letters also matches as the start of a longer word ("huisartsen",
  "schuldhulpverlener");
- a one-word name of 6+ letters also matches a word one edit away (two for 10+ letters):
  a letter missing, extra, wrong or two letters swapped. Short abbreviations (POH, UWV, Wmo)
  only match exactly, or they would match ordinary words;
- a `describes` word set: every word occurs as the start of some word in the answer.

A service named to rule it out is not named as help: in a clause (split at punctuation and at
"maar") that dismisses it ("het UWV is niks voor uw zaak", "de schuldhulp heeft toch een
wachtlijst", "naar de huisarts hoeft u niet"), the service does not count. Recognition and
the referral judge (trainer.engine.judging) both go through `recognise`, so they agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from trainer.content.kaart import Kaart, Service

PREFIX_MIN = 5
FUZZY_MIN = 6
FUZZY_TWO = 10


@lru_cache(maxsize=4096)
def _name_words(value: str) -> tuple[str, ...]:
    """`words` of a kaart name, cached: the kaart's names are matched against every answer."""
    return tuple(words(value))


def words(value: str) -> list[str]:
    """Lowercase words without accents: 'Coöperatie, POH-GGZ!' -> ['cooperatie', 'poh', 'ggz']."""
    plain = unicodedata.normalize("NFKD", value.lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", plain)


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (Damerau-Levenshtein without re-edits), capped."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _word_matches(name: str, word: str, fuzzy: bool = True) -> bool:
    if word == name:
        return True
    if len(name) >= PREFIX_MIN and word.startswith(name):
        return True
    if not fuzzy:
        return False
    # A typo rarely hits the first letter, and checking that first keeps recognition fast.
    if len(name) >= FUZZY_MIN and word[:1] == name[:1]:
        limit = 2 if len(name) >= FUZZY_TWO else 1
        # also the fuzzy start of a longer word: "schuldhulpverleenig" ~ "schuldhulpverlening"
        return (
            _distance(name, word[: len(name)], limit) <= limit
            or _distance(name, word, limit) <= limit
        )
    return False


@dataclass(frozen=True)
class Found:
    """A service found in an answer, and how: for explanations and for tests."""

    service: str
    how: str  # "name" | "description"
    evidence: str
    position: int
    end: int = 0  # the word after the match, for names


def _starts(answer: list[str]) -> dict[str, list[int]]:
    """Positions of the answer's words by first letter. Every way a name can match (exactly,
    as a prefix, with a typo, as a compound) keeps the first letter, so only these positions
    need a look: the kaart has hundreds of names and an answer dozens of words."""
    index: dict[str, list[int]] = {}
    for position, word in enumerate(answer):
        index.setdefault(word[:1], []).append(position)
    return index


def _by_name(
    service: Service, answer: list[str], starts: dict[str, list[int]] | None = None
) -> Found | None:
    starts = _starts(answer) if starts is None else starts
    # A listed misspelling is already a typo: matching it loosely again strays into ordinary
    # words ("luisterljn" is two edits from "luisteren").
    spelled = [(n, True) for n in (service.name, *service.aliases)]
    for name, fuzzy in [*spelled, *((n, False) for n in service.misspellings)]:
        target = _name_words(name)
        if not target:
            continue
        candidates = starts.get(target[0][:1], ())
        if len(target) == 1:
            for position in candidates:
                if _word_matches(target[0], answer[position], fuzzy):
                    return Found(service.id, "name", name, position, position + 1)
            # a compound typed as two words: "mantelzorg steunpunt", "ondernemers klankbord"
            if len(target[0]) >= 2 * PREFIX_MIN:
                for position in candidates:
                    if position + 1 < len(answer) and _word_matches(
                        target[0], answer[position] + answer[position + 1], fuzzy
                    ):
                        return Found(service.id, "name", name, position, position + 2)
            continue
        for position in candidates:
            window = answer[position : position + len(target)]
            if len(window) == len(target) and all(
                _word_matches(t, w, fuzzy) if len(t) >= PREFIX_MIN else t == w
                for t, w in zip(target, window, strict=True)
            ):
                return Found(service.id, "name", name, position, position + len(target))
        # written as one word: "poh ggz" typed as "pohggz", "schuld hulp" as "schuldhulp"
        joined = "".join(target)
        for position in candidates:
            if len(joined) >= PREFIX_MIN and _word_matches(joined, answer[position], fuzzy):
                return Found(service.id, "name", name, position, position + 1)
    return None


def _longest_wins(hits: list[Found]) -> list[Found]:
    """Where two services are named by the same words ("huisartsenpost" also starts with
    "huisarts"), the longer name is the one meant."""

    def size(hit: Found) -> int:
        return len("".join(_name_words(hit.evidence)))

    def shadowed(hit: Found) -> bool:
        return hit.how == "name" and any(
            other.how == "name"
            and other.service != hit.service
            and other.position <= hit.position
            and hit.end <= other.end
            and size(other) > size(hit)
            for other in hits
        )

    return [hit for hit in hits if not shadowed(hit)]


def _by_description(service: Service, answer: list[str]) -> Found | None:
    for wanted in service.describes:
        positions = []
        for word in wanted:
            hit = next((i for i, w in enumerate(answer) if w.startswith(word)), None)
            if hit is None:
                break
            positions.append(hit)
        else:
            if positions:
                return Found(service.id, "description", " + ".join(wanted), min(positions))
    return None


#: Word sequences that dismiss what their clause names: it is no help, not needed, full.
DISMISSIVE = tuple(
    tuple(phrase.split())
    for phrase in (
        "niks voor", "niets voor", "niks aan", "niets aan", "geen zin", "geen nut",
        "helpt niet", "helpen niet", "hoeft niet", "hoef je niet", "hoeft u niet",
        "hoeven niet", "niet nodig", "zinloos", "onzin", "kun je vergeten", "kunt u vergeten",
        "kan je vergeten", "zit vol", "zitten vol", "zijn vol", "zit toch vol", "zitten toch vol",
        "werkt niet", "doen niks", "doen niets", "kunnen niks", "kunnen niets",
    )
)  # fmt: skip
#: A waiting list dismisses the service too, unless the clause says there is none.
WAITING = ("wachtlijst", "wachtlijsten", "wachttijd", "wachttijden")
NEGATIONS = ("niet", "geen", "zonder")


def _clauses(answer: str) -> list[list[str]]:
    """The answer's words, clause by clause: split at sentence and clause punctuation and at
    'maar' (which turns a sentence around)."""
    parts = re.split(r"[.?!;,:()\n]+|\bmaar\b", answer, flags=re.IGNORECASE)
    return [words(part) for part in parts]


def _dismisses(clause: list[str]) -> bool:
    for phrase in DISMISSIVE:
        n = len(phrase)
        if any(tuple(clause[i : i + n]) == phrase for i in range(len(clause) - n + 1)):
            return True
    for i, word in enumerate(clause):
        if word in WAITING and not any(w in NEGATIONS for w in clause[:i]):
            return True
    return False


#: A dismissing clause that starts with one of these points back at the clause before it:
#: "ach, het wijkteam, daar heb je niks aan".
BACK = ("daar", "die", "dat", "ze", "zij", "hij", "daarmee", "daarvan")


def ruled_out(answer: str) -> set[int]:
    """Positions (in `words(answer)`) of the words in clauses that dismiss what they name."""
    positions: set[int] = set()
    start = 0
    previous: range | None = None
    for clause in _clauses(answer):
        here = range(start, start + len(clause))
        if _dismisses(clause):
            positions.update(here)
            if previous is not None and clause and clause[0] in BACK:
                positions.update(previous)
        if clause:
            previous = here
        start += len(clause)
    return positions


def find(answer: str, kaart: Kaart, *, dismissed: bool = False) -> list[Found]:
    """Every service the answer names or describes, in the order they come up; a service
    named only to rule it out is left out (with `dismissed`, only those are returned)."""
    tokens = words(answer)
    out = ruled_out(answer)
    starts = _starts(tokens)
    found = []
    for service in kaart.services.values():
        hit = _by_name(service, tokens, starts) or _by_description(service, tokens)
        if hit is not None and (hit.position in out) == dismissed:
            found.append(hit)
    return sorted(_longest_wins(found), key=lambda f: (f.position, f.service))


def recognise(answer: str, kaart: Kaart) -> tuple[str, ...]:
    """The ids of the services the answer names or describes, in order of appearance."""
    return tuple(f.service for f in find(answer, kaart))
