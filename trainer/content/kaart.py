"""The sociale kaart: the local services a buurtassistent can refer to, as the content's
`sociale-kaart.yaml` describes them.

A service has the names people use for it (official name, aliases, abbreviations, common
misspellings) and the word sets that describe it without a name ("iemand die helpt met
schulden"), so `trainer.content.recognise` can tell which service an answer points at. The kaart is
optional: a content root without one simply has no service recognition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainer.content.diagnostics import Problem, display_path, suggest
from trainer.content.located import shown
from trainer.content.schema import Validator, load_file
from trainer.messages import text

KAART_FILE = "sociale-kaart.yaml"
SERVICE_REQUIRED = ("id", "name", "aliases", "describes", "helps_with", "for_whom", "contact")
SERVICE_OPTIONAL = ("misspellings", "professional")


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    aliases: tuple[str, ...]
    describes: tuple[tuple[str, ...], ...]
    helps_with: str
    for_whom: str
    contact: str
    misspellings: tuple[str, ...] = ()
    professional: bool = True
    line: int = 0

    @property
    def names(self) -> tuple[str, ...]:
        """Everything that names this service outright."""
        return (self.name, *self.aliases, *self.misspellings)


@dataclass
class Kaart:
    services: dict[str, Service] = field(default_factory=dict)
    path: Path | None = None

    def __contains__(self, service_id: object) -> bool:
        return service_id in self.services

    def names(self, ids: tuple[str, ...] | list[str]) -> str:
        """'Schuldhulpverlening Zuiderveen of de budgetcoach': for feedback and debriefs."""
        found = [self.services[i].name for i in ids if i in self.services]
        if len(found) <= 1:
            return "".join(found)
        return ", ".join(found[:-1]) + f" {text('kaart.or')} " + found[-1]


def kaart_path(root: Path) -> Path:
    return root / KAART_FILE


def load_kaart(root: Path) -> tuple[Kaart | None, list[Problem]]:
    """The kaart of a content root (None when the root has none), with its problems."""
    path = kaart_path(root)
    if not path.exists():
        return None, []
    kaart, _, problems = load_file(path, _build_kaart)
    return kaart, problems


def _words(v: Validator, where: tuple, value: Any) -> tuple[str, ...] | None:
    items = v.text_list(where, value)
    if items is None:
        return None
    return tuple(" ".join(i.lower().split()) for i in items if i.strip())


def _build_kaart(v: Validator) -> Kaart | None:
    data = v.mapping((), v.located.data, ("services",), (), text("where.top"))
    if data is None:
        return None
    kaart = Kaart(path=v.located.path)
    services = v.list_of(("services",), data["services"]) if "services" in data else []
    for index, raw in enumerate(services):
        where = ("services", index)
        item = v.mapping(where, raw, SERVICE_REQUIRED, SERVICE_OPTIONAL, text("where.service"))
        if item is None:
            continue
        ident = v.ident((*where, "id"), item["id"]) if "id" in item else None
        strings = {
            key: v.string((*where, key), item[key])
            for key in ("name", "helps_with", "for_whom", "contact")
            if key in item
        }
        aliases = _words(v, (*where, "aliases"), item["aliases"]) if "aliases" in item else None
        misspellings = (
            _words(v, (*where, "misspellings"), item["misspellings"])
            if "misspellings" in item
            else ()
        )
        describes: list[tuple[str, ...]] = []
        raw_describes = item.get("describes", [])
        for number, words in enumerate(v.list_of((*where, "describes"), raw_describes)):
            found = _words(v, (*where, "describes", number), words)
            if found:
                describes.append(tuple(w for phrase in found for w in phrase.split()))
        professional = item.get("professional", True)
        if not isinstance(professional, bool):
            v.wrong_type((*where, "professional"), professional, "type.bool")
            professional = True
        if ident is None or None in (aliases, misspellings) or len(strings) < 4:
            continue
        if ident in kaart.services:
            v.report(
                (*where, "id"), "duplicate-id", kind="dienst", id=ident,
                other=f"{display_path(v.located.path)}:{kaart.services[ident].line}",
            )  # fmt: skip
            continue
        # A text that is None was not a text, and the validator has reported it; the service
        # still counts (for duplicate ids and the personas' references) with "" in its place.
        kaart.services[ident] = Service(
            id=ident, name=strings["name"] or "", aliases=aliases or (),
            describes=tuple(describes), helps_with=strings["helps_with"] or "",
            for_whom=strings["for_whom"] or "", contact=strings["contact"] or "",
            misspellings=misspellings or (), professional=professional, line=v.line(where),
        )  # fmt: skip
    return kaart


def check_references(personas: dict, kaart: Kaart, sources: dict) -> list[Problem]:
    """Every service a persona's need names must be on the kaart (by id)."""
    problems = []
    known = sorted(kaart.services)
    for persona in personas.values():
        if persona.path is None:
            continue
        located = sources.get(display_path(persona.path))
        for n, need in enumerate(persona.needs):
            for s, service in enumerate(need.services):
                if service in kaart:
                    continue
                spot = located.pos(("needs", n, "services", s)) if located else None
                problems.append(
                    Problem.make(
                        display_path(persona.path),
                        spot.line if spot else 1,
                        spot.col if spot else 1,
                        "unknown-service",
                        service=shown(service),
                        suggestion=suggest(service, known),
                    )
                )
    return problems
