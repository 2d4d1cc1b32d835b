"""One session as a trainer reads it: per turn the answer, the scores and why, the route taken,
the feedback given, and the trainer's own comments and label corrections.

A comment or correction is stored the moment it is confirmed (like every turn), and the turn's
card is redrawn from the store, so what is on screen is what is saved.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from trainer.app.screens.base import AppScreen
from trainer.app.widgets import SKILL_COLOURS, persona_text, short_date, skill_name
from trainer.content.model import SKILLS
from trainer.engine.records import Turn
from trainer.messages import text
from trainer.reports.context import duration_text, labels_text, mode_text, route_text
from trainer.sessions.debrief import referral_lines
from trainer.store.reviews import (
    COMMENT,
    Review,
    add_comment,
    correct,
    corrected_labels,
    reviews_of,
)


class TurnCard(Static, can_focus=True):
    """One turn, focusable so the trainer can pick the turn to comment on or correct."""

    def __init__(self, turn: Turn, persona: str, reviews: list[Review]) -> None:
        super().__init__(classes="turn-card", id=f"turn-{turn.index}")
        self.turn = turn
        self.persona = persona
        self.show(reviews)

    def show(self, reviews: list[Review]) -> None:
        self.update(self.render_turn(reviews))

    def render_turn(self, reviews: list[Review]) -> Text:
        turn = self.turn
        body = Text()
        head = text("app.review.turn_head", n=turn.index, node=turn.node, mode=mode_text(turn))
        body.append(head, "bold")
        body.append("\n" + text("app.talk.you") + ": ", "bold")
        body.append(turn.answer + "\n")
        body.append(text("app.review.scores") + " ")
        for skill in SKILLS:
            score = round(turn.scores.get(skill, 0.0) * 100)
            mark = " ✓" if skill in turn.labels else ""
            style = f"bold {SKILL_COLOURS[skill]}" if mark else "dim"
            body.append(f"{skill_name(skill)} {score}%{mark}", style)
            body.append("  ")
        correction = corrected_labels(reviews).get(turn.index)
        if correction is not None and correction.labels is not None:
            body.append("\n")
            body.append(
                text(
                    "app.review.corrected",
                    author=correction.author,
                    labels=labels_text(correction.labels),
                ),
                "bold reverse",
            )
        why = [
            f"{skill_name(s)}: {', '.join(turn.evidence(s))}" for s in SKILLS if turn.evidence(s)
        ]
        if why:
            body.append("\n" + text("app.review.why") + " " + "; ".join(why), "italic")
        route = text("app.review.route", route=route_text(turn), node=turn.state_after.node)
        body.append("\n" + route, "dim")
        body.append(
            "\n"
            + text(
                "app.review.state",
                trust_before=turn.state_before.trust,
                trust_after=turn.state_after.trust,
                mood_before=turn.state_before.mood,
                mood_after=turn.state_after.mood,
            ),
            "dim",
        )
        for line in turn.feedback:
            body.append("\n" + text("app.review.feedback") + " " + " ".join(line.split()))
        for review in reviews:
            if review.kind == COMMENT and review.turn == turn.index:
                body.append("\n" + text("app.review.comment_by", author=review.author), "bold")
                body.append(" " + review.body)
        body.append(f"\n{self.persona}: ", "bold")
        body.append_text(persona_text(" ".join(turn.reply.split())))
        return body


class SessionReviewScreen(AppScreen[None]):
    CSS_PATH = "review.tcss"
    AUTO_FOCUS = "TurnCard"  # the first turn, so the arrows and `o`/`l` work at once
    BINDINGS = [
        Binding("escape", "back", text("app.key.back")),
        Binding("o", "comment_turn", text("app.key.comment_turn")),
        Binding("a", "comment_session", text("app.key.comment_session")),
        Binding("l", "correct", text("app.key.correct")),
        Binding("e", "export", text("app.key.export")),
        # Priority: otherwise the scrolling container takes the arrows before the screen does.
        Binding("down,j", "move(1)", show=False, priority=True),
        Binding("up,k", "move(-1)", show=False, priority=True),
    ]

    def __init__(self, session: str) -> None:
        super().__init__()
        self.session = session
        store = self.app.store
        self.summary = store.summary(session)
        self.turns = store.turns(session)
        self.opening = store.opening(session)
        self.reviews = reviews_of(store, session)
        persona = self.app.content.personas.get(self.summary.persona)
        self.persona_name = persona.name if persona else self.summary.persona
        self.cursor = 0  # the selected turn, 0-based

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="transcript"):
            yield Static(self._summary_text(), id="summary")
            yield Static(id="session-notes")
            yield from self._referrals()
            yield Static(
                Text.assemble((self.persona_name + ": ", "bold"), persona_text(self.opening.reply)),
                classes="opening",
            )
            for turn in self.turns:
                yield TurnCard(turn, self.persona_name, self.reviews)
            if not self.turns:
                yield Static(text("app.review.no_turns"))
        yield Footer()

    def on_mount(self) -> None:
        self._show_notes()

    def _summary_text(self) -> Text:
        s = self.summary
        dialogue = self.app.content.dialogues.get(s.dialogue)
        line = Text(
            text(
                "app.review.summary",
                trainee=s.trainee,
                persona=self.persona_name,
                dialogue=dialogue.title if dialogue else s.dialogue,
                date=short_date(s.started),
                duration=duration_text(s.duration),
                outcome=text(f"outcome.{s.outcome or 'none'}"),
                turns=s.turns,
            )
        )
        line.append("\n")
        for skill in SKILLS:
            line.append(
                f"{skill_name(skill)} {round(s.share(skill) * 100)}%  ",
                SKILL_COLOURS[skill],
            )
        return line

    def _referrals(self) -> ComposeResult:
        """The debrief's judgement of each referral, as the trainee saw it."""
        content = self.app.content
        persona = content.personas.get(self.summary.persona)
        lines = referral_lines(self.turns, persona, content.kaart)
        if lines:
            body = Text(text("app.debrief.referrals"), "bold")
            for _, line in lines:
                body.append("\n• " + line)
            yield Static(body, id="referrals")

    def _show_notes(self) -> None:
        notes = [r for r in self.reviews if r.kind == COMMENT and r.turn is None]
        body = Text(text("app.review.session_notes"), "bold")
        if not notes:
            body.append(" " + text("app.review.no_notes"), "dim")
        for note in notes:
            body.append("\n" + text("app.review.comment_by", author=note.author), "bold")
            body.append(" " + note.body)
        self.query_one("#session-notes", Static).update(body)

    # ------------------------------------------------------------------ helpers

    def focused_turn(self) -> TurnCard | None:
        cards = list(self.query(TurnCard))
        return cards[self.cursor] if cards else None

    def _redraw(self) -> None:
        self.reviews = reviews_of(self.app.store, self.session)
        for card in self.query(TurnCard):
            card.show(self.reviews)
        self._show_notes()

    def _as_reviewer(self, then) -> None:
        """Comments carry the trainer's name: ask it once, then remember it."""
        if self.app.reviewer:
            then(self.app.reviewer)
            return
        from trainer.app.screens.dialogs import TextDialog

        def named(name: str | None) -> None:
            if name:
                self.app.set_reviewer(name)
                then(name)

        self.app.push_screen(
            TextDialog(text("app.review.ask_reviewer"), text("app.welcome.name_placeholder")),
            named,
        )

    # ------------------------------------------------------------------ actions

    def on_descendant_focus(self, event) -> None:
        """Clicks and Tab move the selection too."""
        if isinstance(event.widget, TurnCard):
            self.cursor = event.widget.turn.index - 1

    def action_move(self, step: int) -> None:
        """Select the next or previous turn. Counted here, not read from the focus, because
        focusing happens a moment later and fast key repeats would otherwise be lost."""
        cards = list(self.query(TurnCard))
        if not cards:
            return
        self.cursor = max(0, min(len(cards) - 1, self.cursor + step))
        cards[self.cursor].focus()

    def _comment(self, turn: int | None) -> None:
        from trainer.app.screens.dialogs import TextDialog

        question = (
            text("app.review.ask_comment_turn", n=turn)
            if turn is not None
            else text("app.review.ask_comment_session")
        )

        def write(author: str) -> None:
            def save(body: str | None) -> None:
                if body and body.strip():
                    add_comment(self.app.store, self.session, turn, author, body)
                    self._redraw()
                    self.notify(text("app.review.saved"))

            self.app.push_screen(TextDialog(question, text("app.review.comment_placeholder")), save)

        self._as_reviewer(write)

    def action_comment_turn(self) -> None:
        card = self.focused_turn()
        if card is None:
            self.notify(text("app.review.pick_turn"), severity="warning")
            return
        self._comment(card.turn.index)

    def action_comment_session(self) -> None:
        self._comment(None)

    def action_correct(self) -> None:
        from trainer.app.screens.dialogs import LabelDialog

        card = self.focused_turn()
        if card is None:
            self.notify(text("app.review.pick_turn"), severity="warning")
            return
        turn = card.turn
        current = corrected_labels(self.reviews).get(turn.index)
        labels = current.labels if current and current.labels is not None else turn.labels

        def write(author: str) -> None:
            def save(chosen: tuple[str, ...] | None) -> None:
                if chosen is not None:
                    correct(self.app.store, self.session, turn.index, author, chosen)
                    self._redraw()
                    self.notify(text("app.review.corrected_saved"))

            self.app.push_screen(LabelDialog(turn.answer, labels), save)

        self._as_reviewer(write)

    def action_export(self) -> None:
        self.app.export_report("session", self.session)

    def action_back(self) -> None:
        self.app.pop_screen()
