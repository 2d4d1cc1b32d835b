"""The conversation: transcript, persona panel with trust and mood, and the answer input.

Free text is scored in a thread worker (the classifier may still be loading), so typing never
freezes; the typed answer is saved as a draft before scoring and the turn is committed the
moment it is computed, so neither a crash nor quitting loses an answer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from trainer.app.palette import palette_command
from trainer.app.screens.base import AppScreen
from trainer.app.widgets import CoachNote, Legend, Meter, PersonaLine, TraineeLine
from trainer.engine.records import Answer, EngineError, Turn
from trainer.messages import text
from trainer.sessions.conversation import Conversation


class TalkScreen(AppScreen[None]):
    CSS_PATH = "talk.tcss"
    BINDINGS = [
        Binding("f2", "toggle_choices", text("app.key.choices")),
        Binding("f3", "toggle_coach", text("app.key.coach")),
        Binding("f4", "toggle_hint", text("app.key.hint")),
        Binding("escape", "leave", text("app.key.leave")),
        Binding("1", "pick(0)", show=False),
        Binding("2", "pick(1)", show=False),
        Binding("3", "pick(2)", show=False),
        Binding("4", "pick(3)", show=False),
        Binding("5", "pick(4)", show=False),
    ]

    def __init__(self, conversation: Conversation) -> None:
        super().__init__()
        self.conversation = conversation
        self.busy = False
        self.typed: str | None = None  # what the input holds, kept for on_unmount

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        c = self.conversation
        yield Header()
        with Horizontal(id="talk"):
            yield VerticalScroll(id="transcript")
            with VerticalScroll(id="side"):
                yield Static(Text(f"{c.persona.name}, {c.persona.age}", style="bold"), id="who")
                yield Static(c.persona.situation, id="situation")
                yield Meter(text("app.talk.trust"), c.state.trust, id="trust")
                yield Meter(text("app.talk.mood"), c.state.mood, id="mood")
                with Vertical(id="legend-box"):
                    yield Static(text("app.talk.legend"), classes="side-head")
                    yield Legend(id="legend")
                with Vertical(id="hint"):
                    yield Static(text("app.talk.hint_head"), classes="side-head")
                    for need in c.persona.needs:
                        yield Static(Text("• " + need.text), classes="need")
        with Vertical(id="answer-box"):
            yield OptionList(id="choices")
            yield Input(placeholder=text("app.talk.placeholder"), id="answer")
            yield Static(id="status")
            yield Button(text("app.talk.to_debrief"), id="to-debrief", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        c = self.conversation
        self.sub_title = c.dialogue.title
        self.query_one("#hint").display = False
        self.query_one("#to-debrief").display = False
        transcript = self.query_one("#transcript")
        transcript.mount(PersonaLine(c.persona.name, c.opening_reply))
        for turn in c.turns:
            transcript.mount_all(self._turn_widgets(turn))
        self._apply_coach()
        draft = c.draft()
        if draft:
            self.query_one("#answer", Input).value = draft
        self._prepare_answer()

    def on_unmount(self) -> None:
        """Leaving in any way (Esc, quitting, a browser tab closed or its server stopped)
        keeps what was typed but not yet sent, as the draft the next visit shows. While an
        answer is being scored its draft was saved on Enter already."""
        if self.busy or self.conversation.ended or self.typed is None:
            return
        with contextlib.suppress(Exception):  # leaving must never fail on a full disk
            if self.typed.strip() or self.conversation.draft():
                self.conversation.save_draft(self.typed)

    @on(Input.Changed, "#answer")
    def remember_typed(self, event: Input.Changed) -> None:
        """What is typed, for on_unmount (by then the input is gone)."""
        self.typed = event.value

    def _turn_widgets(self, turn: Turn) -> list:
        widgets = [TraineeLine(turn.answer), CoachNote(turn)]
        widgets.append(PersonaLine(self.conversation.persona.name, turn.reply))
        return widgets

    def _apply_coach(self) -> None:
        coach = self.app.coach
        self.query_one("#transcript").set_class(not coach, "-nocoach")
        self.query_one("#legend-box").display = coach

    def _prepare_answer(self) -> None:
        """Show the input or the choices for the current node, or the way to the debrief."""
        c = self.conversation
        choices = self.query_one("#choices", OptionList)
        answer = self.query_one("#answer", Input)
        status = self.query_one("#status", Static)
        if c.ended:
            choices.display = answer.display = False
            outcome = c.node.end.outcome if c.node.end else "open"
            status.update(
                Text(text("app.talk.ended", outcome=text(f"outcome.{outcome}")), style="bold")
            )
            button = self.query_one("#to-debrief", Button)
            button.display = True
            button.focus()
            return
        use_choices = c.offers_choices(self.app.prefer_choices)
        choices.display = use_choices
        answer.display = not use_choices
        answer.disabled = False
        if use_choices:
            choices.clear_options()
            choices.add_options(
                Option(Text(f"{n}. {choice.text}"), id=str(n - 1))
                for n, choice in enumerate(c.node.choices, 1)
            )
            choices.highlighted = 0
            choices.focus()
            status.update(text("app.talk.pick_hint"))
        else:
            answer.focus()
            status.update(text("app.talk.free_hint"))
        self.query_one("#transcript").scroll_end(animate=False)

    # ------------------------------------------------------------------ answering

    @on(Input.Submitted, "#answer")
    def submitted(self, event: Input.Submitted) -> None:
        answer = event.value.strip()
        if not answer or self.busy:
            return
        self.busy = True
        self.conversation.save_draft(answer)
        event.input.disabled = True
        waiting = "app.talk.scoring" if self.app.scorer is not None else "app.talk.loading"
        self.query_one("#status", Static).update(text(waiting))
        self.score(Answer(answer))

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="answer",
        description="antwoord beoordelen",
    )
    def score(self, answer: Answer) -> Turn:
        return self.conversation.compute(answer, self.app.wait_for_scorer())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one handler for the scoring worker: record and show, or keep the answer."""
        if event.worker.group != "answer":
            return
        if event.state == WorkerState.SUCCESS:
            self.query_one("#answer", Input).value = ""
            # The state change carries the worker untyped; the "answer" group is `score`.
            self.play(cast(Turn, event.worker.result))
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.busy = False
            self.query_one("#answer", Input).disabled = False
            self.query_one("#status", Static).update(text("app.talk.score_failed"))
            self.notify(str(event.worker.error or ""), severity="error", timeout=10)

    @on(OptionList.OptionSelected, "#choices")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_pick(int(event.option.id or 0))

    def action_pick(self, index: int) -> None:
        c = self.conversation
        if self.busy or c.ended or not self.query_one("#choices").display:
            return
        if not 0 <= index < len(c.node.choices):
            return
        try:
            turn = c.compute(Answer.pick(index), None)
        except EngineError as exc:
            self.notify(str(exc), severity="error")
            return
        self.busy = True
        self.play(turn)

    def play(self, turn: Turn) -> None:
        """Commit the turn first, then show it."""
        self.conversation.record(turn)
        self.busy = False
        transcript = self.query_one("#transcript")
        transcript.mount_all(self._turn_widgets(turn))
        self.query_one("#trust", Meter).set(turn.state_after.trust)
        self.query_one("#mood", Meter).set(turn.state_after.mood)
        self._prepare_answer()
        transcript.scroll_end(animate=False)

    # ------------------------------------------------------------------ toggles and leaving

    def action_toggle_choices(self) -> None:
        self.app.set_prefer_choices(not self.app.prefer_choices)
        if not self.busy:
            self._prepare_answer()

    def action_toggle_coach(self) -> None:
        self.app.set_coach(not self.app.coach)
        self._apply_coach()

    def action_toggle_hint(self) -> None:
        hint = self.query_one("#hint")
        hint.display = not hint.display
        if hint.display:
            self.query_one("#side").scroll_end(animate=False)

    def action_leave(self) -> None:
        if self.conversation.ended:
            self.open_debrief()
            return
        from trainer.app.screens.dialogs import ConfirmDialog

        def answered(leave: bool | None) -> None:
            if leave:
                self.app.pop_screen()

        self.app.push_screen(ConfirmDialog(text("app.talk.leave_question")), answered)

    @on(Button.Pressed, "#to-debrief")
    def open_debrief(self) -> None:
        self.app.show_debrief(self.conversation.session, replace=True)

    def screen_commands(self) -> Iterable[SystemCommand]:
        yield palette_command("choices", self.action_toggle_choices)
        yield palette_command("coach", self.action_toggle_coach)
        yield palette_command("hint", self.action_toggle_hint)
