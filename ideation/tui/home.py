"""Provides the home screen: the study at a glance.

Sessions, screeners and recent activity, so a facilitator, recruiter or
researcher sees where the study stands and picks up from there.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Label, Static

from ideation.text import one_line
from ideation.tui.base import IdeationScreen, middle_cut

#: Characters of a session's name on the home screen: at 80×24 the sessions panel is
#: about 46 columns, and the name is what tells "Workshop A" from "Workshop B".
NAME_CHARS = 16
#: Cells of the screeners table's first column, which holds a screener's name over its
#: study: at 80×24 the screeners panel is 28 columns, and this leaves room for the
#: respondent count beside it.
SCREENER_CHARS = 16


def when(at: float | None) -> str:
    """A compact local date and time for tables; blank when unknown."""
    return datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M") if at else ""


def day(at: float | None) -> str:
    """The local day only ("14 Mar"), unambiguous in any locale; blank when unknown."""
    return datetime.fromtimestamp(at).strftime("%d %b") if at else ""


def screener_cell(name: str, study: str) -> Text:
    """A screener's identity as the home screen shows it: its name over its study
    (dim), each cut to fit, so two copies that differ only in `study:` read apart."""
    text = Text(one_line(name, SCREENER_CHARS) + "\n")
    if study:
        text.append(middle_cut(study, SCREENER_CHARS), style="dim")
    else:
        text.append("no study", style="dim italic")
    return text


class HomeScreen(IdeationScreen):
    """The study's sessions, screeners and recent activity."""

    BINDINGS = [
        Binding("o", "open_session", "Open session", tooltip="Run or resume the selected session"),
        Binding("t", "themes", "Themes", tooltip="Review the selected session's themes"),
        Binding("a", "themes_all", "All themes", tooltip="Themes across every session, pooled"),
        Binding(
            "r",
            "recruit",
            "Recruit",
            tooltip="Rank, explain and decide the selected screener's respondents",
        ),
        Binding("slash", "search", "Search", tooltip="Full-text search over every idea"),
        # Left out of the footer, so Quit fits at 80 columns: the screen reloads by itself
        # whenever it comes back into view; the key stays in the palette.
        Binding(
            "f5", "refresh", "Refresh", tooltip="Reload the study from the database", show=False
        ),
        Binding("q", "app.quit", "Quit", tooltip="Leave ideation; everything is already saved"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="panels"):
            with Vertical(id="sessions-panel", classes="panel"):
                yield Label("Sessions", classes="panel-title")
                yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
            with Vertical(id="screeners-panel", classes="panel"):
                yield Label("Screeners", classes="panel-title")
                yield DataTable(id="screeners", cursor_type="row", zebra_stripes=True)
        with Vertical(id="activity-panel", classes="panel"):
            yield Label("Recent activity", classes="panel-title")
            yield Static(id="activity")
        yield Footer()

    def on_mount(self) -> None:
        sessions = self.query_one("#sessions", DataTable)
        sessions.add_column("#")
        sessions.add_column("Session", width=NAME_CHARS)
        sessions.add_columns("Ideas", "Status", "Started")
        screeners = self.query_one("#screeners", DataTable)
        screeners.add_column("Screener/study", width=SCREENER_CHARS)
        screeners.add_columns("Resp.", "Title")
        self.action_refresh()
        sessions.focus()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        name = store.get_setting("study_name")
        self.title = f"ideation — {one_line(name, 60)}" if name else "ideation"
        sessions = self.query_one("#sessions", DataTable)
        keep_session, keep_screener = self._cursor_row("#sessions"), self._cursor_row("#screeners")
        sessions.clear()
        for session in store.sessions():
            sessions.add_row(
                str(session.id),
                Text(one_line(session.name, NAME_CHARS)),
                str(store.count_ideas(session.id)),
                session.status,
                day(session.started_at),
                key=str(session.id),
            )
        screeners = self.query_one("#screeners", DataTable)
        screeners.clear()
        for screener in store.screeners():
            screeners.add_row(
                screener_cell(screener.name, screener.study),
                str(store.count_respondents(screener.id)),
                Text(one_line(screener.title, 80)),
                key=str(screener.id),
                height=2,
            )
        sessions.move_cursor(row=keep_session)
        screeners.move_cursor(row=keep_screener)
        lines = [f"{when(a.at)}  {one_line(a.what, 200)}" for a in store.recent_activity(12)]
        empty = "Nothing yet. Try `ideation demo`, or `ideation run sessions/half-day.yaml`."
        self.query_one("#activity", Static).update(Text("\n".join(lines) or empty))

    def _cursor_row(self, selector: str) -> int:
        return self.query_one(selector, DataTable).cursor_row

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "sessions":
            self.action_open_session()
        elif event.data_table.id == "screeners":
            self.action_recruit()

    def selected_session(self) -> int | None:
        sessions = self.query_one("#sessions", DataTable)
        if not sessions.row_count:
            self.notify("No sessions yet: start one with `ideation run PLAN`.", severity="warning")
            return None
        key = sessions.coordinate_to_cell_key(sessions.cursor_coordinate).row_key.value
        return int(key or 0)

    def action_open_session(self) -> None:
        session_id = self.selected_session()
        if session_id is not None:
            self.app.open_live(session_id)  # type: ignore[attr-defined]

    def action_themes(self) -> None:
        from ideation.tui.review import ReviewScreen

        session_id = self.selected_session()
        if session_id is not None:
            self.app.push_screen(ReviewScreen([session_id]))

    def action_themes_all(self) -> None:
        from ideation.tui.review import ReviewScreen

        ids = [s.id for s in self.app.store.sessions()]  # type: ignore[attr-defined]
        if ids:
            self.app.push_screen(ReviewScreen(ids))

    def selected_screener(self) -> int | None:
        screeners = self.query_one("#screeners", DataTable)
        if not screeners.row_count:
            self.notify(
                "No screeners yet: try `ideation screen SCREENER RESPONSES`.", severity="warning"
            )
            return None
        key = screeners.coordinate_to_cell_key(screeners.cursor_coordinate).row_key.value
        return int(key or 0)

    def action_recruit(self) -> None:
        from ideation.tui.recruit import RecruitScreen

        screener_id = self.selected_screener()
        if screener_id is not None:
            self.app.push_screen(RecruitScreen(screener_id))

    def action_search(self) -> None:
        from ideation.tui.search import SearchScreen

        self.app.push_screen(SearchScreen())
