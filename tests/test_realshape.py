"""Copy models of the real packages' shape (issue 20): the alignment head nobody trained
(``copymodel.Head``) and a model that capitalises the first piece of whatever it is given.

The OPUS-MT nb<->en packages were trained without guided alignment, and
``ct2-marian-converter`` records head 0 of the last decoder layer as their alignment head:
the attention ``return_attention`` gives (and ``replace_unknowns`` reads) is not an alignment.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import copymodel
import pytest
from test_copymodel import engine_safe, markdown_sentences

from bilingo.engine import ArgosEngine, find_package
from bilingo.inline import word_alignment, words

ShapeDirs = Callable[..., Path]


def engine_for(folder: Path, monkeypatch: pytest.MonkeyPatch) -> ArgosEngine:
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(folder))
    return ArgosEngine(find_package("nb", "en"), beam_size=2)


def sample() -> list[str]:
    return [s for s in markdown_sentences()[:120] if engine_safe(s)]


@pytest.mark.parametrize("layout", ["shared", "bpe"])
def test_untrained_head_leaves_the_output_unchanged(
    layout: str, shape_dirs: ShapeDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_for(shape_dirs(layout, "shifted"), monkeypatch)
    sentences = sample()
    out = engine.translate(sentences)
    assert out == [copymodel.expected_output(layout, s, "nb", "en") for s in sentences]  # type: ignore[arg-type]


def test_shifted_head_attends_one_piece_on(
    shape_dirs: ShapeDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_for(shape_dirs("shared", "shifted"), monkeypatch)
    sentence = "Grunnlaget for en næringsklynge for mote ble lagt i 2014."
    result = engine.translate_aligned([sentence])[0]
    assert result.text == sentence
    pairs = word_alignment(words(sentence), words(result.text), result.pairs)
    off = sum(1 for s, t in pairs if s == t + 1)
    assert off >= len(words(sentence)) - 2, pairs  # all but the last: the head looks one on


@pytest.mark.parametrize("layout", ["shared", "bpe"])
def test_first_capital_capitalises_only_the_first_piece(
    layout: str, shape_dirs: ShapeDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_for(shape_dirs(layout, "shifted", first_capital=True), monkeypatch)
    sentences = [*sample(), "fikk offisiell Arena-status i juni 2014", "og i år"]
    out = engine.translate(sentences)
    want = [
        copymodel.expected_output(layout, s, "nb", "en", first_capital=True)  # type: ignore[arg-type]
        for s in sentences
    ]
    assert out == want
    assert "Fikk offisiell Arena-status i juni 2014" in out


def test_unknown_pieces_come_back_in_order_not_through_the_head(
    shape_dirs: ShapeDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CTranslate2's replace_unknowns fills each <unk> with the source piece the head looks
    at: on the shifted head the next word ("og og", the issue's duplicated words). The
    aligned path puts the placeholders back in order instead, and says so (``sure``)."""
    engine = engine_for(shape_dirs("shared", "shifted"), monkeypatch)
    sentence = "Koden er \ue000 og påmelding skjer på \ue001."
    assert engine.translate([sentence]) != [sentence]  # the head's replace_unknowns
    result = engine.translate_aligned([sentence])[0]
    assert result.text == sentence
    assert [(sentence[a:b].strip(), result.text[c:d].strip()) for a, b, c, d in result.sure] == [
        ("\ue000", "\ue000"),
        ("\ue001", "\ue001"),
    ]
