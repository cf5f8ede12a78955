"""Provides full-text search over every idea in the study, as you type."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from ideation.errors import IdeationError
from ideation.text import one_line

#: Idea text longer than this is cut in the results (the store keeps all of it).
SHOWN_CHARS = 400


class SearchScreen(Screen[None]):
    """Type words; matching ideas from all sessions appear, best first (SQLite FTS5)."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", tooltip="Back to the study")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Search every idea in the study…", id="query")
        yield Static(id="count")
        yield DataTable(id="results", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Search ideas"
        self.query_one("#results", DataTable).add_columns("Session", "+", "Idea")
        self.query_one("#query", Input).focus()

    @on(Input.Changed, "#query")
    def search(self, event: Input.Changed) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        table = self.query_one("#results", DataTable)
        table.clear()
        if not event.value.strip():
            self.query_one("#count", Static).update("")
            return
        names = {s.id: s.name for s in store.sessions()}
        try:
            found = store.search_ideas(event.value, limit=200)
        except IdeationError as error:
            self.query_one("#count", Static).update(Text(one_line(str(error), 200)))
            return
        for idea in found:
            table.add_row(
                Text(one_line(names.get(idea.session_id, ""), 24)),
                str(idea.seq),
                Text(one_line(idea.text, SHOWN_CHARS)),
            )
        self.query_one("#count", Static).update(f"{len(found)} ideas")
