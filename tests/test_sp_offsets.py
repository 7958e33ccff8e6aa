"""Character offsets of SentencePiece pieces (issue 20): in the source, SentencePiece's own
offsets into the text as written (its normaliser, nmt_nfkc, reads "…" as "...", a no-break
space as a space, "ﬁ" as "fi"); in the output, a run of pieces copied from the source written
as the source has it. The SentencePiece side of ``test_bpe_offsets``."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import copymodel
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bilingo.tokenizer import CONTROL_TOKENS, SentencePieceTokenizer, pieces_to_text

#: What NFKC changes, in sentences: ellipses, no-break, narrow and ideographic spaces,
#: ligatures, full-width letters and digits, fractions, superscripts, "™", circled digits.
HARD = [
    "Prisen er 1\u00a0000 kr for H&M… og «Nye & Kloke» [i 2024]…",
    "Den ﬁne ﬂaska fra Ａ２-serien koster ½ pris……",
    "ja\u202fnei, Merke™ er 5\u00a0% billigere\u3000i år ①",
    "x² og ǅ…",
]
#: NFKC-changing characters, and what the segmenter sends (``test_copymodel.engine_safe``).
CHANGED = [*"…ﬁﬂＡ２½™ǅ①ｶ²", "\u00a0", "\u202f", "\u3000"]
ALPHABET = st.sampled_from([*"abcHMNæøå019 ", *"&|[]<>\"'«»“”‘’–—%:;().,-_/", *CHANGED, "AT&T"])
TEXTS = (
    st.lists(ALPHABET, min_size=1, max_size=40)
    .map(lambda parts: "".join(parts).strip())
    .filter(lambda text: bool(text) and not re.search(r"\s\s", text))
)


@pytest.fixture(scope="module")
def sp(layout_dirs: Callable[[str], Path]) -> SentencePieceTokenizer:
    """The shared copy package's tokenizer, as Argos' packages have it (nmt_nfkc)."""
    package = layout_dirs("shared") / copymodel.package_name("nb", "en")
    return SentencePieceTokenizer(package / "sentencepiece.model")


def reads(sp: SentencePieceTokenizer, text: str) -> str:
    """``text`` as SentencePiece reads it (its normaliser): what the model is given."""
    normalised: str = sp.processor.normalize(text)
    return normalised


def check_ranges(text: str, ranges: tuple[tuple[int, int], ...]) -> None:
    """In order within ``text``, ending at its end; each piece from where the one before ends
    (its space included), or spanning the character it shares with the one before."""
    assert ranges and ranges[-1][1] == len(text)
    end = 0
    for a, b in ranges:
        assert 0 <= a <= b <= len(text) and b >= end, ranges
        assert a == end or (a < end and b == end), ranges
        end = b


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_source_offsets_trace_every_piece_back(sp: SentencePieceTokenizer, text: str) -> None:
    encoded = sp.encode_spans(text)
    assert list(encoded.pieces) == sp.encode([text])[0]
    assert "".join(text[a:b] for a, b in encoded.ranges) == text
    assert encoded.ranges[-1][1] == len(text)
    # Where the pieces read as the text, their ranges are SentencePiece's own offsets too.
    traced = sp._traced(text)
    assert (traced.pieces, traced.ranges) == (encoded.pieces, encoded.ranges)
    assert encoded.word_ranges == () or encoded == traced
    encoded = traced
    # Each cluster (pieces whose range is empty, a piece that ends inside a character, and
    # the piece after) is written in the text as what the model reads: its pieces.
    start = 0
    for i, (a, b) in enumerate(encoded.word_ranges):
        if i + 1 < len(encoded.pieces) and (a == b or encoded.joined[i]):
            continue
        written = text[encoded.word_ranges[start][0] : b]
        said = "".join(encoded.pieces[start : i + 1]).removeprefix("\u2581")
        assert reads(sp, written).removeprefix("\u2581") == said, (written, said)
        assert not written[:1].isspace()  # the space before a piece is its ``▁``
        start = i + 1


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_a_copy_comes_back_byte_for_byte(sp: SentencePieceTokenizer, text: str) -> None:
    """The copy model writes the source's pieces: the text is the source ("…", not the
    "..." the pieces hold), each piece where it was; where NFKC changes nothing, the ranges
    are those of the pieces alone."""
    encoded = sp.encode_spans(text)
    pieces = list(encoded.pieces)
    out, ranges = sp.decode_spans(pieces, encoded, text)
    assert out == text
    check_ranges(out, ranges)
    assert len(ranges) == len(pieces)
    for (a, b), (c, d) in zip(encoded.ranges, ranges, strict=True):
        assert c <= a and b <= d  # where it was, or spanning the characters it shares
    if unicodedata.normalize("NFKC", text) == text and text.isprintable():
        assert out == sp.decode(pieces)
        assert ranges == sp.decode_spans(pieces)[1] == encoded.ranges


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.data())
def test_what_the_model_wrote_is_what_it_reads(
    sp: SentencePieceTokenizer, text: str, data: st.DataObject
) -> None:
    """Whatever the model wrote instead of a copy (pieces replaced, dropped, added, the
    source's own among them), the text reads as its pieces: only what NFKC changed follows
    the source, never a word the model did not write (a piece that ends inside a source
    character, "……" read as "...." "..", is never written as the whole character)."""
    encoded = sp.encode_spans(text)
    pieces = list(encoded.pieces)
    others = [p for p in sp.vocabulary() if p not in CONTROL_TOKENS]
    choices = st.sampled_from(encoded.pieces) | st.sampled_from(others)
    for _ in range(data.draw(st.integers(1, 4))):
        edit = data.draw(st.sampled_from(["replace", "delete", "insert"]))
        k = data.draw(st.integers(0, len(pieces) - 1))
        if edit == "replace":
            pieces[k] = data.draw(choices)
        elif edit == "delete" and len(pieces) > 1:
            del pieces[k]
        else:
            pieces.insert(k, data.draw(choices))
    out, ranges = sp.decode_spans(pieces, encoded, text)
    assert reads(sp, out) == reads(sp, pieces_to_text(pieces))
    if ranges:
        check_ranges(out, ranges)
        assert len(ranges) == len(pieces)


@pytest.mark.parametrize("text", HARD)
def test_normalised_characters_are_kept(sp: SentencePieceTokenizer, text: str) -> None:
    encoded = sp.encode_spans(text)
    assert sp.decode(list(encoded.pieces)) != text  # the pieces alone: "...", " ", "fi"
    out, ranges = sp.decode_spans(list(encoded.pieces), encoded, text)
    assert out == text
    check_ranges(out, ranges)


def test_only_copied_runs_follow_the_source(sp: SentencePieceTokenizer) -> None:
    """A changed first word is the model's own; the copied rest is the source's, "…" and the
    no-break space included; what the model wrote alone stays as its pieces say."""
    text = "fikk 1\u00a0000 kr… ja"
    encoded = sp.encode_spans(text)
    first = sp.encode(["Fikk"])[0]
    rest = list(encoded.pieces)[len(sp.encode(["fikk"])[0]) :]
    out, ranges = sp.decode_spans([*first, *rest], encoded, text)
    assert out == "Fikk 1\u00a0000 kr… ja"
    assert out[: ranges[len(first) - 1][1]] == "Fikk"
    other = sp.encode(["Jeg 1 ﬁ"])[0]  # "ﬁ" read as "fi": not the source's
    out, _ = sp.decode_spans(other, encoded, text)
    assert out == sp.decode(other) == "Jeg 1 fi"
