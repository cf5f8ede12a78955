"""Provides short theme labels from the words that set a theme apart from the others.

A researcher scanning twenty themes needs a handle for each before reading
any idea. Class-based TF-IDF (as in BERTopic) gives one: a word scores high
when many ideas in the theme use it and few ideas elsewhere do. Counting ideas
rather than occurrences keeps one long-winded idea from naming its theme, and
the idea-level inverse frequency sinks words the whole session shares (the
prompt's own words), which BERTopic's softer class-level weight lets through.
A label word must also be used by at least two of the theme's ideas: one idea's
odd word ("ai") says nothing about the theme. Words that fit any idea ("used",
"help", "app", "make") are stop words; a study adds its own jargon through
`extra_stop_words`. scikit-learn is imported inside the function: callers start light.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

#: Words that say nothing about an idea's content in ideation sessions,
#: on top of scikit-learn's English stop words.
FILLER = frozenset(
    "idea ideas like want wants really think maybe thing things able lot lots way ways "
    "good great nice new better people product products just yes "
    "don doesn didn isn aren wasn won wouldn shouldn couldn".split()
)
#: Generic verbs and nouns that fit nearly any idea, so they name no theme: "an app
#: that helps you make ...", "the ability to use ...".
GENERIC = frozenset(
    "use used uses using usage useful help helps helped helping helpful app apps application "
    "applications ability abilities make makes made making allow allows allowed allowing "
    "let lets get gets getting got give gives giving given go goes going need needs needed "
    "does doing done lead leads create creates created provide provides providing "
    "feature features option options kind sort stuff something someone everyone "
    "able easier easy easily".split()
)
#: Endings stripped before comparing two label words, longest first.
SUFFIXES = ("ing", "ed", "es", "s")
#: The words every label skips unless a study says more (see `stop_words`).
STOP_WORDS = FILLER | GENERIC
#: A label word must appear in at least this many of the theme's ideas.
MIN_IDEAS_PER_WORD = 2
#: Letters first (no numbers alone), two or more word characters, any script.
TOKEN = r"(?u)\b[^\W\d_][^\W_]+\b"
SEPARATOR = " · "
WORDS = 3
FALLBACK_CHARS = 40


def theme_labels(
    texts: Sequence[str],
    assignment: Sequence[int],
    representatives: Sequence[int],
    words: int = WORDS,
    extra_stop_words: Iterable[str] = (),
) -> list[str]:
    """One label per theme 0..k-1, e.g. "compost · pods · garden".

    `assignment[i]` is idea i's theme (0-based) and `representatives[t]` the idea
    whose own text stands in when a theme has no usable words (emoji, numbers, or
    no word shared by two of its ideas); a theme of blank ideas only is called
    "theme N". `extra_stop_words` are skipped on top of `STOP_WORDS` (any case).
    """
    count = len(representatives)
    chosen: list[list[str]] = [[] for _ in range(count)]
    if count and any(texts):
        chosen = _distinctive_words(texts, assignment, count, words, stop_words(extra_stop_words))
    return [
        SEPARATOR.join(picked) if picked else _fallback(texts, assignment, representatives[t], t)
        for t, picked in enumerate(chosen)
    ]


def stop_words(extra: Iterable[str] = ()) -> frozenset[str]:
    """scikit-learn's English stop words, `STOP_WORDS`, and a study's own, lower-cased."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    own = {word.strip().casefold() for word in extra if word.strip()}
    return frozenset(ENGLISH_STOP_WORDS | STOP_WORDS | own)


def _distinctive_words(
    texts: Sequence[str],
    assignment: Sequence[int],
    count: int,
    words: int,
    skip: frozenset[str],
) -> list[list[str]]:
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(
        token_pattern=TOKEN,
        stop_words=sorted(skip),
        lowercase=True,
        binary=True,
    )
    try:
        per_idea = vectorizer.fit_transform([t or "" for t in texts])
    except ValueError:  # nothing but stop words, digits or symbols
        return [[] for _ in range(count)]
    vocabulary = vectorizer.get_feature_names_out()
    membership = sparse.csr_matrix(
        (np.ones(len(texts)), (np.asarray(assignment), np.arange(len(texts)))),
        shape=(count, len(texts)),
    )
    per_theme = np.asarray((membership @ per_idea).todense(), dtype=np.float64)
    # c-TF-IDF: share of the theme's ideas using a word x log((1 + ideas) / ideas using it
    # anywhere). Words every idea uses (the session's topic) score ~0 in every theme.
    sizes = np.bincount(np.asarray(assignment), minlength=count).astype(np.float64)
    sizes[sizes == 0] = 1.0
    overall = np.asarray(per_idea.sum(axis=0), dtype=np.float64).ravel()
    scores = (per_theme / sizes[:, None]) * np.log((1.0 + len(texts)) / np.maximum(overall, 1.0))
    labels: list[list[str]] = []
    for theme in range(count):
        row = scores[theme]
        # Highest score first; ties by more ideas using it, then alphabetically.
        order = np.lexsort((np.arange(len(row)), -per_theme[theme], -row))
        picked: list[str] = []
        for index in order:
            if row[index] <= 0 or len(picked) == words:
                break
            if per_theme[theme, index] < MIN_IDEAS_PER_WORD:
                continue
            word = str(vocabulary[index])
            if not any(_same_stem(word, other) for other in picked):
                picked.append(word)
        labels.append(picked)
    return labels


def _same_stem(a: str, b: str) -> bool:
    """One label slot per stem: pod/pods, compost/compostable, banned/banning, abolishing."""
    short, long = sorted((a, b), key=len)
    if len(short) >= 3 and long.startswith(short):
        return True
    if _root(a) == _root(b):
        return True
    return len(os.path.commonprefix([a, b])) >= max(5, len(short) - 3)


def _root(word: str) -> str:
    """The word without one common English ending ("banning" -> "bann"), keeping 3+ letters."""
    for ending in SUFFIXES:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _fallback(texts: Sequence[str], assignment: Sequence[int], first: int, theme: int) -> str:
    """The representative's own text (or the first non-blank member's), shortened."""
    candidates = [first] + [i for i, t in enumerate(assignment) if t == theme]
    cleaned = next((" ".join(texts[i].split()) for i in candidates if (texts[i] or "").strip()), "")
    if not cleaned:
        return f"theme {theme + 1}"
    if len(cleaned) <= FALLBACK_CHARS:
        return cleaned
    return cleaned[: FALLBACK_CHARS - 1].rstrip() + "…"
