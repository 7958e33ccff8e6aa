"""The engine's alignment (CTranslate2 ``return_attention``) on the copy models.

A copy model copies source position t at step t in every layer and head, so its alignment
is the diagonal: every target word comes from the same source word.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bilingo.engine import ArgosEngine, find_package
from bilingo.inline import word_alignment, words

SENTENCES = [
    "Les mer om Norwegian Fashion Hub og Arena-programmet her.",
    "Klyngen har hatt en rekke prosjekter for ombruk av klær, bl.a. «Tekstil 2030».",
    "Kjør \ue000 før du publiserer \ue001.",
    "Æ ø å – 43 % av tekstilene (2015) ble gjenbrukt.",
    "x",
]


@pytest.fixture(scope="module")
def engine(argos_packages_dir: Path) -> ArgosEngine:
    return ArgosEngine(find_package("nb", "en"), beam_size=2)


def test_copy_model_alignment_is_the_diagonal(engine: ArgosEngine) -> None:
    results = engine.translate_aligned(SENTENCES)
    assert [r.text for r in results] == SENTENCES == engine.translate(SENTENCES)
    for sentence, result in zip(SENTENCES, results, strict=True):
        assert result.pairs, sentence
        src, tgt = words(sentence), words(result.text)
        pairs = word_alignment(src, tgt, result.pairs)
        assert pairs == [(i, i) for i in range(len(src))], sentence
        for s0, s1, t0, t1 in result.pairs:  # piece level: same characters on both sides
            assert sentence[s0:s1].strip() == result.text[t0:t1].strip()


def test_no_segments_no_work(engine: ArgosEngine) -> None:
    assert engine.translate_aligned([]) == []


def test_dropping_model_writes_a_space_for_what_it_cannot_read(
    dropping_packages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(dropping_packages_dir))
    dropping = ArgosEngine(find_package("nb", "en"), beam_size=2)
    out = dropping.translate_aligned(SENTENCES)
    assert [r.text for r in out] == [
        s.replace("\ue000", " ").replace("\ue001", " ") for s in SENTENCES
    ]
    # Its alignment is still the diagonal for every word it wrote.
    src, tgt = words(SENTENCES[2]), words(out[2].text)
    assert [
        (SENTENCES[2][src[i][0] : src[i][1]], out[2].text[tgt[j][0] : tgt[j][1]])
        for i, j in word_alignment(src, tgt, out[2].pairs)
    ] == [("Kjør", "Kjør"), ("før", "før"), ("du", "du"), ("publiserer", "publiserer"), (".", ".")]
