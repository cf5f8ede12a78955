"""Provides the input box that hands over each line in key order.

Textual runs key bindings as actions a moment after later printable keys are
inserted, so with the stock Enter binding a fast typist's next words land in
the line before it is submitted. `KeyOrderInput` handles Enter itself and
empties at once, so each line carries exactly what was typed before its
Enter. The live capture box and the interview's answer box both build on it.
A paste arrives as text that may hold terminal escapes; only its printable
characters go in (the box would otherwise echo them to the terminal).
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from ideation.text import one_line


class KeyOrderInput(Input):
    """An Input that posts `Submitted` with its line and empties the instant Enter is hit."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.submit_line()
            return
        await super()._on_key(event)

    def _on_paste(self, event: events.Paste) -> None:
        text = one_line(event.text)
        if text:
            self.insert_text_at_cursor(text)
        event.stop()
        event.prevent_default()

    async def action_submit(self) -> None:
        self.submit_line()

    def submit_line(self) -> None:
        line = self.value
        self.value = ""
        self.post_message(self.Submitted(self, line))
