"""Provides command-palette entries built from the screen's own key bindings.

Every action a screen offers by key is also offered in the palette, with the
same description and tooltip, so the two can never drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import SystemCommand
from textual.screen import Screen


def binding_commands(screen: Screen) -> Iterable[SystemCommand]:
    """One palette command per described, enabled binding of `screen` (first key wins)."""
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or binding.action in seen or not active.enabled:
            continue
        seen.add(binding.action)
        node = active.node
        action = binding.action

        async def run(node=node, action=action) -> None:  # noqa: ANN001 - bound defaults
            await node.run_action(action)

        key = binding.key_display or binding.key
        yield SystemCommand(f"{binding.description} ({key})", binding.tooltip or "", run)
