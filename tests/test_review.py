"""``bilingo review --html DIR``: states, escaping, and the page as Chromium renders it.

Twins come from the real pipeline on the copy model. The rendering tests start Debian's
``chromium`` headless (skipped, with the reason, when it is not installed): a screenshot
must show the two columns' background colours side by side on a desktop and stacked on a
phone, and ``--dump-dom`` must hold both columns' text and no script element.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingo import workers
from bilingo.article import read_article, render_article, write_atomic
from bilingo.cli import cli
from bilingo.commands.approve import approve
from bilingo.commands.review import SOURCE_BG, TWIN_BG, build_review
from bilingo.commands.translate import translate_paths
from bilingo.document import segment
from bilingo.glossary import empty_glossary, load_glossary

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "articles"
SEED_NAME = "ett-ar-med-naeringsklyngetillit"
CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install chromium): review pages not rendered",
)

HOSTILE = """\
---
title: Skript <script>alert("tittel")</script> i tittelen
lang: nb
---

Dette er en <script>alert("x")</script> test med <img src=x onerror="alert(1)"> og mer tekst.

<script>alert("blokk")</script>

Les [denne lenken](javascript:alert(1)) og <a href="javascript:alert(2)">denne</a> også.
"""

GLOSSARY_YAML = """\
version: 1
keep:
  - NFH
  - Arena
terms:
  - nb: næringsklynge
    en: business cluster
    inflect: m
  - nb: Innovasjon Norge
    en: Innovation Norway
    inflect: name
"""

#: A reviewer's English for the seed's first paragraphs (block index -> text).
SEED_EN = {
    0: "Last June a business cluster of fashion design companies in Oslo was granted Arena "
    "status. Arena is a Norwegian cluster project supported by the authorities through "
    "Innovation Norway, the Research Council of Norway and Siva. Nye og Kloke Hoder was "
    "given the honour of leading the cluster, which has a provisional time frame of 4 years.",
    1: "It was the Minister of Trade and Industry, Monica Mæland, who made the award, which "
    "made the fashion design industry part of an exclusive group of industry clusters that "
    "the Norwegian authorities want to promote. Other business clusters with similar status "
    "exist in maritime industries, marine biology, energy, IT, cancer and medicine.",
    2: "Small firms must cooperate",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, argos_packages_dir: Path) -> Path:
    """Seed, fixtures, a hostile article and a human pair; twins from the real pipeline."""
    folder = tmp_path_factory.mktemp("built") / "articles"
    folder.mkdir()
    shutil.copy(ROOT / "articles" / f"{SEED_NAME}.nb.md", folder)
    for f in sorted(FIXTURES.glob("*.md")):
        shutil.copy(f, folder)
    (folder / "skript.nb.md").write_text(HOSTILE, encoding="utf-8")
    report = translate_paths([folder], glossary=empty_glossary())
    assert report.exit_code == 0, report.outcomes
    (folder / "menneske.nb.md").write_text(
        "---\ntitle: Skrevet av folk\nlang: nb\n---\n\nBegge filene er skrevet for hånd.\n",
        encoding="utf-8",
    )
    (folder / "menneske.en.md").write_text(
        "---\ntitle: Written by people\nlang: en\n---\n\nBoth files were written by hand.\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def site(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(built, folder)
    (tmp_path / "glossary.yml").write_text(GLOSSARY_YAML, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return folder


def translate_by_hand(twin: Path, blocks: dict[int, str], title: str | None = None) -> None:
    article = read_article(twin)
    doc = segment(article.body)
    body = doc.render([s.text for s in doc.segments], overrides=blocks)
    meta = {**article.meta, **({"title": title} if title else {})}
    write_atomic(twin, render_article(meta, body, newline=article.newline))


def seed_page(site: Path) -> Path:
    """The seed's review page: translated with the glossary, then partly by a reviewer."""
    glossary = load_glossary(site.parent / "glossary.yml")
    seed = Path("articles") / f"{SEED_NAME}.nb.md"
    assert translate_paths([seed], glossary=glossary, force=True).exit_code == 0
    translate_by_hand(site / f"{SEED_NAME}.en.md", SEED_EN, "A year as a business cluster")
    report = build_review([Path("articles")], out_dir=Path("review"), glossary=glossary)
    page = next(e.page for e in report.entries if e.source.name == f"{SEED_NAME}.nb.md")
    assert page is not None
    return site.parent / "review" / page


# --------------------------------------------------------------------------- report content


def test_index_lists_every_state(site: Path) -> None:
    # reviewed: the seed, approved.
    approve(site / f"{SEED_NAME}.en.md", by="Kari")
    # stale: a source edited after translation.
    runway = site / "oslo-runway-week.en.md"
    runway.write_text(runway.read_text(encoding="utf-8").replace("214", "216"), encoding="utf-8")
    # conflict: a person's edit and an editor's edit on the same paragraph.
    rules = site / "textile-traceability-rules.en.md"
    rules_twin = site / "textile-traceability-rules.nb.md"
    rules_twin.write_text(
        rules_twin.read_text(encoding="utf-8").replace("From 2027,", "Fra 2027 må"),
        encoding="utf-8",
    )
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("From 2027,", "From 2028,"), encoding="utf-8"
    )
    translate_paths([rules], glossary=empty_glossary())
    # missing: a twin deleted.
    (site / "ullklaer-pa-eksport.en.md").unlink()

    out = site.parent / "review"
    result = CliRunner().invoke(
        cli, ["review", "articles", "--html", "review", "--glossary", "/nonexistent.yml"]
    )
    assert result.exit_code == 2 and "no glossary at /nonexistent.yml" in result.output
    (site.parent / "glossary.yml").unlink()  # the twins were made without one
    result = CliRunner().invoke(cli, ["review", "articles", "--html", "review"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "7 articles (1 conflict, 2 flagged, 1 human, 1 missing, 1 reviewed, 1 stale); "
        "open review/index.html\n"
    )
    report = build_review([site], out_dir=out, glossary=empty_glossary())
    states = {e.source.name: (e.state, e.detail) for e in report.entries}
    fix = "(+1 more)"
    conflict = states.pop("textile-traceability-rules.en.md")
    assert conflict[0] == "conflict" and conflict[1].endswith(fix)
    assert conflict[1].startswith("paragraph at source line 9 changed, and its translation")
    assert states == {
        f"{SEED_NAME}.nb.md": ("reviewed", f"reviewed by Kari on {approve_date(site)}"),
        # Copies (the copy model's output): diff's flags put them before machine twins.
        "gjenbruk-i-motebransjen.nb.md": (
            "flagged",
            "untranslated: identical to the source: still in nb (+22 more)",
        ),
        "skript.nb.md": ("flagged", "untranslated: identical to the source: still in nb (+2 more)"),
        # check's words, with how many more problems check reports.
        "oslo-runway-week.en.md": (
            "stale",
            "paragraph changed since oslo-runway-week.nb.md was made; run: bilingo translate "
            f"{site / 'oslo-runway-week.en.md'} {fix}",
        ),
        "ullklaer-pa-eksport.md": (
            "missing",
            "no en twin (ullklaer-pa-eksport.en.md); run: bilingo translate "
            + str(site / "ullklaer-pa-eksport.md"),
        ),
        "menneske.en.md": ("human", "both files written by people; bilingo does not track them"),
    }
    # Files only inside DIR: the index and one page per pair (none for the missing twin).
    written = sorted(p.name for p in out.iterdir())
    per_state = [f"state-{s}.html" for s in ("conflict", "flagged", "human", "missing")]
    per_state += ["state-reviewed.html", "state-stale.html"]
    assert written == sorted(
        ["index.html", *per_state, *(e.page for e in report.entries if e.page is not None)]
    )
    assert len(written) == 1 + 6 + 5
    assert not list(out.glob(".*"))  # no temporary files left behind
    index = (out / "index.html").read_text(encoding="utf-8")
    for state in ("reviewed", "flagged", "stale", "conflict", "missing", "human"):
        assert f'<span class="state st-{state}">{state}</span>' in index
        assert f'<a href="state-{state}.html">' in index  # a filter page per state
    rows = index[index.index("<tbody>") :]
    assert rows.index("st-conflict") < rows.index("st-reviewed")  # urgent first
    conflict_page = next(e.page for e in report.entries if e.state == "conflict")
    assert conflict_page is not None
    conflict_html = (out / conflict_page).read_text(encoding="utf-8")
    assert "<li><b>conflict</b>: paragraph at source line 9 changed" in conflict_html


def approve_date(site: Path) -> str:
    return str(read_article(site / f"{SEED_NAME}.en.md").meta["bilingo"]["reviewed_at"])


def test_page_shows_both_columns_terms_and_flags(site: Path) -> None:
    page = seed_page(site).read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@media (max-width:700px)" in page and "grid-template-columns:1fr 1fr" in page
    assert '<main class="grid">' in page
    assert (
        '<section class="row" id="p4" data-state="edited">\n'
        '<div class="cell src" lang="nb"><span class="where">¶4 · nb · heading · line 11'
        '</span><div class="raw">Små må samarbeide</div><div class="md">Små må samarbeide</div>'
        "</div>"
    ) in page  # translated: not flagged
    assert (
        '<div class="cell twin" lang="en"><span class="where">¶4 · en · heading · line 32 '
        '<span class="badge st-edited">edited</span></span>'
        '<div class="raw">Small firms must cooperate</div>'
        '<div class="md">Small firms must cooperate</div></div>'
    ) in page  # a reviewer's text, not approved yet: its verdict
    assert '<mark class="term" title="glossary term">business cluster</mark>' in page
    assert '<mark class="keep" title="name kept as it is">Arena</mark>' in page
    assert "<li><b>number</b>: numbers differ: the source has 3 that the twin lacks" in page
    assert (
        "<li><b>glossary</b>: &#x27;næringsklynger&#x27; should be translated as "
        "&#x27;business clusters&#x27;</li>"
    ) in page
    assert "<li><b>untranslated</b>: identical to the source: still in nb</li>" in page


def test_article_text_is_escaped_never_live(site: Path) -> None:
    out = site.parent / "review"
    report = build_review([site], out_dir=out, glossary=empty_glossary())
    page = next(e.page for e in report.entries if e.source.name == "skript.nb.md")
    assert page is not None
    text = (out / page).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text
    for html_file in out.iterdir():
        lowered = html_file.read_text(encoding="utf-8").lower()
        assert "<script" not in lowered
        assert "<img" not in lowered and '<a href="javascript' not in lowered
        assert "default-src 'none'" in lowered  # and scripts are off even if one slipped


def test_review_writes_only_inside_dir_and_rejects_a_file(site: Path) -> None:
    before = {p: p.read_bytes() for p in site.iterdir()}
    target = site.parent / "deep" / "review"
    result = CliRunner().invoke(cli, ["review", "--html", str(target)])  # PATHS default: .
    assert result.exit_code == 0, result.output
    assert {p: p.read_bytes() for p in site.iterdir()} == before
    assert (target / "index.html").is_file()
    # A second run over "." does not review its own output (no .md there anyway) and
    # overwrites the pages in place.
    again = CliRunner().invoke(cli, ["review", ".", "--html", str(target)])
    assert again.exit_code == 0
    (site.parent / "afile").write_text("x", encoding="utf-8")
    bad = CliRunner().invoke(cli, ["review", "--html", "afile"])
    assert bad.exit_code == 2 and "is a file; give --html a folder" in bad.output


def test_a_second_run_rewrites_only_the_pages_that_changed(site: Path) -> None:
    """A page whose bytes are the same keeps its file (inode and mtime: a browser's cache);
    a page whose article changed, and the index pages, are written again, whole."""
    glossary = load_glossary(site.parent / "glossary.yml")
    out = site.parent / "review"
    report = build_review([Path("articles")], out_dir=out, glossary=glossary)
    pages = {p.name: p.stat() for p in out.iterdir()}
    seed = next(e.page for e in report.entries if e.source.name == f"{SEED_NAME}.nb.md")
    assert seed is not None and len(pages) > 3
    again = build_review([Path("articles")], out_dir=out, glossary=glossary)
    assert [e.page for e in again.entries] == [e.page for e in report.entries]
    for name, before in pages.items():
        now = (out / name).stat()
        assert (now.st_ino, now.st_mtime_ns) == (before.st_ino, before.st_mtime_ns), name
    # A reviewer's edit changes the seed's page and the index; a page spoiled by hand (same
    # size, other bytes) is made again too; every other page stays as it was.
    translate_by_hand(site / f"{SEED_NAME}.en.md", SEED_EN, "A year as a business cluster")
    other = next(n for n in pages if n != seed and not n.startswith(("index", "state-")))
    spoiled = (out / other).read_bytes()
    (out / other).write_bytes(spoiled[:-1] + b"?")
    build_review([Path("articles")], out_dir=out, glossary=glossary)
    rewritten = {n for n, before in pages.items() if (out / n).stat().st_ino != before.st_ino}
    assert seed in rewritten and "index.html" in rewritten and other in rewritten
    assert (out / other).read_bytes() == spoiled
    assert not any(p.name.endswith(".tmp") for p in out.iterdir())
    kept = set(pages) - rewritten
    assert kept and all(not n.startswith("index") for n in kept)


# --------------------------------------------------------------------------- Chromium


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def read_png(path: Path) -> tuple[int, int, int, bytes]:
    """(width, height, bytes per pixel, unfiltered pixel rows) of an 8-bit RGB(A) PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = bpp = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, chunk = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and colour in (2, 6) and interlace == 0
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
    raw = zlib.decompress(idat)
    stride = width * bpp
    out = bytearray()
    prev = bytearray(stride)
    for y in range(height):
        filt = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if filt == 1:
                line[i] = (line[i] + a) & 0xFF
            elif filt == 2:
                line[i] = (line[i] + b) & 0xFF
            elif filt == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif filt == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        out += line
        prev = line
    return width, height, bpp, bytes(out)


def colour_shares(png: Path, colours: dict[str, str]) -> dict[str, tuple[float, float]]:
    """For each named #rrggbb colour: its share of the left half and of the right half."""
    width, height, bpp, pixels = read_png(png)
    wanted = {name: bytes.fromhex(hex_.lstrip("#")) for name, hex_ in colours.items()}
    counts = {name: [0, 0] for name in colours}
    half = width // 2
    for y in range(0, height, 2):
        row = pixels[y * width * bpp : (y + 1) * width * bpp]
        for x in range(0, width, 2):
            px = row[x * bpp : x * bpp + 3]
            for name, rgb in wanted.items():
                if px == rgb:
                    counts[name][0 if x < half else 1] += 1
    per_half = (height // 2) * (half // 2)
    return {name: (left / per_half, right / per_half) for name, (left, right) in counts.items()}


@needs_chromium
def test_chromium_renders_two_columns_and_stacks_them_on_a_phone(
    site: Path, tmp_path: Path
) -> None:
    page = seed_page(site)
    shot = tmp_path / "desktop.png"
    run = chromium(
        tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,900", page.as_uri()
    )
    assert shot.is_file(), run.stderr
    shares = colour_shares(shot, {"source": SOURCE_BG, "twin": TWIN_BG})
    src_left, src_right = shares["source"]
    twin_left, twin_right = shares["twin"]
    assert src_left > 0.25 and twin_right > 0.25, shares  # each column is filled ...
    assert src_right < 0.01 and twin_left < 0.01, shares  # ... on its own side
    if os.environ.get("BILINGO_SCREENSHOT"):  # refresh docs/review-screenshot.png
        shutil.copy(shot, os.environ["BILINGO_SCREENSHOT"])

    phone = tmp_path / "phone.png"
    chromium(tmp_path / "profile", f"--screenshot={phone}", "--window-size=420,900", page.as_uri())
    shares = colour_shares(phone, {"source": SOURCE_BG, "twin": TWIN_BG})
    # Stacked: each column spans the width, so both colours fill both halves.
    assert min(*shares["source"], *shares["twin"]) > 0.1, shares


@needs_chromium
def test_chromium_dom_holds_both_columns_and_no_script(site: Path, tmp_path: Path) -> None:
    page = seed_page(site)
    run = chromium(tmp_path / "profile", "--dump-dom", page.as_uri())
    dom = run.stdout
    assert "</html>" in dom, run.stderr
    cells = re.findall(r'<div class="cell (src|twin)[^"]*" lang="(\w+)">(.*?)</div>', dom, re.S)
    sources = [text for side, _, text in cells if side == "src"]
    twins = [text for side, _, text in cells if side == "twin"]
    assert len(sources) == len(twins) > 10
    assert any("Små må samarbeide" in t for t in sources)
    assert any("Small firms must cooperate" in t for t in twins)
    assert not any("Small firms" in t for t in sources)
    assert all(lang == ("nb" if side == "src" else "en") for side, lang, _ in cells)

    hostile = build_review([site], out_dir=tmp_path / "h", glossary=empty_glossary())
    name = next(e.page for e in hostile.entries if e.source.name == "skript.nb.md")
    assert name is not None
    run = chromium(tmp_path / "profile", "--dump-dom", (tmp_path / "h" / name).as_uri())
    assert "</html>" in run.stdout, run.stderr
    assert "<script" not in run.stdout.lower() and "<img" not in run.stdout.lower()
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in run.stdout


@pytest.mark.skipif(workers.available() < 2, reason="needs 2 CPUs on Linux to fork")
def test_pages_of_articles_langdetect_decided_are_the_same_in_two_processes(
    tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """40 articles whose language only their prose tells (no ``lang:``, no suffix: the
    body is parsed to find each twin, and that parse kept for its page), translated through
    the pipeline; a person rewrites a paragraph of one twin, approves another, then that
    source changes. One process and two make the same entries and pages, byte for byte."""
    import bilingo.commands.review as review

    base = (FIXTURES / "ullklaer-pa-eksport.md").read_text(encoding="utf-8")
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(40):
        text = base.replace("12 prosent", f"{i + 3} prosent").replace(
            "title: Norsk ull", f"title: Norsk ull {i}"
        )
        (folder / f"ull-{i:02d}.md").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    glossary = empty_glossary()
    assert translate_paths([Path("articles")], glossary=glossary).exit_code == 0
    mine = "A reviewer's own words about Norwegian wool."
    translate_by_hand(folder / "ull-05.en.md", {1: mine})
    approve(folder / "ull-09.en.md", by="Kari", glossary_hash=glossary.hash)
    source = folder / "ull-09.md"
    source.write_text(source.read_text(encoding="utf-8").replace("SSB", "Statistisk sentralbyrå"))
    kept: list[str] = []
    remember = review.remember

    def counting(body: str, *args: object, **kwargs: object) -> None:
        kept.append(body)
        remember(body, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(review, "remember", counting)
    one = build_review([Path("articles")], out_dir=Path("r1"), glossary=glossary, workers=1)
    assert len(kept) == 40  # every page reused the parse its twin was found with
    two = build_review([Path("articles")], out_dir=Path("r2"), glossary=glossary, workers=2)
    assert one.entries == two.entries
    by_name = {e.source.name: e for e in one.entries}
    assert by_name["ull-09.md"].state == "stale"
    assert by_name["ull-05.md"].paragraphs.get("edited") == 1  # the person's paragraph
    r1, r2 = tmp_path / "r1", tmp_path / "r2"
    names = sorted(p.name for p in r1.iterdir())
    assert len(names) > 40 and names == sorted(p.name for p in r2.iterdir())
    for name in names:
        assert (r1 / name).read_bytes() == (r2 / name).read_bytes(), name
    assert mine in read_article(folder / "ull-05.en.md").body  # pages only were written
