"""Author preview: try a dialogue from any node with any trust, mood and flags, and see which
way an answer goes and why (the scores, and per route which conditions held).

The dialogue file is watched: a saved change reloads it. If the new version has errors, they
are shown here and the last good version stays in use, so an author can keep typing.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from trainer.app.screens.base import AppScreen
from trainer.app.widgets import persona_text, skill_name
from trainer.content.loader import Content, load_content
from trainer.content.model import SKILLS, Dialogue
from trainer.engine.preview import check_routes
from trainer.engine.records import Answer, Assessment, EngineError, State
from trainer.engine.step import say, step
from trainer.messages import text

WATCH_SECONDS = 1.0


class _Scored:
    """A scorer that returns an assessment already made (scored in a worker)."""

    def __init__(self, assessment: Assessment) -> None:
        self.assessment = assessment

    @property
    def version(self) -> str:
        return self.assessment.model

    def assess(self, _: str) -> Assessment:
        return self.assessment


class AuthorScreen(AppScreen[None]):
    CSS_PATH = "author.tcss"
    BINDINGS = [
        Binding("escape", "back", text("app.key.back")),
        Binding("ctrl+z", "undo", text("app.key.step_back")),
        Binding("ctrl+r", "reload", text("app.key.reload")),
    ]

    def __init__(self, dialogue_id: str | None = None) -> None:
        super().__init__()
        content: Content = self.app.content
        self.content = content
        ids = sorted(content.dialogues)
        default = ids[0] if ids else None
        self.dialogue_id: str | None = dialogue_id if dialogue_id in content.dialogues else default
        self.state: State | None = None
        self.history: list[State] = []
        self.stamp = 0.0

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="side"):
                yield Select(
                    [(d.title, d.id) for d in sorted(self.content.dialogues.values(),
                                                     key=lambda d: d.title)],
                    value=self.dialogue_id or Select.NULL,
                    prompt=text("app.author.pick_dialogue"),
                    id="dialogue",
                )  # fmt: skip
                yield Static(text("app.author.nodes"), classes="label")
                yield OptionList(id="nodes")
                yield Static(text("app.author.state"), classes="label")
                with Horizontal(id="numbers"):
                    yield Input(placeholder=text("app.author.trust"), id="trust", type="integer")
                    yield Input(placeholder=text("app.author.mood"), id="mood", type="integer")
                yield Input(placeholder=text("app.author.flags"), id="flags")
            with VerticalScroll(id="stage"):
                yield Static(id="problems")
                yield Static(id="where")
                yield Static(id="says")
                yield OptionList(id="choices")
                yield Input(placeholder=text("app.author.type"), id="answer", max_length=2000)
                yield Static(id="why")
                yield Static(id="unmatched")
        yield Footer()

    def on_mount(self) -> None:
        if self.dialogue_id is None:
            self.query_one("#where", Static).update(text("app.author.no_dialogues"))
            return
        self.open_dialogue(self.dialogue_id)
        self.set_interval(WATCH_SECONDS, self.check_file)

    @property
    def dialogue(self) -> Dialogue:
        """The open dialogue: only asked for once one is open."""
        assert self.dialogue_id is not None
        return self.content.dialogues[self.dialogue_id]

    def open_dialogue(self, dialogue_id: str, node: str | None = None) -> None:
        self.dialogue_id = dialogue_id
        dialogue = self.dialogue
        persona = self.content.personas[dialogue.persona]
        self.stamp = self._mtime()
        self.history.clear()
        self.state = State(node or dialogue.start, persona.start_trust, persona.start_mood)
        nodes = self.query_one("#nodes", OptionList)
        nodes.clear_options()
        nodes.add_options(
            Option(n.id + (" ■" if n.end else ""), id=n.id) for n in dialogue.nodes.values()
        )
        self.show_problems()
        self.show()

    # ------------------------------------------------------------------ showing

    def show(self) -> None:
        state, dialogue = self.state, self.dialogue
        assert state is not None
        persona = self.content.personas[dialogue.persona]
        self.query_one("#trust", Input).value = str(state.trust)
        self.query_one("#mood", Input).value = str(state.mood)
        self.query_one("#flags", Input).value = ", ".join(sorted(state.flags))
        where = Text(text("app.author.where", node=state.node, turn=state.turn), "bold")
        where.append("  " + text("app.author.values", trust=state.trust, mood=state.mood))
        self.query_one("#where", Static).update(where)
        node = dialogue.nodes[state.node]
        try:
            line = say(dialogue, persona, state, self.app.trainee or "Sam")
        except Exception as exc:  # a template that fails in this state: show, never crash
            line = text("app.author.say_failed", reason=exc)
        says = Text.assemble((persona.name + ": ", "bold"), persona_text(line))
        if node.end is not None:
            says.append("\n" + text("app.author.ending", outcome=node.end.outcome), "bold")
        self.query_one("#says", Static).update(says)
        choices = self.query_one("#choices", OptionList)
        choices.clear_options()
        for number, choice in enumerate(node.choices, start=1):
            skills = ", ".join(skill_name(s) for s in SKILLS if s in choice.skills) or "-"
            choices.add_option(
                Option(Text(f"{number}. {choice.text}  [{skills}] → {choice.next}"), id=str(number))
            )
        choices.display = bool(node.choices)
        self.query_one("#answer", Input).display = bool(node.routes)
        self.show_unmatched()

    def show_unmatched(self) -> None:
        """What trainees typed here that the dialogue did not foresee: ideas for routes."""
        from trainer.sessions.unmatched import collect

        assert self.state is not None
        found = collect(self.app.store, self.content, self.dialogue_id, self.state.node)[:8]
        box = self.query_one("#unmatched", Static)
        box.display = bool(found)
        if found:
            body = Text(text("app.author.unmatched"), "bold")
            for item in found:
                reasons = ", ".join(text(f"unmatched.{r}") for r in sorted(item.reasons))
                body.append(f"\n{item.count}x  {item.answer}  ({reasons})")
            box.update(body)

    def show_problems(self) -> None:
        path = self.dialogue.path
        found = [
            p for p in self.content.problems if path is not None and Path(p.path).name == path.name
        ]
        box = self.query_one("#problems", Static)
        box.display = bool(found)
        if found:
            body = Text(text("app.author.problems"), "bold red")
            for problem in found:
                body.append("\n" + problem.render())
            box.update(body)

    def explain(self, before: State, assessment: Assessment, taken_to: str | None) -> None:
        """Scores and, per route, each condition held (✓) or not (✗)."""
        node = self.dialogue.nodes[before.node]
        body = Text(text("app.author.scores") + " ", "bold")
        for skill in SKILLS:
            mark = " ✓" if skill in assessment.labels else ""
            body.append(
                f"{skill_name(skill)} {round(assessment.scores.get(skill, 0) * 100)}%{mark}  "
            )
        if assessment.facts and self.content.kaart is not None:
            names = self.content.kaart.names(assessment.services) or "-"
            body.append("\n" + text("app.author.services", services=names))
        for route in check_routes(node, assessment, before):
            line = Text(f"\nr{route.index} ", "bold" if route.taken else "dim")
            if route.fallback:
                line.append(text("route.otherwise"))
            for number, clause in enumerate(route.clauses):
                line.append("  " if number else "")
                line.append(
                    f"{'✓' if clause.held else '✗'} {clause.source}",
                    "green" if clause.held else "red",
                )
            line.append(f" → {route.next}")
            if route.taken:
                line.append("  ◀ " + text("app.author.taken"), "bold")
            body.append_text(line)
        if taken_to:
            body.append("\n" + text("app.author.went", node=taken_to), "bold")
        self.query_one("#why", Static).update(body)

    # ------------------------------------------------------------------ playing

    def play(self, answer: Answer, assessment: Assessment | None) -> None:
        state = self.state
        assert state is not None
        persona = self.content.personas[self.dialogue.persona]
        scorer = _Scored(assessment) if assessment is not None else None
        try:
            turn = step(
                self.dialogue, persona, state, answer, scorer, self.app.trainee or "Sam",
                self.content.kaart,
            )  # fmt: skip
        except EngineError as exc:
            self.notify(str(exc), severity="error")
            return
        self.history.append(state)
        self.state = turn.state_after
        if assessment is not None:
            fact = turn.extra.get("service_fact")
            shown = replace(
                assessment,
                services=tuple(turn.extra.get("services", ())),
                facts=frozenset({fact}) if fact else frozenset(),
            )
            self.explain(state, shown, turn.state_after.node)
        elif answer.choice is not None:  # no assessment: a picked choice (step needs one for text)
            self.query_one("#why", Static).update(
                Text(text("app.author.chose", n=answer.choice + 1, node=turn.state_after.node))
            )
        self.show()

    @on(OptionList.OptionSelected, "#choices")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.play(Answer.pick(event.option_index), None)

    @on(Input.Submitted, "#answer")
    def typed(self, event: Input.Submitted) -> None:
        answer = event.value.strip()
        if not answer:
            return
        event.input.value = ""
        self.score(answer)

    @work(thread=True, exclusive=True, group="author-score", exit_on_error=False)
    def score(self, answer: str) -> None:
        """Scoring waits for the classifier (loading in its own worker at start-up)."""
        scorer = self.app.wait_for_scorer()
        assessment = scorer.assess(answer)
        self.app.call_from_thread(self.play, Answer(answer), assessment)

    @on(OptionList.OptionSelected, "#nodes")
    def jump(self, event: OptionList.OptionSelected) -> None:
        """Start at any node, keeping trust, mood and flags."""
        assert self.state is not None
        self.history.append(self.state)
        self.state = replace(self.state, node=str(event.option.id))
        self.query_one("#why", Static).update("")
        self.show()

    @on(Input.Submitted, "#trust, #mood, #flags")
    def set_state(self) -> None:
        assert self.state is not None
        values: dict[str, int] = {}
        for key in ("trust", "mood"):
            raw = self.query_one(f"#{key}", Input).value.strip()
            values[key] = max(0, min(100, int(raw))) if raw.lstrip("-").isdigit() else getattr(
                self.state, key
            )  # fmt: skip
        raw_flags = self.query_one("#flags", Input).value
        flags = frozenset(f.strip() for f in raw_flags.replace(",", " ").split() if f.strip())
        self.history.append(self.state)
        self.state = replace(self.state, trust=values["trust"], mood=values["mood"], flags=flags)
        self.show()

    @on(Select.Changed, "#dialogue")
    def dialogue_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.dialogue_id:
            self.open_dialogue(event.value)

    def action_undo(self) -> None:
        if self.history:
            self.state = self.history.pop()
            self.query_one("#why", Static).update(text("app.author.stepped_back"))
            self.show()

    # ------------------------------------------------------------------ watching the file

    def _mtime(self) -> float:
        path = self.dialogue.path
        try:
            return path.stat().st_mtime if path else 0.0
        except OSError:
            return 0.0

    def check_file(self) -> None:
        if self.dialogue_id is not None and self._mtime() != self.stamp:
            self.action_reload()

    def action_reload(self) -> None:
        """Reload the content; keep the last good dialogue if the new one has errors."""
        fresh = load_content(self.content.root)
        old = self.dialogue
        self.stamp = self._mtime()
        if self.dialogue_id in fresh.dialogues:
            self.content = fresh
            node = (
                self.state.node if self.state and self.state.node in self.dialogue.nodes else None
            )
            keep = self.state
            self.open_dialogue(self.dialogue_id, node)
            if keep is not None and node is not None:
                self.state = replace(keep, node=node)
                self.show()
            self.notify(text("app.author.reloaded"))
        else:
            fresh.dialogues[old.id] = old  # the last good version stays playable
            self.content = fresh
            self.show_problems()
            self.notify(text("app.author.reload_failed"), severity="warning")

    def action_back(self) -> None:
        self.app.pop_screen()
