"""The wheel carries every module, its data files and the example screeners and plans.

A user who installs a built wheel (not the checkout) must still be able to run
`ideation demo`, which reads the shipped examples.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def declared_packages() -> list[str]:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["tool"]["setuptools"]["packages"]


def test_every_package_in_the_source_tree_is_declared() -> None:
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "ideation").rglob("__init__.py")
    }
    assert found <= set(declared_packages())


def test_the_wheel_holds_the_modules_data_and_examples(tmp_path: Path) -> None:
    pytest.importorskip("setuptools")
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.db*")
    for folder in ("ideation", "screeners", "sessions"):
        shutil.copytree(ROOT / folder, source / folder, ignore=ignore)
    build = "import sys, setuptools.build_meta as b; print(b.build_wheel(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", build, str(tmp_path)],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    wheel = tmp_path / done.stdout.strip().splitlines()[-1]
    names = set(zipfile.ZipFile(wheel).namelist())

    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "ideation").rglob("*.py")}
    assert modules <= names
    for data in ("ideation/tui/app.tcss", "ideation/screening/originality_model.npz"):
        assert data in names
    for example in ("screeners/home-coffee.yaml", "sessions/half-day.yaml"):
        assert f"ideation/examples/{example}" in names

    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "from ideation.paths import shipped_file;"
            "print(shipped_file('sessions', 'half-day.yaml'))",
        ],
        cwd=tmp_path,  # no sessions/ here, and the package is not the checkout
        env={"PYTHONPATH": str(unpacked), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert found.returncode == 0, found.stderr[-2000:]
    assert Path(found.stdout.strip()) == unpacked / "ideation/examples/sessions/half-day.yaml"
