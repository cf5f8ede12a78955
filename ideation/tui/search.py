"""Provides search over every idea in the study, as you type, with the matches highlighted.

The query language (word forms, `tree*`, "phrases", OR, -word, substrings in
Chinese or Japanese) is `ideation.search_query`'s; the README lists it.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from ideation.errors import IdeationError
from ideation.search_query import SearchHit, highlighted, nothing_to_search, parse_query
from ideation.text import one_line, plural

#: Idea text longer than this is cut in the results (the store keeps all of it).
SHOWN_CHARS = 400


class SearchScreen(Screen[None]):
    """Type words; matching ideas from all sessions appear, best first, matches marked."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", tooltip="Back to the study")]
    DEFAULT_CSS = """
    SearchScreen #results { height: 1fr; }
    SearchScreen #full { height: auto; max-height: 6; padding: 0 1; border-top: solid $primary; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._hits: list[SearchHit] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder='Search every idea: tree*  "solar panels"  cup OR mug  -plastic  肥料',
            id="query",
        )
        yield Static(id="count")
        yield DataTable(id="results", cursor_type="row", zebra_stripes=True)
        yield Static(id="full")  # the selected result whole: the table cuts it at 80 columns
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
        self._hits = []
        self.query_one("#full", Static).update("")
        if not event.value.strip():
            self.query_one("#count", Static).update("")
            return
        names = {s.id: s.name for s in store.sessions()}
        try:
            found = store.search_hits(event.value, limit=200)
        except IdeationError as error:
            self.query_one("#count", Static).update(Text(one_line(str(error), 200)))
            return
        self._hits = list(found)
        for hit in found:
            table.add_row(
                Text(one_line(names.get(hit.idea.session_id, ""), 24)),
                str(hit.idea.seq),
                highlighted(hit.idea.text, hit.spans, SHOWN_CHARS),
            )
        count = plural(len(found), "idea")
        if not (query := parse_query(event.value)):
            count = nothing_to_search(event.value, query)
        self.query_one("#count", Static).update(Text(one_line(count, 200)))
        self.show_full(table.cursor_row)

    @on(DataTable.RowHighlighted, "#results")
    def row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_full(event.cursor_row)

    def show_full(self, row: int) -> None:
        """The selected idea's whole text (newlines kept as spaces), matches marked."""
        full = self.query_one("#full", Static)
        if not 0 <= row < len(self._hits):
            full.update("")
            return
        hit = self._hits[row]
        names = {s.id: s.name for s in self.app.store.sessions()}  # type: ignore[attr-defined]
        line = Text(f"{one_line(names.get(hit.idea.session_id, ''), 40)} +{hit.idea.seq}: ")
        full.update(line.append_text(highlighted(hit.idea.text, hit.spans)))
