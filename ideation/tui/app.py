"""Provides the Textual application: one study database, many screens.

The app opens the store (cheap: SQLite and no model), shows the home screen
and pushes the live or review screens from there. Nothing here imports a
model library; slow work runs in thread workers. Crashes and worker failures
are handled once, in `IdeationAppBase`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual.app import SystemCommand
from textual.screen import Screen

from ideation.analysis.embed import Embedder, SentenceTransformerEmbedder
from ideation.live.clock import Clock
from ideation.text import one_line
from ideation.tui.base import IdeationAppBase
from ideation.tui.commands import binding_commands
from ideation.tui.home import HomeScreen
from ideation.tui.keymap import keymap_path, load_keymap

#: "Use the user's keymap file" (None means no keymap file at all).
DEFAULT_KEYMAP = Path("~keymap~")


class IdeationApp(IdeationAppBase):
    """The terminal UI for a study."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "ideation"

    def __init__(
        self,
        db_path: Path,
        *,
        clock: Clock | None = None,
        open_session: int | None = None,
        embedder: Embedder | None | bool = True,
        keymap: Path | None = DEFAULT_KEYMAP,
        **kwargs: Any,
    ) -> None:
        """`embedder`: True for the bundled model (loaded lazily in a worker), an
        Embedder to use that one, False/None to embed nothing in the background.
        `keymap`: the user's keymap file (default: `keymap_path()`), None for none;
        a bad file raises `KeymapError` naming the file and line."""
        super().__init__(db_path, clock=clock, **kwargs)
        path = keymap_path() if keymap is DEFAULT_KEYMAP else keymap
        if path is not None:
            self.set_keymap(load_keymap(path))
        if embedder is True:
            embedder = SentenceTransformerEmbedder()
        self.embedder: Embedder | None = embedder or None
        self.store = self.open_store()
        self.open_session = open_session
        self.sub_title = one_line(str(self.db_path), 120)

    def get_default_screen(self) -> Screen:
        """The home screen is the app's first screen (no blank screen under it)."""
        return HomeScreen()

    def on_mount(self) -> None:
        if self.open_session is not None:
            self.open_live(self.open_session)

    def open_live(self, session_id: int) -> None:
        """Run or resume a session on the live screen."""
        from ideation.tui.live import LiveScreen

        self.push_screen(LiveScreen(session_id))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from binding_commands(screen)
        yield from super().get_system_commands(screen)

    def on_unmount(self) -> None:
        self.store.close()
