"""Route conditions: a tiny, checkable language instead of free Python expressions.

A condition is a list of clauses that must all hold. Keeping clauses atomic (one skill, one state
variable or one flag each) means `check` can name the exact unknown word, the graph can print
them, and the explorer can construct scores that satisfy or violate each clause.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

SKILL_NAMES = ("listening", "reciprocity", "referral")
#: The pitfalls of the rubric: `advice`, `not takeover`, ... hold when the answer shows them.
PITFALL_NAMES = ("advice", "takeover", "reassurance", "closed", "judging")
STATE_NAMES = ("trust", "mood", "turn")
# Which service of the sociale kaart the answer named, judged against the persona's needs
# (see trainer/engine/judging.py); the engine adds the one that holds to the flags while routing.
SERVICE_NAMES = ("fitting_service", "wrong_service", "no_service")

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}

_CLAUSE = re.compile(
    r"^\s*(?P<neg>not\s+)?(?P<name>[a-z][a-z0-9_]*)\s*"
    r"(?:(?P<op>>=|<=|==|!=|>|<)\s*(?P<value>-?\d+(?:\.\d+)?))?\s*$"
)


class ConditionError(ValueError):
    """The clause text cannot be parsed; `check` reports it as bad-condition."""


@dataclass(frozen=True)
class Clause:
    """One condition: a skill shown, a score, trust/mood/turn compared, or a flag set."""

    kind: str  # "skill" | "pitfall" | "score" | "state" | "flag" | "service"
    name: str
    source: str
    negate: bool = False
    op: str = ""
    value: float = 0.0

    def holds(
        self,
        labels: frozenset[str],
        scores: Mapping[str, float],
        state: Mapping[str, float],
        flags: frozenset[str],
    ) -> bool:
        if self.kind in ("skill", "pitfall"):
            result = self.name in labels  # the skills and the pitfalls the answer shows
        elif self.kind == "score":
            result = OPERATORS[self.op](scores.get(self.name, 0.0), self.value)
        elif self.kind == "state":
            result = OPERATORS[self.op](state[self.name], self.value)
        else:
            result = self.name in flags
        return result != self.negate


def parse_clause(source: str) -> Clause:
    """Parse one clause such as 'listening', 'not referral', 'trust >= 40' or 'zoon_verteld'."""
    match = _CLAUSE.match(source)
    if not match:
        raise ConditionError(source)
    name, op, value = match["name"], match["op"], match["value"]
    negate = bool(match["neg"])
    if name == "not":
        raise ConditionError(source)
    if op:
        if negate:
            raise ConditionError(source)
        if name in SKILL_NAMES or name in PITFALL_NAMES:
            return Clause("score", name, source.strip(), op=op, value=float(value))
        if name in STATE_NAMES:
            return Clause("state", name, source.strip(), op=op, value=float(value))
        # A comparison on anything else is an unknown variable; the checker reports it.
        return Clause("state", name, source.strip(), op=op, value=float(value))
    if name in STATE_NAMES:
        raise ConditionError(source)
    if name in SERVICE_NAMES:
        return Clause("service", name, source.strip(), negate=negate)
    kind = "skill" if name in SKILL_NAMES else "pitfall" if name in PITFALL_NAMES else "flag"
    return Clause(kind, name, source.strip(), negate=negate)
