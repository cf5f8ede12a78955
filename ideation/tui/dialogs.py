"""Provides small modal dialogs that answer through `dismiss`.

Questions often quote user text (a theme label, a respondent id), so they are
shown as plain text, never as markup, and without control characters.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from ideation.text import one_line

#: A question longer than this is cut (it quotes user text of any length).
QUESTION_CHARS = 600


def question_label(question: str) -> Label:
    return Label(Text(one_line(question, QUESTION_CHARS)), id="question")


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; `y`/`enter` confirm, `n`/`escape` cancel."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes: str = "Yes") -> None:
        super().__init__()
        self.question = question
        self.yes = one_line(yes, 30)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield question_label(self.question)
            with Horizontal(id="buttons"):
                yield Button(Text(f"{self.yes} (y)"), variant="warning", id="yes")
                yield Button("No (n)", variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class AskScreen(ModalScreen[str | None]):
    """One line of input (a label, a theme number); escape cancels with None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = one_line(value)
        self.placeholder = one_line(placeholder, 80)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield question_label(self.question)
            yield Input(value=self.value, placeholder=self.placeholder, id="answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


#: Pasted lines listed in the paste question (the rest are counted).
PASTE_SHOWN = 8


class PasteScreen(ModalScreen[str | None]):
    """Several pasted lines: capture them as separate ideas ("lines"), as one idea
    ("one"), or not at all (None). A pasted list is usually one idea per line (sticky
    notes typed up, a chat export), so that is the first answer; the text is shown as
    plain text, each line cut to one row."""

    BINDINGS = [
        Binding("y", "answer('lines')", "Separate ideas"),
        Binding("o", "answer('one')", "One idea"),
        Binding("n,escape", "answer(None)", "Cancel"),
    ]

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        count = len(self.lines)
        listing = Text(no_wrap=True, overflow="ellipsis")
        for number, line in enumerate(self.lines[:PASTE_SHOWN], start=1):
            listing.append(f"{number:>3} ", style="dim")
            listing.append(one_line(line, 200))
            listing.append("\n")
        if count > PASTE_SHOWN:
            listing.append(f"    … and {count - PASTE_SHOWN} more\n", style="dim")
        with Vertical(id="dialog"):
            yield question_label(f"Capture {count} lines as {count} ideas?")
            yield Label(listing, id="pasted")
            with Horizontal(id="buttons"):
                yield Button(f"{count} ideas (y)", variant="primary", id="lines")
                yield Button("One idea (o)", id="one")
                yield Button("Cancel (n)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#lines", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id if event.button.id in ("lines", "one") else None)

    def action_answer(self, answer: str | None) -> None:
        self.dismiss(answer)
