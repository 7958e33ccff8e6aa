"""Nothing in an article, a link or a twin's provenance makes bilingo write outside the tree.

Twins are named from the source's file name only and written beside it; front-matter values
are data. Every case snapshots the whole world around the site (``world`` fixture) and checks
that outside it nothing changed, and inside it only the expected twins appeared.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hostile_support import GOOD_NB, assert_tree_sound, invoke, snapshot

from bilingo.article import read_article
from bilingo.lock import LOCK_NAME

STEERING = [
    ("slug", "../../x"),
    ("slug", "/tmp/bilingo-hostile-abs"),
    ("url", "/../../outside/u"),
    ("translationKey", "../../outside/tk"),
    ("translationKey", "/etc/passwd"),
    ("aliases", ["../../outside/alias", "/abs/alias"]),
    ("lang", "en/../../nb"),
]


@pytest.mark.parametrize(("key", "value"), STEERING, ids=[f"{k}={v}" for k, v in STEERING])
def test_front_matter_cannot_steer_the_output_path(
    world: Path, articles: Path, key: str, value: object
) -> None:
    """Path-like values are copied into the twin as data; the twin lands beside the source."""
    src = articles / "sti.nb.md"
    src.write_text(
        f"---\ntitle: Hei\n{key}: {json.dumps(value)}\n---\nDette er tekst.\n", encoding="utf-8"
    )
    outside = snapshot(world, ignore=(LOCK_NAME, "articles", "cwd"))
    before = snapshot(articles)
    result = invoke("translate", str(articles))
    if key == "lang":
        # Not a language: refused with the fix, nothing written.
        assert result.exit_code == 1
        assert f"{src}:2: front matter says lang: 'en/../../nb'" in result.output
        assert "set lang: nb or lang: en" in result.output
        assert snapshot(articles) == before
    else:
        assert result.exit_code == 0, result.output
        assert_tree_sound(before, articles)
        assert sorted(p.name for p in articles.iterdir() if p.name != LOCK_NAME) == [
            "sti.en.md",
            "sti.nb.md",
        ]
        assert read_article(articles / "sti.en.md").meta[key] == value
    assert snapshot(world, ignore=(LOCK_NAME, "articles", "cwd")) == outside
    assert not Path("/tmp/bilingo-hostile-abs").exists()


def test_symlinks_leading_outside_are_skipped_with_a_message(world: Path, articles: Path) -> None:
    """A linked article or folder outside the tree is reported and not followed; the files
    out there are untouched and get no twin."""
    outside = world / "outside"
    (outside / "ute.nb.md").write_text(GOOD_NB, encoding="utf-8")
    (outside / "mappe").mkdir()
    (outside / "mappe" / "inne.nb.md").write_text(GOOD_NB, encoding="utf-8")
    (articles / "lenke.nb.md").symlink_to(outside / "ute.nb.md")
    (articles / "lenket-mappe").symlink_to(outside / "mappe", target_is_directory=True)
    (articles / "god.nb.md").write_text(GOOD_NB, encoding="utf-8")
    world_before = snapshot(world, ignore=(LOCK_NAME, "cwd"))
    before = snapshot(articles)

    result = invoke("translate", str(articles))
    assert result.exit_code == 0, result.output
    for link, target in [
        (articles / "lenke.nb.md", outside / "ute.nb.md"),
        (articles / "lenket-mappe", outside / "mappe"),
    ]:
        assert f"skipped: {link}: symbolic link to {target}, outside the tree" in result.output
        assert "pass that folder itself to translate it" in result.output
    assert_tree_sound(before, articles)
    assert (articles / "god.en.md").is_file()
    assert not (articles / "lenke.en.md").exists()
    after = snapshot(world, ignore=(LOCK_NAME, "cwd"))
    assert {k: v for k, v in after.items() if not k.startswith("site/")} == {
        k: v for k, v in world_before.items() if not k.startswith("site/")
    }
    check = invoke("check", str(articles))
    assert f"{articles / 'lenke.nb.md'}: invalid (warning): symbolic link to" in check.output


@pytest.mark.parametrize("target_exists", [True, False], ids=["to-a-file", "dangling"])
def test_twin_path_that_is_a_symlink_is_neither_written_through_nor_replaced(
    world: Path, articles: Path, target_exists: bool
) -> None:
    """``slug.en.md -> /outside/file``: bilingo must not write there, nor silently replace the
    link (it was put there by someone); it says what to do instead."""
    victim = world / "outside" / "offer.md"
    if target_exists:
        victim.write_text("dyrebar tekst\n", encoding="utf-8")
    src = articles / "art.nb.md"
    src.write_text(GOOD_NB, encoding="utf-8")
    (articles / "art.en.md").symlink_to(victim)
    outside = snapshot(world / "outside")
    before = snapshot(articles)
    result = invoke("translate", str(articles))
    assert result.exit_code == 1
    assert f"failed: {src}: its twin art.en.md is a symbolic link" in result.output
    assert "make it a plain file, or delete it" in result.output
    assert snapshot(articles) == before
    assert snapshot(world / "outside") == outside


def _lock() -> Path:
    """The site's lock file (the site here is the current folder: no marker above the
    articles names another root), its state folder created as bilingo would."""
    state = Path.cwd() / ".bilingo"
    state.mkdir(exist_ok=True)
    return state / LOCK_NAME


def test_lock_file_planted_as_a_symlink_is_not_written_through(world: Path, articles: Path) -> None:
    """.bilingo/lock -> ~/.bashrc: bilingo truncates its lock file, so it must refuse a link
    (exit 2, says to delete it) and leave the target as it was."""
    victim = world / "outside" / "bashrc"
    victim.write_text("export IMPORTANT=1\n", encoding="utf-8")
    (articles / "god.nb.md").write_text(GOOD_NB, encoding="utf-8")
    lock = _lock()
    lock.symlink_to(victim)
    before = snapshot(articles, ignore=())
    result = invoke("translate", str(articles))
    assert result.exit_code == 2
    assert f"error: the lock file {lock} is a symbolic link" in result.output
    assert f"rm {lock}" in result.output
    assert victim.read_text(encoding="utf-8") == "export IMPORTANT=1\n"
    assert snapshot(articles, ignore=()) == before


def test_state_folder_planted_as_a_symlink_is_not_written_through(
    world: Path, articles: Path
) -> None:
    """.bilingo -> a folder outside: neither the lock nor the memory is written there."""
    elsewhere = world / "outside" / "state"
    elsewhere.mkdir()
    (articles / "god.nb.md").write_text(GOOD_NB, encoding="utf-8")
    state = Path.cwd() / ".bilingo"
    state.symlink_to(elsewhere, target_is_directory=True)
    result = invoke("translate", str(articles))
    assert result.exit_code == 2
    assert f"error: bilingo's state folder {Path('.bilingo')} is a symbolic link" in result.output
    assert list(elsewhere.iterdir()) == []
    assert not (articles / "god.en.md").exists()


def test_lock_file_planted_as_a_hard_link_is_not_written(world: Path, articles: Path) -> None:
    """A hard link shares the outside file's bytes: truncating it would empty that file."""
    victim = world / "outside" / "profile"
    victim.write_text("PATH=/usr/bin\n", encoding="utf-8")
    (articles / "god.nb.md").write_text(GOOD_NB, encoding="utf-8")
    os.link(victim, _lock())
    before = snapshot(articles, ignore=())
    result = invoke("translate", str(articles))
    assert result.exit_code == 2
    assert "is not a plain file of its own" in result.output and "rm " in result.output
    assert victim.read_text(encoding="utf-8") == "PATH=/usr/bin\n"
    assert snapshot(articles, ignore=()) == before


def test_lock_file_that_cannot_be_created_is_a_message(articles: Path) -> None:
    """A folder where the lock file should be (as root can write anywhere, this stands for an
    unwritable state folder): exit 2 with what to do, not a traceback."""
    (articles / "god.nb.md").write_text(GOOD_NB, encoding="utf-8")
    lock = _lock()
    lock.mkdir()
    before = snapshot(articles, ignore=())
    result = invoke("translate", str(articles))
    assert result.exit_code == 2
    assert f"error: cannot create the lock file {lock}" in result.output
    assert "make it writable" in result.output
    assert snapshot(articles, ignore=()) == before


def test_provenance_naming_a_path_outside_is_never_followed(world: Path, articles: Path) -> None:
    """A twin whose bilingo block says ``source: ../../outside/x`` (hand-edited or hostile):
    check calls it orphaned, memory rebuild and glossary check ignore it, translate leaves it."""
    secret = world / "outside" / "x.nb.md"
    secret.write_text(GOOD_NB, encoding="utf-8")
    twin = articles / "falsk.en.md"
    twin.write_text(
        "---\ntitle: Fake\nlang: en\nbilingo:\n  source: ../../outside/x.nb.md\n"
        "  source_hash: sha256:0\n  twin_blocks: ''\n---\nText.\n",
        encoding="utf-8",
    )
    (articles / "god.nb.md").write_text(GOOD_NB, encoding="utf-8")
    before = snapshot(articles)
    outside = snapshot(world / "outside")

    check = invoke("check", str(articles))
    assert check.exit_code == 1
    assert f"{twin}: orphaned: its source ../../outside/x.nb.md is gone" in check.output
    rebuild = invoke("memory", "rebuild", str(articles))
    assert rebuild.exit_code == 0 and "0 article pairs" in rebuild.output
    gloss = invoke("glossary", "check", str(articles))
    assert gloss.exit_code in (0, 1)
    translate = invoke("translate", str(articles))
    assert translate.exit_code == 0, translate.output
    assert twin.read_bytes() == before["falsk.en.md"]
    assert_tree_sound(before, articles)
    assert snapshot(world / "outside") == outside


def test_two_sources_for_one_twin_write_neither(articles: Path) -> None:
    """foo.md (lang: nb) and foo.nb.md both translate to foo.en.md: writing both would replace
    one translation with the other without a word, so both fail, naming each other."""
    (articles / "foo.md").write_text("---\ntitle: En\nlang: nb\n---\nFørste.\n", encoding="utf-8")
    (articles / "foo.nb.md").write_text("---\ntitle: To\n---\nAndre.\n", encoding="utf-8")
    (articles / "god.nb.md").write_text(GOOD_NB, encoding="utf-8")
    before = snapshot(articles)
    result = invoke("translate", str(articles))
    assert result.exit_code == 1
    assert (
        f"failed: {articles / 'foo.md'}: foo.nb.md would be translated into the same twin "
        "foo.en.md; rename one of them, or give one another lang:"
    ) in result.output
    assert f"failed: {articles / 'foo.nb.md'}: foo.md would be translated" in result.output
    assert not (articles / "foo.en.md").exists()
    assert (articles / "god.en.md").is_file()
    assert_tree_sound(before, articles)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_called_md_is_reported_not_read(articles: Path) -> None:
    """Opening a pipe for reading blocks until someone writes: bilingo must never do it."""
    (articles / "god.nb.md").write_text(GOOD_NB, encoding="utf-8")
    os.mkfifo(articles / "ror.nb.md")
    result = invoke("translate", str(articles))
    assert result.exit_code == 1, result.output
    assert "ror.nb.md" in result.output and "not a regular file" in result.output
    assert (articles / "god.en.md").is_file()
    check = invoke("check", str(articles))
    assert check.exit_code == 1
    assert f"{articles / 'ror.nb.md'}: invalid: not a regular file" in check.output
