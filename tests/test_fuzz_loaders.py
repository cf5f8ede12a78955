"""Fuzzed plans, screeners, survey exports and YAML: success or one line, never a traceback.

Every loader and importer is fed random mutations of the shipped files and the
test exports (bench/fuzz_inputs.py) and random bytes. The only allowed
outcomes are a result or an `IdeationError` whose message is one line; any
other exception fails the test. An import that fails leaves the study as it was,
and no YAML tag ever runs code.
"""

from __future__ import annotations

import random
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ideation.errors import IdeationError
from ideation.live.plan import load_plan
from ideation.screening.pipeline import import_responses, register_screener
from ideation.screening.responses import read_responses
from ideation.screening.screener_yaml import load_screener
from ideation.store import Store
from ideation.yamlfile import load_source

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from fuzz_inputs import CODE_RAN_MARKER, kind_of, mutate  # noqa: E402

PLANS = sorted((ROOT / "sessions").glob("*.yaml"))
SCREENERS = sorted((ROOT / "screeners").glob("*.yaml"))
EXPORTS = sorted((ROOT / "tests" / "data").glob("*.csv"))
SCREENER = load_screener(ROOT / "screeners" / "home-coffee.yaml")

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def one_line_or_success(call: object) -> None:
    """Run the loader; an IdeationError must be one line, anything else propagates,
    and no warning may reach the terminal (ruamel prints its own with internal paths)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            call()  # type: ignore[operator]
        except IdeationError as error:
            message = str(error)
            assert message and "\n" not in message and "\r" not in message, repr(message)
    assert not [str(w.message) for w in caught]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(autouse=True)
def no_code_ran() -> Iterator[None]:
    CODE_RAN_MARKER.unlink(missing_ok=True)
    yield
    assert not CODE_RAN_MARKER.exists(), "a YAML tag ran code"


def fuzzed(seeds: list[Path]) -> st.SearchStrategy[bytes]:
    """A seed file after random mutations, or (sometimes) random bytes."""

    def build(seed: Path, rng: random.Random) -> bytes:
        return mutate(seed.read_bytes(), rng, kind_of(seed))

    return st.one_of(
        st.builds(build, st.sampled_from(seeds), st.randoms(use_true_random=False)),
        st.binary(max_size=600),
    )


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@FUZZ
@given(data=fuzzed(PLANS))
def test_plans(folder: Path, data: bytes) -> None:
    one_line_or_success(lambda: load_plan(write(folder, "plan.yaml", data)))


@FUZZ
@given(data=fuzzed(SCREENERS))
def test_screeners(folder: Path, data: bytes) -> None:
    one_line_or_success(lambda: load_screener(write(folder, "screener.yaml", data)))


@FUZZ
@given(data=fuzzed(PLANS + SCREENERS), encoding=st.sampled_from(["utf-8", "cp1252", "bom"]))
def test_yaml_text(data: bytes, encoding: str) -> None:
    text = data.decode("utf-8", errors="replace")
    if encoding == "cp1252":
        raw = text.encode("cp1252", errors="replace")
    elif encoding == "bom":
        raw = b"\xef\xbb\xbf" + text.encode("utf-8")
    else:
        raw = text.encode("utf-8")
    one_line_or_success(lambda: load_source(raw, "fuzz.yaml"))


@FUZZ
@given(data=fuzzed(EXPORTS))
def test_survey_exports_read(folder: Path, data: bytes) -> None:
    one_line_or_success(
        lambda: read_responses(write(folder, "export.csv", data), SCREENER.questions)
    )


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store(tmp_path_factory.mktemp("study") / "study.db") as store:
        yield store


@settings(FUZZ, max_examples=100)
@given(data=fuzzed(EXPORTS))
def test_survey_exports_import_all_or_nothing(folder: Path, study: Store, data: bytes) -> None:
    screener = register_screener(study, SCREENER)
    before = len(study.respondents(screener.id))
    path = write(folder, "import.csv", data)
    try:
        import_responses(study, SCREENER, path)
    except IdeationError as error:
        assert "\n" not in str(error)
        assert len(study.respondents(screener.id)) == before  # nothing half-imported
