"""Values worked out when needed: `Memo` remembers each one, up to a bound; `OnDemand`
works one out every time it is read and holds none.

Why both: a panel of 100,000 respondents gives the same few options, scale points and
rule paths over and over, so the import and the assessment remember what each came to
(`Memo`); and it has a vector for each of 280,000 answers that only the copy search
reads, once each, so those are worked out as they are read (`OnDemand`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Generic, TypeVar

K = TypeVar("K")
S = TypeVar("S")
V = TypeVar("V")


class Memo(Generic[K, V]):
    """What `make` gave for each key, kept for the first `limit` keys: a file of new
    answers (every cell different) then costs no more memory than that."""

    __slots__ = ("_known", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._known: dict[K, V] = {}

    def get(self, key: K, make: Callable[[], V]) -> V:
        found = self._known.get(key)
        if found is None:
            found = make()
            if len(self._known) < self.limit:
                self._known[key] = found
        return found


class OnDemand(Mapping[K, V], Generic[K, S, V]):
    """A read-only mapping whose values are worked out from `sources` by `make` each
    time one is read: `in`, `len` and iteration never work one out."""

    __slots__ = ("_make", "_sources")

    def __init__(self, sources: Mapping[K, S], make: Callable[[S], V]) -> None:
        self._sources = sources
        self._make = make

    def __getitem__(self, key: K) -> V:
        return self._make(self._sources[key])

    def __contains__(self, key: object) -> bool:
        return key in self._sources

    def __iter__(self) -> Iterator[K]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)
