"""Small widgets the screens share: transcript lines, skill chips, meters and skill bars.

All text arrives as plain strings and is turned into Rich `Text` here, never into markup, so a
trainee typing "[b]" or an author writing brackets cannot break the screen.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static

from trainer.content.model import SKILLS
from trainer.content.templates import persona_line
from trainer.engine.records import Turn
from trainer.messages import text

# The same colours as the chip classes in app.tcss, for bars drawn as Rich text.
SKILL_COLOURS = {"listening": "#4f8fe8", "reciprocity": "#2fa66a", "referral": "#d98b1e"}


def persona_text(line: str) -> Text:
    """A persona line; `*...*` (stage directions in the YAML) is shown in italics."""
    result = Text()
    for segment in persona_line(line, collapse=False):
        result.append(segment.text, style="italic" if segment.stage else "")
    return result


def skill_name(skill: str) -> str:
    return text(f"skill.{skill}")


class PersonaLine(Static):
    """What the persona says, labelled with their name."""

    def __init__(self, name: str, line: str) -> None:
        body = Text.assemble((name + "\n", "bold"))
        body.append_text(persona_text(line))
        super().__init__(body, classes="line persona-line")


class TraineeLine(Static):
    """What the trainee answered (typed text or the picked choice)."""

    def __init__(self, answer: str) -> None:
        body = Text.assemble((text("app.talk.you") + "\n", "bold"))
        body.append(answer)
        super().__init__(body, classes="line trainee-line")


class Chip(Label):
    """One skill as a coloured chip; colour classes are in app.tcss (and in the legend)."""

    def __init__(self, skill: str) -> None:
        super().__init__(skill_name(skill), classes=f"chip chip-{skill}")


class NoSkillChip(Label):
    def __init__(self) -> None:
        super().__init__(text("app.talk.no_skill"), classes="chip chip-none")


class CoachNote(Vertical):
    """Coach mode's note under an answer: the skills it showed, the feedback as bullets."""

    def __init__(self, turn: Turn) -> None:
        super().__init__(classes="coach")
        self.turn = turn

    def compose(self) -> ComposeResult:
        with Horizontal(classes="chips"):
            if self.turn.labels:
                for skill in self.turn.labels:
                    yield Chip(skill)
            else:
                yield NoSkillChip()
        for point in self.turn.feedback:
            yield Static(Text("• ") + Text(point), classes="feedback")
        for skill in self.turn.labels:
            words = self.turn.evidence(skill)
            if words:
                evidence = text("play.evidence", skill=skill_name(skill), words=", ".join(words))
                yield Static(Text(evidence, style="dim"), classes="evidence")


class Legend(Horizontal):
    """What the chip colours mean."""

    def compose(self) -> ComposeResult:
        for skill in SKILLS:
            yield Chip(skill)


def bar(share: float, width: int) -> str:
    filled = round(max(0.0, min(1.0, share)) * width)
    return "█" * filled + "░" * (width - filled)


class Meter(Static):
    """Trust or mood 0-100 as a bar, with the last change shown as an arrow and a number."""

    def __init__(self, label: str, value: int, id: str) -> None:
        super().__init__(id=id, classes="meter")
        self.label = label
        self.value = value
        self.delta = 0
        self._paint()

    def set(self, value: int) -> None:
        self.delta = value - self.value
        self.value = value
        self._paint()
        self.set_class(self.delta > 0, "-up")
        self.set_class(self.delta < 0, "-down")

    def _paint(self) -> None:
        line = Text.assemble((f"{self.label} ", "bold"))
        line.append(f"{self.value}\n")
        line.append(bar(self.value / 100, 20))
        if self.delta:
            arrow, style = ("▲", "green") if self.delta > 0 else ("▼", "red")
            line.append(f" {arrow}{abs(self.delta)}", style=f"bold {style}")
        self.update(line)


class SkillBar(Static):
    """One skill's share of a session's answers, as a bar with 'x van y'."""

    def __init__(self, skill: str, shown: int, answers: int) -> None:
        share = shown / answers if answers else 0.0
        line = Text.assemble((f"{skill_name(skill):<16}", "bold"))
        line.append(bar(share, 24), style=SKILL_COLOURS[skill])
        line.append("  " + text("app.debrief.count", shown=shown, answers=answers))
        super().__init__(line, classes=f"skill-bar bar-{skill}")


def short_date(stamp: str) -> str:
    """'2026-11-23T10:39:12+00:00' -> '23-11 11:39' in local time (as the reports show it),
    narrow enough for 80 columns."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(stamp).astimezone()
    except ValueError:
        return stamp[:16]
    return moment.strftime("%d-%m %H:%M")
