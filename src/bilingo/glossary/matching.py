"""The project glossary: terms the translation always follows, and names it never translates.

One ``glossary.yml`` serves both directions. Each term entry pairs a Bokmål and an English
term; ``inflect`` generates the regular Bokmål forms (definite, plural, genitive) and maps
each to an English form, so editors list a word once, not every inflected form (the thing
Weblate and DeepL make them do). ``keep`` lists names that come through untouched.

Enforcement is placeholder-based: :meth:`Glossary.protect` swaps every matched term for one
private-use character (U+E000..U+F8FF) before the engine; :meth:`Protected.restore` puts the
right target form back. A private-use character is not in any Argos SentencePiece vocabulary,
so it reaches CTranslate2 as ``<unk>`` and ``replace_unknowns`` copies it back verbatim; the
measurements and the reasoning are in ``docs/glossary.md``. A placeholder the engine lost or
duplicated raises :class:`PlaceholderLost`: restore never lets a placeholder into an article.

Matching is on whole words (``\\w`` is Unicode-aware, so æ, ø and å are letters), longest
form first, through one precompiled trie-shaped regex per language. Compounds that merely
contain a term (``næringsklyngetillit``) are not rewritten; :func:`find_compounds` reports
them so an editor can add them as terms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bilingo.article import canonical_json, digest

if TYPE_CHECKING:
    from bilingo.glossary.protection import Miss, Protected

Lang = Literal["nb", "en"]
Kind = Literal["term", "keep"]

GLOSSARY_VERSION = 1
#: ``inflect`` values: Bokmål gender (m, f, n; ``regular`` = m), ``adj``, ``name``, ``none``.
INFLECT_VALUES = ("m", "f", "n", "regular", "adj", "name", "none")
#: Form classes an entry may carry (and override under ``forms:``).
NOUN_CLASSES = ("sg", "sg.def", "pl", "pl.def")
FORM_CLASSES = (
    "base",
    *NOUN_CLASSES,
    "sg.def.a",  # feminine definite in -a (klynga), beside -en
    *(f"{c}.gen" for c in (*NOUN_CLASSES, "sg.def.a")),
    "adj.pl",
)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Form:
    """One form of an entry: a Bokmål text and the English text it maps to."""

    cls: str
    nb: str
    en: str

    def text(self, lang: str) -> str:
        return self.nb if lang == "nb" else self.en


@dataclass(frozen=True)
class Entry:
    """One term (or kept name) with all its forms, base form first."""

    kind: Kind
    nb: str
    en: str
    forms: tuple[Form, ...]
    inflect: str = "none"
    mass: bool = False
    note: str | None = None
    line: int | None = None

    def base(self, lang: str) -> str:
        return self.nb if lang == "nb" else self.en


# _Hit and _Matcher are private records, plain classes: a frozen dataclass costs ~0.6 ms
# to create at import, and a check of sealed pairs only loads the glossary for its hash.


class _Hit:
    """The form a key stands for: entry ``entry``'s form ``form``."""

    __slots__ = ("entry", "form")

    def __init__(self, entry: int, form: int) -> None:
        self.entry, self.form = entry, form


class _Matcher:
    """Every form of one language as one regex, plus what each form stands for."""

    def __init__(
        self, *, lookup: Mapping[str, _Hit], build: Callable[[], re.Pattern[str] | None]
    ) -> None:
        self.lookup = lookup
        #: Compiles the regex: only on the first match, so a run that needs only the
        #: glossary's hash (``check`` on sealed pairs) never builds it.
        self.build = build

    @cached_property
    def regex(self) -> re.Pattern[str] | None:
        return self.build()


# --------------------------------------------------------------------------- glossary


@dataclass(frozen=True)
class Glossary:
    """A loaded glossary; immutable, with its matchers compiled once."""

    path: Path | None
    #: Stable hash of the normalised content (goes into a twin's provenance).
    hash: str
    entries: tuple[Entry, ...]
    _matchers: Mapping[str, _Matcher] = field(repr=False, compare=False)
    #: :meth:`applying_hash` by the ids of the entries found (held by ``entries``): a
    #: translate run asks for it per paragraph, most of which hold the same few.
    _hashes: dict[tuple[int, ...], str] = field(
        default_factory=dict, repr=False, compare=False, hash=False
    )

    @property
    def terms(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.kind == "term")

    @property
    def keep(self) -> tuple[str, ...]:
        return tuple(e.nb for e in self.entries if e.kind == "keep")

    @property
    def form_count(self) -> int:
        return sum(len(e.forms) for e in self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def matches(self, text: str, *, lang: str) -> list[tuple[re.Match[str], Entry, Form]]:
        """Every glossary form of language ``lang`` in ``text``, left to right."""
        m = self._matchers.get(lang)
        if m is None or m.regex is None:
            return []
        out = []
        for match in m.regex.finditer(text):
            hit, recased = _lookup(m.lookup, match.group())
            # "Sustainable Products Regulation": a capital mid-sentence marks a name, not a term.
            if hit is None or (recased and not _at_sentence_start(text, match.start())):
                continue
            entry = self.entries[hit.entry]
            out.append((match, entry, entry.forms[hit.form]))
        return out

    def memoized(self) -> Glossary:
        """This glossary, remembering each text's matches: a translate run asks for them
        several times per segment (its memory key, its protection), and matches once."""
        from bilingo.glossary.protection import _MemoGlossary

        return _MemoGlossary(self.path, self.hash, self.entries, self._matchers)

    def applying_hash(self, text: str, *, lang: str) -> str:
        """Hash of the entries that apply to ``text`` (language ``lang``): what its
        translation depends on. The translation memory is keyed by it, so a changed entry
        redoes only the segments holding it; with none applying, it is the empty glossary's."""
        matched = self.matches(text, lang=lang) if text else []
        found = {id(entry): entry for _, entry, _ in matched}
        key = tuple(found)
        cached = self._hashes.get(key)
        if cached is None:
            cached = self._hashes[key] = entries_hash(tuple(found.values()))
        return cached

    # Protection and the twin's check live in bilingo.glossary.protection, imported on
    # first use: loading a glossary (all a check of sealed pairs needs: its hash) builds
    # none of their classes and regexes.

    def protect(self, text: str, *, source: str, target: str) -> Protected:
        """Swap every term of ``text`` (one prose segment) for a placeholder."""
        from bilingo.glossary.protection import protect

        return protect(self, text, source=source, target=target)

    def check(
        self,
        source_text: str,
        twin_text: str,
        *,
        source: str,
        target: str,
        dialects: Sequence[str] | None,
        masks: tuple[str, str] | None = None,
    ) -> list[Miss]:
        """Terms of ``source_text`` whose target form ``twin_text`` lacks (Weblate's
        "does not follow glossary"), with 1-based lines in ``source_text`` (both read as
        Markdown of the site's ``dialects``; :func:`bilingo.glossary.protection.check`).
        ``masks``: both texts' :func:`bilingo.document.prose_mask`, when the caller has them."""
        from bilingo.glossary.protection import check

        return check(
            self,
            source_text,
            twin_text,
            source=source,
            target=target,
            dialects=dialects,
            masks=masks,
        )


def entries_hash(entries: tuple[Entry, ...] | list[Entry]) -> str:
    """Stable hash of glossary entries, in any order (a glossary's ``hash``)."""
    # canonical_json of the entries sorted by their canonical_json: a JSON list is its items'
    # texts joined by ", ", so each entry is written once (the sort key), not twice.
    normal = sorted(
        canonical_json(
            {"kind": e.kind, "forms": [[f.cls, f.nb, f.en] for f in e.forms], "inflect": e.inflect}
        )
        for e in entries
    )
    return digest(f"bilingo-glossary/{GLOSSARY_VERSION}", "[" + ", ".join(normal) + "]")


def _lookup(table: Mapping[str, _Hit], written: str) -> tuple[_Hit | None, bool]:
    """The form ``written`` stands for, and whether only its lower-cased first letter matched."""
    key = _normalise(written)
    hit = table.get(key)
    if hit is None and key[:1].isupper():
        return table.get(key[:1].lower() + key[1:]), True
    return hit, False


_SPACES = re.compile(r"\s+")


def _normalise(text: str) -> str:
    return _SPACES.sub(" ", text).replace("’", "'")


_OPENERS = "\"'“‘«([–—- \t\n"


class _Sentences:
    """The patterns of sentence starts, compiled on first match (a run that needs only the
    glossary's hash never matches)."""

    @cached_property
    def end(self) -> re.Pattern[str]:
        return re.compile(r"[.!?][\"'”’»)\]]*$")

    #: What may precede a sentence's first word on its line: Markdown block markers, openers.
    @cached_property
    def line_lead(self) -> re.Pattern[str]:
        return re.compile(r"[ \t]*(?:(?:[#>*+|-]+|\d+[.)])[ \t]+)*[\"'“‘«(\[–—*_ \t]*")

    @cached_property
    def blank_line_end(self) -> re.Pattern[str]:
        return re.compile(r"(?:\A|\n)[ \t]*\n\Z")

    @cached_property
    def block_marker(self) -> re.Pattern[str]:
        return re.compile(r"[#>*+|-]|\d+[.)]")


_SENTENCES = _Sentences()


def _at_sentence_start(text: str, start: int) -> bool:
    """Whether ``text[start]`` begins a sentence (segment, paragraph, list item, heading...)."""
    line_start = text.rfind("\n", 0, start) + 1
    lead = text[line_start:start]
    if _SENTENCES.line_lead.fullmatch(lead):
        if line_start == 0 or _SENTENCES.block_marker.search(lead):
            return True
        before = text[:line_start]
        # A wrapped line continues its sentence; a blank line or a full stop ends it.
        return _SENTENCES.blank_line_end.search(before) is not None or _ends_sentence(before)
    return _ends_sentence(lead.rstrip(_OPENERS))


def _ends_sentence(text: str) -> bool:
    return _SENTENCES.end.search(text.rstrip()) is not None


# --------------------------------------------------------------------------- inflection


def _nb_genitive(word: str) -> str:
    return word + "'" if word.endswith(("s", "x", "z")) else word + "s"


def _en_genitive(phrase: str) -> str:
    return phrase + "'" if phrase.endswith("s") else phrase + "'s"


def _en_plural(phrase: str) -> str:
    head, _, last = phrase.rpartition(" ")
    low = last.lower()
    if len(low) > 1 and low.endswith("y") and low[-2] not in "aeiou":
        plural = last[:-1] + "ies"
    elif low.endswith(("s", "x", "z", "ch", "sh")):
        plural = last + "es"
    else:
        plural = last + "s"
    return f"{head} {plural}" if head else plural


def _nb_noun_forms(base: str, gender: str, mass: bool) -> dict[str, str]:
    """Regular Bokmål forms; a multi-word term inflects its last word."""
    head, sep, word = base.rpartition(" ")
    stem = word[:-1] if word.endswith("e") else word
    e = word.endswith("e")
    if gender == "n":
        forms = {"sg": word, "sg.def": word + ("t" if e else "et")}
    else:
        forms = {"sg": word, "sg.def": word + ("n" if e else "en")}
    if not mass:
        forms["pl"] = word + ("r" if e else "er")
        forms["pl.def"] = stem + "ene"
    if gender == "f":
        forms["sg.def.a"] = stem + "a"
    return {cls: f"{head}{sep}{w}" for cls, w in forms.items()}


def _en_noun_forms(base: str, mass: bool) -> dict[str, str]:
    # Mass nouns take no article in English ("verdiskapingen" -> "value creation").
    the = "" if mass else "the "
    forms = {"sg": base, "sg.def": the + base, "sg.def.a": the + base}
    if not mass:
        plural = _en_plural(base)
        forms["pl"] = plural
        forms["pl.def"] = "the " + plural
    return forms


def _nb_adjective_forms(base: str) -> dict[str, str]:
    stem = base[:-1] if base.endswith("e") else base
    return {"base": base, "adj.pl": stem + "e"}


def _build_forms(
    nb: str,
    en: str,
    inflect: str,
    mass: bool,
    overrides: Mapping[str, Mapping[str, str]],
) -> tuple[Form, ...]:
    if inflect in ("m", "f", "n", "regular"):
        gender = "m" if inflect == "regular" else inflect
        nb_forms = _nb_noun_forms(nb, gender, mass)
        en_forms = _en_noun_forms(en, mass)
        classes = [c for c in (*NOUN_CLASSES, "sg.def.a") if c in nb_forms]
    elif inflect == "adj":
        nb_forms = _nb_adjective_forms(nb)
        en_forms = {"base": en, "adj.pl": en}
        classes = ["base", "adj.pl"]
    elif inflect == "name":
        nb_forms, en_forms, classes = {"sg": nb}, {"sg": en}, ["sg"]
    else:
        nb_forms, en_forms, classes = {"base": nb}, {"base": en}, ["base"]
    for cls, override in overrides.items():
        if cls.endswith(".gen") or cls == "adj.pl":
            continue
        if cls not in classes:
            classes.append(cls)
        nb_forms[cls] = override.get("nb", nb_forms.get(cls, ""))
        en_forms[cls] = override.get("en", en_forms.get(cls, ""))
    pairs = {cls: (nb_forms[cls], en_forms[cls]) for cls in classes}
    if inflect in ("m", "f", "n", "regular", "name"):
        # Genitives from the final (overridden) forms: one -s in Bokmål, 's / s' in English.
        for cls in classes:
            n, e_ = pairs[cls]
            pairs[f"{cls}.gen"] = (_nb_genitive(n), _en_genitive(e_))
    for cls, override in overrides.items():
        if cls.endswith(".gen") or cls == "adj.pl":
            old_nb, old_en = pairs.get(cls, ("", ""))
            pairs[cls] = (override.get("nb", old_nb), override.get("en", old_en))
    return tuple(Form(cls, n, e_) for cls, (n, e_) in pairs.items() if n and e_)


def _keep_forms(name: str) -> tuple[Form, ...]:
    return (
        Form("sg", name, name),
        Form("sg.gen", _nb_genitive(name), _en_genitive(name)),
    )
