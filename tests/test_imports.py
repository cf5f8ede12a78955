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
