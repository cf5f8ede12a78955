"""Provides the catalogue of ideation techniques a session plan can use.

Each agenda item names one technique by id. The technique carries what the
facilitator needs on the guide panel while the phase runs: what to say to
open it, the rules of the phase, stimulus-card prompts for when the plan
gives none, and statement starters. The text follows brainstorming (quantity
over quality, defer judgement, wild ideas welcome, build on others) and the
Synectics sequence (purge, problem as understood, springboards, an excursion
through analogies, force-fit, itemized response). Two techniques run on the
participants' own devices (the room, `live/room.py`): brainwriting (silent
writing, each idea answered with someone else's to build on) and hits (the
one convergent judging in the product: positive only, a few taps each).

Synectics is a chain of choices: each excursion step builds on one entry
picked in the step before. A technique with a decision point names what is
picked there (`pick`); its `say_template` and `card_template` are filled from
the picks so far (placeholders in `PLACEHOLDERS`), and `pick_hint` says what
to pick and from where.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

#: Template placeholders and the pick that fills each: (what is picked, where).
PLACEHOLDERS: dict[str, tuple[str, str]] = {
    "springboard": ("springboard", "the springboards (or the problem as understood)"),
    "example": ("example", "the direct analogy"),
    "feeling": ("feeling", "the personal analogy"),
    "book_title": ("book title", "the symbolic analogy"),
    "fantasy_example": ("fantasy example", "the fantasy analogy"),
    "idea": ("idea to develop", "the force-fit ideas"),
}

#: What a decision point picks -> the placeholder (and chain step) it fills.
PICK_STEPS: dict[str, str] = {pick: name for name, (pick, _) in PLACEHOLDERS.items()}


def placeholders(template: str) -> list[str]:
    """The placeholder names a template uses; ValueError for broken braces."""
    names = []
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if spec or conversion:
            raise ValueError(f"{{{name}}} takes no format spec or conversion")
        names.append(name)
    return names


def unknown_placeholders(template: str) -> list[str]:
    """Placeholders a template names that no pick fills (a typo, usually)."""
    return [name for name in placeholders(template) if name not in PLACEHOLDERS]


def fill(template: str, values: Mapping[str, str | None]) -> str | None:
    """The template filled from the picks, or None while a pick it needs is missing."""
    needed = placeholders(template)
    if any(not values.get(name) for name in needed):
        return None
    return template.format_map({name: values[name] for name in needed})


def aim(springboard: str) -> str:
    """A springboard as what we want to do, so templates read "help us {springboard}":
    "How to keep it fresh?" -> "keep it fresh"; "I wish it knew" -> "make it so it knew"."""
    text = " ".join(springboard.split()).rstrip(" .?!…")
    folded = text.casefold()
    for starter, lead in (("how to ", ""), ("how might we ", ""), ("i wish ", "make it so ")):
        if folded.startswith(starter):
            return lead + text[len(starter) :]
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def thing(example: str) -> str:
    """An example as a thing to be, so "Be the {example}" reads: "Like a beehive"
    -> "beehive"; "A hotel turning down your bed" -> "hotel turning down your bed"."""
    text = " ".join(example.split()).rstrip(" .!…")
    for lead in ("like ", "it's like ", "a ", "an ", "the "):
        if text.casefold().startswith(lead):
            text = text[len(lead) :]
    return text


def missing_pick(template: str, values: Mapping[str, str | None]) -> str | None:
    """The first placeholder of a template that has no pick yet."""
    return next((name for name in placeholders(template) if not values.get(name)), None)


@dataclass(frozen=True)
class Technique:
    """One phase type: fixed guide text, so every facilitator runs it the same way."""

    id: str
    name: str
    #: Divergent phases go for quantity and defer judgement.
    divergent: bool
    #: Whether the capture box is open: what the room says is recorded as ideas.
    captures_ideas: bool
    #: What the facilitator says to open the phase, to the room.
    say: str
    #: The phase's rules, one short line each, for the guide panel.
    rules: tuple[str, ...]
    #: Stimulus-card prompts used when the plan gives none.
    default_prompts: tuple[str, ...]
    #: How statements in this phase begin.
    starters: tuple[str, ...]
    #: The entry kind captured in this phase unless the line says otherwise.
    entry: str = "idea"
    #: What is picked at this decision point (a key of PICK_STEPS); None = none.
    pick: str | None = None
    #: Say-text and card built from earlier picks ({springboard}, {example}, …);
    #: "" = the fixed `say` and the plan's prompts.
    say_template: str = ""
    card_template: str = ""
    #: What to pick here and from where, for the guide when nothing is picked yet.
    pick_hint: str = ""


_CATALOGUE: tuple[Technique, ...] = (
    Technique(
        id="problem_as_given",
        name="Problem as given",
        divergent=False,
        captures_ideas=False,
        say=(
            "Here is the task as it was given to us, with a little background "
            "and what has already been tried. Just listen for now — nobody has "
            "to solve anything yet. Afterwards, ask whatever you need to "
            "understand it."
        ),
        rules=(
            "Listen first — no solutions yet",
            "Questions of understanding only",
            "Note what surprises you",
            "Ideas that slip out wait for the purge",
        ),
        default_prompts=(
            "In one sentence, what are we being asked to do?",
            "What would a brilliant result look like a year from now?",
            "What has already been tried, and what happened?",
            "What is off the table, and why?",
            "Who has this problem, and when does it bite?",
            "What would you want to ask the person who owns this problem?",
        ),
        starters=("What I heard is…", "I'd like to know…"),
    ),
    Technique(
        id="warm_up",
        name="Warm-up",
        divergent=True,
        captures_ideas=False,
        say=(
            "Before we touch today's task, let's loosen up. I'll put up a card "
            "and you call out as many answers as you can — silly, impossible "
            "and obvious all count. Nobody judges anything today, and taking "
            "someone else's answer further is the best move there is."
        ),
        rules=(
            "Quantity over quality",
            "Every answer counts — no judging",
            "Wild is welcome",
            "Build on each other: “Yes, and…”",
        ),
        default_prompts=(
            "How many uses can you find for a paper clip?",
            "If your fridge could talk, what would it complain about?",
            "Everything that could make a Monday morning better",
            "Invent a new sport played with a teaspoon",
            "What would you sell in a shop on the Moon?",
            "Ten ways to wake someone up without an alarm",
        ),
        starters=("Yes, and…", "What if…"),
    ),
    Technique(
        id="brainstorm",
        name="Brainstorm",
        divergent=True,
        captures_ideas=True,
        say=(
            "Now we go for quantity on the task itself. Say every idea as it "
            "comes — half-formed, impractical or crazy is fine; we judge later, "
            "not now. When you hear an idea you like, build on it out loud."
        ),
        rules=(
            "Go for quantity",
            "Defer judgement — no “but”, no “we tried that”",
            "Wild ideas welcome",
            "Build on others' ideas",
            "One idea at a time, short and out loud",
        ),
        default_prompts=(
            "What would you do if money were no object?",
            "How would a ten-year-old solve this?",
            "What if it had to work in half the time?",
            "What is the opposite of how it's done today?",
            "How could this be fun?",
            "What would make you tell a friend about it?",
            "What could you take away instead of adding?",
        ),
        starters=("What if…", "We could…", "Building on that…"),
    ),
    Technique(
        id="brainwriting",
        name="Brainwriting",
        divergent=True,
        captures_ideas=True,
        say=(
            "This round is silent. Open the room page on your phone and write your "
            "ideas there, one at a time — nobody waits for a turn to speak. After "
            "each idea you send, you'll see one idea from someone else: take it "
            "further, twist it, or write something new. Quantity counts, and "
            "nobody judges anything."
        ),
        rules=(
            "Write, don't talk",
            "One idea per note, short",
            "Build on the idea you're shown",
            "Quantity over quality",
            "No judging — nobody rates anything",
        ),
        default_prompts=(
            "What would make this effortless?",
            "What would a child add to the idea in front of you?",
            "Make the idea you were shown twice as bold",
            "What if it had to work without electricity?",
            "Combine the idea you were shown with one of your own",
            "What would make someone tell a friend about it?",
        ),
        starters=("Building on that…", "What if…", "And also…"),
    ),
    Technique(
        id="purge",
        name="Purge",
        divergent=True,
        captures_ideas=True,
        say=(
            "Let's get the obvious ideas out of our heads first — the ones you "
            "walked in with, the ones you're sure everyone has thought of. Say "
            "them all now so they stop getting in the way. Every one is written "
            "down and kept on its own list; nothing is lost."
        ),
        rules=(
            "Obvious ideas are the point",
            "Say it, don't discuss it",
            "Every idea is recorded and kept apart",
            "Empty your head before we go further",
        ),
        default_prompts=(
            "What ideas did you bring with you today?",
            "What was the first fix that came to mind when you heard the task?",
            "What would a competitor do tomorrow?",
            "What have you seen elsewhere that would obviously work?",
            "What's the “of course” answer?",
            "What do you expect everyone else to say?",
        ),
        starters=("The obvious one is…", "Of course we could…"),
    ),
    Technique(
        id="problem_as_understood",
        name="Problem as understood",
        divergent=False,
        captures_ideas=True,
        say=(
            "Now put the task in your own words. Each of you in turn: what is "
            "it really about for you? There are no wrong versions — different "
            "takes are exactly what we want."
        ),
        rules=(
            "Everyone restates it, in turn",
            "Your words, not the brief's",
            "Start with “How to…”",
            "No debate about whose version is right",
        ),
        default_prompts=(
            "What is this task really about for you?",
            "Explain it to a friend in one sentence",
            "Which part of it matters most to you?",
            "What would be different in your day if it were solved?",
            "What is the real problem behind the problem?",
        ),
        starters=("How to…", "For me it's really about…", "The real problem is…"),
        entry="springboard",
        pick="springboard",
        pick_hint=(
            "The problem owner picks the restatement (“How to…”) to work on — "
            "pick it by its number."
        ),
    ),
    Technique(
        id="springboards",
        name="Springboards",
        divergent=True,
        captures_ideas=True,
        say=(
            "Tell me your wishes, not solutions. Start with “I wish…” or "
            "“How to…” and aim high — the more unreasonable the wish, the "
            "further it can take us. We'll pick a few of these to jump from."
        ),
        rules=(
            "Wishes, not solutions",
            "Start with “I wish…” or “How to…”",
            "Aim high — impossible is fine",
            "Don't evaluate anyone's wish",
            "Answer a wish with another wish",
        ),
        default_prompts=(
            "If you had a magic wand, what would you wish for?",
            "What do you wish would never happen again?",
            "What do you wish someone would invent for this?",
            "How to make it effortless?",
            "How to make it something you look forward to?",
            "I wish it knew what I wanted before I did…",
        ),
        starters=("I wish…", "How to…"),
        entry="springboard",
        pick="springboard",
        pick_hint=(
            "The problem owner picks the springboard to take on the excursion — "
            "pick it by its number."
        ),
    ),
    Technique(
        id="direct_analogy",
        name="Direct analogy",
        divergent=True,
        captures_ideas=True,
        say=(
            "Let's take a trip away from the task. Think of how nature, or a "
            "completely different industry, deals with something like this — "
            "a beehive, a hospital, a Formula 1 pit crew. Describe the example "
            "in detail; we'll bring it back to our task later."
        ),
        rules=(
            "Leave the task behind for now",
            "Look to nature and other industries",
            "Describe real examples in detail",
            "The further from our world, the better",
        ),
        default_prompts=(
            "Where in nature does something get exactly what it needs, just in time?",
            "What would a Formula 1 pit crew do here?",
            "How does a good hotel make a stranger feel at home?",
            "How do ants, bees or birds organise to get this done?",
            "What would a hospital, an airline or a theatre do?",
            "How does a library let everyone use things nobody owns?",
        ),
        starters=("In nature…", "It's like how…", "Another place this happens is…"),
        entry="excursion",
        pick="example",
        say_template=(
            "Let's take a trip away from the task. Our springboard: how to "
            "{springboard}. Where in nature, or in a completely different industry, "
            "does something like that happen? Describe the example in detail; we'll "
            "come back to our task later."
        ),
        card_template="How to {springboard}: where do nature or other industries do that?",
        pick_hint=(
            "The problem owner picks one example to be in the personal analogy — the "
            "most vivid, furthest from our world. Pick it by its number."
        ),
    ),
    Technique(
        id="personal_analogy",
        name="Personal analogy",
        divergent=True,
        captures_ideas=True,
        say=(
            "Now become the example we picked from the direct analogy. Be it. "
            "What is it like? How do you feel? Speak in the first person and "
            "let yourself feel it."
        ),
        rules=(
            "Be the thing: “I am… I feel…”",
            "Feelings, not descriptions",
            "Exaggerate — be dramatic",
            "Stay in role; silly is fine",
        ),
        default_prompts=(
            "You are the example at 7 in the morning. How do you feel?",
            "What do you wish people knew about you?",
            "What's the worst thing anyone does to you?",
            "What makes you proud?",
            "What are you afraid of?",
            "You are the one nobody picks. Tell us about your day.",
        ),
        starters=("I am…", "I feel…", "I wish they would…"),
        entry="excursion",
        pick="feeling",
        say_template=(
            "Be the {example}. What is it like? How do you feel? Speak in the first "
            "person — “I am… I feel…” — and stay in role."
        ),
        card_template="Be the {example}. What is it like? How do you feel?",
        pick_hint=(
            "The problem owner picks the feeling to compress into book titles — the "
            "strongest, strangest one. Pick it by its number."
        ),
    ),
    Technique(
        id="symbolic_analogy",
        name="Symbolic analogy",
        divergent=True,
        captures_ideas=True,
        say=(
            "Let's find book titles: two words that capture the heart of what "
            "we've heard but pull against each other — like “patient rush” or "
            "“gentle force”. Take something from the trip so far and squeeze "
            "it into a paradox. Don't explain it yet; just offer titles."
        ),
        rules=(
            "Two words only",
            "The words contradict each other",
            "Capture the essence, not the detail",
            "Offer titles — don't explain them",
        ),
        default_prompts=(
            "A two-word book title for how the product felt, like “patient rush”",
            "A book title for the best moment of your morning",
            "What's the paradox at the heart of this task?",
            "Name something that is both calm and urgent",
            "Pick a feeling from earlier and pair it with its opposite",
            "Pick one title — what product would it be?",
        ),
        starters=("My book title is…",),
        entry="excursion",
        pick="book title",
        say_template=(
            "Take the feeling “{feeling}” and compress it into book titles: two "
            "words that pull against each other, like “patient rush”. Don't explain "
            "them; just offer titles."
        ),
        card_template="“{feeling}” as a two-word paradox — a book title like “patient rush”",
        pick_hint=(
            "The problem owner picks one book title to take further. Pick it by its number."
        ),
    ),
    Technique(
        id="fantasy_analogy",
        name="Fantasy analogy",
        divergent=True,
        captures_ideas=True,
        say=(
            "Forget physics, money and time. In your wildest dreams, how would "
            "this work? Magic, telepathy, robots — anything goes, and the more "
            "impossible the better."
        ),
        rules=(
            "Anything is possible",
            "Ignore cost, physics and time",
            "The wilder the better",
            "No “but how?” yet",
            "Build the fantasy further together",
        ),
        default_prompts=(
            "If you had magic powers, how would you solve this?",
            "What if it could read your mind?",
            "What will this look like in a hundred years?",
            "If an animal could do it for you, which one, and how?",
            "What would the fairy-tale version be?",
            "What if it could be in two places at once?",
        ),
        starters=("In my wildest dreams…", "Imagine if…", "By magic…"),
        entry="excursion",
        pick="fantasy example",
        say_template=(
            "“{book_title}” — where do you find that in another world: fantasy, "
            "science fiction, sport, nature? Anything goes; the further from our "
            "task the better. Give examples."
        ),
        card_template="Where is there “{book_title}” — in fantasy, sport, nature, another world?",
        pick_hint=(
            "The problem owner picks one example to force-fit onto the springboard. "
            "Pick it by its number."
        ),
    ),
    Technique(
        id="force_fit",
        name="Force-fit",
        divergent=True,
        captures_ideas=True,
        say=(
            "Time to bring the trip home. Take the example we picked, put it "
            "beside our springboard, and force the two together until an idea "
            "for our task comes out — however unrelated they look. The odd "
            "combinations are where the new ideas are."
        ),
        rules=(
            "The picked example beside the springboard",
            "Force the connection — no “it doesn't fit”",
            "Turn each connection into an idea",
            "Keep the wildness; don't tame it yet",
        ),
        default_prompts=(
            "Pick an item from the excursion: how would it answer this springboard?",
            "What would our answer look like if it worked like that example?",
            "Which feature of the analogy could become a product feature?",
            "What does the book title tell us to do differently?",
            "If the fantasy were only half true, what could we build?",
            "Make the wildest idea 10% more possible",
        ),
        starters=("Putting that beside the springboard…", "So we could…"),
        say_template=(
            "Time to bring the trip home. “{fantasy_example}” — how could that help "
            "us {springboard}? Force the two together until an idea comes out, "
            "however unrelated they look."
        ),
        card_template="{fantasy_example} — how could that help us {springboard}?",
    ),
    Technique(
        id="itemized_response",
        name="Itemized response",
        divergent=False,
        captures_ideas=True,
        say=(
            "Let's look at one idea properly, and fairly. First the pluses — "
            "what's good about it. Then the potentials — what it could lead to. "
            "Only then the concerns, each phrased as “How to…” so it becomes "
            "something to solve, not a reason to stop."
        ),
        rules=(
            "Pluses first",
            "Then potentials: what it could lead to",
            "Concerns last, as “How to…”",
            "No “but” — a concern is a new problem to solve",
        ),
        default_prompts=(
            "What do you like about this idea?",
            "If it worked, what could it lead to?",
            "Who would love this most?",
            "What would make it even better?",
            "What worries you about it — as a “How to…”?",
            "Which concern matters most? Ideas for that one.",
        ),
        starters=("Plus:", "Potential:", "How to…"),
        entry="plus",
        pick="idea to develop",
        say_template=(
            "Let's look at one idea properly, and fairly: “{idea}”. First the "
            "pluses — what's good about it. Then the potentials — what it could "
            "lead to. Only then the concerns, each phrased as “How to…” so it "
            "becomes something to solve, not a reason to stop."
        ),
        card_template="“{idea}” — pluses, then potentials, then concerns as “How to…”",
        pick_hint=(
            "The problem owner picks the idea to develop, usually from the force-fit "
            "— pick it by its number. Type /p plus, /o potential, /c concern."
        ),
    ),
    Technique(
        id="hits",
        name="Hits",
        divergent=False,
        captures_ideas=False,
        say=(
            "Now look back over everything we've made today. On your phone, tap "
            "the ideas you find most intriguing — the ones you'd love to see "
            "happen, even if nobody knows how yet. You have a few hits each; tap "
            "again to take one back. There is nothing to vote down."
        ),
        rules=(
            "Tap the ideas that intrigue you most",
            "A few hits each — take one back to move it",
            "Positive only: nothing to vote down",
            "Intriguing beats safe",
        ),
        default_prompts=(
            "Which idea would you love to see happen?",
            "Which idea surprised you most?",
            "Which idea would you tell a friend about?",
            "Which wild idea deserves another look?",
            "Which idea would change your own mornings?",
        ),
        starters=(),
    ),
    Technique(
        id="break",
        name="Break",
        divergent=False,
        captures_ideas=False,
        say=(
            "Let's take a break. Stretch, get a drink, and if an idea pops up "
            "while you're away, hold on to it — we'll write it down when we're "
            "back."
        ),
        rules=(
            "Step away from the table",
            "Back on time",
            "Ideas that come up: tell us when we're back",
        ),
        default_prompts=(),
        starters=(),
    ),
    Technique(
        id="wrap_up",
        name="Wrap-up",
        divergent=False,
        captures_ideas=False,
        say=(
            "We're nearly done. Look back over everything we've made today and "
            "tell us which ideas you'd most like to see happen, and why. Thank "
            "you — every idea, the wild ones too, helped us get here."
        ),
        rules=(
            "Look back over the whole list",
            "Pick favourites and say why",
            "Judging is allowed now — be kind",
            "Thank everyone",
        ),
        default_prompts=(
            "Which idea would you use tomorrow?",
            "Which idea surprised you most?",
            "Which idea would you tell a friend about?",
            "What should the team not forget from today?",
            "One word for how today felt",
        ),
        starters=("My favourite is…", "I'd use…", "Don't forget…"),
    ),
)

#: The technique whose phase lets participants tap ideas (the room's hits).
HITS = "hits"
#: The technique whose room page shows someone else's idea after each one sent.
BRAINWRITING = "brainwriting"

#: Every technique by id, in catalogue order.
TECHNIQUES: dict[str, Technique] = {t.id: t for t in _CATALOGUE}


def technique(id: str) -> Technique:
    """Look a technique up by id; the error lists the valid ids to fix a typo."""
    try:
        return TECHNIQUES[id]
    except KeyError:
        raise KeyError(
            f"unknown technique {id!r}; expected one of: {', '.join(TECHNIQUES)}"
        ) from None
