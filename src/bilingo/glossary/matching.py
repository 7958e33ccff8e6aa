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
from typing import Literal

from bilingo.article import canonical_json, digest
from bilingo.errors import BilingoError

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

#: First code point of the placeholders (Unicode's Private Use Area in the BMP).
_PUA_FIRST, _PUA_LAST = 0xE000, 0xF8FF
_PUA_RE = re.compile("[\ue000-\uf8ff]")


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


@dataclass(frozen=True)
class TermMatch:
    """A term found in a segment: what was there, what goes back, and its placeholder."""

    source_form: str
    target_form: str
    start: int
    end: int
    placeholder: str
    kind: Kind
    #: The entry's base form in the source language (for reports).
    term: str
    #: True when the source occurrence started with a capital the glossary form lacks.
    capitalised: bool = False


class PlaceholderLost(BilingoError):
    """The engine dropped or duplicated a glossary placeholder (exit code 1).

    The pipeline should translate the segment again without protection and let
    ``glossary check`` flag the term, rather than write a placeholder or a gap into a twin.
    """

    exit_code = 1

    def __init__(
        self,
        segment: str,
        *,
        lost: tuple[TermMatch, ...],
        duplicated: tuple[TermMatch, ...],
    ) -> None:
        self.segment = segment
        self.lost = lost
        self.duplicated = duplicated
        parts = []
        if lost:
            parts.append("lost " + ", ".join(repr(t.source_form) for t in lost))
        if duplicated:
            parts.append("duplicated " + ", ".join(repr(t.source_form) for t in duplicated))
        super().__init__(
            f"the translation engine {' and '.join(parts)} in {segment[:80]!r}; translate this "
            "segment without the glossary and review the term by hand (bilingo glossary check)"
        )


@dataclass(frozen=True)
class Protected:
    """A segment with its glossary terms swapped for placeholders."""

    original: str
    #: What goes to the engine.
    text: str
    terms: tuple[TermMatch, ...]
    target: str = "en"
    #: Gender of each term's target noun (for en/et agreement in Bokmål), by placeholder.
    genders: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def restore(self, translated: str) -> str:
        """Put the target forms back in the engine's output.

        Capitalises a form that starts a sentence, drops a form's own "the" after another
        determiner, and fixes a/an (English) or en/et (Bokmål) before it. Raises
        :class:`PlaceholderLost` when a placeholder is missing or repeated.
        """
        if not self.terms:
            return translated
        by_ph = {t.placeholder: t for t in self.terms}
        lost = tuple(t for t in self.terms if t.placeholder not in translated)
        dup = tuple(t for t in self.terms if translated.count(t.placeholder) > 1)
        if lost or dup:
            raise PlaceholderLost(self.original, lost=lost, duplicated=dup)
        out = ""
        pos = 0
        for found in _PUA_RE.finditer(translated):
            term = by_ph.get(found.group())
            if term is None:  # the article's own private-use character
                continue
            out += translated[pos : found.start()]
            out, form = _fit(out, term, self.target, self.genders.get(term.placeholder))
            out += form
            pos = found.end()
        return out + translated[pos:]


@dataclass(frozen=True)
class Miss:
    """A glossary term of the source whose target form the twin lacks."""

    term: str
    expected: str
    line: int | None
    #: First line of the twin paragraph that should hold it (when paragraphs align).
    twin_line: int | None = None
    #: A source-language form of the term found in that twin paragraph (put back by hand?).
    found: str | None = None
    #: Front-matter field, or None for the body.
    field: str | None = None

    def message(self) -> str:
        where = f"field {self.field!r}" if self.field else "body"
        at = f" (twin line {self.twin_line})" if self.twin_line is not None else ""
        msg = f"{where}: {self.term!r} must be translated as {self.expected!r}{at}"
        if self.found is not None:
            msg += f", but the twin still has {self.found!r}"
        return msg + "; fix the twin or run bilingo translate again"


@dataclass(frozen=True)
class Compound:
    """A word that contains a glossary term without being one (not rewritten)."""

    word: str
    term: str
    line: int


@dataclass(frozen=True)
class GlossaryRow:
    """One line of ``bilingo glossary show``."""

    kind: Kind
    nb: str
    en: str
    form: str
    note: str
    line: int | None


@dataclass(frozen=True)
class _Hit:
    entry: int
    form: int


@dataclass(frozen=True)
class _Matcher:
    """Every form of one language as one regex, plus what each form stands for."""

    lookup: Mapping[str, _Hit]
    #: Compiles the regex: only on the first match, so a run that needs only the
    #: glossary's hash (``check`` on sealed pairs) never builds it.
    build: Callable[[], re.Pattern[str] | None] = field(repr=False, compare=False)

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
        return _MemoGlossary(self.path, self.hash, self.entries, self._matchers)

    def applying_hash(self, text: str, *, lang: str) -> str:
        """Hash of the entries that apply to ``text`` (language ``lang``): what its
        translation depends on. The translation memory is keyed by it, so a changed entry
        redoes only the segments holding it; with none applying, it is the empty glossary's."""
        matched = self.matches(text, lang=lang) if text else []
        found = {id(entry): entry for _, entry, _ in matched}
        return entries_hash(tuple(found.values()))

    def protect(self, text: str, *, source: str, target: str) -> Protected:
        """Swap every term of ``text`` (one prose segment) for a placeholder."""
        found = self.matches(text, lang=source) if source != target else []
        if not found:
            return Protected(original=text, text=text, terms=(), target=target)
        placeholders = _placeholders(text, len(found))
        pieces: list[str] = []
        terms: list[TermMatch] = []
        genders: dict[str, str] = {}
        pos = 0
        for (match, entry, form), ph in zip(found, placeholders, strict=True):
            written = match.group()
            target_form = _target_form(text, match.start(), match.end(), entry, form, source)
            terms.append(
                TermMatch(
                    source_form=written,
                    target_form=target_form,
                    start=match.start(),
                    end=match.end(),
                    placeholder=ph,
                    kind=entry.kind,
                    term=entry.base(source),
                    capitalised=written[:1].isupper() and not form.text(source)[:1].isupper(),
                )
            )
            if target == "nb" and entry.inflect in ("m", "f", "n", "regular"):
                genders[ph] = entry.inflect
            pieces.append(text[pos : match.start()])
            pieces.append(ph)
            pos = match.end()
        pieces.append(text[pos:])
        return Protected(
            original=text,
            text="".join(pieces),
            terms=tuple(terms),
            target=target,
            genders=genders,
        )

    def check(
        self,
        source_text: str,
        twin_text: str,
        *,
        source: str,
        target: str,
        dialects: Sequence[str] | None,
    ) -> list[Miss]:
        """Terms of ``source_text`` whose target form ``twin_text`` lacks (Weblate's
        "does not follow glossary"), with 1-based lines in ``source_text`` (both read as
        Markdown of the site's ``dialects``).

        Counts occurrences per entry, any form: a paragraph with two "næringsklynger" needs
        two forms of "business cluster" in the twin's paragraph. Paragraphs are compared one
        to one when both texts have as many; otherwise the whole texts are.
        """
        if not self.entries or source == target:
            return []
        # Only prose is translated (bilingo.document): terms in code, links or shortcodes
        # are neither protected nor looked for. Imported here: `bilingo check` loads the
        # glossary for its hash without paying for the Markdown parser.
        from bilingo.document import prose_mask

        src = prose_mask(source_text, dialects=dialects)
        twin = prose_mask(twin_text, dialects=dialects)
        src_blocks = _blocks(src)
        twin_blocks = _blocks(twin)
        if len(src_blocks) != len(twin_blocks):
            src_blocks = [(0, src)]
            twin_blocks = [(0, twin)]
            aligned = False
        else:
            aligned = True
        misses: list[Miss] = []
        for (s_off, s_block), (t_off, t_block) in zip(src_blocks, twin_blocks, strict=True):
            have: dict[int, int] = {}
            for _, entry, _ in self.matches(t_block, lang=target):
                key = id(entry)
                have[key] = have.get(key, 0) + 1
            leftovers: dict[int, str] = {}
            for match, entry, _ in self.matches(t_block, lang=source):
                if entry.kind == "term" and entry.nb != entry.en:
                    leftovers.setdefault(id(entry), match.group())
            seen: dict[int, int] = {}
            for match, entry, form in self.matches(s_block, lang=source):
                key = id(entry)
                seen[key] = seen.get(key, 0) + 1
                if seen[key] <= have.get(key, 0):
                    continue
                start = s_off + match.start()
                expected = _target_form(
                    source_text, start, s_off + match.end(), entry, form, source
                )
                misses.append(
                    Miss(
                        term=match.group(),
                        expected=expected,
                        line=source_text.count("\n", 0, start) + 1,
                        twin_line=twin_text.count("\n", 0, t_off) + 1 if aligned else None,
                        found=leftovers.get(key),
                    )
                )
        return misses


def entries_hash(entries: tuple[Entry, ...] | list[Entry]) -> str:
    """Stable hash of glossary entries, in any order (a glossary's ``hash``)."""
    normal = [
        {"kind": e.kind, "forms": [[f.cls, f.nb, f.en] for f in e.forms], "inflect": e.inflect}
        for e in entries
    ]
    normal.sort(key=canonical_json)
    return digest(f"bilingo-glossary/{GLOSSARY_VERSION}", canonical_json(normal))


def _lookup(table: Mapping[str, _Hit], written: str) -> tuple[_Hit | None, bool]:
    """The form ``written`` stands for, and whether only its lower-cased first letter matched."""
    key = _normalise(written)
    hit = table.get(key)
    if hit is None and key[:1].isupper():
        return table.get(key[:1].lower() + key[1:]), True
    return hit, False


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("’", "'")


def _placeholders(text: str, n: int) -> list[str]:
    """``n`` private-use characters that do not occur in ``text`` (icon fonts use some)."""
    out: list[str] = []
    code = _PUA_FIRST
    while len(out) < n:
        if code > _PUA_LAST:
            raise ValueError("segment has more glossary terms than placeholders (6400)")
        ch = chr(code)
        if ch not in text:
            out.append(ch)
        code += 1
    return out


# --------------------------------------------------------------------------- context rules

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]*)?")
#: Punctuation that ends a noun phrase: words before it are not its determiner.
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]«»\"“”–—]")
_NB_DETERMINERS = frozenset({"den", "det", "de", "denne", "dette", "disse"})
#: Words ending in -e that are not weak adjectives (so cannot sit in "den store X").
_NB_NOT_ADJECTIVES = frozenset(
    {"ble", "bare", "være", "hadde", "kunne", "skulle", "ville", "måtte", "burde", "ikke",
     "ute", "inne", "gjerne", "nesten", "også", "hele", "alle", "begge", "sine", "mine"}
)  # fmt: skip
_EN_DETERMINERS = frozenset({"the", "this", "these", "those"})
_EN_STOP = frozenset(
    {"of", "in", "on", "at", "to", "for", "with", "by", "from", "and", "or", "but", "is",
     "are", "was", "were", "be", "been", "has", "have", "had", "not", "as", "than", "which",
     "who", "that", "it", "its"}
)  # fmt: skip
#: After these (or a genitive) an English form's own leading "the" is dropped.
_EN_TAKES_NO_THE = frozenset(
    {"the", "a", "an", "this", "that", "these", "those", "our", "your", "their", "its",
     "his", "her", "my", "whose", "every", "each", "any", "some", "no"}
)  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?][\"'”’»)\]]*$")
_OPENERS = "\"'“‘«([–—- \t\n"
#: What may precede a sentence's first word on its line: Markdown block markers, openers.
_LINE_LEAD = re.compile(r"[ \t]*(?:(?:[#>*+|-]+|\d+[.)])[ \t]+)*[\"'“‘«(\[–—*_ \t]*")
_BLANK_LINE_END = re.compile(r"(?:\A|\n)[ \t]*\n\Z")
_BLOCK_MARKER = re.compile(r"[#>*+|-]|\d+[.)]")


def _at_sentence_start(text: str, start: int) -> bool:
    """Whether ``text[start]`` begins a sentence (segment, paragraph, list item, heading...)."""
    line_start = text.rfind("\n", 0, start) + 1
    lead = text[line_start:start]
    if _LINE_LEAD.fullmatch(lead):
        if line_start == 0 or _BLOCK_MARKER.search(lead):
            return True
        before = text[:line_start]
        # A wrapped line continues its sentence; a blank line or a full stop ends it.
        return _BLANK_LINE_END.search(before) is not None or _ends_sentence(before)
    return _ends_sentence(lead.rstrip(_OPENERS))


def _ends_sentence(text: str) -> bool:
    return _SENTENCE_END.search(text.rstrip()) is not None


def _words_before(text: str, start: int, n: int) -> list[str]:
    """The last ``n`` words before ``start``, within its clause, nearest last."""
    tail = text[max(0, start - 80) : start]
    breaks = list(_CLAUSE_BREAK.finditer(tail))
    if breaks:
        tail = tail[breaks[-1].end() :]
    return _WORD_RE.findall(tail)[-n:]


def _nb_definite_context(text: str, start: int) -> bool:
    """``den/det/de/denne/dette/disse`` (+ up to two weak adjectives) before ``start``:
    Bokmål's double definite, whose English has one "the" (from the determiner)."""
    words = [w.lower() for w in _words_before(text, start, 3)]
    for k in range(len(words) - 1, -1, -1):
        if words[k] in _NB_DETERMINERS:
            between = words[k + 1 :]
            return all(w.endswith("e") and w not in _NB_NOT_ADJECTIVES for w in between)
        if len(words) - k > 2:
            break
    return False


def _en_definite_context(text: str, start: int) -> bool:
    """ "the/this/these/those" (+ at most one modifier) or "that" right before ``start``."""
    words = [w.lower() for w in _words_before(text, start, 2)]
    if not words:
        return False
    if words[-1] in _EN_DETERMINERS or words[-1] == "that":
        return True
    return len(words) == 2 and words[0] in _EN_DETERMINERS and words[1] not in _EN_STOP


def _en_plural_next(text: str, end: int) -> bool:
    nxt = _WORD_RE.match(text, end + 1) if text[end : end + 1] == " " else None
    if nxt is None:
        return False
    word = nxt.group().lower()
    return word.endswith("s") and not word.endswith(("ss", "us", "is", "'s", "’s"))


_DEFINITE_OF = {"sg": "sg.def", "pl": "pl.def", "sg.gen": "sg.def.gen", "pl.gen": "pl.def.gen"}


def _target_form(text: str, start: int, end: int, entry: Entry, form: Form, source: str) -> str:
    """The target text for ``form`` found at ``text[start:end]``, given its context."""
    if source == "nb":
        out = form.en
        if out.startswith("the ") and _nb_definite_context(text, start):
            out = out[4:]
        return out
    # en -> nb: English marks definiteness before the noun; Bokmål on it.
    if form.cls in _DEFINITE_OF and _en_definite_context(text, start):
        definite = _form_of(entry, _DEFINITE_OF[form.cls])
        if definite is not None:
            return definite.nb
    if entry.inflect == "adj" and (_en_definite_context(text, start) or _en_plural_next(text, end)):
        plural = _form_of(entry, "adj.pl")
        if plural is not None:
            return plural.nb
    return form.nb


def _form_of(entry: Entry, cls: str) -> Form | None:
    return next((f for f in entry.forms if f.cls == cls), None)


_LAST_WORD = re.compile(r"([^\W\d_]+)(\s+)$")
_HYPHEN_JOIN = re.compile(r"[^\W_]-$")


def _fit(prefix: str, term: TermMatch, target: str, gender: str | None) -> tuple[str, str]:
    """Adjust ``term.target_form`` (and the article before it) to the engine's output."""
    form = term.target_form
    if term.kind == "keep":
        return prefix, form
    last = _LAST_WORD.search(prefix)
    prev = last.group(1) if last else ""
    if target == "en":
        if _HYPHEN_JOIN.search(prefix):
            # Bokmål "Arena-klynge" is one word; English writes "Arena cluster".
            prefix = prefix[:-1] + " "
        low = prev.lower()
        if form.startswith("the ") and (
            low in _EN_TAKES_NO_THE or prefix.rstrip().endswith(("'s", "’s", "s'", "s’"))
        ):
            form = form[4:]
        if last is not None and low in ("a", "an"):
            want = "an" if _starts_with_vowel_sound(form) else "a"
            if low != want:
                fixed = want.capitalize() if prev[:1].isupper() else want
                prefix = prefix[: last.start(1)] + fixed + last.group(2)
    elif gender is not None and last is not None and prev.lower() in ("en", "et", "ei"):
        want = "et" if gender == "n" else ("ei" if prev.lower() == "ei" else "en")
        if prev.lower() != want:
            fixed = want.capitalize() if prev[:1].isupper() else want
            prefix = prefix[: last.start(1)] + fixed + last.group(2)
    if form[:1].islower() and _starts_sentence(
        prefix, term.capitalised or term.source_form[:1].isupper()
    ):
        form = form[:1].upper() + form[1:]
    return prefix, form


def _starts_sentence(prefix: str, source_capitalised: bool) -> bool:
    stripped = prefix.rstrip(_OPENERS)
    if not stripped:
        # A segment starts a sentence, or follows inline markup mid-sentence
        # ("**2027:** textiles are…"): the source's own capital tells which.
        return source_capitalised
    # "1. oktober", "f.eks." end in a full stop mid-sentence: trust the source's capital.
    return source_capitalised and _SENTENCE_END.search(stripped) is not None


def _starts_with_vowel_sound(word: str) -> bool:
    low = word.lower()
    if low.startswith(("uni", "use", "usu", "eu", "one", "once")):
        return False
    return low[:1] in "aeiou" or low.startswith(("hour", "honest", "honour"))


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


# --------------------------------------------------------------------------- paragraphs


def _blocks(text: str) -> list[tuple[int, str]]:
    """Paragraphs (split on blank lines) with their offsets."""
    out: list[tuple[int, str]] = []
    for m in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", text):
        out.append((m.start(), m.group()))
    return out


@dataclass(frozen=True)
class _MemoGlossary(Glossary):
    """:meth:`Glossary.memoized`: matches kept per (text, language) for the object's life."""

    _memo: dict[tuple[str, str], list[tuple[re.Match[str], Entry, Form]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def matches(self, text: str, *, lang: str) -> list[tuple[re.Match[str], Entry, Form]]:
        found = self._memo.get((text, lang))
        if found is None:
            found = self._memo[(text, lang)] = super().matches(text, lang=lang)
        return list(found)

    def memoized(self) -> Glossary:
        return self
