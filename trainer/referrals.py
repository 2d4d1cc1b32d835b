"""Referral to the right service: which named services fit the persona's needs.

Core logic shared by the engine (route conditions `fitting_service`, `wrong_service`,
`no_service`) and, later, the debrief and reports.
"""

from __future__ import annotations

from trainer.model import Persona

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
