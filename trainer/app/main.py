"""The app object: shared state (content, store, trainee, modes), the classifier worker, themes.

One app class serves the CLI, the tests and the benchmark; tests pass their own scorer factory
so they need not fit the classifier.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import cast

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from trainer.app.events import TraineeChanged
from trainer.app.palette import palette_command
from trainer.content.loader import Content
from trainer.engine.records import Scorer
from trainer.messages import text
from trainer.sessions.conversation import Conversation
from trainer.store.database import Store

ScorerFactory = Callable[[Content], Scorer]

DARK, LIGHT = "textual-dark", "textual-light"
SCORER_WAIT_SECONDS = 300


def scorer_factory_for(store: Store) -> ScorerFactory:
    """The classifier for this content and the store's trainer corrections: from the cache, or
    fitted now (seconds, in a worker). The corrections are read here, on the UI thread, because
    the store's connection belongs to that thread."""
    from trainer.store.reviews import corrections

    found = corrections(store)

    def factory(content: Content) -> Scorer:
        from trainer.scoring import default_scorer

        return default_scorer(content.root, found).explaining()

    return factory


class BuurttrainerApp(App[None]):
    """Buurttrainer for trainees: welcome, persona picker, conversation, debrief, progress."""

    TITLE = "Buurttrainer"
    # Absolute, so subclasses elsewhere (the start-up benchmark) find it too.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1", "help", text("app.key.help")),
        Binding("ctrl+t", "toggle_theme", text("app.key.theme")),
        Binding("ctrl+q", "quit", text("app.key.quit"), show=False, priority=True),
    ]

    # "loading" until the classifier worker is done, then "ready" or "failed".
    scorer_state: reactive[str] = reactive("loading")

    def __init__(
        self,
        content: Content,
        store: Store,
        scorer_factory: ScorerFactory | None = None,
        start: str = "welcome",
        start_dialogue: str | None = None,
        served: bool | None = None,
    ) -> None:
        super().__init__()
        from trainer.web.passwords import SERVED_ENV

        # Served in a browser (`buurttrainer serve` sets this in the command it runs for each
        # tab; the browser cannot change it): one store for many trainees, so no remembered
        # name, and the trainer area asks for the trainer password.
        self.served = os.environ.get(SERVED_ENV) == "1" if served is None else served
        self.start = start
        self.start_dialogue = start_dialogue
        self.content = content
        self.store = store
        self.scorer_factory = scorer_factory or scorer_factory_for(store)
        self.scorer: Scorer | None = None
        self.scorer_error = ""
        self._scorer_done = threading.Event()
        self.trainee: str | None = None if self.served else store.setting("trainee")
        self.coach = store.setting("coach", "1") == "1"
        self.prefer_choices = store.setting("choices", "0") == "1"
        self.reviewer: str | None = store.setting("reviewer")

    # ------------------------------------------------------------------ start-up

    def on_mount(self) -> None:
        self.theme = LIGHT if self.store.setting("theme") == LIGHT else DARK
        from trainer.app.screens.welcome import WelcomeScreen

        self.push_screen(WelcomeScreen())
        if self.start == "review":
            self.action_review()
        elif self.start == "author":
            self.action_author(self.start_dialogue)
        self.load_scorer()
        broken = len(self.content.broken) + len(self.content.broken_personas)
        if broken:
            self.notify(text("app.content_problems", count=broken), severity="warning", timeout=10)

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="classifier",
        description="classifier laden",
    )
    def load_scorer(self) -> Scorer:
        return self.scorer_factory(self.content)

    @work(thread=True, exit_on_error=False, group="export", description="rapport maken")
    def export_report(self, kind: str, key: str | None = None) -> Path:
        """Write a session, trainee or cohort report as HTML into the data folder's `rapporten`.
        Runs in a thread with its own store connection: a cohort report reads every session."""
        from trainer.app.exports import write_report

        return write_report(self.store.folder, self.content, kind, key)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where the classifier's and the exports' workers are followed up."""
        worker = event.worker
        if worker.group == "export":
            if event.state == WorkerState.SUCCESS:
                # The state change carries the worker untyped; the "export" group is
                # `export_report`, which returns the report's path.
                path = cast(Path, worker.result)
                self.notify(text("app.review.exported", path=path), timeout=15)
                if self.is_web:  # in a browser the file is on the server: offer it too
                    self.deliver_text(path, mime_type="text/html")
            elif event.state == WorkerState.ERROR:
                self.notify(text("app.review.export_failed", reason=worker.error), severity="error")
            return
        if worker.group != "classifier":
            return
        if event.state == WorkerState.SUCCESS:
            self.scorer = worker.result
            self.scorer_state = "ready"
            self._scorer_done.set()
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.scorer_error = str(worker.error or "")
            self.scorer_state = "failed"
            self._scorer_done.set()
            self.notify(
                text("app.classifier_failed", reason=self.scorer_error),
                severity="error",
                timeout=15,
            )

    def wait_for_scorer(self) -> Scorer:
        """Block a worker thread until the classifier is there (never call on the UI thread)."""
        self._scorer_done.wait(SCORER_WAIT_SECONDS)
        if self.scorer is None:
            raise RuntimeError(text("app.classifier_failed", reason=self.scorer_error or "-"))
        return self.scorer

    # ------------------------------------------------------------------ shared settings

    def set_trainee(self, name: str) -> None:
        self.trainee = name
        if not self.served:  # served, the next tab is someone else
            self.store.set_setting("trainee", name)
        self.store.trainee_id(name)

    def set_reviewer(self, name: str) -> None:
        self.reviewer = name
        self.store.set_setting("reviewer", name)

    # Served, every tab shares the store: a trainee's choices last for their tab only, and the
    # next tab starts from the computer's own settings again.

    def set_coach(self, on: bool) -> None:
        self.coach = on
        if not self.served:
            self.store.set_setting("coach", "1" if on else "0")

    def set_prefer_choices(self, on: bool) -> None:
        self.prefer_choices = on
        if not self.served:
            self.store.set_setting("choices", "1" if on else "0")

    def watch_theme(self, theme: str) -> None:
        if theme in (DARK, LIGHT) and not self.served:
            self.store.set_setting("theme", theme)

    # ------------------------------------------------------------------ actions

    def action_help(self) -> None:
        from trainer.app.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def _has_trainee(self) -> bool:
        """Practising and progress belong to someone: ask for a name first."""
        if self.trainee is None:
            self.notify(text("app.welcome.name_first"), severity="warning")
        return self.trainee is not None

    def action_practise(self) -> None:
        from trainer.app.screens.picker import PickerScreen

        if self._has_trainee():
            self.push_screen(PickerScreen())

    def action_progress(self) -> None:
        from trainer.app.screens.progress import ProgressScreen

        if self._has_trainee():
            self.push_screen(ProgressScreen())

    # -- navigation: screens go to another screen through these, never by importing it

    def show_conversation(self, conversation: Conversation, *, replace: bool = False) -> None:
        """The conversation screen for `conversation`; `replace` swaps out the current screen
        (from a debrief: "again"), else it goes on top (from the picker)."""
        from trainer.app.screens.talk import TalkScreen

        screen = TalkScreen(conversation)
        (self.switch_screen if replace else self.push_screen)(screen)

    def show_debrief(self, session: str, *, replace: bool = False) -> None:
        """A session's debrief; `replace` swaps out the current screen (a conversation that
        just ended), else it goes on top (from My progress)."""
        from trainer.app.screens.debrief import DebriefScreen

        screen = DebriefScreen(session)
        (self.switch_screen if replace else self.push_screen)(screen)

    def show_picker(self) -> None:
        """Back to the persona picker, in place of the current screen."""
        from trainer.app.screens.picker import PickerScreen

        self.switch_screen(PickerScreen())

    def show_session_review(self, session: str) -> None:
        from trainer.app.screens.session_review import SessionReviewScreen

        self.push_screen(SessionReviewScreen(session))

    def show_cohort(self, since: str | None) -> None:
        from trainer.app.screens.cohort import CohortScreen

        self.push_screen(CohortScreen(since))

    def in_trainer_area(self) -> bool:
        """Whether a trainer screen is open (served, only reached through the password).
        Cohort, session review and reports are opened from the review screen, so they count."""
        from trainer.app.screens.author import AuthorScreen
        from trainer.app.screens.review import ReviewScreen

        return any(isinstance(s, (ReviewScreen, AuthorScreen)) for s in self.screen_stack)

    def open_trainer_area(self, open_it: Callable[[], object]) -> None:
        """Open a trainer screen; served, only after the trainer password. Leaving the trainer
        area closes it again: the next trainee at this browser tab is asked too."""
        if not self.served or self.in_trainer_area():
            open_it()
            return
        from trainer.app.screens.password import PasswordDialog

        def answered(right: bool | None) -> None:
            if right:
                open_it()

        self.push_screen(PasswordDialog(self.store.folder), answered)

    def action_review(self) -> None:
        from trainer.app.screens.review import ReviewScreen

        if not isinstance(self.screen, ReviewScreen):
            self.open_trainer_area(lambda: self.push_screen(ReviewScreen()))

    def action_author(self, dialogue: str | None = None) -> None:
        from trainer.app.screens.author import AuthorScreen

        if not isinstance(self.screen, AuthorScreen):
            self.open_trainer_area(lambda: self.push_screen(AuthorScreen(dialogue)))

    def action_switch_trainee(self) -> None:
        from trainer.app.screens.dialogs import TraineeDialog

        def chosen(name: str | None) -> None:
            if name:
                self.set_trainee(name)
                self.screen.post_message(TraineeChanged(name))

        # Served, the names of everyone who practised on this store are not for every tab.
        known = [] if self.served else self.store.trainees()
        self.push_screen(TraineeDialog(known), chosen)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Command palette entries for the main actions (plus the screen's own, if it has any)."""
        yield from super().get_system_commands(screen)
        yield palette_command("practise", self.action_practise)
        yield palette_command("progress", self.action_progress)
        yield palette_command("switch", self.action_switch_trainee)
        yield palette_command("review", self.action_review)
        yield palette_command("author", self.action_author)
        yield palette_command("help", self.action_help)
        yield palette_command("theme", self.action_toggle_theme)
        commands = getattr(screen, "screen_commands", None)
        if commands is not None:
            yield from commands()
