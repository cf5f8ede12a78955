"""Provides themes for a study: embed a scope's ideas, cluster them, keep revisions.

A scope is one session, several pooled, or the whole study. The automatic
result is stored as a revision of its own; every edit a researcher makes
(move, merge, split, rename) is a new revision whose parent is the one it
changed, so nothing the machine or a person decided is ever overwritten.

Only ideas and springboards are clustered (`THEMED_ENTRIES`). Excursion
material (analogies, feelings, book titles) is deliberately far from the
problem: clustered with the ideas it would make themes of its own ("animals",
"feelings") that say nothing about the task. Pluses, potentials and concerns
each develop one idea in itemized response: clustered, they would pull that
one idea's evaluation into the themes and count it as many new ideas, so they
stay with the idea they develop (the export shows them there).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ideation.analysis.embed import Embedder, cached_only, embed_cached
from ideation.errors import ThemeError
from ideation.live.flow import live_ideas
from ideation.records import THEMED_ENTRIES, ClusteringRecord, Idea, Membership, ThemeRecord
from ideation.store import Store

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ThemeView:
    """One theme of a revision with its ideas, ready to show or export."""

    number: int
    label: str
    representative: Idea | None
    ideas: tuple[Idea, ...]
    wild: frozenset[int]  # idea ids
    duplicate_groups: dict[int, int]  # idea id -> group


@dataclass(frozen=True)
class ThemeSet:
    """A clustering revision resolved against the ideas it covers."""

    record: ClusteringRecord
    themes: tuple[ThemeView, ...]

    def theme_of(self, idea_id: int) -> ThemeView | None:
        return next((t for t in self.themes if any(i.id == idea_id for i in t.ideas)), None)


def scope_entries(store: Store, session_ids: Sequence[int]) -> list[Idea]:
    """Every entry as it stands (withdrawals and corrections applied), of any kind,
    in every session of the scope, by session then capture number."""
    entries: list[Idea] = []
    for session_id in sorted(set(session_ids)):
        entries.extend(live_ideas(store.idea_rows(session_id)))
    return entries


def scope_ideas(store: Store, session_ids: Sequence[int]) -> list[Idea]:
    """The scope's ideas and springboards as they stand: what themes are built from."""
    return [e for e in scope_entries(store, session_ids) if e.entry in THEMED_ENTRIES]


def cluster_scope(
    store: Store,
    session_ids: Sequence[int],
    embedder: Embedder,
    *,
    themes: int | None = None,
    progress: Progress | None = None,
) -> ClusteringRecord:
    """Embed (through the cache) and cluster a scope; store the automatic revision."""
    from ideation.analysis.cluster import cluster_ideas
    from ideation.analysis.coverage import embed_areas  # imports this module

    ideas = scope_ideas(store, session_ids)
    if not ideas:
        sessions = "session" if len(session_ids) == 1 else "sessions"
        raise ThemeError(f"no ideas to cluster in {sessions} " + ", ".join(map(str, session_ids)))
    texts = [idea.text for idea in ideas]

    def embedding(done: int, total: int) -> None:
        if progress:
            progress("embedding", done, total)

    vectors = embed_cached(store, embedder, texts, embedding)
    embed_areas(store, embedder, session_ids)  # so reports show coverage without a model
    if progress:
        progress("clustering", 0, 1)
    result = cluster_ideas(vectors, texts, themes=themes, stop_words=store.label_stop_words())
    if progress:
        progress("clustering", 1, 1)
    return store.save_clustering(
        session_ids,
        [(t.number, t.label, ideas[t.representative].id) for t in result.themes],
        [
            Membership(idea.id, result.assignment[n], result.duplicate_group[n], result.wild[n])
            for n, idea in enumerate(ideas)
        ],
        automatic=True,
        model=embedder.model_id,
        params={**result.params, "themes_requested": themes},
    )


def theme_set(store: Store, clustering_id: int) -> ThemeSet:
    """A stored revision joined with its ideas, themes in number order."""
    record = store.clustering(clustering_id)
    ideas = {idea.id: idea for idea in scope_ideas(store, record.scope)}
    members = store.memberships(clustering_id)
    views = []
    for theme in store.themes(clustering_id):
        mine = [m for m in members if m.theme_number == theme.number and m.idea_id in ideas]
        views.append(_view(theme, mine, ideas))
    return ThemeSet(record, tuple(views))


def _view(theme: ThemeRecord, members: list[Membership], ideas: dict[int, Idea]) -> ThemeView:
    return ThemeView(
        number=theme.number,
        label=theme.label,
        representative=ideas.get(theme.representative_idea_id or -1),
        ideas=tuple(ideas[m.idea_id] for m in members),
        wild=frozenset(m.idea_id for m in members if m.wild),
        duplicate_groups={
            m.idea_id: m.duplicate_group for m in members if m.duplicate_group is not None
        },
    )


def left_out(themes: ThemeSet, entries: Sequence[Idea]) -> list[Idea]:
    """The ideas and springboards among `entries` that the revision places in no theme:
    captured or imported after it was made, so only clustering again takes them in."""
    placed = {idea.id for theme in themes.themes for idea in theme.ideas}
    return [e for e in entries if e.entry in THEMED_ENTRIES and e.id not in placed]


def edits_at_stake(store: Store, session_ids: Sequence[int]) -> ClusteringRecord | None:
    """The scope's newest revision when a researcher made it (a rename, move, merge or
    split): clustering again starts from a new automatic revision that exports and the
    review screen then follow, so the researcher is told before, and where it stays."""
    revisions = store.clusterings(session_ids)
    return revisions[-1] if revisions and not revisions[-1].automatic else None


def latest_theme_set(store: Store, session_ids: Sequence[int]) -> ThemeSet | None:
    """The newest revision for exactly this scope, if any."""
    revisions = store.clusterings(session_ids)
    return theme_set(store, revisions[-1].id) if revisions else None


def covering_theme_set(store: Store, session_ids: Sequence[int]) -> ThemeSet | None:
    """The newest revision of exactly this scope; failing that, the newest one that
    covers it (a pooled clustering), narrowed to the scope's ideas.

    Why: a researcher who clustered the whole study and exports one session
    expects that session's ideas with the study's themes, not without themes.
    """
    exact = latest_theme_set(store, session_ids)
    if exact is not None:
        return exact
    wanted = set(session_ids)
    wider = [r for r in store.clusterings() if wanted <= set(r.scope)]
    if not wider:
        return None
    return narrow_theme_set(store, theme_set(store, wider[-1].id), session_ids)


def narrow_theme_set(store: Store, themes: ThemeSet, session_ids: Sequence[int]) -> ThemeSet:
    """`themes` with only the ideas of `session_ids`, still making sense on its own.

    A theme left empty is dropped (numbers keep their gaps, so they match the
    pooled study); a near-duplicate group left with one idea is no group; a
    representative from another session gives way to the kept idea nearest
    the kept ideas' centre (cached vectors; the first kept idea without them).
    """
    keep = {idea.id for idea in scope_ideas(store, session_ids)}
    views = []
    for view in themes.themes:
        ideas = tuple(idea for idea in view.ideas if idea.id in keep)
        if not ideas:
            continue
        groups = {i: g for i, g in view.duplicate_groups.items() if i in keep}
        sizes = Counter(groups.values())
        representative = view.representative
        if representative is None or representative.id not in keep:
            representative = _central(store, themes.record.model, ideas)
        views.append(
            replace(
                view,
                representative=representative,
                ideas=ideas,
                wild=frozenset(view.wild & keep),
                duplicate_groups={i: g for i, g in groups.items() if sizes[g] > 1},
            )
        )
    return ThemeSet(themes.record, tuple(views))


def _central(store: Store, model_id: str, ideas: Sequence[Idea]) -> Idea:
    """The idea nearest the centre of `ideas`, by cached vectors; the first without them."""
    vectors = cached_only(store, model_id, [idea.text for idea in ideas])
    if vectors is None:
        return ideas[0]
    return ideas[int((vectors @ vectors.mean(axis=0)).argmax())]
