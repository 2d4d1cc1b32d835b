"""The trainer password, asked before the trainer area opens in a served (browser) app.

Checking takes a moment on purpose (scrypt), so it runs in a thread worker; three wrong
passwords in a row close the dialog. Without a password set, the dialog says how to set one.
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static
from textual.worker import Worker, WorkerState

from trainer.messages import text
from trainer.web.passwords import check_password, has_password

MAX_ATTEMPTS = 3


class PasswordDialog(ModalScreen[bool]):
    """Ask for the trainer password; dismissed with True only when it is right."""

    CSS_PATH = "dialogs.tcss"
    DEFAULT_CSS = """
    PasswordDialog {
        align: center middle;
    }
    PasswordDialog #password-status {
        display: none;
        height: auto;
        margin-top: 1;
    }
    PasswordDialog #password-status.-wrong {
        color: $text-error;
    }
    PasswordDialog #not-set {
        margin-bottom: 1;
    }
    """
    BINDINGS = [Binding("escape", "cancel", text("app.key.cancel"))]

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder
        self.attempts = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            if not has_password(self.folder):
                yield Static(text("app.password.not_set"), id="not-set")
                yield Button(text("app.password.close"), id="close", variant="primary")
                return
            yield Static(text("app.password.question"), classes="question")
            yield Input(
                placeholder=text("app.password.placeholder"),
                password=True,
                id="password",
                max_length=1024,
            )
            yield Static(id="password-status")
            yield Static(text("app.password.hint"), classes="hint")

    def on_mount(self) -> None:
        if self.query("#password"):
            self.query_one("#password", Input).focus()
        else:
            self.query_one("#close", Button).focus()

    @on(Input.Submitted, "#password")
    def submitted(self, event: Input.Submitted) -> None:
        field = self.query_one("#password", Input)
        if field.disabled or not event.value:
            return
        field.disabled = True
        status = self.query_one("#password-status", Static)
        status.remove_class("-wrong")
        status.update(text("app.password.checking"))
        status.display = True
        self.check(event.value)

    @work(thread=True, exclusive=True, group="password", exit_on_error=False)
    def check(self, password: str) -> bool:
        return check_password(self.folder, password)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "password":
            return
        event.stop()
        if self.app.screen is not self:  # cancelled while checking
            return
        if event.state == WorkerState.SUCCESS and event.worker.result:
            self.dismiss(True)
        elif event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self.wrong()

    def wrong(self) -> None:
        self.attempts += 1
        if self.attempts >= MAX_ATTEMPTS:
            self.app.notify(text("app.password.too_many"), severity="error")
            self.dismiss(False)
            return
        field = self.query_one("#password", Input)
        field.value = ""
        field.disabled = False
        field.focus()
        status = self.query_one("#password-status", Static)
        status.add_class("-wrong")
        status.update(text("app.password.wrong"))

    @on(Button.Pressed, "#close")
    def action_cancel(self) -> None:
        self.dismiss(False)
