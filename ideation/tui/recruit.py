"""Provides the recruit screen: one screener's candidates, ranked, explained and decided.

Screeners exist to find consumers who are involved with the category and
creative. This screen shows the recruiter who they are in rank order, why each
scored as they did (the answers that counted, the rare ideas, every flag's
evidence) and how the quotas fill, and records a decision per key press so
nothing waits for a save. The table loads from the stored assessment (no
model); scoring again runs in a thread worker because it embeds the
open-ended answers. Contact details are personal data: they stay out of the
table and show for one person only when asked.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static
from textual.widgets.data_table import ColumnKey
from textual.worker import Worker

from ideation.errors import IdeationError
from ideation.records import Decision
from ideation.screening.definition import ScreenerDefinition
from ideation.screening.desk import STALE_SCORES, Board, CandidateRow, RecruitDesk
from ideation.screening.pipeline import Assessment
from ideation.screening.screener_yaml import ScreenerError, parse_screener
from ideation.store import StoreError
from ideation.text import one_line, printable
from ideation.tui.base import IdeationScreen, middle_cut
from ideation.tui.dialogs import AskScreen, ConfirmScreen

#: Flag kinds as the table shows them (the detail panel gives each one's evidence).
SHORT_FLAGS = {
    "speeder": "speed",
    "straightliner": "straight",
    "gibberish": "gibber",
    "duplicate_open_end": "dup-open",
    "duplicate_respondent": "dup-resp",
    "attention_check": "attn",
    "fraud": "fraud",
    "past_participation": "past",
}
DECISION_STYLE = {
    Decision.ACCEPTED: "bold green",
    Decision.STANDBY: "yellow",
    Decision.REJECTED: "red",
}
#: The longest reason the line under the table shows (three lines at 80 columns).
MAX_WHY = 220
#: Rows the table gets at once (more than any terminal shows), and then per batch while
#: the screen stays live: at 10,000 respondents the screen opens at once.
FIRST_ROWS = 120
FILL_BATCH = 200
#: Cells of the study in the screen's title: the whole of most, and at 80 columns the
#: screener's title still starts on screen.
STUDY_CHARS = 32
VERB = {
    Decision.ACCEPTED: "Accept",
    Decision.STANDBY: "Put on standby",
    Decision.REJECTED: "Reject",
}


def quota_text(board: Board) -> Text:
    """Each cell as suggested fill / min-max, then ✓ how many are accepted so far."""
    name_width = min(max((len(q.quota) for q in board.quotas), default=0), 10)
    cell_width = min(max((len(q.cell) for q in board.quotas), default=0), 10)
    text = Text()
    previous = None
    for line in board.quotas:
        name = line.quota[:name_width] if line.quota != previous else ""
        previous = line.quota
        style = "red" if line.over else "green" if line.met else ""
        name, cell_name = one_line(name, name_width), one_line(line.cell, cell_width)
        text.append(f"{name:<{name_width}} {cell_name:<{cell_width}} ")
        text.append(f"{line.filled}/{line.min}-{line.max}")
        text.append(f" ✓{line.accepted}\n", style=style)
    text.append(f"places {board.places}/{board.target}", style="bold")
    text.append(f" ✓{board.accepted}")
    text.append(f"  standby ✓{board.on_standby}/{board.standbys}")
    return text


def recruit_title(study: str, title: str) -> str:
    """The screen's title, study first: a screener is known by (study, name), and the
    header cuts its end at 80 columns, so the study must come before the long title.
    Plain text: Textual's header shows a screen title as it is, never as markup."""
    where = f" for {middle_cut(study, STUDY_CHARS)}" if study else ""
    return f"Recruit{where}: {one_line(title, 60)}"


def _number(value: float | None, scored: bool) -> str:
    if value is None:
        return "—" if not scored else ""
    return f"{value:.0f}"


class RecruitScreen(IdeationScreen):
    """Ranked candidates of one screener, their quota fill and the recruiter's decisions."""

    BINDINGS = [
        Binding(
            "a",
            "decide('accept')",
            "Accept",
            tooltip="Accept the selected person (asks why; saved at once)",
        ),
        Binding(
            "b",
            "decide('standby')",
            "Standby",
            tooltip="Put the selected person on standby (asks why; saved at once)",
        ),
        Binding(
            "x",
            "decide('reject')",
            "Reject",
            tooltip="Reject the selected person (asks why; saved at once)",
        ),
        Binding("u", "undecide", "Undecide", tooltip="Clear the selected person's decision"),
        Binding(
            "f",
            "apply_fill",
            "Fill",
            tooltip="Decide everyone undecided as the quota fill suggests (asks first)",
        ),
        Binding(
            "v",
            "invite",
            "Invite",
            tooltip="Make the accepted people participants of a session",
        ),
        Binding(
            "c",
            "contact",
            "Contact",
            tooltip="Show or hide the selected person's name, email and phone",
        ),
        # Left out of the footer, so the deciding keys fit at 80 columns. They stay in the
        # palette (ctrl+p) and the keys panel, and the screen says when each is wanted:
        # "press s" beside anyone not scored, "press i to interview" with nobody yet.
        Binding(
            "s",
            "score",
            "Score",
            tooltip="Score everyone again: rules, involvement, creativity, flags (uses the model)",
            show=False,
        ),
        Binding(
            "i",
            "interview",
            "Interview",
            tooltip="Give the screener live, one question at a time (e.g. on the phone)",
            show=False,
        ),
        Binding("escape", "app.pop_screen", "Back", tooltip="Back to the study", show=False),
    ]

    def __init__(self, screener_id: int) -> None:
        super().__init__()
        self.screener_id = screener_id
        self.defn: ScreenerDefinition | None = None
        self.desk: RecruitDesk | None = None
        self.assessment: Assessment | None = None
        self.board: Board | None = None
        self.rows: list[CandidateRow] = []
        self.row_of: dict[str, CandidateRow] = {}  # by row key (the respondent's id)
        self.filled = 0  # how many of `rows` the table holds; the rest are on their way
        self.pending_cursor: str | None = None  # a row to select once it is in the table
        self.loaded: tuple[int, ...] = ()  # the study's change counter at the last reload
        self.columns: list[ColumnKey] = []
        self.contact_for: int | None = None  # respondent whose contact is on screen
        self.scoring = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="summary")
        yield ProgressBar(id="progress", show_eta=False, classes="hidden")
        yield DataTable(id="candidates", cursor_type="row", zebra_stripes=True)
        yield Static(id="why")
        with Horizontal(id="recruit-bottom"):
            with VerticalScroll(id="quota-box"):
                yield Static(id="quotas")
            with VerticalScroll(id="detail-box"):
                yield Static(id="detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        screener = next((s for s in store.screeners() if s.id == self.screener_id), None)
        if screener is None:
            self.say(f"No screener {self.screener_id} in this study.", severity="error")
            self.app.pop_screen()
            return
        try:
            self.defn = parse_screener(screener.source, screener.path)
        except ScreenerError as error:
            self.say(str(error), severity="error")
            self.app.pop_screen()
            return
        self.desk = RecruitDesk(store, self.defn, self.app.clock)  # type: ignore[attr-defined]
        self.title = recruit_title(screener.study, self.defn.title or self.defn.name)
        self.columns = self.query_one("#candidates", DataTable).add_columns(
            "#", "ID", "Status", "Inv", "Cre", "All", "Flags", "Suggest", "Decision", "Why"
        )
        self.query_one("#quota-box").border_title = "Quotas  fill ✓accepted"
        self.reload()
        self.query_one("#candidates", DataTable).focus()

    def on_screen_resume(self) -> None:
        """Back from a dialog or another screen: read again only if the study changed
        (a decision already reloaded; reading 10,000 people twice a key press is not
        instant). The first resume, right after mounting, finds nothing changed."""
        store = self.app.store  # type: ignore[attr-defined]
        if self.defn is not None and store.change_counter() != self.loaded:
            self.reload(self.selected_key())

    # -- showing ----------------------------------------------------------------

    def reload(self, keep: str | None = None) -> None:
        """Read the stored assessment again and redraw, keeping the cursor on `keep`."""
        if self.defn is None or self.desk is None:
            return
        self.loaded = self.app.store.change_counter()  # type: ignore[attr-defined]
        self.assessment = self.desk.assessment()
        self.board = self.desk.board(self.assessment)
        shown, self.rows = self.rows, list(self.board.rows)
        self.row_of = {str(row.respondent.id): row for row in self.rows}
        table = self.query_one("#candidates", DataTable)
        if [r.respondent.id for r in shown] == [r.respondent.id for r in self.rows]:
            # The same people in the same order (a decision moves nobody): redraw only
            # the rows it changed, so a key press stays instant at 10,000 respondents.
            # Rows not in the table yet are added from `rows` as they are now.
            for before, row in zip(shown[: self.filled], self.rows, strict=False):
                if row != before:
                    for column, cell in zip(self.columns, self.cells(row), strict=True):
                        table.update_cell(str(row.respondent.id), column, cell)
        else:
            table.clear()
            self.filled = 0
            self.add_rows(FIRST_ROWS)
            if self.filled < len(self.rows):
                self.fill_worker()  # exclusive: a fill still running for the old rows stops
        self.pending_cursor = None
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))
        elif keep is not None and keep in self.row_of:
            self.pending_cursor = keep
        self.query_one("#quotas", Static).update(quota_text(self.board))
        self.show_summary()
        self.show_detail()

    def add_rows(self, count: int) -> None:
        """Add the next `count` rows to the table (the cells of the rest are not built)."""
        table = self.query_one("#candidates", DataTable)
        start, self.filled = self.filled, min(self.filled + count, len(self.rows))
        for row in self.rows[start : self.filled]:
            table.add_row(*self.cells(row), key=str(row.respondent.id))
        if self.pending_cursor is not None and self.pending_cursor in table.rows:
            table.move_cursor(row=table.get_row_index(self.pending_cursor))
            self.pending_cursor = None

    @work(exclusive=True, group="recruit-table", exit_on_error=False, name="table fill")
    async def fill_worker(self) -> None:
        """The rows past the first screenful, a batch at a time with the event loop free
        in between: Textual measures every cell added, about 0.4 ms a row, so 10,000
        rows at once held the screen for seconds. Keys work while it runs, and a
        reload that reorders the table starts a new fill (the old one is cancelled)."""
        while self.filled < len(self.rows):
            await asyncio.sleep(0)  # let key presses, the cursor and the idle measuring in
            self.add_rows(FILL_BATCH)

    def cells(self, row: CandidateRow) -> list[Text]:
        view, r = row.view, row.respondent
        dim = "" if row.eligible else "dim"
        kinds = list(dict.fromkeys(SHORT_FLAGS.get(f.kind, f.kind) for f in view.flags))
        flags = kinds[0] + (f"+{len(kinds) - 1}" if len(kinds) > 1 else "") if kinds else ""
        rank = str(view.rank) if view.rank and row.scored and row.eligible else ""
        return [
            Text(rank, style=dim, justify="right"),
            Text(one_line(r.external_id, 20), style=dim),
            Text(row.status, style=dim),
            Text(_number(view.involvement, row.scored), style=dim, justify="right"),
            Text(_number(view.creativity, row.scored), style=dim, justify="right"),
            Text(_number(view.composite, row.scored), style=f"bold {dim}", justify="right"),
            Text(flags, style="magenta" if flags and not dim else dim),
            Text(view.suggestion or "—", style=dim),
            Text(r.decision, style=f"{DECISION_STYLE.get(r.decision, '')} {dim}".strip()),
            Text(one_line(row.reason, 120), style=dim),
        ]

    def show_summary(self) -> None:
        board = self.board
        if board is None or self.scoring:  # the progress line says what scoring does
            return
        statuses = board.statuses
        parts = [f"{len(board.rows)} respondents", f"{statuses['complete']} complete"]
        parts += [f"{statuses[s]} {s}" for s in ("terminated", "incomplete") if statuses[s]]
        if board.excluded:
            parts.append(f"{board.excluded} excluded")
        line = " · ".join(parts)
        if board.unscored:
            line += f" — {board.unscored} not scored: press s"
        self.query_one("#summary", Static).update(Text(line))

    def how_to_score(self) -> str:
        """What someone not scored yet is waiting for: this screen's scoring, or `s`."""
        return "being scored now…" if self.scoring else "press s to score"

    def selected_key(self) -> str | None:
        table = self.query_one("#candidates", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def selected_row(self) -> CandidateRow | None:
        key = self.selected_key()
        return self.row_of.get(key) if key is not None else None

    def show_detail(self) -> None:
        row = self.selected_row()
        box = self.query_one("#detail-box")
        detail = self.query_one("#detail", Static)
        self.show_why(row)
        if row is None:
            box.border_title = ""
            detail.update("No respondents yet: import responses or press i to interview.")
            return
        store = self.app.store  # type: ignore[attr-defined]
        r = row.respondent
        box.border_title = Text(one_line(r.external_id, 40))
        if self.contact_for != r.id:
            self.contact_for = None
        text = Text()
        if self.contact_for is not None:
            contact = store.contact(r.id)
            parts = [contact.name, contact.email, contact.phone] if contact else []
            shown = " · ".join(p for p in parts if p) or "no contact details"
            text.append("Contact: ", style="bold")
            text.append(one_line(shown, 200) + "\n", style="reverse")
        if self.desk is not None:
            text.append(printable(self.desk.explain(r, how_to_score=self.how_to_score())))
        detail.update(text)
        self.query_one("#detail-box", VerticalScroll).scroll_home(animate=False)

    def show_why(self, row: CandidateRow | None) -> None:
        """The selected person's whole reason, under the table: the Why column is cut
        to the screen's width, and the reason is what the recruiter decides on."""
        text = Text()
        if row is not None:
            view = row.view
            text.append(one_line(row.respondent.external_id, 20), style="bold")
            if not row.scored:
                text.append(f" not scored yet: {self.how_to_score()}", style="yellow")
            else:
                text.append(f" {view.suggestion or 'no place'}", style="bold")
                if view.suggestion_reason:
                    text.append(f" — {one_line(view.suggestion_reason, MAX_WHY)}")
        self.query_one("#why", Static).update(text)

    @on(DataTable.RowHighlighted, "#candidates")
    def candidate_highlighted(self) -> None:
        self.show_detail()

    def action_contact(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        self.contact_for = None if self.contact_for == row.respondent.id else row.respondent.id
        self.show_detail()

    # -- deciding -----------------------------------------------------------------

    def action_decide(self, word: str) -> None:
        row = self.selected_row()
        if row is None or self.desk is None:
            return
        desk, decision = self.desk, Decision.from_word(word)
        view, respondent = row.view, row.respondent
        agrees = row.scored and Decision.from_suggestion(view.suggestion) is decision
        question = f"{VERB[decision]} {respondent.external_id}: why?"
        if row.scored and not agrees and view.suggestion_reason:
            question += f" (suggested: {view.suggestion or 'no place'} — {view.suggestion_reason})"

        def record(reason: str, override: bool) -> None:
            try:
                decided = desk.decide(respondent, decision, reason, override=override)
            except IdeationError as error:
                self.say(str(error), severity="warning")
                return
            self.reload(str(respondent.id))
            said = f"{respondent.external_id}: {decided.respondent.decision.shown}"
            said += " (override recorded)" if decided.override else ""
            if decided.over_places:
                self.say(f"{said} — {decided.over_places}", severity="warning", timeout=10)
            else:
                self.say(said)

        def answered(reason: str | None) -> None:
            if reason is None:
                return
            overruled = desk.overrides(respondent, decision)
            if not overruled or not reason.strip():
                record(reason, override=False)  # a missing reason is refused first
                return
            question = (
                f"{respondent.external_id} was {'; '.join(overruled)}."
                f" {VERB[decision]} all the same? It is recorded as an override."
            )
            self.app.push_screen(
                ConfirmScreen(question, yes="Override"),
                lambda yes: record(reason, override=True) if yes else None,
            )

        self.app.push_screen(
            AskScreen(question, self._reason_offered(row, decision, agrees), "reason"), answered
        )

    @staticmethod
    def _reason_offered(row: CandidateRow, decision: Decision, agrees: bool) -> str:
        """The reason the dialog starts with: the recruiter's own when deciding the same
        again, the fill's when they follow it (never a reason that quotes a decision)."""
        if row.respondent.decision:
            return row.respondent.decision_reason if row.respondent.decision is decision else ""
        return row.view.suggestion_reason if agrees else ""

    def action_undecide(self) -> None:
        row = self.selected_row()
        if row is None or self.desk is None or not row.respondent.decision:
            return
        self.desk.decide(row.respondent, Decision.UNDECIDED)
        self.reload(str(row.respondent.id))
        self.say(f"{row.respondent.external_id}: undecided")

    def action_apply_fill(self) -> None:
        if self.scoring:
            self.say("Scoring is still running.", severity="warning")
            return
        if self.desk is None:
            return
        self.reload(self.selected_key())
        desk = self.desk
        plan = desk.fill_plan(self.assessment)
        if plan.unscored:
            self.say(
                f"{len(plan.unscored)} undecided people are not scored yet"
                f" ({plan.unscored[0]}…): score first (s), or the fill would reject them.",
                severity="warning",
            )
            return
        if not plan.current:
            self.say(f"Not yet: {STALE_SCORES}.", severity="warning")
            return
        if not plan.undecided:
            self.say("Everyone is decided already.")
            return
        question = (
            f"Decide the {plan.undecided} undecided as the quota fill suggests:"
            f" {plan.accept} accepted, {plan.standby} standby,"
            f" {plan.reject} rejected? Decisions already made stay."
        )
        if plan.over_places:
            question += (
                f" That makes {plan.accepted_after} accepted for {plan.places} places"
                " (the fill does not count decisions already made)."
            )

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                changed = desk.apply_fill()
            except IdeationError as error:
                self.say(str(error), severity="warning")
                return
            self.reload(self.selected_key())
            self.say(f"{changed} decisions recorded")

        self.app.push_screen(ConfirmScreen(question, yes="Apply"), confirmed)

    def action_interview(self) -> None:
        from ideation.tui.interview import InterviewScreen

        if self.defn is None:
            return

        def done(saved: int | None) -> None:
            if saved is not None:
                self.reload(str(saved))
                if self.app.embedder is not None:  # type: ignore[attr-defined]
                    self.action_score()  # a saved interview is scored at once, not at `s`

        self.app.push_screen(InterviewScreen(self.defn), done)

    def action_invite(self) -> None:
        if self.desk is None:
            return
        store = self.app.store  # type: ignore[attr-defined]
        accepted = self.board.accepted if self.board is not None else 0
        open_sessions = [s for s in store.sessions() if s.status != "ended"]
        if not accepted:
            self.say("Nobody is accepted yet (a, or f for the quota fill).", severity="warning")
            return
        if not open_sessions:
            self.say(
                "Every session has ended: create one with `ideation run PLAN`.", severity="warning"
            )
            return
        desk = self.desk

        def answered(ref: str | None) -> None:
            if ref is None or not ref.strip():
                return
            try:
                session = store.find_session(ref.strip())
            except StoreError:
                self.say(f"No session with id or name {ref.strip()!r}.", severity="error")
                return
            try:
                names = desk.plan_names(session.id)
            except IdeationError as error:
                self.say(str(error), severity="warning")
                return
            if not names:
                self.invite_into(session.id, replace_plan_names=False)
                return
            # Asked before inviting, as `invite --replace-plan-names` does it: the recruits
            # then keep their own first names ("Tom", not "Tom H." beside the plan's Tom).
            self.app.push_screen(
                ConfirmScreen(
                    f"Session {session.id} has the plan's {', '.join(names)}. Take out those"
                    " who have said nothing, so the recruits are the room?",
                    yes="Take out",
                ),
                lambda yes: self.invite_into(session.id, replace_plan_names=bool(yes)),
            )

        self.app.push_screen(
            AskScreen(
                f"Invite the {accepted} accepted to which session? (number or name)",
                str(open_sessions[-1].id),
            ),
            answered,
        )

    def invite_into(self, session_id: int, *, replace_plan_names: bool) -> None:
        """The accepted join the session through the desk; the screen says what it did."""
        if self.desk is None:
            return
        try:
            invitation = self.desk.invite(session_id, replace_plan_names=replace_plan_names)
        except IdeationError as error:
            self.say(str(error), severity="warning")
            return
        self.say(
            f"Session {session_id}: {invitation}",
            severity="warning" if invitation.held_back or invitation.over_places else "information",
            timeout=15 if invitation.held_back else 10,
        )
        if invitation.clashes:
            self.say(
                "Two participants share a name: "
                + ", ".join(invitation.clashes)
                + ". Rename one before the session, or ideas go to the wrong person.",
                severity="warning",
                timeout=15,
            )

    # -- scoring, in a worker -------------------------------------------------------

    def action_score(self) -> None:
        if self.scoring or self.defn is None:
            return
        self.scoring = True
        self.query_one("#summary", Static).update("Scoring… (the model loads first)")
        self.show_detail()  # someone not scored yet is being scored now, not waiting for s
        self.score_worker()

    def _progress(self, stage: str, done: int, total: int) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.remove_class("hidden")
        bar.update(total=max(total, 1), progress=done)
        self.query_one("#summary", Static).update(f"Scoring: {stage}… {done}/{total}")

    @work(thread=True, exclusive=True, group="recruit", exit_on_error=False, name="scoring")
    def score_worker(self) -> None:
        """Scores with its own connection, so the screen stays live while the model works.
        A failure goes to the app's one worker handler, then `background_failed`."""
        from ideation.analysis.embed import SentenceTransformerEmbedder

        app = self.app
        defn = self.defn
        assert defn is not None
        embedder = app.embedder or SentenceTransformerEmbedder()  # type: ignore[attr-defined]
        with app.open_store() as store:  # type: ignore[attr-defined]
            desk = RecruitDesk(store, defn, app.clock)  # type: ignore[attr-defined]
            assessment = desk.score(
                embedder, progress=lambda *a: app.call_from_thread(self._progress, *a)
            )
        app.call_from_thread(self._scored, len(assessment.candidates))

    def _scored(self, count: int) -> None:
        self.scoring = False
        self.query_one("#progress", ProgressBar).add_class("hidden")
        self.reload(self.selected_key())
        self.say(f"{count} respondents scored")

    def background_failed(self, worker: Worker[Any]) -> None:
        """Scoring stopped: the progress bar comes down and the stored scores show again."""
        self.scoring = False
        self.query_one("#progress", ProgressBar).add_class("hidden")
        self.reload(self.selected_key())
