"""Reading ``glossary.yml``: validation with file and line, and the matchers it builds."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bilingo.errors import GlossaryError
from bilingo.glossary.matching import (
    FORM_CLASSES,
    GLOSSARY_VERSION,
    INFLECT_VALUES,
    Entry,
    Glossary,
    _build_forms,
    _Hit,
    _keep_forms,
    _Matcher,
    _normalise,
    entries_hash,
)

_TOP_KEYS = ("version", "terms", "keep")
_TERM_KEYS = ("nb", "en", "inflect", "mass", "forms", "note")
_KEEP_KEYS = ("name", "note")
_FORM_KEYS = ("nb", "en")
#: libyaml's parser when PyYAML was built with it: the same nodes and marks, 7x faster.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_NULL_TAG = "tag:yaml.org,2002:null"


# --------------------------------------------------------------------------- loading


def empty_glossary() -> Glossary:
    """No terms, no names: protect is the identity, check finds nothing."""
    return _make_glossary(None, ())


def load_glossary(path: Path) -> Glossary:
    """Read and validate ``path``; every problem is a GlossaryError with file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GlossaryError(
            "no such glossary file; create it (see docs/glossary.md) or give --glossary PATH",
            path=path,
        ) from None
    except UnicodeDecodeError as exc:
        raise GlossaryError(
            f"not valid UTF-8 (byte {exc.start}); save the glossary as UTF-8", path=path
        ) from None
    except OSError as exc:
        raise GlossaryError(f"cannot read the glossary: {exc.strerror}", path=path) from None
    return parse_glossary(text, path=path)


def parse_glossary(text: str, *, path: Path | None = None) -> Glossary:
    """Validate glossary YAML ``text`` (``path`` only names it in errors)."""
    where = path if path is not None else Path("glossary.yml")
    reader = _Reader(where)
    try:
        # compose(): nodes with line marks, and the safe loader's resolver (no tags run).
        root = yaml.compose(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise GlossaryError(
            f"bad YAML: {problem}; fix the indentation or quoting on this line",
            path=where,
            line=mark.line + 1 if mark is not None else None,
        ) from None
    entries = reader.read(root)
    return _make_glossary(path, entries)


def _make_glossary(path: Path | None, entries: Sequence[Entry]) -> Glossary:
    matchers = {lang: _build_matcher(entries, lang, path) for lang in ("nb", "en")}
    return Glossary(
        path=path,
        hash=entries_hash(tuple(entries)),
        entries=tuple(entries),
        _matchers=matchers,
    )


def _build_matcher(entries: Sequence[Entry], lang: str, path: Path | None) -> _Matcher:
    lookup: dict[str, _Hit] = {}
    implied: set[str] = set()  # keys only there as an English form minus its "the"
    for ei, entry in enumerate(entries):
        for fi, form in enumerate(entry.forms):
            key = _normalise(form.text(lang))
            candidates = [(key, False)]
            # "the Research Council of Norway" is also written without its "the".
            if lang == "en" and key.startswith("the "):
                candidates.append((key[4:], True))
            for cand, bare in candidates:
                old = lookup.get(cand)
                if old is None or (cand in implied and not bare):
                    lookup[cand] = _Hit(ei, fi)
                    if bare:
                        implied.add(cand)
                    else:
                        implied.discard(cand)
                elif old.entry != ei and not bare:
                    other = entries[old.entry]
                    raise GlossaryError(
                        f"duplicate term: the {_LANG_NAME[lang]} form {cand!r} belongs to both "
                        f"{_label(other)} (line {other.line}) and {_label(entry)}; remove one, "
                        "or list it under the other's forms",
                        path=path,
                        line=entry.line,
                    )

    def regex() -> re.Pattern[str] | None:
        # Built with the regex, on the first match: a check of sealed pairs never matches.
        variants = set(lookup)
        for key in lookup:
            if key[:1].islower():
                variants.add(key[:1].upper() + key[1:])
        return re.compile(r"(?<!\w)(?:" + _trie_regex(variants) + r")(?!\w)") if variants else None

    return _Matcher(lookup=lookup, build=regex)


_LANG_NAME = {"nb": "Bokmål", "en": "English"}


def _label(entry: Entry) -> str:
    return f"kept name {entry.nb!r}" if entry.kind == "keep" else f"term {entry.nb!r}"


def _trie_regex(words: Iterable[str]) -> str:
    """One regex for many literals, shaped as a trie: each position is tried once, not once
    per term, and at every branch the longer continuation is tried first."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def char(ch: str) -> str:
        if ch == " ":
            return r"\s+"
        if ch == "'":
            return "['’]"
        return re.escape(ch)

    def emit(node: dict[str, Any]) -> str:
        children = sorted(k for k in node if k)
        if not children:
            return ""
        alts = [char(ch) + emit(node[ch]) for ch in children]
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return (body if len(alts) > 1 else "(?:" + body + ")") + "?"
        return body

    return emit(trie)


class _Reader:
    """Turns the composed YAML node tree into entries, or a GlossaryError at its line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.constructor = yaml.constructor.SafeConstructor()

    def fail(self, node: Node | None, message: str) -> GlossaryError:
        line = node.start_mark.line + 1 if node is not None else None
        return GlossaryError(message, path=self.path, line=line)

    def mapping(self, node: Node, what: str, allowed: Sequence[str]) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            raise self.fail(
                node, f"{what} must be a mapping, not {_kind(node)}; write it as 'key: value' lines"
            )
        out: dict[str, Node] = {}
        for key_node, value in node.value:
            if not (isinstance(key_node, ScalarNode) and key_node.tag == _STR_TAG):
                raise self.fail(
                    key_node,
                    f"{what} has a key that is not a word; use one of {', '.join(allowed)}",
                )
            key = str(key_node.value)
            if key not in allowed:
                import difflib  # here: only a mistyped key needs it, not every run

                hint = difflib.get_close_matches(key, allowed, n=1)
                did = f" (did you mean {hint[0]!r}?)" if hint else ""
                raise self.fail(
                    key_node,
                    f"unknown key {key!r} in {what}{did}; allowed keys: {', '.join(allowed)}",
                )
            if key in out:
                raise self.fail(key_node, f"key {key!r} appears twice in {what}; keep one")
            out[key] = value
        return out

    def string(self, node: Node, what: str) -> str:
        if not isinstance(node, ScalarNode) or node.tag not in (_STR_TAG, _INT_TAG):
            raise self.fail(node, f"{what} must be a text, not {_kind(node)}; quote it")
        value = str(node.value)
        if not value.strip():
            raise self.fail(node, f"{what} is empty; write the term or remove the key")
        if value != value.strip() or re.search(r"[\t\n\r\x00-\x1f]|  ", value):
            raise self.fail(
                node,
                f"{what} {value!r} has leading, trailing, doubled or control whitespace; "
                "write it on one line with single spaces",
            )
        return value

    def boolean(self, node: Node, what: str) -> bool:
        if not isinstance(node, ScalarNode) or node.tag != _BOOL_TAG:
            raise self.fail(
                node, f"{what} must be true or false, not {_kind(node)}; write true or false"
            )
        return bool(self.constructor.construct_yaml_bool(node))

    def refuse_tags(self, root: Node) -> None:
        """Plain data only: a ``!!python/...`` (or any custom) tag is an error, never run."""
        stack, seen = [root], set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if not node.tag.startswith("tag:yaml.org,2002:") or ":python/" in node.tag:
                tag = node.tag.replace("tag:yaml.org,2002:", "!!")
                raise self.fail(node, f"YAML tag {tag} is not allowed here; write plain text")
            if isinstance(node, SequenceNode):
                stack.extend(node.value)
            elif isinstance(node, MappingNode):
                for key, value in node.value:
                    stack.extend((key, value))

    def read(self, root: Node | None) -> list[Entry]:
        if root is None or (isinstance(root, ScalarNode) and root.tag == _NULL_TAG):
            return []
        self.refuse_tags(root)
        top = self.mapping(root, "the glossary", _TOP_KEYS)
        if "version" in top:
            version = top["version"]
            if not (isinstance(version, ScalarNode) and version.value == str(GLOSSARY_VERSION)):
                raise self.fail(
                    version, f"unsupported version; this bilingo reads version: {GLOSSARY_VERSION}"
                )
        entries: list[Entry] = []
        for key, reader in (("keep", self.keep_entry), ("terms", self.term_entry)):
            node = top.get(key)
            if node is None or (isinstance(node, ScalarNode) and node.tag == _NULL_TAG):
                continue
            if not isinstance(node, SequenceNode):
                raise self.fail(
                    node, f"'{key}' must be a list, not {_kind(node)}; start each entry with '- '"
                )
            entries.extend(reader(item) for item in node.value)
        return entries

    def keep_entry(self, node: Node) -> Entry:
        note = None
        if isinstance(node, MappingNode):
            keys = self.mapping(node, "a kept name", _KEEP_KEYS)
            if "name" not in keys:
                raise self.fail(node, "a kept name needs 'name:'; write '- name: Siva'")
            name = self.string(keys["name"], "'name'")
            if "note" in keys:
                note = self.string(keys["note"], "'note'")
        else:
            name = self.string(node, "a kept name")
        line = node.start_mark.line + 1
        return Entry("keep", name, name, _keep_forms(name), "name", False, note, line)

    def term_entry(self, node: Node) -> Entry:
        keys = self.mapping(node, "a term", _TERM_KEYS)
        for lang in ("nb", "en"):
            if lang not in keys:
                example = "nb: næringsklynge" if lang == "nb" else "en: business cluster"
                raise self.fail(node, f"this term has no '{lang}:'; add e.g. '{example}'")
        nb = self.string(keys["nb"], "'nb'")
        en = self.string(keys["en"], "'en'")
        inflect = "none"
        if "inflect" in keys:
            inode = keys["inflect"]
            value = inode.value if isinstance(inode, ScalarNode) else None
            if not isinstance(value, str) or value not in INFLECT_VALUES:
                raise self.fail(
                    inode,
                    f"'inflect' must be one of {', '.join(INFLECT_VALUES)}, not "
                    f"{value if isinstance(value, str) else _kind(inode)!r} (m/f/n: Bokmål "
                    "noun gender; adj: adjective; name: genitive only)",
                )
            inflect = value
        mass = self.boolean(keys["mass"], "'mass'") if "mass" in keys else False
        if mass and inflect not in ("m", "f", "n", "regular"):
            raise self.fail(keys["mass"], "'mass' applies to nouns only; add inflect: m, f or n")
        overrides = self.forms(keys["forms"], inflect) if "forms" in keys else {}
        note = self.string(keys["note"], "'note'") if "note" in keys else None
        forms = _build_forms(nb, en, inflect, mass, overrides)
        line = node.start_mark.line + 1
        return Entry("term", nb, en, forms, inflect, mass, note, line)

    def forms(self, node: Node, inflect: str) -> dict[str, dict[str, str]]:
        classes = self.mapping(node, "'forms'", FORM_CLASSES)
        out: dict[str, dict[str, str]] = {}
        for cls, value in classes.items():
            pair = self.mapping(value, f"form {cls!r}", _FORM_KEYS)
            if not pair:
                raise self.fail(value, f"form {cls!r} is empty; give nb: and/or en:")
            out[cls] = {k: self.string(v, f"'{cls}' {k}") for k, v in pair.items()}
        return out


def _kind(node: Node | None) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, ScalarNode):
        tag = node.tag.rsplit(":", 1)[-1]
        return "nothing" if tag == "null" else f"a {tag} ({node.value!r})"
    return "nothing"
