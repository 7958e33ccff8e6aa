"""Which alignment a whole sentence's markup is placed by: one bilingo has checked.

The attention CTranslate2 returns (``return_attention``) is the alignment head the converter
recorded: head 0 of the last decoder layer. OPUS-MT "transformer" models, the nb<->en Argos
packages among them, were never trained to align, so that head may look anywhere. Every
sentence already holds *anchors*, pairs known without the head:

* the model's unknown pieces (placeholders of literals and glossary terms), put back in order
  by the engine (:attr:`bilingo.engine.Aligned.sure`);
* copied names and numbers: a word written the same on both sides, once on each, that holds
  a digit, a capital or a placeholder, or is long enough not to be a common short word.

The attention is used for a sentence only where it agrees with them (:func:`agreement`);
otherwise spans are placed by *prediction difference* (Li et al., ACL 2019, "On the Word
Alignment from Neural Machine Translation"): mask the span's source pieces, score the output
the model already wrote (``score_batch``), and the target pieces that lose probability are
the span's (:func:`difference_pairs`). Only the spans are scored, never every word. Pure
apart from the engine call the caller makes; no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from bilingo.engine import Aligned
from bilingo.inline import Sentence, source_words, word_alignment, words

__all__ = [
    "AGREEMENT",
    "Agreement",
    "agreement",
    "anchors",
    "difference_pairs",
    "masked_ranges",
    "whole_spans_only",
    "with_pairs",
]

#: The share of a sentence's anchors its attention must agree with to be used, and how
#: many anchors that takes (one may agree by chance: a head shifted by one still lands on the
#: last word).
AGREEMENT = 0.8
MIN_ANCHORS = 2
#: A masked span's target pieces lose at least this share of the largest loss (nats) ...
_DROP_SHARE = 0.5
#: ... and at least this much.
_MIN_DROP = 1.0

WordPair = tuple[int, int]
CharPair = tuple[int, int, int, int]


@dataclass(frozen=True)
class Agreement:
    """How many of a sentence's anchors its attention agrees with."""

    agree: int
    anchors: int

    @property
    def trusted(self) -> bool:
        return self.anchors >= MIN_ANCHORS and self.agree >= AGREEMENT * self.anchors

    def __add__(self, other: Agreement) -> Agreement:
        return Agreement(self.agree + other.agree, self.anchors + other.anchors)


def _is_placeholder(text: str) -> bool:
    return len(text) == 1 and 0xE000 <= ord(text) <= 0xF8FF


def _anchor_word(text: str) -> bool:
    return (
        _is_placeholder(text)
        or any(ch.isdigit() for ch in text)
        or any(ch.isupper() for ch in text[1:])
        or (text[:1].isupper() and len(text) > 1)
        or (len(text) >= 5 and text.isalpha())
    )


def anchors(sentence: Sentence, target: str, result: Aligned) -> set[WordPair]:
    """Word pairs (:func:`bilingo.inline.source_words`, :func:`bilingo.inline.words`) known
    without the alignment head: the engine's unknown pieces, and copied names and numbers."""
    src = source_words(sentence)
    tgt = words(target)
    out = set(word_alignment(src, tgt, result.sure))
    src_text = [sentence.text[a:b] for a, b in src]
    tgt_text = [target[a:b] for a, b in tgt]
    src_count, tgt_count = Counter(src_text), Counter(tgt_text)
    where = {w: j for j, w in enumerate(tgt_text)}
    for i, word in enumerate(src_text):
        if src_count[word] == 1 and tgt_count.get(word) == 1 and _anchor_word(word):
            out.add((i, where[word]))
    return out


def agreement(attention: Iterable[WordPair], sure: Iterable[WordPair]) -> Agreement:
    """How many anchors ``sure`` the word pairs ``attention`` hold, the anchor's target word
    with no other source word: a head one piece off still lands inside a word of several
    BPE pieces, and only its last piece on the next word."""
    seen: dict[int, set[int]] = {}
    for s, t in attention:
        seen.setdefault(t, set()).add(s)
    found = set(sure)
    return Agreement(sum(seen.get(t) == {s} for s, t in found), len(found))


def whole_spans_only(sentence: Sentence, pairs: Iterable[WordPair]) -> set[WordPair]:
    """``pairs`` less those of the words of any span not every word of which they hold:
    anchored words alone would shrink the span onto them ("to *Scandinavian*")."""
    src = source_words(sentence)
    held = set(pairs)
    aligned = {s for s, _ in held}
    drop: set[int] = set()
    for span in sentence.spans:
        own = {
            i
            for i, (a, b) in enumerate(src)
            if span.start <= a and b <= span.end and sentence.text[a:b].strip()
        }
        if not own <= aligned:
            drop |= own
    return {(s, t) for s, t in held if s not in drop}


def masked_ranges(
    sentence: Sentence, target: str, anchored: Iterable[WordPair] = ()
) -> list[tuple[int, int]]:
    """The source character ranges to mask, only where something is placed: each span
    (outer spans too: :func:`bilingo.inline.project` nests them), the source words either side of
    each placeholder the translation ``target`` lost (it goes back between theirs), and the
    word after each line break or other kept whitespace. Less each range every word of which
    the word pairs ``anchored`` (:func:`anchors`) already place: scoring it would tell
    nothing they do not (the scoring is most of placement's cost)."""
    out = [(span.start, span.end) for span in sentence.spans]
    src = source_words(sentence)
    for lit in sentence.literals:
        if lit.placeholder not in target:  # the model reads it as <unk>: mask its neighbours
            out += [
                (a, b)
                for a, b in src
                if b == lit.pos - 1 or b == lit.pos or a in (lit.pos + 1, lit.pos + 2)
            ][:2]
    for mark in sentence.marks:
        after = next(((a, b) for a, b in src if a > mark.pos), None)
        if after is not None:
            out.append(after)
    placed = {s for s, _ in anchored}
    text = sentence.text
    return [
        (start, end)
        for start, end in out
        if any(
            i not in placed
            for i, (a, b) in enumerate(src)
            if start <= a and b <= end and text[a:b].strip()
        )
    ]


def difference_pairs(
    sentence: Sentence,
    result: Aligned,
    ranges: Sequence[tuple[int, int]],
    drops: Sequence[Sequence[float]],
) -> set[WordPair]:
    """Word pairs from prediction difference: the source words of each of ``ranges`` with
    the target words whose pieces lost most when that range was masked (``drops[n]``, one
    value per :attr:`Aligned.target_ranges` entry)."""
    target = result.text
    src = source_words(sentence)
    tgt = words(target)
    out: set[WordPair] = set()
    for (start, end), loss in zip(ranges, drops, strict=False):
        if not loss:
            continue
        top = max(loss)
        if top < _MIN_DROP:
            continue
        cut = max(_MIN_DROP, _DROP_SHARE * top)
        own = [i for i, (a, b) in enumerate(src) if start <= a and b <= end]
        pieces = [
            result.target_ranges[j]
            for j, value in enumerate(loss)
            if value >= cut and j < len(result.target_ranges)
        ]
        hit = {
            j
            for j, (a, b) in enumerate(tgt)
            for c, d in pieces
            if a < d and c < b and target[c:d].strip()
        }
        out.update((i, j) for i in own for j in hit)
    return out


def with_pairs(
    sentence: Sentence, result: Aligned, pairs: Iterable[WordPair], *, strict: bool = False
) -> Aligned:
    """``result`` with its alignment replaced by word pairs (as character ranges, which
    :func:`bilingo.inline.word_alignment` reads back to the same word pairs); ``strict``:
    they are only checked ones (:attr:`bilingo.engine.Aligned.strict`)."""
    src = source_words(sentence)
    tgt = words(result.text)
    chars: list[CharPair] = [
        (*src[s], *tgt[t]) for s, t in sorted(set(pairs)) if s < len(src) and t < len(tgt)
    ]
    return replace(result, pairs=tuple(chars), strict=strict)
