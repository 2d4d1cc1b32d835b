"""Referral to the right service: which named services fit the persona's needs.

Core logic shared by the engine (route conditions `fitting_service`, `wrong_service`,
`no_service`) and the debrief.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from trainer.content.model import Offer, Persona
from trainer.messages import text

if TYPE_CHECKING:
    from trainer.content.kaart import Kaart
    from trainer.engine.step import Turn

FITTING, WRONG, NONE = "fitting_service", "wrong_service", "no_service"
SERVICE_FACTS = (FITTING, WRONG, NONE)


def fitting_services(persona: Persona, need: str = "") -> frozenset[str]:
    """The services that fit the need at stake (a need id from the node), or any of the
    persona's needs where the node names none (kaart ids)."""
    return frozenset(s for n in persona.needs if not need or n.id == need for s in n.services)


def service_fact(named: tuple[str, ...], fitting: frozenset[str]) -> str:
    """fitting_service when a named service fits, wrong_service when services were named but
    none fits, no_service when the answer names none."""
    if any(s in fitting for s in named):
        return FITTING
    return WRONG if named else NONE


def judge(
    answer: str, persona: Persona, kaart: Kaart, need: str = ""
) -> tuple[tuple[str, ...], str]:
    """The services an answer names or describes, and whether they fit the need at stake (the
    node's `need`, else any of the persona's needs): what the engine routes on and the debrief
    judges."""
    from trainer.content.recognise import recognise

    named = recognise(answer, kaart)
    return named, service_fact(named, fitting_services(persona, need))


# Trust from which a persona counts as having opened up: a referral before it is premature
# (the rubric: "knowing when"; the dialogues use trust 50-60 for the moment it lands).
OPENED_UP = 50


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


def addressed_needs(persona: Persona, need: str, named: tuple[str, ...]) -> list[Offer]:
    """The needs a referral is about: the node's need at stake, else those a named service fits."""
    if need:
        return [n for n in persona.needs if n.id == need]
    return [n for n in persona.needs if set(named) & set(n.services)]


def is_over_referral(persona: Persona, need: str, named: tuple[str, ...], kaart: Kaart) -> bool:
    """A professional for something a neighbour could do: every need the referral is about
    can be met by a neighbour, and it names a professional service (or, at a node whose need
    is at stake, names none: the trainee reached for 'professional help' in general)."""
    needs = addressed_needs(persona, need, named)
    if not needs or not all(n.neighbour for n in needs):
        return False
    if not named:
        return bool(need)
    return any(kaart.services[s].professional for s in named if s in kaart)


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
