"""bilingo models: list, check, install from a file or an index (a local one: no network), and
the decoding of target pieces every package shape relies on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from copymodel import build_package, expected_output, moses_roundtrip
from support import CopyLayout

from bilingo.cli import cli
from bilingo.engine import ArgosEngine, find_package
from bilingo.models import PROBES, probe_problems
from bilingo.tokenizer import pieces_to_text


@pytest.fixture(scope="module")
def package_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pkg")
    return build_package(out, from_code="nb", to_code="en", training_text="Hei på deg. " * 50)


@pytest.fixture
def empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "packages"
    folder.mkdir()
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(folder))
    return folder


def test_install_file_then_list(package_file: Path, empty_dir: Path) -> None:
    runner = CliRunner()
    empty = runner.invoke(cli, ["models", "list"])
    assert empty.exit_code == 0 and "bilingo models install nb en" in empty.output
    result = runner.invoke(cli, ["models", "install", "--file", str(package_file)])
    assert result.exit_code == 0, result.output
    assert "nb -> en" in result.output
    assert find_package("nb", "en").path.parent == empty_dir
    listed = json.loads(runner.invoke(cli, ["models", "list", "--json"]).output)
    assert [(p["from"], p["to"], p["version"]) for p in listed] == [("nb", "en", "1.9")]


def test_install_from_a_local_index(
    package_file: Path, empty_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from argostranslate import settings

    index = tmp_path / "index.json"
    index.write_text(
        json.dumps(
            [{"from_code": "nb", "to_code": "en", "links": [package_file.resolve().as_uri()]}]
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(settings, "remote_package_index", index.as_uri())
    result = CliRunner().invoke(cli, ["models", "install", "nb", "en"])
    assert result.exit_code == 0, result.output
    assert find_package("nb", "en").version == "1.9"
    missing = CliRunner().invoke(cli, ["models", "install", "nb", "de"])
    assert missing.exit_code == 2 and "no nb -> de package" in missing.output


def test_offline_index_is_a_clear_error(empty_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from argostranslate import settings

    # Port 9 (discard) on loopback: refused at once, like a machine with no network.
    monkeypatch.setattr(settings, "remote_package_index", "http://127.0.0.1:9/index.json")
    result = CliRunner().invoke(cli, ["models", "install", "nb", "en"])
    assert result.exit_code == 2
    assert "cannot reach the Argos package index" in result.output
    assert "bilingo models install --file" in result.output
    assert "Traceback" not in result.output


def test_usage_errors(empty_dir: Path, package_file: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["models", "install", "nb"]).exit_code == 2
    both = runner.invoke(cli, ["models", "install", "nb", "en", "--file", str(package_file)])
    assert both.exit_code == 2 and "not both" in both.output


# --------------------------------------------------------------------------- decoding


@pytest.mark.parametrize(
    ("pieces", "text"),
    [
        # A piece the packaged SentencePiece model lacks ("▁Zyxq"): SentencePiece's decode
        # would give "The fashion cluster▁Zyxqs.".
        (["▁The", "▁fashion", "▁cluster", "▁Zyxq", "s", "."], "The fashion cluster Zyxqs."),
        (["▁", "<0xC3>", "<0xA6>", "re", "▁", "<0x41>"], "ære A"),  # byte fallback
        (["<0xC3>", "▁x"], "\ufffd x"),  # a broken UTF-8 sequence, as SentencePiece shows it
        (["<s>", "▁Hei", "<unk>", "▁du", "</s>", "<pad>"], "Hei du"),  # control tokens go
        (["▁snake", "_", "case", "▁__init__", "▁a_b"], "snake_case __init__ a_b"),
        (["▁", "▁two"], " two"),  # only the one leading space is dropped
        ([], ""),
    ],
)
def test_pieces_to_text(pieces: list[str], text: str) -> None:
    assert pieces_to_text(pieces) == text


# --------------------------------------------------------------------------- list and check


def test_list_shows_each_layouts_shape(any_layout: CopyLayout) -> None:
    runner = CliRunner()
    text = runner.invoke(cli, ["models", "list"])
    assert text.exit_code == 0, text.output
    assert "nb -> en" in text.output and "en -> nb" in text.output
    assert "test copy model" in text.output
    listed = json.loads(runner.invoke(cli, ["models", "list", "--json"]).output)
    assert len(listed) == 2
    shape = {p["to"]: p for p in listed}["en"]
    assert shape["copy_model"] is True and shape["problem"] == ""
    assert shape["tokenizer"] == ("bpe" if any_layout.layout == "bpe" else "sentencepiece")
    assert shape["target_prefix"] == ("__en__" if any_layout.layout == "prefix" else "")
    assert shape["add_source_bos"] is (any_layout.layout == "prefix")
    assert shape["add_source_eos"] is True
    # Target pieces the tokenizer lacks: upper-cased ones; in the prefix package the other
    # direction's prefix (its own is not counted); BPE vocabularies are not listed.
    foreign = {"shared": 0, "prefix": 1, "bpe": None}.get(any_layout.layout)
    if foreign is not None:
        assert shape["foreign_target_pieces"] == foreign
        assert shape["target_vocabulary"] == ("shared" if foreign == 0 else "separate")
    if any_layout.layout == "upper":
        assert shape["foreign_target_pieces"] > 1000
        assert "separate target vocabulary" in text.output


def test_check_passes_every_layout_and_says_copy_models_echo_by_design(
    any_layout: CopyLayout,
) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["models", "check", "nb", "en"])
    assert result.exit_code == 0, result.output
    assert "nb -> en" in result.output and ": ok" in result.output
    assert "en -> nb" not in result.output
    assert "gives its input back by design" in result.output
    data = json.loads(runner.invoke(cli, ["models", "check", "--json"]).output)
    assert [(c["from"], c["to"], c["ok"]) for c in sorted(data, key=lambda c: c["from"])] == [
        ("en", "nb", True),
        ("nb", "en", True),
    ]
    for package in data:
        source, target = package["from"], package["to"]
        assert [s["source"] for s in package["sentences"]] == list(PROBES[source])
        for sentence in package["sentences"]:
            want = any_layout.expected_body(sentence["source"], source, target)
            assert sentence["output"] == want and sentence["problems"] == []
    same = runner.invoke(cli, ["models", "check", "nb-en"])
    assert same.exit_code == 0 and same.output == result.output


def test_check_reports_an_echoing_model_and_exits_1(
    argos_packages_dir: Path, empty_dir: Path
) -> None:
    """A copy model that does not say it is one is what a wrong-pair model looks like."""
    import shutil

    package = empty_dir / "translate-nb_en-copy"
    shutil.copytree(argos_packages_dir / "translate-nb_en-copy", package)
    meta = json.loads((package / "metadata.json").read_text(encoding="utf-8"))
    del meta["bilingo_copy_model"]
    (package / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    result = CliRunner().invoke(cli, ["models", "check"])
    assert result.exit_code == 1, result.output
    assert "PROBLEMS" in result.output
    assert result.output.count("problem: echoed: the output is the input") == len(PROBES["nb"])
    assert "by design" not in result.output


def test_check_and_list_name_a_package_without_tokenizer(
    argos_packages_dir: Path, empty_dir: Path
) -> None:
    import shutil

    package = empty_dir / "translate-nb_en-copy"
    shutil.copytree(argos_packages_dir / "translate-nb_en-copy", package)
    (package / "sentencepiece.model").unlink()
    listing = CliRunner().invoke(cli, ["models", "list"])
    assert listing.exit_code == 0
    assert "cannot run: no tokenizer (sentencepiece.model or bpe.model)" in listing.output
    assert "reinstall it: bilingo models install nb en" in listing.output
    check = CliRunner().invoke(cli, ["models", "check", "nb", "en"])
    assert check.exit_code == 1
    assert "problem: no tokenizer" in check.output and "Traceback" not in check.output


def test_check_without_models_or_with_a_bad_pair_exits_2(empty_dir: Path) -> None:
    runner = CliRunner()
    none = runner.invoke(cli, ["models", "check"])
    assert none.exit_code == 2 and "run: bilingo models install nb en" in none.output
    missing = runner.invoke(cli, ["models", "check", "en", "nb"])
    assert missing.exit_code == 2 and "bilingo models install en nb" in missing.output
    bad = runner.invoke(cli, ["models", "check", "nb", "en", "de"])
    assert bad.exit_code == 2 and "give no pair" in bad.output


@pytest.mark.parametrize(
    ("output", "problems"),
    [
        ("In 2015, 12 firms in Oslo became a cluster.", ()),
        ("", ("empty output",)),
        ("In▁2015, 12 firms▁in Oslo.", ("raw SentencePiece space (U+2581) in the output",)),
        (
            "In 2015, firms in Oslo became a ⁇.",
            (
                "an unknown-token mark (<unk> or ⁇) in the output",
                "lost number 12",
            ),
        ),
        (
            "I 2015 fikk 12 bedrifter i Oslo status.",
            ("echoed: the output is the input (a model for another pair?)",),
        ),
    ],
)
def test_probe_problems(output: str, problems: tuple[str, ...]) -> None:
    source = "I 2015 fikk 12 bedrifter i Oslo status."
    assert probe_problems(source, output, copy_model=False) == problems
    url = "Se https://x.no/a_1 nå."
    assert probe_problems(url, "See https://x.no/a 1 now.", copy_model=False) == (
        "lost URL https://x.no/a_1",
    )
    assert probe_problems(source, source, copy_model=True) == ()


# --------------------------------------------------------------------------- install --file


def test_install_file_takes_a_bpe_package_and_translates_with_it(
    tmp_path_factory: pytest.TempPathFactory, empty_dir: Path
) -> None:
    out = tmp_path_factory.mktemp("bpe")
    text = "Hei på deg, «venn» – 3,5 % av snake_case. " * 50
    archive = build_package(out, from_code="nb", to_code="en", training_text=text, layout="bpe")
    result = CliRunner().invoke(cli, ["models", "install", "--file", str(archive)])
    assert result.exit_code == 0, result.output
    package = find_package("nb", "en")
    assert (package.path / "bpe.model").is_file()
    sentence = "Hei på deg, «venn» – 3,5 % av snake_case."
    translated = ArgosEngine(package).translate([sentence])
    assert translated == [expected_output("bpe", sentence, "nb", "en")] == [sentence]
    # What Moses' detokenizer alone makes of the tokens the model copied.
    assert moses_roundtrip(sentence, "nb", "en") == 'Hei på deg, "venn" - 3,5% av snake_case.'
