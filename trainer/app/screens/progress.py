"""My progress: past sessions and, per skill, a chart over the finished sessions."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from trainer.app.screens.base import AppScreen
from trainer.app.widgets import SKILL_COLOURS, short_date, skill_name
from trainer.content.model import SKILLS
from trainer.messages import text
from trainer.reports.charts import blocks


class SkillTrend(Static):
    """One skill over the finished sessions, oldest left: one column per session, on a fixed
    0-100% scale (a sparkline rescales to its own min and max, which hides a flat 0%)."""

    def __init__(self, skill: str, shares: list[float], width: int = 40) -> None:
        shares = shares[-width:]
        line = Text.assemble((f"{skill_name(skill):<16}", "bold"))
        for level in blocks(shares):
            line.append(level + level + " ", style=SKILL_COLOURS[skill])
        line.append(f" {round(shares[-1] * 100)}%")
        super().__init__(line, classes="trend")


class ProgressScreen(AppScreen[None]):
    CSS_PATH = "progress.tcss"
    BINDINGS = [Binding("escape", "back", text("app.key.back"))]

    def compose(self) -> ComposeResult:
        store, trainee = self.app.store, self.app.trainee or ""
        # Only this trainee's sessions: with no name, none (an empty name would match all).
        self.rows = store.list_sessions(trainee=trainee) if trainee else []
        # The sessions table holds each session's skill counts: no turns need reading here.
        self.finished = [r for r in reversed(self.rows) if r.finished]
        yield Header()
        with VerticalScroll(id="progress"):
            yield Static(text("app.progress.title", name=trainee), classes="heading")
            if not self.rows:
                yield Static(text("app.progress.empty"), id="empty")
            else:
                if self.finished:
                    yield Static(text("app.progress.chart", count=len(self.finished)))
                    for skill in SKILLS:
                        yield SkillTrend(skill, [r.share(skill) for r in self.finished])
                with Vertical(id="table-box"):
                    yield Static(text("app.progress.sessions"), classes="heading")
                    yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        if not self.rows:
            return
        table = self.query_one("#sessions", DataTable)
        table.add_columns(
            text("app.progress.date"),
            text("app.progress.persona"),
            text("app.progress.outcome"),
            text("app.progress.turns"),
            *(skill_name(s)[0].upper() for s in SKILLS),
        )
        names = {p.id: p.name for p in self.app.content.personas.values()}
        for row in self.rows:
            table.add_row(
                short_date(row.started),
                names.get(row.persona, row.persona),
                Text(text(f"outcome.{row.outcome or 'none'}")),
                str(row.turns),
                *(f"{round(row.share(s) * 100)}%" for s in SKILLS),
                key=row.id,
            )
        table.focus()

    @on(DataTable.RowSelected, "#sessions")
    def open_session(self, event: DataTable.RowSelected) -> None:
        """A finished session opens its debrief; an unfinished one says where to resume it."""
        session = str(event.row_key.value)
        if self.app.store.summary(session).finished:
            self.app.show_debrief(session)
        else:
            self.notify(text("app.progress.resume_hint"))

    def action_back(self) -> None:
        self.app.pop_screen()
