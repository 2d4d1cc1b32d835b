"""Debrief lines about referrals, from a session's turns: per answer that referred, whether it
went to a fitting service, too early, to the wrong one or to a professional where a neighbour
would do; then the needs no answer referred to. The debrief, the review screen and the reports
all say it with these lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from trainer.content.model import Offer, Persona
from trainer.engine.judging import (
    FITTING,
    OPENED_UP,
    WRONG,
    addressed_needs,
    is_over_referral,
    judge,
)
from trainer.messages import text

if TYPE_CHECKING:
    from trainer.content.kaart import Kaart
    from trainer.engine.records import Turn


@dataclass(frozen=True)
class ReferralNote:
    """One observation for the debrief: a turn's referral, or a service that was missed."""

    kind: str  # fitting | wrong | wrong_need | premature | over | unnamed | missed
    turn: int | None
    services: tuple[str, ...]
    need: str = ""  # the need at stake or missed, in a few words
    fitting: tuple[str, ...] = ()  # for "wrong" where a need was at stake: what would fit


def need_summary(need: Offer) -> str:
    """The need in a few words for a sentence: its text up to the first ';' or full stop
    (authors write the rest for themselves: what a neighbour could do, which help fits)."""
    head = need.text.split(";")[0].split(". ")[0].strip()
    return head.rstrip(".")


def referral_notes(turns: list[Turn], persona: Persona, kaart: Kaart | None) -> list[ReferralNote]:
    """What the debrief says about referring, per referral answer: before the persona opened
    up (premature), a professional for what a neighbour could do (over), a fitting service, a
    wrong one (with what would have fitted the need at stake), or none named. Then per need a
    professional is needed for, that no answer referred fittingly to and no note above
    explained yet: the services that would have fitted."""
    if kaart is None:
        return []
    notes: list[ReferralNote] = []
    served: set[str] = set()
    explained: set[str] = set()  # needs whose fitting services a note already named
    needs = {n.id: n for n in persona.needs}
    for turn in turns:
        # Only answers that refer: naming a service to wave it away ("die hebben toch
        # wachtlijsten") is not referring (the rubric), whatever the kaart recognises.
        if "referral" not in turn.labels:
            continue
        fact = turn.extra.get("service_fact")
        named = tuple(turn.extra.get("services", ()))
        if fact is None:  # played without the kaart (older or imported sessions): judge now
            named, fact = judge(turn.answer, persona, kaart)
        at_stake = needs.get(turn.extra.get("need", ""))
        about = need_summary(at_stake) if at_stake else ""
        if turn.state_before.trust < OPENED_UP:
            notes.append(ReferralNote("premature", turn.index, named))
        elif is_over_referral(persona, at_stake.id if at_stake else "", named, kaart):
            about = about or need_summary(addressed_needs(persona, "", named)[0])
            notes.append(ReferralNote("over", turn.index, named, about))
        elif fact == FITTING:
            notes.append(ReferralNote("fitting", turn.index, named))
            served.update(named)
        elif fact == WRONG and at_stake is not None:
            fitting = tuple(s for s in at_stake.services if s in kaart)
            notes.append(ReferralNote("wrong_need", turn.index, named, about, fitting))
            explained.add(at_stake.id)
            # Named at the wrong moment, but not missed: the UWV for Anna's income, named
            # while her bills were at stake.
            served.update(named)
        elif fact == WRONG:
            notes.append(ReferralNote("wrong", turn.index, named))
        else:
            notes.append(ReferralNote("unnamed", turn.index, named))
    for need in persona.needs:
        fitting = tuple(s for s in need.services if s in kaart)
        if (
            fitting
            and not need.neighbour
            and not served & set(fitting)
            and need.id not in explained
        ):
            notes.append(ReferralNote("missed", None, fitting, need_summary(need)))
    return notes


def referral_lines(
    turns: list[Turn], persona: Persona | None, kaart: Kaart | None
) -> list[tuple[str, str]]:
    """(kind, sentence) per referral note: the one wording the debrief, the review screen and
    the reports share. Empty without a persona or a kaart to judge by."""
    if persona is None or kaart is None:
        return []
    notes = referral_notes(turns, persona, kaart)
    name = persona.name
    return [
        (
            note.kind,
            text(
                f"app.debrief.referral.{note.kind}",
                turn=note.turn or "", services=kaart.names(note.services) or "-", name=name,
                need=note.need, fitting=kaart.names(note.fitting) or "-",
            ),
        )
        for note in notes
    ]  # fmt: skip
