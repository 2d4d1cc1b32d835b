"""The trainee app, driven with Textual's Pilot as a trainee would use it.

Every test runs on its own store; the classifier is replaced by a scorer that gives the skills a
playthrough fixes, so the tests are about the app, not about the model.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from tests.conftest import MINI, ROOT
from trainer.app.main import BuurttrainerApp
from trainer.app.screens.debrief import DebriefScreen
from trainer.app.screens.dialogs import ConfirmDialog
from trainer.app.screens.help import HelpScreen
from trainer.app.screens.picker import PickerScreen
from trainer.app.screens.progress import ProgressScreen
from trainer.app.screens.talk import TalkScreen
from trainer.app.screens.welcome import WelcomeScreen
from trainer.content.loader import Content, load_content
from trainer.engine.playthrough import Playthrough, load_playthroughs
from trainer.engine.records import Assessment, fixed_assessment
from trainer.store.database import Store

ANNA_TESTS = ROOT / "dialogues" / "anna-na-het-ontslag.tests.yaml"


class ScriptScorer:
    """Gives each typed answer the skills its playthrough fixes (none for unknown text)."""

    version = "script"

    def __init__(self, skills: dict[str, frozenset[str]] | None = None) -> None:
        self.skills = skills or {}

    def assess(self, text: str) -> Assessment:
        return fixed_assessment(self.skills.get(text, frozenset()), self.version)


def scripted(playthroughs: list[Playthrough]) -> ScriptScorer:
    return ScriptScorer(
        {a.text: a.skills for p in playthroughs for a in p.answers if a.skills is not None}
    )


def make_app(
    data: Path, content: Content, scorer: object | None = None, trainee: str | None = "Sanne"
) -> BuurttrainerApp:
    store = Store(data)
    if trainee:
        store.set_setting("trainee", trainee)

    def factory(_: Content) -> object:
        return scorer or ScriptScorer()

    return BuurttrainerApp(content, store, scorer_factory=factory)


def run(app: BuurttrainerApp, script: Callable[[Pilot], Awaitable[None]], size=(100, 30)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await script(pilot)
        app.store.close()

    asyncio.run(main())


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot: Pilot, condition: Callable[[], bool], seconds: float = 10) -> None:
    """Pause until the condition holds (for workers that are meant to fail)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached")


async def open_persona(pilot: Pilot, number: int = 1) -> TalkScreen:
    await pilot.press("o")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PickerScreen)
    for _ in range(number - 1):
        await pilot.press("down")
    await pilot.press("b")
    await pilot.pause()
    assert isinstance(pilot.app.screen, TalkScreen)
    return pilot.app.screen


async def answer(pilot: Pilot, reply: object) -> None:
    """Give one playthrough answer the way a trainee would: a number key or typed text."""
    screen = pilot.app.screen
    assert isinstance(screen, TalkScreen)
    wants_choices = reply.choice is not None
    if pilot.app.prefer_choices != wants_choices:
        await pilot.press("f2")
        await pilot.pause()
    if wants_choices:
        assert screen.query_one("#choices", OptionList).display
        await pilot.press(str(reply.choice + 1))
    else:
        field = screen.query_one("#answer", Input)
        assert field.display and field.has_focus
        field.value = reply.text
        await pilot.press("enter")
    await settle(pilot)


def anna_playthroughs() -> list[Playthrough]:
    playthroughs, problems = load_playthroughs(ANNA_TESTS, load_content(ROOT))
    assert not problems
    return playthroughs


@pytest.mark.parametrize("playthrough", anna_playthroughs(), ids=lambda p: p.name)
def test_every_anna_playthrough_reaches_its_ending_in_the_app(
    playthrough: Playthrough, data_dir: Path
) -> None:
    content = load_content(ROOT)
    app = make_app(data_dir, content, scripted([playthrough]))

    async def script(pilot: Pilot) -> None:
        talk = await open_persona(pilot, number=_picker_position(pilot, "anna"))
        for reply in playthrough.answers:
            await answer(pilot, reply)
        conversation = talk.conversation
        assert conversation.ended
        assert [t.node for t in conversation.turns] + [conversation.state.node] == list(
            playthrough.path
        )
        # The store holds the same ending the screen shows, the moment it was reached.
        summary = app.store.summary(conversation.session)
        assert summary.outcome == playthrough.outcome and summary.finished
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)

    run(app, script)


def _picker_position(pilot: Pilot, persona: str) -> int:
    from trainer.app.screens.picker import suggested_order

    content = pilot.app.content
    order = suggested_order([p for p in content.personas.values() if content.dialogues_for(p.id)])
    return [p.id for p in order].index(persona) + 1


def test_anna_playthroughs_cover_every_ending() -> None:
    dialogue = load_content(ROOT).dialogues["anna-na-het-ontslag"]
    reached = {p.path[-1] for p in anna_playthroughs() if p.path}
    assert {n.id for n in dialogue.endings()} <= reached
    kinds = {p.answers[0].choice is None for p in anna_playthroughs()}
    assert kinds == {True, False}, "both choices and free text are played"


def test_first_run_asks_a_name_and_remembers_it(data_dir: Path) -> None:
    app = make_app(data_dir, load_content(MINI), trainee=None)

    async def script(pilot: Pilot) -> None:
        screen = app.screen
        assert isinstance(screen, WelcomeScreen)
        assert screen.query_one("#intro").display, "skills are explained on the first run"
        await pilot.press("o")  # typed into the name field, not 'oefenen'
        assert isinstance(app.screen, WelcomeScreen)
        screen.query_one("#name", Input).value = "Fatima"
        await pilot.press("enter")
        await pilot.pause()
        assert not screen.query_one("#intro").display

    run(app, script)
    again = Store(data_dir)
    assert again.setting("trainee") == "Fatima"
    assert "Fatima" in again.trainees()
    again.close()


def test_switching_trainee_from_the_welcome_screen(data_dir: Path) -> None:
    app = make_app(data_dir, load_content(MINI))

    async def script(pilot: Pilot) -> None:
        await pilot.press("d")
        await pilot.pause()
        app.screen.query_one("#new-name", Input).value = "Kees"
        await pilot.press("enter")
        await pilot.pause()
        assert app.trainee == "Kees"
        assert "Kees" in str(app.screen.query_one("#who").render())

    run(app, script)


def test_resume_continues_where_the_trainee_left(data_dir: Path) -> None:
    content = load_content(MINI)
    first = make_app(data_dir, content)

    async def leave_after_one_answer(pilot: Pilot) -> None:
        await open_persona(pilot)
        await pilot.press("f2")
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(first.screen, ConfirmDialog), "leaving asks first"
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(first.screen, TalkScreen)
        await pilot.press("escape")
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(first.screen, PickerScreen)
        assert first.screen.query_one("#resume").display

    run(first, leave_after_one_answer)
    second = make_app(data_dir, content)

    async def resume(pilot: Pilot) -> None:
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        talk = second.screen
        assert isinstance(talk, TalkScreen)
        assert talk.conversation.state.node == "knie" and len(talk.conversation.turns) == 1
        shown = " ".join(str(w.render()) for w in talk.query(".trainee-line"))
        assert "Hoe gaat het met u?" in shown
        await pilot.press("1")
        await settle(pilot)
        assert talk.conversation.ended

    run(second, resume)
    store = Store(data_dir)
    (session,) = store.list_sessions()
    assert session.outcome == "connected" and session.turns == 2
    store.close()


class BlockingScorer:
    """A classifier that never finishes loading: the answer must wait, not be lost."""

    version = "never"

    def __init__(self) -> None:
        self.release = threading.Event()

    def __call__(self, _: Content) -> ScriptScorer:
        self.release.wait(30)
        raise RuntimeError("gestopt")


def test_answer_typed_while_the_classifier_loads_is_kept(data_dir: Path) -> None:
    content = load_content(MINI)
    blocking = BlockingScorer()
    store = Store(data_dir)
    store.set_setting("trainee", "Sanne")
    app = BuurttrainerApp(content, store, scorer_factory=blocking)

    async def main() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            talk = await open_persona(pilot)
            talk.query_one("#answer", Input).value = "Hoe gaat het met u?"
            await pilot.press("enter")
            await pilot.pause()
            assert "geladen" in str(talk.query_one("#status").render())
            # The UI stays responsive while the answer waits for the classifier.
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            assert talk.conversation.draft() == "Hoe gaat het met u?"
            blocking.release.set()
            await wait_until(pilot, lambda: not talk.busy)
            field = talk.query_one("#answer", Input)
            assert field.value == "Hoe gaat het met u?" and not field.disabled
            assert app.scorer_state == "failed"

    asyncio.run(main())
    store.close()
    again = Store(data_dir)
    (session,) = again.list_sessions()
    assert again.draft(session.id) == "Hoe gaat het met u?", "a crash now would lose nothing"
    again.close()


def test_draft_is_offered_again_on_resume(data_dir: Path) -> None:
    content = load_content(MINI)
    store = Store(data_dir)
    from trainer.sessions.conversation import Conversation

    conversation = Conversation.start(
        store, content.personas["henk"], content.dialogues["henk-kennismaking"], "Sanne"
    )
    conversation.save_draft("Wat fijn dat u opendoet")
    store.close()
    app = make_app(data_dir, content)

    async def script(pilot: Pilot) -> None:
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert app.screen.query_one("#answer", Input).value == "Wat fijn dat u opendoet"

    run(app, script)


def test_coach_mode_shows_skills_and_feedback_and_can_be_switched_off(data_dir: Path) -> None:
    content = load_content(MINI)
    scorer = ScriptScorer({"Hoe gaat het met u?": frozenset({"listening"})})
    app = make_app(data_dir, content, scorer)

    async def script(pilot: Pilot) -> None:
        talk = await open_persona(pilot)
        talk.query_one("#answer", Input).value = "Hoe gaat het met u?"
        await pilot.press("enter")
        await settle(pilot)
        chips = [str(c.render()) for c in talk.query(".coach .chip")]
        assert chips == ["luisteren"]
        feedback = [str(f.render()) for f in talk.query(".coach .feedback")]
        assert feedback == ["• Je nodigt hem uit om te vertellen."]
        assert talk.query_one(".coach").display and talk.query_one("#legend-box").display
        await pilot.press("f3")
        await pilot.pause()
        assert not app.coach
        assert talk.query_one("#transcript").has_class("-nocoach")
        assert not talk.query_one("#legend-box").display
        await pilot.press("f4")
        await pilot.pause()
        assert talk.query_one("#hint").display
        assert "knie" in " ".join(str(n.render()) for n in talk.query(".need"))
        # Trust moved and the meter shows the change.
        meter = talk.query_one("#trust")
        assert meter.value == 50 and meter.delta == 10 and meter.has_class("-up")

    run(app, script)
    store = Store(data_dir)
    assert store.setting("coach") == "0", "coach mode is remembered"
    store.close()


def test_progress_lists_sessions_and_opens_a_debrief(data_dir: Path) -> None:
    content = load_content(MINI)
    app = make_app(data_dir, content)

    async def script(pilot: Pilot) -> None:
        await open_persona(pilot)
        await pilot.press("f2", "1", "2")
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        bars = [str(b.render()) for b in debrief.query(".skill-bar")]
        assert "2 van 2 antwoorden" in bars[0] and "0 van 2" in bars[1] and "1 van 2" in bars[2]
        await pilot.press("v")
        await pilot.pause()
        progress = app.screen
        assert isinstance(progress, ProgressScreen)
        assert progress.query_one("#sessions").row_count == 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)

    run(app, script)


def test_debrief_again_starts_a_new_session(data_dir: Path) -> None:
    app = make_app(data_dir, load_content(MINI))

    async def script(pilot: Pilot) -> None:
        await open_persona(pilot)
        await pilot.press("f2", "2")
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, TalkScreen) and not app.screen.conversation.turns
        assert len(app.store.list_sessions()) == 2

    run(app, script)


def test_command_palette_offers_the_main_actions(data_dir: Path) -> None:
    app = make_app(data_dir, load_content(MINI))

    async def script(pilot: Pilot) -> None:
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Oefenen", "Mijn voortgang", "Andere deelnemer", "Hulp"} <= titles
        talk = await open_persona(pilot)
        titles = {c.title for c in app.get_system_commands(talk)}
        assert {"Coach aan/uit", "Keuzes of vrije tekst", "Hint"} <= titles

    run(app, script)


def test_theme_toggle_is_remembered(data_dir: Path) -> None:
    app = make_app(data_dir, load_content(MINI))

    async def script(pilot: Pilot) -> None:
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"

    run(app, script)
    store = Store(data_dir)
    assert store.setting("theme") == "textual-light"
    store.close()


def test_typed_markup_is_shown_literally(data_dir: Path) -> None:
    app = make_app(data_dir, load_content(MINI))

    async def script(pilot: Pilot) -> None:
        talk = await open_persona(pilot)
        talk.query_one("#answer", Input).value = "[bold]hallo[/bold] [link=x]"
        await pilot.press("enter")
        await settle(pilot)
        line = talk.query(".trainee-line").last()
        assert "[bold]hallo[/bold] [link=x]" in str(line.render())

    run(app, script)


def test_app_does_not_block_on_the_classifier_at_start(data_dir: Path) -> None:
    """The welcome screen is usable while the classifier is still loading."""
    blocking = BlockingScorer()
    store = Store(data_dir)
    store.set_setting("trainee", "Sanne")
    app = BuurttrainerApp(load_content(MINI), store, scorer_factory=blocking)

    async def main() -> None:
        async with app.run_test() as pilot:
            await pilot.pause()
            assert app.scorer_state == "loading"
            await pilot.press("o")
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)
            blocking.release.set()

    asyncio.run(main())
    store.close()


def test_quitting_keeps_what_was_typed_as_the_draft(data_dir: Path) -> None:
    """Typed but not sent, then the app ends (Ctrl+Q, or a served tab whose server stops):
    the text is the draft that the resumed conversation shows."""
    content = load_content(MINI)
    app = make_app(data_dir, content)

    async def script(pilot: Pilot) -> None:
        screen = await open_persona(pilot)
        if pilot.app.prefer_choices:
            await pilot.press("f2")
            await pilot.pause()
        await pilot.press(*"hoe gaat het")
        await pilot.pause()
        assert screen.query_one("#answer", Input).value == "hoe gaat het"
        app.exit()

    run(app, script)
    with Store(data_dir) as store:
        (session,) = store.list_sessions()
        assert store.draft(session.id) == "hoe gaat het"
