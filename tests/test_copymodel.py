"""The copy model: a real Argos package that returns its input, built offline from numpy.

Everything here runs through CTranslate2 and SentencePiece on *installed* packages, found the
way bilingo finds them, so a pass means the model really copies on the production code path.
"""

from __future__ import annotations

import itertools
import json
import time
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import argostranslate.package
import argostranslate.settings
import copymodel
import ctranslate2
import pytest
import sentencepiece as spm

from bilingo.engine import ArgosEngine, PackageInfo, installed_packages
from bilingo.tokenizer import open_tokenizer

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "articles"
FIXTURES = ROOT / "tests" / "fixtures"
PAIRS = [("nb", "en"), ("en", "nb")]


@dataclass(frozen=True)
class CopyModel:
    translator: Any  # ctranslate2.Translator
    sp: Any  # sentencepiece.SentencePieceProcessor

    def pieces(self, texts: Sequence[str]) -> list[list[str]]:
        return [self.sp.encode(text, out_type=str) for text in texts]

    def translate(self, texts: Sequence[str], beam_size: int = 1, **options: Any) -> list[str]:
        pieces = self.pieces(texts)
        options.setdefault("max_decoding_length", max(256, *(len(p) + 8 for p in pieces)))
        results = self.translator.translate_batch(
            pieces, beam_size=beam_size, replace_unknowns=True, **options
        )
        return [self.sp.decode(result.hypotheses[0]) for result in results]


def load(package_path: Path) -> CopyModel:
    return CopyModel(
        ctranslate2.Translator(str(package_path / "model"), device="cpu"),
        spm.SentencePieceProcessor(model_file=str(package_path / "sentencepiece.model")),
    )


@pytest.fixture(scope="module")
def copy_models(argos_packages_dir: Path) -> dict[tuple[str, str], CopyModel]:
    packages = argostranslate.package.get_installed_packages(path=[argos_packages_dir])
    return {(p.from_code, p.to_code): load(Path(p.package_path)) for p in packages}


def markdown_sentences() -> list[str]:
    """Every sentence of every article and fixture, split trivially (". " and newlines)."""
    files = sorted([*ARTICLES.rglob("*.md"), *FIXTURES.rglob("*.md")])
    assert files, "no Markdown files to test on"
    text = "\n".join(path.read_text(encoding="utf-8") for path in files)
    return [s.strip() for line in text.splitlines() for s in line.split(". ") if s.strip()]


def engine_safe(text: str) -> bool:
    """What bilingo's segmenter sends to the engine: NFKC-stable, single spaces, printable."""
    return (
        unicodedata.normalize("NFKC", text) == text
        and " ".join(text.split()) == text
        and text.isprintable()
    )


def test_both_pairs_install_and_are_found(argos_packages_dir: Path) -> None:
    packages = argostranslate.package.get_installed_packages(path=[argos_packages_dir])
    assert sorted((p.from_code, p.to_code) for p in packages) == sorted(PAIRS)
    for package in packages:
        assert package.type == "translate"
        assert "copy model" in (package.get_readme() or "")
        metadata = json.loads((package.package_path / "metadata.json").read_text("utf-8"))
        assert metadata["bilingo_copy_model"] is True
    # The fixture points argostranslate's default lookup there too, never at $HOME.
    assert argostranslate.settings.package_dirs == [argos_packages_dir]
    found = {(p.from_code, p.to_code) for p in argostranslate.package.get_installed_packages()}
    assert found == set(PAIRS)


@pytest.mark.parametrize("beam_size", [1, 4])
@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: "-".join(pair))
def test_every_sentence_comes_back_exactly(
    copy_models: dict[tuple[str, str], CopyModel], pair: tuple[str, str], beam_size: int
) -> None:
    model = copy_models[pair]
    sentences = markdown_sentences()
    outputs = model.translate(sentences, beam_size=beam_size)
    for sentence, output in zip(sentences, outputs, strict=True):
        # The model adds nothing to SentencePiece's own round trip (nmt_nfkc normalisation)...
        roundtrip = model.sp.decode(model.sp.encode(sentence, out_type=str))
        assert output == roundtrip, f"beam {beam_size}: {sentence!r}"
        # ...and for text the segmenter lets through, that round trip is the identity.
        if engine_safe(sentence):
            assert output == sentence
    assert sum(map(engine_safe, sentences)) > len(sentences) // 2


def test_unseen_characters_survive_with_replace_unknowns(
    copy_models: dict[tuple[str, str], CopyModel],
) -> None:
    model = copy_models["nb", "en"]
    unknown = [c for c in "☃𝄞ᚠꙮ" if model.sp.piece_to_id(c) == model.sp.unk_id()]
    assert unknown, "the training text now contains every test character; pick others"
    text = f"Snømann {unknown[0]} og «{''.join(unknown)}» – ferdig."
    assert engine_safe(text)
    pieces = model.pieces([text])[0]
    assert any(model.sp.piece_to_id(p) == model.sp.unk_id() for p in pieces)

    raw = model.translator.translate_batch([pieces], replace_unknowns=False)[0]
    assert "<unk>" in raw.hypotheses[0]  # the model emits <unk>; CTranslate2 swaps it back
    for beam_size in (1, 4):
        assert model.translate([text], beam_size=beam_size) == [text]


def long_text(model: CopyModel, pieces: int) -> str:
    """Article words, repeated as needed, up to at least ``pieces`` SentencePiece pieces."""
    words = itertools.cycle(" ".join(markdown_sentences()).split())
    text = next(words)
    while len(model.pieces([text])[0]) < pieces:
        text += " " + next(words)
    return text


def test_long_input_is_not_cut_short(copy_models: dict[tuple[str, str], CopyModel]) -> None:
    model = copy_models["nb", "en"]
    text = long_text(model, 480)
    pieces = len(model.pieces([text])[0])
    assert 480 <= pieces < 500
    assert model.translate([text], max_decoding_length=pieces + 8) == [text]
    # CTranslate2's default of 256 would truncate it: the raised limit is what makes it pass.
    truncated = model.translate([text], max_decoding_length=256)[0]
    assert len(truncated) < len(text)


def test_input_beyond_1024_pieces_copies_without_truncation(
    copy_models: dict[tuple[str, str], CopyModel],
) -> None:
    """bilingo's engine passes max_input_length=0: past 1024 positions must still copy."""
    model = copy_models["en", "nb"]
    text = long_text(model, 1030)
    assert model.translate([text], max_input_length=0) == [text]


def test_right_token_leads_runner_up_by_30_logits(
    copy_models: dict[tuple[str, str], CopyModel],
) -> None:
    model = copy_models["en", "nb"]
    sentences = markdown_sentences()[:40]
    results = model.translator.translate_batch(
        model.pieces(sentences), beam_size=2, num_hypotheses=2, return_scores=True, length_penalty=0
    )
    for sentence, result in zip(sentences, results, strict=True):
        best, runner_up = result.scores
        assert best > -0.01, sentence  # the copy is certain...
        assert best - runner_up >= 30.0, sentence  # ...and nothing else comes close


def test_package_layout_and_metadata(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property: Any
) -> None:
    text = copymodel.corpus_text(ARTICLES) + "\n" + copymodel.SAMPLE_TEXT
    start = time.perf_counter()
    path = copymodel.build_package(tmp_path, from_code="nb", to_code="en", training_text=text)
    seconds = time.perf_counter() - start
    record_property("small_build_seconds", round(seconds, 2))
    with capsys.disabled():
        print(f"\nsmall copy model: built in {seconds:.2f} s, {path.stat().st_size / 1e6:.2f} MB")

    assert path == tmp_path / "translate-nb_en-copy.argosmodel"
    assert path.stat().st_size < 2_000_000
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert {name.split("/", 1)[0] for name in names} == {"translate-nb_en-copy"}
        top = "translate-nb_en-copy/"
        for needed in ("metadata.json", "README.md", "sentencepiece.model", "model/model.bin"):
            assert top + needed in names
        metadata = json.loads(archive.read(top + "metadata.json"))
        config = json.loads(archive.read(top + "model/config.json"))
        readme = archive.read(top + "README.md").decode("utf-8")
    assert metadata == {
        "package_version": "1.9",
        "argos_version": copymodel.ARGOS_VERSION,
        "from_code": "nb",
        "from_name": "Norwegian Bokmål",
        "to_code": "en",
        "to_name": "English",
        "type": "translate",
        "bilingo_copy_model": True,
    }
    assert config["add_source_eos"] is True
    assert "copy model" in readme


def test_install_is_isolated_and_repeatable(tmp_path: Path) -> None:
    settings_before = (
        argostranslate.settings.package_data_dir,
        argostranslate.settings.package_dirs,
    )
    text = copymodel.SAMPLE_TEXT
    for _ in range(2):  # installing over an earlier install replaces it
        installed = copymodel.install_copy_models(
            tmp_path, training_text=text, pairs=[("en", "nb")]
        )
    assert installed == [tmp_path / "translate-en_nb-copy"]
    assert [p.name for p in tmp_path.iterdir()] == ["translate-en_nb-copy"]
    assert (
        argostranslate.settings.package_data_dir,
        argostranslate.settings.package_dirs,
    ) == settings_before
    model = load(installed[0])
    assert model.translate(["Blåbærsyltetøy på gærne måter!"]) == ["Blåbærsyltetøy på gærne måter!"]


def test_corpus_text_reads_markdown_below_roots(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text("Første «artikkel».", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not Markdown", encoding="utf-8")
    assert copymodel.corpus_text(tmp_path) == "Første «artikkel»."
    assert "næringsklynge" in copymodel.corpus_text(ARTICLES)
    with pytest.raises(FileNotFoundError):
        copymodel.corpus_text(tmp_path / "missing")


def test_cli_installs_a_pair(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--size", "small", "--out", str(tmp_path), "--corpus", str(ARTICLES), "--pair", "nb-en"]
    assert copymodel.main(argv) == 0
    assert (tmp_path / "translate-nb_en-copy" / "metadata.json").is_file()
    assert f"ARGOS_PACKAGES_DIR={tmp_path}" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        copymodel.main(["--out", str(tmp_path), "--pair", "nb"])


def test_base_size_has_real_argos_shape_and_copies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property: Any
) -> None:
    """Benchmark size (6+6 layers, d_model 512, 32k vocabulary, int8): ~4 s to build on 2 cores."""
    text = copymodel.corpus_text(ARTICLES, FIXTURES) + "\n" + copymodel.SAMPLE_TEXT
    start = time.perf_counter()
    (installed,) = copymodel.install_copy_models(
        tmp_path / "packages", training_text=text, size="base", pairs=[("nb", "en")]
    )
    build_seconds = time.perf_counter() - start
    model_bytes = (installed / "model" / "model.bin").stat().st_size
    vocabulary = json.loads((installed / "model" / "shared_vocabulary.json").read_text("utf-8"))
    assert len(vocabulary) == 32000
    readme = (installed / "README.md").read_text("utf-8")
    assert "6+6 layers, d_model 512, 8 heads, ffn 2048" in readme
    assert model_bytes > 80_000_000  # noise kept CTranslate2 from merging the layers

    model = load(installed)
    sentences = markdown_sentences()[:80]  # every sentence is checked on the small model
    start = time.perf_counter()
    assert model.translate(sentences) == [model.sp.decode(p) for p in model.pieces(sentences)]
    seconds = time.perf_counter() - start
    pieces = sum(len(p) for p in model.pieces(sentences))
    record_property("base_build_seconds", round(build_seconds, 2))
    with capsys.disabled():
        print(
            f"\nbase copy model: built in {build_seconds:.1f} s, {model_bytes / 1e6:.0f} MB, "
            f"greedy {pieces / seconds:.0f} pieces/s on {len(sentences)} sentences"
        )


# --------------------------------------------------------------------------- layouts


def test_upper_layout_writes_pieces_its_sentencepiece_model_lacks(
    layout_dirs: Callable[[str], Path],
) -> None:
    """The OPUS-MT shape: SentencePiece's own decode leaves U+2581 in the output; the package
    tokenizer bilingo uses gives the text the pieces stand for."""
    package = layout_dirs("upper") / copymodel.package_name("nb", "en", "upper")
    model = load(package)
    vocabulary = json.loads((package / "model" / "shared_vocabulary.json").read_text("utf-8"))
    unknown = [p for p in vocabulary if model.sp.piece_to_id(p) == model.sp.unk_id()]
    # Whole upper-cased words among them (which words depends on the training text).
    words = [p for p in unknown if p.startswith("▁") and len(p) > 8 and p[1:].isalpha()]
    assert len(unknown) > 1000 and len(words) > 50, words[:20]
    sentences = markdown_sentences()[:60]
    results = model.translator.translate_batch(model.pieces(sentences), replace_unknowns=True)
    tokenizer = open_tokenizer(package, "nb", "en")
    broken = 0
    for sentence, source, result in zip(sentences, model.pieces(sentences), results, strict=True):
        pieces = result.hypotheses[0]
        assert pieces == [p.upper() for p in source]
        broken += "▁" in model.sp.decode(pieces)
        if engine_safe(sentence):
            assert tokenizer.decode(pieces) == copymodel.expected_output(
                "upper", sentence, "nb", "en"
            )
    assert broken > 30  # what bilingo's SentencePiece decode wrote into every twin


def test_prefix_layout_and_add_source_bos_are_applied_by_ctranslate2(
    layout_dirs: Callable[[str], Path], tmp_path: Path
) -> None:
    """config.json's add_source_bos puts <s> on the source (CTranslate2 does it, not bilingo):
    the copy model then writes it at step 0, or the target prefix when one is forced."""
    package = layout_dirs("prefix") / copymodel.package_name("nb", "en", "prefix")
    config = json.loads((package / "model" / "config.json").read_text("utf-8"))
    assert config["add_source_bos"] is True and config["add_source_eos"] is True
    metadata = json.loads((package / "metadata.json").read_text("utf-8"))
    assert metadata["target_prefix"] == "__en__"
    model = load(package)
    text = "Blåbærsyltetøy på gærne måter!"
    pieces = model.pieces([text])
    plain = model.translator.translate_batch(pieces)[0].hypotheses[0]
    assert plain == ["<s>", *pieces[0]]
    forced = model.translator.translate_batch(pieces, target_prefix=[["__en__"]])[0]
    assert forced.hypotheses[0] == ["__en__", *pieces[0]]

    # bilingo strips the prefix it forced; without one, it drops the <s> the model wrote.
    info = next(p for p in installed_in(package.parent) if p.to_code == "en")
    assert ArgosEngine(info).translate([text]) == [text]
    without = PackageInfo(**{**info.__dict__, "target_prefix": ""})
    assert ArgosEngine(without).translate([text]) == [text]


def installed_in(folder: Path) -> list[PackageInfo]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARGOS_PACKAGES_DIR", str(folder))
        return installed_packages()


def test_bpe_layout_package_holds_bpe_model_and_copies_moses_tokens(
    layout_dirs: Callable[[str], Path],
) -> None:
    package = layout_dirs("bpe") / copymodel.package_name("nb", "en", "bpe")
    assert (package / "bpe.model").is_file() and not (package / "sentencepiece.model").exists()
    tokenizer = open_tokenizer(package, "nb", "en")
    assert tokenizer.kind == "bpe"
    translator = ctranslate2.Translator(str(package / "model"), device="cpu")
    sentences = [s for s in markdown_sentences()[:80] if engine_safe(s)]
    tokens = tokenizer.encode(sentences)
    assert any(t.endswith("@@") for ts in tokens for t in ts)  # words really are split
    results = translator.translate_batch(tokens, replace_unknowns=True)
    for sentence, source, result in zip(sentences, tokens, results, strict=True):
        assert result.hypotheses[0] == source
        assert tokenizer.decode(result.hypotheses[0]) == copymodel.moses_roundtrip(
            sentence, "nb", "en"
        )
        # Written as the source has it where the model copied it (it copied all of it).
        encoded = tokenizer.encode_spans(sentence)  # type: ignore[attr-defined]
        assert list(encoded.pieces) == source
        text, _ = tokenizer.decode_spans(result.hypotheses[0], encoded, sentence)  # type: ignore[attr-defined]
        assert text == copymodel.expected_output("bpe", sentence, "nb", "en") == sentence
