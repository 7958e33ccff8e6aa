"""Front-matter fields (issue 23): ``linkTitle`` is translated by default, and a value holding
inline Markdown is translated as inline Markdown: code spans literal, links kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import CopyLayout, recording_factory

from bilingo.article import DEFAULT_TRANSLATED_FIELDS, read_article
from bilingo.commands.translate import translate_paths
from bilingo.document import segment_field
from bilingo.glossary import empty_glossary

PAGE = """\
---
title: Oppsett
linkTitle: Kom i gang
description: Kjør `hugo server` og les [veiledningen](/docs/start/) for *mer*.
---

Teksten på siden.
"""


def test_field_values_with_inline_markdown_are_segmented_as_markdown() -> None:
    assert "linkTitle" in DEFAULT_TRANSLATED_FIELDS
    doc = segment_field("Kjør `hugo server` og les [veiledningen](/docs/start/) for *mer*.")
    assert [s.text for s in doc.segments] == ["Kjør", "og les", "veiledningen", "for", "mer"]
    plain = segment_field("C# og F# på 10 minutter.")
    assert [s.text for s in plain.segments] == ["C# og F# på 10 minutter."]


def test_link_title_and_markdown_fields_translated(
    tmp_path: Path, copy_layout: CopyLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "oppsett.nb.md"
    page.write_text(PAGE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    sent: list[str] = []
    report = translate_paths(
        [page], glossary=empty_glossary(), engine_factory=recording_factory(sent, beam_size=1)
    )
    assert report.exit_code == 0, report.outcomes
    assert "Kom i gang" in sent
    assert not [s for s in sent if "`" in s or "hugo server" in s or "/docs/start/" in s], sent
    twin = read_article(tmp_path / "oppsett.en.md").meta
    tr = copy_layout.expected
    assert twin["linkTitle"] == tr("Kom i gang")
    assert twin["description"] == (
        f"{tr('Kjør')} `hugo server` {tr('og les')} [{tr('veiledningen')}](/docs/start/) "
        f"{tr('for')} *{tr('mer')}*."
    )
