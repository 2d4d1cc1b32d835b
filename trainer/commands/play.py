"""`buurttrainer play`: a conversation in the plain terminal, recorded in the store.

Interactive at a terminal; when stdin is a pipe or file it reads one answer per line, so a
conversation can be scripted with `printf`. `--script` plays playthrough files. Each turn is
committed before the next prompt, so stopping (q, end of input, Ctrl-C, or a kill) loses nothing
and `--resume` continues where the session stood.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path
from typing import TextIO

from trainer.commands import load, open_store, pick_dialogue, pick_persona
from trainer.content.loader import Content
from trainer.content.model import Dialogue, Node, Persona
from trainer.engine.records import MAX_ANSWER_CHARS, Answer, EngineError, Scorer, State, Turn
from trainer.errors import UserError
from trainer.messages import text
from trainer.sessions.conversation import Conversation, ConversationError
from trainer.store.database import Opening, Store

WIDTH = 78
DEFAULT_TRAINEE = "gast"


class Printer:
    """Writes the transcript: persona lines, the trainee's answers and the feedback."""

    def __init__(self, persona: Persona, out: TextIO | None = None) -> None:
        self.persona = persona
        self.out = out or sys.stdout

    def line(self, value: str = "") -> None:
        print(value, file=self.out, flush=True)

    def persona_says(self, reply: str) -> None:
        label = f"{self.persona.name}: "
        indent = " " * len(label)
        body = []
        for paragraph in reply.splitlines() or [""]:
            body.extend(textwrap.wrap(paragraph, WIDTH - len(label)) or [""])
        self.line(label + body[0])
        for rest in body[1:]:
            self.line(indent + rest)
        self.line()

    def options(self, node: Node) -> None:
        for number, choice in enumerate(node.choices, start=1):
            wrapped = textwrap.wrap(choice.text, WIDTH - 6) or [""]
            self.line(f"  {number}. {wrapped[0]}")
            for rest in wrapped[1:]:
                self.line(f"     {rest}")
        self.line()

    def turn(self, turn: Turn) -> None:
        label = f"{text('play.you')}: "
        wrapped = textwrap.wrap(turn.answer, WIDTH - len(label)) or [""]
        self.line(label + wrapped[0])
        for rest in wrapped[1:]:
            self.line(" " * len(label) + rest)
        skills = ", ".join(text(f"skill.{s}") for s in turn.labels) or text("play.no_skills")
        self.line(f"  {text('play.skills')}: {skills}")
        for skill in turn.labels:
            words = turn.evidence(skill)
            if words:
                self.line(
                    "  "
                    + text("play.evidence", skill=text(f"skill.{skill}"), words=", ".join(words))
                )
        for point in turn.feedback:
            self.line(f"  {text('play.feedback')}: {point}")
        before, after = turn.state_before.trust, turn.state_after.trust
        if before != after:
            self.line("  " + text("play.trust", before=before, after=after))
        self.line()
        self.persona_says(turn.reply)

    def ending(self, dialogue: Dialogue, state: State) -> None:
        node = dialogue.nodes[state.node]
        assert node.end is not None
        self.line(text("play.ended", outcome=text(f"outcome.{node.end.outcome}")))
        self.line(f"{text('play.debrief')}:")
        for paragraph in node.end.debrief.splitlines():
            for row in textwrap.wrap(paragraph, WIDTH - 2) or [""]:
                self.line(f"  {row}")


class AnswerSource:
    """Answers from the keyboard (with prompts) or from piped lines (without)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdin
        self.interactive = self.stream.isatty()

    def read(self, prompt: str) -> str | None:
        """The next answer, or None at the end of input or on 'q'."""
        try:
            raw = input(prompt) if self.interactive else self.stream.readline()
        except EOFError:
            return None
        if not self.interactive and raw == "":
            return None
        answer = raw.strip()
        return None if answer.lower() in ("q", ":q", "stop") else answer


def run(args: argparse.Namespace) -> int:
    content = load(args)
    with open_store(args) as store:
        trainee = args.trainee or store.setting("trainee") or DEFAULT_TRAINEE
        if args.trainee:
            store.set_setting("trainee", trainee)
        if args.script:
            return _run_script(args, content, store, trainee)
        if args.resume:
            return _resume(args, content, store, trainee)
        if not args.persona:
            raise UserError("geef een persona, bijvoorbeeld: buurttrainer play lodewijk")
        persona = pick_persona(content, args.persona)
        dialogue = pick_dialogue(content, persona, args.dialogue)
        mode = "choices" if args.choices else "free"
        conversation = Conversation.start(store, persona, dialogue, trainee, mode, content.kaart)
        printer = Printer(persona)
        printer.line(text("play.header", name=persona.name, title=dialogue.title))
        printer.line(f"({text('play.session', session=conversation.session[:8])})")
        printer.line()
        printer.persona_says(conversation.opening_reply)
        return _converse(content, conversation, args.choices, printer)


def _scorer_for(mode: str, content: Content, store: Store | None = None) -> Scorer | None:
    """The classifier, with the store's trainer corrections when playing for real. Scripted
    playthroughs pass no store: content tests must not change with what a trainer corrected."""
    if mode == "choices":
        return None
    from trainer.scoring import default_scorer
    from trainer.store.reviews import corrections

    return default_scorer(content.root, corrections(store) if store else ()).explaining()


def _converse(
    content: Content, conversation: Conversation, prefer_choices: bool, printer: Printer
) -> int:
    """Ask for answers until an ending or until the trainee stops; each turn is committed."""
    mode = "choices" if prefer_choices else conversation.mode
    scorer = _scorer_for(mode, content, conversation.store)
    source = AnswerSource()
    session = conversation.session
    while not conversation.ended:
        node = conversation.node
        use_choices = conversation.offers_choices(mode == "choices")
        if use_choices:
            printer.options(node)
        prompt = (
            text("play.prompt_choice", n=len(node.choices))
            if use_choices
            else text("play.prompt_free")
        )
        raw = source.read(prompt)
        if raw is None:
            printer.line()
            printer.line(text("play.stopped", session=session[:8]))
            return 0
        if not raw:
            continue
        if use_choices:
            if not raw.isdigit() or not 1 <= int(raw) <= len(node.choices):
                printer.line(text("play.invalid_choice", n=len(node.choices)))
                continue
            answer = Answer.pick(int(raw) - 1)
        elif len(raw) > MAX_ANSWER_CHARS:  # a paste accident: say so and ask again
            printer.line(text("engine.answer_too_long", length=len(raw), limit=MAX_ANSWER_CHARS))
            continue
        else:
            conversation.save_draft(raw)
            answer = Answer(raw)
        try:
            turn = conversation.answer(answer, scorer)
        except EngineError as exc:
            raise UserError(str(exc)) from exc
        printer.turn(turn)
    printer.ending(conversation.dialogue, conversation.state)
    return 0


def _resume(args: argparse.Namespace, content: Content, store: Store, trainee: str) -> int:
    if args.resume == "latest":
        rows = store.list_sessions(
            trainee=args.trainee or trainee, persona=args.persona, unfinished=True, limit=1
        )
        if not rows:
            raise UserError(text("cli.no_resumable"))
        session = rows[0].id
    else:
        try:
            session = store.resolve(args.resume)
        except KeyError as exc:
            raise UserError(text("cli.unknown_session", session=args.resume)) from exc
        except LookupError as exc:
            raise UserError(text("cli.ambiguous_session", session=args.resume)) from exc
    if store.summary(session).finished:
        raise UserError(text("cli.session_finished", session=session[:8]))
    try:
        conversation = Conversation.resume(store, content, session)
    except ConversationError as exc:
        raise UserError(text("cli.content_errors")) from exc
    printer = Printer(conversation.persona)
    printer.line(
        text("play.header", name=conversation.persona.name, title=conversation.dialogue.title)
    )
    printer.line(text("play.resumed", session=session[:8], turn=conversation.state.turn + 1))
    printer.line()
    printer.persona_says(conversation.opening_reply)
    for turn in conversation.turns:
        printer.turn(turn)
    return _converse(content, conversation, args.choices, printer)


def _run_script(args: argparse.Namespace, content: Content, store: Store, trainee: str) -> int:
    from trainer.engine.playthrough import load_playthroughs, run_playthrough

    path = Path(args.script)
    if not path.is_file():
        raise UserError(text("cli.file_not_found", path=path))
    playthroughs, problems = load_playthroughs(path, content)
    if any(p.severity == "error" for p in problems):
        for problem in problems:
            print(problem.render(), file=sys.stderr)
        return 1
    passed = 0
    for playthrough in playthroughs:
        dialogue = content.dialogues[playthrough.dialogue]
        persona = content.personas[dialogue.persona]
        if args.persona and args.persona != persona.id:
            raise UserError(f"{path} hoort bij persona '{persona.id}', niet bij '{args.persona}'")
        mode = "choices" if all(a.choice is not None for a in playthrough.answers) else "free"
        printer = Printer(persona)
        printer.line(f"=== {playthrough.name} ===")
        recorder = _Recorder(store, trainee, persona, dialogue, mode, printer)
        scorer = _scorer_for(mode, content)
        result = run_playthrough(
            playthrough, dialogue, persona, scorer, trainee, recorder.start, recorder.turn,
            content.kaart,
        )  # fmt: skip
        if result.outcome is not None:
            printer.ending(dialogue, result.turns[-1].state_after)
        printer.line()
        if result.passed:
            passed += 1
            printer.line(text("play.script_pass", name=playthrough.name))
        else:
            printer.line(text("play.script_fail", name=playthrough.name))
            if playthrough.path is not None and tuple(result.path) != playthrough.path:
                printer.line(text("play.expected_path", path=" > ".join(playthrough.path)))
                printer.line(text("play.actual_path", path=" > ".join(result.path)))
            if playthrough.outcome is not None and result.outcome != playthrough.outcome:
                printer.line(
                    text(
                        "play.expected_outcome",
                        expected=playthrough.outcome,
                        actual=result.outcome or "-",
                    )
                )
            if result.error:
                printer.line(text("play.script_error", message=result.error))
        printer.line()
    print(text("play.script_summary", passed=passed, total=len(playthroughs)))
    return 0 if passed == len(playthroughs) else 1


class _Recorder:
    """Records a scripted playthrough in the store as it is played, and prints it."""

    def __init__(
        self, store: Store, trainee: str, persona: Persona, dialogue: Dialogue, mode: str,
        printer: Printer,
    ) -> None:  # fmt: skip
        self.store, self.trainee, self.printer = store, trainee, printer
        self.persona, self.dialogue, self.mode = persona, dialogue, mode
        self.session = ""

    def start(self, state: State, reply: str) -> None:
        self.session = self.store.start_session(
            self.trainee, self.persona.id, self.dialogue.id, self.mode, Opening(state, reply)
        )
        self.printer.persona_says(reply)

    def turn(self, turn: Turn) -> None:
        self.store.add_turn(self.session, turn)
        self.printer.turn(turn)
