"""Provides data-quality flags for screener respondents, each with a one-line reason.

Online screeners attract speeders, straightliners, bots and people signing up
twice. An ideation session has six seats, so one bad recruit costs a sixth of
the room. These checks say what looks wrong and why ("took 88 s; batch median
598 s"), so the recruiter can decide; what each kind of flag does (rank down,
exclude) is the screener's ``flag_actions``, not this module's business.

Kinds, in the order they are reported:

* ``speeder``: duration under ``speeder_fraction`` of the batch median, only
  once ``speed_min_batch`` completed durations exist (a median of five says
  nothing). Terminated or unfinished respondents neither count nor get flagged.
* ``straightliner``: every answered statement of a rating grid the same, when
  at least four were answered. Attention-check items are left out (a
  straightliner who happens to pass one is still a straightliner).
* ``gibberish``: a creativity (open-ended) answer that is too short to be
  words, a non-answer ("n/a", "idk", "good", "good good"), a copy of the question, keyboard
  mashing ("asdfgh", "jkjkjk"), one or two characters repeated, or letters with
  no vowels. Short genuine answers ("dog", "pens") pass. Short-text questions
  are not checked: "n/a" is a fine answer to "What is your job?".
* ``duplicate_open_end``: the same answer to the same creativity question as a
  different respondent, after normalising case, punctuation and whitespace, or
  a cosine of at least ``near_duplicate_cosine`` when vectors are given. Only
  answers of at least ``duplicate_min_words`` words (6) count: two people may
  well both write "pen holder" or "a plant pot", but not the same two
  sentences. Everyone in such a group is flagged, since order says nothing
  about who copied whom.
* ``duplicate_respondent``: the same email (case, whitespace, Gmail dots and
  +tags ignored) or phone number (digits only, compared on the last ten) as an
  earlier respondent. The first sign-up stays clean so one entry survives.
* ``attention_check``: a grid item carrying ``attention_check`` (the scale point
  it asks for; the screener file may name it by label, and its reader stores the
  point) answered otherwise or left blank.
* ``fraud``: the survey tool's own verdict: Qualtrics reCAPTCHA score under 0.5,
  RelevantID duplicate, RelevantID fraud score of 30 or more, ballot-box stuffing.

Pure functions over plain objects; numpy is imported inside the one function
that needs it, so importing this module stays cheap.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from ideation.screening.answers import normalise
from ideation.screening.definition import FLAG_KINDS, GridItem, Question
from ideation.screening.lazy import OnDemand

if TYPE_CHECKING:
    import numpy as np

#: Question types whose answers are checked as open-ends.
OPEN_END_TYPES = ("creativity",)
#: Open-ended answers shorter than this are too generic ("a dog") to call copies.
DUPLICATE_MIN_WORDS = 6

#: Whole answers that say nothing, after `normalise`.
NON_ANSWERS = frozenset(
    {
        "n a",
        "na",
        "none",
        "nothing",
        "no",
        "yes",
        "idk",
        "dk",
        "i dont know",
        "dont know",
        "dunno",
        "no idea",
        "not sure",
        "good",
        "ok",
        "okay",
        "fine",
        "nice",
        "great",
        "cool",
        "test",
        "whatever",
        "nil",
        "same",
        "same as above",
        "as above",
        "nope",
        "nah",
        "no comment",
        # Filler a stranger types to get past a required box ("blah blah", "xyz xyz").
        "blah",
        "lol",
        "meh",
        "hmm",
        "xyz",
        "abc",
        "stuff",
        "etc",
        "something",
        "anything",
        # What people type to try a form, or paste from a template.
        "testing",
        "test answer",
        "this is a test",
        "this is a test answer",
        "just testing",
        "hello",
        "hello world",
        "hi",
        "hey",
        "really",
        "lorem",
        "ipsum",
    }
)
#: A spreadsheet formula pasted as an answer ("=HYPERLINK(…)", "+SUM(A1)"): a probe.
_FORMULA = re.compile(r"\s*[=+@-]\s*[A-Za-z_][\w.]*\s*\(")

_NON_ANSWER_WORDS = frozenset(answer for answer in NON_ANSWERS if " " not in answer)
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_VOWELS = set("aeiouy")
#: Three-letter runs along a keyboard row that are English words after all.
_ROW_RUN_WORDS = frozenset({"poi"})


@dataclass(frozen=True)
class Flag:
    """One data-quality concern about a respondent, with the evidence in words."""

    kind: str  # one of FLAG_KINDS
    reason: str


class RespondentLike(Protocol):
    """What flagging needs from a respondent: `ImportedResponse` and store rows fit.

    Optional extras are read with getattr when present: ``external_id`` (used to
    name people in reasons), ``contact`` (with ``.email``/``.phone``, or a mapping)
    or ``email``/``phone`` directly, ``fraud`` (a mapping like
    ``{"recaptcha": 0.3, "duplicate": True}``), ``status`` ("complete" or
    "terminated") and ``finished``.
    """

    @property
    def id(self) -> Hashable: ...

    @property
    def answers(self) -> Mapping[str, Any]: ...

    @property
    def duration_seconds(self) -> float | None: ...


def quality_flags(
    respondents: Sequence[RespondentLike],
    questions: Sequence[Question],
    open_end_vectors: Mapping[tuple[Hashable, str], np.ndarray] | None = None,
    *,
    speed_min_batch: int = 20,
    speeder_fraction: float = 0.33,
    near_duplicate_cosine: float = 0.95,
    duplicate_min_words: int = DUPLICATE_MIN_WORDS,
    recaptcha_min: float = 0.5,
    fraud_score_max: float = 30,
    progress: Callable[[str, int, int], None] | None = None,
    readings: Readings | None = None,
) -> dict[Hashable, list[Flag]]:
    """Every respondent's flags (an empty list when clean), in FLAG_KINDS order.

    `progress` gets ("copies", distinct answers compared, distinct answers), the
    one check whose cost grows faster than the batch. `readings`: the open-ended
    answers as creativity scoring read them, so they are not split and judged again."""
    flags: dict[Hashable, list[Flag]] = {respondent.id: [] for respondent in respondents}
    found = [
        *speeders(respondents, min_batch=speed_min_batch, fraction=speeder_fraction),
        *straightliners(respondents, questions),
        *gibberish(respondents, questions, readings),
        *duplicate_open_ends(
            respondents,
            questions,
            open_end_vectors,
            cosine=near_duplicate_cosine,
            min_words=duplicate_min_words,
            contacts=contact_keys(respondents),
            progress=progress,
        ),
        *duplicate_respondents(respondents),
        *attention_failures(respondents, questions),
        *fraud(respondents, recaptcha_min=recaptcha_min, fraud_score_max=fraud_score_max),
    ]
    for respondent_id, flag in found:
        flags[respondent_id].append(flag)
    return flags


# --------------------------------------------------------------------------- helpers


def label(respondent: RespondentLike) -> str:
    """How a reason names another respondent: the survey's id when known."""
    external = getattr(respondent, "external_id", None)
    return str(external) if external else str(respondent.id)


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(str(text).split())
    return f'"{text if len(text) <= limit else text[: limit - 1].rstrip() + "…"}"'


def _names(respondents: Iterable[str], limit: int = 3) -> str:
    names = list(dict.fromkeys(respondents))
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _seconds(value: float) -> str:
    return f"{value:.0f} s"


def _completed(respondent: RespondentLike) -> bool:
    status = getattr(respondent, "status", None)
    return status in (None, "", "complete") and getattr(respondent, "finished", None) is not False


def _scale_label(value: Any, question: Question) -> str:
    labels = question.labels
    if isinstance(value, int) and 1 <= value <= len(labels):
        return f'"{labels[value - 1]}"'
    return str(value)


def _attention_item(item: GridItem) -> bool:
    return item.attention_check is not None


# --------------------------------------------------------------------------- speed


def speeders(
    respondents: Sequence[RespondentLike], *, min_batch: int = 20, fraction: float = 0.33
) -> list[tuple[Hashable, Flag]]:
    """Completed respondents faster than `fraction` of the batch median duration."""
    timed = [
        (respondent, float(respondent.duration_seconds))
        for respondent in respondents
        if respondent.duration_seconds is not None
        and respondent.duration_seconds > 0
        and _completed(respondent)
    ]
    if len(timed) < max(min_batch, 1):
        return []
    durations = sorted(seconds for _, seconds in timed)
    middle = len(durations) // 2
    median = (
        durations[middle] if len(durations) % 2 else (durations[middle - 1] + durations[middle]) / 2
    )
    limit = fraction * median
    return [
        (
            respondent.id,
            Flag(
                "speeder",
                f"took {_seconds(seconds)}; batch median {_seconds(median)} "
                f"(speeders take under {_seconds(limit)})",
            ),
        )
        for respondent, seconds in timed
        if seconds < limit
    ]


# --------------------------------------------------------------------------- grids


def straightliners(
    respondents: Sequence[RespondentLike], questions: Sequence[Question]
) -> list[tuple[Hashable, Flag]]:
    """Rating grids where every answered statement (at least four) got the same point."""
    found = []
    for question in questions:
        items = [item for item in question.items if not _attention_item(item)]
        if question.type != "rating" or len(items) < 4:
            continue
        for respondent in respondents:
            answer = respondent.answers.get(question.id)
            if not isinstance(answer, Mapping):
                continue
            values = [answer[item.id] for item in items if answer.get(item.id) is not None]
            if len(values) < 4 or len(set(values)) != 1:
                continue
            reason = (
                f"gave all {len(values)} statements of {question.id} the same answer "
                f"({_scale_label(values[0], question)})"
            )
            if any(item.reverse for item in items if item.id in answer):
                reason += ", reverse-worded ones included"
            found.append((respondent.id, Flag("straightliner", reason)))
    return found


def attention_failures(
    respondents: Sequence[RespondentLike], questions: Sequence[Question]
) -> list[tuple[Hashable, Flag]]:
    """Attention-check items not answered as instructed, by respondents who saw the grid."""
    found = []
    for question in questions:
        checks = [item for item in question.items if _attention_item(item)]
        if question.type != "rating" or not checks:
            continue
        for respondent in respondents:
            answer = respondent.answers.get(question.id)
            if not isinstance(answer, Mapping) or not answer:
                continue  # never reached the grid (terminated earlier)
            for item in checks:
                wanted = item.attention_check  # a scale point: the reader turns labels into one
                given = answer.get(item.id)
                if given == wanted:
                    continue
                if given is None:
                    reason = f"left the attention check in {question.id} blank"
                else:
                    reason = (
                        f"answered {_scale_label(given, question)} to the attention check "
                        f"in {question.id}"
                    )
                reason += f"; it asked for {_scale_label(wanted, question)}"
                found.append((respondent.id, Flag("attention_check", reason)))
    return found


# --------------------------------------------------------------------------- open ends

#: Rows compared at once when looking for near-duplicate answers...
_PAIR_BLOCK = 1024
#: ...and at most this many scores at once (16 MB of float32), however many answers: at
#: a panel's size the block is held beside everything else scoring keeps (and 40,000
#: answers were searched in 19 s with it, 21-22 s with four times as many cells).
_PAIR_CELLS = 4 << 20


def long_enough_to_compare(answer: str, min_words: int = DUPLICATE_MIN_WORDS) -> bool:
    """Whether an open-ended answer is long enough for a match to mean it was copied."""
    return _enough_words(normalise(answer), min_words)


def _enough_words(normalised: str, min_words: int) -> bool:
    """`long_enough_to_compare` of an answer already `normalise`d."""
    return len(normalised.split()) >= min_words


def _ascii_letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if "a" <= ch <= "z")


def _row_neighbours(left: str, right: str) -> bool:
    return any(
        left in row and right in row and abs(row.index(left) - row.index(right)) == 1
        for row in _KEYBOARD_ROWS
    )


@lru_cache(maxsize=1 << 16)  # a batch's answers repeat a few thousand words over and over
def _mashed(word: str) -> bool:
    """A word typed by running fingers along one keyboard row ("asdfgh", "jkjkjk", "qwe").

    Three letters count only as a run along one row ("jkl", "qwe", "lkj", "dsa"): no
    English word is one but "poi", while many real words are three letters. A key
    held down ("xxxxxxxx") is mashing too.
    """
    if len(word) == 3:
        return word not in _ROW_RUN_WORDS and any(
            word in row or word in row[::-1] for row in _KEYBOARD_ROWS
        )
    if len(word) >= 4 and len(set(word)) == 1:
        return True
    if len(word) < 4 or not any(set(word) <= set(row) for row in _KEYBOARD_ROWS):
        return False
    if any(word in row or word in row[::-1] for row in _KEYBOARD_ROWS):
        return True
    pairs = list(zip(word, word[1:], strict=False))
    # Two vowels make it pronounceable: "power", "popper" are top-row words, not mashing.
    return (
        len(word) >= 5
        and len(set(word) & set("aeiou")) <= 1
        and sum(_row_neighbours(a, b) for a, b in pairs) >= 0.6 * len(pairs)
    )


def _copies_question(answer: str, question: str) -> bool:
    """Whether a normalised answer is the question (or most of it) typed back."""
    if not question:
        return False
    if answer == question or (len(answer.split()) >= 4 and answer in question):
        return True
    # A ratio of 0.9 needs the shorter text to be near the longer's length, and as many
    # letters in common (difflib's quick_ratio, counted here in C over the question's
    # letters counted once): difflib runs only for the few answers that pass both.
    shorter, total = min(len(answer), len(question)), len(answer) + len(question)
    if 2 * shorter < 0.9 * total:
        return False
    common = Counter(answer) & _letter_counts(question)
    if 2.0 * sum(common.values()) / total < 0.9:
        return False
    return difflib.SequenceMatcher(None, answer, question).ratio() >= 0.9


@lru_cache(maxsize=64)  # a batch asks about a handful of questions, 100,000 times each
def _letter_counts(question: str) -> Counter[str]:
    return Counter(question)


#: A question's `normalise`d text: one per question, asked for every answer.
_question_key = lru_cache(maxsize=64)(normalise)
#: Runs of letters (no digits or underscores): the words keyboard mashing is judged on.
_LETTER_RUNS = re.compile(r"[^\W\d_]+")


def _repeats_itself(words: Sequence[str]) -> bool:
    """A phrase pasted over and over ("use it as a hat use it as a hat use it as a hat"):
    fewer than half of its runs of three words are different. Of 2,439 AUT answers of
    nine words or more, the most repetitive had 78% different (so no real idea comes
    near); a phrase three times has under half, and pasting it 200 times once made an
    answer the batch's most original."""
    if len(words) < 9:
        return False
    runs = list(zip(words, words[1:], words[2:], strict=False))
    return 2 * len(set(runs)) < len(runs)


def gibberish_reason(text: str, question_text: str = "") -> str | None:
    """Why an open-ended answer is not a real answer, or None when it may well be one."""
    stripped = text.strip()
    if not stripped:
        return None
    letters = sum(map(str.isalpha, stripped))
    if letters < 2:
        return f"{_quote(stripped)} is too short to be an answer"
    norm = normalise(stripped)
    said = norm.split()
    if norm in NON_ANSWERS or set(said) <= _NON_ANSWER_WORDS:  # "good good"
        return f"{_quote(stripped)} is a non-answer"
    if norm.startswith("lorem ipsum") or norm.startswith("this is a test "):
        return f"{_quote(stripped)} is placeholder text"
    if _FORMULA.match(stripped):
        return f"{_quote(stripped)} is a spreadsheet formula, not an answer"
    if _copies_question(norm, _question_key(question_text)):
        return f"{_quote(stripped)} repeats the question"
    if _repeats_itself(said):
        return f"{_quote(stripped)} repeats itself"
    folded = stripped.casefold()
    shown = set(folded)
    # `isspace` is what the regex `\s` matches: the characters left once spaces go.
    distinct = sum(not ch.isspace() for ch in shown)
    repeated = distinct <= 2 and sum(not ch.isspace() for ch in folded) >= 2 + distinct
    if repeated and distinct == 1:  # "zzz", "aaaaaa": one key, not a run along a row
        return f"{_quote(stripped)} is one or two characters repeated"
    words = _LETTER_RUNS.findall(folded)
    mashed = sum(len(word) for word in words if _mashed(word))
    if mashed and mashed * 2 >= sum(len(word) for word in words):
        return f"{_quote(stripped)} looks like keyboard mashing"
    if repeated:  # "abab", "hahahaha"
        return f"{_quote(stripped)} is one or two characters repeated"
    # A plain vowel in the text is one in its ASCII letters too: most answers stop here.
    if letters >= 4 and not shown & _VOWELS:
        latin = _ascii_letters(stripped)
        if len(latin) == letters and not set(latin) & _VOWELS:
            return f"{_quote(stripped)} has no vowels"
    return None


class Readings:
    """Open-ended answers read once per assessment: each list answer's ideas and each
    text's gibberish verdict for its question. Creativity scoring and the gibberish flag
    read the same answers (a panel's 300,000), and splitting and judging them twice cost
    12 s; a bot farm's one pasted answer is read once too."""

    def __init__(self) -> None:
        self._ideas: dict[str, list[str]] = {}
        self._verdicts: dict[tuple[str, str], str | None] = {}
        self._held: dict[str, str] = {}  # each distinct idea's text held once

    def ideas(self, answer: str) -> list[str]:
        """A list answer's ideas (`split_ideas`), each distinct idea one string."""
        ideas = self._ideas.get(answer)
        if ideas is None:
            # Imported here: creativity scoring imports this module for `gibberish_reason`.
            from ideation.screening.creativity import split_ideas

            held = self._held
            ideas = self._ideas[answer] = [held.setdefault(i, i) for i in split_ideas(answer)]
        return ideas

    def verdict(self, text: str, question_text: str) -> str | None:
        """`gibberish_reason(text, question_text)`, worked out once."""
        key = (question_text, text)
        if key not in self._verdicts:
            self._verdicts[key] = gibberish_reason(text, question_text)
        return self._verdicts[key]


def gibberish(
    respondents: Sequence[RespondentLike],
    questions: Sequence[Question],
    readings: Readings | None = None,
) -> list[tuple[Hashable, Flag]]:
    """Open-ended (creativity) answers that are not answers; one flag per question.

    A list is judged idea by idea, split as creativity scoring splits it (which drops
    the same ideas): it is flagged when none of its ideas is an idea, and the reason
    quotes them. A junk line beside a real idea is only dropped from the score, so
    "doorstop / qwe qwe" and "asdf jkl qwe / pen holder" are judged alike, and a
    stray "h" under a good idea excludes nobody. Any other answer is judged whole.
    `readings`: what creativity scoring already read of these answers.
    """
    from ideation.screening.creativity import is_listing_prompt

    read = readings or Readings()
    found = []
    for question in questions:
        if question.type not in OPEN_END_TYPES:
            continue
        listing = is_listing_prompt(question.text)
        reasons: dict[str, str | None] = {}  # a bot farm pastes one answer many times
        for respondent in respondents:
            answer = respondent.answers.get(question.id)
            if not isinstance(answer, str):
                continue
            if answer not in reasons:
                ideas = read.ideas(answer) if listing else []
                reasons[answer] = (
                    _junk_ideas(ideas, question.text, read)
                    if len(ideas) > 1
                    else read.verdict(answer, question.text)
                )
            reason = reasons[answer]
            if reason:
                found.append((respondent.id, Flag("gibberish", f"{question.id}: {reason}")))
    return found


def _junk_ideas(ideas: Sequence[str], question_text: str, read: Readings) -> str | None:
    """Why no line of a list is an idea ("none of its 3 lines is an idea: …"), or None."""
    junk = []
    for idea in ideas:
        reason = read.verdict(idea, question_text)
        if reason is None:
            return None  # one real idea: the answer is an answer
        junk.append(reason)
    shown = "; ".join(junk[:2]) + (f"; and {len(junk) - 2} more" if len(junk) > 2 else "")
    return f"none of its {len(ideas)} lines is an idea: {shown}"


def duplicate_open_ends(
    respondents: Sequence[RespondentLike],
    questions: Sequence[Question],
    vectors: Mapping[tuple[Hashable, str], np.ndarray] | None = None,
    *,
    cosine: float = 0.95,
    min_words: int = DUPLICATE_MIN_WORDS,
    contacts: Mapping[Hashable, frozenset[str]] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[tuple[Hashable, Flag]]:
    """Respondents whose long-enough open-end matches a different respondent's.

    Exact: the same normalised text. Near: `vectors`, one per (respondent,
    question), with cosine ≥ `cosine`. The pipeline passes creativity
    scoring's answer vectors: the mean of the answer's ideas' embeddings.
    Two respondents sharing an email or phone (`contacts`: one person signing
    up twice) are not each other's copies: `duplicate_respondents` flags the
    later one, and the first keeps their place.

    Blocked, never n × n: answers are grouped by their exact text (a dict), and the
    near search compares one answer per distinct text (`near_pairs`, in blocks). A
    bot farm of 10,000 people pasting one text is one group, searched once; each
    reason names three of the others and counts the rest (`_CopyGroup`).
    """
    known = contacts or {}
    position = {respondent.id: n for n, respondent in enumerate(respondents)}
    found = []
    step = progress or (lambda stage, done, total: None)
    for question in questions:
        if question.type not in OPEN_END_TYPES:
            continue
        stage = f"copies {question.id}"  # one bar a question: distinct answers compared
        mine: list[tuple[Hashable, Flag]] = []
        by_text: dict[str, _CopyGroup] = {}
        names: dict[Hashable, str] = {}
        for respondent in respondents:
            answer = respondent.answers.get(question.id)
            if respondent.id in names or not isinstance(answer, str):
                continue
            text = normalise(answer)  # once: the key of its group too
            if _enough_words(text, min_words):
                names[respondent.id] = label(respondent)
                by_text.setdefault(text, _CopyGroup(known)).add(respondent.id)
        near: dict[str, list[tuple[_CopyGroup, float]]] = {}
        leaders: Mapping[str, np.ndarray] = {}
        if vectors:
            leaders = OnDemand(  # each read as `near_pairs` copies it into its matrix
                {
                    text: (group.members[0], question.id)
                    for text, group in by_text.items()
                    if (group.members[0], question.id) in vectors
                },
                vectors.__getitem__,
            )
            searched = lambda done, total, stage=stage: step(stage, done, total)  # noqa: E731
            for a, b, score in near_pairs(leaders, cosine, searched):
                near.setdefault(a, []).append((by_text[b], score))
                near.setdefault(b, []).append((by_text[a], score))
        for text, group in by_text.items():
            for key in group.members:
                shown, more = group.others(key)
                if shown:
                    others = _named(names, shown, more)
                    reason = f"same answer to {question.id} as {others}"
                    mine.append((key, Flag("duplicate_open_end", reason)))
                    continue
                shown, more, best = [], 0, 0.0
                for other, score in near.get(text, ()):
                    listed, rest = other.others(key, limit=3 - len(shown))
                    if listed or rest:
                        shown += listed
                        more += rest
                        best = max(best, score)
                if shown:
                    others = _named(names, shown, more)
                    reason = (
                        f"nearly the same answer to {question.id} as {others} (cosine {best:.2f})"
                    )
                    mine.append((key, Flag("duplicate_open_end", reason)))
        found += sorted(mine, key=lambda pair: position[pair[0]])  # in respondent order
        step(stage, len(leaders), len(leaders))
    return found


def _named(names: Mapping[Hashable, str], shown: Sequence[Hashable], more: int) -> str:
    """Names like `_names` ("R1, R2, R3 and 9997 more") from the ids shown and a count."""
    text = ", ".join(names[key] for key in shown)
    return text + (f" and {more} more" if more else "")


class _CopyGroup:
    """Respondents who gave one answer text, and, for any one of them, the others that
    are a different person (no shared email or phone): three named and the rest
    counted, in time linear in the group however many share the text.

    Lean, as most texts have one member and a panel has 90,000 texts a question:
    the tables beyond `members` are made only when a member needs them."""

    __slots__ = ("_by_key", "_by_keys", "_firsts", "_ids", "contacts", "members")

    def __init__(self, contacts: Mapping[Hashable, frozenset[str]]) -> None:
        self.contacts = contacts
        self.members: list[Hashable] = []
        self._ids: set[Hashable] | None = None  # made when a big group is first asked
        self._by_key: dict[str, list[Hashable]] | None = None
        self._by_keys: dict[frozenset[str], int] | None = None  # email and phone together
        self._firsts: dict[frozenset[str], list[Hashable]] | None = None

    def add(self, key: Hashable) -> None:
        self.members.append(key)
        mine = self.contacts.get(key, frozenset())
        if not mine:
            return
        if self._by_key is None:
            self._by_key = {}
        for one in mine:
            self._by_key.setdefault(one, []).append(key)
        if len(mine) == 2:  # only pairs are looked up (`_same_person`)
            if self._by_keys is None:
                self._by_keys = {}
            self._by_keys[mine] = self._by_keys.get(mine, 0) + 1

    def _same_person(self, keys: frozenset[str]) -> int:
        """How many members share any of `keys` (a respondent has at most an email and a
        phone: inclusion-exclusion over the two)."""
        if not keys or self._by_key is None:
            return 0
        sizes = sum(len(self._by_key.get(one, ())) for one in keys)
        both = self._by_keys.get(keys, 0) if self._by_keys and len(keys) == 2 else 0
        return sizes - both

    def _member(self, key: Hashable) -> bool:
        if len(self.members) <= 8:
            return key in self.members
        if self._ids is None:
            self._ids = set(self.members)
        return key in self._ids

    def others(self, key: Hashable, limit: int = 3) -> tuple[list[Hashable], int]:
        """Up to `limit` members that are another person than `key`, and how many more."""
        mine = self.contacts.get(key, frozenset())
        if self._firsts is None:
            self._firsts = {}
        if mine not in self._firsts:
            firsts = []
            for member in self.members:
                if not self.contacts.get(member, frozenset()) & mine:
                    firsts.append(member)
                    if len(firsts) > 3:
                        break
            self._firsts[mine] = firsts
        candidates = [member for member in self._firsts[mine] if member != key]
        total = len(self.members) - self._same_person(mine) - (not mine and self._member(key))
        shown = candidates[: max(limit, 0)]
        return shown, max(total - len(shown), 0)


def near_pairs(
    vectors: Mapping[Hashable, np.ndarray],
    cosine: float,
    progress: Callable[[int, int], None] | None = None,
) -> list[tuple[Hashable, Hashable, float]]:
    """Pairs of keys whose vectors have cosine ≥ `cosine`, each pair once, in key order.

    Blocks of rows against the rest, float32: 10,000 answers never build the
    whole 10,000 × 10,000 matrix. Why a screen first: for unit vectors cosine ≥ c
    means a distance ≤ √(2 − 2c), and no projection onto fewer directions
    lengthens a distance, so pairs are first compared on the `_SCREEN_DIMS`
    principal directions (a twelfth of the products) and only the few that are
    close enough there are compared in full. Only the pairs over the threshold
    reach Python.
    """
    import numpy as np

    keys = list(vectors)
    if len(keys) < 2:
        return []
    unit = _matrix(vectors, keys)
    norms = np.linalg.norm(unit, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit /= norms  # in place: one matrix, not a second of the same size
    left, right, limits = _screens(unit, cosine)
    pairs = []
    block = _block_rows(len(keys))
    for start in range(0, len(keys), block):
        stop = min(start + block, len(keys))
        products = left[start:stop] @ right[start + 1 :].T
        rows, cols = np.divmod(
            np.flatnonzero(products >= limits[start:stop, None]), products.shape[1]
        )
        del products
        first, second = rows + start, cols + start + 1
        keep = second > first  # the block's columns start at its first row; each pair once
        first, second = first[keep], second[keep]
        scores = np.einsum("ij,ij->i", unit[first], unit[second])
        close = scores >= np.float32(cosine)
        pairs += [
            (keys[i], keys[j], score)
            for i, j, score in zip(
                first[close].tolist(), second[close].tolist(), scores[close].tolist(), strict=True
            )
        ]
        if progress:
            progress(stop, len(keys))
    return pairs


def _matrix(vectors: Mapping[Hashable, np.ndarray], keys: Sequence[Hashable]) -> np.ndarray:
    """The vectors of `keys` as rows of one float32 matrix, each copied in as it is read
    (a list of them first, as `np.stack` needs, held every vector twice)."""
    import numpy as np

    first = np.asarray(vectors[keys[0]], dtype=np.float32)
    matrix = np.empty((len(keys), len(first)), dtype=np.float32)
    matrix[0] = first
    for row, key in enumerate(keys[1:], start=1):
        matrix[row] = vectors[key]
    return matrix


#: Principal directions the near-pair screen compares on...
_SCREEN_DIMS = 32
#: ...with this much slack on the squared distance for float32 rounding.
_SCREEN_MARGIN = 1e-3


def _screens(unit: np.ndarray, cosine: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The screen as one product and one comparison per pair. Two answers are close on
    the screen when |a|² + |b|² − 2a·b ≤ reach (a squared distance), i.e. when
    2a·b − |b|² ≥ |a|² − reach: rows [2a, −1] times columns [b, |b|²] give the left
    side in the product itself, so each block of scores is read once, not four times."""
    import numpy as np

    screen = _principal(unit)
    lengths = np.einsum("ij,ij->i", screen, screen)
    reach = np.float32(2.0 - 2.0 * cosine + _SCREEN_MARGIN)
    left = np.hstack([2.0 * screen, np.full((len(screen), 1), -1.0, dtype=np.float32)])
    right = np.hstack([screen, lengths[:, None]])
    return left, right, lengths - reach


def _principal(unit: np.ndarray) -> np.ndarray:
    """The vectors on their `_SCREEN_DIMS` principal directions (orthonormal, found on
    an even sample of at most about 4,000 rows): where the vectors spread most, so
    the screen separates most pairs."""
    import numpy as np

    if unit.shape[1] <= _SCREEN_DIMS:
        return unit
    sample = unit[:: max(1, len(unit) // 4096)].astype(np.float64)
    sample -= sample.mean(axis=0)
    _, directions = np.linalg.eigh(sample.T @ sample)  # ascending: the last spread most
    return unit @ directions[:, -_SCREEN_DIMS:].astype(np.float32)


def _block_rows(answers: int) -> int:
    """Rows of a near-pair block: whole blocks, fewer rows when there are so many answers
    that a block's scores would outgrow `_PAIR_CELLS`."""
    return max(1, min(_PAIR_BLOCK, _PAIR_CELLS // max(answers, 1)))


# --------------------------------------------------------------------------- people


def email_key(email: str) -> str:
    """An email as a person: case and whitespace ignored; Gmail dots and +tags too."""
    email = "".join(email.split()).casefold()
    if "@" not in email:
        return email
    local, domain = email.rsplit("@", 1)
    if domain in ("gmail.com", "googlemail.com"):
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def phone_key(phone: str) -> str:
    """A phone number as digits, compared on the last ten (so +44 7700… equals 07700…)."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return ""  # too short to identify anybody
    return digits[-10:]


def _contact_field(respondent: RespondentLike, name: str) -> str:
    value = getattr(respondent, name, None)
    if value:
        return str(value)
    contact = getattr(respondent, "contact", None)
    if isinstance(contact, Mapping):
        return str(contact.get(name) or "")
    return str(getattr(contact, name, "") or "")


def contact_keys(respondents: Sequence[RespondentLike]) -> dict[Hashable, frozenset[str]]:
    """Respondent id -> their normalised email and phone, to tell one person twice apart
    from two people, the way `duplicate_respondents` does."""
    keys = {}
    for respondent in respondents:
        found = {
            f"{field}:{key_of(_contact_field(respondent, field))}"
            for field, key_of in (("email", email_key), ("phone", phone_key))
        }
        keys[respondent.id] = frozenset(k for k in found if not k.endswith(":"))
    return keys


def duplicate_respondents(respondents: Sequence[RespondentLike]) -> list[tuple[Hashable, Flag]]:
    """Later sign-ups sharing an email or phone number with an earlier respondent."""
    first_email: dict[str, RespondentLike] = {}
    first_phone: dict[str, RespondentLike] = {}
    found = []
    for respondent in respondents:
        matches: dict[str, list[str]] = {}
        for field, key_of, seen, what in (
            ("email", email_key, first_email, "email"),
            ("phone", phone_key, first_phone, "phone number"),
        ):
            key = key_of(_contact_field(respondent, field))
            if not key:
                continue
            earlier = seen.setdefault(key, respondent)
            if earlier is not respondent and earlier.id != respondent.id:
                matches.setdefault(label(earlier), []).append(what)
        if matches:
            reason = "; ".join(
                f"same {' and '.join(whats)} as {other}" for other, whats in matches.items()
            )
            found.append((respondent.id, Flag("duplicate_respondent", reason)))
    return found


def fraud(
    respondents: Sequence[RespondentLike],
    *,
    recaptcha_min: float = 0.5,
    fraud_score_max: float = 30,
) -> list[tuple[Hashable, Flag]]:
    """The survey tool's own bot and duplicate verdicts, one flag per respondent."""
    found = []
    for respondent in respondents:
        signals = getattr(respondent, "fraud", None) or {}
        reasons = []
        recaptcha = signals.get("recaptcha")
        if isinstance(recaptcha, int | float) and recaptcha < recaptcha_min:
            reasons.append(f"reCAPTCHA score {recaptcha:g}, under {recaptcha_min:g}")
        if signals.get("duplicate") is True:
            reasons.append("the survey tool marked it a duplicate response")
        score = signals.get("fraud_score")
        if isinstance(score, int | float) and score >= fraud_score_max:
            reasons.append(f"RelevantID fraud score {score:g} ({fraud_score_max:g} or more)")
        if signals.get("ballot_box_stuffing") is True:
            reasons.append("the survey tool flagged ballot-box stuffing")
        if reasons:
            found.append((respondent.id, Flag("fraud", "; ".join(reasons))))
    return found


__all__ = [
    "FLAG_KINDS",
    "Flag",
    "NON_ANSWERS",
    "OPEN_END_TYPES",
    "RespondentLike",
    "attention_failures",
    "duplicate_open_ends",
    "duplicate_respondents",
    "email_key",
    "fraud",
    "gibberish",
    "gibberish_reason",
    "label",
    "phone_key",
    "quality_flags",
    "speeders",
    "straightliners",
]
