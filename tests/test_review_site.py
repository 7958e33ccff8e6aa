"""The review pages of a site of 400 archived articles and a few live ones, in Chromium.

Every twin comes from the real pipeline: the archive and most live articles through the
``upper`` copy model (output = input upper-cased: translated, so not flagged as a copy),
one live article through the ``unsure`` copy model (one sentence the model is unsure of).
A person's edits, approvals and source changes then put each live article in one state.
The index must list every article ``check`` flags above the first one it does not, and
each article page must carry each paragraph's verdict (:mod:`bilingo.verdicts`) as a
badge on that paragraph. Golden pages (tests/fixtures/review/) pin one article per state;
``BILINGO_GOLDEN=1`` rewrites them, ``BILINGO_SCREENSHOTS=DIR`` saves the screenshots.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support import UNSURE_WORDS
from test_review import chromium, needs_chromium, translate_by_hand

from bilingo import provenance, workers
from bilingo.article import read_article
from bilingo.commands.approve import approve
from bilingo.commands.check import check_paths
from bilingo.commands.review import ReviewReport, build_review
from bilingo.commands.translate import translate_paths
from bilingo.glossary import load_glossary
from bilingo.memory import Memory
from bilingo.verdicts import twin_verdicts

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "fixtures" / "review"
ARCHIVE = 400
TODAY = dt.date(2026, 3, 2)


def archived(n: int) -> str:
    year = 2000 + n % 24
    return (
        f"---\ntitle: Arkiv {n}\nlang: nb\n---\n\n"
        f"I {year} fikk bedriftene i Oslo status som næringsklynge.\n\n"
        f"Les mer om klyngen i årsrapporten for {year}.\n"
    )


LIVE = """\
---
title: {title}
lang: nb
---

Klyngen samler bedrifter innen mote og design i Oslo.

Medlemmene deler kunnskap om bærekraftige materialer og nye forretningsmodeller.

Neste samling holdes i Bergen til høsten.
"""


def live(name: str, title: str, *, body: str | None = None) -> tuple[str, str]:
    return name, body or LIVE.format(title=title)


LIVES = dict(
    [
        live("konflikt", "Konflikt"),
        live("ny-kilde", "Ny kilde"),
        live("endret-etter", "Endret etter godkjenning"),
        live("endret", "Endret for hånd"),
        live(
            "biter",
            "Biter",
            body="---\ntitle: Biter\nlang: nb\n---\n\n"
            "Den heter *Norwegian* Fashion Hub og holder til i Oslo.\n\n"
            "Klyngen samler bedrifter innen mote og design i Oslo.\n",
        ),
        live("godkjent", "Godkjent"),
        live("foreldet", "Foreldet"),
        live("forlatt", "Forlatt"),
    ]
)
UNSURE_BODY = (
    "---\ntitle: Usikker\nlang: nb\n---\n\n"
    "Klyngen samler bedrifter innen mote og design i Oslo.\n\n"
    f"Det er {' '.join(UNSURE_WORDS)} sant.\n\n"
    "Neste samling holdes i Bergen til høsten.\n"
)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def review_site(
    tmp_path_factory: pytest.TempPathFactory,
    layout_dirs: Callable[[str], Path],
    unsure_packages_dir: Path,
) -> Iterator[tuple[Path, ReviewReport]]:
    root = tmp_path_factory.mktemp("review-site")
    articles = root / "articles"
    (articles / "arkiv").mkdir(parents=True)
    for n in range(ARCHIVE):
        (articles / "arkiv" / f"arkiv-{n:03d}.nb.md").write_text(archived(n), encoding="utf-8")
    for name, text in LIVES.items():
        (articles / f"{name}.nb.md").write_text(text, encoding="utf-8")
    (articles / "usikker.nb.md").write_text(UNSURE_BODY, encoding="utf-8")
    (articles / "mangler.nb.md").write_text(LIVE.format(title="Mangler"), encoding="utf-8")
    shutil.copy(ROOT / "glossary.yml", root / "glossary.yml")
    glossary = load_glossary(root / "glossary.yml")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        memory = Memory(Path(".bilingo/memory.sqlite"))

        def translate(*paths: Path, packages: Path) -> None:
            patch.setenv("ARGOS_PACKAGES_DIR", str(packages))
            report = translate_paths(list(paths), glossary=glossary, memory=memory)
            assert report.exit_code == 0, report.outcomes

        upper = layout_dirs("upper")
        lives = [Path("articles") / f"{name}.nb.md" for name in LIVES]
        translate(Path("articles/arkiv"), *lives, packages=upper)
        translate(Path("articles/usikker.nb.md"), packages=unsure_packages_dir)
        a = Path("articles")
        # conflict: a person edits a paragraph, then its source changes.
        edit(a / "konflikt.en.md", "NYE FORRETNINGSMODELLER", "new business models")
        edit(a / "konflikt.nb.md", "nye forretningsmodeller", "nye og gamle forretningsmodeller")
        # needs review: approved, then a source paragraph changes.
        approve(a / "ny-kilde.en.md", by="Kari", today=TODAY, glossary_hash=glossary.hash)
        edit(a / "ny-kilde.nb.md", "i Bergen til høsten", "i Trondheim til våren")
        translate(a / "konflikt.nb.md", a / "ny-kilde.nb.md", packages=upper)
        # edited after review; edited (not yet approved); reviewed.
        approve(a / "endret-etter.en.md", by="Kari", today=TODAY, glossary_hash=glossary.hash)
        edit(a / "endret-etter.en.md", "I BERGEN", "in Bergen")
        translate_by_hand(a / "endret.en.md", {0: "The cluster gathers fashion firms in Oslo."})
        approve(a / "godkjent.en.md", by="Kari", today=TODAY, glossary_hash=glossary.hash)
        # stale: the source changed, not translated since; orphaned: the source is gone.
        edit(a / "foreldet.nb.md", "i Bergen", "i Stavanger")
        (a / "forlatt.nb.md").unlink()
        memory.close()
        report = build_review(
            [a],
            out_dir=Path("review"),
            glossary=glossary,
            root=Path("."),
            memory_path=Path(".bilingo/memory.sqlite"),
        )
        yield root, report


def by_name(report: ReviewReport) -> dict[str, str]:
    return {e.source.name.split(".")[0]: e.state for e in report.entries}


def test_each_live_article_has_its_state(review_site: tuple[Path, ReviewReport]) -> None:
    _, report = review_site
    states = by_name(report)
    assert len(report.entries) == ARCHIVE + len(LIVES) + 2
    assert {k: v for k, v in states.items() if not k.startswith("arkiv")} == {
        "konflikt": "conflict",
        "ny-kilde": "needs review",
        "endret-etter": "edited after review",
        "endret": "edited",
        "biter": "in pieces",
        "godkjent": "reviewed",
        "foreldet": "stale",
        "forlatt": "orphaned",
        "mangler": "missing",
        # The unsure model copies: "untranslated" flags come before its low confidence.
        "usikker": "flagged",
    }
    assert {v for k, v in states.items() if k.startswith("arkiv")} == {"machine"}
    counts = report.counts()
    assert counts["machine"] == ARCHIVE


def test_pages_and_check_give_the_same_verdicts(review_site: tuple[Path, ReviewReport]) -> None:
    root, report = review_site
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        glossary = load_glossary(root / "glossary.yml")
        checked = check_paths(
            [Path("articles")], glossary_hash=glossary.hash, glossary=glossary, use_seals=False
        )
    by_path: dict[str, list[tuple[str, str]]] = {}
    for p in checked.problems:
        by_path.setdefault(str(p.path), []).append((p.kind, p.detail))
    for entry in report.entries:
        mine = sorted((p.kind, p.detail) for p in entry.problems)
        paths = {str(entry.source), str(entry.twin)} if entry.twin else {str(entry.source)}
        theirs = sorted(x for path in paths for x in by_path.get(path, []))
        assert mine == theirs, entry.source


def flagged_by_check(root: Path, report: ReviewReport) -> set[str]:
    """Articles ``check`` reports more about than "machine translation, not yet reviewed"."""
    glossary = load_glossary(root / "glossary.yml")
    checked = check_paths(
        [root / "articles"], glossary_hash=glossary.hash, glossary=glossary, use_seals=False
    )
    article_of = {}
    for e in report.entries:
        for path in (e.source, e.twin):
            if path is not None:
                article_of[str((root / path).resolve())] = str(e.source)
    return {
        article_of[str(p.path.resolve())]
        for p in checked.problems
        if not (p.kind == "unreviewed" and p.detail.startswith("machine translation"))
    }


@needs_chromium
def test_chromium_index_lists_what_check_flags_first(
    review_site: tuple[Path, ReviewReport], tmp_path: Path
) -> None:
    root, report = review_site
    index = root / "review" / "index.html"
    shot = tmp_path / "index.png"
    run = chromium(
        tmp_path / "profile",
        "--dump-dom",
        f"--screenshot={shot}",
        "--window-size=1200,800",
        index.as_uri(),
    )
    dom = run.stdout
    assert "</html>" in dom, run.stderr
    order = re.findall(r'<tr data-state="([^"]+)" data-article="([^"]+)">', dom)
    assert len(order) == len(report.entries)
    flagged = flagged_by_check(root, report)
    assert flagged >= {"articles/konflikt.nb.md", "articles/usikker.nb.md"}
    positions = [k for k, (_, article) in enumerate(order) if article in flagged]
    first_unflagged = next(k for k, (_, article) in enumerate(order) if article not in flagged)
    assert max(positions) < first_unflagged, order[:20]
    assert "<h1>bilingo review</h1>" in dom and "410 articles, 9 need a person" in dom
    # A filter page per state, reachable from the index, holding that state's rows only.
    machine = (root / "review" / "state-machine.html").read_text(encoding="utf-8")
    assert machine.count('<tr data-state="machine"') == ARCHIVE
    assert '<tr data-state="conflict"' not in machine
    if os.environ.get("BILINGO_SCREENSHOTS"):
        run = chromium(
            tmp_path / "p2", f"--screenshot={shot}", "--window-size=1200,560", index.as_uri()
        )
        shutil.copy(shot, Path(os.environ["BILINGO_SCREENSHOTS"]) / "review-index.png")


def sections(dom: str) -> list[tuple[str, str]]:
    """(data-state, the section's HTML) of each paragraph row of a page's DOM."""
    return re.findall(
        r'<section class="row" id="p\d+" data-state="([^"]*)">(.*?)</section>', dom, re.S
    )


@needs_chromium
def test_chromium_page_badges_sit_on_their_paragraphs(
    review_site: tuple[Path, ReviewReport], tmp_path: Path
) -> None:
    root, report = review_site
    pages = {e.source.name.split(".")[0]: e for e in report.entries if e.page}
    for name in ("ny-kilde", "usikker", "endret-etter"):
        entry = pages[name]
        assert entry.page is not None and entry.twin is not None
        run = chromium(tmp_path / "profile", "--dump-dom", (root / "review" / entry.page).as_uri())
        found = sections(run.stdout)
        twin = read_article(root / entry.twin)
        prov = provenance.read(twin)
        assert prov is not None
        expected = [
            v.state
            for v in twin_verdicts(twin, prov, ("title", "description", "summary"), dialects=None)
            if v.field is None
        ]
        body_rows = [(state, html) for state, html in found if "front matter" not in html]
        assert [state for state, _ in body_rows] == expected, name
        for state, html in found:
            assert f'<span class="badge st-{state.replace(" ", "-")}">{state}</span>' in html
            assert html.count('class="badge ') == 1  # one verdict per paragraph
        if name == "ny-kilde":
            needs = [html for state, html in found if state == "needs review"]
            assert len(needs) == 1
            assert "<del>Bergen</del><ins>Trondheim</ins>" in needs[0]
            assert "<del>høsten.</del><ins>våren.</ins>" in needs[0]
        if name == "usikker":
            low = [html for state, html in found if state == "low-confidence"]
            assert len(low) == 1 and f"Det er {' '.join(UNSURE_WORDS)} sant." in low[0]
            assert re.search(r'<mark class="low" title="model confidence -\d\.\d\d">', low[0])
            assert re.search(r'<span class="score">confidence -\d\.\d\d</span>', low[0])
    if os.environ.get("BILINGO_SCREENSHOTS"):
        page = root / "review" / str(pages["ny-kilde"].page)
        shot = tmp_path / "page.png"
        chromium(tmp_path / "p3", f"--screenshot={shot}", "--window-size=1200,900", page.as_uri())
        shutil.copy(shot, Path(os.environ["BILINGO_SCREENSHOTS"]) / "review-screenshot.png")


def normalised(html: str) -> str:
    """The page's body (the head, its style sheet, is the same on every page), dates out."""
    return re.sub(r"\d{4}-\d{2}-\d{2}", "DATE", html[html.index("<body>") :])


def test_golden_page_for_each_state(review_site: tuple[Path, ReviewReport]) -> None:
    root, report = review_site
    pages = {e.state: e for e in report.entries if e.page and not e.source.name.startswith("ark")}
    archive = next(e for e in report.entries if e.page and e.state == "machine")
    pages["machine"] = archive
    assert set(pages) == {
        "conflict",
        "needs review",
        "edited after review",
        "edited",
        "in pieces",
        "reviewed",
        "stale",
        "flagged",
        "machine",
    }
    for state, entry in sorted(pages.items()):
        html = normalised((root / "review" / str(entry.page)).read_text(encoding="utf-8"))
        golden = GOLDEN / f"{state.replace(' ', '-')}.html"
        if os.environ.get("BILINGO_GOLDEN"):
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(html, encoding="utf-8")
        assert html == golden.read_text(encoding="utf-8"), f"{state}: {golden}"


@pytest.mark.skipif(workers.available() < 2, reason="needs 2 CPUs on Linux to fork")
def test_pages_made_by_two_processes_are_the_same(review_site: tuple[Path, ReviewReport]) -> None:
    """The fixture's report is one process's; a second process makes half the pages."""
    root, report = review_site
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        again = build_review(
            [Path("articles")],
            out_dir=Path("review-forked"),
            glossary=load_glossary(root / "glossary.yml"),
            root=Path("."),
            memory_path=Path(".bilingo/memory.sqlite"),
            workers=2,
        )
    assert again.entries == report.entries
    one, two = root / "review", root / "review-forked"
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in two.iterdir())
    assert len(names) > 2 * workers.MIN_PER_WORKER
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
