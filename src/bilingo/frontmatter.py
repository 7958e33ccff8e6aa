"""Front matter in Hugo's three formats: YAML (``---``), TOML (``+++``) and JSON (``{…}``).

Reading gives plain Python values (dicts, lists, strings, numbers, dates), the same for every
format, so hashes and comparisons never see a library's wrapper types. YAML values come from
PyYAML's *safe* loader (``!!python/...`` tags rejected, never executed; the hashes of existing
twins stay what they were), TOML values from tomlkit, JSON from the standard library.

Writing a twin starts from the front matter it is modelled on (the source's, or the twin's own
when only the provenance changes) and changes only what differs: ruamel.yaml and tomlkit keep
the key order, comments, quoting and layout of every other value; JSON members are spliced
into the original text. bilingo's provenance is written compactly at the end, one key a line
(a ``bilingo:`` block, a ``[bilingo]`` table, a ``"bilingo"`` object) so its seal line can be
found by bytes. Each round-trip result is parsed back and must give exactly the values asked
for; where it does not (a library quirk), the value-only rendering of today is used instead.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from yaml.constructor import SafeConstructor

from bilingo.errors import ArticleError

Format = Literal["yaml", "toml", "json"]
FORMATS: tuple[Format, ...] = ("yaml", "toml", "json")

#: Front-matter key holding bilingo's provenance in a twin.
PROVENANCE_KEY = "bilingo"

_YAML_RE = re.compile(r"\A(---[ \t]*\n)(.*?\n)?(---[ \t]*)(?:\n|\Z)", re.DOTALL)
_TOML_RE = re.compile(r"\A(\+\+\+[ \t]*\n)(.*?\n)?(\+\+\+[ \t]*)(?:\n|\Z)", re.DOTALL)
#: Hugo reads a file opening with ``{`` as JSON front matter; a key must follow, so a body
#: that starts with a shortcode (``{{< x >}}``) is not taken for one.
_JSON_RE = re.compile(r'\A\{\s*"[^"\n]*"\s*:')
_TOML_FENCE = re.compile(r"^\+\+\+[ \t]*$", re.MULTILINE)
#: Values a front matter may expand to: YAML aliases can make a few lines expand to billions.
_MAX_FRONT_MATTER_VALUES = 100_000
#: libyaml's safe loader where PyYAML has it (what python-frontmatter's YAMLHandler picks,
#: without importing that package for one call).
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"
#: Plain scalar text -> tag (:class:`_FrontMatterLoader`): with no path resolvers a plain
#: scalar's tag depends on its text alone. Short texts only, and a bounded number: front
#: matter is anyone's text.
_TAGS: dict[str, str] = {}


class _FrontMatterLoader(_SAFE_LOADER):  # type: ignore[misc]
    """The safe loader, with the same values, for many small documents: a plain scalar's
    tag (a regex search per scalar, in Python) is remembered by its text, and a text value
    is taken from its node without the constructor's bookkeeping (a quarter of the YAML
    time of a check on untranslated sources)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:  # a plain scalar
            return _plain_tag(value)
        return super().resolve(kind, value, implicit)

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        if node.tag == _STR_TAG and type(node) is yaml.ScalarNode:
            return node.value  # what construct_yaml_str returns, nothing to remember
        return super().construct_object(node, deep)


#: Round-trip writers are pure Python (ruamel.yaml ~10 s a megabyte): a front matter larger
#: than this (an article's is a few kilobytes) is written from its values alone.
MAX_ROUND_TRIP_CHARS = 256 * 1024
#: Wider than any line: round-trip emitters must never fold a long value onto new lines.
_NO_WRAP = 1 << 30


@dataclass(frozen=True)
class FrontMatter:
    """A file's front matter: its values, format and text, and where the body starts."""

    meta: dict[str, Any]
    format: Format
    #: The text between the delimiter lines (YAML, TOML) or the JSON object itself.
    raw: str
    #: Offset in the (``\\n``-normalised) file text where the body begins.
    body_start: int


def split_front_matter(path: Path, text: str) -> FrontMatter | None:
    """Parse the front matter at the top of ``text`` (newlines ``\\n``); None if it has none."""
    if _JSON_RE.match(text):
        return _load_json(path, text)
    for fmt, regex, fence in (("yaml", _YAML_RE, "---"), ("toml", _TOML_RE, "+++")):
        match = regex.match(text)
        if match is None:
            if text.startswith(fence) and text[3:4] in ("", "\n", " ", "\t"):
                raise ArticleError(
                    f"front matter opened with '{fence}' is never closed; add a closing "
                    f"'{fence}' line",
                    path=path,
                    line=1,
                )
            continue
        raw = match.group(2) or ""
        meta = _load_yaml(path, raw) if fmt == "yaml" else _load_toml(path, raw)
        return FrontMatter(meta, fmt, raw, match.end())  # type: ignore[arg-type]
    return None


def key_line(fmt: Format, raw: str, key: str) -> int | None:
    """The file line of top-level ``key`` in front matter ``raw`` of format ``fmt``."""
    name = re.escape(key)
    pattern = {
        "yaml": rf"^{name}\s*:",
        "toml": rf"^(?:{name}|\"{name}\"|'{name}')\s*=",
        "json": rf"^\s*\"{name}\"\s*:",
    }[fmt]
    match = re.search(pattern, raw, re.MULTILINE)
    if match is None:
        return None
    # YAML and TOML front matter start on line 2 (line 1 is the fence); JSON on line 1.
    return raw.count("\n", 0, match.start()) + (1 if fmt == "json" else 2)


def _mapping(path: Path, loaded: Any, line: int, *, walk: bool = True) -> dict[str, Any]:
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ArticleError(
            f"front matter must be a mapping of keys to values, not a {type(loaded).__name__}",
            path=path,
            line=line,
        )
    problem = _front_matter_problem(loaded) if walk else None
    if problem is not None:
        raise ArticleError(problem, path=path, line=line)
    return loaded


def _plain_tag(value: str) -> str:
    """The tag PyYAML's implicit resolvers give the plain scalar ``value`` (remembered in
    :data:`_TAGS`, as :class:`_FrontMatterLoader` remembers it)."""
    tag = _TAGS.get(value)
    if tag is None:
        tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
        if len(value) <= 64 and len(_TAGS) < 4096:
            _TAGS[value] = tag
    return str(tag)


#: What the fast reader leaves to the loader anywhere in the text: control characters
#: (which the YAML reader refuses, or reads as line breaks), tabs, line and paragraph
#: separators, byte-order marks, surrogates and non-characters.
_UNREADABLE = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]"
)


def _flat_yaml(raw: str) -> dict[str, Any] | None:
    """The values of a front matter of plain one-line entries (``title: Ett år``,
    ``date: 2015-06-23``, ``lang: nb``, ``draft: true``), read without the loader (a third
    of the time: most of a ``check`` on untranslated sources); None for anything else, which
    the loader reads. A line is one plain entry by :data:`_ONE_LINE_ENTRY` (what the writer
    keeps as it is), each scalar typed by PyYAML's own resolver and constructors; compared
    with the loader by a hypothesis test (tests/test_frontmatter.py)."""
    if _UNREADABLE.search(raw):
        return None
    out: dict[str, Any] = {}
    pos, end = 0, len(raw)
    while pos < end:
        found = _ONE_LINE_ENTRY.match(raw, pos)
        if found is None:
            return None
        key, value = found.group(1), found.group(2)
        # "a: b" or "a:" would open a mapping; a key read as another type ("on") is kept
        # as that type by the loader.
        if ": " in value or value.endswith(":") or key in out or _plain_tag(key) != _STR_TAG:
            return None
        tag = _plain_tag(value)
        if tag == _STR_TAG:
            out[key] = value
        else:
            try:  # the constructor the loader would call for that tag
                make = SafeConstructor.yaml_constructors[tag]
                out[key] = make(_CONSTRUCTOR, yaml.ScalarNode(tag, value))
            except (KeyError, ValueError, OverflowError):  # 2024-13-45: the loader's words
                return None
        pos = found.end()
    return out


_CONSTRUCTOR = SafeConstructor()


def _load_yaml(path: Path, raw: str) -> dict[str, Any]:
    flat = _flat_yaml(raw)
    if flat is not None:
        return flat
    try:
        loaded = yaml.load(raw, Loader=_FrontMatterLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # Front matter starts on line 2; an error noticed at its end belongs to its last line.
        last = 1 + max(raw.count("\n"), 1)
        line = min(mark.line + 2, last) if mark is not None else 2
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ArticleError(
            f"bad YAML front matter: {problem}; fix the YAML between the '---' lines",
            path=path,
            line=line,
        ) from None
    except (ValueError, OverflowError, RecursionError) as exc:
        # The safe loader's constructors: a date like 2024-13-45, an integer of 5,000 digits.
        raise ArticleError(
            f"bad YAML front matter: a value cannot be read ({exc}); quote it to keep it as text",
            path=path,
            line=2,
        ) from None
    # Without an alias ('*name') a YAML value neither contains itself nor expands: it has
    # at most two values (a key and its value) per character of its text.
    walk = "*" in raw or 2 * len(raw) >= _MAX_FRONT_MATTER_VALUES
    return _mapping(path, loaded, 2, walk=walk)


def _load_toml(path: Path, raw: str) -> dict[str, Any]:
    """TOML values: the standard library's reader where there is one (3.11+: nine times
    faster than tomlkit's, which writing needs anyway), else tomlkit's. A problem is told
    in tomlkit's words, which name the character or the value it could not read."""
    if sys.version_info < (3, 11):
        return _load_toml_with_tomlkit(path, raw)
    import tomllib  # type: ignore[import-not-found]  # stdlib from 3.11; mypy reads as 3.10

    try:
        loaded = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        _load_toml_with_tomlkit(path, raw)  # raises, with the better message
        # The message ends "(at line L, column C)" (or "(at end of document)").
        where = re.search(r" \(at line (\d+), column \d+\)\Z", str(exc))
        problem = re.sub(r" \(at (line \d+, column \d+|end of document)\)\Z", "", str(exc))
        line = int(where.group(1)) if where else raw.count("\n")
        raise _toml_error(path, raw, problem, line) from None
    except (ValueError, OverflowError, RecursionError) as exc:
        _load_toml_with_tomlkit(path, raw)
        raise _toml_error(path, raw, f"a value cannot be read ({exc})", 1) from None
    return _mapping(path, loaded, 2)


def _load_toml_with_tomlkit(path: Path, raw: str) -> dict[str, Any]:
    import tomlkit
    from tomlkit.exceptions import ParseError, TOMLKitError

    try:
        loaded = tomlkit.parse(raw).unwrap()
    except ParseError as exc:
        # tomlkit appends "at line L col C" to its message; the file line is said separately.
        problem = re.sub(r"\.? at line \d+ col \d+\Z", "", str(exc)).rstrip(".")
        raise _toml_error(path, raw, problem, exc.line) from None
    except (TOMLKitError, ValueError, OverflowError, RecursionError) as exc:
        raise _toml_error(path, raw, f"a value cannot be read ({exc})", 1) from None
    return _mapping(path, loaded, 2)


def _toml_error(path: Path, raw: str, problem: str, line: int) -> ArticleError:
    """``line`` counts from the front matter's first line, which is the file's second."""
    last = 1 + max(raw.count("\n"), 1)
    return ArticleError(
        f"bad TOML front matter: {problem}; fix the TOML between the '+++' lines "
        "(strings in quotes, key = value)",
        path=path,
        line=min(max(line, 1) + 1, last),
    )


def _load_json(path: Path, text: str) -> FrontMatter:
    try:
        loaded, end = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError as exc:
        raise ArticleError(
            f"bad JSON front matter: {exc.msg}; fix the JSON object at the top of the file "
            "(Hugo reads a file that opens with '{' as JSON front matter)",
            path=path,
            line=exc.lineno,
        ) from None
    except (ValueError, RecursionError) as exc:
        raise ArticleError(
            f"bad JSON front matter: a value cannot be read ({exc}); fix the JSON object at "
            "the top of the file",
            path=path,
            line=1,
        ) from None
    meta = _mapping(path, loaded, 1)
    # Hugo's lexer takes the line break after the closing brace with the front matter.
    body_start = end + 1 if text.startswith("\n", end) else end
    return FrontMatter(meta, "json", text[:end], body_start)


def _front_matter_problem(value: Any) -> str | None:
    """Why a loaded front matter cannot be used (alias bomb, self-reference), or None.

    Walks the value as JSON or YAML output would expand it, iteratively (YAML nests up to
    1,000 levels, deeper than Python's recursion limit), stopping at the budget.
    """
    count = 0
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            on_path.discard(id(node))
            continue
        count += 1
        if count > _MAX_FRONT_MATTER_VALUES:
            return (
                f"front matter expands to more than {_MAX_FRONT_MATTER_VALUES:,} values (YAML "
                "aliases '*name' repeating anchors '&name'?); write the values out instead"
            )
        if isinstance(node, dict | list):
            if id(node) in on_path:
                return (
                    "front matter contains a value that contains itself (a YAML alias '*name' "
                    "inside its own anchor '&name'); remove that alias"
                )
            on_path.add(id(node))
            stack.append((node, True))
            children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
            stack.extend((child, False) for child in children)
    return None


# --------------------------------------------------------------------------------- writing


def render_front_matter(
    meta: Mapping[str, Any], *, like: FrontMatter | None = None, verify: bool = True
) -> str:
    """``meta`` as front matter, delimiters included, ending in a newline.

    With ``like``, in its format and keeping its text for every value ``meta`` does not
    change; without, YAML written from the values alone. Each round trip is parsed back
    to check it holds ``meta``; ``verify=False`` leaves that to a caller that parses the
    whole file back anyway (:func:`bilingo.judge.seal_twin`) and compares with
    :func:`same_values`, rendering again with ``verify`` where they differ.
    """
    # An empty YAML or TOML front matter ("---" twice) followed by a body holding a "---"
    # line reads back differently; "{}" does not.
    templates: list[FrontMatter] = []
    if like is not None and meta:
        if len(like.raw) <= MAX_ROUND_TRIP_CHARS:
            templates.append(like)
        if like.format != "yaml":
            templates.append(_EMPTY[like.format])  # the format, from the values alone
    for template in templates:
        try:
            text = _ROUND_TRIP[template.format](meta, template)
        except Exception:  # any library quirk (a null TOML cannot hold): the next way
            continue
        if not verify or _reads_back(text, meta, template.format):
            return text
    return _plain_yaml(meta)


def _reads_back(text: str, meta: Mapping[str, Any], fmt: Format) -> bool:
    """Whether ``text`` parses to ``meta``'s values (types included: 1 is not True)."""
    try:
        front = split_front_matter(Path("<twin>"), text)
    except ArticleError:
        return False
    return front is not None and front.format == fmt and _same(front.meta, dict(meta))


def same_values(a: Any, b: Any) -> bool:
    """Whether front-matter values are the same, types included (order of keys aside)."""
    return _same(a, b)


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        # Order is not compared: TOML must write plain keys before its tables.
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) or (a != a and b != b)  # NaN equals itself here


def _split_provenance(meta: Mapping[str, Any]) -> tuple[dict[str, Any], Mapping[str, Any] | None]:
    """The values kept in the source's style, and bilingo's provenance (written compactly at
    the end); a ``bilingo`` key that is no mapping is not bilingo's, and kept as it is."""
    prov = meta.get(PROVENANCE_KEY)
    if not isinstance(prov, Mapping):
        return dict(meta), None
    return {k: v for k, v in meta.items() if k != PROVENANCE_KEY}, prov


# ----- YAML


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, with strings holding U+0085 (NEL) double-quoted.

    With ``allow_unicode`` PyYAML writes NEL raw inside a plain or single-quoted scalar,
    where YAML reads it as a line break: ``'a\x85b'`` would come back as ``'a b'``. In
    double quotes it is escaped (``\\N``) and survives.
    """


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    if "\x85" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    return dumper.represent_str(data)


_Dumper.add_representer(str, _represent_str)

#: libyaml's emitter (six times faster than PyYAML's own, the provenance block's cost),
#: with the same representer. The two emitters write the same bytes for the values
#: :func:`_c_emits_alike` admits (tests/test_frontmatter.py compares them), not for all:
#: libyaml escapes characters beyond the BMP, and treats a carriage return and an empty key
#: otherwise.
_CDumper: Any = None
if hasattr(yaml, "CSafeDumper"):
    _CDumper = type("_CDumper", (yaml.CSafeDumper,), {})
    _CDumper.add_representer(str, _represent_str)

#: Text both emitters write alike: no control character but tab and newline (NEL
#: included), no surrogate, nothing beyond the BMP.
_C_ALIKE_TEXT = re.compile(r"[^\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\U00010000-\U0010ffff]*")


def _c_emits_alike(value: Any) -> bool:
    """Whether libyaml's emitter writes ``value`` as PyYAML's does: nested dicts (keys:
    non-empty text) and lists of text, integers, booleans and None, text as above; each
    dict and list once (an alias, or a cycle, is left to PyYAML's own)."""
    stack = [value]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is str:
            if _C_ALIKE_TEXT.fullmatch(node) is None:
                return False
            continue
        if kind is dict or kind is list:
            if id(node) in seen:
                return False
            seen.add(id(node))
        if kind is dict:
            for key in node:
                if type(key) is not str or not key or _C_ALIKE_TEXT.fullmatch(key) is None:
                    return False
            stack.extend(node.values())
        elif kind is list:
            stack.extend(node)
        elif node is not None and kind is not int and kind is not bool:
            return False
    return True


def _pyyaml(value: Mapping[str, Any]) -> str:
    """``value`` in bilingo's block style, on libyaml's emitter where it writes the same."""
    data = dict(value)
    return yaml.dump(
        data,
        Dumper=_CDumper if _CDumper is not None and _c_emits_alike(data) else _Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def _plain_yaml(meta: Mapping[str, Any]) -> str:
    return f"---\n{_pyyaml(meta)}---\n"


def _rt_yaml(raw: str) -> tuple[Any, Any]:
    """ruamel's round-trip loader and the document, indented as the source indents."""
    from ruamel.yaml import YAML
    from ruamel.yaml.util import load_yaml_guess_indent

    # Round-trip loading builds only ruamel's own containers and scalars; the text has passed
    # PyYAML's safe loader already, so no tag reaches here that safe loading refuses.
    rt = YAML(typ="rt", pure=True)
    rt.preserve_quotes = True
    rt.width = _NO_WRAP
    rt.allow_unicode = True
    rt.allow_duplicate_keys = True
    try:
        doc, indent, seq_offset = load_yaml_guess_indent(raw, yaml=rt)
    except IndexError:  # its guess trips over some lines ("- -" at a line's end)
        doc, indent, seq_offset = rt.load(raw), None, None
    if seq_offset is None:
        rt.indent(mapping=indent or 2, sequence=indent or 2, offset=0)
    else:
        rt.indent(mapping=2, sequence=indent or 2, offset=seq_offset)
    return rt, doc


def _yaml_value(old: Any, new: Any) -> Any:
    """``new`` in ``old``'s scalar style (quotes, block) where that style can hold it."""
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        FoldedScalarString,
        LiteralScalarString,
        ScalarString,
        SingleQuotedScalarString,
    )

    if not isinstance(new, str):
        return new
    if isinstance(old, LiteralScalarString | FoldedScalarString):
        # A folded value is kept on its lines as written; a new one is a literal block.
        return LiteralScalarString(new) if "\n" in new else new
    if isinstance(old, SingleQuotedScalarString | DoubleQuotedScalarString):
        return type(old)(new)
    if not isinstance(old, ScalarString) and _yaml_plain_is_text(new):
        return new
    # Text PyYAML would read as something else (``yes``, ``1.0``, ``2024-01-01``): quoted.
    return new if _yaml_plain_is_text(new) else DoubleQuotedScalarString(new)


def _yaml_plain_is_text(value: str) -> bool:
    # PyYAML's implicit resolvers (YAML 1.1) decide how a plain scalar is read back.
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return bool(tag == "tag:yaml.org,2002:str")


_RESOLVER = yaml.resolver.Resolver()


#: Whether front matter of one plain ``key: value`` a line is written without ruamel
#: (:func:`_one_line_yaml`: the bytes ruamel's round trip writes, a tenth of its time);
#: tests/test_frontmatter.py compares both ways.
ONE_LINE_YAML_FAST = True
#: A source line ruamel loads as one plain entry on its line: a plain key, and a plain
#: one-line value (no quotes, block scalar, flow collection, anchor, alias, tag, comment
#: or line break; no indicator first and no whitespace last).
_ONE_LINE_ENTRY = re.compile(
    r"([A-Za-z_][A-Za-z0-9_-]*): "
    r"([^\s'\"|>\[\]{}&*!%@`#,?:-][^#\t\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]*(?<!\s))\n"
)
#: A new text value ruamel writes plain on its line (where PyYAML reads it back as text): a
#: letter first, no whitespace last, nothing between that could end or quote it.
_ONE_LINE_TEXT = re.compile(
    r"[^\W\d_](?:[^#:\t\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\U00010000-\U0010ffff]*(?<!\s))?"
)
_ONE_LINE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _one_line_yaml(rest: Mapping[str, Any], like: FrontMatter) -> str | None:
    """What :func:`_round_trip_yaml` gets from ruamel for ``rest`` (``like``'s entries kept
    as its lines where unchanged), where every line of ``like`` is one plain entry and
    every changed value is text ruamel writes plain: kept entries in the source's order,
    new ones after them; None for any other front matter or value (ruamel writes it)."""
    lines: dict[str, str] = {}
    for line in like.raw.splitlines(keepends=True):
        match = _ONE_LINE_ENTRY.fullmatch(line)
        if match is None or match[1] in lines or ": " in match[2]:
            return None
        lines[match[1]] = line
    if list(lines) != list(like.meta):  # a key PyYAML reads as another type ("on")
        return None
    order = [k for k in lines if k in rest] + [k for k in rest if k not in lines]
    out: list[str] = []
    for key in order:
        value = rest[key]
        if key in lines and _same(like.meta[key], value):
            out.append(lines[key])
        elif (
            type(value) is str
            and _ONE_LINE_KEY.fullmatch(key)
            and _yaml_plain_is_text(key)
            and _ONE_LINE_TEXT.fullmatch(value)
            and _yaml_plain_is_text(value)
        ):
            out.append(f"{key}: {value}\n")
        else:
            return None
    return "".join(out)


def _round_trip_yaml(meta: Mapping[str, Any], like: FrontMatter) -> str:
    rest, prov = _split_provenance(meta)
    # The provenance as bilingo always wrote it: a compact block, one key a line.
    block = _pyyaml({PROVENANCE_KEY: prov}) if prov is not None else ""
    fast = _one_line_yaml(rest, like) if ONE_LINE_YAML_FAST else None
    if fast is not None:
        return f"---\n{fast}{block}---\n"
    rt, doc = _rt_yaml(like.raw)
    if doc is None:
        from ruamel.yaml.comments import CommentedMap

        doc = CommentedMap()
    source_spans = _entry_spans(list(doc), _ruamel_key_lines(doc), like.raw)
    unchanged: set[Any] = set()
    for key in [k for k in doc if k not in rest]:
        del doc[key]
    for key, value in rest.items():
        if key in doc and key in like.meta and _same(like.meta[key], value):
            unchanged.add(key)
            continue
        doc[key] = _yaml_value(doc.get(key), value)
    out = io.StringIO()
    if doc:
        rt.dump(doc, out)
    text = out.getvalue()
    if source_spans is not None and unchanged:
        # ruamel re-emits even an unchanged value in its own way (a hand-wrapped line
        # joined, escapes rewritten): each unchanged entry's own lines are put back.
        dumped = _entry_spans(list(doc), _composed_key_lines(text), text)
        if dumped is not None:
            text = "".join(
                source_spans[key] if key in unchanged or key is None else span
                for key, span in dumped.items()
            )
    return f"---\n{text}{block}---\n"


def _ruamel_key_lines(doc: Any) -> list[int] | None:
    """The line of each top-level key of a ruamel document (None: a flow mapping)."""
    if not doc or doc.fa.flow_style():
        return None
    try:
        return [doc.lc.key(key)[0] for key in doc]
    except (KeyError, TypeError, AttributeError):  # a key merged in ("<<: *base")
        return None


def _composed_key_lines(text: str) -> list[int] | None:
    """The line of each top-level key of YAML ``text``, from PyYAML's (C) composer: no
    second round-trip load of what ruamel just wrote."""
    node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        return None
    return [key.start_mark.line for key, _ in node.value]


def _entry_spans(keys: list[Any], starts: list[int] | None, text: str) -> dict[Any, str] | None:
    """Each top-level entry's lines in ``text`` (comments after it included), the lines
    before the first entry under the key None; None when entries cannot be told apart."""
    if (
        not keys
        or starts is None
        or len(starts) != len(keys)
        or None in keys
        or any(b <= a for a, b in itertools.pairwise(starts))
    ):
        return None
    lines = text.splitlines(keepends=True)
    ends = [*starts[1:], len(lines)]
    spans: dict[Any, str] = {None: "".join(lines[: starts[0]])}
    for key, start, end in zip(keys, starts, ends, strict=True):
        spans[key] = "".join(lines[start:end])
    return spans


# ----- TOML


def _toml_value(old: Any, new: Any) -> Any:
    """``new`` as a TOML string in ``old``'s quoting (literal, multi-line) where it fits."""
    import tomlkit
    from tomlkit.exceptions import InvalidStringError
    from tomlkit.items import String

    if not isinstance(new, str) or not isinstance(old, String):
        return new
    literal = old.type.is_literal()
    # A "+++" line inside a multi-line string would close the front matter early.
    multiline = old.type.is_multiline() and "\n" in new and not _TOML_FENCE.search(new)
    try:
        return tomlkit.string(new, literal=literal, multiline=multiline)
    except InvalidStringError:  # a quote in a literal string: basic quoting holds anything
        return tomlkit.string(new, multiline=multiline)


def _round_trip_toml(meta: Mapping[str, Any], like: FrontMatter) -> str:
    import tomlkit

    rest, prov = _split_provenance(meta)
    doc = tomlkit.parse(like.raw)
    for key in [k for k in doc if k not in rest]:
        del doc[key]
    for key, value in rest.items():
        if key in doc and key in like.meta and _same(like.meta[key], value):
            continue
        doc[key] = _toml_value(doc.get(key), value)
    text = tomlkit.dumps(doc)
    if prov is not None:
        # A [bilingo] table with nested values inline: one key a line, at the end.
        table = tomlkit.table()
        for key, value in dict(prov).items():
            if isinstance(value, Mapping):
                inline = tomlkit.inline_table()
                inline.update(value)
                table.add(key, inline)
            else:
                table.add(key, value)
        block = tomlkit.dumps({PROVENANCE_KEY: table})
        text = (text.rstrip("\n") + "\n\n" if text.strip() else "") + block
    return f"+++\n{text}+++\n"


# ----- JSON


@dataclass(frozen=True)
class _Member:
    key: str
    #: The member's text from just after the previous comma (or the brace) to its value.
    prefix: str
    value: str


def _json_members(raw: str) -> tuple[list[_Member], str]:
    """The top-level members of a JSON object's text, and the text before its ``}``."""
    decoder = json.JSONDecoder()
    ws = re.compile(r"[ \t\n\r]*")
    members: list[_Member] = []
    start = 1
    while True:
        pos = ws.match(raw, start).end()  # type: ignore[union-attr]
        if raw.startswith("}", pos):
            return members, raw[start:pos]
        key, pos = json.decoder.scanstring(raw, pos + 1)  # type: ignore[attr-defined]
        pos = ws.match(raw, pos).end()  # type: ignore[union-attr]
        pos = ws.match(raw, pos + 1).end()  # type: ignore[union-attr]  # past ':'
        _, end = decoder.raw_decode(raw, pos)
        members.append(_Member(key, raw[start:pos], raw[pos:end]))
        start = end
        pos = ws.match(raw, end).end()  # type: ignore[union-attr]
        if raw.startswith(",", pos):
            start = pos + 1


def _round_trip_json(meta: Mapping[str, Any], like: FrontMatter) -> str:
    rest, prov = _split_provenance(meta)
    members, tail = _json_members(like.raw)
    first = re.match(r"[ \t\r\n]*", members[0].prefix).group() if members else "\n  "  # type: ignore[union-attr]
    indent = first[first.rfind("\n") + 1 :] if "\n" in first else ""
    lead = f"\n{indent}" if "\n" in first else " "
    inner = indent or "  "
    if not members:
        tail = "\n"

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    parts: list[str] = []
    kept = {m.key: m for m in members}
    for member in members:
        if member.key not in rest:
            continue
        value = rest[member.key]
        same = member.key in like.meta and _same(like.meta[member.key], value)
        parts.append(member.prefix + (member.value if same else dump(value)))
    for key, value in rest.items():
        if key not in kept:
            parts.append(f"{lead}{dump(key)}: {dump(value)}")
    if prov is not None:
        # One provenance key a line, so the seal line stands alone.
        lines = ",".join(f"\n{indent}{inner}{dump(k)}: {dump(v)}" for k, v in dict(prov).items())
        parts.append(f"{lead}{dump(PROVENANCE_KEY)}: {{{lines}\n{indent}}}")
    return "{" + ",".join(parts) + (tail if tail else "") + "}\n"


_ROUND_TRIP = {"yaml": _round_trip_yaml, "toml": _round_trip_toml, "json": _round_trip_json}
#: Templates with nothing to keep: a format's rendering from values alone.
_EMPTY: dict[Format, FrontMatter] = {
    "yaml": FrontMatter({}, "yaml", "", 0),
    "toml": FrontMatter({}, "toml", "", 0),
    "json": FrontMatter({}, "json", "{}", 0),
}
