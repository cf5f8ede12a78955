"""Provides a quiet detector of criticism in a just-captured idea.

Divergent phases defer judgement: ideas are collected, not evaluated, because
criticism voiced early ("too expensive", "yes, but…") shuts down the people
who have not spoken yet. The facilitator still captures whatever was said;
this module only spots a judgement so the screen can nudge them to turn it
into a "How to…" concern, which keeps the worry but makes it a prompt for
more ideas. It is pure stdlib and never raises on odd input, so the capture
path can call it on every keystroke-commit without risk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CRITIQUE_PHRASES: tuple[tuple[str, str], ...] = (
    # Specific judgements first: their reframes say what to work on.
    (
        r"(?<!\bnot\s)(?<!n\Wt\s)(?<!nt\s)\b(?:way |far |much |a bit |a little )?"
        r"too (?:expensive|costly|pricey|dear)\b",
        "How to make {it} affordable?",
    ),
    (
        r"(?<!\bnot\s)(?<!n\Wt\s)(?<!nt\s)(?<!\bdo\s)(?<!\bdoes\s)\bcosts? "
        r"(?:way |far )?too much\b",
        "How to make {it} affordable?",
    ),
    (
        r"(?<!\bnot\s)(?<!n\Wt\s)(?<!nt\s)\btoo (?:complicated|complex|confusing|fiddly)\b",
        "How to make {it} simple?",
    ),
    (
        r"(?<!\bnot\s)(?<!n\Wt\s)(?<!nt\s)\btoo (?:hard|difficult)\b",
        "How to make {it} easy?",
    ),
    (r"(?<!\bnot\s)(?<!n\Wt\s)(?<!nt\s)\btoo slow\b", "How to make {it} fast?"),
    (
        r"(?<!\bnot\s)(?<!n\Wt\s)(?<!nt\s)\btoo (?:risky|dangerous)\b",
        "How to make {it} safe to try?",
    ),
    (
        r"(?<!\bnot\s)(?<!n\Wt\s)(?<!nt\s)\btoo niche\b",
        "How to make {it} appeal to more people?",
    ),
    (
        r"(?<!\bnot\s)(?<!n\Wt\s)(?<!nt\s)\btoo much (?:effort|work|hassle|trouble|bother)\b",
        "How to make {it} effortless?",
    ),
    (
        r"\b(?:won't|wouldn't|will not|would not|will never|would never|never going to"
        r"|not going to|never gonna|not gonna|doesn't|does not|didn't|did not) "
        r"sell\b(?! out)",
        "How to make people want to buy {it}?",
    ),
    (
        r"(?<!\w\s)\bwho(?:'d| would| will|'s going to| is going to| is gonna)"
        r"(?: ever| even| really| actually)? (?:pay|buy)\b(?: for)?"
        r"|\bwho(?:'d| would| will|'s going to| is going to| is gonna)"
        r"(?: ever| even| really| actually)? (?:pay for|buy|want|use|need) "
        r"(?:that|this|it|one|those|these|them)\b",
        "How to make {it} worth paying for?",
    ),
    (
        r"\b(?:nobody|no one|no-one|noone)(?:'d|'ll| would| will| is going to| is gonna"
        r"| cares| buys| uses| is ever going to)\b(?: ever)?"
        r"(?: (?:buy|use|want|need|pay for|care about)(?: that| this| it| one| them)?\b)?"
        r"|\b(?:nobody|no one|no-one|noone) (?:wants|needs|likes|asked for) "
        r"(?:that|this|it|one|those|these|them|to buy|to pay)\b"
        r"|\bwho (?:needs|wants|cares about) (?:that|this|it|one|those|these|them)\b",
        "How to make people want {it}?",
    ),
    (
        r"\b(?:we|they)(?:'ve| have)?(?: already)? tried (?:that|this|it|one)\b"
        r"|\b(?:i|someone|somebody|people)(?:'ve| have)? already tried "
        r"(?:that|this|it|one)\b|\btried (?:that|this|it) (?:before|already)\b"
        r"|\b(?:it|that|this|which)(?:'s| has| was) (?:already |all )?been done\b"
        r"|\b(?:has|have|was|were) (?:already )?been done\b"
        r"|\bbeen done (?:before|already|to death)\b",
        "How to make {it} different this time?",
    ),
    (
        r"\bwaste of (?P<what>time|money|effort|space|energy|resources)\b",
        "How to make {it} worth the {what}?",
    ),
    (
        r"\b(?:doesn't|does not|don't|do not|won't|wouldn't|will not|would not|didn't)"
        r"(?: really| even)? make (?:any |much )?sense\b"
        r"|\bmakes? no sense\b|(?<!-)\bnonsense\b(?!-)",
        "How to make {it} clearer?",
    ),
    (
        r"\b(?:not|isn't|aren't|wasn't|hardly)(?: very| really| that| at all| exactly)? "
        r"(?:realistic|feasible|viable|doable)\b|\b(?:unrealistic|unfeasible|infeasible)\b",
        "How to make {it} realistic?",
    ),
    (
        r"\b(?:not|isn't|aren't|wasn't|hardly)(?: very| really| that| at all| exactly)? "
        r"(?:practical|workable)\b|\b(?:impractical|unworkable)\b",
        "How to make {it} practical?",
    ),
    (
        r"\b(?:can't|cannot|can not|couldn't|could not)(?: ever| possibly)? be "
        r"(?:done|made|built)\b"
        r"|(?<!-)\bimpossible\b(?!-| to (?:spill|break|tip|lose|crack|burn|forget|knock"
        r"|drop|miss|resist|ignore)\b)"
        r"|\bnot in a million years\b|\bno way (?:that|this|it)\b",
        "How to make {it} possible?",
    ),
    (
        r"\b(?:never (?:going to|gonna) happen|(?:won't|will never|would never|will not"
        r"|isn't going to|is not going to|ain't gonna) happen)\b",
        "How to make {it} happen?",
    ),
    (
        r"\b(?:won't|wouldn't|will not|would not|doesn't|does not|can't|cannot|couldn't"
        r"|could not|will never|would never|could never|never|not going to|not gonna"
        r"|don't think (?:that|this|it)(?:'ll| will| would| could)?)(?: ever)? "
        r"(?:work|fly|catch on)\b",
        "How to make {it} work?",
    ),
    (
        r"\bi(?: really| just| honestly)? (?:don't|do not) (?:really )?like "
        r"(?:the idea|your idea|that idea|this idea|that|this|it|one)\b"
        r"|\bi(?: really| just| honestly)? (?:hate|dislike|can't stand) "
        r"(?:the idea|your idea|that idea|this idea|that|this|it)\b"
        r"|\b(?:hate|dislike) (?:that|this|the|your) idea\b",
        "How to make {it} more appealing?",
    ),
    (
        r"\b(?:the )?(?:problem|trouble|issue|catch|downside|snag) (?:with|about) "
        r"(?:your idea|that idea|this idea|that|this|it)(?:'s| is|\s*[:,—–-])",
        "How to overcome {rest}?",
    ),
    # Generic judgements: the reframe can only ask to make the idea work.
    (
        r"\b(?:bad|terrible|awful|horrible|stupid|silly|dumb|ridiculous|pointless|rubbish"
        r"|useless|lousy|lame|worst) (?:idea|suggestion|concept|plan)\b"
        r"|\bnot (?:a |such a )?(?:good|great) (?:idea|suggestion)\b",
        "How to make {it} work?",
    ),
    (
        r"\b(?:that's|that is|it's|it is|this is|this's|sounds|seems|looks|is|are|was|how)"
        r"(?: so| just| really| totally| utterly| completely| pretty| a bit| kind of"
        r"| kinda| plain)? (?:stupid|silly|ridiculous|pointless|rubbish|terrible|dumb"
        r"|absurd|useless|awful|nonsense|daft|lame|idiotic|crap|garbage|laughable)\b(?!-)"
        r"|^\W*(?P<phrase>stupid|silly|ridiculous|pointless|rubbish|terrible|dumb|absurd"
        r"|useless|awful|nonsense|daft|lame|crap|garbage|nope)(?=\W*$)",
        "How to make {it} work?",
    ),
    (
        r"\bget real\b|\bare you (?:kidding|joking|serious)\b|\byou can't be serious\b"
        r"|\bdream on\b",
        "How to make {it} possible?",
    ),
    (r"\b(?:yes|yeah|yea|yep|yup)\b[\s,.…!-]*but\b", "How to overcome {but}?"),
)
"""Criticism as (regex, "How to…" reframe) pairs, most specific first.

Kept as data so a facilitator's new pet phrase is one line to add. Patterns are
matched case-insensitively against the idea with curly apostrophes made
straight; a space stands for any run of whitespace, and every apostrophe is
optional so "wont" and "doesnt" match too. Each pattern names a judgement,
not a topic: "cheaper", "price", "the problem of…", "can't tip over" are
ideas and stay unflagged. In a reframe, {it} is the thing being judged (taken
from the words before the phrase, else "it"), {what} a named group and {rest}
the concern said after the phrase.
"""

SPRINGBOARD_OPENERS = (
    r"how to\b",
    r"how (?:might|could|can|do|should|would) (?:we|i|you|they|us)\b",
    r"hmw\b",
    r"in what ways? (?:might|could|can)\b",
    r"(?:i|we)(?: really| just| do)? wish\b",
    r"wish\b",
    r"if only\b",
    r"wouldn't it be\b",
)
"""Sentence openers that already make a concern into a springboard.

"How to make it less expensive?" and "I wish it wasn't so expensive" are the
reframed form the nudge asks for, so a sentence opening this way is skipped.
"""

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "′": "'"})
_FLAGS = re.IGNORECASE


def _compile(pattern: str) -> re.Pattern[str]:
    """Loosen spaces and apostrophes so the data above stays readable."""
    return re.compile(pattern.replace(" ", r"\s+").replace("'", "'?"), _FLAGS)


_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (_compile(pattern), reframe) for pattern, reframe in CRITIQUE_PHRASES
)
_SPRINGBOARD = _compile(
    r"(?:^|(?<=[.!?\n]))\s*[^\w\s]*\s*(?:" + "|".join(SPRINGBOARD_OPENERS) + r")[^.!?\n]*"
)
_CLAUSE_BREAK = _compile(
    r"[.!?;:,()\[\]\"“”—–\n…]|\s-\s|\b(?:but|and|because|though|although|so|if|when"
    r"|since|while|whereas|plus|except)\b"
)
_CONTRACTION = re.compile(r"'(?:s|re|ll|d|ve|m)$", _FLAGS)
_TRAILING_FILLER = frozenset(
    "is are was were be been being am will would could might may must should can "
    "gonna going to get gets getting become becomes seem seems seemed sound sounds "
    "look looks feel feels just still really way far much a an bit little lot kind "
    "sort of simply probably definitely surely clearly obviously also all then "
    "always ever so pretty quite rather very totally completely utterly honestly "
    "such what how".split()
)
_LEADING_FILLER = frozenset(
    "yes yeah yea yep yup but and so well i we honestly really just um uh oh also "
    "though think guess feel believe reckon suppose mean sure i'm im afraid what "
    "how such".split()
)
_OPINION_VERBS = frozenset("think guess feel believe reckon suppose mean sure".split())
_PLURAL_PRONOUNS = frozenset("they those these them".split())
_PRONOUNS = (
    frozenset("that it this which there thats its he she you we i one".split()) | _PLURAL_PRONOUNS
)
_MAX_SUBJECT_WORDS = 6
_MAX_REST_WORDS = 14
_FALLBACK = "How to make {it} work?"


@dataclass(frozen=True)
class Critique:
    """A judgement spotted in an idea, with a reframe to offer in its place."""

    phrase: str  # the matched words as written in the idea, e.g. "too expensive"
    reframe: str  # a suggested "How to …" reframe, e.g. "How to make it affordable?"


def detect_critique(text: str) -> Critique | None:
    """Return the first criticism in ``text``, or None if it reads as an idea.

    Capture never waits on this: the caller shows the result as a hint only.
    """
    if not text or not text.strip():
        return None
    plain = text.translate(_APOSTROPHES)
    skipped = [m.span() for m in _SPRINGBOARD.finditer(plain)]
    for pattern, template in _RULES:
        for match in pattern.finditer(plain):
            start, end = _phrase_span(match)
            if any(lo <= start < hi for lo, hi in skipped):
                continue
            return Critique(
                phrase=text[start:end],
                reframe=_reframe(template, text, plain, match, start, end),
            )
    return None


def _phrase_span(match: re.Match[str]) -> tuple[int, int]:
    """Narrow to a ``phrase`` group when the pattern had to match context too."""
    if match.groupdict().get("phrase") is not None:
        return match.span("phrase")
    return match.span()


def _reframe(
    template: str, text: str, plain: str, match: re.Match[str], start: int, end: int
) -> str:
    """Fill the template from the idea itself, so the nudge reads as theirs."""
    what = match.groupdict().get("what") or ""
    values = {"it": _subject(text, plain, start), "what": what.lower(), "rest": "", "but": ""}
    for slot in ("rest", "but"):
        if "{" + slot + "}" in template:
            values[slot] = _concern(text, plain, end, clause=slot == "but")
            if not values[slot]:
                template = _FALLBACK
    return template.format(**values)


def _subject(text: str, plain: str, start: int) -> str:
    """Name what was judged from the words just before the phrase.

    "The pods are too expensive" gives "the pods"; pronouns, long clauses or
    nothing at all give "it", since a wrong guess is worse than a plain one.
    """
    breaks = list(_CLAUSE_BREAK.finditer(plain, 0, start))
    clause_start = breaks[-1].end() if breaks else 0
    words = text[clause_start:start].split()
    keys = [w.translate(_APOSTROPHES).lower().strip("\"'") for w in words]
    cut = _CONTRACTION.search(keys[-1]) if keys else None
    if cut:
        words[-1] = words[-1][: cut.start()]
        keys[-1] = keys[-1][: cut.start()]
    while keys and keys[-1] in _TRAILING_FILLER:
        words.pop()
        keys.pop()
    opinion = False
    while keys and (keys[0] in _LEADING_FILLER or (opinion and keys[0] == "that")):
        opinion = opinion or keys[0] in _OPINION_VERBS
        words.pop(0)
        keys.pop(0)
    if len(keys) == 1 and keys[0] in _PRONOUNS:
        return "them" if keys[0] in _PLURAL_PRONOUNS else "it"
    if not keys or len(keys) > _MAX_SUBJECT_WORDS or not any(k.isalpha() for k in keys):
        return "it"
    subject = " ".join(words).strip(" \"'“”‘’")
    return _lower_first(subject) or "it"


def _concern(text: str, plain: str, end: int, *, clause: bool) -> str:
    """Turn what follows the phrase into something "How to overcome" can take.

    After "the problem with that is" it is usually a noun ("the cost"); after
    "yes, but" a clause ("the cups leak"), which needs "the concern that".
    Questions and long speeches give "" so the caller falls back to a plain
    reframe rather than a garbled one.
    """
    tail = plain[end:]
    begin = end + len(tail) - len(tail.lstrip(" \t,.…:;—–-"))
    stop = re.search(r"[.!?\n]", plain[begin:])
    finish = begin + stop.start() if stop else len(text)
    rest = text[begin:finish].strip().rstrip(" ,;:—–-\"'”’")
    if not rest or len(rest.split()) > _MAX_REST_WORDS:
        return ""
    key = rest.translate(_APOSTROPHES).lower()
    if key.startswith("what about "):
        return "the concern about " + rest[len("what about ") :]
    if re.match(r"(?:what|how|who|where|when|why|which|if)\b", key):
        return ""
    if key.startswith("that "):
        return "the concern " + rest
    return "the concern that " + _lower_first(rest) if clause else _lower_first(rest)


def _lower_first(phrase: str) -> str:
    """Lower a sentence-initial capital, leaving acronyms like "NHS" alone."""
    first = phrase.split()[0] if phrase.split() else ""
    if len(first) > 1 and first[0].isupper() and first[1:].islower():
        return phrase[0].lower() + phrase[1:]
    return phrase
