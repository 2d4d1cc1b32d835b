"""Trainer review: every session in the store as a sortable, filterable, paged table.

The table shows one page at a time, read straight from indexed columns of the sessions table,
so it stays quick with a hundred thousand sessions: the store, not the widget, sorts and filters.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Select, Static
from textual.widgets.data_table import ColumnKey

from trainer.app.screens.base import AppScreen
from trainer.app.widgets import short_date, skill_name
from trainer.content.model import SKILLS
from trainer.messages import text
from trainer.reports.context import duration_text
from trainer.store.database import SessionQuery, SessionSummary, check_date

PAGE_SIZE = 50
# The most telling columns first, so at 80-100 columns only the dialogue title scrolls away.
COLUMNS = ("started", "trainee", "persona", "outcome", *SKILLS, "reviewed", "turns", "duration",
           "dialogue")  # fmt: skip
NAME_WIDTH = 18


def clip(value: str, width: int = NAME_WIDTH) -> Text:
    """A cell no wider than `width`; the full value is in the session view."""
    return Text(value if len(value) <= width else value[: width - 1] + "…")


REFRESH_DELAY = 0.25  # seconds of quiet typing before the filter runs


class ReviewScreen(AppScreen[None]):
    CSS_PATH = "review.tcss"
    BINDINGS = [
        Binding("escape", "back", text("app.key.back")),
        Binding("n", "page(1)", text("app.key.next_page")),
        Binding("p", "page(-1)", text("app.key.previous_page")),
        Binding("s", "sort_next", text("app.key.sort")),
        Binding("c", "cohort", text("app.key.cohort")),
        Binding("f", "filters", text("app.key.filters")),
        Binding("e", "export", text("app.key.export")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_state = SessionQuery()
        self.page = 0
        self.total = 0
        self.rows: list[SessionSummary] = []
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        personas = sorted(self.app.content.personas.values(), key=lambda p: p.name)
        yield Header()
        with Horizontal(id="filters"):
            yield Input(placeholder=text("app.review.f_trainee"), id="f-trainee")
            yield Select(
                [(p.name, p.id) for p in personas],
                prompt=text("app.review.f_persona"),
                id="f-persona",
            )
            yield Input(placeholder=text("app.review.f_since"), id="f-since", max_length=10)
            yield Input(placeholder=text("app.review.f_until"), id="f-until", max_length=10)
            yield Select(
                [(text("app.review.reviewed_yes"), "yes"), (text("app.review.reviewed_no"), "no")],
                prompt=text("app.review.f_reviewed"),
                id="f-reviewed",
            )
        yield Static(id="status")
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#sessions", DataTable)
        for key in COLUMNS:
            table.add_column(self._column_label(key), key=key)
        self.reload()
        table.focus()

    def _column_label(self, key: str) -> Text:
        label = skill_name(key)[0].upper() if key in SKILLS else text(f"app.review.col.{key}")
        if key == self.query_state.sort:
            label += " ▼" if self.query_state.descending else " ▲"
        return Text(label)

    # ------------------------------------------------------------------ loading a page

    def reload(self) -> None:
        """Run the query for the current filters, sort and page, and show it."""
        store = self.app.store
        self.total = store.count_sessions(self.query_state)
        last_page = max(0, (self.total - 1) // PAGE_SIZE)
        self.page = min(self.page, last_page)
        self.rows = store.find_sessions(
            self.query_state, limit=PAGE_SIZE, offset=self.page * PAGE_SIZE
        )
        table = self.query_one("#sessions", DataTable)
        for key in COLUMNS:
            table.columns[ColumnKey(key)].label = self._column_label(key)
        table.clear()
        names = {p.id: p.name for p in self.app.content.personas.values()}
        titles = {d.id: d.title for d in self.app.content.dialogues.values()}
        for row in self.rows:
            table.add_row(
                short_date(row.started),
                clip(row.trainee),
                clip(names.get(row.persona, row.persona), 12),
                Text(text(f"outcome_short.{row.outcome or 'none'}")),
                *(f"{round(row.share(s) * 100)}%" for s in SKILLS),
                "✓" if row.reviewed else "",
                str(row.turns),
                duration_text(row.duration),
                Text(titles.get(row.dialogue, row.dialogue)),
                key=row.id,
            )
        table.refresh()
        self._show_status(last_page)

    def _show_status(self, last_page: int) -> None:
        status = self.query_one("#status", Static)
        if not self.total:
            status.update(text("app.review.none"))
            return
        first = self.page * PAGE_SIZE + 1
        status.update(
            text(
                "app.review.status",
                first=first,
                last=first + len(self.rows) - 1,
                total=self.total,
                page=self.page + 1,
                pages=last_page + 1,
                sort=self._column_label(self.query_state.sort).plain.rstrip(" ▼▲"),
            )
        )

    # ------------------------------------------------------------------ filters

    def _filters(self) -> SessionQuery:
        """The query the filter widgets describe; an incomplete or wrong date is ignored
        (and marked) until it is a real date, so typing never shows an error."""
        trainee = self.query_one("#f-trainee", Input).value.strip() or None
        persona = self.query_one("#f-persona", Select).value
        reviewed = self.query_one("#f-reviewed", Select).value
        dates: dict[str, str | None] = {}
        for key in ("since", "until"):
            field = self.query_one(f"#f-{key}", Input)
            value = field.value.strip()
            try:
                dates[key] = check_date(value) if value else None
                field.remove_class("invalid")
            except ValueError:
                dates[key] = None
                field.add_class("invalid")
        return replace(
            self.query_state,
            trainee_part=trainee,
            persona=persona if isinstance(persona, str) else None,
            since=dates["since"],
            until=dates["until"],
            reviewed=None if not isinstance(reviewed, str) else reviewed == "yes",
        )

    def _apply_filters(self) -> None:
        query = self._filters()
        if query != self.query_state:
            self.query_state = query
            self.page = 0
            self.reload()

    @on(Input.Changed)
    def typed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(REFRESH_DELAY, self._apply_filters)

    @on(Input.Submitted)
    def submitted(self) -> None:
        self._apply_filters()
        self.query_one("#sessions", DataTable).focus()

    @on(Select.Changed)
    def selected(self) -> None:
        self._apply_filters()

    # ------------------------------------------------------------------ sorting and paging

    def sort_by(self, key: str) -> None:
        """Sort on a column; choosing the same column again flips the direction."""
        if self.query_state.sort == key:
            self.query_state = replace(self.query_state, descending=not self.query_state.descending)
        else:
            # Text columns read best A-Z, numbers and dates biggest or newest first.
            ascending = key in ("trainee", "persona", "dialogue", "outcome")
            self.query_state = replace(self.query_state, sort=key, descending=not ascending)
        self.page = 0
        self.reload()

    @on(DataTable.HeaderSelected, "#sessions")
    def header_clicked(self, event: DataTable.HeaderSelected) -> None:
        self.sort_by(str(event.column_key.value))

    def action_sort_next(self) -> None:
        """Keyboard sorting: step to the next column."""
        index = COLUMNS.index(self.query_state.sort) if self.query_state.sort in COLUMNS else 0
        self.sort_by(COLUMNS[(index + 1) % len(COLUMNS)])

    def action_page(self, step: int) -> None:
        last_page = max(0, (self.total - 1) // PAGE_SIZE)
        page = min(max(0, self.page + step), last_page)
        if page != self.page:
            self.page = page
            self.reload()

    # ------------------------------------------------------------------ actions

    def selected_session(self) -> str | None:
        table = self.query_one("#sessions", DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row].id

    @on(DataTable.RowSelected, "#sessions")
    def open_session(self, event: DataTable.RowSelected) -> None:
        self.app.show_session_review(str(event.row_key.value))

    def on_screen_resume(self) -> None:
        """Back from a session: its reviewed mark may have changed."""
        if self.is_mounted:
            self.reload()

    def action_cohort(self) -> None:
        self.app.show_cohort(self.query_state.since)

    def action_filters(self) -> None:
        self.query_one("#f-trainee", Input).focus()

    def action_export(self) -> None:
        """The selected session's report as HTML (in a worker; a notice says where it went)."""
        session = self.selected_session()
        if session is None:
            self.notify(text("app.review.nothing_selected"), severity="warning")
            return
        self.app.export_report("session", session)

    def action_back(self) -> None:
        self.app.pop_screen()
