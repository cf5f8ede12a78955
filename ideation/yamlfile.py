"""Provides reading of hand-written YAML files with one-line, line-numbered errors.

Session plans and screeners are both written by hand, often on laptops that
save in Windows-1252 or with a BOM, and both are read when someone is
waiting. So they share one way of failing: a `YamlFileError` subclass whose
`str()` is "path:line: field: what was expected" — never a traceback. This
module holds everything that does not depend on what the file means:
decoding, loading with ruamel.yaml's round-trip loader (which keeps the line
of every key and value), line lookups, describing a wrong value in plain
words, close-match suggestions, and `YamlReader`, the base of the walkers
that turn a loaded file into frozen dataclasses.
"""

from __future__ import annotations

import codecs
import difflib
import math
import re
import warnings
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, NoReturn

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError, YAMLWarning
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    NodeEvent,
)
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarbool import ScalarBoolean

from ideation.errors import IdeationError
from ideation.text import one_line

# Pseudo-fields for problems that are not about one key.
FILE = "(file)"
YAML_FIELD = "(yaml)"
TOP = "(top level)"


class YamlFileError(IdeationError, ValueError):
    """A file that cannot be used; `str()` is one line: path:line: field: what.

    Still a ValueError, so callers written before `IdeationError` keep working.
    """

    def __init__(self, path: str, line: int, field: str, what: str) -> None:
        # Kept as args so the error pickles and compares like any exception.
        super().__init__(path, line, field, " ".join(str(what).split()))
        self.path = path
        self.line = line
        self.field = field
        self.what = one_line(self.args[3])

    def __str__(self) -> str:
        # A key may hold a newline or an escape; the message stays one printable line.
        return f"{one_line(str(self.path))}:{self.line}: {one_line(str(self.field))}: {self.what}"


ErrorType = type[YamlFileError]


# --------------------------------------------------------------------------
# Reading, decoding and loading


def read_source(path: str | Path, error: ErrorType = YamlFileError) -> str:
    """The decoded text of a file; an unreadable file is an `error` on line 1."""
    shown = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise error(shown, 1, FILE, f"cannot read the file: {reason}") from None
    return decode(data, shown, error)


def load_source(text: str | bytes, path: str, error: ErrorType = YamlFileError) -> tuple[str, Any]:
    """The text without a BOM and its round-trip YAML tree, so lines are known."""
    if isinstance(text, bytes | bytearray):
        text = decode(bytes(text), path, error)
    text = text.removeprefix("\ufeff")
    return text, load_yaml(text, path, error)


class Undecodable(Exception):
    """Bytes that are not text in any encoding `decode_text` reads; the caller names the file.

    `cut_off` says the text was whole until its last character, so the file was cut.
    """

    def __init__(self, line: int, what: str, *, cut_off: bool = False) -> None:
        super().__init__(line, what)
        self.line, self.what, self.cut_off = line, what, cut_off


def decode_text(data: bytes, *, binary_ok: bool = True) -> tuple[str, str]:
    """Text (without a BOM) and encoding of a file saved by some other program.

    The one decoder of the product, for YAML and CSV alike: UTF-8 with or without
    a BOM, UTF-16 with a BOM, else Windows-1252 (what Excel on Windows saves).
    Valid UTF-8 cut in its last character is a cut-off file, not Windows-1252.
    A NUL byte outside UTF-16 is binary data when not `binary_ok` (a CSV never
    holds one; a YAML loader names it itself).
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            line = data.count(b"\n\x00", 0, exc.start) + 1
            raise Undecodable(line, "expected UTF-16 text after its BOM") from None
    if not binary_ok and b"\x00" in data:
        line = _byte_line(data, data.index(b"\x00"))
        raise Undecodable(line, "expected text, got binary data (UTF-16 needs its BOM)")
    try:
        text = data.decode("utf-8-sig")
        return text, "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    except UnicodeDecodeError as exc:
        if exc.end == len(data) and exc.reason == "unexpected end of data":
            what = "expected a whole character at the end, got half of one"
            raise Undecodable(_byte_line(data, len(data)), what, cut_off=True) from None
        _refuse_mixed(data, exc.start)
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise Undecodable(
            _byte_line(data, exc.start),
            f"byte 0x{data[exc.start]:02x} is neither UTF-8 nor Windows-1252; "
            "save the file as UTF-8",
        ) from None


#: A character UTF-8 writes in two to four bytes: Windows-1252 text almost never holds
#: one (it would take "Ã©" or "Â£" typed on purpose), so one beside a byte that is not
#: UTF-8 means a file of mixed encodings, which no one reading would decode right.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _refuse_mixed(data: bytes, bad: int) -> None:
    """Refuse text that is UTF-8 except for a stray byte (a row pasted in from a Windows
    file): read as Windows-1252, every accented letter in it would turn to "Ã©"."""
    for found in _UTF8_MULTIBYTE.finditer(data):
        try:
            found.group().decode("utf-8")
        except UnicodeDecodeError:
            continue  # the shape of UTF-8, not a character (a surrogate, say)
        raise Undecodable(
            _byte_line(data, bad),
            f"byte 0x{data[bad]:02x} is not UTF-8, yet line"
            f" {_byte_line(data, found.start())} is: the file mixes encodings; save it"
            " again as UTF-8",
        )


def decode(
    data: bytes, path: str, error: ErrorType = YamlFileError, *, binary_ok: bool = True
) -> str:
    """`decode_text`'s text, or an `error` naming the file and line (field "(file)")."""
    try:
        return decode_text(data, binary_ok=binary_ok)[0]
    except Undecodable as exc:
        what = f"{exc.what}: the file looks cut off" if exc.cut_off else exc.what
        raise error(path, exc.line, FILE, what) from None


def _byte_line(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def load_yaml(text: str, path: str, error: ErrorType = YamlFileError) -> Any:
    """Parse with the round-trip loader, turning every failure into an `error`.

    ruamel reports a reused anchor only as a warning (printed with its own
    internal paths) and crashes on an anchor merged into itself, so anchors are
    checked first, on the event stream, and any warning left becomes an error.
    """
    yaml = YAML(typ="rt", pure=True)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _check_anchors(yaml, text, path, error)
            loaded = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise error(path, line, YAML_FIELD, _yaml_problem(exc)) from None
    except ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise error(
            path,
            line,
            YAML_FIELD,
            f"character #x{exc.character:04x} is not allowed: {exc.reason}",
        ) from None
    except RecursionError:
        raise error(path, 1, YAML_FIELD, "the YAML is nested too deeply") from None
    except YamlFileError:
        raise
    except (YAMLError, ValueError, TypeError) as exc:  # the parser's word on this input
        what = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise error(path, 1, YAML_FIELD, f"cannot parse the YAML: {what}") from None
    for warning in caught:
        if issubclass(warning.category, YAMLWarning):
            what = (str(warning.message).strip().splitlines() or ["a YAML warning"])[0]
            raise error(path, 1, YAML_FIELD, f"cannot use the YAML: {what}")
    return loaded


def _check_anchors(yaml: YAML, text: str, path: str, error: ErrorType) -> None:
    """Refuse an anchor defined twice, or used (merged, aliased) inside its own value."""
    defined: dict[str, int] = {}
    open_anchors: list[str | None] = []
    for event in yaml.parse(text):
        line = event.start_mark.line + 1 if event.start_mark is not None else 1
        if isinstance(event, DocumentStartEvent):
            defined.clear()  # anchors belong to one document
        if isinstance(event, AliasEvent):
            if event.anchor in open_anchors:
                raise error(
                    path,
                    line,
                    YAML_FIELD,
                    f"alias *{event.anchor} is used inside the value of its own anchor "
                    f"&{event.anchor}; an anchor can only be used after its value ends",
                )
            continue
        if isinstance(event, NodeEvent) and event.anchor is not None:
            if event.anchor in defined:
                raise error(
                    path,
                    line,
                    YAML_FIELD,
                    f"anchor &{event.anchor} is defined again (first on line "
                    f"{defined[event.anchor]}); give each anchor its own name",
                )
            defined[event.anchor] = line
        if isinstance(event, CollectionStartEvent):
            open_anchors.append(event.anchor)
        elif isinstance(event, CollectionEndEvent) and open_anchors:
            open_anchors.pop()


def _yaml_problem(exc: MarkedYAMLError) -> str:
    """ruamel's problem text, made one line, with a hint for the usual mistakes."""
    problem = exc.problem or (str(exc).splitlines() or ["invalid YAML"])[0]
    if isinstance(exc, DuplicateKeyError):
        problem += "; each key may appear only once in a mapping"
    elif exc.context:
        if (
            exc.context_mark is not None
            and exc.problem_mark is not None
            and (exc.context_mark.line != exc.problem_mark.line)
        ):
            problem += f" ({exc.context}, started at line {exc.context_mark.line + 1})"
        else:
            problem += f" ({exc.context})"
    if "'\\t'" in problem:
        problem += "; indent with spaces, not tabs"
    elif "mapping values are not allowed" in problem:
        problem += "; put text that contains ': ' in quotes"
    return problem


def first_content_line(text: str) -> int:
    """Line of the first thing that is not blank, a comment or a directive."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "%")) and stripped != "---":
            return number
    return 1


# --------------------------------------------------------------------------
# Lines, descriptions and suggestions


def line_of(node: Any, fallback: int = 1) -> int:
    """1-based line where a mapping or list starts."""
    try:
        return int(node.lc.line) + 1
    except (AttributeError, TypeError):
        return fallback


def key_lines(mapping: CommentedMap, key: Any, fallback: int) -> tuple[int, int]:
    """1-based lines of a key and of its value.

    Keys brought in by a merge (`<<: *base`) have no position of their own, so
    they fall back to the mapping's line. ruamel places an empty value at the
    next token, so an empty value is reported on its key's line.
    """
    try:
        key_line = int(mapping.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError, IndexError):
        return fallback, fallback
    value_line = key_line
    if mapping.get(key) is not None:
        try:
            value_line = int(mapping.lc.value(key)[0]) + 1
        except (AttributeError, KeyError, TypeError, IndexError):
            pass
    return key_line, value_line


def item_line(seq: CommentedSeq, index: int, fallback: int) -> int:
    """1-based line of a list item; merged or odd items fall back to the list's."""
    try:
        return int(seq.lc.item(index)[0]) + 1
    except (AttributeError, KeyError, TypeError, IndexError):
        return fallback


def is_bool(value: Any) -> bool:
    """True for YAML booleans, which ruamel may hand back as its own class."""
    return isinstance(value, bool | ScalarBoolean)


def is_number(text: str) -> bool:
    """Whether quoted text would have been a number without the quotes."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def describe(value: Any) -> str:
    """Say what was found, in the words a file's author would use."""
    if value is None:
        return "nothing (an empty value)"
    if is_bool(value):
        return f"a true/false value ({'true' if value else 'false'})"
    if isinstance(value, TaggedScalar):
        return f"a value tagged {value.tag.value if value.tag else '?'}"
    if isinstance(value, str):
        if not value.strip():
            return "an empty string"
        text = value.strip().replace("\n", " ")
        if len(text) > 40:
            text = text[:39] + "…"
        return f"a string '{text}'"
    if isinstance(value, int):
        return f"a number ({int(value)})"
    if isinstance(value, float):
        return f"a number ({float(value):g})"
    if isinstance(value, date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def text_hint(value: Any) -> str:
    """Why a would-be string did not come out as one, when the cause is usual."""
    if isinstance(value, dict) and len(value) == 1:
        return "; put text that contains ': ' in quotes"
    if isinstance(value, int | float | date) or is_bool(value):
        return "; put it in quotes to use it as text"
    return ""


def suggest(word: Any, choices: Iterable[str], *, ids: bool = True) -> str:
    """A "did you mean 'x'? " clause for the closest choice, or nothing.

    With `ids` the word is compared as an identifier (lower case, "-" and
    spaces as "_"), which is how keys and ids are mistyped; without, it is
    compared case-insensitively as free text, for answers and options.
    """
    if not isinstance(word, str):
        return ""
    choices = tuple(choices)
    if ids:
        normal = word.strip().lower().replace("-", "_").replace(" ", "_")
        if normal in choices and normal != word:
            return f"did you mean '{normal}'? "
        close = difflib.get_close_matches(normal, choices, n=1, cutoff=0.6)
        return f"did you mean '{close[0]}'? " if close else ""
    signs = _spelled_out(word)
    spelled = [c for c in choices if _spelled_out(c) == signs]
    if len(spelled) == 1 and spelled[0] != word:
        return f"did you mean '{spelled[0]}'? "
    folded = {choice.casefold(): choice for choice in choices}
    close = difflib.get_close_matches(word.strip().casefold(), folded, n=1, cutoff=0.6)
    return f"did you mean '{folded[close[0]]}'? " if close else ""


#: Words an answer spells out where an option has a sign ("55 plus" for "55+").
_SIGNS = {"plus": "+", "and": "&", "to": "-", "percent": "%", "pct": "%"}


def _spelled_out(text: str) -> str:
    """`text` with signs for their words, dashes as "-" and spacing dropped: "55 plus",
    "55 +" and "55+" agree, as do "18 to 34" and "18–34", which difflib's ratio
    (0.4 for "55 plus" against "55+") is too short-sighted to pair."""
    words = re.split(r"\s+", text.strip().casefold().replace("–", "-").replace("—", "-"))
    return "".join(_SIGNS.get(word, word) for word in words)


def join(parent: str, key: Any) -> str:
    """The dotted field name of `key` under `parent`, as errors show it."""
    return f"{parent}.{key}" if parent else str(key)


# --------------------------------------------------------------------------
# The walker


class YamlReader:
    """Base of the walkers that build a file's dataclasses, failing at the first problem.

    Subclasses set `error` to their own `YamlFileError` subclass and add the
    parts that know what the file means; the generic shapes are here.
    """

    error: ClassVar[ErrorType] = YamlFileError

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, line: int, field: str, what: str) -> NoReturn:
        raise self.error(self.path, line, field, what)

    def root_mapping(self, root: Any, text: str, noun: str, expected: str) -> CommentedMap:
        """The top-level mapping; an empty file or another shape is the first error."""
        if root is None:
            self.fail(1, FILE, f"the {noun} is empty; expected {expected}")
        if not isinstance(root, dict):
            line = line_of(root, first_content_line(text))
            self.fail(line, TOP, f"expected {expected}, got {describe(root)}")
        return root

    def known_keys(self, node: CommentedMap, parent: str, keys: tuple[str, ...], line: int) -> None:
        """Unknown keys first, so a typo is named instead of "missing"."""
        for key in node:
            if key in keys:
                continue
            key_line, _ = key_lines(node, key, line)
            self.fail(
                key_line,
                join(parent, key),
                f"unknown key; {suggest(key, keys)}expected one of: {', '.join(keys)}",
            )

    def mapping(
        self,
        parent: CommentedMap,
        key: str,
        parent_field: str,
        parent_line: int,
        expected: str,
    ) -> tuple[CommentedMap, int]:
        """A required mapping under `key`, with the line of its key."""
        field = join(parent_field, key)
        if key not in parent:
            self.fail(parent_line, field, f"required key missing; expected {expected}")
        key_line, value_line = key_lines(parent, key, parent_line)
        node = parent[key]
        if not isinstance(node, dict):
            self.fail(value_line, field, f"expected {expected}, got {describe(node)}")
        return node, key_line

    def item_mapping(self, node: Any, field: str, line: int, expected: str) -> CommentedMap:
        if not isinstance(node, dict):
            self.fail(line, field, f"expected {expected}, got {describe(node)}{text_hint(node)}")
        return node

    def items(
        self,
        parent: CommentedMap,
        key: str,
        parent_field: str,
        parent_line: int,
        expected: str,
        required: bool,
    ) -> list[tuple[str, Any, int]]:
        """(field, node, line) for each item of a list under `key`."""
        field = join(parent_field, key)
        if key not in parent or (parent[key] is None and not required):
            if required:
                self.fail(parent_line, field, f"required key missing; expected {expected}")
            return []
        _, value_line = key_lines(parent, key, parent_line)
        seq = parent[key]
        if not isinstance(seq, list):
            self.fail(value_line, field, f"expected {expected}, got {describe(seq)}")
        if required and not seq:
            self.fail(value_line, field, f"expected {expected}, got an empty list")
        return [
            (f"{field}[{i}]", item, item_line(seq, i, value_line)) for i, item in enumerate(seq)
        ]

    def text(
        self, node: CommentedMap, key: str, parent: str, line: int, required: bool = False
    ) -> str:
        """A string value, stripped; optional ones default to ""."""
        field = join(parent, key)
        if key not in node:
            if required:
                self.fail(line, field, "required key missing; expected a non-empty string")
            return ""
        _, value_line = key_lines(node, key, line)
        value = node[key]
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            self.fail(
                value_line,
                field,
                f"expected a string, got {describe(value)}{text_hint(value)}",
            )
        if required and not value.strip():
            self.fail(value_line, field, f"expected a non-empty string, got {describe(value)}")
        return str(value).strip()

    def texts(self, node: CommentedMap, key: str, parent: str, line: int) -> tuple[str, ...] | None:
        """An optional list of non-empty strings; None when absent or empty-valued."""
        field = join(parent, key)
        if key not in node or node[key] is None:
            return None
        _, value_line = key_lines(node, key, line)
        seq = node[key]
        if not isinstance(seq, list):
            self.fail(value_line, field, f"expected a list of strings, got {describe(seq)}")
        out: list[str] = []
        for i, item in enumerate(seq):
            if not isinstance(item, str) or not item.strip():
                self.fail(
                    item_line(seq, i, value_line),
                    f"{field}[{i}]",
                    f"expected a non-empty string, got {describe(item)}{text_hint(item)}",
                )
            out.append(str(item).strip())
        return tuple(out)

    def choice(
        self,
        node: CommentedMap,
        key: str,
        parent: str,
        line: int,
        choices: tuple[str, ...],
        noun: str,
        expected: str = "",
    ) -> str:
        """A required value that must be one of `choices`, with a suggestion if not.

        `noun` names the value in "unknown <noun> 'x'"; `expected` (default
        "a <noun>") is what a value that is not even text should have been.
        """
        field = join(parent, key)
        listing = f"expected one of: {', '.join(choices)}"
        if key not in node:
            self.fail(line, field, f"required key missing; {listing}")
        _, value_line = key_lines(node, key, line)
        value = node[key]
        if not isinstance(value, str) or not value.strip():
            self.fail(
                value_line,
                field,
                f"expected {expected or 'a ' + noun}, got {describe(value)}; {listing}",
            )
        if value not in choices:
            self.fail(
                value_line, field, f"unknown {noun} '{value}'; {suggest(value, choices)}{listing}"
            )
        return str(value)

    def number(
        self,
        node: CommentedMap,
        key: str,
        parent: str,
        line: int,
        expected: str,
        *,
        required: bool = False,
        check: Callable[[float], bool] | None = None,
        whole: bool = False,
    ) -> float | None:
        """A number under `key` (an int when `whole`); None when absent and optional.

        `expected` is the whole phrase ("a number of minutes, more than 0"),
        so every failure reads "expected <phrase>, got <what was there>".
        """
        field = join(parent, key)
        if key not in node:
            if required:
                self.fail(line, field, f"required key missing; expected {expected}")
            return None
        _, value_line = key_lines(node, key, line)
        value = node[key]
        if is_bool(value) or not isinstance(value, int | float):
            hint = ""
            if isinstance(value, str) and is_number(value):
                hint = "; write the number without quotes"
            self.fail(value_line, field, f"expected {expected}, got {describe(value)}{hint}")
        number: float = int(value) if isinstance(value, int) else float(value)
        if (
            not math.isfinite(number)
            or (whole and not float(number).is_integer())
            or (check is not None and not check(number))
        ):
            self.fail(value_line, field, f"expected {expected}, got {number:g}")
        return int(number) if whole else number

    def flag(self, node: CommentedMap, key: str, parent: str, line: int) -> bool:
        """An optional true/false value, false when absent."""
        if key not in node:
            return False
        _, value_line = key_lines(node, key, line)
        value = node[key]
        if not is_bool(value):
            what = f"expected true or false, got {describe(value)}"
            self.fail(value_line, join(parent, key), what)
        return bool(value)
