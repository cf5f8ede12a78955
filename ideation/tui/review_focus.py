"""Provides the review screen's compare-and-focus views as plain table contents.

Each view is a table (columns and rows of `rich.text.Text`, so names typed by
strangers never become markup) and a note for the line under it. They are built
from the analysis layer on the screen's own connection: counts and cached vectors
only, so nothing here loads a model; coverage whose area vectors are not cached
says so (`needs_model`) and the screen works it out in a worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.text import Text

from ideation.analysis.compare import CrossTable, segments_by_theme, sessions_by_theme
from ideation.analysis.coverage import SPRINGBOARD, scope_coverage
from ideation.analysis.embed import Embedder
from ideation.analysis.novelty import NOVEL_CAVEAT, scope_novelty
from ideation.analysis.themes import ThemeSet
from ideation.live.flow import NEAR_AREA
from ideation.screening.segments import participant_segments
from ideation.store import Store
from ideation.text import one_line

#: The review screen's views, in the order `v` steps through them.
VIEWS = ("themes", "sessions", "segments", "coverage", "novel")
#: Characters of a group name in a column header; the table scrolls sideways.
HEADER_CHARS = 18
#: Characters of a theme label in a cross table, so a few groups fit beside it at 80 columns.
LABEL_CHARS = 26
#: Characters of an idea or area in a row.
ROW_CHARS = 200


@dataclass(frozen=True)
class FocusView:
    """What one view shows: a table, a note under it, and whether it waits on a model."""

    columns: tuple[Text, ...]
    rows: tuple[tuple[Text, ...], ...] = ()
    note: Text = field(default_factory=Text)
    needs_model: bool = False
    #: Each row in full for the line under the table (at 80 columns its cells are cut).
    details: tuple[Text, ...] = ()
    #: Leading columns that stay put when the table scrolls sideways (the row's name).
    fixed: int = 0

    def detail(self, row: int) -> Text:
        """The note, then the row at `row` in full (just the note without one)."""
        if not 0 <= row < len(self.details):
            return self.note
        return Text("\n").join([self.details[row], self.note])


def _notice(message: str) -> FocusView:
    return FocusView((Text(""),), (), Text(message, style="dim"))


def focus_view(
    store: Store,
    view: str,
    themes: ThemeSet | None,
    session_ids: Sequence[int],
    embedder: Embedder | None = None,
) -> FocusView:
    """The contents of `view` for these themes (embedder: only for coverage, in a worker)."""
    if themes is None:
        return _notice("No themes yet: v back to the themes, then c to find them.")
    if view == "sessions":
        names = {sid: store.session(sid).name for sid in sorted(themes.record.scope)}
        note = "Ideas each session gave each theme (v: next view)"
        if len(names) == 1:
            note = "One session in this revision: pool them with a on the home screen. " + note
        return _table(sessions_by_theme(themes, names), note)
    if view == "segments":
        segments = participant_segments(store, themes.record.scope)
        table = segments_by_theme(themes, segments.of, segments.order)
        if table is None:
            return _notice("No participant came from a screener, so there are no segments.")
        return _table(table, "Quota cells; each quota's columns add up on their own (v: next)")
    if view == "coverage":
        return _coverage(store, themes, embedder)
    if view == "novel":
        return _novel(store, themes)
    return _notice("")


def _table(table: CrossTable, note: str) -> FocusView:
    columns = (
        Text("#"),
        Text("Theme"),
        *(Text(one_line(g, HEADER_CHARS)) for g in table.groups),
        Text("All"),
    )
    rows = tuple(
        (
            Text(str(row.number)),
            Text(one_line(row.label, LABEL_CHARS)),
            *(Text(str(c) if c else "·", justify="right") for c in row.counts),
            Text(str(row.total), justify="right"),
        )
        for row in table.rows
    )
    details = tuple(
        Text(f"T{row.number} {one_line(row.label, ROW_CHARS)}: ", style="bold").append(
            " · ".join(
                f"{one_line(g, 60)} {c}" for g, c in zip(table.groups, row.counts, strict=True) if c
            )
            or "no ideas",
            style="not bold",
        )
        for row in table.rows
    )
    return FocusView(columns, rows, Text(note, style="dim"), details=details, fixed=2)


def _coverage(store: Store, themes: ThemeSet, embedder: Embedder | None) -> FocusView:
    found = scope_coverage(store, themes, embedder)
    if found is None:
        return FocusView(
            (Text(""),), (), Text("Embedding the brief's areas…", style="dim"), needs_model=True
        )
    if not found:
        return _notice("The briefs of these sessions list no opportunity areas or springboards.")
    rows = tuple(
        (
            Text(str(c.ideas), justify="right"),
            Text("no theme", style="bold red")
            if c.untouched
            else Text(one_line(", ".join(f"T{n}" for n, _, _ in c.themes), 20)),
            Text(("SB " if c.area.kind == SPRINGBOARD else "") + one_line(c.area.text, ROW_CHARS)),
        )
        for c in found
    )
    details = tuple(
        Text(f"{c.area.kind}: ", style="bold").append(
            f"{one_line(c.area.text, ROW_CHARS)} — {c.ideas} near; "
            + (
                ", ".join(f"T{n} {one_line(label, 40)} ({near})" for n, label, near in c.themes)
                or "no theme touches it"
            ),
            style="not bold",
        )
        for c in found
    )
    untouched = sum(c.untouched for c in found)
    note = (
        f"Ideas at cosine ≥ {NEAR_AREA} to each area; {untouched} untouched by any theme"
        " (SB: a springboard of the brief)"
    )
    columns = (Text("Near"), Text("Themes"), Text("Area"))
    return FocusView(columns, rows, Text(note, style="dim"), details=details)


def _novel(store: Store, themes: ThemeSet) -> FocusView:
    found = scope_novelty(store, themes)
    if found is None:
        return _notice("Rarity needs the ideas' vectors: press c to cluster again.")
    names = {sid: store.session(sid).name for sid in found}
    rows = tuple(
        (
            Text(one_line(names[sid], 14)),
            Text(f"+{n.idea.seq}"),
            Text(f"T{n.theme_number}"),
            Text(one_line(n.idea.text, ROW_CHARS)),
        )
        for sid, ideas in found.items()
        for n in ideas
    )
    details = tuple(
        Text(
            f"{one_line(names[sid], 40)} +{n.idea.seq} · T{n.theme_number}: ", style="bold"
        ).append(one_line(n.idea.text, ROW_CHARS), style="not bold")
        for sid, ideas in found.items()
        for n in ideas
    )
    note = f"Most novel ideas per session, rarest first: {NOVEL_CAVEAT}"
    columns = (Text("Session"), Text("+"), Text("Theme"), Text("Idea"))
    return FocusView(columns, rows, Text(note, style="dim"), details=details)
