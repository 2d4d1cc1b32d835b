"""Persona picker: a card per persona in a suggested order, details, dialogue choice, resume."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Header, Label, ListItem, ListView, Select, Static

from trainer.app.screens.base import AppScreen
from trainer.content.model import Persona
from trainer.messages import text
from trainer.sessions.conversation import Conversation, ConversationError
from trainer.sessions.progress import best_outcomes

DIFFICULTY_ORDER = ("easy", "medium", "hard")
DIFFICULTY_DOTS = {"easy": "●○○", "medium": "●●○", "hard": "●●●"}


def suggested_order(personas: list[Persona]) -> list[Persona]:
    """Easy before hard, then by name: the order a new buurtassistent is advised to follow."""

    def key(p: Persona) -> tuple[int, str]:
        rank = DIFFICULTY_ORDER.index(p.difficulty) if p.difficulty in DIFFICULTY_ORDER else 9
        return rank, p.name

    return sorted(personas, key=key)


class PersonaCard(ListItem):
    def __init__(self, number: int, persona: Persona, best: str | None) -> None:
        super().__init__(classes="card")
        self.persona = persona
        self.number = number
        self.best = best

    def compose(self) -> ComposeResult:
        p = self.persona
        head = Text.assemble((f"{self.number}. {p.name}, {p.age}", "bold"))
        head.append(
            f"   {DIFFICULTY_DOTS.get(p.difficulty, '')} {text(f'app.difficulty.{p.difficulty}')}"
        )
        yield Label(head)
        yield Label(Text(p.situation, overflow="ellipsis", no_wrap=True), classes="situation")
        yield Label(self.best_line(), classes="best")

    def best_line(self) -> Text:
        best = text(f"outcome.{self.best}") if self.best else text("app.picker.not_yet")
        return Text(text("app.picker.best", best=best), style="dim")

    def set_best(self, best: str | None) -> None:
        self.best = best
        self.query_one(".best", Label).update(self.best_line())


class PickerScreen(AppScreen[None]):
    CSS_PATH = "picker.tcss"
    BINDINGS = [
        Binding("b", "start", text("app.key.start")),
        Binding("h", "resume", text("app.key.resume")),
        Binding("escape", "back", text("app.key.back")),
    ]

    def __init__(self) -> None:
        super().__init__()
        content = self.app.content
        self.personas = suggested_order(
            [p for p in content.personas.values() if content.dialogues_for(p.id)]
        )
        self.best = self.best_results()

    def best_results(self) -> dict[str, str]:
        """Per persona the trainee's best ending; nobody's when no one is named (an empty name
        would match every trainee's sessions)."""
        trainee = self.app.trainee
        return best_outcomes(self.app.store, trainee) if trainee else {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="picker"):
            with Vertical(id="cards-box"):
                yield Static(text("app.picker.title"), classes="heading")
                yield ListView(
                    *(
                        PersonaCard(n, p, self.best.get(p.id))
                        for n, p in enumerate(self.personas, 1)
                    ),
                    id="cards",
                )
            with Vertical(id="details"):
                with VerticalScroll(id="details-scroll"):
                    yield Static(id="details-text")
                first = self.personas[0].id if self.personas else ""
                yield Select[str](
                    self.dialogue_options(first), id="dialogue", allow_blank=not self.personas
                )
                yield Static(id="unfinished")
                with Horizontal(id="picker-actions"):
                    yield Button(text("app.picker.start"), id="start", variant="primary")
                    yield Button(text("app.picker.resume"), id="resume")
        yield Footer()

    def on_mount(self) -> None:
        if not self.personas:
            self.query_one("#details-text", Static).update(text("app.picker.none"))
            return
        self.query_one("#cards", ListView).focus()
        self.show(self.personas[0])

    @property
    def persona(self) -> Persona | None:
        cards = self.query_one("#cards", ListView)
        item = cards.highlighted_child
        return item.persona if isinstance(item, PersonaCard) else None

    @on(ListView.Highlighted, "#cards")
    def highlighted(self, event: ListView.Highlighted) -> None:
        if isinstance(event.item, PersonaCard):
            self.show(event.item.persona)

    @on(ListView.Selected, "#cards")
    def selected(self) -> None:
        self.action_start()

    def show(self, persona: Persona) -> None:
        details = Text.assemble((f"{persona.name}, {persona.age}\n", "bold"))
        if persona.household:
            details.append(persona.household + "\n", style="italic")
        details.append("\n" + persona.situation + "\n\n")
        details.append(" ".join(persona.background.split()))
        self.query_one("#details-text", Static).update(details)
        options = self.dialogue_options(persona.id)
        select = self.query_one("#dialogue", Select)
        select.set_options(options)
        select.display = len(options) > 1
        unfinished = self.unfinished(persona)
        note = self.query_one("#unfinished", Static)
        resume = self.query_one("#resume", Button)
        resume.display = note.display = unfinished is not None
        if unfinished is not None:
            note.update(text("app.picker.unfinished", turns=unfinished.turns))

    def dialogue_options(self, persona: str) -> list[tuple[str, str]]:
        return [(d.title, d.id) for d in self.app.content.dialogues_for(persona)]

    def unfinished(self, persona: Persona):
        """The trainee's own latest unfinished session with this persona, never someone else's."""
        if not self.app.trainee:
            return None
        rows = self.app.store.list_sessions(
            trainee=self.app.trainee, persona=persona.id, unfinished=True, limit=1
        )
        return rows[0] if rows else None

    def action_start(self) -> None:
        persona = self.persona
        if persona is None:
            return
        dialogues = {d.id: d for d in self.app.content.dialogues_for(persona.id)}
        chosen = self.query_one("#dialogue", Select).value
        dialogue = dialogues.get(chosen) if isinstance(chosen, str) else None
        dialogue = dialogue or next(iter(dialogues.values()))
        conversation = Conversation.start(
            self.app.store, persona, dialogue, self.app.trainee or "", "free",
            self.app.content.kaart,
        )  # fmt: skip
        self.open(conversation)

    def action_resume(self) -> None:
        persona = self.persona
        row = self.unfinished(persona) if persona else None
        if row is None:
            self.notify(text("app.picker.nothing_to_resume"))
            return
        try:
            conversation = Conversation.resume(self.app.store, self.app.content, row.id)
        except ConversationError:
            self.notify(text("app.picker.cannot_resume"), severity="error")
            return
        self.open(conversation)

    def open(self, conversation: Conversation) -> None:
        self.app.show_conversation(conversation)

    def on_screen_resume(self) -> None:
        """Back from a conversation: the best results and resumable sessions have changed."""
        self.best = self.best_results()
        for card in self.query(PersonaCard):
            card.set_best(self.best.get(card.persona.id))
        if self.persona is not None:
            self.show(self.persona)

    @on(Button.Pressed, "#start")
    def start_pressed(self) -> None:
        self.action_start()

    @on(Button.Pressed, "#resume")
    def resume_pressed(self) -> None:
        self.action_resume()

    def action_back(self) -> None:
        self.app.pop_screen()
