"""The example screener's questions for the import and quality tests, as the real classes.

Stand-ins once mirrored the question class and drifted from it (labels where the
reader stores scale points); the tests now build `definition.Question` and
`GridItem` themselves, and read the shipped example through the real reader.
"""

from __future__ import annotations

from pathlib import Path

from ideation.screening.definition import GridItem as Item
from ideation.screening.definition import Question
from ideation.screening.screener_yaml import load_screener

SCREENER = Path(__file__).parent.parent / "screeners" / "home-coffee.yaml"

__all__ = ["Item", "Question", "home_coffee"]


def home_coffee() -> list[Question]:
    """The example screener's questions, exactly as the pipeline gets them."""
    return list(load_screener(SCREENER).questions)
