"""Character offsets of Moses tokens and BPE pieces (issue 20): in the source, through Moses'
punctuation normaliser, tokenizer and escaping, and in the output, through the ``@@`` join and
Moses' detokenizer; and a run of tokens copied from the source written as the source has it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import copymodel
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_copymodel import engine_safe

from bilingo.tokenizer import BpeTokenizer

#: Brands, Moses' escaped characters, the quotes, dashes and spaces its normaliser rewrites.
HARD = [
    "H&M og Nye & Kloke selger | [x] til 20 % lavere pris…",
    "Han sa \"ja\" og 'nei' – «godt» — “alle” sa ‘nei’ (i 2024).",
    "Prisen er 1\u00a0000 kr, se https://example.com/?a=1&b=2 eller snake_case_navn.",
    "AT&T, <b>-tagger, a > b og [^1]: fotnote&#124;",
    "It's Jones' «book»... and 5 % : ja ; nei ( x ) .",
    'He called it "a small protest against overproduction". And «yo», ok.',
]
ALPHABET = st.sampled_from(
    list("abcHMNæøå019 ")
    + list("&|[]<>\"'«»“”‘’–—…%:;().,-_/\u00a0")
    + ["AT&T", "https://x.no/a?b=1&c=2"]
)
TEXTS = st.lists(ALPHABET, min_size=1, max_size=40).map("".join)


@pytest.fixture(scope="module", params=[("nb", "en"), ("en", "nb")])
def bpe(request: pytest.FixtureRequest, layout_dirs: Callable[[str], Path]) -> BpeTokenizer:
    """The bpe copy package's tokenizer, from Bokmål and from English (whose normaliser
    also moves a full stop or comma before a closing quote: ``".`` is read as ``. "``)."""
    package = layout_dirs("bpe") / copymodel.package_name("nb", "en", "bpe")
    return BpeTokenizer(package / "bpe.model", *request.param)


def argos_pieces(bpe: BpeTokenizer, text: str) -> list[str]:
    """What argostranslate's BPETokenizer reads (escaped as a whole text, not token by token)."""
    words = bpe._tokenizer.tokenize(
        bpe._normalizer.normalize(text), protected_patterns=bpe._protected
    )
    pieces: list[str] = bpe._bpe.segment_tokens(words)
    return pieces


def check_ranges(text: str, pieces: tuple[str, ...], ranges: tuple[tuple[int, int], ...]) -> None:
    """One range a piece, in order, within ``text``, none empty: a token's pieces split its
    range where it is written as it is read, else share it."""
    assert len(ranges) == len(pieces)
    start = 0
    for piece, (a, b) in zip(pieces, ranges, strict=True):
        assert start <= a < b <= len(text), (piece, a, b)
        start = a


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_source_offsets_trace_every_token_back(bpe: BpeTokenizer, text: str) -> None:
    encoded = bpe.encode_spans(text)
    assert list(encoded.pieces) == argos_pieces(bpe, text) == bpe.encode([text])[0]
    if not engine_safe(text):
        return
    assert encoded.ranges, text  # found for every sentence the segmenter sends
    check_ranges(text, encoded.pieces, encoded.ranges)
    for word, (a, b) in zip(encoded.words, encoded.word_ranges, strict=True):
        plain = bpe._detokenizer.unescape_xml(word)
        # Where the normaliser changed nothing, the token is the text; else it stands for
        # the characters it was normalised from ("«" for '"', "…" for "...", '".' for ".").
        assert text[a:b] == plain or plain in bpe._normalizer.normalize(text[a:b]), (word, a, b)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_a_copy_comes_back_byte_for_byte_with_the_source_ranges(
    bpe: BpeTokenizer, text: str
) -> None:
    """The copy model writes the source's pieces: the text is the source (Moses' own
    detokenizer would write "H & M", "20%", '"' for «), each piece where it was."""
    if not engine_safe(text):
        return
    encoded = bpe.encode_spans(text)
    out, ranges = bpe.decode_spans(list(encoded.pieces), encoded, text)
    assert out == text.strip()
    assert ranges == encoded.ranges


@pytest.mark.parametrize("text", HARD)
def test_brands_escapes_and_quotes_are_kept(bpe: BpeTokenizer, text: str) -> None:
    encoded = bpe.encode_spans(text)
    assert any("&amp;" in w or "&quot;" in w or "&#124;" in w for w in encoded.words)
    assert bpe.decode(list(encoded.pieces)) != text  # Moses alone: "H & M", "20%", '"'
    out, ranges = bpe.decode_spans(list(encoded.pieces), encoded, text)
    assert out == text
    check_ranges(out, encoded.pieces, ranges)


def test_only_copied_runs_follow_the_source(bpe: BpeTokenizer) -> None:
    """A changed first word is the model's own (Moses' spacing); the copied rest is the
    source's; a single copied token is no run ("&" between words the model wrote)."""
    text = "fikk H&M 20 % «godt»?"
    encoded = bpe.encode_spans(text)
    first = bpe.encode(["Fikk"])[0]
    rest = list(encoded.pieces)[len(bpe.encode(["fikk"])[0]) :]
    out, ranges = bpe.decode_spans([*first, *rest], encoded, text)
    assert out == "Fikk H&M 20 % «godt»?"
    n = len(first)
    assert out[ranges[0][0] : ranges[n - 1][1]] == "Fikk"
    assert [out[a:b] for a, b in ranges[n : n + 3]] == ["H", "&", "M"]
    other = bpe.encode(["Jeg & du"])[0]
    out, _ = bpe.decode_spans(other, encoded, text)
    assert out == bpe.decode(other) == "Jeg & du"
