"""Referral to the right service: which named services fit the persona's needs.

Core logic shared by the engine (route conditions `fitting_service`, `wrong_service`,
`no_service`) and the debrief.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from trainer.model import Persona

if TYPE_CHECKING:
    from trainer.engine import Turn
    from trainer.kaart import Kaart

FITTING, WRONG, NONE = "fitting_service", "wrong_service", "no_service"
SERVICE_FACTS = (FITTING, WRONG, NONE)


def fitting_services(persona: Persona) -> frozenset[str]:
    """The services that fit any of the persona's needs (kaart ids)."""
    return frozenset(s for need in persona.needs for s in need.services)


def service_fact(named: tuple[str, ...], fitting: frozenset[str]) -> str:
    """fitting_service when a named service fits, wrong_service when services were named but
    none fits, no_service when the answer names none."""
    if any(s in fitting for s in named):
        return FITTING
    return WRONG if named else NONE


# Trust from which a persona counts as having opened up: a referral before it is premature
# (the rubric: "knowing when"; the dialogues use trust 50-60 for the moment it lands).
OPENED_UP = 50


@dataclass(frozen=True)
class ReferralNote:
    """One observation for the debrief: a turn's referral, or a service that was missed."""

    kind: str  # "fitting" | "wrong" | "premature" | "unnamed" | "missed"
    turn: int | None
    services: tuple[str, ...]
    need: str = ""  # for "missed": the need's text


def referral_notes(turns: list[Turn], persona: Persona, kaart: Kaart | None) -> list[ReferralNote]:
    """What the debrief says about referring: per referral answer whether it named a fitting
    service, a wrong one or none, and whether it came before the persona opened up; and per
    need that no answer referred fittingly to, the services that would have fitted."""
    if kaart is None:
        return []
    notes: list[ReferralNote] = []
    served: set[str] = set()
    for turn in turns:
        fact = turn.extra.get("service_fact")
        named = tuple(turn.extra.get("services", ()))
        if "referral" not in turn.labels and fact != FITTING:
            continue
        if turn.state_before.trust < OPENED_UP:
            notes.append(ReferralNote("premature", turn.index, named))
        elif fact == FITTING:
            notes.append(ReferralNote("fitting", turn.index, named))
        elif fact == WRONG:
            notes.append(ReferralNote("wrong", turn.index, named))
        else:
            notes.append(ReferralNote("unnamed", turn.index, named))
        if fact == FITTING and turn.state_before.trust >= OPENED_UP:
            served.update(named)
    for need in persona.needs:
        fitting = tuple(s for s in need.services if s in kaart)
        if fitting and not served & set(fitting):
            notes.append(ReferralNote("missed", None, fitting, need.text))
    return notes
