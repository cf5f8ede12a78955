"""Provides the readable exports of a bundle: a Markdown report and a self-contained HTML one.

These are what a researcher pastes into a debrief or emails to a client, so they
read top to bottom: the brief, the agenda as it ran, how the ideas came, then the
themes. The work is split by output: `report_common` (wording and counts both
reports share), `report_markdown`, `report_charts` (SVG) and `report_html`. This
module keeps the names callers and tests have always imported from here.
"""

from __future__ import annotations

from ideation.export.report_charts import (
    BAR_COLOUR,
    GRID_COLOUR,
    PALETTE,
    SHAPES,
    TEXT_COLOUR,
    UNTHEMED_COLOUR,
    hbar_chart,
    ink_on,
    map_chart,
    marker,
    minute_chart,
    place_labels,
    theme_style,
)
from ideation.export.report_common import (
    BRIEF_FIELDS,
    MAP_MINIMUM,
    UNATTRIBUTED,
    clock,
    count_phrase,
    difference,
    esc,
    ideas_by_phase,
    minutes,
    participants,
    technique_name,
    theme_counts,
    variants,
    when,
)
from ideation.export.report_html import render_html
from ideation.export.report_markdown import md_text, render_markdown

__all__ = [
    "BAR_COLOUR",
    "BRIEF_FIELDS",
    "GRID_COLOUR",
    "MAP_MINIMUM",
    "PALETTE",
    "SHAPES",
    "TEXT_COLOUR",
    "UNATTRIBUTED",
    "UNTHEMED_COLOUR",
    "clock",
    "count_phrase",
    "difference",
    "esc",
    "hbar_chart",
    "ideas_by_phase",
    "ink_on",
    "map_chart",
    "marker",
    "md_text",
    "minute_chart",
    "minutes",
    "participants",
    "place_labels",
    "render_html",
    "render_markdown",
    "technique_name",
    "theme_counts",
    "theme_style",
    "variants",
    "when",
]
