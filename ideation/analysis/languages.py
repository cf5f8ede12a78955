"""Provides the language check: which ideas the English-only bundled model cannot read.

all-MiniLM-L6-v2 was trained on English. Japanese "coffee grounds as
fertiliser" and "compost bin for coffee grounds" come out at cosine 0.05, and
every idea in a script it never saw lands in one theme. Nothing in the
clustering shows that, so the researcher is told once, with a count, in
`ideation cluster`, on the review screen and in the report.

Two cheap checks, no model and no extra dependency:

- **Script.** Letters are counted per Unicode script; a CJK character weighs
  as three letters (one carries about a word). When most of the weight is
  outside the Latin script the idea is in that script's language
  (kana make Han text Japanese).
- **Latin-script languages** (es, fr, de, it, pt, nl): frequent function words
  that are not English words too. Conservative on purpose: an idea needs
  four or more words and at least three such words (two different ones),
  a fifth of its words, and more of them than English function words, so
  brand names ("Le Creuset", "Café de Flore") and short English ideas never
  count. Short foreign ideas are missed rather than English ones flagged.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from ideation.analysis.embed import BUNDLED_MODEL_ID, model_name
from ideation.text import plural

if TYPE_CHECKING:
    from ideation.analysis.themes import ThemeSet

#: (first, last, name) code point ranges of the scripts the bundled model never saw;
#: a script used by one language carries that language's name. Sorted by `first`.
_SCRIPTS = sorted(
    [
        (0x0370, 0x03FF, "Greek"),
        (0x1F00, 0x1FFF, "Greek"),
        (0x0400, 0x052F, "Cyrillic"),
        (0x1C80, 0x1C8F, "Cyrillic"),
        (0x2DE0, 0x2DFF, "Cyrillic"),
        (0xA640, 0xA69F, "Cyrillic"),
        (0x0530, 0x058F, "Armenian"),
        (0x0590, 0x05FF, "Hebrew"),
        (0xFB1D, 0xFB4F, "Hebrew"),
        (0x0600, 0x06FF, "Arabic"),
        (0x0750, 0x077F, "Arabic"),
        (0x0870, 0x08FF, "Arabic"),
        (0xFB50, 0xFDFF, "Arabic"),
        (0xFE70, 0xFEFF, "Arabic"),
        (0x0700, 0x074F, "Syriac"),
        (0x0780, 0x07BF, "Thaana"),
        (0x0900, 0x097F, "Devanagari"),
        (0xA8E0, 0xA8FF, "Devanagari"),
        (0x0980, 0x09FF, "Bengali"),
        (0x0A00, 0x0A7F, "Gurmukhi"),
        (0x0A80, 0x0AFF, "Gujarati"),
        (0x0B00, 0x0B7F, "Odia"),
        (0x0B80, 0x0BFF, "Tamil"),
        (0x0C00, 0x0C7F, "Telugu"),
        (0x0C80, 0x0CFF, "Kannada"),
        (0x0D00, 0x0D7F, "Malayalam"),
        (0x0D80, 0x0DFF, "Sinhala"),
        (0x0E00, 0x0E7F, "Thai"),
        (0x0E80, 0x0EFF, "Lao"),
        (0x0F00, 0x0FFF, "Tibetan"),
        (0x1000, 0x109F, "Burmese"),
        (0x10A0, 0x10FF, "Georgian"),
        (0x2D00, 0x2D2F, "Georgian"),
        (0x1100, 0x11FF, "Korean"),
        (0x3130, 0x318F, "Korean"),
        (0xA960, 0xA97F, "Korean"),
        (0xAC00, 0xD7FF, "Korean"),
        (0x1200, 0x139F, "Amharic"),
        (0x1780, 0x17FF, "Khmer"),
        (0x1800, 0x18AF, "Mongolian"),
        (0x3040, 0x30FF, "Japanese"),  # hiragana, katakana
        (0x31F0, 0x31FF, "Japanese"),
        (0xFF66, 0xFF9F, "Japanese"),  # half-width katakana
        (0x3100, 0x312F, "Chinese"),  # bopomofo
        (0x3400, 0x4DBF, "Chinese"),  # Han: Japanese when the idea also has kana
        (0x4E00, 0x9FFF, "Chinese"),
        (0xF900, 0xFAFF, "Chinese"),
        (0x20000, 0x3FFFF, "Chinese"),
    ]
)
_STARTS = [first for first, _, _ in _SCRIPTS]
#: Scripts with a character per syllable or word: one counts as this many letters.
_DENSE = {"Chinese": 3, "Japanese": 3, "Korean": 2}

_WORD = re.compile(r"[^\W\d_]+")
#: Frequent function words of each language, none of them an English word too
#: ("die", "van", "pour", "per", "non", "do", "com" are left out), so English never scores.
_STOP_WORDS = {
    "Spanish": "el los las del que para por una unos unas es muy pero como más sobre cuando "
    "también porque esto este esta estos estas donde puede tiene nuestro nuestra al lo se "
    "mi tu ellos usted ser están está hacer y la",
    "French": "le les des du et est une avec dans sur pas que qui aux ce cette ces mon ma "
    "mes nous vous ils elle sont être très sans où je tu il leur faire comme peut aussi "
    "mais la un en au",
    "German": "der das und ist nicht mit für ein eine einen einem auf dem zu sich auch wie "
    "wenn oder aber ich wir sie es bei nach von aus noch kann mehr sehr zum zur werden "
    "wird durch immer unsere unser",
    "Italian": "il lo gli di che è le una del della dei delle nel nella sono più anche ma se "
    "questo questa quando perché ogni essere al alla la un",
    "Portuguese": "os uma de da dos das que é na nos como para não por mais mas se ao pelo pela "
    "seu sua você isso este esta muito fazer também durante toda todo todos todas tem ele "
    "ela eu são está mesmo nosso nossa quando onde",
    "Dutch": "de het een en dat niet met op te voor zijn aan ook als bij naar maar wat "
    "nog wordt kan ik je hij zij uit geen meer heel onze",
}
_FOREIGN = {language: frozenset(words.split()) for language, words in _STOP_WORDS.items()}
_ENGLISH = frozenset(
    "the and of to a in is for with that it on my you i we be can an this are your at or "
    "as from by so when not have get more use make no if all they their our into out "
    "has was will would could should what which who how".split()
)
#: The Latin-script check's thresholds (see the module docstring).
MIN_WORDS = 4
MIN_HITS = 3
#: The short note fits a line of an 80-column screen.
SHORT_CHARS = 78


def _script(char: str) -> str | None:
    index = bisect_right(_STARTS, ord(char)) - 1
    if index >= 0 and ord(char) <= _SCRIPTS[index][1]:
        return _SCRIPTS[index][2]
    return None


@lru_cache(maxsize=65_536)
def language_of(text: str) -> str | None:
    """The language or script of `text` when it is not English ("Japanese",
    "Cyrillic", "Spanish"); None for English, and whenever in doubt."""
    if not text.isascii():
        weights: Counter[str] = Counter()
        latin = 0
        for char in text:
            if not char.isalpha():
                continue
            script = _script(char) if ord(char) > 0x24F else None
            if script is None:
                latin += 1
            else:
                weights[script] += _DENSE.get(script, 1)
        if weights:
            if "Japanese" in weights and "Chinese" in weights:
                weights["Japanese"] += weights.pop("Chinese")
            script, weight = weights.most_common(1)[0]
            if weight > latin:
                return script
    return _latin_language(text)


def _latin_language(text: str) -> str | None:
    words = _WORD.findall(text.casefold())
    if len(words) < MIN_WORDS:
        return None
    english = sum(word in _ENGLISH for word in words)
    best: tuple[int, int, str] | None = None
    for language, stop_words in _FOREIGN.items():
        found = [word for word in words if word in stop_words]
        score = (len(found), len(set(found)), language)
        if best is None or score[:2] > best[:2]:
            best = score
    assert best is not None
    hits, distinct, language = best
    if hits >= MIN_HITS and distinct >= 2 and hits * 5 >= len(words) and hits > english:
        return language
    return None


def other_languages(texts: Iterable[str]) -> Counter[str]:
    """How many of `texts` are in each language other than English."""
    return Counter(language for text in texts if (language := language_of(text)))


def language_note(texts: Sequence[str], model_id: str, *, short: bool = False) -> str:
    """One sentence saying how many ideas are not in English and what to do about it;
    "" when all look English. `short` fits one line of an 80-column screen."""
    found = other_languages(texts)
    if not found:
        return ""
    count = sum(found.values())
    bundled = model_id == BUNDLED_MODEL_ID
    if short:
        advice = "English-only model, try --model" if bundled else model_name(model_id)
        lines = [f"⚠ {count} not in English ({_named(found, n)}): {advice}" for n in (2, 1)]
        return next((line for line in lines if len(line) <= SHORT_CHARS), lines[-1])
    verb = "is" if count == 1 else "are"
    said = f"Language: {count} of {plural(len(texts), 'idea')} {verb} not in English"
    if bundled:
        return (
            f"{said} ({_named(found, 6)}). The bundled model ({BUNDLED_MODEL_ID}) was trained"
            " on English only, so their themes are unreliable: cluster again with --model PATH,"
            " a local multilingual sentence-transformers model directory."
        )
    return (
        f"{said} ({_named(found, 6)}); clustered with the local model {model_name(model_id)},"
        " which must be multilingual to group them by meaning."
    )


def _named(found: Counter[str], most: int) -> str:
    named = ", ".join(f"{language} {n}" for language, n in found.most_common(most))
    return named + (", …" if len(found) > most else "")


def theme_set_note(themes: ThemeSet | None, *, short: bool = False) -> str:
    """`language_note` for the ideas of a clustering revision and the model it used."""
    if themes is None:
        return ""
    texts = [idea.text for theme in themes.themes for idea in theme.ideas]
    return language_note(texts, themes.record.model, short=short)
