"""One conversation as a trainee holds it: start or resume, answer, and record every turn.

The terminal `play` command and the Textual app both drive conversations through this class, so
the rules (what is stored when, how a session is resumed) live in one place. Scoring and the
engine step are pure (`compute`), and recording touches the store (`record`): the app runs the
first in a worker thread and the second on the UI thread, which owns the SQLite connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trainer.content.loader import Content
from trainer.content.model import Dialogue, Node, Persona
from trainer.engine.records import Answer, Scorer, State, Turn
from trainer.engine.step import opening, step
from trainer.store.database import Opening, Store

if TYPE_CHECKING:
    from trainer.content.kaart import Kaart


class ConversationError(LookupError):
    """A session that cannot be continued with this content (gone, changed or finished)."""


@dataclass
class Conversation:
    """A session in the store plus where it stands; `turns` are the turns played so far."""

    store: Store
    session: str
    persona: Persona
    dialogue: Dialogue
    trainee: str
    mode: str  # "free" or "choices": how the session was started
    state: State
    opening_reply: str
    turns: list[Turn] = field(default_factory=list)
    kaart: Kaart | None = None  # the content's sociale kaart: services are recognised with it

    @classmethod
    def start(
        cls,
        store: Store,
        persona: Persona,
        dialogue: Dialogue,
        trainee: str,
        mode: str = "free",
        kaart: Kaart | None = None,
    ) -> Conversation:
        """Create the session and commit its opening before the trainee says anything."""
        state, reply = opening(dialogue, persona, trainee)
        session = store.start_session(trainee, persona.id, dialogue.id, mode, Opening(state, reply))
        return cls(store, session, persona, dialogue, trainee, mode, state, reply, kaart=kaart)

    @classmethod
    def resume(cls, store: Store, content: Content, session: str) -> Conversation:
        """Reload an unfinished session exactly where its last committed turn left it."""
        summary = store.summary(session)
        if summary.finished:
            raise ConversationError(f"session {session[:8]} has already ended")
        persona = content.personas.get(summary.persona)
        dialogue = content.dialogues.get(summary.dialogue)
        if persona is None or dialogue is None:
            raise ConversationError(f"session {session[:8]}: persona or dialogue is gone")
        state = store.current_state(session)
        if state.node not in dialogue.nodes:
            raise ConversationError(f"session {session[:8]}: node {state.node!r} is gone")
        return cls(
            store, session, persona, dialogue, summary.trainee, summary.mode, state,
            store.opening(session).reply, store.turns(session), content.kaart,
        )  # fmt: skip

    @property
    def node(self) -> Node:
        return self.dialogue.nodes[self.state.node]

    @property
    def ended(self) -> bool:
        return self.node.end is not None

    @property
    def last_reply(self) -> str:
        return self.turns[-1].reply if self.turns else self.opening_reply

    def offers_choices(self, prefer_choices: bool) -> bool:
        """Whether this node is answered by picking: asked for, or the node has no routes."""
        return bool(self.node.choices) and (prefer_choices or not self.node.routes)

    def compute(self, answer: Answer, scorer: Scorer | None) -> Turn:
        """Score and step without touching the store (safe in a worker thread)."""
        return step(
            self.dialogue, self.persona, self.state, answer, scorer, self.trainee, self.kaart
        )

    def record(self, turn: Turn) -> None:
        """Commit the turn, then move on: a crash after this line loses nothing."""
        self.store.add_turn(self.session, turn)
        self.turns.append(turn)
        self.state = turn.state_after

    def answer(self, answer: Answer, scorer: Scorer | None) -> Turn:
        turn = self.compute(answer, scorer)
        self.record(turn)
        return turn

    def save_draft(self, text: str) -> None:
        self.store.save_draft(self.session, text)

    def draft(self) -> str | None:
        return self.store.draft(self.session)
