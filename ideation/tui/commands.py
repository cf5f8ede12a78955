"""Provides command-palette entries built from the screen's own key bindings.

Every action a screen offers by key is also offered in the palette, with the
same description and tooltip, so the two can never drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen


def own_actions(node: DOMNode) -> set[str]:
    """The actions a screen or app of ours declares (not Textual's, not a widget's)."""
    if not isinstance(node, Screen | App):
        return set()
    return {
        binding.action if isinstance(binding, Binding) else binding[1]
        for cls in type(node).__mro__
        if cls.__module__.startswith("ideation.")
        for binding in cls.__dict__.get("BINDINGS", [])
    }


def binding_commands(screen: Screen) -> Iterable[SystemCommand]:
    """One palette command per described binding of `screen` (or the app), shadowed or not.

    A focused table may own `enter` itself; the screen's action stays in the
    palette all the same, which is why this walks the whole binding chain. The
    focused widget's own keys (a text box's editing commands) are left out: they
    are not the screen's actions, and Textual lists them already.
    """
    seen: set[tuple[int, str]] = set()
    for node, bindings in screen._modal_binding_chain:  # noqa: SLF001 - no public walk
        own = own_actions(node)
        for _key, binding in bindings:
            if binding.action not in own:
                continue
            if not binding.description or (id(node), binding.action) in seen:
                continue
            if screen.app._check_action_state(binding.action, node) is False:  # noqa: SLF001
                continue
            seen.add((id(node), binding.action))

            async def run(node: DOMNode = node, action: str = binding.action) -> None:
                await node.run_action(action)

            key = binding.key_display or binding.key.split(",")[0]
            yield SystemCommand(f"{binding.description} ({key})", binding.tooltip or "", run)
