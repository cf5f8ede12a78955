"""Provides the compare-and-focus parts of an export: sessions × themes, segments × themes,
opportunity-area coverage and each session's most novel ideas.

Built from cached vectors only, like the idea map: an export never loads a model.
Novelty is ranked within the whole revision it comes from (the pooled study), even
when the export shows only some of its sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ideation.analysis.compare import CrossTable, segments_by_theme, sessions_by_theme
from ideation.analysis.coverage import scope_coverage
from ideation.analysis.novelty import not_judged, scope_novelty
from ideation.analysis.themes import ThemeSet, theme_set
from ideation.export.model import ExportArea, ExportCrossTable, ExportNovel
from ideation.screening.segments import participant_segments
from ideation.store import Store


def focus_fields(
    store: Store, themes: ThemeSet | None, session_ids: Sequence[int]
) -> dict[str, Any]:
    """The bundle's `cross_tables`, `coverage` and `novel` fields for these sessions."""
    if themes is None:
        return {}
    names = {sid: store.session(sid).name for sid in session_ids}
    tables: list[CrossTable] = []
    if len(session_ids) > 1:
        tables.append(sessions_by_theme(themes, names))
    segments = participant_segments(store, session_ids)
    by_segment = segments_by_theme(themes, segments.of, segments.order)
    if by_segment is not None:
        tables.append(by_segment)
    areas = scope_coverage(store, themes, session_ids=session_ids)
    pooled = theme_set(store, themes.record.id)
    novel = scope_novelty(store, pooled) or {}
    return {
        "cross_tables": tuple(export_table(t) for t in tables),
        "coverage": None
        if areas is None
        else tuple(
            ExportArea(
                c.area.kind,
                c.area.text,
                c.ideas,
                tuple(f"T{number} {label} ({near})" for number, label, near in c.themes),
            )
            for c in areas
        ),
        "novel": tuple(
            ExportNovel(names[sid], n.idea.seq, n.idea.text, n.theme_label, round(n.rarity, 3))
            for sid in session_ids
            for n in novel.get(sid, [])
        ),
        "novel_left_out": not_judged(pooled, set(session_ids)) if novel else 0,
    }


def export_table(table: CrossTable) -> ExportCrossTable:
    return ExportCrossTable(
        table.by, table.groups, tuple((r.number, r.label, r.counts, r.total) for r in table.rows)
    )
