"""The two ways screening works values out when needed (`ideation.screening.lazy`)."""

from __future__ import annotations

from ideation.screening.lazy import Memo, OnDemand


def test_a_memo_works_each_key_out_once_and_keeps_no_more_than_its_limit() -> None:
    made: list[str] = []

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    memo: Memo[str, str] = Memo(limit=2)
    for key in ["a", "b", "a", "c", "c", "b"]:
        assert memo.get(key, lambda key=key: make(key)) == key.upper()
    assert made == ["a", "b", "c", "c"]  # "c" came after the limit: worked out each time


def test_on_demand_works_a_value_out_only_when_it_is_read() -> None:
    made: list[int] = []

    def square(n: int) -> int:
        made.append(n)
        return n * n

    values = OnDemand({"two": 2, "three": 3}, square)
    assert "two" in values and "four" not in values
    assert len(values) == 2 and list(values) == ["two", "three"]
    assert made == []
    assert values["three"] == 9 and values.get("four") is None
    assert made == [3]
