"""Issue 21, case 6: each path resolves its own site (root, glossary, memory, lock).

``bilingo translate ../other-site`` run from inside a site uses the other site's glossary
and memory, and leaves the current site's state alone, whether the other site has a
configuration of its own or is a plain folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from storykit import SEED, Story
from test_story_glossary_change import GLOSSARY

from bilingo.article import read_article


@pytest.mark.parametrize("marked", [True, False], ids=["hugo-site", "plain-folder"])
def test_case6_another_sites_glossary(
    story: Story, monkeypatch: pytest.MonkeyPatch, marked: bool
) -> None:
    here, other = story.root / "here", story.root / "other-site"
    for site, english in ((here, "Minister of Trade and Industry"), (other, "Trade Minister")):
        (site / "articles").mkdir(parents=True)
        shutil.copy(SEED, site / "articles")
        (site / "glossary.yml").write_text(GLOSSARY.format(en=english), encoding="utf-8")
    (here / "hugo.toml").write_text('defaultContentLanguage = "nb"\n', encoding="utf-8")
    if marked:
        (other / "hugo.toml").write_text('defaultContentLanguage = "nb"\n', encoding="utf-8")
    monkeypatch.chdir(here)

    result = story.cli("translate", "../other-site/articles")
    assert result.exit_code == 0, result.output
    twin = other / "articles" / SEED.name.replace(".nb.md", ".en.md")
    body = read_article(twin).body
    assert "Trade Minister" in body and "Minister of Trade and Industry" not in body
    assert (other / ".bilingo" / "memory.sqlite").is_file()
    assert not (here / ".bilingo").exists()
    # check from here answers with the other site's glossary too: up to date.
    checked = story.cli("check", "../other-site/articles")
    assert "outdated-glossary" not in checked.output and "stale" not in checked.output
    assert not list(Path(here / "articles").glob("*.en.md"))
