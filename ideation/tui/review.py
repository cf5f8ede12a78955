"""Provides the review screen: themes a researcher can trust, adjust and keep.

Themes on the left (label, size, wild ideas, representative), the selected
theme's ideas on the right with who said them, the phase and build-on
threads, and under them the selected idea in full with the ideas it builds on.
`v` switches to the compare-and-focus views: sessions × themes (and participant
segments × themes), opportunity-area coverage, and each session's most novel
ideas. Clustering and splitting run in a thread worker with progress; every
edit saves a new revision, and the automatic one is always kept. A worker that
fails is reported by the app's one handler (`tui/base.py`); this screen only
takes its progress bar down.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static
from textual.worker import Worker

from ideation.analysis import review
from ideation.analysis.embed import Embedder
from ideation.analysis.languages import theme_set_note
from ideation.analysis.themes import (
    ThemeSet,
    ThemeView,
    edits_at_stake,
    latest_theme_set,
    left_out,
    scope_entries,
)
from ideation.errors import IdeationError
from ideation.records import Idea
from ideation.text import one_line, plural
from ideation.tui.base import IdeationScreen
from ideation.tui.dialogs import AskScreen, ConfirmScreen
from ideation.tui.review_focus import VIEWS, FocusView, focus_view

#: Labels and ideas longer than this are cut on screen (the store keeps all of it).
SHOWN_CHARS = 400
#: Build-on steps shown under the selected idea (the nearest first).
THREAD_SHOWN = 3
#: Characters of an idea quoted in a dialog's question.
QUOTED_CHARS = 120


def session_tags(names: dict[int, str], chars: int = 10) -> dict[int, str]:
    """A short tag per session for the pooled list: its name cut to `chars`, or "S<id>"
    where cut names would look alike ("Workshop A" and "Workshop AB")."""
    cut = {sid: one_line(name, chars) for sid, name in names.items()}
    seen = Counter(tag.casefold() for tag in cut.values())
    return {sid: tag if seen[tag.casefold()] == 1 else f"S{sid}" for sid, tag in cut.items()}


class ReviewScreen(IdeationScreen):
    """Themes of one session, several pooled, or the whole study."""

    BINDINGS = [
        Binding("c", "cluster", "Cluster", tooltip="Find themes automatically (a new revision)"),
        Binding("r", "rename", "Rename", tooltip="Rename the selected theme"),
        Binding("m", "move", "Move idea", tooltip="Move the selected idea to another theme"),
        Binding("g", "merge", "Merge", tooltip="Merge another theme into the selected one"),
        Binding("s", "split", "Split", tooltip="Split the selected theme in two by meaning"),
        Binding(
            "p",
            "representative",
            "Representative",
            tooltip="Make the selected idea the theme's representative",
        ),
        Binding("v", "next_view", "View", tooltip="Themes, sessions × themes, coverage, novel"),
        Binding("tab", "switch_table", "Themes/ideas", show=False),
        Binding("escape", "app.pop_screen", "Back", tooltip="Back to the study"),
    ]

    def __init__(self, session_ids: list[int]) -> None:
        super().__init__()
        self.session_ids = session_ids
        self.current: ThemeSet | None = None
        self.view = VIEWS[0]
        self.entries: dict[int, Idea] = {}  # every standing entry of the scope, by id
        self.focus_shown = FocusView(())  # the focus view on screen, for its detail line
        self.tags: dict[int, str] = {}  # session id -> its short tag, when pooled

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="revision")
        yield Static(id="language")  # ideas the model cannot read (analysis/languages.py)
        yield ProgressBar(id="progress", show_eta=False, classes="hidden")
        with Horizontal(id="review"):
            yield DataTable(id="themes", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="members", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="focus", cursor_type="row", zebra_stripes=True, classes="hidden")
        yield Static(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        names = [store.session(sid).name for sid in self.session_ids]
        scope = one_line(names[0], 60) if len(names) == 1 else f"{len(names)} sessions"
        self.title = f"Themes — {scope}"
        self.query_one("#themes", DataTable).add_columns("#", "Size", "★", "Theme")
        members = self.query_one("#members", DataTable)
        if len(self.session_ids) > 1:  # pooled: which session each idea came from
            self.tags = session_tags({sid: store.session(sid).name for sid in self.session_ids})
            members.add_column("Session")
        members.add_columns("+", "Who", "Phase", "Idea")
        self.entries = {e.id: e for e in scope_entries(store, self.session_ids)}
        self.show(latest_theme_set(store, self.session_ids))
        self.query_one("#themes", DataTable).focus()

    # -- showing ----------------------------------------------------------------

    def show(self, themes: ThemeSet | None, keep_theme: int | None = None) -> None:
        self.current = themes
        language = self.query_one("#language", Static)
        language.update(Text(note := theme_set_note(themes, short=True), style="bold yellow"))
        language.display = bool(note)
        table = self.query_one("#themes", DataTable)
        table.clear()
        info = self.query_one("#revision", Static)
        if themes is None:
            info.update("No themes yet: press c to find them (the model loads in the background).")
            self.query_one("#members", DataTable).clear()
            return
        record = themes.record
        kind = "automatic" if record.automatic else f"edited: {one_line(record.note, 60)}"
        total = sum(len(t.ideas) for t in themes.themes)
        header = Text(
            f"Revision {record.id} ({kind}) — {plural(len(themes.themes), 'theme')}, "
            f"{plural(total, 'idea')}"
        )
        if newer := len(left_out(themes, list(self.entries.values()))):
            header.append(
                f"\n{plural(newer, 'newer idea')} not in it: c clusters again", "bold yellow"
            )
        info.update(header)
        for theme in themes.themes:
            table.add_row(
                str(theme.number),
                str(len(theme.ideas)),
                str(len(theme.wild) or ""),
                Text(one_line(theme.label, 80)),
                key=str(theme.number),
            )
        if keep_theme is not None and str(keep_theme) in table.rows:
            table.move_cursor(row=table.get_row_index(str(keep_theme)))
        self.show_members()
        if self.view != VIEWS[0]:
            self.show_focus()

    def selected_theme(self) -> ThemeView | None:
        table = self.query_one("#themes", DataTable)
        if self.current is None or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((t for t in self.current.themes if str(t.number) == key), None)

    def selected_idea_id(self) -> int | None:
        table = self.query_one("#members", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key else None

    def show_members(self) -> None:
        theme = self.selected_theme()
        table = self.query_one("#members", DataTable)
        table.clear()
        detail = self.query_one("#detail", Static)
        if theme is None:
            detail.update("")
            return
        store = self.app.store  # type: ignore[attr-defined]
        people = {p.id: p.label for sid in self.session_ids for p in store.participants(sid)}
        phases = {p.id: p.title for sid in self.session_ids for p in store.phases(sid)}
        for idea in theme.ideas:
            text = Text()
            if theme.representative and idea.id == theme.representative.id:
                text.append("◆ ", style="bold green")
            if idea.id in theme.wild:
                text.append("★ ", style="bold yellow")
            if idea.id in theme.duplicate_groups:
                text.append(f"≈{theme.duplicate_groups[idea.id]} ", style="magenta")
            if idea.builds_on is not None:
                text.append(f"↳{self.pointer(idea.builds_on, theme)} ", style="cyan")
            text.append(one_line(idea.text, SHOWN_CHARS))
            tag = (Text(self.tags.get(idea.session_id, "")),) if self.tags else ()
            table.add_row(
                *tag,
                str(idea.seq),
                Text(one_line(people.get(idea.participant_id or -1, "—"), 24)),
                Text(one_line(phases.get(idea.phase_id or -1, ""), 12)),
                text,
                key=str(idea.id),
            )
        self.show_detail()

    def pointer(self, idea_id: int, theme: ThemeView | None) -> str:
        """A build-on target as people say it: "+12", and its theme when it is another
        ("+12 in T3"), or "+12 (not themed)" for excursion material and the like."""
        target = self.entries.get(idea_id)
        if target is None:
            return "a withdrawn idea"
        where = self.current.theme_of(idea_id) if self.current else None
        if where is None:
            return f"+{target.seq} (not themed)"
        if theme is not None and where.number == theme.number:
            return f"+{target.seq}"
        return f"+{target.seq} in T{where.number}"

    def show_detail(self) -> None:
        """The selected idea in full, then the ideas it builds on; the theme's
        representative when no idea is selected."""
        detail = self.query_one("#detail", Static)
        theme = self.selected_theme()
        if theme is None:
            detail.update("")
            return
        idea = self.entries.get(self.selected_idea_id() or -1)
        if idea is None:
            rep = theme.representative.text if theme.representative else "—"
            detail.update(Text.assemble(("Representative: ", "bold"), one_line(rep, SHOWN_CHARS)))
            return
        store = self.app.store  # type: ignore[attr-defined]
        people = {p.id: p.label for sid in self.session_ids for p in store.participants(sid)}
        where = ""
        if self.tags:
            where = f" · {one_line(store.session(idea.session_id).name, 40)}"
        text = Text.assemble(
            (f"+{idea.seq} ", "bold"),
            (one_line(people.get(idea.participant_id or -1, "unattributed"), 24), "dim"),
            (where, "dim"),
            ": ",
            one_line(idea.text, SHOWN_CHARS),
        )
        step, seen = idea, {idea.id}
        for _ in range(THREAD_SHOWN):
            if step.builds_on is None or step.builds_on in seen:
                break
            seen.add(step.builds_on)
            target = self.entries.get(step.builds_on)
            text.append(f"\n  ↳ builds on {self.pointer(step.builds_on, theme)}", style="cyan")
            if target is None:
                break
            text.append(": " + one_line(target.text, SHOWN_CHARS))
            step = target
        detail.update(text)

    @on(DataTable.RowHighlighted, "#themes")
    def theme_highlighted(self) -> None:
        self.show_members()

    @on(DataTable.RowHighlighted, "#members")
    def idea_highlighted(self) -> None:
        self.show_detail()

    @on(DataTable.RowHighlighted, "#focus")
    def focus_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.query_one("#detail", Static).update(self.focus_shown.detail(event.cursor_row))

    # -- compare and focus views ---------------------------------------------------

    def action_next_view(self) -> None:
        """Themes → sessions × themes → coverage → most novel → themes."""
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        themes_view = self.view == VIEWS[0]
        self.query_one("#review").set_class(not themes_view, "hidden")
        self.query_one("#focus", DataTable).set_class(themes_view, "hidden")
        if themes_view:
            self.show(self.current)
            self.query_one("#themes", DataTable).focus()
            return
        self.show_focus()
        self.query_one("#focus", DataTable).focus()

    def show_focus(self, shown: FocusView | None = None) -> None:
        """Fill the focus table for the current view; coverage whose area vectors are not
        cached yet is worked out in a worker (the model never loads on the UI thread)."""
        store = self.app.store  # type: ignore[attr-defined]
        found = shown or focus_view(store, self.view, self.current, self.session_ids)
        table = self.query_one("#focus", DataTable)
        table.clear(columns=True)
        table.fixed_columns = found.fixed
        table.add_columns(*found.columns)
        for row in found.rows:
            table.add_row(*row)
        self.focus_shown = found
        self.query_one("#detail", Static).update(found.detail(table.cursor_row))
        if found.needs_model and self.current is not None:
            self.coverage_worker(self.current)

    @work(thread=True, exclusive=True, group="coverage", exit_on_error=False, name="coverage")
    def coverage_worker(self, themes: ThemeSet) -> None:
        """Embeds the brief's areas with the ideas' model, off the UI thread."""
        app = self.app
        embedder = app.embedder or _default_embedder()  # type: ignore[attr-defined]
        with app.open_store() as store:  # type: ignore[attr-defined]
            found = focus_view(store, "coverage", themes, self.session_ids, embedder)
        app.call_from_thread(self._coverage_done, found)

    def _coverage_done(self, found: FocusView) -> None:
        if self.view == "coverage":
            self.show_focus(found)

    def action_switch_table(self) -> None:
        themes = self.query_one("#themes", DataTable)
        (self.query_one("#members", DataTable) if themes.has_focus else themes).focus()

    # -- editing ------------------------------------------------------------------

    def _edit(self, change: Callable[[ThemeSet], ThemeSet], keep: int | None = None) -> None:
        if self.current is None:
            self.notify("Find themes first (c).", severity="warning")
            return
        try:
            self.show(change(self.current), keep)
        except (ValueError, IdeationError) as error:  # review's refusals and a busy study
            self.say(error, "error")

    def _ask(self, question: str, then: Callable[[str], None], value: str = "") -> None:
        def answered(answer: str | None) -> None:
            if answer is not None and answer.strip():
                then(answer.strip())

        self.app.push_screen(AskScreen(question, value), answered)

    def _theme_number(self, answer: str) -> int | None:
        if not answer.isdigit():
            self.say(f"{answer!r}: expected a theme number", "error")
            return None
        return int(answer)

    def action_rename(self) -> None:
        theme = self.selected_theme()
        if theme is None:
            return
        store = self.app.store  # type: ignore[attr-defined]
        self._ask(
            f"New label for theme {theme.number} “{one_line(theme.label, QUOTED_CHARS)}”",
            lambda label: self._edit(
                lambda cur: review.rename_theme(store, cur, theme.number, label), theme.number
            ),
            theme.label,
        )

    def action_move(self) -> None:
        idea_id = self.selected_idea_id()
        theme = self.selected_theme()
        if idea_id is None or theme is None:
            return
        store = self.app.store  # type: ignore[attr-defined]

        def move(answer: str) -> None:
            number = self._theme_number(answer)
            if number is not None:
                self._edit(lambda cur: review.move_idea(store, cur, idea_id, number), theme.number)

        idea = self.entries.get(idea_id)
        quoted = f"+{idea.seq} “{one_line(idea.text, QUOTED_CHARS)}”" if idea else "the idea"
        self._ask(f"Move {quoted} from theme {theme.number} to theme number…", move)

    def action_merge(self) -> None:
        theme = self.selected_theme()
        if theme is None:
            return
        store = self.app.store  # type: ignore[attr-defined]

        def merge(answer: str) -> None:
            number = self._theme_number(answer)
            if number is not None:
                self._edit(
                    lambda cur: review.merge_themes(store, cur, theme.number, number), theme.number
                )

        self._ask(f"Merge which theme into “{one_line(theme.label, 40)}”? (number)", merge)

    def action_representative(self) -> None:
        idea_id = self.selected_idea_id()
        if idea_id is None:
            return
        store = self.app.store  # type: ignore[attr-defined]
        theme = self.selected_theme()
        self._edit(
            lambda cur: review.choose_representative(store, cur, idea_id),
            theme.number if theme else None,
        )

    # -- slow work, in workers ------------------------------------------------------

    def _progress(self, stage: str, done: int, total: int) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.remove_class("hidden")
        bar.update(total=max(total, 1), progress=done)
        self.query_one("#revision", Static).update(f"{stage.capitalize()}… {done}/{total}")

    def action_cluster(self) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        if not any(store.count_ideas(sid) for sid in self.session_ids):
            self.say("No ideas to find themes in yet.", "warning")
            return
        edited = edits_at_stake(store, self.session_ids)
        if edited is None:
            self.start_clustering(True)
            return
        self.app.push_screen(
            ConfirmScreen(
                f"Revision {edited.id} has your edits ({one_line(edited.note, 60)}). Cluster "
                f"again from scratch? The new revision is what this screen and exports show; "
                f"revision {edited.id} stays (export --revision {edited.id}).",
                yes="Cluster again",
            ),
            self.start_clustering,
        )

    def start_clustering(self, confirmed: bool | None) -> None:
        if not confirmed:
            return
        self.query_one("#revision", Static).update("Loading the model…")
        self.cluster_worker()

    @work(thread=True, exclusive=True, group="themes", exit_on_error=False, name="finding themes")
    def cluster_worker(self) -> None:
        """Embeds and clusters with its own connection; the screen stays live. A failure
        goes to the app's one worker handler, then `background_failed`."""
        from ideation.analysis.themes import cluster_scope, theme_set

        app = self.app
        embedder = app.embedder or _default_embedder()  # type: ignore[attr-defined]
        with app.open_store() as store:  # type: ignore[attr-defined]
            record = cluster_scope(
                store,
                self.session_ids,
                embedder,
                progress=lambda *a: app.call_from_thread(self._progress, *a),
            )
            result = theme_set(store, record.id)
        app.call_from_thread(self._done, result)

    def background_failed(self, worker: Worker[Any]) -> None:
        """The progress bar comes down and the last good revision shows again."""
        self.query_one("#progress", ProgressBar).add_class("hidden")
        self.show(self.current)

    def _done(self, result: ThemeSet) -> None:
        self.query_one("#progress", ProgressBar).add_class("hidden")
        store = self.app.store  # type: ignore[attr-defined]
        self.entries = {e.id: e for e in scope_entries(store, self.session_ids)}
        self.show(result)
        self.notify(f"{len(result.themes)} themes found")

    def action_split(self) -> None:
        theme = self.selected_theme()
        if theme is None or self.current is None:
            return
        if len(theme.ideas) < 2:
            self.say(f"Theme {theme.number} has one idea; nothing to split.", "warning")
            return
        self.split_worker(theme.number)

    @work(
        thread=True, exclusive=True, group="themes", exit_on_error=False, name="splitting a theme"
    )
    def split_worker(self, number: int) -> None:
        from ideation.analysis.themes import theme_set

        app = self.app
        embedder = app.embedder or _default_embedder()  # type: ignore[attr-defined]
        current = self.current
        assert current is not None
        with app.open_store() as store:  # type: ignore[attr-defined]
            result = review.split_theme(store, current, number, embedder)
            result = theme_set(store, result.record.id)
        app.call_from_thread(self.show, result, number)


def _default_embedder() -> Embedder:
    from ideation.analysis.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()
