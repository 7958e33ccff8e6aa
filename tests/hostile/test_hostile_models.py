"""Broken, missing and wrong models, and bad package files: exit 2 with the command that fixes it.

Each case copies the session's copy-model packages into a private folder, breaks them there,
and points ARGOS_PACKAGES_DIR at it; the articles tree must be as it was (a missing model is
found before anything is translated), or hold only complete twins.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from copymodel import train_sentencepiece
from hostile_support import (
    GOOD_EN,
    GOOD_NB,
    assert_tree_sound,
    invoke,
    snapshot,
)

NB_EN = "translate-nb_en-copy"
EN_NB = "translate-en_nb-copy"


@pytest.fixture
def packages(tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the copy-model packages, used by bilingo for this test."""
    folder = tmp_path / "packages"
    shutil.copytree(argos_packages_dir, folder)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(folder))
    return folder


def _garbage(pkg: Path) -> None:
    (pkg / "model" / "model.bin").write_bytes(b"not a model " * 1000)


def _truncated(pkg: Path) -> None:
    data = (pkg / "model" / "model.bin").read_bytes()
    (pkg / "model" / "model.bin").write_bytes(data[: len(data) // 2])


def _empty(pkg: Path) -> None:
    (pkg / "model" / "model.bin").write_bytes(b"")


def _no_model_bin(pkg: Path) -> None:
    (pkg / "model" / "model.bin").unlink()


def _bad_sentencepiece(pkg: Path) -> None:
    (pkg / "sentencepiece.model").write_bytes(b"\x00garbage")


def _no_tokenizer(pkg: Path) -> None:
    (pkg / "sentencepiece.model").unlink()


def _greek_sentencepiece() -> bytes:
    """Another model's SentencePiece file (Greek, which the copy model never saw)."""
    words = [
        "".join("αβγδεζηθικλμνξοπρστυφχψω"[(i * 7 + j * 3) % 24] for j in range(3 + i % 5))
        for i in range(400)
    ]
    return train_sentencepiece(
        "\n".join(" ".join(words[i : i + 12]) for i in range(0, 400, 12)), 300
    )


def _foreign_sentencepiece(pkg: Path) -> None:
    (pkg / "sentencepiece.model").write_bytes(_greek_sentencepiece())


BREAKAGES: list[tuple[str, Callable[[Path], None], str]] = [
    ("garbage-model-bin", _garbage, "cannot be loaded"),
    ("truncated-model-bin", _truncated, "cannot be loaded"),
    ("empty-model-bin", _empty, "cannot be loaded"),
    ("missing-model-bin", _no_model_bin, "is incomplete (needs model/model.bin"),
    ("bad-sentencepiece", _bad_sentencepiece, "cannot be loaded"),
    (
        "no-tokenizer",
        _no_tokenizer,
        "is incomplete (needs model/model.bin and a tokenizer, sentencepiece.model or bpe.model)",
    ),
    (
        "foreign-sentencepiece",
        _foreign_sentencepiece,
        "has a sentencepiece.model that does not belong to its model",
    ),
]


@pytest.mark.parametrize(
    ("breakage", "reason"), [(b[1], b[2]) for b in BREAKAGES], ids=[b[0] for b in BREAKAGES]
)
def test_corrupt_package_exits_2_with_the_reinstall_command(
    articles: Path, packages: Path, breakage: Callable[[Path], None], reason: str
) -> None:
    """nb→en broken: exit 2, names the package and says how to reinstall; no twin written."""
    breakage(packages / NB_EN)
    (articles / "art.nb.md").write_text(GOOD_NB, encoding="utf-8")
    before = snapshot(articles)
    result = invoke("translate", str(articles))
    assert result.exit_code == 2
    assert f"error: package {NB_EN} at {packages / NB_EN}" in result.output
    assert reason in result.output
    assert "reinstall it: bilingo models install nb en (or --file PACKAGE.argosmodel)" in (
        result.output
    )
    assert snapshot(articles) == before


def test_one_direction_corrupt_other_twins_are_whole(articles: Path, packages: Path) -> None:
    """en→nb broken, nb→en fine, both kinds of article: exit 2 with the fix; any twin that
    was written before the failure is complete, and no en source got a twin."""
    _garbage(packages / EN_NB)
    (articles / "norsk.nb.md").write_text(GOOD_NB, encoding="utf-8")
    (articles / "english.en.md").write_text(GOOD_EN, encoding="utf-8")
    before = snapshot(articles)
    result = invoke("translate", str(articles))
    assert result.exit_code == 2
    assert "bilingo models install en nb" in result.output
    assert_tree_sound(before, articles)
    assert not (articles / "english.nb.md").exists()


@pytest.mark.parametrize(
    "kept", [None, "en-de", "bad-metadata"], ids=["none", "en-de-only", "bad-metadata"]
)
def test_missing_or_wrong_pair_exits_2_before_writing_anything(
    articles: Path, packages: Path, kept: str | None
) -> None:
    """No model, only en→de, or unreadable metadata: every missing pair is named with its
    install command, and nothing is written (not even for the articles that could be)."""
    shutil.rmtree(packages / NB_EN)
    if kept == "en-de":
        meta = json.loads((packages / EN_NB / "metadata.json").read_text(encoding="utf-8"))
        meta.update(from_code="en", to_code="de", to_name="German")
        (packages / EN_NB / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
        (packages / EN_NB).rename(packages / "translate-en_de-copy")
    elif kept == "bad-metadata":
        (packages / EN_NB / "metadata.json").write_text("{ not json", encoding="utf-8")
    else:
        shutil.rmtree(packages / EN_NB)
    (articles / "norsk.nb.md").write_text(GOOD_NB, encoding="utf-8")
    (articles / "english.en.md").write_text(GOOD_EN, encoding="utf-8")
    before = snapshot(articles)
    result = invoke("translate", str(articles))
    assert result.exit_code == 2
    assert f"no translation model for nb -> en is installed (looked in {packages})" in (
        result.output
    )
    assert "run: bilingo models install nb en" in result.output
    assert "run: bilingo models install en nb" in result.output
    assert snapshot(articles) == before
    if kept == "en-de":
        listing = invoke("models", "list")
        assert listing.exit_code == 0 and "en -> de" in listing.output


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _package_files(pkg: Path, top: str) -> dict[str, bytes]:
    """An installed package folder's files, as they sit in a .argosmodel zip under ``top``."""
    return {
        f"{top}/{p.relative_to(pkg)}": p.read_bytes() for p in sorted(pkg.rglob("*")) if p.is_file()
    }


META = json.dumps({"from_code": "nb", "to_code": "en", "type": "translate"}).encode()
BAD_FILES: list[tuple[str, Callable[[Path, Path], Path], str]] = [
    (
        "not-a-zip",
        lambda d, _: _write(d / "x.argosmodel", b"PK? no, plain text"),
        "is not an Argos package (not a zip archive); download it again",
    ),
    (
        "no-metadata",
        lambda d, _: _zip(d / "x.argosmodel", {"pkg/README.md": b"hi"}),
        "has no <folder>/metadata.json, so it is not an Argos package",
    ),
    (
        "bad-json",
        lambda d, _: _zip(d / "x.argosmodel", {"pkg/metadata.json": b"{oops"}),
        "metadata.json is unreadable",
    ),
    (
        "no-codes",
        lambda d, pkg: _zip(
            d / "x.argosmodel",
            {**_package_files(pkg, "pkg"), "pkg/metadata.json": b'{"type": "translate"}'},
        ),
        "metadata.json does not name from_code and to_code",
    ),
    (
        "no-model-bin",
        lambda d, _: _zip(
            d / "x.argosmodel", {"pkg/metadata.json": META, "pkg/sentencepiece.model": b"x"}
        ),
        "lacks model/model.bin; the package is incomplete",
    ),
    (
        "no-tokenizer",
        lambda d, pkg: _zip(
            d / "x.argosmodel",
            {
                k: v
                for k, v in _package_files(pkg, "pkg").items()
                if not k.endswith("sentencepiece.model")
            },
        ),
        "lacks a tokenizer (sentencepiece.model or bpe.model); the package is incomplete",
    ),
    (
        "other-pair",
        lambda d, pkg: _zip(
            d / "x.argosmodel",
            {
                **_package_files(pkg, "pkg"),
                "pkg/metadata.json": json.dumps({"from_code": "en", "to_code": "de"}).encode(),
            },
        ),
        "is a en -> de package; bilingo translates nb <-> en",
    ),
    (
        "foreign-sentencepiece",
        lambda d, pkg: _zip(
            d / "x.argosmodel",
            {**_package_files(pkg, "pkg"), "pkg/sentencepiece.model": _greek_sentencepiece()},
        ),
        "cannot be run: a sentencepiece.model that does not belong to its model",
    ),
    ("missing-file", lambda d, _: d / "nowhere.argosmodel", "no such file"),
    ("a-folder", lambda d, _: d, "no such file"),
]


@pytest.mark.parametrize(
    ("make", "message"), [(b[1], b[2]) for b in BAD_FILES], ids=[b[0] for b in BAD_FILES]
)
def test_install_file_rejects_what_is_not_a_package(
    tmp_path: Path, packages: Path, make: Callable[[Path, Path], Path], message: str
) -> None:
    """models install --file with a bad file: exit 2, a clear message, nothing installed."""
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    path = make(downloads, packages / NB_EN)
    before = snapshot(packages)
    result = invoke("models", "install", "--file", str(path))
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and message in result.output
    assert snapshot(packages) == before


def test_install_file_accepts_a_real_package(
    tmp_path: Path, packages: Path, argos_packages_dir: Path
) -> None:
    """The same command with a whole package installs it (so the rejections above are real)."""
    shutil.rmtree(packages / NB_EN)
    archive = _zip(tmp_path / "copy.argosmodel", _package_files(argos_packages_dir / NB_EN, NB_EN))
    result = invoke("models", "install", "--file", str(archive))
    assert result.exit_code == 0, result.output
    assert f"installed {NB_EN} 1.9 (nb -> en) in {packages / NB_EN}" in result.output
    assert "nb -> en" in invoke("models", "list").output
