"""Provides the interview screen: a screener given live, one question at a time.

On a phone call the recruiter reads each question out, types what the person
says and presses enter. The screener's own rules check every answer and apply
its skips and terminates as they go, exactly as for an online export, so a
phone recruit is scored and ranked like anyone else. Nothing is written until
the interview ends (complete or terminated) and the recruiter saves it; a
cancelled interview leaves no trace.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, Label, Static

from ideation.errors import IdeationError
from ideation.records import Contact
from ideation.screening.definition import Question, ScreenerDefinition
from ideation.screening.pipeline import administer, register_screener
from ideation.screening.rules import (
    AnswerError,
    evaluate,
    expectation,
    next_question,
    validate_answer,
)
from ideation.text import one_line, plural, printable
from ideation.tui.base import IdeationScreen
from ideation.tui.dialogs import ConfirmScreen
from ideation.tui.inputs import KeyOrderInput

FORM_FIELDS = (
    ("rid", "Respondent id"),
    ("name", "Name"),
    ("email", "Email"),
    ("phone", "Phone"),
)


def next_interview_id(taken: set[str], prefix: str = "I") -> str:
    """The first free id of the form I001, I002, …"""
    number = 1
    while f"{prefix}{number:03d}" in taken:
        number += 1
    return f"{prefix}{number:03d}"


def describe_choices(question: Question) -> RenderableType:
    """The options numbered 1..n, or a grid's lines and its scale, as a recruiter reads them."""
    if question.type == "creativity":
        return Text(
            "Type each line as the person says it and press enter;"
            " enter on an empty line finishes the answer.",
            style="italic",
        )
    if not question.options and not question.items:
        return Text("")
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right", style="bold")
    if question.type == "rating":
        table.add_column(style="cyan", no_wrap=True)
        table.add_column(ratio=1)
        for number, item in enumerate(question.items, start=1):
            table.add_row(str(number), Text(one_line(item.id, 30)), Text(one_line(item.text, 300)))
        scale = question.scale or 0
        labels = " · ".join(f"{p} {one_line(question.label(p), 40)}" for p in range(1, scale + 1))
        return Group(table, Text(f"Scale: {labels}", style="italic"))
    table.add_column(ratio=1)
    for number, option in enumerate(question.options, start=1):
        table.add_row(str(number), Text(one_line(option, 300)))
    return table


class InterviewScreen(IdeationScreen):
    """Asks a screener live; dismisses with the saved respondent's row id, or None."""

    BINDINGS = [
        Binding(
            "ctrl+b",
            "back",
            "Back one question",
            tooltip="Drop the last answer and ask that question again",
            priority=True,
        ),
        Binding("enter", "save", "Save", tooltip="Save the interview as it ended"),
        Binding("escape", "cancel", "Cancel", tooltip="Leave the interview; nothing is saved"),
    ]

    def __init__(self, defn: ScreenerDefinition) -> None:
        super().__init__()
        self.defn = defn
        self.phase = "form"  # "form", "asking" or "done"
        self.answers: dict[str, Any] = {}
        self.typed: dict[str, str] = {}  # what was typed per question, for going back
        self.order: list[str] = []  # questions answered, in the order asked
        self.lines: list[str] = []  # lines of a creativity answer being taken down
        self.current: Question | None = None
        self.started: float | None = None
        self.taken: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="interview-form"):
            yield Static("Who is this? Only the id is needed; contact details are kept apart.")
            for field_id, label in FORM_FIELDS:
                with Horizontal(classes="field"):
                    yield Label(label)
                    yield Input(id=field_id)
            yield Static(id="form-error", classes="error")
        with VerticalScroll(id="interview-body", classes="hidden"):
            yield Static(id="where")
            with Vertical(id="asking"):
                yield Static(id="question-text")
                yield Static(id="choices")
                yield Static(id="expect")
                yield Static(id="lines")
            yield Static(id="outcome")
        yield Static(id="answer-error", classes="error")
        yield KeyOrderInput(id="answer", placeholder="answer, then enter", classes="hidden")
        yield Footer()

    def on_mount(self) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        screener = register_screener(store, self.defn)
        self.taken = {r.external_id for r in store.respondents(screener.id)}
        self.title = f"Interview — {one_line(self.defn.title or self.defn.name, 60)}"
        rid = self.query_one("#rid", Input)
        rid.value = next_interview_id(self.taken)
        rid.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.phase != "form"
        if action == "save":
            return self.phase == "done"
        return True

    # -- the form -------------------------------------------------------------------

    @on(Input.Submitted, "#interview-form Input")
    def form_submitted(self, event: Input.Submitted) -> None:
        ids = [field_id for field_id, _ in FORM_FIELDS]
        position = ids.index(event.input.id or "")
        if position + 1 < len(ids):
            self.query_one(f"#{ids[position + 1]}", Input).focus()
        else:
            self.start()

    def start(self) -> None:
        """Check the id, then ask the first question."""
        rid = self.query_one("#rid", Input).value.strip()
        error = self.query_one("#form-error", Static)
        if not rid:
            error.update("A respondent id is needed.")
            self.query_one("#rid", Input).focus()
            return
        if rid in self.taken:
            error.update(
                Text(f"{one_line(rid, 40)} is already in this screener; choose another id.")
            )
            self.query_one("#rid", Input).focus()
            return
        self.phase = "asking"
        self.started = self.app.clock.now()  # type: ignore[attr-defined]
        self.query_one("#interview-form").add_class("hidden")
        self.query_one("#interview-body").remove_class("hidden")
        self.query_one("#answer", Input).remove_class("hidden")
        self.ask()

    @property
    def external_id(self) -> str:
        return self.query_one("#rid", Input).value.strip()

    def contact(self) -> Contact | None:
        name, email, phone = (
            self.query_one(f"#{f}", Input).value.strip() for f in ("name", "email", "phone")
        )
        return Contact(0, name, email, phone) if name or email or phone else None

    # -- asking -----------------------------------------------------------------------

    def ask(self) -> None:
        """Show the next question on the path, or the outcome when there is none."""
        question = next_question(self.defn, self.answers)
        self.current = question
        answer = self.query_one("#answer", Input)
        self.refresh_bindings()
        if question is None:
            self.finish()
            return
        self.phase = "asking"
        self.query_one("#outcome", Static).update("")
        self.query_one("#asking").remove_class("hidden")
        answer.remove_class("hidden")
        answer.focus()
        kind = "creativity task" if question.type == "creativity" else question.type
        self.query_one("#where", Static).update(
            Text.assemble(
                (f"{one_line(self.external_id, 40)}  ", "bold"),
                f"question {len(self.order) + 1} of up to {len(self.defn.questions)}"
                f" · {one_line(question.id, 30)} · {kind.replace('_', ' ')}",
            )
        )
        self.query_one("#question-text", Static).update(
            Text(printable(question.text)[:2000], style="bold")
        )
        self.query_one("#choices", Static).update(describe_choices(question))
        self.query_one("#expect", Static).update(
            Text(one_line(expectation(question), 400), style="dim")
        )
        self.show_lines()

    def show_lines(self) -> None:
        text = Text()
        for line in self.lines:
            text.append(f"  • {one_line(line, 400)}\n", style="green")
        self.query_one("#lines", Static).update(text)

    @on(Input.Submitted, "#answer")
    def answered(self, event: Input.Submitted) -> None:
        question = self.current
        if question is None or self.phase != "asking":
            return
        box = event.input
        raw = event.value
        if question.type == "creativity":
            if raw.strip():
                self.lines.append(raw.strip())
                self.query_one("#answer-error", Static).update("")
                self.show_lines()
                return
            raw = "\n".join(self.lines)
        try:
            value = validate_answer(question, raw)
        except AnswerError as error:
            self.query_one("#answer-error", Static).update(Text(one_line(str(error), 400)))
            if question.type != "creativity":  # give the text back, with anything typed since
                box.value = event.value + box.value
                box.cursor_position = len(event.value)
            return
        self.answers[question.id] = value
        self.typed[question.id] = raw
        self.order.append(question.id)
        self.lines = []
        self.query_one("#answer-error", Static).update("")
        self.ask()

    def finish(self) -> None:
        """The screener ended: say how, and wait for the recruiter to save it."""
        self.phase = "done"
        outcome = evaluate(self.defn, self.answers)
        answer = self.query_one("#answer", Input)
        answer.add_class("hidden")
        self.set_focus(None)
        self.query_one("#asking").add_class("hidden")
        self.query_one("#where", Static).update(
            Text.assemble(
                (f"{one_line(self.external_id, 40)}  ", "bold"),
                plural(len(self.order), "answer"),
            )
        )
        if outcome.status == "terminated":
            reason = one_line(outcome.terminate_reason, 200)
            said = Text(f"terminated: {reason}", style="bold red")
            said.append(f"  (at {one_line(str(outcome.terminated_at), 30)})", style="dim")
        else:
            said = Text(outcome.status, style="bold green")
        said.append("\n\nenter: save · ctrl+b: back one question · escape: leave without saving")
        self.query_one("#outcome", Static).update(said)
        self.refresh_bindings()

    def action_back(self) -> None:
        """Take back the last line of a task, else the last answer, and ask again."""
        if self.phase == "form":
            return
        box = self.query_one("#answer", Input)
        if self.phase == "asking" and self.lines:
            box.value = self.lines.pop()
            box.cursor_position = len(box.value)  # go on typing where the answer ends
            self.show_lines()
            return
        if not self.order:
            self.notify("This is the first question.")
            return
        question_id = self.order.pop()
        del self.answers[question_id]
        raw = self.typed.pop(question_id, "")
        if self.defn.question(question_id).type == "creativity":
            self.lines = raw.splitlines()
            box.value = ""
        else:
            self.lines = []
            box.value = raw
        self.query_one("#answer-error", Static).update("")
        self.ask()
        box.cursor_position = len(box.value)  # go on typing where the answer ends

    # -- ending -------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.phase != "done":
            return
        store = self.app.store  # type: ignore[attr-defined]
        now = self.app.clock.now()  # type: ignore[attr-defined]
        duration = now - self.started if self.started is not None else None
        try:
            respondent = administer(
                store, self.defn, self.external_id, self.answers, self.contact(), duration
            )
        except (ValueError, IdeationError) as error:  # a refused answer, a busy or full study
            self.say(error, "error")
            return
        reason = f" ({respondent.terminate_reason})" if respondent.terminate_reason else ""
        self.say(f"{respondent.external_id} saved: {respondent.status}{reason}")
        self.dismiss(respondent.id)

    def action_cancel(self) -> None:
        contact = self.contact()
        if not self.answers and not self.lines and contact is None:
            self.dismiss(None)
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Leave this interview? Nothing of it is saved.", yes="Leave"), confirmed
        )
