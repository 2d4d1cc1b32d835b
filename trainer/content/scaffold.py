"""`buurttrainer new persona ID`: a persona, a small valid dialogue and its playthrough test.

The three files pass `check --strict` and `test` as written, so an author starts from something
that works and changes one thing at a time. The comments in them are in Dutch: they are part of
the content a trainer edits, and they explain each field where it is used.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from trainer.content.kaart import kaart_path
from trainer.content.loader import default_content_root
from trainer.content.schema import ID_PATTERN

PERSONA = """\
# Een persona: de bewoner die de deelnemer aan de deur spreekt.
# Alles wat de deelnemer ziet is Nederlands. Uitleg van elk veld: docs/authoring.md.

# id: kleine letters, cijfers en streepjes; gelijk aan de bestandsnaam.
id: __ID__
# De naam zoals de deelnemer hem ziet.
name: __NAME__
age: 60
# Met wie woont deze bewoner? (mag leeg blijven)
household: Woont alleen
# Eén zin: wat speelt er nu?
situation: Is net verhuisd naar de buurt en kent nog niemand
# Het verhaal achter de persona: concreet, met namen, plaatsen en details.
background: |
  __NAME__ woont sinds een maand in de straat. Vroeger werkte __NAME__ als kok.
# Hoe praat deze persona, en waarop gaat hij of zij open of dicht?
character: |
  Vriendelijk maar terughoudend. Gaat open als iemand echt luistert.
# easy, medium of hard: de volgorde in de keuzelijst.
difficulty: easy
# Vertrouwen en stemming bij het begin, van 0 tot 100.
start:
  trust: 40
  mood: 50
# Wat kan deze persona geven? Hierop bouwt wederkerigheid.
gives:
  - id: koken
    text: Kookt graag en veel; zou voor een buur kunnen koken
# Wat heeft deze persona nodig, en welke diensten passen erbij?
needs:
  - id: contact
    text: Kent nog niemand in de buurt; een buur kan hier al veel doen
    services: [welzijnswerk]
"""

DIALOGUE = """\
# Een dialoog: knopen (nodes) met wat de persona zegt, en waar het gesprek heen gaat.
# Uitleg van elk veld: docs/authoring.md.

id: __DIALOGUE__
# Bij welke persona hoort deze dialoog?
persona: __ID__
title: Kennismaken met __NAME__
description: Een eerste gesprek aan de deur.
# De knoop waar het gesprek begint.
start: deur

nodes:
  deur:
    # Wat de persona zegt. *Tussen sterretjes* staat wat de persona doet.
    say: |
      *De deur gaat op een kier open.*
      Ja? Wat is er?
    # Kant-en-klare antwoorden (beginnersmodus). skills: wat het antwoord laat zien.
    choices:
      - text: Ik ben van de buurtcoöperatie. Hoe bevalt het in de buurt?
        skills: [listening]
        feedback: Een open vraag nodigt uit om te vertellen.
        effects: {trust: +10}
        next: kennismaken
      - text: U moet echt eens naar de buurtkamer komen.
        skills: []
        feedback: Advies voordat je iemand kent, sluit het gesprek.
        effects: {trust: -20}
        next: dicht
    # Vrije tekst: de eerste route waarvan alle voorwaarden kloppen wordt genomen.
    # De laatste route zonder `when` vangt alle andere antwoorden op.
    routes:
      - when: [listening]
        feedback: Je nodigt uit om te vertellen.
        effects: {trust: +10}
        next: kennismaken
      - feedback: Probeer een open vraag.
        next: dicht

  kennismaken:
    say: |
      Nou, het is wennen. Ik ken hier nog niemand. Vroeger kookte ik voor iedereen.
    choices:
      - text: Wat mooi dat u zo graag kookt. Zou u dat met een buur willen delen?
        skills: [reciprocity]
        feedback: Je ziet wat __NAME__ kan geven.
        next: buur
      - text: Dan regel ik wel even een maaltijdservice voor u.
        skills: []
        feedback: Je neemt het over in plaats van te vragen wat __NAME__ zelf wil.
        effects: {mood: -10}
        next: overgenomen
    routes:
      - when: [reciprocity]
        feedback: Je ziet wat __NAME__ kan geven.
        next: buur
      - feedback: Vraag wat __NAME__ zelf kan of wil.
        next: kennismaken

  buur:
    say: |
      Een buurvrouw die graag leert koken? Dat lijkt me leuk, ja.
    # Een einde: outcome is connected, referred, open, taken_over of closed.
    end:
      outcome: connected
      debrief: |
        Je luisterde en zag wat __NAME__ kon geven. Zo ontstond een ruil met een buur.

  overgenomen:
    say: |
      O. Nou, goed dan. *__NAME__ kijkt weg.*
    end:
      outcome: taken_over
      debrief: |
        Je regelde het zelf. __NAME__ werd er passief van; vraag eerst wat hij of zij wil.

  dicht:
    say: |
      Ik heb het druk. Dag.
    end:
      outcome: closed
      debrief: |
        Het gesprek stopte voordat het begon. Begin met een open vraag.
"""

TESTS = """\
# Playthrough-tests: antwoorden en het pad en einde dat eruit moet komen.
# Een getal kiest een keuze (1 = de eerste); tekst met skills test een vrij antwoord.
# Draai ze met: buurttrainer test dialogues/__DIALOGUE__.tests.yaml
dialogue: __DIALOGUE__
playthroughs:
  - name: luisteren en dan een ruil met een buur
    answers: [1, 1]
    path: [deur, kennismaken, buur]
    outcome: connected
  - name: het overnemen werkt averechts
    answers: [1, 2]
    path: [deur, kennismaken, overgenomen]
    outcome: taken_over
  - name: advies aan de deur
    answers: [2]
    path: [deur, dicht]
    outcome: closed
  - name: vrij getypt met vaste vaardigheden
    answers:
      - {text: "Hoe bevalt het hier?", skills: [listening]}
      - {text: "Zou u voor een buur willen koken?", skills: [reciprocity]}
    path: [deur, kennismaken, buur]
    outcome: connected
"""


class ScaffoldError(ValueError):
    """The scaffold cannot be written: `kind` is "bad-id" or "exists" (then `path` is set)."""

    def __init__(self, kind: str, path: Path | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.path = path


@dataclass(frozen=True)
class Scaffold:
    persona: Path
    dialogue: Path
    tests: Path
    # The shipped sociale kaart, copied into a content folder that had none: the scaffold's
    # persona names a service, which only a kaart makes recognisable.
    kaart: Path | None = None

    @property
    def files(self) -> tuple[Path, Path, Path]:
        return self.persona, self.dialogue, self.tests


def plan(root: Path, persona_id: str) -> Scaffold:
    """Where the three files go; refuses a bad id or any file that already exists."""
    if not ID_PATTERN.match(persona_id):
        raise ScaffoldError("bad-id")
    dialogue_id = f"{persona_id}-eerste-gesprek"
    scaffold = Scaffold(
        root / "personas" / f"{persona_id}.yaml",
        root / "dialogues" / f"{dialogue_id}.yaml",
        root / "dialogues" / f"{dialogue_id}.tests.yaml",
    )
    existing = [p for p in scaffold.files if p.exists()]
    if existing:
        raise ScaffoldError("exists", existing[0])
    return scaffold


def write(root: Path, persona_id: str) -> Scaffold:
    """Write the persona, its dialogue and the playthrough test; never overwrites a file."""
    scaffold = plan(root, persona_id)
    name = persona_id.replace("-", " ").title()
    dialogue_id = scaffold.dialogue.name.removesuffix(".yaml")
    for path, template in zip(scaffold.files, (PERSONA, DIALOGUE, TESTS), strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        body = (
            template.replace("__DIALOGUE__", dialogue_id)
            .replace("__ID__", persona_id)
            .replace("__NAME__", name)
        )
        with path.open("x", encoding="utf-8") as handle:  # "x": fail rather than overwrite
            handle.write(body)
    kaart = kaart_path(root)
    if not kaart.exists():
        shutil.copyfile(kaart_path(default_content_root()), kaart)
        return replace(scaffold, kaart=kaart)
    return scaffold
