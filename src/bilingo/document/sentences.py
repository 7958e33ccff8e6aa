"""Whitespace and sentences: where prose is cut into the pieces a segment can be."""

from __future__ import annotations

import re
from collections.abc import Iterator

NEWLINE_RE = re.compile(r"\r\n?|\n")

# Characters SentencePiece would normalise away or rewrite: all whitespace, C0/C1
# controls and invisible format characters.  Segments never contain them; one plain
# space between two other characters is the only exception.
_SEPARATORS = (
    r"\s\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u206f\ufeff\ufff9-\ufffb"
)
_CHUNK_RE = re.compile(rf"[^{_SEPARATORS}]+(?: [^{_SEPARATORS}]+)*")
LETTER_RE = re.compile(r"[^\W\d_]")

# Sentence end: terminal punctuation, optional closers, exactly one space.  Colons and
# semicolons do not end sentences: "sier han: «...»" reads best as one unit.
# Its first character class written out, not in a repeat: the regex engine then scans for
# it instead of trying a match at every position (prose_spans searches every text run).
_SENTENCE_END_RE = re.compile(r"([.!?][.!?]*)[»\"”’')\]]* ")
_OPENERS = "«\"“‘'(["
_DASHES = "–—"
_DOTTED_RE = re.compile(r"(?:[^\W\d_]{1,5}\.)+[^\W\d_]{1,5}")  # bl.a, f.eks, U.S, m.a.o
# Lower-case, without the final dot.  Erring towards not splitting is safe: a missed
# boundary only makes a longer segment, a wrong one cuts a sentence in half.
_ABBREVIATIONS = frozenset(
    """
    adm adr ang ant avd bl ca co corp dept dir div dr ekskl etc evt ev fig fr gen hhv hr
    ifm iflg ift iht inc inkl jf jfr jr kap kl kr ltd mfl mht mill mnd mob mr mrd mrs ms
    mtp mv no nr osv pga pkt pr prof pst red ref resp sek sen sr st stk tel tilsv tlf vedr
    vha vol vs jan feb apr aug sep sept okt oct nov des dec
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def prose_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each whitespace-free chunk's sentences in text[start:end], in order
    (a list: segmenting calls this for every text run, and generators cost more)."""
    if _SENTENCE_END_RE.search(text, start, end) is None:
        # No sentence end in the whole range, so none in any chunk: each is one piece.
        return [chunk.span() for chunk in _CHUNK_RE.finditer(text, start, end)]
    out: list[tuple[int, int]] = []
    for chunk in _CHUNK_RE.finditer(text, start, end):
        _split(text, chunk.start(), chunk.end(), out)
    return out


def sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    _split(text, start, end, out)
    return iter(out)


def _split(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    """Append (start, end) of each sentence of text[start:end] to ``out``."""
    pos = start
    for m in _SENTENCE_END_RE.finditer(text, start, end):
        if _is_sentence_end(text, m, start, end):
            out.append((pos, m.end() - 1))
            pos = m.end()
    out.append((pos, end))


def _is_sentence_end(text: str, m: re.Match[str], start: int, end: int) -> bool:
    # The next sentence must start with a capital, possibly after «, ( or a dialogue dash.
    r = m.end()
    while r < end and text[r] in _OPENERS:
        r += 1
    if r < end and text[r] in _DASHES:
        r += 1
        if r < end and text[r] == " ":
            r += 1
        while r < end and text[r] in _OPENERS:
            r += 1
    if r >= end or not text[r].isupper():
        return False
    if m.group(1) != ".":
        return True
    space = text.rfind(" ", start, m.start())
    word = text[space + 1 if space >= 0 else start : m.start()].lstrip(_OPENERS)
    if not word:
        return True
    if word.lower() in _ABBREVIATIONS or _DOTTED_RE.fullmatch(word):
        return False
    if len(word) == 1 and word.isalpha():  # an initial: "Hans E. Melandsø"
        return False
    # "1. oktober", "3. plass": short numbers with a dot are ordinals; "i 2014. Siden" ends.
    return not (word.isdigit() and len(word) <= 3)


def split_sentences(text: str) -> list[str]:
    """Split prose into the whitespace-free pieces a segment can be, in order.

    Cuts at sentence ends and at any whitespace other than one space between words; the
    whitespace itself is dropped.  Pieces without letters are returned too (``segment``
    keeps those literal).
    """
    return [text[a:b] for a, b in prose_spans(text, 0, len(text))]
