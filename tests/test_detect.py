"""Language decisions: front matter, then file name, then seeded langdetect on the whole prose."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingo.article import parse_article, read_article
from bilingo.cli import cli
from bilingo.detect import detect_article, detect_text, prose_text
from bilingo.errors import ArticleError
from bilingo.layout import PLAIN

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "articles" / "ett-ar-med-naeringsklyngetillit.nb.md"


def undeclared(path: Path, name: str = "article.md") -> str:
    """The article's text without its `lang:` line, as if an editor forgot it."""
    return "".join(
        line for line in path.read_text(encoding="utf-8").splitlines(True) if line != "lang: nb\n"
    )


def test_front_matter_wins_over_file_name() -> None:
    art = parse_article(Path("x.en.md"), "---\nlang: nb\n---\nHello there.\n")
    assert detect_article(art, pairing=PLAIN).method == "front-matter"
    assert detect_article(art, pairing=PLAIN).lang == "nb"


def test_file_name_suffix_when_no_front_matter_lang() -> None:
    art = parse_article(Path("x.en.md"), "---\ntitle: Hei\n---\nHei på deg.\n")
    d = detect_article(art, pairing=PLAIN)
    assert (d.lang, d.method) == ("en", "filename")


def test_seed_article_is_norwegian_as_a_whole() -> None:
    art = parse_article(Path("seed.md"), undeclared(SEED))
    d = detect_article(art, pairing=PLAIN)
    assert d.method == "detected"
    assert d.lang == "nb"
    assert d.confidence > 0.999


def test_seed_paragraphs_alone_mislead_langdetect() -> None:
    # Why detection runs on the whole article: pieces of it read as other languages.
    assert detect_text("Ett år med næringsklyngetillit")[2] == "da"
    assert detect_text("Publisert: 23. juni 2015")[2] not in ("no", "da", "sv", "nn")
    # Folding still puts the Danish verdict on the Norwegian side.
    assert detect_text("Ett år med næringsklyngetillit")[0] == "nb"


def test_prose_excludes_urls_code_and_link_targets() -> None:
    art = parse_article(
        Path("a.md"),
        "---\ntitle: Tittel\n---\nLes [mer](http://example.com/engelsk-side) her: "
        "<https://www.example.org/path>\n\n```\nprint('hello world')\n```\n\n`inline code` tekst\n",
    )
    text = prose_text(art)
    assert "Tittel" in text and "Les" in text and "mer" in text and "tekst" in text
    for gone in ("example", "print", "inline code", "https"):
        assert gone not in text


def test_detection_is_deterministic() -> None:
    art = parse_article(Path("seed.md"), undeclared(SEED))
    assert len({detect_article(art, pairing=PLAIN).confidence for _ in range(5)}) == 1


def test_english_fixture_detected_as_english() -> None:
    path = ROOT / "tests" / "fixtures" / "articles" / "oslo-runway-week.en.md"
    text = path.read_text(encoding="utf-8").replace("lang: en\n", "")
    d = detect_article(parse_article(Path("plain.md"), text), pairing=PLAIN)
    assert (d.lang, d.method) == ("en", "detected")


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("---\nlang: de\n---\nHallo.\n", "lang: nb"),
        (
            "---\ntitle: x\n---\nEl desfile de moda reunió a diseñadores de toda España y "
            "los compradores llegaron desde muchos países del mundo.\n",
            "lang: nb",
        ),
        ("---\ntitle: x\n---\n12345\n", "lang: nb"),
    ],
)
def test_foreign_or_weak_verdicts_say_to_set_lang(text: str, expect: str) -> None:
    with pytest.raises(ArticleError) as err:
        detect_article(parse_article(Path("a.md"), text), pairing=PLAIN)
    assert expect in err.value.message and "a.md" in err.value.format()


def test_detect_cli_json(tmp_path: Path) -> None:
    (tmp_path / "seed.md").write_text(undeclared(SEED), encoding="utf-8")
    (tmp_path / "bad.md").write_text("---\nlang: fr\n---\nBonjour.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["detect", str(tmp_path), "--json"])
    assert result.exit_code == 1
    rows = {Path(r["file"]).name: r for r in json.loads(result.output)}
    assert rows["seed.md"]["lang"] == "nb" and rows["seed.md"]["detected_as"] == "no"
    assert "lang: nb" in rows["bad.md"]["error"]
    ok = CliRunner().invoke(cli, ["detect", str(SEED)])
    assert ok.exit_code == 0
    assert ok.output.split("\t")[1:4] == ["nb", "1.00000", "front-matter\n"]
    assert read_article(SEED).meta["lang"] == "nb"


def test_a_detected_article_is_read_by_langdetect_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Detection and the language warning read the same prose: langdetect runs once."""
    import langdetect

    from bilingo.detect import langdetect_guesses, language_warning

    langdetect_guesses.cache_clear()
    calls: list[str] = []
    real = langdetect.detect_langs

    def counting(text: str) -> list[object]:
        calls.append(text)
        return list(real(text))

    monkeypatch.setattr(langdetect, "detect_langs", counting)
    art = parse_article(Path("seed.md"), undeclared(SEED))
    d = detect_article(art, pairing=PLAIN)
    assert (d.lang, d.method) == ("nb", "detected")
    assert language_warning(art, d.lang) is None
    assert calls == [prose_text(art)]
