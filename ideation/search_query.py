"""Provides the search language researchers type, and where a result matched.

    tree           word forms: tree, trees (English stemming; café finds cafe)
    tree*          prefixes: tree, trees, treehouse, treetop
    "solar panel"  a phrase: these words, next to each other, in this order
    cup OR mug     either word (OR in capitals; it binds tighter than the spaces)
    solar -panels  -word leaves out ideas with that word (or -"a phrase")
    肥料 / コーヒー   Chinese, Japanese, Korean, Thai...: any part of the text

Words separated by spaces must all match. The query is parsed here, in plain
Python, into terms that the store quotes for SQLite FTS5 itself: user text
never reaches FTS5 syntax, so an unbalanced quote, a stray `*`, `NEAR(`,
`col:x` or `^` is a plain word (or nothing), never an error. A bare word is
not also a prefix: stemming already finds compost -> compostable, and a
prefix of a stem (car -> carbon, run -> runway) would drown the real matches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ideation.records import Idea
from ideation.text import one_line

if TYPE_CHECKING:
    from rich.text import Text

#: Only this much of a query is read, and only this many terms count: enough for any
#: question a person types, and a bound on the SQL a pasted essay could make.
MAX_QUERY_CHARS = 500
MAX_TERMS = 24

#: How a matched span is shown in the CLI and the TUI (a Rich style, never markup).
MATCH_STYLE = "bold reverse"

#: Markers FTS5's highlight() puts around matched words: control characters, which
#: `text.printable` strips from anything shown, so a stored idea cannot fake them
#: (an idea that contains them is shown without highlights instead).
OPEN_MARK = "\x02"
CLOSE_MARK = "\x03"

#: Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, kana,
#: Bopomofo, CJK ideographs, Hangul syllables, half-width katakana): a word tokenizer
#: sees a whole sentence as one word, so these are matched as substrings.
_NO_SPACES = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3100-\u312f\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0003134f]"
)

#: A quoted phrase (with an optional leading - and trailing *), or a run of anything
#: but spaces and quotes; a lone quote left over (unbalanced) matches neither group.
_TOKEN = re.compile(r'(?P<neg>-?)"(?P<phrase>[^"]*)"(?P<star>\*?)|(?P<word>[^\s"]+)')

Span = tuple[int, int]


@dataclass(frozen=True)
class Term:
    """One thing to look for: a word or phrase, matched by word forms (optionally as a
    prefix), or, in scripts without spaces and for symbols, as a substring."""

    text: str
    prefix: bool = False
    substring: bool = False

    def fts(self) -> str:
        """The term as one FTS5 string: quoted, so it is only ever words to match."""
        quoted = '"' + self.text.replace('"', '""') + '"'
        return quoted + ("*" if self.prefix and not self.substring else "")


@dataclass(frozen=True)
class Query:
    """A parsed query: every clause must match (any one term of it), no excluded term may."""

    clauses: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()

    @property
    def wanted(self) -> tuple[Term, ...]:
        """Every term a result may match: these are the ones highlighted."""
        return tuple(term for clause in self.clauses for term in clause)

    def __bool__(self) -> bool:
        """A query of exclusions only (or of punctuation) has nothing to look for."""
        return bool(self.clauses)


def nothing_to_search(text: str, query: Query) -> str:
    """Why a query finds nothing to look for: only exclusions, or only syntax (`*`,
    `OR`, a lone quote), which has no word to point at."""
    if query.excluded:
        return f"nothing to search for in {text!r}: add a word (-word only leaves out)"
    return f"nothing to search for in {text!r}: type a word to search for"


@dataclass(frozen=True)
class SearchHit:
    """An idea as it stands (its latest correction's text) and where it matched."""

    idea: Idea
    spans: tuple[Span, ...] = field(default=())


def parse_query(query: str) -> Query:
    """The user's query as terms; anything that is not syntax is a word, nothing raises."""
    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    join = False  # an OR follows a wanted term: the next wanted term is its alternative
    last_wanted = False
    for found in _TOKEN.finditer(one_line(query[:MAX_QUERY_CHARS])):  # no NUL reaches FTS5
        if len(clauses) + len(excluded) >= MAX_TERMS:
            break
        word = found["word"]
        if word == "OR":
            join = last_wanted
            continue
        negated = bool(found["neg"]) or (word is not None and word.startswith("-"))
        if word is not None:
            text, prefix = word.removeprefix("-"), word.endswith("*")
            text = text.rstrip("*")
        else:
            text, prefix = found["phrase"], bool(found["star"])
        term = _term(text, prefix)
        if term is None:
            continue
        if negated:
            excluded.append(term)
        elif join:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        join, last_wanted = False, not negated
    return Query(tuple(tuple(c) for c in clauses), tuple(excluded))


def _term(text: str, prefix: bool) -> Term | None:
    """A term for the text, or None when it holds nothing to search for (`*`, `-`, `(`)."""
    text = " ".join(text.split())
    if _NO_SPACES.search(text):
        return Term(text, substring=True)
    if any(ch.isalnum() for ch in text):
        return Term(text, prefix=prefix)
    if any(unicodedata.category(ch).startswith("S") for ch in text):
        return Term(text, substring=True)  # emoji and symbols: no tokenizer keeps them
    return None


# -- where a result matched -------------------------------------------------------------


def marked_spans(marked: str, original: str) -> list[Span]:
    """Spans of `original` between highlight() markers in `marked`; none when the text
    itself holds a marker character (then the markers cannot be told apart)."""
    spans: list[Span] = []
    plain: list[str] = []
    start = 0
    for ch in marked:
        if ch == OPEN_MARK:
            start = len(plain)
        elif ch == CLOSE_MARK:
            spans.append((start, len(plain)))
        else:
            plain.append(ch)
    return spans if "".join(plain) == original else []


def substring_spans(text: str, terms: Iterable[Term]) -> list[Span]:
    """Where each substring term occurs in the text, ignoring case."""
    return [
        match.span()
        for term in terms
        if term.substring
        for match in re.finditer(re.escape(term.text), text, re.IGNORECASE)
    ]


def merged(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Spans in order with overlapping or touching ones joined."""
    result: list[Span] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(end, result[-1][1]))
        else:
            result.append((start, end))
    return tuple(result)


def highlighted(text: str, spans: Sequence[Span], limit: int | None = None) -> Text:
    """The text on one line as Rich `Text`, matched spans styled (control characters
    removed piece by piece, so the spans still fit), cut to `limit` characters."""
    from rich.text import Text

    shown = Text()
    position = 0
    for start, end in spans:
        shown.append(one_line(text[position:start]))
        shown.append(one_line(text[start:end]), style=MATCH_STYLE)
        position = end
    shown.append(one_line(text[position:]))
    if limit is not None and len(shown) > limit:
        shown = shown[: max(limit - 1, 0)]
        shown.append("…")
    return shown
