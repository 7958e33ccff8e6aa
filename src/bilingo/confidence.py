"""How sure the machine was of each paragraph it wrote: the provenance's ``confidence:`` line.

Per twin paragraph, the lowest length-normalised log-probability among its machine
sentences (:func:`bilingo.engine.normalised_score`, which beam search computes anyway), with
the cheap signals real output shows when it goes wrong: a phrase repeated that the source
does not repeat, a length far from the source's, a long source sentence copied
untranslated (argos-translate #318, #428; LibreTranslate #136, #439). ``check``, ``diff``
and ``review`` read the tokens (:mod:`bilingo.verdicts`); nothing is measured there.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

from bilingo.document import Document
from bilingo.twin_records import Confidence

#: A word n-gram written this many times, more often than in the source: a repetition.
REPEAT_N = 3
REPEAT_TIMES = 3
#: Twin length over source length outside these bounds (source of at least LENGTH_MIN
#: characters): a dropped clause or runaway output.
LENGTH_RATIO = (0.5, 2.0)
LENGTH_MIN = 40
#: A source sentence of at least this many words found verbatim in a twin paragraph that
#: is otherwise translated: left untranslated.
COPY_WORDS = 8

_WORD_RE = re.compile(r"\w+")


def _ngrams(text: str) -> Counter[tuple[str, ...]]:
    words = _WORD_RE.findall(text.lower())
    return Counter(tuple(words[k : k + REPEAT_N]) for k in range(len(words) - REPEAT_N + 1))


def signals(source: str, twin: str, sentences: Collection[str] = ()) -> str:
    """The cheap signal letters (:data:`bilingo.twin_records.SIGNALS`) of one paragraph."""
    out = ""
    theirs, ours = _ngrams(source), _ngrams(twin)
    if any(n >= REPEAT_TIMES and n > theirs[g] for g, n in ours.items()):
        out += "r"
    if len(source) >= LENGTH_MIN and not (
        LENGTH_RATIO[0] <= len(twin) / len(source) <= LENGTH_RATIO[1]
    ):
        out += "l"
    if source.strip() != twin.strip() and any(
        len(s.split()) >= COPY_WORDS and s in twin for s in sentences
    ):
        out += "c"
    return out


#: One sentence of a paragraph or field: its source text (for the copy signal; "" for a
#: paragraph that has no readable sentences) and the keys of what the engine translated for
#: it: the sentence's own key translated whole, or its segments' texts translated in pieces
#: (``--inline fragments``, or a sentence whose markup could not be carried across).
Sentence = tuple[str, Sequence[str]]


def token(
    source: str, twin: str, sentences: Sequence[Sentence], scores: Mapping[str, float]
) -> str:
    """The :class:`Confidence` token of one machine paragraph or field: its lowest
    sentence's score (a sentence scored as its lowest piece), rounded, and its signals."""
    measured = []
    for n, (_, keys) in enumerate(sentences):
        found = [scores[k] for k in keys if k in scores]
        if found:
            measured.append((min(found), n))
    low = min(measured, default=None)
    found_signals = signals(source, twin, [text for text, _ in sentences if text])
    score = round(low[0], 2) + 0.0 if low else None
    return Confidence(score, low[1] if low else 0, found_signals).token()


def paragraph_tokens(
    source: Document,
    twin: Document,
    scores: Mapping[str, float],
    *,
    units: Mapping[int, Sequence[Sentence]],
    kept: Collection[int],
) -> tuple[str, ...] | None:
    """The ``confidence:`` tokens of a twin rendered from ``source`` block by block.

    ``units`` maps a source block to its sentences (in order), ``scores`` a key to its
    score, ``kept`` the blocks a person's text was kept in (no machine text: ``-``). None
    when the blocks do not pair or nothing was measured."""
    if len(source.blocks) != len(twin.blocks):
        return None
    out = [
        "-"
        if block.index in kept
        else token(block.text, written.text, units.get(block.index, ()), scores)
        for block, written in zip(source.blocks, twin.blocks, strict=True)
    ]
    return tuple(out) if any(t != "-" for t in out) else None
