"""Referral to the right service: which named services fit the persona's needs.

Core logic shared by the engine (route conditions `fitting_service`, `wrong_service`,
`no_service`) and the debrief.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from trainer.messages import text
from trainer.model import Offer, Persona

if TYPE_CHECKING:
    from trainer.engine import Turn
    from trainer.kaart import Kaart

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


# Trust from which a persona counts as having opened up: a referral before it is premature
# (the rubric: "knowing when"; the dialogues use trust 50-60 for the moment it lands).
OPENED_UP = 50


@dataclass(frozen=True)
class ReferralNote:
    """One observation for the debrief: a turn's referral, or a service that was missed."""

    kind: str  # "fitting" | "wrong" | "premature" | "over" | "unnamed" | "missed"
    turn: int | None
    services: tuple[str, ...]
    need: str = ""  # for "missed": the need's text


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
    wrong one, or none named. Then per need a professional is needed for and no answer
    referred fittingly to: the services that would have fitted."""
    if kaart is None:
        return []
    notes: list[ReferralNote] = []
    served: set[str] = set()
    for turn in turns:
        fact = turn.extra.get("service_fact")
        named = tuple(turn.extra.get("services", ()))
        need = turn.extra.get("need", "")
        if "referral" not in turn.labels and fact != FITTING:
            continue
        if turn.state_before.trust < OPENED_UP:
            kind = "premature"
        elif is_over_referral(persona, need, named, kaart):
            kind = "over"
        else:
            kind = {FITTING: "fitting", WRONG: "wrong"}.get(fact, "unnamed")
        notes.append(ReferralNote(kind, turn.index, named))
        if kind == "fitting":
            served.update(named)
    for need in persona.needs:
        fitting = tuple(s for s in need.services if s in kaart)
        if fitting and not need.neighbour and not served & set(fitting):
            notes.append(ReferralNote("missed", None, fitting, need.text))
    return notes


def note_lines(notes: list[ReferralNote], kaart: Kaart, name: str) -> list[tuple[str, str]]:
    """(kind, Dutch sentence) per note: the one wording the debrief, the review screen and
    the reports share."""
    return [
        (
            note.kind,
            text(
                f"app.debrief.referral.{note.kind}",
                turn=note.turn or "", services=kaart.names(note.services) or "-", name=name,
                need=note.need,
            ),
        )
        for note in notes
    ]  # fmt: skip
