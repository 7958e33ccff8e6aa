"""Site configuration: the root found from any subfolder, Hugo and MkDocs read as they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from bilingo.siteconfig import (
    SiteError,
    common_root,
    find_site_root,
    pair_language,
    read_site_config,
)


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


HUGO_SUFFIX = """\
baseURL = "https://example.org/"
defaultContentLanguage = "no"
[languages.no]
  languageName = "Norsk"
  weight = 1
[languages.en]
  languageName = "English"
  weight = 2
"""

HUGO_FOLDERS = """\
defaultContentLanguage: en
Languages:
  en:
    contentDir: content/english
  nb-no:
    ContentDir: content/norsk
  de:
    contentDir: content/deutsch
"""


def test_hugo_languages_by_file_name(tmp_path: Path) -> None:
    site = write(tmp_path, {"hugo.toml": HUGO_SUFFIX, "content/posts/x/index.no.md": "x"})
    config = read_site_config(site)
    assert config.kind.value == "hugo" and config.kind.origin.endswith("hugo.toml")
    assert config.layout.value == "suffix"
    assert config.content_dir.value == site / "content"
    langs = config.languages.value
    assert (langs["nb"].code, langs["en"].code) == ("no", "en")
    assert langs["nb"].default and not langs["en"].default
    assert config.dialect.value == "hugo"
    assert config.state_dir.value == site / ".bilingo"


def test_hugo_languages_by_folder_keys_case_insensitive(tmp_path: Path) -> None:
    site = write(tmp_path, {"config.yaml": HUGO_FOLDERS})
    config = read_site_config(site)
    assert config.layout.value == "folder"
    langs = config.languages.value
    assert langs["nb"].code == "nb-no" and langs["nb"].content_dir == site / "content/norsk"
    assert langs["en"].content_dir == site / "content/english" and langs["en"].default
    assert config.other_languages == ("de",)


def test_hugo_config_folder_merges_languages_file(tmp_path: Path) -> None:
    site = write(
        tmp_path,
        {
            "config/_default/hugo.toml": 'contentDir = "innhold"\ndefaultContentLanguage = "nb"\n',
            "config/_default/languages.toml": "[nb]\nweight = 1\n[en]\nweight = 2\n",
            "config/_default/params.toml": "x = 1\n",
        },
    )
    config = read_site_config(site)
    assert config.kind.value == "hugo"
    assert config.content_dir.value == site / "innhold"
    assert set(config.languages.value) == {"nb", "en"}
    assert config.languages.value["nb"].default


def test_hugo_language_named_by_language_code(tmp_path: Path) -> None:
    site = write(
        tmp_path,
        {"hugo.toml": '[languages.norsk]\nlanguageCode = "nb-NO"\n[languages.english]\n'
         'languageCode = "en-GB"\n'},
    )  # fmt: skip
    langs = read_site_config(site).languages.value
    assert (langs["nb"].code, langs["en"].code) == ("norsk", "english")


def test_nynorsk_is_not_bokmal() -> None:
    assert pair_language("nn") is None
    assert pair_language("nb-NO") == pair_language("no") == "nb"
    assert pair_language("en_US") == "en"


def test_hugo_site_without_norwegian_names_the_fix(tmp_path: Path) -> None:
    site = write(tmp_path, {"hugo.toml": "[languages.en]\n[languages.de]\n"})
    with pytest.raises(SiteError) as err:
        read_site_config(site)
    assert "include no Norwegian Bokmål" in str(err.value)
    assert str(site / "hugo.toml") in str(err.value)


def test_two_bokmal_languages_need_a_choice(tmp_path: Path) -> None:
    site = write(tmp_path, {"hugo.toml": "[languages.no]\n[languages.nb]\n[languages.en]\n"})
    with pytest.raises(SiteError, match=r"\[languages.nb\] code = "):
        read_site_config(site)
    write(site, {"bilingo.toml": '[languages.nb]\ncode = "nb"\n'})  # the fix it names
    config = read_site_config(site)
    assert config.languages.value["nb"].code == "nb" and config.other_languages == ("no",)


def test_configs_that_disagree(tmp_path: Path) -> None:
    local = '[languages.nb]\ncode = "nb"\n'
    site = write(tmp_path, {"hugo.toml": HUGO_SUFFIX, "bilingo.toml": local})
    with pytest.raises(SiteError, match="names 'nb' for nb, but the Hugo configuration's") as err:
        read_site_config(site)
    assert err.value.path == site / "bilingo.toml"


def test_broken_toml_gives_file_and_line(tmp_path: Path) -> None:
    site = write(tmp_path, {"hugo.toml": 'title = "x"\n[languages.no\n'})
    with pytest.raises(SiteError) as err:
        read_site_config(site)
    assert err.value.path == site / "hugo.toml" and err.value.line == 2
    assert "invalid TOML" in err.value.message


MKDOCS = """\
site_name: Docs
docs_dir: dokumenter
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
plugins:
  - search
  - i18n:
      docs_structure: {structure}
      languages:
        - locale: en
          default: true
          name: English
        - locale: nb
          name: Norsk
"""


@pytest.mark.parametrize("structure", ["suffix", "folder"])
def test_mkdocs_static_i18n(tmp_path: Path, structure: str) -> None:
    site = write(tmp_path, {"mkdocs.yml": MKDOCS.format(structure=structure)})
    config = read_site_config(site)
    assert config.kind.value == "mkdocs" and config.dialect.value == "mkdocs"
    assert config.content_dir.value == site / "dokumenter"
    assert config.layout.value == structure
    langs = config.languages.value
    assert langs["en"].default and langs["nb"].code == "nb"
    if structure == "folder":
        assert langs["nb"].content_dir == site / "dokumenter" / "nb"


def test_mkdocs_without_i18n_plugin(tmp_path: Path) -> None:
    site = write(tmp_path, {"mkdocs.yml": "site_name: x\n"})
    config = read_site_config(site)
    assert config.content_dir.value == site / "docs" and config.layout.value == "suffix"


def test_bilingo_toml_overrides_and_says_where(tmp_path: Path) -> None:
    site = write(
        tmp_path,
        {
            "hugo.toml": HUGO_SUFFIX,
            "bilingo.toml": 'glossary = "terms/glossary.yml"\nfields = ["title", "lead"]\n'
            'inline = "fragments"\n[engine]\nbeam_size = 2\n[languages.nb]\ncode = "no"\n',
        },
    )
    config = read_site_config(site)
    local = str(site / "bilingo.toml")
    assert config.glossary.value == site / "terms" / "glossary.yml"
    assert config.glossary.origin == local
    assert config.fields.value == ("title", "lead") and config.fields.origin == local
    assert config.inline.value == "fragments"
    assert config.engine.value == {"beam_size": 2}
    assert config.languages.value["nb"].code == "no" and config.languages.origin == local
    assert config.layout.origin.endswith("hugo.toml")  # not overridden: still Hugo's
    data = config.as_dict()
    assert data["fields"] == {"value": ["title", "lead"], "from": local}
    assert data["languages"]["value"]["en"]["code"] == "en"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('colour = "blue"\n', "unknown key(s) colour"),
        ('layout = "tree"\n', "not one of suffix, folder"),
        ("[languages.de]\n", "other languages have no model"),
        ('fields = "title"\n', "fields must be a list"),
        ('layout = "folder"\n', "needs a folder for each language"),
    ],
)
def test_bad_bilingo_toml(tmp_path: Path, text: str, message: str) -> None:
    site = write(tmp_path, {"bilingo.toml": text})
    with pytest.raises(SiteError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_site_config(site)


def test_hugo_and_mkdocs_together_need_a_generator(tmp_path: Path) -> None:
    files = {"hugo.toml": HUGO_SUFFIX, "mkdocs.yml": "site_name: x\n", "bilingo.toml": ""}
    site = write(tmp_path, files)
    with pytest.raises(SiteError, match='generator = "hugo" or "mkdocs"'):
        read_site_config(site)
    write(site, {"bilingo.toml": 'generator = "mkdocs"\n'})
    assert read_site_config(site).kind.value == "mkdocs"


def test_root_found_from_any_subfolder(tmp_path: Path) -> None:
    site = write(tmp_path / "site", {"hugo.toml": HUGO_SUFFIX, "content/news/a.no.md": "x"})
    (tmp_path / ".git").mkdir()
    assert find_site_root(site / "content" / "news", cwd=tmp_path) == site
    assert find_site_root(site / "content/news/a.no.md", cwd=tmp_path) == site
    assert find_site_root(Path("site/content"), cwd=tmp_path) == site
    assert find_site_root(tmp_path / "other", cwd=tmp_path) == tmp_path  # the git root
    assert common_root([], cwd=site / "content") == site


def test_paths_of_two_sites_are_refused(tmp_path: Path) -> None:
    a = write(tmp_path / "a", {"hugo.toml": HUGO_SUFFIX})
    b = write(tmp_path / "b", {"mkdocs.yml": "site_name: b\n"})
    with pytest.raises(SiteError, match="different sites"):
        common_root([a, b], cwd=tmp_path)


def test_plain_folder_defaults(tmp_path: Path) -> None:
    config = read_site_config(tmp_path)
    assert config.kind.value == "plain" and config.dialect.value == "commonmark"
    assert config.content_dir.value == tmp_path.resolve()
    assert config.glossary.value == tmp_path.resolve() / "glossary.yml"
    assert config.glossary.origin == "default"
