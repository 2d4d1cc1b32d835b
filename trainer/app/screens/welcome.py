"""Welcome: who is practising, and the way to practising, progress and quitting."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Static

from trainer.app.events import TraineeChanged
from trainer.app.screens.base import AppScreen
from trainer.content.model import SKILLS
from trainer.messages import text


class WelcomeScreen(AppScreen[None]):
    CSS_PATH = "welcome.tcss"
    BINDINGS = [
        Binding("o", "app.practise", text("app.key.practise")),
        Binding("v", "app.progress", text("app.key.progress")),
        Binding("d", "app.switch_trainee", text("app.key.switch")),
        Binding("r", "app.review", text("app.key.review")),
        Binding("q", "app.quit", text("app.key.quit")),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="welcome"):
            yield Static(text("app.welcome.subtitle"), id="title")
            with Vertical(id="intro"):
                yield Static(text("app.welcome.intro"), classes="intro-head")
                for skill in SKILLS:
                    line = Text.assemble((text(f"skill.{skill}").capitalize() + ": ", "bold"))
                    line.append(text(f"app.welcome.skill.{skill}"))
                    yield Static(line, classes=f"intro-skill intro-{skill}")
            yield Static(id="who")
            yield Input(placeholder=text("app.welcome.name_placeholder"), id="name", max_length=60)
            with Horizontal(id="actions"):
                yield Button(text("app.welcome.practise"), id="practise", variant="primary")
                yield Button(text("app.welcome.progress"), id="progress")
                yield Button(text("app.welcome.switch"), id="switch")
                yield Button(text("app.welcome.quit"), id="quit", variant="error")
            yield Static(id="classifier")
            # Trainers are the rarer visitors: a line, not a fifth button (80 columns).
            yield Static(text("app.welcome.review"), id="review-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "scorer_state", self._show_classifier)
        self.refresh_trainee()

    def refresh_trainee(self) -> None:
        trainee = self.app.trainee
        first_run = trainee is None
        # The skills are explained on the first run; afterwards F1 (help) holds them.
        self.query_one("#intro").display = first_run
        self.query_one("#name", Input).display = first_run
        who = self.query_one("#who", Static)
        if first_run:
            who.update(text("app.welcome.ask_name"))
            self.query_one("#name", Input).focus()
        else:
            who.update(Text(text("app.welcome.who", name=trainee)))
            self.query_one("#practise", Button).focus()

    def _show_classifier(self, state: str) -> None:
        self.query_one("#classifier", Static).update(text(f"app.classifier.{state}"))

    @on(Input.Submitted, "#name")
    def name_given(self, event: Input.Submitted) -> None:
        name = " ".join(event.value.split())
        if not name:
            self.notify(text("app.welcome.name_first"), severity="warning")
            return
        self.app.set_trainee(name)
        self.refresh_trainee()

    def on_trainee_changed(self, event: TraineeChanged) -> None:
        self.refresh_trainee()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.refresh_trainee()

    @on(Button.Pressed, "#practise")
    def practise(self) -> None:
        self.app.action_practise()

    @on(Button.Pressed, "#progress")
    def progress(self) -> None:
        self.app.action_progress()

    @on(Button.Pressed, "#switch")
    def switch(self) -> None:
        self.app.action_switch_trainee()

    @on(Button.Pressed, "#quit")
    def quit(self) -> None:
        self.app.exit()
