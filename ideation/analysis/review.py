"""Provides a researcher's edits to themes, each saved as a new revision.

Move an idea, merge two themes, split one, rename one, choose its
representative idea: every edit reads the revision on screen and writes a
child revision, so the automatic result and every earlier state stay.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ideation.analysis.embed import Embedder, embed_cached
from ideation.analysis.themes import ThemeSet, theme_set
from ideation.errors import ThemeError
from ideation.records import Membership
from ideation.store import Store


@dataclass(frozen=True)
class _Draft:
    """A mutable-by-copy picture of a revision: themes and memberships."""

    themes: dict[int, tuple[str, int | None]]  # number -> (label, representative idea id)
    members: dict[int, Membership]  # idea id -> membership


def _draft(current: ThemeSet) -> _Draft:
    themes = {
        t.number: (t.label, t.representative.id if t.representative else None)
        for t in current.themes
    }
    members = {}
    for theme in current.themes:
        for idea in theme.ideas:
            members[idea.id] = Membership(
                idea.id, theme.number, theme.duplicate_groups.get(idea.id), idea.id in theme.wild
            )
    return _Draft(themes, members)


def _save(store: Store, current: ThemeSet, draft: _Draft, note: str) -> ThemeSet:
    used = {m.theme_number for m in draft.members.values()}
    record = store.save_clustering(
        current.record.scope,
        [(n, label, rep) for n, (label, rep) in sorted(draft.themes.items()) if n in used],
        list(draft.members.values()),
        automatic=False,
        parent_id=current.record.id,
        model=current.record.model,
        params=current.record.params,
        note=note,
    )
    return theme_set(store, record.id)


def _theme(current: ThemeSet, number: int):  # noqa: ANN202 - a ThemeView
    found = next((t for t in current.themes if t.number == number), None)
    if found is None:
        raise ThemeError(f"there is no theme {number}")
    return found


def move_idea(store: Store, current: ThemeSet, idea_id: int, to_number: int) -> ThemeSet:
    draft = _draft(current)
    target = _theme(current, to_number)
    if idea_id not in draft.members:
        raise ThemeError(f"idea {idea_id} is not in this revision")
    draft.members[idea_id] = replace(draft.members[idea_id], theme_number=target.number)
    return _save(store, current, draft, f"moved idea {idea_id} to “{target.label}”")


def merge_themes(store: Store, current: ThemeSet, keep: int, absorb: int) -> ThemeSet:
    kept, gone = _theme(current, keep), _theme(current, absorb)
    if keep == absorb:
        raise ThemeError("choose two different themes to merge")
    draft = _draft(current)
    for idea_id, member in draft.members.items():
        if member.theme_number == absorb:
            draft.members[idea_id] = replace(member, theme_number=keep)
    del draft.themes[absorb]
    return _save(store, current, draft, f"merged “{gone.label}” into “{kept.label}”")


def rename_theme(store: Store, current: ThemeSet, number: int, label: str) -> ThemeSet:
    label = " ".join(label.split())
    if not label:
        raise ThemeError("a theme needs a label")
    theme = _theme(current, number)
    draft = _draft(current)
    draft.themes[number] = (label, draft.themes[number][1])
    return _save(store, current, draft, f"renamed “{theme.label}” to “{label}”")


def choose_representative(store: Store, current: ThemeSet, idea_id: int) -> ThemeSet:
    theme = current.theme_of(idea_id)
    if theme is None:
        raise ThemeError(f"idea {idea_id} is not in this revision")
    draft = _draft(current)
    draft.themes[theme.number] = (draft.themes[theme.number][0], idea_id)
    return _save(store, current, draft, f"new representative for “{theme.label}”")


def split_theme(store: Store, current: ThemeSet, number: int, embedder: Embedder) -> ThemeSet:
    """Split a theme in two by meaning; the larger part keeps the number and label."""
    from ideation.analysis.cluster import cluster_ideas

    theme = _theme(current, number)
    if len(theme.ideas) < 2:
        raise ThemeError(f"theme “{theme.label}” has one idea; nothing to split")
    texts = [idea.text for idea in theme.ideas]
    vectors = embed_cached(store, embedder, texts)
    result = cluster_ideas(vectors, texts, themes=2, stop_words=store.label_stop_words())
    draft = _draft(current)
    new_number = max(draft.themes) + 1
    parts = sorted(result.themes, key=lambda t: -len(t.members))
    kept, split_off = parts[0], parts[-1]
    for index in split_off.members:
        idea_id = theme.ideas[index].id
        draft.members[idea_id] = replace(draft.members[idea_id], theme_number=new_number)
    keep_rep = draft.themes[number][1]
    if keep_rep not in {theme.ideas[i].id for i in kept.members}:
        keep_rep = theme.ideas[kept.representative].id
    draft.themes[number] = (draft.themes[number][0], keep_rep)
    draft.themes[new_number] = (split_off.label, theme.ideas[split_off.representative].id)
    return _save(store, current, draft, f"split “{split_off.label}” out of “{theme.label}”")
