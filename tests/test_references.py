"""Reference links (issue 23): the text of ``[text][]`` and ``[text]`` is prose, and a
translated one is written ``[translated][text]``, the label byte for byte; a line break
inside a link stays where it was. Literals whole: an address holding escapes is one literal.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import CopyLayout, recording_factory

from bilingo.article import read_article
from bilingo.commands.translate import translate_paths
from bilingo.document import parse, relabel, segment
from bilingo.glossary import empty_glossary

BODY = """\
Du kan lese om [konfigurasjon av medietyper][] og om [Oslo] her.
Du kan [utvide temaet
][temautvidelse] og mer.

[konfigurasjon av medietyper]: https://example.org/medietyper
[Oslo]: https://example.org/oslo
[temautvidelse]: https://example.org/tema
"""


def test_reference_link_text_is_prose_and_the_label_is_kept() -> None:
    doc = segment(BODY, strict=True)
    texts = [s.text for s in doc.segments]
    assert "konfigurasjon av medietyper" in texts and "Oslo" in texts
    shouted = doc.render([s.text.upper() for s in doc.segments])
    twin = relabel(doc, shouted, dialects=None)
    assert "[KONFIGURASJON AV MEDIETYPER][konfigurasjon av medietyper]" in twin
    assert "[OSLO][Oslo]" in twin
    assert "[UTVIDE TEMAET\n][temautvidelse]" in twin  # a full reference: as it was
    assert relabel(doc, doc.render(texts), dialects=None) == BODY  # unchanged text: byte for byte
    # The twin's links resolve to the source's definitions.
    links = [t for t in parse(twin).references]
    assert len(links) == 0  # all of them are full references now
    assert [s.text for s in segment(twin).segments if s.kind == "link_text"] == [
        "KONFIGURASJON AV MEDIETYPER", "OSLO", "UTVIDE TEMAET",
    ]  # fmt: skip


def test_footnote_labels_stay_literal() -> None:
    doc = segment("Tekst.[^1] Mer [^merk].\n", strict=True)
    assert [s.text for s in doc.segments] == ["Tekst.", "Mer"]
    assert doc.references == ()


@pytest.mark.parametrize(
    ("body", "literal"),
    [
        ("Skriv til <foo\\+@bar.example.com> i dag.\n", "foo\\+@bar.example.com"),
        ("Skriv til foo\\_bar@example.com i dag.\n", "foo\\_bar@example.com"),
        ("Se www.eksempel\\_side.no i dag.\n", "www.eksempel\\_side.no"),
        ("Se <https://eksempel.no/a\\_b> i dag.\n", "https://eksempel.no/a\\_b"),
    ],
)
def test_an_address_holding_escapes_is_one_literal(body: str, literal: str) -> None:
    texts = [s.text for s in segment(body, strict=True).segments]
    assert texts == ["Skriv til" if "Skriv" in body else "Se", "i dag."]
    assert not any(part in t for t in texts for part in literal.split("\\"))


def test_reference_links_translated_end_to_end(
    tmp_path: Path, copy_layout: CopyLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "side.nb.md"
    page.write_text("---\ntitle: Side\n---\n\n" + BODY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    sent: list[str] = []
    report = translate_paths(
        [page], glossary=empty_glossary(), engine_factory=recording_factory(sent, beam_size=1)
    )
    assert report.exit_code == 0, report.outcomes
    assert any("konfigurasjon av medietyper" in s for s in sent)
    twin = read_article(tmp_path / "side.en.md").body
    if copy_layout.layout == "shared":  # identity: byte for byte, the break where it was
        assert twin == read_article(page).body
    else:
        text = copy_layout.expected("Du kan lese om konfigurasjon av medietyper og om Oslo her.")
        assert "][konfigurasjon av medietyper]" in twin and "][Oslo]" in twin, twin
        assert text.split()[0] in twin
        assert "\n][temautvidelse]" in twin, twin  # the line break stays inside the link
