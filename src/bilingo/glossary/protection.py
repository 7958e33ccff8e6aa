"""Enforcing the glossary: :func:`protect` swaps every matched term of a segment for a
placeholder before the engine, :meth:`Protected.restore` puts the right target form back
(the context rules: definiteness, a/an, en/et, capitals), :func:`check` finds the terms a
twin lacks.

Imported on first use (:meth:`Glossary.protect`, :meth:`Glossary.check`): a run that only
loads the glossary, for its hash (``check`` on sealed pairs), builds none of this.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bilingo.errors import BilingoError
from bilingo.glossary.matching import (
    _OPENERS,
    _SENTENCES,
    Entry,
    Form,
    Glossary,
    Kind,
)

#: First code point of the placeholders (Unicode's Private Use Area in the BMP).
_PUA_FIRST, _PUA_LAST = 0xE000, 0xF8FF
_PUA_RE = re.compile("[\ue000-\uf8ff]")


# --------------------------------------------------------------------------- results


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


# --------------------------------------------------------------------------- protect, check


def protect(glossary: Glossary, text: str, *, source: str, target: str) -> Protected:
    """Swap every term of ``text`` (one prose segment) for a placeholder."""
    found = glossary.matches(text, lang=source) if source != target else []
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
    glossary: Glossary,
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
    Markdown of the site's ``dialects``; ``masks``: their prose masks, when known).

    Counts occurrences per entry, any form: a paragraph with two "næringsklynger" needs
    two forms of "business cluster" in the twin's paragraph. Paragraphs are compared one
    to one when both texts have as many; otherwise the whole texts are.
    """
    if not glossary.entries or source == target:
        return []
    if masks is None:
        # Only prose is translated (bilingo.document): terms in code, links or shortcodes
        # are neither protected nor looked for. Imported here: `bilingo check` loads the
        # glossary for its hash without paying for the Markdown parser.
        from bilingo.document import prose_mask

        masks = prose_mask(source_text, dialects=dialects), prose_mask(twin_text, dialects=dialects)
    src, twin = masks
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
        for _, entry, _ in glossary.matches(t_block, lang=target):
            key = id(entry)
            have[key] = have.get(key, 0) + 1
        leftovers: dict[int, str] = {}
        for match, entry, _ in glossary.matches(t_block, lang=source):
            if entry.kind == "term" and entry.nb != entry.en:
                leftovers.setdefault(id(entry), match.group())
        seen: dict[int, int] = {}
        for match, entry, form in glossary.matches(s_block, lang=source):
            key = id(entry)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] <= have.get(key, 0):
                continue
            start = s_off + match.start()
            expected = _target_form(source_text, start, s_off + match.end(), entry, form, source)
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


def _blocks(text: str) -> list[tuple[int, str]]:
    """Paragraphs (split on blank lines) with their offsets."""
    out: list[tuple[int, str]] = []
    for m in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", text):
        out.append((m.start(), m.group()))
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
    return source_capitalised and _SENTENCES.end.search(stripped) is not None


def _starts_with_vowel_sound(word: str) -> bool:
    low = word.lower()
    if low.startswith(("uni", "use", "usu", "eu", "one", "once")):
        return False
    return low[:1] in "aeiou" or low.startswith(("hour", "honest", "honour"))


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
