"""What a trainee's sessions add up to: the debrief figures and progress over time.

Core logic, no UI: the debrief screen, the persona picker ("my best result") and the reports
read their numbers from here, so they always agree. Progress over time reads the per-session
skill counts the store keeps (trainer.sessions.cohort.trainee_trends).
"""

from __future__ import annotations

from dataclasses import dataclass

from trainer.content.model import SKILLS
from trainer.engine.records import Turn
from trainer.store.database import SessionSummary, Store

# Best first: finding help from a neighbour is the buurtcoöperatie's aim, a warm referral next;
# an open ending beats doing it for them, and a closed door is the weakest result.
OUTCOME_RANK = ("connected", "referred", "open", "taken_over", "closed")


@dataclass(frozen=True)
class SkillResult:
    """How often one skill showed in a session's answers."""

    skill: str
    shown: int
    answers: int

    @property
    def share(self) -> float:
        return self.shown / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class RatedTurn:
    """A turn with the weight the dialogue gave it (how much trust and mood it moved)."""

    turn: Turn
    weight: int

    @classmethod
    def of(cls, turn: Turn) -> RatedTurn:
        trust = turn.state_after.trust - turn.state_before.trust
        mood = turn.state_after.mood - turn.state_before.mood
        return cls(turn, 2 * trust + mood)


@dataclass(frozen=True)
class SessionResult:
    """The debrief's figures for one session."""

    summary: SessionSummary
    skills: tuple[SkillResult, ...]
    best: tuple[RatedTurn, ...]
    weakest: tuple[RatedTurn, ...]

    def share(self, skill: str) -> float:
        return next(r.share for r in self.skills if r.skill == skill)


def skill_results(turns: list[Turn]) -> tuple[SkillResult, ...]:
    return tuple(SkillResult(s, sum(s in t.labels for t in turns), len(turns)) for s in SKILLS)


def best_and_weakest(turns: list[Turn], count: int = 3) -> tuple[tuple[RatedTurn, ...], ...]:
    """The answers that helped most and least, judged by the dialogue's own effects.

    The rubric leaves "was this the right move now" to the dialogue, and the dialogue expresses
    that as trust and mood effects; skills shown break ties. With few turns the two lists are
    split so no answer appears in both.
    """
    rated = sorted(
        (RatedTurn.of(t) for t in turns),
        key=lambda r: (-r.weight, -len(r.turn.labels), r.turn.index),
    )
    count = min(count, (len(rated) + 1) // 2)
    best = tuple(rated[:count])
    rest = rated[count:]
    weakest = tuple(reversed(rest[-count:])) if rest else ()
    return best, weakest


def session_result(store: Store, session: str) -> SessionResult:
    turns = store.turns(session)
    best, weakest = best_and_weakest(turns)
    return SessionResult(store.summary(session), skill_results(turns), best, weakest)


def outcome_rank(outcome: str | None) -> int:
    return OUTCOME_RANK.index(outcome) if outcome in OUTCOME_RANK else len(OUTCOME_RANK)


def best_outcomes(store: Store, trainee: str) -> dict[str, str]:
    """Per persona, the best ending this trainee has reached (finished sessions only)."""
    best: dict[str, str] = {}
    for row in store.list_sessions(trainee=trainee):
        if row.outcome and outcome_rank(row.outcome) < outcome_rank(best.get(row.persona)):
            best[row.persona] = row.outcome
    return best
