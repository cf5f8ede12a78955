"""Provides the report's charts as inline SVG: bars, ideas per minute, and the 2-D idea map.

Drawn here rather than by a charting library so the HTML report stays one file
with nothing to fetch or run. Every piece of participant text goes through `esc`.
The map stays readable with many themes: theme labels are placed greedily so none
overlap (a label that cannot find room is shortened to its number, then left to
the legend), and each theme is one SVG group that CSS emphasises on hover, from
the map or from the legend.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ideation.export.model import ExportIdea, ExportSession, ExportTheme, theme_label
from ideation.export.report_common import MAP_MINIMUM, Groups, clean, esc, finite
from ideation.text import plural

#: Theme colours: ten that stay apart on screen and in print (Tableau 10, grey swapped
#: for indigo because grey means "not in a theme"). Past ten the marker shape changes
#: (filled dot, ring, square), so 30 themes stay distinguishable before anything repeats.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#3d3b8e",
)
SHAPES = ("dot", "ring", "square")
UNTHEMED_COLOUR = "#9aa3af"
BAR_COLOUR = "#2f5d8a"
GRID_COLOUR = "#e1e5eb"
TEXT_COLOUR = "#5c6675"

MAP_WIDTH, MAP_HEIGHT, MAP_PAD = 960, 540, 28
#: Map labels: font size, padding inside their box, and the longest label text shown.
LABEL_SIZE, LABEL_PAD, LABEL_CHARS = 13.0, 3.0, 24


def theme_style(index: int) -> tuple[str, str]:
    """(colour, marker shape) of the index-th theme: colours cycle, shapes change each round."""
    return PALETTE[index % len(PALETTE)], SHAPES[(index // len(PALETTE)) % len(SHAPES)]


def group_style(index: int, theme: ExportTheme | None) -> tuple[str, str]:
    """(colour, shape) of a group from `theme_groups`: grey rings for the unthemed."""
    return (UNTHEMED_COLOUR, "ring") if theme is None else theme_style(index)


def marker(x: float, y: float, colour: str, shape: str, size: float = 5.0, extra: str = "") -> str:
    """One map point / legend key as SVG: a dot, a ring or a square."""
    if shape == "square":
        side = size * 1.7
        return (
            f'<rect x="{x - side / 2:.1f}" y="{y - side / 2:.1f}" width="{side:.1f}" '
            f'height="{side:.1f}" fill="{colour}"{extra}'
        )
    if shape == "ring":
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size - 1:.1f}" fill="#fff" '
            f'stroke="{colour}" stroke-width="2.2"{extra}'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="{colour}"{extra}'


def key(colour: str, shape: str) -> str:
    """A small legend key in a theme's colour and shape."""
    shape_svg = marker(6, 6, colour, shape, size=5, extra=" />")
    return f'<svg class="keymark" viewBox="0 0 12 12" aria-hidden="true">{shape_svg}</svg>'


def ink_on(colour: str) -> str:
    """Dark or white text, whichever reads on `colour` (a #rrggbb background)."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "#1c2330" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.62 else "#fff"


def truncate(text: str, limit: int) -> str:
    """The text cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _nice_step(top: float, ticks: int = 4) -> float:
    """A round gridline step (1, 2, 5 × 10^n) giving about `ticks` lines up to `top`."""
    raw = max(top, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return max(step, 1)


# --- bars ------------------------------------------------------------------------------------


def hbar_chart(rows: Sequence[tuple[str, int]], *, total: int | None = None) -> str:
    """Horizontal bars with labels at the left: long labels and many rows stay readable."""
    if not rows or not any(value for _, value in rows):
        return '<p class="empty">No ideas captured.</p>'
    width, value_w, bar_h, gap, top = 460, 64, 18, 7, 4
    # About 7 units a character at this size: short labels (P1, P2) leave room for the bars.
    label_w = min(max(len(clean(label)) for label, _ in rows), 26) * 7 + 16
    plot = width - label_w - value_w
    peak = max(value for _, value in rows)
    height = top + len(rows) * (bar_h + gap)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" font-size="12.5" '
        f'aria-label="{len(rows)} bars">'
    ]
    for number, (label, value) in enumerate(rows):
        y = top + number * (bar_h + gap)
        length = max(plot * value / peak, 0) if peak > 0 else 0
        share = f" ({value / total:.0%})" if total else ""
        parts.append(
            f"<g><title>{esc(label)}: {value}{share}</title>"
            f'<text x="{label_w - 10}" y="{y + bar_h * 0.72:.1f}" text-anchor="end" '
            f'fill="#1c2330">{esc(truncate(clean(label), 26))}</text>'
            f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h}" rx="2" '
            f'fill="{BAR_COLOUR}" />'
            f'<text x="{label_w + length + 6:.1f}" y="{y + bar_h * 0.72:.1f}" '
            f'fill="{TEXT_COLOUR}">{value}{share}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def minute_chart(session: ExportSession) -> str:
    """Ideas captured per minute as bars, with numbered lines where each phase started."""
    counts = list(session.ideas_per_minute)
    if not counts or not any(counts):
        return '<p class="empty">No ideas captured.</p>'
    width, height, left, right, top, bottom = 960, 230, 34, 10, 20, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    step = _nice_step(max(counts))
    ceiling = step * math.ceil(max(counts) / step)
    slot = plot_w / len(counts)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" font-size="12.5" '
        f'aria-label="Ideas per minute over {plural(len(counts), "minute")}">'
    ]
    value = 0.0
    while value <= ceiling + 1e-9:
        y = top + plot_h - plot_h * value / ceiling
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}" />'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT_COLOUR}">'
            f"{value:g}</text>"
        )
        value += step
    for minute, count in enumerate(counts):
        if not count:
            continue
        bar = plot_h * count / ceiling
        parts.append(
            f'<rect x="{left + minute * slot + slot * 0.1:.2f}" y="{top + plot_h - bar:.1f}" '
            f'width="{max(slot * 0.8, 0.8):.2f}" height="{bar:.1f}" fill="{BAR_COLOUR}">'
            f"<title>Minute {minute + 1}: {plural(count, 'idea')}</title></rect>"
        )
    for number, offset in _phase_offsets(session):
        if 0 <= offset <= len(counts):
            x = left + offset * slot
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{top + plot_h}" '
                f'stroke="#8a93a1" stroke-dasharray="3 3" />'
                f'<text x="{x + 3:.1f}" y="{top - 7}" fill="{TEXT_COLOUR}" font-size="11">'
                f"{number}</text>"
            )
    tick = next((m for m in (1, 2, 5, 10, 15, 30, 60, 120) if len(counts) / m <= 12), 240)
    minute = 0
    while minute <= len(counts):
        x = left + minute * slot
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + plot_h}" y2="{top + plot_h + 4}" '
            f'stroke="#8a93a1" />'
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="{TEXT_COLOUR}">'
            f"{minute}</text>"
        )
        minute += tick
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="#8a93a1" /></svg>'
    )
    return "".join(parts)


def _phase_offsets(session: ExportSession) -> list[tuple[int, float]]:
    """(agenda number, minutes since the first phase started) for each phase start."""
    starts: list[tuple[int, datetime]] = []
    for number, row in enumerate(session.agenda, start=1):
        try:
            starts.append((number, datetime.fromisoformat(row.started_at)))
        except (TypeError, ValueError):
            continue
    if not starts:
        return []
    origin = starts[0][1]
    try:
        return [(number, (start - origin).total_seconds() / 60) for number, start in starts]
    except TypeError:  # naive and aware timestamps mixed: no reliable offsets
        return []


# --- map labels ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in SVG units (x, y is the top-left corner)."""

    x: float
    y: float
    width: float
    height: float

    def overlaps(self, other: Box) -> bool:
        """True when the two boxes share any area (touching edges do not count)."""
        return (
            self.x < other.x + other.width
            and other.x < self.x + self.width
            and self.y < other.y + other.height
            and other.y < self.y + self.height
        )

    def inside(self, width: float, height: float) -> bool:
        """True when the box lies wholly within a width × height canvas."""
        right, bottom = self.x + self.width, self.y + self.height
        return self.x >= 0 and self.y >= 0 and right <= width and bottom <= height


@dataclass(frozen=True)
class PlacedLabel:
    """A map label that found room: the text shown and the box it owns."""

    index: int  # the group's index in `theme_groups`
    text: str
    box: Box


def text_width(text: str, size: float) -> float:
    """A generous width estimate for bold text: wide (CJK) characters count one em, the
    rest 0.62 em, so the box drawn behind a label covers it in common sans-serif fonts."""
    wide = sum(unicodedata.east_asian_width(ch) in "WF" for ch in text)
    return size * (wide + 0.62 * (len(text) - wide))


def _label_box(text: str, cx: float, cy: float) -> Box:
    width = text_width(text, LABEL_SIZE) + 2 * LABEL_PAD
    height = LABEL_SIZE * 1.3 + 2 * LABEL_PAD
    return Box(cx - width / 2, cy - height / 2, width, height)


def place_labels(
    wanted: Sequence[tuple[int, str, str, float, float]],
    width: float = MAP_WIDTH,
    height: float = MAP_HEIGHT,
) -> list[PlacedLabel]:
    """Greedy placement: each (index, full text, short text, x, y) in the order given (the
    caller puts the largest themes first) takes the first spot at or around (x, y) where its
    box stays on the canvas and overlaps no earlier label, trying the full text, then the
    short text; a label with no room anywhere near is dropped (the legend still lists it)."""
    placed: list[PlacedLabel] = []
    for index, full, short, x, y in wanted:
        for text in dict.fromkeys((full, short)):
            box = next(
                (
                    candidate
                    for dx, dy in _nudges(_label_box(text, 0, 0))
                    if (candidate := _clamped(_label_box(text, x + dx, y + dy), width, height))
                    and not any(candidate.overlaps(p.box) for p in placed)
                ),
                None,
            )
            if box is not None:
                placed.append(PlacedLabel(index, text, box))
                break
    return placed


def _nudges(box: Box) -> list[tuple[float, float]]:
    """Offsets to try, nearest first: the spot itself, then rings of steps around it."""
    step_x, step_y = box.width / 2 + 2, box.height + 2
    offsets = [(0.0, 0.0)]
    for ring in (1, 2, 3):
        for dx, dy in ((0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1)):
            offsets.append((dx * step_x * ring, dy * step_y * ring))
    return offsets


def _clamped(box: Box, width: float, height: float) -> Box | None:
    """The box moved back onto the canvas, or None if it is larger than the canvas."""
    if box.width > width or box.height > height:
        return None
    x = min(max(box.x, 0.0), width - box.width)
    y = min(max(box.y, 0.0), height - box.height)
    return Box(x, y, box.width, box.height)


# --- map -------------------------------------------------------------------------------------


def map_chart(groups: Groups) -> str:
    """Ideas as marks at their 2-D positions, one SVG group per theme, labelled without overlap.

    Each theme's marks and label share `data-t` (the group's index), which the stylesheet
    and the per-map rules below use to fade every other theme while one is hovered, on the
    map or in the legend.
    """
    placed = [
        (index, theme, idea)
        for index, (theme, ideas) in enumerate(groups)
        for idea in ideas
        if finite(idea.x) and finite(idea.y)
    ]
    if len(placed) < MAP_MINIMUM:
        return ""
    width, height, pad = MAP_WIDTH, MAP_HEIGHT, MAP_PAD
    xs = [idea.x for _, _, idea in placed]
    ys = [idea.y for _, _, idea in placed]
    # One scale for both axes (distances on the map mean something), as large as fits.
    fits = [
        (size - 2 * pad) / (max(values) - min(values))
        for size, values in ((width, xs), (height, ys))
        if max(values) > min(values)
    ]
    scale = min(fits, default=1.0)
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def point(idea: ExportIdea) -> tuple[float, float]:
        return (
            width / 2 + (idea.x - mid_x) * scale,  # type: ignore[operator]
            height / 2 - (idea.y - mid_y) * scale,  # type: ignore[operator]
        )

    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Map of {plural(len(placed), "idea")} by theme">',
        f"<style>{hover_rules(len(groups))}</style>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fbfcfd" />',
    ]
    # Unthemed first so the themes draw over them.
    order = sorted(range(len(groups)), key=lambda i: groups[i][0] is not None)
    for index in order:
        theme = groups[index][0]
        marks = [idea for i, _, idea in placed if i == index]
        if not marks:
            continue
        colour, shape = group_style(index, theme)
        label = esc(theme_label(theme))
        close = "</rect>" if shape == "square" else "</circle>"
        parts.append(f'<g class="mt" data-t="{index}">')
        for idea in marks:
            x, y = point(idea)
            star = "★ " if idea.wild else ""
            parts.append(
                marker(x, y, colour, shape, extra=' fill-opacity="0.85">')
                + f"<title>{star}{esc(idea.text)} ({label})</title>{close}"
            )
        parts.append("</g>")
    parts += [_label_svg(label) for label in place_labels(_wanted_labels(groups, point))]
    parts.append("</svg>")
    return "".join(parts)


def _wanted_labels(
    groups: Groups, point: Callable[[ExportIdea], tuple[float, float]]
) -> list[tuple[int, str, str, float, float]]:
    """(index, "3 compost · pods", "3", centre x, centre y) per placed theme, largest first."""
    wanted = []
    for index, (theme, ideas) in enumerate(groups):
        spots = [point(i) for i in ideas if finite(i.x) and finite(i.y)]
        if theme is None or not spots:
            continue
        cx = sum(x for x, _ in spots) / len(spots)
        cy = sum(y for _, y in spots) / len(spots)
        full = f"{theme.id} {truncate(' '.join(clean(theme_label(theme)).split()), LABEL_CHARS)}"
        wanted.append((len(spots), index, full, str(theme.id), cx, cy))
    wanted.sort(key=lambda row: -row[0])  # stable: equal sizes keep theme order
    return [row[1:] for row in wanted]


def _label_svg(label: PlacedLabel) -> str:
    """A label on a white box (so marks under it never garble it), hover-linked to its theme."""
    box = label.box
    number, _, rest = label.text.partition(" ")
    words = f" {esc(rest)}" if rest else ""
    baseline = box.y + box.height / 2 + LABEL_SIZE * 0.35
    return (
        f'<g class="ml" data-t="{label.index}">'
        f'<rect class="lb" x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" '
        f'height="{box.height:.1f}" rx="3" fill="#fff" fill-opacity="0.88" />'
        f'<text x="{box.x + box.width / 2:.1f}" y="{baseline:.1f}" '
        f'text-anchor="middle" font-size="{LABEL_SIZE:g}" fill="#1c2330">'
        f'<tspan font-weight="700">{esc(number)}</tspan>{words}</text></g>'
    )


def hover_rules(count: int) -> str:
    """CSS fading every other theme while one theme is hovered, on the map or in the legend.

    One rule per theme because CSS cannot compare two attributes; `:has` lets the legend
    (outside the SVG) drive the map. Browsers without `:has` still get the plain
    `g.mt:hover` outline from the page's stylesheet.
    """
    return "".join(
        f'.map:has([data-t="{i}"]:hover) [data-t]:not([data-t="{i}"]){{opacity:.18}}'
        for i in range(count)
    )
