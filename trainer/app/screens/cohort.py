"""The cohort: per trainee, each skill over time; per dialogue, where trainees get stuck.

Both read every session of the group, so they are computed in a thread worker with its own
store connection and shown when ready; the screen never waits on them.
"""

from __future__ import annotations

from typing import cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    Select,
    Static,
    TabbedContent,
    TabPane,
)
from textual.worker import Worker, WorkerState

from trainer.app.screens.base import AppScreen
from trainer.app.widgets import SKILL_COLOURS, skill_name
from trainer.content.model import SKILLS
from trainer.messages import text
from trainer.reports.charts import blocks
from trainer.sessions.cohort import (
    STALL_SHARE,
    NodeStat,
    TraineeTrend,
    node_stats,
    route_label,
    trainee_trends,
)
from trainer.store.database import Store

TREND_POINTS = 12  # the last sessions shown per skill


def trend_text(shares: list[float], skill: str) -> Text:
    """A small bar per session on a fixed 0-100% scale, then the latest average."""
    return Text(blocks(shares[-TREND_POINTS:]), style=SKILL_COLOURS[skill])


class CohortScreen(AppScreen[None]):
    CSS_PATH = "cohort.tcss"
    BINDINGS = [
        Binding("escape", "back", text("app.key.back")),
        Binding("e", "export", text("app.key.export_cohort")),
    ]

    def __init__(self, since: str | None = None) -> None:
        super().__init__()
        self.since = since
        self.trends: list[TraineeTrend] = []

    def compose(self) -> ComposeResult:
        dialogues = sorted(self.app.content.dialogues.values(), key=lambda d: d.title)
        yield Header()
        title = text("app.cohort.title")
        if self.since:
            title += " " + text("app.cohort.since", since=self.since)
        yield Static(title, classes="heading")
        with TabbedContent():
            with TabPane(text("app.cohort.trainees"), id="tab-trainees"):
                yield Static(text("app.cohort.loading"), id="trainees-status")
                yield DataTable(id="trainees", cursor_type="row", zebra_stripes=True)
            with TabPane(text("app.cohort.stuck"), id="tab-nodes"):
                yield Select(
                    [(d.title, d.id) for d in dialogues],
                    prompt=text("app.cohort.pick_dialogue"),
                    value=dialogues[0].id if dialogues else Select.NULL,
                    id="dialogue",
                )
                yield Static(id="nodes-status")
                yield DataTable(id="nodes", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        trainees = self.query_one("#trainees", DataTable)
        trainees.add_columns(
            text("app.review.col.trainee"),
            text("app.cohort.sessions"),
            *(f"{skill_name(s)}" for s in SKILLS),
        )
        nodes = self.query_one("#nodes", DataTable)
        nodes.add_columns(
            text("app.cohort.node"),
            text("app.cohort.reached"),
            text("app.cohort.answered"),
            text("app.cohort.stopped"),
            text("app.cohort.routes"),
        )
        self.load_trends()
        dialogue = self.query_one("#dialogue", Select).value
        if isinstance(dialogue, str):
            self.load_nodes(dialogue)

    # ------------------------------------------------------------------ workers

    @work(thread=True, exclusive=True, group="cohort-trends", exit_on_error=False)
    def load_trends(self) -> list[TraineeTrend]:
        with Store(self.app.store.folder) as store:
            return trainee_trends(store, since=self.since)

    @work(thread=True, exclusive=True, group="cohort-nodes", exit_on_error=False)
    def load_nodes(self, dialogue: str) -> tuple[str, dict[str, NodeStat]]:
        with Store(self.app.store.folder) as store:
            return dialogue, node_stats(store, dialogue, since=self.since)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group not in ("cohort-trends", "cohort-nodes"):
            return
        if event.state == WorkerState.ERROR:
            self.notify(text("app.cohort.failed", reason=worker.error), severity="error")
        elif event.state == WorkerState.SUCCESS:
            # A state change carries its worker untyped (Worker[Any]); each group is the
            # worker above of that name, so its result has that worker's return type.
            if worker.group == "cohort-trends":
                self.show_trends(cast("list[TraineeTrend]", worker.result))
            else:
                self.show_nodes(*cast("tuple[str, dict[str, NodeStat]]", worker.result))

    # ------------------------------------------------------------------ showing

    def show_trends(self, trends: list[TraineeTrend]) -> None:
        self.trends = trends
        table = self.query_one("#trainees", DataTable)
        table.clear()
        for trend in trends:
            cells = []
            for skill in SKILLS:
                cell = trend_text(trend.shares(skill), skill)
                cell.append(f" {round(trend.latest(skill) * 100)}%")
                cells.append(cell)
            table.add_row(Text(trend.trainee), str(len(trend.sessions)), *cells, key=trend.trainee)
        status = self.query_one("#trainees-status", Static)
        status.update(
            text("app.cohort.trainees_hint", count=len(trends))
            if trends
            else text("app.cohort.no_sessions")
        )

    def show_nodes(self, dialogue_id: str, stats: dict[str, NodeStat]) -> None:
        dialogue = self.app.content.dialogues[dialogue_id]
        table = self.query_one("#nodes", DataTable)
        table.clear()
        stalled = 0
        # Dialogue order (as authored), nodes never reached last.
        for node_id, node in dialogue.nodes.items():
            stat = stats.get(node_id, NodeStat(node_id))
            stop = str(stat.stopped)
            if stat.reached:
                stop += f" ({round(stat.stop_share * 100)}%)"
            stuck = stat.stalls(node.end is not None)
            stalled += bool(stuck)
            label = Text(node_id, style="bold red" if stuck else "")
            if node.end is not None:
                label.append(" ■", style="dim")
            table.add_row(
                label,
                str(stat.reached),
                str(stat.answered),
                Text(stop, style="bold red" if stuck else ""),
                "  ".join(
                    route_label(dialogue, node_id, key, count)
                    for key, count in sorted(stat.routes.items(), key=lambda item: -item[1])
                ),
                key=node_id,
            )
        self.query_one("#nodes-status", Static).update(
            text("app.cohort.nodes_hint", stalled=stalled, share=round(STALL_SHARE * 100))
        )

    @on(Select.Changed, "#dialogue")
    def dialogue_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.load_nodes(event.value)

    @on(DataTable.RowSelected, "#trainees")
    def trainee_picked(self, event: DataTable.RowSelected) -> None:
        """A trainee's own report: the same figures, printable, with a chart per skill."""
        self.app.export_report("trainee", str(event.row_key.value))

    def action_export(self) -> None:
        self.app.export_report("cohort", self.since)

    def action_back(self) -> None:
        self.app.pop_screen()
