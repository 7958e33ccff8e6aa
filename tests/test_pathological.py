"""cmark-gfm's pathological inputs (github/cmark-gfm ``test/pathological_tests.py``) through
``bilingo translate`` on the copy model: none crashes the run; each article is written, or
fails alone with a message naming the construct too deep to parse.

The suite runs them at a fraction of cmark's sizes (deep nesting kept deep enough to be
refused); ``bench/pathological.py`` times them at full size and a quarter of it (linear time:
BENCHMARKS.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cmark_inputs import REFUSED, pathological
from support import recording_factory

from bilingo.commands.translate import translate_paths
from bilingo.glossary import empty_glossary
from bilingo.limits import deepest_construct


def test_the_deepest_construct_is_named() -> None:
    assert deepest_construct("[" * 3000 + "a" + "]" * 3000).startswith("link or image brackets")
    assert deepest_construct("> " * 900 + "a") == "block quotes (>) nested 900 deep"
    assert deepest_construct("* a\n  * b\n    * c\n") == "lists nested 3 deep"


def test_pathological_inputs_never_crash_the_run(
    tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(argos_packages_dir))
    articles = tmp_path / "articles"
    articles.mkdir()
    names: dict[str, str] = {}
    for k, (name, body) in enumerate(pathological(1 / 256).items()):
        if name in REFUSED:  # as deep as cmark's: the parser's recursion is what refuses them
            body = pathological(1.0)[name]
        names[f"p{k:02d}.nb.md"] = name
        (articles / f"p{k:02d}.nb.md").write_text(f"---\ntitle: P{k}\n---\n{body}\n", "utf-8")
    (articles / "plain.nb.md").write_text("---\ntitle: Plain\n---\nEn vanlig tekst.\n", "utf-8")
    report = translate_paths(
        [articles], glossary=empty_glossary(), engine_factory=recording_factory([], beam_size=1)
    )
    by_name = {o.source.name: o for o in report.outcomes}
    assert by_name["plain.nb.md"].action == "written"
    for file, name in names.items():
        outcome = by_name[file]
        if name == "U+0000 in input":  # refused before parsing, as any binary file
            assert outcome.action == "failed" and "binary file" in outcome.reason
        elif name in REFUSED:
            assert outcome.action == "failed", name
            assert f"{REFUSED[name]} nested" in outcome.reason, (name, outcome.reason)
        else:
            assert outcome.action == "written", (name, outcome)
    assert report.exit_code == 1
