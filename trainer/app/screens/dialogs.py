"""Small modal dialogs: a yes/no question, choosing who practises, a line of text, and
correcting an answer's skill labels."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static

from trainer.content.model import SKILLS
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


class TextDialog(ModalScreen[str | None]):
    """Ask for one line of text (a comment, a name); Enter saves, Escape cancels."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", text("app.key.cancel"))]

    def __init__(self, question: str, placeholder: str = "", value: str = "") -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="question")
            yield Input(self.value, placeholder=self.placeholder, id="text", max_length=2000)
            yield Static(text("app.dialog.enter_saves"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    @on(Input.Submitted, "#text")
    def typed(self, event: Input.Submitted) -> None:
        value = " ".join(event.value.split())
        if value:
            self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class LabelDialog(ModalScreen[tuple[str, ...] | None]):
    """Correct which skills an answer shows: a checkbox per skill (1-3 toggle), Enter saves."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", text("app.key.cancel")),
        Binding("1", "toggle_skill(0)", show=False),
        Binding("2", "toggle_skill(1)", show=False),
        Binding("3", "toggle_skill(2)", show=False),
        Binding("ctrl+s", "save", text("app.key.save")),
    ]

    def __init__(self, answer: str, labels: tuple[str, ...]) -> None:
        super().__init__()
        self.answer = answer
        self.labels = labels

    def compose(self) -> ComposeResult:
        from rich.text import Text
        from textual.widgets import Checkbox

        with Vertical(classes="dialog"):
            yield Static(text("app.review.correct_question"), classes="question")
            yield Static(Text(self.answer), classes="answer")
            for number, skill in enumerate(SKILLS, start=1):
                yield Checkbox(
                    f"{number}  {text(f'skill.{skill}')}", skill in self.labels, id=f"skill-{skill}"
                )
            # In words too: a checkbox's state is only a colour, lost on a monochrome terminal.
            yield Static(id="chosen", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button(text("app.save"), id="save", variant="primary")
                yield Button(text("app.cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#save", Button).focus()
        self.show_chosen()

    def on_checkbox_changed(self) -> None:
        self.show_chosen()

    def show_chosen(self) -> None:
        from trainer.reports.context import labels_text

        summary = labels_text(self.chosen())
        self.query_one("#chosen", Static).update(text("app.review.chosen", labels=summary))

    def chosen(self) -> tuple[str, ...]:
        from textual.widgets import Checkbox

        return tuple(s for s in SKILLS if self.query_one(f"#skill-{s}", Checkbox).value)

    # Not `action_toggle`: that is Textual's own action (toggle a bool attribute by name).
    def action_toggle_skill(self, index: int) -> None:
        from textual.widgets import Checkbox

        self.query_one(f"#skill-{SKILLS[index]}", Checkbox).toggle()

    def action_save(self) -> None:
        self.dismiss(self.chosen())

    @on(Button.Pressed, "#save")
    def save(self) -> None:
        self.dismiss(self.chosen())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
