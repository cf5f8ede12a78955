"""The home screen at 80×24: session names stay readable and tell sessions apart."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from ideation.store import Store
from ideation.tui.app import IdeationApp
from ideation.tui.home import HomeScreen

NAMES = ["Workshop A", "workshop", "Workshop B", "Kitchen table stickies"]


async def test_session_names_are_readable_at_80_by_24(db_path: Path) -> None:
    with Store(db_path) as store:
        for name in NAMES:
            store.create_session(name, None, [], [])
    app = IdeationApp(db_path, embedder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one("#sessions", DataTable)
        # every short name whole, the long one cut with an ellipsis, all inside the panel
        for name in NAMES[:3]:
            assert f" {name} " in _visible(table)
        assert "Kitchen table s…" in _visible(table)
        assert "Ideas" in _visible(table) and "Status" in _visible(table)


def _visible(table: DataTable) -> str:
    """The table's rows as drawn on screen (its visible region only)."""
    region = table.content_region
    lines = [
        "".join(segment.text for segment in table.render_line(y)) for y in range(region.height)
    ]
    return "\n".join(lines)
