"""Debrief: the outcome, per-skill bars, best and weakest answers, the persona's debrief."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Static

from trainer.app.screens.base import AppScreen
from trainer.app.widgets import CoachNote, SkillBar
from trainer.messages import text
from trainer.sessions.conversation import Conversation
from trainer.sessions.debrief import referral_lines
from trainer.sessions.progress import RatedTurn, session_result


class DebriefScreen(AppScreen[None]):
    CSS_PATH = "debrief.tcss"
    BINDINGS = [
        Binding("o", "again", text("app.key.again")),
        Binding("a", "other", text("app.key.other")),
        Binding("v", "app.progress", text("app.key.progress")),
        Binding("escape", "home", text("app.key.home")),
    ]

    def __init__(self, session: str) -> None:
        super().__init__()
        self.session = session
        self.result = session_result(self.app.store, session)

    def compose(self) -> ComposeResult:
        summary = self.result.summary
        content = self.app.content
        persona = content.personas.get(summary.persona)
        dialogue = content.dialogues.get(summary.dialogue)
        name = persona.name if persona else summary.persona
        yield Header()
        with VerticalScroll(id="debrief"):
            outcome = text(f"outcome.{summary.outcome or 'none'}")
            yield Static(Text(text("app.debrief.title", name=name, outcome=outcome)), id="outcome")
            yield Static(text("app.debrief.skills"), classes="heading")
            for skill in self.result.skills:
                yield SkillBar(skill.skill, skill.shown, skill.answers)
            yield from self._referrals()
            yield from self._answers("app.debrief.best", self.result.best)
            yield from self._answers("app.debrief.weakest", self.result.weakest)
            ending = dialogue.nodes.get(self._last_node()) if dialogue else None
            if ending is not None and ending.end is not None:
                yield Static(text("app.debrief.persona", name=name), classes="heading")
                yield Static(" ".join(ending.end.debrief.split()), id="persona-debrief")
        with Horizontal(id="debrief-actions"):
            yield Button(text("app.debrief.again"), id="again", variant="primary")
            yield Button(text("app.debrief.other"), id="other")
            yield Button(text("app.debrief.progress"), id="progress")
        yield Footer()

    def _last_node(self) -> str:
        return self.app.store.current_state(self.session).node

    def _referrals(self) -> ComposeResult:
        """Whether referrals went to a fitting service, at the right moment, and which
        service would have fitted where none did (needs the content's sociale kaart)."""
        content = self.app.content
        persona = content.personas.get(self.result.summary.persona)
        lines = referral_lines(self.app.store.turns(self.session), persona, content.kaart)
        if not lines:
            return
        yield Static(text("app.debrief.referrals"), classes="heading")
        for kind, line in lines:
            yield Static(Text(line), classes=f"referral referral-{kind}")

    def _answers(self, heading: str, rated: tuple[RatedTurn, ...]) -> ComposeResult:
        if not rated:
            return
        yield Static(text(heading), classes="heading")
        for item in rated:
            quote = Text(f"“{item.turn.answer}”", style="italic")
            yield Static(quote, classes="quote")
            yield CoachNote(item.turn)

    def on_mount(self) -> None:
        self.query_one("#again", Button).focus()

    @on(Button.Pressed, "#again")
    def action_again(self) -> None:
        """The same persona and dialogue from the start, as a new session."""
        summary = self.result.summary
        persona = self.app.content.personas.get(summary.persona)
        dialogue = self.app.content.dialogues.get(summary.dialogue)
        if persona is None or dialogue is None:
            self.notify(text("app.picker.cannot_resume"), severity="error")
            return
        conversation = Conversation.start(
            self.app.store, persona, dialogue, self.app.trainee or summary.trainee, "free",
            self.app.content.kaart,
        )  # fmt: skip
        self.app.show_conversation(conversation, replace=True)

    @on(Button.Pressed, "#other")
    def action_other(self) -> None:
        """Back to the persona picker (it is under this screen when coming from a conversation)."""
        self.app.show_picker()

    @on(Button.Pressed, "#progress")
    def progress(self) -> None:
        self.app.action_progress()

    def action_home(self) -> None:
        self.app.pop_screen()
