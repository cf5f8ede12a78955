"""Tests for ideation.live.flow: live signs of flow and participation."""

from __future__ import annotations

import itertools

import pytest

from ideation.live.flow import (
    FlowSignal,
    Quiet,
    Share,
    build_on_rate,
    flow_signal,
    ideas_per_minute,
    live_ideas,
    participation,
    quiet_participants,
    sparkline,
    technique_move,
)
from ideation.records import Idea, Participant

T0 = 1_700_000_000.0

_ids = itertools.count(1)


def idea(
    seq: int,
    at: float,
    who: int | None = 1,
    *,
    text: str | None = None,
    kind: str = "idea",
    builds_on: int | None = None,
    replaces: int | None = None,
    id: int | None = None,
) -> Idea:
    """An idea row `at` seconds after T0."""
    return Idea(
        id=id if id is not None else next(_ids) + 1000,
        session_id=1,
        seq=seq,
        text=text if text is not None else f"idea {seq}",
        kind=kind,
        participant_id=who,
        builds_on=builds_on,
        replaces=replaces,
        created_at=T0 + at,
    )


def person(pid: int, label: str, anonymous: bool = False) -> Participant:
    return Participant(id=pid, session_id=1, label=label, anonymous=anonymous)


PEOPLE = [person(1, "Ana"), person(2, "Ben"), person(3, "Cat"), person(4, "Dev", anonymous=True)]


# ------------------------------------------------------------------ live_ideas


def test_live_ideas_applies_withdrawal_and_correction():
    a = idea(1, 10, who=1, id=1, text="cheaper lids")
    b = idea(2, 20, who=2, id=2, text="tpyo idea")
    c = idea(3, 30, who=3, id=3)
    withdraw_a = idea(4, 40, who=None, id=4, kind="withdrawal", replaces=1, text="")
    correct_b = idea(5, 50, who=None, id=5, kind="correction", replaces=2, text="typo idea")

    live = live_ideas([withdraw_a, c, correct_b, b, a])

    assert [i.id for i in live] == [2, 3]
    fixed = live[0]
    assert fixed.text == "typo idea"
    assert (fixed.seq, fixed.participant_id, fixed.created_at) == (2, 2, T0 + 20)
    assert fixed.kind == "idea"


def test_live_ideas_latest_correction_wins_and_chains_resolve():
    a = idea(1, 10, id=1, text="v1")
    fix1 = idea(2, 20, id=2, kind="correction", replaces=1, text="v2")
    fix2 = idea(3, 30, id=3, kind="correction", replaces=2, text="v3")  # corrects the correction
    b = idea(4, 40, id=4)
    gone = idea(5, 50, id=5, kind="withdrawal", replaces=4)
    builder = idea(6, 60, id=6, builds_on=2)  # points at the correction row

    live = live_ideas([a, fix1, fix2, b, gone, builder])

    assert [(i.id, i.text) for i in live] == [(1, "v3"), (6, "idea 6")]
    assert live[1].builds_on == 1
    assert live_ideas(live) == live  # idempotent


def test_withdrawal_of_corrected_idea_removes_it():
    a = idea(1, 10, id=1)
    fix = idea(2, 20, id=2, kind="correction", replaces=1, text="fixed")
    gone = idea(3, 30, id=3, kind="withdrawal", replaces=2)
    assert live_ideas([a, fix, gone]) == []


def test_withdrawn_and_correction_rows_do_not_count_anywhere():
    a = idea(1, 10, who=1, id=1)
    b = idea(2, 20, who=1, id=2)
    rows = [
        a,
        b,
        idea(3, 30, who=1, id=3, kind="withdrawal", replaces=1),
        idea(4, 40, who=1, id=4, kind="correction", replaces=2, text="better"),
    ]
    assert ideas_per_minute(rows, T0, T0 + 60) == [1]
    shares = participation(rows, [person(1, "Ana")])
    assert shares[0].count == 1 and shares[0].last_at == T0 + 20


# ------------------------------------------------------------- ideas_per_minute


def test_buckets_count_per_minute_with_partial_last_bucket():
    rows = [idea(1, 5), idea(2, 59.9), idea(3, 60), idea(4, 130), idea(5, 149)]
    assert ideas_per_minute(rows, T0, T0 + 150) == [2, 1, 2]


def test_bucket_boundaries_and_range():
    rows = [
        idea(1, -1),  # before the phase: ignored
        idea(2, 0),  # exactly at start: first bucket
        idea(3, 60),  # exactly on a boundary: later bucket
        idea(4, 120),  # exactly now: last bucket
        idea(5, 121),  # after now: ignored
    ]
    assert ideas_per_minute(rows, T0, T0 + 120) == [1, 2]


def test_bucket_edge_cases():
    assert ideas_per_minute([], T0, T0) == [0]
    assert ideas_per_minute([], T0, T0 + 1) == [0]
    assert ideas_per_minute([], T0, T0 - 5) == []
    assert ideas_per_minute([idea(1, 10), idea(2, 40)], T0, T0 + 90, bucket_seconds=30) == [
        1,
        1,
        0,
    ]
    with pytest.raises(ValueError):
        ideas_per_minute([], T0, T0 + 60, bucket_seconds=0)


# ---------------------------------------------------------------- participation


def test_participation_lists_everyone_sorted_with_unattributed():
    rows = [
        idea(1, 10, who=2),
        idea(2, 20, who=2),
        idea(3, 30, who=1),
        idea(4, 40, who=None),
        idea(5, 50, who=2),
    ]
    shares = participation(rows, PEOPLE)

    assert [(s.participant_id, s.label, s.count) for s in shares] == [
        (2, "Ben", 3),
        (1, "Ana", 1),
        (None, "unattributed", 1),
        (3, "Cat", 0),
        (4, "Dev", 0),
    ]
    assert shares[0] == Share(2, "Ben", 3, pytest.approx(0.6), T0 + 50)
    assert shares[3].share == 0.0 and shares[3].last_at is None
    assert sum(s.share for s in shares) == pytest.approx(1.0)


def test_participation_without_unattributed_or_ideas():
    shares = participation([idea(1, 10, who=3)], PEOPLE)
    assert all(s.participant_id is not None for s in shares)
    assert shares[0].label == "Cat" and shares[0].share == 1.0
    # ties keep the participants' order
    assert [s.label for s in shares[1:]] == ["Ana", "Ben", "Dev"]

    empty = participation([], PEOPLE)
    assert [s.count for s in empty] == [0, 0, 0, 0]
    assert [s.share for s in empty] == [0.0] * 4


def test_participation_unknown_participant_gets_own_row():
    shares = participation([idea(1, 10, who=99)], [person(1, "Ana")])
    assert [(s.participant_id, s.label, s.count) for s in shares] == [(99, "#99", 1), (1, "Ana", 0)]


# ------------------------------------------------------------ quiet_participants


def test_quiet_participants_excludes_anonymous_and_sorts_by_silence():
    since = T0
    now = T0 + 900
    rows = [
        idea(1, 100, who=1),  # Ana: silent 800 s
        idea(2, 700, who=2),  # Ben: silent 200 s, not quiet
        # Cat: nothing, silent since `since`: 900 s
        # Dev: anonymous, nothing, never listed
    ]
    quiet = quiet_participants(rows, PEOPLE, now, since=since)
    assert quiet == [Quiet(3, "Cat", 900.0), Quiet(1, "Ana", 800.0)]


def test_quiet_counts_from_since_and_threshold_is_inclusive():
    rows = [idea(1, 10, who=1)]  # from an earlier phase
    phase_start = T0 + 600
    people = [person(1, "Ana")]
    assert quiet_participants(rows, people, phase_start + 299, since=phase_start) == []
    assert quiet_participants(rows, people, phase_start + 300, since=phase_start) == [
        Quiet(1, "Ana", 300.0)
    ]
    assert quiet_participants(rows, people, phase_start + 60, 60, since=phase_start) == [
        Quiet(1, "Ana", 60.0)
    ]


def test_withdrawn_idea_does_not_keep_someone_from_being_quiet():
    rows = [
        idea(1, 800, who=1, id=1),
        idea(2, 805, who=1, id=2, kind="withdrawal", replaces=1),
    ]
    quiet = quiet_participants(rows, [person(1, "Ana")], T0 + 900, since=T0)
    assert quiet == [Quiet(1, "Ana", 900.0)]


# ---------------------------------------------------------------- build_on_rate


def test_build_on_rate():
    assert build_on_rate([]) == 0.0
    rows = [
        idea(1, 10, id=1),
        idea(2, 20, id=2, builds_on=1),
        idea(3, 30, id=3),
        idea(4, 40, id=4, builds_on=2),
    ]
    assert build_on_rate(rows) == 0.5
    # a withdrawn build no longer counts
    rows.append(idea(5, 50, id=5, kind="withdrawal", replaces=4))
    assert build_on_rate(rows) == pytest.approx(1 / 3)


# ------------------------------------------------------------------ flow_signal


def steady(n: int, start_at: float, every: float, *, builds: bool = True, who=None) -> list[Idea]:
    """n ideas from start_at, one every `every` seconds, rotating through people 1..3."""
    rows = []
    for k in range(n):
        rows.append(
            idea(
                k + 1,
                start_at + k * every,
                who=who if who is not None else 1 + k % 3,
                builds_on=(999 if builds and k % 2 else None),
            )
        )
    return rows


def test_flow_ok_when_rate_is_high():
    rows = steady(20, 0, 30)  # 2/min over 10 minutes
    assert flow_signal(rows, T0, T0 + 600, "brainstorm") == FlowSignal("ok", "")


def test_flow_slowing_in_brainstorm_suggests_energiser():
    # 3/min for 7 minutes, then a single idea in the last 3 minutes
    rows = steady(21, 0, 20)
    rows.append(idea(22, 500, who=2, builds_on=999))
    sig = flow_signal(rows, T0, T0 + 600, "brainstorm")
    assert sig.level == "slowing"
    assert sig.message.startswith("Flow is down to 0.3 ideas/min for 3 min (from 3.0) — ")
    assert "try an energiser, or switch to a direct analogy" in sig.message
    assert "round-robin" not in sig.message
    assert "build on idea" not in sig.message


def test_flow_stalled_when_window_is_empty():
    rows = steady(10, 0, 30)  # last idea at 270 s
    sig = flow_signal(rows, T0, T0 + 600, "brainstorm")
    assert sig.level == "stalled"
    assert sig.message.startswith("No new ideas for 5 min — try an energiser")
    assert sig.message.endswith("Ask someone to build on idea +10.")


def test_flow_stalled_with_no_ideas_at_all():
    sig = flow_signal([], T0, T0 + 300, "brainstorm")
    assert sig.level == "stalled"
    assert sig.message == (
        "No new ideas for 5 min — try an energiser, or switch to a direct analogy."
    )


@pytest.mark.parametrize(
    ("technique", "expected"),
    [
        ("brainstorm", "switch to a direct analogy"),
        ("excursion", "switch analogy"),
        ("Direct analogy", "or move to force-fit"),
        ("force_fit", "force-fit a fresh image"),
        ("springboards", "offer a starter: 'I wish…'"),
        ("brainwriting", "pass the sheets on"),
        ("something new", "try an energiser"),
    ],
)
def test_flow_suggestion_depends_on_technique(technique, expected):
    rows = steady(21, 0, 20)
    rows.append(idea(22, 500, builds_on=999))
    sig = flow_signal(rows, T0, T0 + 600, technique)
    assert sig.level == "slowing"
    assert expected in sig.message
    assert expected in technique_move(technique)


def test_flow_slowing_suggests_round_robin_when_one_voice_dominates():
    rows = steady(21, 0, 20)
    rows += [
        idea(22, 430, who=2, builds_on=999),
        idea(23, 480, who=2, builds_on=999),
        idea(24, 560, who=3, builds_on=999),
    ]  # 1.0/min in the window: flag it with a higher threshold
    sig = flow_signal(rows, T0, T0 + 600, "springboards", low_rate=1.5)
    assert sig.level == "slowing"
    assert "offer a starter" in sig.message
    assert "One voice gave 2 of 3 recent ideas — go round-robin" in sig.message


def test_flow_no_round_robin_for_a_single_idea_or_even_split():
    rows = steady(21, 0, 20)
    rows += [idea(22, 450, who=1, builds_on=999), idea(23, 520, who=2, builds_on=999)]
    sig = flow_signal(rows, T0, T0 + 600, "brainstorm")
    assert sig.level == "slowing"
    assert "round-robin" not in sig.message


def test_flow_slowing_suggests_build_on_latest_idea():
    rows = steady(21, 0, 20)
    rows += [idea(30, 450, who=1), idea(31, 540, who=2)]  # nobody builds
    sig = flow_signal(rows, T0, T0 + 600, "brainstorm")
    assert sig.level == "slowing"
    assert sig.message.endswith(
        "Nobody built on an idea in that time — ask someone to build on idea +31."
    )


def test_flow_latest_idea_uses_live_rows():
    rows = steady(21, 0, 20)
    rows += [
        idea(30, 450, who=1, id=5001),
        idea(31, 540, who=2, id=5002),
        idea(32, 545, who=None, id=5003, kind="withdrawal", replaces=5002),
    ]
    sig = flow_signal(rows, T0, T0 + 600, "brainstorm")
    assert sig.level == "slowing"
    assert sig.message.endswith("build on idea +30.")


def test_naturally_slow_phase_is_not_nagged():
    # 0.6/min throughout: below low_rate, but not below half its own earlier rate
    rows = [idea(k + 1, k * 100) for k in range(10)]
    assert flow_signal(rows, T0, T0 + 1000, "excursion").level == "ok"


def test_short_phase_is_never_flagged():
    assert flow_signal([], T0, T0 + 239, "brainstorm") == FlowSignal("ok", "")
    rows = steady(10, 0, 5)  # a burst, then silence
    assert flow_signal(rows, T0, T0 + 239, "brainstorm").level == "ok"
    assert flow_signal(rows, T0, T0 + 240, "brainstorm").level == "stalled"
    assert flow_signal(rows, T0, T0 - 10, "brainstorm").level == "ok"


def test_ideas_from_earlier_phases_do_not_count_for_flow():
    earlier_phase = steady(30, 0, 10)  # busy earlier phase
    phase_start = T0 + 400
    sig = flow_signal(earlier_phase, phase_start, phase_start + 300, "brainstorm")
    assert sig.level == "stalled"
    assert sig.message.startswith("No new ideas for 5 min")
    # the last idea overall can still be built on
    assert sig.message.endswith("Ask someone to build on idea +30.")


def test_flow_signal_is_deterministic():
    rows = steady(21, 0, 20)
    rows.append(idea(22, 500))
    first = flow_signal(rows, T0, T0 + 600, "brainstorm")
    assert flow_signal(list(reversed(rows)), T0, T0 + 600, "brainstorm") == first
    assert flow_signal(rows, T0, T0 + 600, "brainstorm") == first


# --------------------------------------------------------------------- sparkline


def test_sparkline():
    assert sparkline([]) == ""
    assert sparkline([0, 0, 0]) == "▁▁▁"
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█"
    assert sparkline([5]) == "█"
    # any positive count is visibly above a dead minute
    assert sparkline([0, 1, 100]) == "▁▂█"
    assert sparkline([2, 4, 8]) == "▃▅█"
    assert len(sparkline([3] * 10)) == 10


def test_sparkline_of_buckets():
    rows = [idea(1, 5), idea(2, 10), idea(3, 70)]
    assert sparkline(ideas_per_minute(rows, T0, T0 + 180)) == "█▅▁"
