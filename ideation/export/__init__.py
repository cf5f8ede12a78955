"""Provides exports of a study's ideas and themes: csv, json, md, xlsx and a one-file HTML report.

Callers build an `ExportBundle` and call `write_export(bundle, fmt, path)`; every
format is written atomically, so a failed export never leaves half a file.
"""

from ideation.export.model import (
    COLUMNS,
    AgendaRow,
    ExportBundle,
    ExportIdea,
    ExportSession,
    ExportTheme,
)
from ideation.export.report import render_html, render_markdown
from ideation.export.tabular import needs_formula_guard, render_csv, render_json, write_xlsx
from ideation.export.writers import FORMATS, write_export

__all__ = [
    "COLUMNS",
    "FORMATS",
    "AgendaRow",
    "ExportBundle",
    "ExportIdea",
    "ExportSession",
    "ExportTheme",
    "needs_formula_guard",
    "render_csv",
    "render_html",
    "render_json",
    "render_markdown",
    "write_export",
    "write_xlsx",
]
