"""Layering, checked in fresh interpreters: light front doors, a Textual-free domain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import ideation

HEAVY = ("torch", "sentence_transformers", "sklearn", "transformers")
PACKAGE = Path(ideation.__file__).parent
DOMAIN = [
    path
    for folder in ("live", "screening", "analysis", "export", "demo")
    for path in sorted((PACKAGE / folder).glob("*.py"))
] + [PACKAGE / name for name in ("store.py", "records.py", "schema.py", "paths.py")]


def loaded_after(module: str) -> set[str]:
    code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(output))


@pytest.mark.parametrize("front_door", ["ideation.cli", "ideation.tui.app", "ideation.tui.live"])
def test_front_doors_load_no_model_library(front_door: str) -> None:
    loaded = loaded_after(front_door)
    assert not [name for name in HEAVY if name in loaded]


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_domain_never_imports_textual(path: Path) -> None:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    loaded = loaded_after(module)
    assert not [name for name in loaded if name == "textual" or name.startswith("textual.")]


#: Opens a study and reads it the way the home screen does, then reports whether
#: sqlite-utils or numpy (0.3 s of start-up) were imported.
OPEN_STUDY = """
import json, sys
import ideation.store, ideation.tui.app
from ideation.store import Store
with Store(sys.argv[1]) as store:
    store.sessions(); store.screeners(); store.recent_activity(); store.count_respondents()
with Store(sys.argv[1], read_only=True) as store:
    store.sessions(); store.check()
print(json.dumps([name in sys.modules for name in ("sqlite_utils", "numpy")]))
"""


def opened_loads(db: Path) -> list[bool]:
    output = subprocess.run(
        [sys.executable, "-c", OPEN_STUDY, str(db)], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output)


def test_opening_an_up_to_date_study_imports_neither_sqlite_utils_nor_numpy(
    tmp_path: Path,
) -> None:
    from ideation.store import Store

    db = tmp_path / "study.db"
    Store(db).close()
    assert opened_loads(db) == [False, False]


def test_a_new_study_is_migrated_by_sqlite_utils(tmp_path: Path) -> None:
    """The same probe sees sqlite-utils when a migration is pending, so it can fail."""
    assert opened_loads(tmp_path / "new.db")[0] is True
