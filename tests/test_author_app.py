"""The author preview, driven with Pilot as an author would: start anywhere, answer, see why,
step back, and edit the file while the preview is open."""

from __future__ import annotations

import os
from pathlib import Path

from textual.widgets import Input, OptionList, Static

from tests.test_app import ScriptScorer, make_app, run, settle, wait_until
from trainer.app.screens.author import AuthorScreen
from trainer.content.loader import load_content


def author_app(root: Path, data: Path):
    scorer = ScriptScorer({"Hoe gaat het met u?": frozenset({"listening"})})
    app = make_app(data, load_content(root), scorer)
    app.start, app.start_dialogue = "author", "henk-kennismaking"
    return app


def shown(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def test_answer_shows_scores_conditions_and_the_route_taken(mini: Path, data_dir: Path) -> None:
    app = author_app(mini, data_dir)

    async def script(pilot) -> None:
        screen = app.screen
        assert isinstance(screen, AuthorScreen)
        assert "Knoop deur" in shown(screen, "#where")
        screen.query_one("#answer", Input).focus()
        await pilot.press(*"Hoe gaat het met u?", "enter")
        await settle(pilot)
        await wait_until(pilot, lambda: "Naar knoop knie" in shown(screen, "#why"))
        why = shown(screen, "#why")
        assert "luisteren 100% ✓" in why
        assert "r0 ✓ listening → knie  ◀ genomen" in why
        assert "r1 ✗ not listening" in why
        assert "Knoop knie" in shown(screen, "#where")
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert "Knoop deur" in shown(screen, "#where"), "a step back"

    run(app, script)


def test_start_anywhere_with_trust_and_choose(mini: Path, data_dir: Path) -> None:
    app = author_app(mini, data_dir)

    async def script(pilot) -> None:
        screen = app.screen
        nodes = screen.query_one("#nodes", OptionList)
        nodes.focus()
        nodes.highlighted = [o.id for o in nodes.options].index("knie")
        await pilot.press("enter")
        await pilot.pause()
        assert "Knoop knie" in shown(screen, "#where")
        trust = screen.query_one("#trust", Input)
        trust.value = "75"
        trust.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "vertrouwen 75" in shown(screen, "#where")
        choices = screen.query_one("#choices", OptionList)
        choices.focus()
        choices.highlighted = 1
        await pilot.press("enter")
        await pilot.pause()
        assert "Keuze 2 gekozen: naar knoop huisarts" in shown(screen, "#why")
        assert "Einde: referred" in shown(screen, "#says")

    run(app, script)


def test_a_saved_change_reloads_and_errors_show_inline(mini: Path, data_dir: Path) -> None:
    app = author_app(mini, data_dir)
    path = mini / "dialogues" / "henk-kennismaking.yaml"
    good = path.read_text(encoding="utf-8")

    def save(body: str) -> None:
        path.write_text(body, encoding="utf-8")
        stamp = path.stat().st_mtime + 5  # a clearly newer time, whatever the clock's grain
        os.utime(path, (stamp, stamp))

    async def script(pilot) -> None:
        screen = app.screen
        save(good.replace("Komt u voor de meter?", "Bent u van de krant?"))
        await wait_until(pilot, lambda: "Bent u van de krant?" in shown(screen, "#says"))
        save(good.replace("next: knie", "next: nergens", 1))
        await wait_until(pilot, lambda: screen.query_one("#problems", Static).display)
        assert "nergens" in shown(screen, "#problems")
        assert "Bent u van de krant?" in shown(screen, "#says"), "the last good version stays"
        choices = screen.query_one("#choices", OptionList)
        choices.focus()
        choices.highlighted = 0
        await pilot.press("enter")  # still playable
        await pilot.pause()
        assert "Knoop knie" in shown(screen, "#where")

    run(app, script)
