"""Small modal dialogs: a yes/no question and choosing who practises."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static

from trainer.messages import text


class ConfirmDialog(ModalScreen[bool]):
    """A question with Ja / Nee; Escape means no."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("j", "answer(True)", text("app.yes"), show=False),
        Binding("n", "answer(False)", text("app.no"), show=False),
        Binding("escape", "answer(False)", text("app.no")),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="question")
            with Horizontal(classes="buttons"):
                yield Button(text("app.yes_key"), id="yes", variant="warning")
                yield Button(text("app.no_key"), id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class TraineeDialog(ModalScreen[str | None]):
    """Type a (new) name or pick someone who practised on this computer before."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", text("app.key.cancel"))]

    def __init__(self, known: list[str]) -> None:
        super().__init__()
        self.known = known

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(text("app.trainee.question"), classes="question")
            yield Input(placeholder=text("app.welcome.name_placeholder"), id="new-name")
            if self.known:
                yield Static(text("app.trainee.known"))
                yield OptionList(*self.known, id="known")

    def on_mount(self) -> None:
        self.query_one("#new-name", Input).focus()

    @on(Input.Submitted, "#new-name")
    def typed(self, event: Input.Submitted) -> None:
        name = " ".join(event.value.split())
        if name:
            self.dismiss(name)

    @on(OptionList.OptionSelected, "#known")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.known[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
