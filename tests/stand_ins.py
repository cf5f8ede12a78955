"""Question stand-ins for the import and quality tests, which must not need the parser."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

SCREENER = Path(__file__).parent.parent / "screeners" / "home-coffee.yaml"


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    attention_check: str | int | None = None
    reverse: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: str
    options: tuple[str, ...] = ()
    items: tuple[Item, ...] = ()
    column: str | dict[str, str] | None = None
    labels: tuple[str, ...] = ()
    scale: int | None = None
    min: float | None = None
    max: float | None = None


def home_coffee() -> list[Question]:
    """The example screener's questions, as small frozen dataclasses (no parser needed)."""
    data = YAML(typ="safe").load(SCREENER.read_text(encoding="utf-8"))
    return [
        Question(
            id=q["id"],
            type=q["type"],
            text=q["text"],
            options=tuple(q.get("options", ())),
            items=tuple(
                Item(i["id"], i["text"], i.get("attention_check"), i.get("reverse", False))
                for i in q.get("items", ())
            ),
            labels=tuple(q.get("labels", ())),
            scale=q.get("scale"),
            min=q.get("min"),
            max=q.get("max"),
        )
        for q in data["questions"]
    ]
