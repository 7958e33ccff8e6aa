"""Hugo and MkDocs dialects end to end: what reaches the engine, and what comes back.

The engine is the real one on the copy models (tests/support.py records what it is sent).
Markers, attributes, ids, icons, shortcode parameters and code must never reach it; the
bodies of admonitions, tabs, alerts, definition lists and ``{{% x %}}`` shortcodes must.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import CopyLayout, recording_factory

from bilingo.article import read_article
from bilingo.commands.translate import translate_paths
from bilingo.document import segment, structure_problems
from bilingo.glossary import empty_glossary

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MKDOCS_SITE = FIXTURES / "sites" / "mkdocs-suffix"
HUGO_BODY = FIXTURES / "segment" / "hugo.md"

#: Dialect markup that must never be sent, in any mode (the copy model would keep it, a
#: real one rewrites it).
NEVER_SENT = (
    "!!!", "???", "===", "{", "}", ":material", ":fontawesome", ":smile", "*[", "[!", "[^",
    "md-button", "#medlem", "#settings", ".lead", "send-skjema", "adresse", "baseURL",
    "Mitt nettsted", "Ctrl C", "code-toggle", "notice", "Vis mer", "Bildetekst", "Et bilde",
    "docs/start",
)
MKDOCS_PROSE = (
    "Om klyngen", "Klyngen ble startet i 2014 og har over femti medlemmer.",
    "Medlemmene møtes fire ganger i året.", "Designere", "Butikker",
    "Meld deg på nyhetsbrevet for designere.", "Les rapporten om handel og bærekraft.",
    "Tips", "Skriv kort om bedriften din.", "Skjemaet må være fylt ut helt.", "Med e-post",
    "Send skjemaet på e-post til sekretariatet.", "Med post", "Send skjemaet i posten.",
    "Medlemskap", "Gir tilgang til alle møtene i klyngen.", "Slik blir du medlem",
    "Avtalen om Det europeiske økonomiske samarbeidsområdet.", "Les mer",
)
HUGO_PROSE = (
    "Innstillinger for nettstedet", "Denne siden forklarer innstillingene.",
    "Lagre filen før du bygger nettstedet.", "Endringer slettes uten varsel.", "viktig",
    "tekst i en kortkode.", "for mer, eller kjør", "Årstall", "Det firesifrede året.",
    "Måned", "Måneden som tall.", "Eller som navn.",
)  # fmt: skip


@pytest.fixture
def sites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The MkDocs fixture site, and a Hugo site with one page of every Hugo construct."""
    mkdocs = tmp_path / "mkdocs"
    shutil.copytree(MKDOCS_SITE, mkdocs)
    hugo = tmp_path / "hugo"
    (hugo / "content" / "docs").mkdir(parents=True)
    (hugo / "hugo.toml").write_text('defaultContentLanguage = "nb"\n', encoding="utf-8")
    page = "---\ntitle: Innstillinger\nlang: nb\n---\n\n" + HUGO_BODY.read_text(encoding="utf-8")
    (hugo / "content" / "docs" / "innstillinger.nb.md").write_text(page, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return mkdocs / "docs", hugo / "content"


@pytest.mark.parametrize("inline", ["fragments", "whole"])
def test_dialect_markup_never_reaches_the_engine_and_bodies_do(
    sites: tuple[Path, Path], copy_layout: CopyLayout, inline: str
) -> None:
    for folder, prose in zip(sites, (MKDOCS_PROSE, HUGO_PROSE), strict=True):
        sent: list[str] = []
        report = translate_paths(
            [folder],
            glossary=empty_glossary(),
            engine_factory=recording_factory(sent, beam_size=1),
            inline=inline,  # type: ignore[arg-type]
        )
        assert report.exit_code == 0, report.outcomes
        leaked = [(s, m) for s in sent for m in NEVER_SENT if m in s]
        assert not leaked, leaked
        missing = [p for p in prose if not any(p in s for s in sent)]
        assert not missing, (missing, sent)
        for outcome in report.outcomes:
            assert outcome.twin is not None
            src, twin = read_article(outcome.source), read_article(outcome.twin)
            pair = (outcome.source_lang, outcome.target_lang)
            assert twin.body == copy_layout.expected_body(src.body, *pair)
            if copy_layout.layout == "shared":  # the identity model: byte for byte
                assert twin.body == src.body


def test_hugo_page_segments_leave_every_construct_literal() -> None:
    body = HUGO_BODY.read_text(encoding="utf-8")
    texts = [s.text for s in segment(body).segments]
    assert list(HUGO_PROSE) == [t for t in texts if t in HUGO_PROSE]
    for marker in NEVER_SENT:
        assert not any(marker in t for t in texts), marker


@pytest.mark.parametrize("name", ["hugo", "mkdocs"])
def test_translated_dialect_pages_keep_their_structure(name: str) -> None:
    """A translation of every segment (upper-cased) leaves each construct where it was."""
    body = (FIXTURES / "segment" / f"{name}.md").read_text(encoding="utf-8")
    document = segment(body)
    shouted = [s.text.upper() for s in document.segments]
    twin = segment(document.render(shouted))
    assert structure_problems(document, shouted, twin) == []
    assert [(b.kind, b.containers) for b in twin.blocks] == [
        (b.kind, b.containers) for b in document.blocks
    ]
