"""Provides full-text search over every idea in the study, as you type."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static


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
        found = store.search_ideas(event.value, limit=200)
        for idea in found:
            table.add_row(names.get(idea.session_id, "")[:24], str(idea.seq), idea.text)
        self.query_one("#count", Static).update(f"{len(found)} ideas")
