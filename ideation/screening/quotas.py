"""Provides quota filling: who is invited, who stands by, and why the rest are not.

A workshop of six needs a spread of people (ages, genders, ...), but should
still take the best-ranked people it can. `fill_quotas` is a greedy that
respects both ends of every quota cell: candidates are taken in rank order,
and one is accepted only if that pushes no cell over its max and leaves
enough places to still meet every cell's min. When the places left equal the
outstanding shortfall, only candidates who reduce it get in. A min that no
remaining candidate could help meet holds no places back, so an empty cell
never leaves the workshop short. Standbys follow in rank order, within the
maxes where possible. The result is deterministic (ties in rank go by id),
and every candidate passed over carries a reason a recruiter can read out,
such as "age band 18-34 full (3/3)".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ideation.screening.definition import QuotaCell, ScreenerDefinition
from ideation.screening.rules import AnswerError, is_missing, normalise_answer

#: A quota cell as (quota index, cell index) in the screener.
Cell = tuple[int, int]


@dataclass(frozen=True)
class Candidate:
    """Someone who could be invited, with the rank worked out elsewhere."""

    id: str
    answers: Mapping[str, Any]
    rank_score: float
    eligible: bool = True
    #: Put on standby by the recruiter: never given a place nor waited for, always on
    #: the standby list (ahead of the fill's own standbys).
    standby_only: bool = False


@dataclass(frozen=True)
class CellFill:
    """How full one quota cell ended up, counting accepted participants only."""

    quota: str
    cell: str
    min: int
    max: int
    filled: int


@dataclass(frozen=True)
class Unplaced:
    """A candidate neither accepted nor on standby, and why."""

    id: str
    reason: str


@dataclass(frozen=True)
class QuotaResult:
    """Accepted and standby ids in rank order, the rest with reasons, and the cells."""

    accepted: tuple[str, ...]
    standbys: tuple[str, ...]
    unplaced: tuple[Unplaced, ...]
    cells: tuple[CellFill, ...]


def fill_quotas(defn: ScreenerDefinition, candidates: Sequence[Candidate]) -> QuotaResult:
    """Choose participants and standbys from ranked candidates, within the quotas."""
    ranked = sorted(candidates, key=lambda c: (-c.rank_score, c.id))
    limits = {
        (q, c): cell for q, quota in enumerate(defn.quotas) for c, cell in enumerate(quota.cells)
    }
    member = _memberships(defn, ranked)
    # People the recruiter put on standby never take a place, nor are they waited for.
    on_standby = [c.id for c in ranked if c.eligible and c.standby_only]
    pool = [c.id for c in ranked if c.eligible and not c.standby_only]
    reasons = {candidate.id: "not eligible" for candidate in ranked if not candidate.eligible}
    reasons |= {who: "on standby by decision" for who in on_standby}
    target = defn.target_participants
    filled: Counter[Cell] = Counter()
    accepted: list[str] = []
    # The cells of the candidates after the one weighed, as counts of each combination
    # of cells: a few combinations, however many candidates (`_needs` reads it).
    later: Counter[frozenset[Cell]] = Counter(member[who] for who in pool)

    def names(cells: list[Cell], counts: Counter[Cell], bound: str) -> str:
        return ", ".join(
            f"{defn.quotas[q].name} {limits[(q, c)].answer} "
            f"{counts[(q, c)]}/{getattr(limits[(q, c)], bound)}"
            for q, c in cells
        )

    for who in pool:
        later[member[who]] -= 1
        if len(accepted) == target:
            reasons[who] = f"all {target} places taken"
            continue
        full = [cell for cell in sorted(member[who]) if filled[cell] >= limits[cell].max]
        if full:
            reasons[who] = "; ".join(
                f"{defn.quotas[q].name} {limits[(q, c)].answer} full "
                f"({filled[(q, c)]}/{limits[(q, c)].max})"
                for q, c in full
            )
            continue
        after = filled + Counter(member[who])
        left = target - len(accepted) - 1
        needs = _needs(limits, after, later)
        per_quota: Counter[int] = Counter()
        for (q, _), need in needs.items():
            per_quota[q] += need
        held = [cell for cell in sorted(needs) if per_quota[cell[0]] > left]
        if held:
            places = f"{left + 1} place{'s' if left else ''} left"
            reasons[who] = f"{places}, kept for minimums: {names(held, filled, 'min')}"
            continue
        accepted.append(who)
        filled = after

    rest = [w for w in pool if w not in accepted]
    standbys, passed_over = _standbys(defn, limits, member, filled, on_standby, rest)
    spots = defn.standbys
    unplaced = []
    for candidate in ranked:
        if candidate.id in accepted or candidate.id in standbys:
            continue
        reason = reasons[candidate.id]
        if candidate.id in passed_over:
            # Someone ranked lower got the standby place: say why, not "list full".
            full = ", ".join(
                f"{defn.quotas[q].name} {limits[(q, c)].answer} {held}/{limits[(q, c)].max}"
                + (" counting standbys" if held > filled[(q, c)] else "")
                for (q, c), held in passed_over[candidate.id]
            )
            reason += f"; standby places went to lower-ranked people within the quotas ({full})"
        elif candidate.eligible and spots:
            reason += f"; standby list full ({len(standbys)}/{spots})"
        unplaced.append(Unplaced(candidate.id, reason))
    cells = tuple(
        CellFill(defn.quotas[q].name, cell.answer, cell.min, cell.max, filled[(q, c)])
        for (q, c), cell in limits.items()
    )
    return QuotaResult(tuple(accepted), standbys, tuple(unplaced), cells)


def cells_of(defn: ScreenerDefinition, answers: Mapping[str, Any]) -> frozenset[Cell]:
    """The quota cells (quota index, cell index) answers put someone in; none for an
    unusable answer. Shared by the fill and by screens that count decisions per cell."""
    ids = {question.id for question in defn.questions}
    cells: set[Cell] = set()
    for q, quota in enumerate(defn.quotas):
        raw = answers.get(quota.question)
        if quota.question not in ids or is_missing(raw):
            continue
        question = defn.question(quota.question)
        try:
            value = normalise_answer(question, raw)
        except AnswerError:
            continue
        chosen = value if isinstance(value, list) else [value]
        for c, cell in enumerate(quota.cells):
            option = question.option(cell.answer)
            if option is not None and option in chosen:
                cells.add((q, c))
    return frozenset(cells)


def _memberships(
    defn: ScreenerDefinition, candidates: Sequence[Candidate]
) -> dict[str, frozenset[Cell]]:
    """Each candidate's quota cells, worked out once per distinct set of quota answers
    (thousands of respondents share a handful)."""
    questions = [quota.question for quota in defn.quotas]
    known: dict[str, frozenset[Cell]] = {}
    member = {}
    for candidate in candidates:
        key = repr([candidate.answers.get(q) for q in questions])
        if key not in known:
            known[key] = cells_of(defn, candidate.answers)
        member[candidate.id] = known[key]
    return member


def _needs(
    limits: Mapping[Cell, QuotaCell],
    counts: Counter[Cell],
    later: Counter[frozenset[Cell]],
) -> dict[Cell, int]:
    """Per cell, how many more are needed to reach its min that later candidates could give
    (`later` counts them by their combination of cells).

    A later candidate can only help if none of their cells is already full.
    """
    open_later = {
        cells: n
        for cells, n in later.items()
        if n > 0 and all(counts[c] < limits[c].max for c in cells)
    }
    needs: dict[Cell, int] = {}
    for cell, limit in limits.items():
        short = limit.min - counts[cell]
        if short > 0:
            available = sum(n for cells, n in open_later.items() if cell in cells)
            if min(short, available) > 0:
                needs[cell] = min(short, available)
    return needs


def _standbys(
    defn: ScreenerDefinition,
    limits: Mapping[Cell, QuotaCell],
    member: Mapping[str, frozenset[Cell]],
    filled: Counter[Cell],
    decided: list[str],
    rest: list[str],
) -> tuple[tuple[str, ...], dict[str, list[tuple[Cell, int]]]]:
    """Everyone the recruiter put on standby, then up to `defn.standbys` in all from the
    rest: first those within every max, then anyone. Also, for each of the rest passed
    over for someone ranked lower, the cells (and their count then) that kept them out,
    so their reason says so rather than "list full"."""
    chosen: list[str] = list(decided)
    held = Counter(filled)
    passed_over: dict[str, list[tuple[Cell, int]]] = {}
    for who in decided:
        held.update(member[who])
    for who in rest:
        if len(chosen) >= defn.standbys:
            break
        over = [cell for cell in sorted(member[who]) if held[cell] >= limits[cell].max]
        if over:
            passed_over[who] = [(cell, held[cell]) for cell in over]
        else:
            chosen.append(who)
            held.update(member[who])
    for who in rest:
        if len(chosen) < defn.standbys and who not in chosen:
            chosen.append(who)
    standbys = tuple(decided) + tuple(who for who in rest if who in chosen)
    # Passed over only if a standby place went to someone ranked lower; the rest simply
    # found the list full of people ranked above them.
    order = {who: n for n, who in enumerate(rest)}
    lowest = max((order[who] for who in standbys if who in order), default=-1)
    return standbys, {
        who: cells
        for who, cells in passed_over.items()
        if who not in chosen and order[who] < lowest
    }
