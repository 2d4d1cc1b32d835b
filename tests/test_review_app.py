"""The trainer's review in the app, driven with Pilot as a trainer would use it: filter and
sort the session table, page through it, open a session, comment, correct labels, the cohort."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Select, TabbedContent

from tests.conftest import MINI
from tests.test_app import make_app, run, settle, wait_until
from tests.test_review_store import play, stamp
from trainer.app.screens.cohort import CohortScreen
from trainer.app.screens.dialogs import LabelDialog, TextDialog
from trainer.app.screens.review import COLUMNS, PAGE_SIZE, ReviewScreen
from trainer.app.screens.session_review import SessionReviewScreen, TurnCard
from trainer.app.screens.welcome import WelcomeScreen
from trainer.content.loader import load_content
from trainer.store.database import Store
from trainer.store.reviews import corrections, reviews_of

CONTENT = load_content(MINI)


def fill(data: Path) -> dict[str, str]:
    """Three trainees' sessions on different days; returns name -> latest session id."""
    latest = {}
    with Store(data) as store:
        for day, (name, picks) in enumerate(
            [("Sanne", [0, 0]), ("Kees", [1]), ("Sanne", [0, 1]), ("Ayse", [0])], start=1
        ):
            session = play(store, picks, name)
            stamp(store, session, f"2026-10-{day:02d}T10:00:00+00:00")
            latest[name] = session
    return latest


def review_app(data: Path):
    app = make_app(data, CONTENT, trainee=None)
    app.start = "review"
    return app


def table_trainees(app) -> list[str]:
    table = app.screen.query_one("#sessions", DataTable)
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


def test_review_opens_from_the_welcome_screen_and_lists_newest_first(data_dir: Path) -> None:
    fill(data_dir)
    app = make_app(data_dir, CONTENT, trainee="Sanne")

    async def script(pilot) -> None:
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert table_trainees(app) == ["Ayse", "Sanne", "Kees", "Sanne"]
        assert "1-4 van 4" in str(app.screen.query_one("#status").render())

    run(app, script)


def test_filter_on_name_persona_dates_and_reviewed(data_dir: Path) -> None:
    fill(data_dir)
    app = review_app(data_dir)

    async def script(pilot) -> None:
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("f")
        await pilot.press(*"san", "enter")
        await pilot.pause()
        assert table_trainees(app) == ["Sanne", "Sanne"]
        screen.query_one("#f-trainee", Input).value = ""
        screen.query_one("#f-since", Input).value = "2026-10-02"
        screen.query_one("#f-until", Input).value = "2026-10-0"  # still typing: ignored
        await pilot.pause(0.4)
        assert table_trainees(app) == ["Ayse", "Sanne", "Kees"]
        assert screen.query_one("#f-until", Input).has_class("invalid")
        screen.query_one("#f-until", Input).value = "2026-10-03"
        await pilot.pause(0.4)
        assert table_trainees(app) == ["Sanne", "Kees"]
        screen.query_one("#f-reviewed", Select).value = "yes"
        await pilot.pause()
        assert table_trainees(app) == []
        assert "Geen sessies" in str(screen.query_one("#status").render())

    run(app, script)


def test_sort_by_clicking_a_header_and_flip_it(data_dir: Path) -> None:
    fill(data_dir)
    app = review_app(data_dir)

    async def script(pilot) -> None:
        screen = app.screen
        screen.sort_by("trainee")
        await pilot.pause()
        assert table_trainees(app) == ["Ayse", "Kees", "Sanne", "Sanne"]
        screen.sort_by("trainee")
        await pilot.pause()
        assert table_trainees(app) == ["Sanne", "Sanne", "Kees", "Ayse"]
        table = screen.query_one("#sessions", DataTable)
        assert str(table.columns["trainee"].label).endswith("▼")
        await pilot.press("s")  # keyboard: next column (persona)
        assert screen.query_state.sort == "persona"

    run(app, script)


def test_the_table_pages_instead_of_loading_everything(data_dir: Path) -> None:
    with Store(data_dir) as store:
        for n in range(PAGE_SIZE + 5):
            play(store, [1], f"T{n:03d}")
    app = review_app(data_dir)

    async def script(pilot) -> None:
        table = app.screen.query_one("#sessions", DataTable)
        assert table.row_count == PAGE_SIZE
        await pilot.press("n")
        await pilot.pause()
        assert table.row_count == 5
        assert "51-55 van 55" in str(app.screen.query_one("#status").render())
        await pilot.press("n")  # no page beyond the last
        assert app.screen.page == 1
        await pilot.press("p")
        await pilot.pause()
        assert table.row_count == PAGE_SIZE

    run(app, script)


def test_open_a_session_comment_and_correct_then_it_shows_as_reviewed(data_dir: Path) -> None:
    latest = fill(data_dir)
    session = latest["Ayse"]  # one turn: the listening choice at the door
    app = review_app(data_dir)

    async def script(pilot) -> None:
        await pilot.press("enter")  # the newest session: Ayse's
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionReviewScreen) and screen.session == session
        card = screen.query_one(TurnCard)
        assert card.has_focus
        shown = str(card.render())
        assert "Nee, ik ben van de buurtcoöperatie" in shown and "keuze 1 → knie" in shown
        assert "Een open vraag nodigt hem uit." in shown, "the feedback given"
        await pilot.press("o")  # comment on the turn: first the trainer's name
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"Tom", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"Mooie open vraag", "enter")
        await pilot.pause()
        assert "Opmerking van Tom: Mooie open vraag" in str(card.render())
        await pilot.press("a")  # on the session: the name is remembered now
        await pilot.pause()
        await pilot.press(*"Goed begin", "enter")
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LabelDialog)
        await pilot.press("1", "3", "enter")  # listening off, referral on
        await pilot.pause()
        assert isinstance(app.screen, SessionReviewScreen)
        assert "Gecorrigeerd door Tom: doorverwijzen" in str(card.render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        table = app.screen.query_one("#sessions", DataTable)
        assert str(table.get_cell_at((0, COLUMNS.index("reviewed")))) == "✓"

    run(app, script)
    with Store(data_dir) as store:
        found = reviews_of(store, session)
        assert [(r.turn, r.kind, r.author) for r in found] == [
            (1, "comment", "Tom"), (None, "comment", "Tom"), (1, "correction", "Tom"),
        ]  # fmt: skip
        assert [c.labels for c in corrections(store)] == [("referral",)]
        assert store.setting("reviewer") == "Tom"


def test_escape_in_the_label_dialog_changes_nothing(data_dir: Path) -> None:
    fill(data_dir)
    app = review_app(data_dir)
    app.store.set_setting("reviewer", "Tom")
    app.reviewer = "Tom"

    async def script(pilot) -> None:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("l", "3", "escape")
        await pilot.pause()
        assert isinstance(app.screen, SessionReviewScreen)

    run(app, script)
    with Store(data_dir) as store:
        assert corrections(store) == []


def test_cohort_shows_trainees_and_where_sessions_stop(data_dir: Path) -> None:
    fill(data_dir)
    app = review_app(data_dir)

    async def script(pilot) -> None:
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CohortScreen)
        await wait_until(pilot, lambda: screen.query_one("#trainees", DataTable).row_count == 2)
        trainees = screen.query_one("#trainees", DataTable)
        assert [str(trainees.get_row_at(i)[0]) for i in range(2)] == ["Kees", "Sanne"]
        screen.query_one(TabbedContent).active = "tab-nodes"
        nodes = screen.query_one("#nodes", DataTable)
        await wait_until(pilot, lambda: nodes.row_count == 5)
        knee = nodes.get_row("knie")
        assert [str(c) for c in knee[1:4]] == ["3", "2", "1 (33%)"]
        assert "c0 → buurman ×1" in str(knee[4])

    run(app, script)
