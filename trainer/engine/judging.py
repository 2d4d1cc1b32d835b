"""Judging a referral: which services an answer names and whether they fit the need at stake.

Below the engine step (it sets the route conditions `fitting_service`, `wrong_service` and
`no_service` from it) and below the debrief (sessions/debrief.py words the verdicts); it reads
only the content model and the sociale kaart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trainer.content.model import Offer, Persona

if TYPE_CHECKING:
    from trainer.content.kaart import Kaart

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
