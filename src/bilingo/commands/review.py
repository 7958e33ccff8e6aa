"""``bilingo review --html DIR``: a static, offline review report of every article pair.

``index.html`` lists the articles with their state; one page per article shows source and
twin side by side, a row per aligned paragraph, with the glossary terms and the flags of
``bilingo diff``. Pages open from disk with no server and contain no JavaScript; a
Content-Security-Policy forbids scripts anyway. Articles are untrusted input, so every
piece of their text is HTML-escaped and shown as text (``white-space: pre-wrap``), never
rendered as Markdown or HTML. Files are written only inside DIR, each atomically.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import html
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, get_args

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

from bilingo import provenance
from bilingo.article import (
    DEFAULT_TRANSLATED_FIELDS,
    Article,
    other_language,
    read_article,
    write_if_changed,
)
from bilingo.compare import ArticleDiff, Flag, Row, Term, diff_pair
from bilingo.detect import locate_twin, stated_language
from bilingo.document import Document, markdown, parse, remember
from bilingo.errors import BilingoError
from bilingo.glossary import Glossary
from bilingo.interrupt import interruptible
from bilingo.judge import Problem, orphaned_twins, pair_problems
from bilingo.layout import PLAIN
from bilingo.memory import paragraph_texts
from bilingo.pairs import Pair, PairIndex, find_markdown
from bilingo.site import Settings
from bilingo.verdicts import DEFAULT_MIN_CONFIDENCE
from bilingo.verdicts import STATES as VERDICT_STATES
from bilingo.workers import available, fork_map

#: An article's state on the index, most urgent first: what needs a person (in ``check``'s
#: verdicts), then machine translations, then reviewed ones.
State = Literal[
    "invalid",
    "conflict",
    "edited after review",
    "stale",
    "needs review",
    "orphaned",
    "orphaned paragraph",
    "missing",
    "in pieces",
    "flagged",
    "low-confidence",
    "edited",
    "machine",
    "reviewed",
    "human",
]
STATES: tuple[State, ...] = get_args(State)
#: The states listed first, under "needs a person".
ATTENTION: frozenset[State] = frozenset(STATES[: STATES.index("machine")])
#: The ``check`` problem kinds that decide each state (in the order above).
_KINDS: Mapping[str, tuple[str, ...]] = {
    "invalid": ("invalid",),
    "conflict": ("conflict",),
    "edited after review": ("edited-after-review",),
    "stale": ("stale", "outdated-glossary"),
    "needs review": ("unreviewed",),
    "orphaned": ("orphaned",),
    "orphaned paragraph": ("orphaned-paragraph",),
    "missing": ("missing",),
    "in pieces": ("in-pieces",),
    "low-confidence": ("low-confidence",),
    "edited": ("unreviewed",),
    "machine": ("unreviewed",),
}

#: Column backgrounds; tests find them in a screenshot to prove both columns render.
SOURCE_BG = "#fbeccb"
TWIN_BG = "#d6e9fb"


@dataclass(frozen=True)
class Entry:
    """One article in the report (a source, or an orphaned twin)."""

    source: Path
    twin: Path | None
    state: State
    #: Why it is listed: the first of ``problems`` that decided its state, in check's words.
    detail: str
    source_lang: str = ""
    target_lang: str = ""
    #: File name of its page inside DIR (None when there is no pair to show).
    page: str | None = None
    flags: int = 0
    #: What ``bilingo check`` reports for it.
    problems: tuple[Problem, ...] = ()
    #: When either file last changed (seconds since the epoch; None: unknown).
    changed: float | None = None
    #: Its paragraphs and fields by verdict (bilingo.verdicts).
    paragraphs: Mapping[str, int] = field(default_factory=dict)

    @property
    def needs_person(self) -> bool:
        return self.state in ATTENTION


@dataclass(frozen=True)
class ReviewReport:
    directory: Path
    index: Path
    entries: tuple[Entry, ...]

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(e.state for e in self.entries).items()))

    @property
    def pages(self) -> tuple[Path, ...]:
        return tuple(self.directory / e.page for e in self.entries if e.page)

    @property
    def exit_code(self) -> int:
        return 1 if self.counts().get("invalid") else 0

    def as_dict(self) -> dict[str, object]:
        return {
            "directory": str(self.directory),
            "index": str(self.index),
            "articles": [
                {
                    "source": str(e.source),
                    "twin": str(e.twin) if e.twin else None,
                    "state": e.state,
                    "detail": e.detail,
                    "page": e.page,
                    "flags": e.flags,
                    "paragraphs": dict(e.paragraphs),
                    "problems": [p.as_dict() for p in e.problems],
                }
                for e in self.entries
            ],
            "counts": self.counts(),
        }


#: Processes by default: past a few, the pages are no longer what the run waits for.
MAX_DEFAULT_JOBS = 8


def run(
    settings: Settings, paths: Sequence[Path], *, out_dir: Path, jobs: int | None = None
) -> ReviewReport:
    """``bilingo review --html DIR`` over ``paths`` (default: the current folder), the pages
    made by ``jobs`` processes (None: one per CPU, at most :data:`MAX_DEFAULT_JOBS`).
    SIGTERM stops it as Ctrl-C does: the page being written is finished, the worker
    processes stopped."""
    with interruptible():
        return build_review(
            list(paths) or [Path(".")],
            out_dir=out_dir,
            glossary=settings.glossary,
            fields=settings.fields,
            root=settings.root,
            min_confidence=settings.min_confidence,
            memory_path=settings.memory_path,
            pair_index=PairIndex(settings.pairing),
            workers=min(available(), MAX_DEFAULT_JOBS) if jobs is None else jobs,
        )


def article_state(
    problems: Sequence[Problem], diff: ArticleDiff | None, *, reviewed: str = "reviewed"
) -> tuple[State, str]:
    """An article's state and the reason it is listed, from what ``check`` reports for it
    (and the flags of ``bilingo diff``): the same verdicts, in the same words."""
    kinds = {p.kind for p in problems}
    rows = [r.state for r in diff.rows] if diff is not None else []
    flags = [f for f in diff.all_flags if f.kind not in _VERDICT_FLAGS] if diff else []

    def first(state: State, test: Callable[[Problem], bool] = lambda p: True) -> str:
        found = [p for p in problems if p.kind in _KINDS[state] and test(p)]
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        return (found[0].detail if found else state) + more

    def named(words: str) -> Callable[[Problem], bool]:
        return lambda p: words in p.detail

    if "invalid" in kinds:
        return "invalid", first("invalid")
    if "conflict" in kinds or "conflict" in rows:
        return "conflict", first("conflict")
    if "edited-after-review" in kinds:
        return "edited after review", first("edited after review")
    if kinds & {"stale", "outdated-glossary"}:
        return "stale", first("stale")
    if "needs review" in rows:
        return "needs review", first("needs review", named("needs review"))
    if "orphaned-paragraph" in kinds or "orphaned paragraph" in rows:
        return "orphaned paragraph", first("orphaned paragraph")
    if "in-pieces" in kinds:
        return "in pieces", first("in pieces")
    if flags and problems:  # an approved twin's flags were the reviewer's to weigh
        more = f" (+{len(flags) - 1} more)" if len(flags) > 1 else ""
        return "flagged", f"{flags[0].kind}: {flags[0].detail}{more}"
    if "low-confidence" in kinds:
        return "low-confidence", first("low-confidence")
    if "unreviewed" in kinds:
        if any("edited by hand" in p.detail for p in problems):
            return "edited", first("edited", named("edited by hand"))
        return "machine", first("machine")
    return "reviewed", reviewed


#: Flags that are verdicts already (they decide a state of their own).
_VERDICT_FLAGS = frozenset({"conflict", "in-pieces", "low-confidence"})


def _page_name(source: Path, real: Path, used: set[str], root: Path) -> str:
    """A safe, unique file name inside DIR for ``source``'s page (no folders, no dots);
    ``real``: its resolved path, as the run's pairs resolved it; ``root`` resolved."""
    try:
        rel = real.relative_to(root)
    except ValueError:
        rel = Path(source.name)
    stem = rel.as_posix().removesuffix(".md")
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem.replace("/", "--")).strip(".-") or "article"
    name, n = f"{base}.html", 1
    while name in used:
        n += 1
        name = f"{base}-{n}.html"
    used.add(name)
    return name


def _changed(*paths: Path | None) -> float | None:
    times = []
    for path in paths:
        with contextlib.suppress(OSError):
            if path is not None:
                times.append(path.stat().st_mtime)
    return max(times, default=None)


def build_review(
    paths: Sequence[Path],
    *,
    out_dir: Path,
    glossary: Glossary,
    fields: Sequence[str] = DEFAULT_TRANSLATED_FIELDS,
    root: Path = Path("."),
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    memory_path: Path | None = None,
    pair_index: PairIndex | None = None,
    workers: int = 1,
) -> ReviewReport:
    """Write ``index.html``, a page per state and one page per article pair into ``out_dir``.

    Pages are named from each source's path inside ``root`` (the site's root). Each pair is
    judged as ``check`` judges it (:func:`bilingo.judge.pair_problems`); ``memory_path``
    (read only) holds the older source paragraphs the pages show the changes of.
    ``pair_index``: the run's pairs, from the site's pairing (None: a plain folder's,
    :data:`bilingo.layout.PLAIN`, for a caller outside a site's run). ``workers``: processes
    that make the pages (:func:`bilingo.workers.fork_map`); the pages are the same."""
    pairs = pair_index if pair_index is not None else PairIndex(PLAIN)
    dialects = pairs.pairing.dialects
    if out_dir.exists() and not out_dir.is_dir():
        raise BilingoError(f"{out_dir} is a file; give --html a folder")
    files, _links = find_markdown(paths)
    out_dir.mkdir(parents=True, exist_ok=True)
    out_real = out_dir.resolve()
    used = {"index.html", *(_state_page(s) for s in STATES)}
    resolved_root = root.resolve()
    # Every file read once, as check reads them (keyed by pairs.resolve); the twins are
    # shown with their sources, the unreadable kept to be named where they are asked for.
    articles: dict[Path, Article] = {}
    unreadable: dict[Path, tuple[Path, BilingoError]] = {}
    out_text, out_prefix = str(out_real), os.path.join(str(out_real), "")
    for path in files:
        real = pairs.resolve(path)
        # Both resolved: is_relative_to as a string prefix, without its parsing per file.
        text = str(real)
        if text == out_text or text.startswith(out_prefix):
            continue
        try:
            articles[real] = read_article(path)
        except BilingoError as exc:
            unreadable[real] = (path, exc)
    shown: set[Path] = set()  # twins already on a page (a human pair lists once)
    # Each pair with a page is judged in full, shown and written by _page (a slot of
    # `slots` holding its _PageJob), in forked workers when there are many: most of the
    # run's time, and each pair's on its own.
    slots: list[Entry | _PageJob] = []
    for real, article in list(articles.items()):
        path = article.path
        if real in shown or provenance.is_twin(article):
            continue
        parsed: Document | None = None
        if _body_tells_language(article, pairs) and any(
            True for _ in pairs.twins_of(article, articles)
        ):
            # Finding the twin reads the body: parsed once, with the inline tokens the page
            # needs, and kept for the page (made after every other pair's detection).
            with contextlib.suppress(BilingoError):
                parsed = parse(article.body, dialects=dialects, tokens=True)
        try:
            detection, twin_file = locate_twin(article, pairs, articles)
        except BilingoError as exc:
            problem = Problem(path, "invalid", exc.message, line=exc.line)
            slots.append(Entry(path, None, "invalid", exc.message, problems=(problem,)))
            continue
        lang = detection.lang
        target = other_language(lang)
        real_twin = pairs.resolve(twin_file)
        shown.add(real_twin)
        twin = articles.get(real_twin)
        if twin is None and real_twin not in unreadable and twin_file.is_file():
            try:  # outside the paths given
                twin = articles[real_twin] = read_article(twin_file)
            except BilingoError as exc:
                unreadable[real_twin] = (twin_file, exc)
        if real_twin in unreadable:
            err = unreadable.pop(real_twin)[1]
            problem = Problem(twin_file, "invalid", err.message, line=err.line)
            slots.append(
                Entry(path, twin_file, "invalid", err.format(), lang, target, problems=(problem,))
            )
            continue
        changed = _changed(path, twin_file if twin is not None else None)
        if twin is None:
            detail = (
                f"no {target} twin ({pairs.twin_label(twin_file)}); run: bilingo translate {path}"
            )
            problem = Problem(path, "missing", detail)
            slots.append(
                Entry(
                    path,
                    twin_file,
                    "missing",
                    detail,
                    lang,
                    target,
                    None,
                    0,
                    (problem,),
                    changed,
                )
            )
            continue
        prov = provenance.read(twin)
        if prov is None:
            detail = "both files written by people; bilingo does not track them"
            slots.append(Entry(path, twin_file, "human", detail, lang, target, changed=changed))
            continue
        problems = tuple(
            pair_problems(
                article,
                twin,
                pairing=pairs.pairing,
                glossary_hash=glossary.hash,
                fields=fields,
                require_reviewed=False,
                glossary=glossary,
                min_confidence=min_confidence,
            )
        )
        if any(p.kind == "invalid" for p in problems):
            state, detail = article_state(problems, None)
            slots.append(
                Entry(path, twin_file, state, detail, lang, target, None, 0, problems, changed)
            )
            continue
        page = _page_name(path, real, used, resolved_root)
        job = _PageJob(
            article, twin, twin_file, lang, target, prov, problems, page, changed, parsed
        )
        slots.append(job)
    context = _PageContext(out_dir, glossary, tuple(fields), min_confidence, memory_path, dialects)
    jobs = [slot for slot in slots if isinstance(slot, _PageJob)]
    made = iter(fork_map(functools.partial(_page, context), jobs, workers))
    entries = [next(made) if isinstance(slot, _PageJob) else slot for slot in slots]
    for path, error in unreadable.values():  # read by no source: listed as they are
        problem = Problem(path, "invalid", error.message, line=error.line)
        entries.append(Entry(path, None, "invalid", error.message, problems=(problem,)))
    orphaned, moved = orphaned_twins(articles.values(), shown, fields, pairs)
    for problem in orphaned:
        entries.append(
            Entry(
                problem.path,
                None,
                "orphaned",
                problem.detail,
                problems=(problem,),
                changed=_changed(problem.path),
            )
        )
    # A source whose twin was left under its old name: check's words for it.
    for k, entry in enumerate(entries):
        rename = moved.get(entry.source.resolve()) if entry.state == "missing" else None
        if rename is not None:
            detail = (
                f"its twin is {rename.twin}, left under the old name; move it: {rename.command()}"
            )
            problems = tuple(replace(p, detail=detail) for p in entry.problems)
            entries[k] = replace(entry, detail=detail, problems=problems)
    index_page = out_dir / "index.html"
    ordered = sorted(entries, key=_urgency)
    for state in STATES:
        chosen = [e for e in ordered if e.state == state]
        if chosen:
            write_if_changed(out_dir / _state_page(state), render_index(ordered, only=state))
    write_if_changed(index_page, render_index(ordered))
    return ReviewReport(out_dir, index_page, tuple(ordered))


@dataclass(frozen=True)
class _PageJob:
    """A pair judged by ``check``'s rules with nothing invalid: its page to make."""

    article: Article
    twin: Article
    twin_file: Path
    lang: str
    target: str
    prov: provenance.Provenance
    problems: tuple[Problem, ...]
    page: str
    changed: float | None
    #: The source's parse, where detection made it (None: made when the page is).
    parsed: Document | None = None


@dataclass(frozen=True)
class _PageContext:
    """What every page of a run shares."""

    out_dir: Path
    glossary: Glossary
    fields: tuple[str, ...]
    min_confidence: float
    memory_path: Path | None
    dialects: tuple[str, ...] | None


def _page(context: _PageContext, job: _PageJob) -> Entry:
    """``job``'s entry on the index, its page written (unless the folder holds it already)."""
    if job.parsed is not None:
        remember(job.article.body, job.parsed, dialects=context.dialects)
    diff = diff_pair(
        Pair(job.article, job.twin, job.lang, job.target),
        glossary=context.glossary,
        fields=context.fields,
        min_confidence=context.min_confidence,
        inline=True,  # the pages render each paragraph from the body's one parse
        dialects=context.dialects,
    )
    prov = job.prov
    by = f" by {prov.reviewed_by}" if prov.reviewed_by else ""
    on = f" on {prov.reviewed_at}" if prov.reviewed_at else ""
    state, detail = article_state(job.problems, diff, reviewed=f"reviewed{by}{on}")
    paragraphs = Counter(str(r.state) for r in diff.rows if r.state is not None)
    entry = Entry(
        job.article.path,
        job.twin_file,
        state,
        detail,
        job.lang,
        job.target,
        job.page,
        len(diff.all_flags),
        job.problems,
        job.changed,
        dict(paragraphs),
    )
    older = _older_sources(job.twin, prov, diff, context.memory_path, context.dialects)
    page = render_page(diff, entry, older=older, dialects=context.dialects)
    write_if_changed(context.out_dir / job.page, page)
    return entry


def _body_tells_language(article: Article, pairs: PairIndex) -> bool:
    """Whether finding ``article``'s twin reads its body (neither its front matter nor its
    path states its language; a language bilingo does not translate is reported where the
    twin is looked for)."""
    try:
        return stated_language(article, pairing=pairs.pairing) is None
    except BilingoError:
        return False


def _urgency(entry: Entry) -> tuple[int, str]:
    return STATES.index(entry.state), str(entry.source)


def _state_page(state: str) -> str:
    return f"state-{_slug(state)}.html"


def _slug(state: str) -> str:
    return state.replace(" ", "-")


def _older_sources(
    twin: Article,
    prov: provenance.Provenance,
    diff: ArticleDiff,
    memory_path: Path | None,
    dialects: Sequence[str] | None,
) -> dict[int, str]:
    """Twin line -> the source paragraph as it was when the paragraph there was reviewed
    (or edited), for the rows that need review or are in conflict, from the memory."""
    wanted = {r.twin_line for r in diff.rows if r.state in ("needs review", "conflict")}
    if not wanted or memory_path is None:
        return {}
    against: dict[int, str] = {}
    for block in parse(twin.body, dialects=dialects).blocks:
        line = twin.body_line + block.line - 1
        if line in wanted and (older := prov.made_against(block.index)) is not None:
            against[line] = older
    texts = paragraph_texts(memory_path, against.values())
    return {line: texts[h] for line, h in against.items() if h in texts}


# --------------------------------------------------------------------------- HTML

#: Badge colours, one per paragraph verdict and article state (the legend shows them).
BADGE_COLOURS: Mapping[str, str] = {
    "conflict": "#f4a6a6",
    "invalid": "#f4a6a6",
    "edited after review": "#f7b98b",
    "stale": "#ffd8a8",
    "needs review": "#ffc46b",
    "orphaned": "#e3c5f0",
    "orphaned paragraph": "#e3c5f0",
    "missing": "#ffd8a8",
    "in pieces": "#c9d7f8",
    "flagged": "#f9c0d8",
    "low-confidence": "#ffe066",
    "edited": "#b8e6e0",
    "machine": "#eeeeee",
    "reviewed": "#c6efce",
    "human": "#dddddd",
}
#: The paragraph verdicts, in the legend's order.
PARAGRAPH_STATES: tuple[str, ...] = VERDICT_STATES

_BADGES = "".join(
    f".st-{_slug(state)}{{background:{colour}}}" for state, colour in BADGE_COLOURS.items()
)

_CSS = f"""
*{{box-sizing:border-box}}
body{{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1f;
background:#fff}}
header,footer,.list{{padding:12px 16px}}
h1{{font-size:1.25rem;margin:.2em 0;overflow-wrap:anywhere}}
h2{{font-size:1.05rem;margin:.8em 0 .2em}}
a{{color:#0b57d0}}
.grid{{display:grid;grid-template-columns:1fr 1fr;column-gap:10px;padding:0 16px 16px}}
.row{{display:contents}}
.cell{{padding:6px 12px 10px;overflow-wrap:anywhere;margin-top:10px}}
.raw{{white-space:pre-wrap}}
.md>:first-child{{margin-top:0}}.md>:last-child{{margin-bottom:0}}
.md .link{{color:#0b57d0;text-decoration:underline dotted}}
.md .img{{font-style:italic;color:#555}}
.md pre{{white-space:pre-wrap}}
.src{{background:{SOURCE_BG}}}
.twin{{background:{TWIN_BG}}}
.colhead{{font-weight:600;margin-top:0;position:sticky;top:0;z-index:1}}
.where{{display:block;font-size:.75rem;color:#555;white-space:normal}}
.flagged{{box-shadow:inset 4px 0 #c5221f}}
ul.flags{{grid-column:1/-1;margin:2px 0 0;padding:6px 12px 6px 28px;background:#fde7e6;
font-size:.875rem}}
ul.flags li b{{color:#a50e0e}}
mark.term{{background:#c6efce;border-bottom:2px solid #188038}}
mark.keep{{background:#e8d8f6;border-bottom:2px solid #7b1fa2}}
mark.low{{background:#ffe066;outline:2px dashed #b8860b}}
.changes{{grid-column:1/-1;margin:2px 0 0;padding:6px 12px;background:#fff7e0;
font-size:.9rem;white-space:pre-wrap}}
.changes del{{background:#fbc4c4}}.changes ins{{background:#c6efce;text-decoration:none}}
.state,.badge{{display:inline-block;padding:0 8px;border-radius:10px;font-size:.8rem;
font-weight:600;background:#eee;white-space:nowrap}}
{_BADGES}
.score{{font-size:.75rem;font-weight:600;color:#7a5d00}}
.legend span{{margin-right:4px}}
.toggle:checked~main .md,.toggle:not(:checked)~main .raw{{display:none}}
nav.filters a{{margin-right:10px;white-space:nowrap}}
nav.filters b{{margin-right:10px}}
table{{border-collapse:collapse;width:100%;table-layout:fixed}}
th,td{{text-align:left;padding:3px 8px;border-bottom:1px solid #e4e4e4;vertical-align:top;
white-space:nowrap;overflow:hidden;text-overflow:ellipsis}}
col.c-state{{width:11em}}col.c-lang{{width:7.5em}}col.c-when{{width:10.5em}}
col.c-article{{width:24%}}
tr.group th{{background:#f3f3f3;font-size:.9rem;padding-top:8px}}
@media (max-width:700px){{
.legend,.summary{{display:none}}
.grid{{grid-template-columns:1fr}}
.colhead{{display:none}}
.twin{{margin-top:2px}}
thead,colgroup{{display:none}}
table{{table-layout:auto}}
tr,td{{display:block;border:0;white-space:normal}}
tr{{border-bottom:1px solid #ddd;padding:6px 0}}
td{{padding:2px 0}}
}}
"""

_HEAD = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
"""


def _e(text: str) -> str:
    """``html.escape``; most of a page's strings have nothing to escape (five replaces
    each, two hundred strings a page). Five substring scans tell it a tenth as dear as a
    regex's character class tried at every position."""
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return html.escape(text)
    return text


def _head(title: str, lang: str = "en") -> str:
    return _HEAD.format(lang=_e(lang), title=_e(title), css=_CSS)


@functools.cache  # a few states, on every row of every page
def _badge(state: str, cls: str = "badge") -> str:
    return f'<span class="{cls} st-{_slug(state)}">{_e(state)}</span>'


@functools.cache
def _legend() -> str:
    return '<p class="legend">' + " ".join(_badge(s) for s in PARAGRAPH_STATES) + "</p>"


def _marked(text: str, terms: Sequence[Term], low: tuple[int, int, float] | None = None) -> str:
    """Escaped text with its glossary terms wrapped in <mark>, and the low-confidence
    sentence ``low`` (start, end, score) highlighted."""
    if low is not None:
        a, b, score = low
        inside = [
            Term(t.start - a, t.end - a, t.text, t.kind)
            for t in terms
            if a <= t.start and t.end <= b
        ]
        outside = [t for t in terms if t.end <= a or t.start >= b]
        return (
            _marked(text[:a], [t for t in outside if t.end <= a])
            + f'<mark class="low" title="model confidence {score:.2f}">'
            + _marked(text[a:b], inside)
            + "</mark>"
            + _marked(
                text[b:],
                [Term(t.start - b, t.end - b, t.text, t.kind) for t in outside if t.start >= b],
            )
        )
    if not terms:
        return _e(text)
    out: list[str] = []
    pos = 0
    for t in sorted(terms, key=lambda t: t.start):
        if t.start < pos:
            continue
        out.append(_e(text[pos : t.start]))
        kind = "keep" if t.kind == "keep" else "term"
        label = "name kept as it is" if kind == "keep" else "glossary term"
        out.append(f'<mark class="{kind}" title="{label}">{_e(text[t.start : t.end])}</mark>')
        pos = t.end
    out.append(_e(text[pos:]))
    return "".join(out)


class _InertRenderer(RendererHTML):
    """markdown-it's HTML renderer with every piece of HTML in the text shown as text and
    every link and image inert (a span naming its target): articles are untrusted."""

    def html_block(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return f"<pre>{_e(tokens[idx].content)}</pre>"

    def text_special(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        # An escape or entity, kept apart by the segmenting parse (text_join is off there).
        return self.text(tokens, idx, options, env)

    def html_inline(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return f"<code>{_e(tokens[idx].content)}</code>"

    def link_open(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        href = str(tokens[idx].attrs.get("href", ""))
        return f'<span class="link" title="{_e(href)}">'

    def link_close(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return "</span>"

    def image(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        alt = self.renderInlineAsText(token.children or [], options, env)
        return f'<span class="img" title="{_e(str(token.attrs.get("src", "")))}">[{_e(alt)}]</span>'


_RENDERER = _InertRenderer()
#: What markdown-it would render as more than escaped text (with :func:`_plain`).
_PLAIN_RE = re.compile(r"[\\`*_\[\]<>!&~{}|^:=$@]")


def _plain(text: str) -> bool:
    """Whether ``text`` holds none of :data:`_PLAIN_RE`, no hard break and no ``www.``
    (``https:`` holds its colon): one character class scanned, the rest substrings, a
    third of the alternation's cost."""
    return _PLAIN_RE.search(text) is None and "  \n" not in text and "www." not in text


#: Private-use marks around the low-confidence sentence, swapped for <mark> after rendering.
_LOW_OPEN, _LOW_CLOSE = "\uf8fe", "\uf8ff"


def rendered(
    text: str,
    low: tuple[int, int, float] | None = None,
    inline: Sequence[Sequence[Token]] = (),
) -> str:
    """``text`` as the site would show it: parsed by bilingo's one Markdown parser
    (:func:`bilingo.document.markdown`), HTML escaped, links inert. ``inline``: its blocks'
    tokens from the body's parse (a table row's cells, joined by pipes), rendered as they are."""
    if low is None and _plain(text):
        return _e(text)  # plain text to markdown-it too (and its line breaks stay lines)
    if low is None and inline:
        options = markdown().options
        return " | ".join(_RENDERER.renderInline(cell, options, {}) for cell in inline)
    if low is not None and _LOW_OPEN not in text and _LOW_CLOSE not in text:
        a, b, _ = low
        text = text[:a] + _LOW_OPEN + text[a:b] + _LOW_CLOSE + text[b:]
    parser = markdown()
    # A row holds one leaf block's inline content (its block markers are the page's "where").
    out = _RENDERER.render(parser.parseInline(text, {}), parser.options, {})
    if low is not None:
        out = out.replace(_LOW_OPEN, f'<mark class="low" title="model confidence {low[2]:.2f}">')
        out = out.replace(_LOW_CLOSE, "</mark>")
    return out


def _where(row: Row, lang: str, line: int | None) -> str:
    if row.kind == "field":
        return f"{lang} · front matter {row.field}"
    at = f" · line {line}" if line else ""
    return f"{lang} · {row.kind.replace('_', ' ')}{at}"


def _cell_openings(side: str, lang: str) -> tuple[str, str]:
    """What a cell of ``side`` opens with, up to its "where" (unflagged, flagged)."""
    return (
        f'<div class="cell {side}" lang="{_e(lang)}"><span class="where">',
        f'<div class="cell {side} flagged" lang="{_e(lang)}"><span class="where">',
    )


def _cell_html(opening: str, head: str, shown: tuple[str, str] | None) -> str:
    """One side of a row, from its opening (:func:`_cell_openings`) and its head's escaped
    HTML; ``shown``: its text's raw (:func:`_marked`) and rendered (:func:`rendered`) HTML,
    None where that side has no paragraph."""
    if shown is None:
        return f"{opening}{head}</span><i>(no paragraph)</i></div>"
    return (
        f'{opening}{head}</span><div class="raw">{shown[0]}</div>'
        f'<div class="md">{shown[1]}</div></div>'
    )


@functools.cache  # a few kinds, on both sides of every row
def _kind_label(kind: str) -> str:
    return _e(kind.replace("_", " "))


def _same_tokens(a: Sequence[Sequence[Token]], b: Sequence[Sequence[Token]]) -> bool:
    """Whether ``a`` and ``b`` hold the very same tokens (one body's parse, asked twice:
    its blocks' very tuples, mostly)."""
    if a is b:  # one unit on both sides (diff_pair): the same tuple
        return True
    return len(a) == len(b) and all(
        x is y or (len(x) == len(y) and all(p is q for p, q in zip(x, y, strict=True)))
        for x, y in zip(a, b, strict=True)
    )


def _flags(flags: Sequence[Flag]) -> str:
    if not flags:
        return ""
    items = "".join(_flag_item(f.kind, f.detail) for f in flags)
    return f'<ul class="flags">{items}</ul>' if items else ""


@functools.lru_cache(maxsize=1024)  # a page's rows repeat their flags (a copy: on each row)
def _flag_item(kind: str, detail: str) -> str:
    return f"<li><b>{_e(kind)}</b>: {_e(detail)}</li>"


def word_diff(old: str, new: str) -> str:
    """Escaped HTML: ``old`` changed into ``new`` word by word (<del>, <ins>)."""
    a, b = re.findall(r"\s+|\S+", old), re.findall(r"\s+|\S+", new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(_e("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{_e(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{_e(''.join(b[j1:j2]))}</ins>")
    return "".join(out)


def _low_span(row: Row, dialects: Sequence[str] | None) -> tuple[int, int, float] | None:
    """Where the row's low-confidence sentence is in its twin text, with its score."""
    if row.state != "low-confidence" or row.twin is None or row.score is None:
        return None
    from bilingo.document import segment_field
    from bilingo.units import units

    found = units(
        segment_field(row.twin, dialects=dialects)
        if row.kind == "field"
        else parse(row.twin, dialects=dialects)
    )
    if not found:
        return None
    unit = found[min(row.sentence, len(found) - 1)]
    return unit.start, unit.end, row.score


def render_page(
    diff: ArticleDiff,
    entry: Entry,
    *,
    older: Mapping[int, str] | None = None,
    dialects: Sequence[str] | None,
) -> str:
    """One article's page: a two-column grid, one row per aligned paragraph, each with its
    verdict's badge; ``older`` (twin line -> older source paragraph) shows what changed;
    ``dialects``: the site's, as the twin was read."""
    older = older or {}
    counts = diff.counts()
    flagged = sum(1 for r in diff.rows if r.flags)
    summary = f"{len(diff.rows)} paragraphs, {flagged} flagged" + (
        ": " + ", ".join(f"{n} {k}" for k, n in counts.items()) if counts else ""
    )
    states = ", ".join(
        f"{n} {s}"
        for s, n in sorted(entry.paragraphs.items(), key=lambda i: PARAGRAPH_STATES.index(i[0]))
    )
    parts = [
        _head(f"Review: {diff.source.name}", diff.target_lang),
        "<header>",
        '<p><a href="index.html">← all articles</a></p>',
        f"<h1>{_e(diff.source.name)} → {_e(diff.twin.name)}</h1>",
        f"<p>{_badge(entry.state, 'state')} {_e(entry.detail)}</p>",
        f'<p class="summary">{_e(summary)}'
        + (f"; by verdict: {_e(states)}" if states else "")
        + "</p>",
        _legend(),
    ]
    if entry.problems:
        items = "".join(
            f"<li><b>{_e(p.kind)}</b>{f' (line {p.line})' if p.line else ''}: {_e(p.detail)}</li>"
            for p in entry.problems
        )
        parts.append(
            f"<details><summary>bilingo check reports {len(entry.problems)} problem(s)</summary>"
            f'<ul class="flags check">{items}</ul></details>'
        )
    if diff.alignment == "similarity":
        parts.append("<p>The paragraph counts differ: rows were paired by structure.</p>")
    parts.append(_flags(diff.flags))
    parts.append("</header>")
    parts.append(
        '<input type="checkbox" id="raw" class="toggle"> '
        '<label for="raw">show the raw Markdown</label>'
    )
    parts.append('<main class="grid">')
    parts.append(
        f'<div class="cell src colhead" lang="{_e(diff.source_lang)}">{_e(diff.source_lang)}'
        f" · source · {_e(str(diff.source))}</div>"
        f'<div class="cell twin colhead" lang="{_e(diff.target_lang)}">'
        f"{_e(diff.target_lang)} · twin · {_e(str(diff.twin))}</div>"
    )
    # Each side's constant parts, made once a page: (its cell's opening, unflagged and
    # flagged), its language escaped, and as it is.
    src_side = (_cell_openings("src", diff.source_lang), _e(diff.source_lang), diff.source_lang)
    twin_side = (_cell_openings("twin", diff.target_lang), _e(diff.target_lang), diff.target_lang)
    for n, row in enumerate(diff.rows, 1):
        state = row.state or ""
        parts.append(f'<section class="row" id="p{n}" data-state="{_e(state)}">')
        badge = ""
        if row.state:
            badge = " " + _badge(row.state)
            if row.score is not None and row.state == "low-confidence":
                badge += f' <span class="score">confidence {row.score:.2f}</span>'
        src_shown = None
        if row.source is not None:
            raw = _marked(row.source, row.source_terms)
            # Plain text without terms: both are the text escaped, made once.
            plain = not row.source_terms and _plain(row.source)
            src_shown = (raw, raw if plain else rendered(row.source, None, row.source_inline))
        low = _low_span(row, dialects) if row.state == "low-confidence" else None
        twin_shown = None
        if row.twin is not None:
            if src_shown is not None and low is None and row.twin == row.source:
                # The same text (a copy, a name kept as it is): its source's HTML where the
                # inputs are the same, from the same parse's tokens.
                twin_shown = (
                    src_shown[0]
                    if row.twin_terms == row.source_terms
                    else _marked(row.twin, row.twin_terms),
                    src_shown[1]
                    if _same_tokens(row.twin_inline, row.source_inline)
                    else rendered(row.twin, None, row.twin_inline),
                )
            else:
                twin_shown = (
                    _marked(row.twin, row.twin_terms, low),
                    rendered(row.twin, low, row.twin_inline),
                )
        marked = int(bool(row.flags))  # its cells open flagged
        for (opening, e_lang, lang), shown, line, side_badge in (
            (src_side, src_shown, row.source_line, ""),
            (twin_side, twin_shown, row.twin_line, badge),
        ):
            if row.kind == "field":
                where = _e(f"¶{n} · " + _where(row, lang, line))
            else:  # escaped piecewise (html.escape is per character): the same string
                at = f" · line {line}" if line else ""
                where = f"¶{n} · {e_lang} · {_kind_label(row.kind)}{at}"
            parts.append(_cell_html(opening[marked], where + side_badge, shown))
        if row.state in ("needs review", "conflict") and row.source is not None:
            before = older.get(row.twin_line) if row.twin_line is not None else None
            if before is not None:
                parts.append(
                    '<div class="changes"><b>the source since it was reviewed:</b> '
                    f"{word_diff(before, row.source)}</div>"
                )
            else:
                parts.append(
                    '<div class="changes">the source paragraph changed since it was reviewed '
                    "(its older text is not in the translation memory)</div>"
                )
        parts.append(_flags(row.flags))
        parts.append("</section>")
    parts.append("</main>")
    parts.append(
        "<footer><p><mark class=term>glossary term</mark> <mark class=keep>name kept as it "
        "is</mark> <mark class=low>low-confidence sentence</mark> · approve with: "
        f"<code>bilingo approve {_e(str(diff.twin))}</code></p></footer>"
    )
    parts.append("</body>\n</html>\n")
    return "\n".join(p for p in parts if p)


def _when(entry: Entry) -> str:
    if entry.changed is None:
        return ""
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(entry.changed))


def _groups(entries: Sequence[Entry]) -> list[tuple[str, list[Entry]]]:
    attention = [e for e in entries if e.needs_person]
    machine = [e for e in entries if e.state == "machine"]
    rest = [e for e in entries if not e.needs_person and e.state != "machine"]
    return [
        ("needs a person", attention),
        ("machine translation, not yet reviewed", machine),
        ("reviewed, or written by people", rest),
    ]


def render_index(entries: Sequence[Entry], *, only: str | None = None) -> str:
    """The articles, those needing a person first (in ``check``'s verdicts and words), then
    machine translations, then reviewed ones; ``only``: the page of one state."""
    counts = Counter(e.state for e in entries)
    links = [
        "<b>all</b>" if only is None else '<a href="index.html">all</a>',
        *(
            f"<b>{_badge(s)} {counts[s]}</b>"
            if s == only
            else f'<a href="{_state_page(s)}">{_badge(s)} {counts[s]}</a>'
            for s in STATES
            if counts[s]
        ),
    ]
    summary = ", ".join(f"{counts[s]} {s}" for s in STATES if counts[s]) or "no articles"
    attention = sum(counts[s] for s in ATTENTION)
    shown = [e for e in entries if only is None or e.state == only]
    rows: list[str] = []
    for title, group in _groups(shown):
        if not group:
            continue
        rows.append(f'<tr class="group"><th colspan="5">{_e(title)} ({len(group)})</th></tr>')
        for e in group:
            name = _e(str(e.source))
            link = f'<a href="{_e(e.page)}">{name}</a>' if e.page else name
            direction = f"{_e(e.source_lang)} → {_e(e.target_lang)}" if e.source_lang else ""
            rows.append(
                f'<tr data-state="{_e(e.state)}" data-article="{name}">'
                f"<td>{_badge(e.state, 'state')}</td>"
                f'<td title="{name}">{link}</td><td>{direction}</td>'
                f'<td title="{_e(e.detail)}">{_e(e.detail)}</td><td>{_when(e)}</td></tr>'
            )
    heading = "bilingo review" + (f": {only}" if only else "")
    return "\n".join(
        [
            _head(heading),
            f"<header><h1>{_e(heading)}</h1>",
            f"<p>{len(entries)} articles, {attention} need a person: {_e(summary)}</p>",
            '<nav class="filters">' + " ".join(links) + "</nav></header>",
            '<div class="list"><table>',
            '<colgroup><col class="c-state"><col class="c-article"><col class="c-lang">'
            '<col class="c-why"><col class="c-when"></colgroup>',
            "<thead><tr><th>state</th><th>article</th><th>language</th><th>why</th>"
            "<th>last change</th></tr></thead>",
            "<tbody>",
            *rows,
            "</tbody></table></div>",
            "</body>\n</html>\n",
        ]
    )
