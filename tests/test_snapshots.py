"""Snapshots of every screen at 100x30: for layout only; behaviour is tested with Pilot.

Textual is pinned to one minor version in pyproject.toml, because rendering changes between
versions. Update after an intended change with: pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.conftest import MINI
from tests.test_app import ScriptScorer, make_app, settle
from trainer.content.loader import load_content

SIZE = (100, 30)


@pytest.fixture(autouse=True)
def _steady(monkeypatch: pytest.MonkeyPatch) -> None:
    """No cursor blink and a fixed clock, so the same screen renders the same every time."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr("trainer.store.database.now", lambda: "2026-11-20T14:30:00+00:00")
    monkeypatch.setenv("TZ", "UTC")  # dates are shown in local time
    time.tzset()


def app_for(data_dir: Path, trainee: str | None = "Sanne"):
    scorer = ScriptScorer({"Hoe gaat het met u?": frozenset({"listening"})})
    return make_app(data_dir, load_content(MINI), scorer, trainee=trainee)


async def played(pilot: Pilot) -> None:
    """Welcome -> picker -> conversation, one typed answer with coach mode on."""
    await settle(pilot)
    await pilot.press("o", "b")
    await pilot.pause()
    pilot.app.screen.query_one("#answer", Input).value = "Hoe gaat het met u?"
    await pilot.press("enter")
    await settle(pilot)


async def finished(pilot: Pilot) -> None:
    await played(pilot)
    await pilot.press("f2", "2")
    await settle(pilot)
    await pilot.press("enter")
    await pilot.pause()


def test_welcome_first_run(snap_compare, data_dir: Path) -> None:
    assert snap_compare(app_for(data_dir, trainee=None), terminal_size=SIZE, run_before=settle)


def test_welcome(snap_compare, data_dir: Path) -> None:
    assert snap_compare(app_for(data_dir), terminal_size=SIZE, run_before=settle)


def test_picker(snap_compare, data_dir: Path) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("o")

    assert snap_compare(app_for(data_dir), terminal_size=SIZE, run_before=run_before)


def test_conversation_free_text_with_coach(snap_compare, data_dir: Path) -> None:
    assert snap_compare(app_for(data_dir), terminal_size=SIZE, run_before=played)


def test_conversation_choices(snap_compare, data_dir: Path) -> None:
    async def run_before(pilot: Pilot) -> None:
        await played(pilot)
        await pilot.press("f2", "f4")
        await pilot.pause()

    assert snap_compare(app_for(data_dir), terminal_size=SIZE, run_before=run_before)


def test_debrief(snap_compare, data_dir: Path) -> None:
    assert snap_compare(app_for(data_dir), terminal_size=SIZE, run_before=finished)


def test_progress(snap_compare, data_dir: Path) -> None:
    async def run_before(pilot: Pilot) -> None:
        await finished(pilot)
        await pilot.press("v")
        await pilot.pause()

    assert snap_compare(app_for(data_dir), terminal_size=SIZE, run_before=run_before)


def test_help(snap_compare, data_dir: Path) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("f1")

    assert snap_compare(app_for(data_dir), terminal_size=SIZE, run_before=run_before)


def test_leave_question(snap_compare, data_dir: Path) -> None:
    async def run_before(pilot: Pilot) -> None:
        await played(pilot)
        await pilot.press("escape")

    assert snap_compare(app_for(data_dir), terminal_size=SIZE, run_before=run_before)


def _reviewed_store(data_dir: Path) -> None:
    from tests.test_review_store import play
    from trainer.store.database import Store
    from trainer.store.reviews import add_comment, correct

    with Store(data_dir) as store:
        play(store, [1], "Kees")
        session = play(store, [0, 1], "Sanne")
        add_comment(store, session, 1, "Tom", "Mooie open vraag.")
        correct(store, session, 2, "Tom", ["referral"])


def test_review_table(snap_compare, data_dir: Path) -> None:
    _reviewed_store(data_dir)
    app = app_for(data_dir)
    app.start = "review"
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_session_review(snap_compare, data_dir: Path) -> None:
    _reviewed_store(data_dir)
    app = app_for(data_dir)
    app.start = "review"

    async def open_it(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("enter", "down")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=open_it)
