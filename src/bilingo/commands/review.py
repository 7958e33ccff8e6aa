"""``bilingo review --html DIR``: a static, offline review report of every article pair.

``index.html`` lists the articles with their state; one page per article shows source and
twin side by side, a row per aligned paragraph, with the glossary terms and the flags of
``bilingo diff``. Pages open from disk with no server and contain no JavaScript; a
Content-Security-Policy forbids scripts anyway. Articles are untrusted input, so every
piece of their text is HTML-escaped and shown as text (``white-space: pre-wrap``), never
rendered as Markdown or HTML. Files are written only inside DIR, each atomically.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bilingo import provenance
from bilingo.article import (
    DEFAULT_TRANSLATED_FIELDS,
    Article,
    other_language,
    read_article,
    write_atomic,
)
from bilingo.compare import ArticleDiff, Flag, Row, Term, diff_pair
from bilingo.detect import detect_article, twins_beside
from bilingo.errors import BilingoError
from bilingo.glossary import Glossary
from bilingo.pairs import Pair, find_markdown, twin_path
from bilingo.provenance import source_hash
from bilingo.site import Settings, in_site

State = Literal["missing", "stale", "machine", "reviewed", "conflict", "human", "invalid"]
STATES: tuple[State, ...] = (
    "conflict",
    "stale",
    "missing",
    "invalid",
    "machine",
    "reviewed",
    "human",
)

#: Column backgrounds; tests find them in a screenshot to prove both columns render.
SOURCE_BG = "#fbeccb"
TWIN_BG = "#d6e9fb"


@dataclass(frozen=True)
class Entry:
    """One source article in the report."""

    source: Path
    twin: Path | None
    state: State
    detail: str
    source_lang: str = ""
    target_lang: str = ""
    #: File name of its page inside DIR (None when there is no pair to show).
    page: str | None = None
    flags: int = 0


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
                }
                for e in self.entries
            ],
            "counts": self.counts(),
        }


@in_site
def run(settings: Settings, paths: Sequence[Path], *, out_dir: Path) -> ReviewReport:
    """``bilingo review --html DIR`` over ``paths`` (default: the current folder)."""
    return build_review(
        list(paths) or [Path(".")],
        out_dir=out_dir,
        glossary=settings.glossary,
        fields=settings.fields,
        root=settings.root,
    )


def article_state(
    source: Article, twin: Article | None, *, glossary_hash: str, fields: Sequence[str]
) -> tuple[State, str]:
    """The state a reviewer cares about, from the twin's provenance."""
    if twin is None:
        return "missing", "no twin yet; run: bilingo translate " + str(source.path)
    prov = provenance.read(twin)
    if prov is None:
        return "human", "both files written by people; bilingo does not track them"
    state, detail = provenance.twin_state(source, twin, glossary_hash=glossary_hash, fields=fields)
    if state == "foreign":
        return "invalid", detail
    if prov.conflicts:
        return "conflict", f"{len(prov.conflicts)} conflict(s) recorded by the last re-translation"
    if state != "current":
        if prov.source_hash != source_hash(source):
            why = "the source changed since it was translated"
        else:
            why = "made with another version of the glossary"
        return "stale", why + ("; it is marked reviewed" if state == "reviewed" else "")
    by = f" by {prov.reviewed_by}" if prov.reviewed_by else ""
    on = f" on {prov.reviewed_at}" if prov.reviewed_at else ""
    content = provenance.twin_content_hash(twin.meta, twin.body, prov.translated_fields(fields))
    if prov.reviewed and prov.twin_hash != content:
        return "machine", f"edited after review (reviewed{by}{on}); approve it again"
    if prov.reviewed:
        return "reviewed", f"reviewed{by}{on}"
    if prov.any_reviewed:
        waiting = sum(st != "r" for st in prov.recorded_states(len(prov.twin_blocks)))
        return "machine", f"{waiting} paragraph(s) need review since it was reviewed{by}{on}"
    if provenance.is_edited(twin, prov, fields):
        return "machine", "edited by hand, not yet approved"
    return "machine", "machine translation, not yet reviewed"


def _page_name(source: Path, used: set[str], root: Path) -> str:
    """A safe, unique file name inside DIR for an article's page (no folders, no dots)."""
    try:
        rel = source.resolve().relative_to(root.resolve())
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


def build_review(
    paths: Sequence[Path],
    *,
    out_dir: Path,
    glossary: Glossary,
    fields: Sequence[str] = DEFAULT_TRANSLATED_FIELDS,
    root: Path = Path("."),
) -> ReviewReport:
    """Write ``index.html`` and one page per article pair into ``out_dir``.

    Pages are named from each source's path inside ``root`` (the site's root)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise BilingoError(f"{out_dir} is a file; give --html a folder")
    files, _links = find_markdown(paths)
    out_dir.mkdir(parents=True, exist_ok=True)
    out_real = out_dir.resolve()
    entries: list[Entry] = []
    used = {"index.html"}
    shown: set[Path] = set()  # twins already on a page (a human pair lists once)
    for path in files:
        if path.resolve().is_relative_to(out_real) or path.resolve() in shown:
            continue
        try:
            article = read_article(path)
        except BilingoError as exc:
            entries.append(Entry(path, None, "invalid", exc.message))
            continue
        if provenance.is_twin(article):
            continue  # shown with its source
        try:
            lang = detect_article(article, twins=twins_beside(article)).lang
        except BilingoError as exc:
            entries.append(Entry(path, None, "invalid", exc.message))
            continue
        target = other_language(lang)
        twin_file = twin_path(path, target)
        twin = None
        if twin_file.is_file():
            shown.add(twin_file.resolve())
            try:
                twin = read_article(twin_file)
            except BilingoError as exc:
                entries.append(Entry(path, twin_file, "invalid", exc.format(), lang, target))
                continue
        state, detail = article_state(article, twin, glossary_hash=glossary.hash, fields=fields)
        if twin is None or state == "invalid":
            entries.append(Entry(path, twin_file, state, detail, lang, target))
            continue
        diff = diff_pair(Pair(article, twin, lang, target), glossary=glossary, fields=fields)
        page = _page_name(path, used, root)
        entry = Entry(path, twin_file, state, detail, lang, target, page, len(diff.all_flags))
        write_atomic(out_dir / page, render_page(diff, entry))
        entries.append(entry)
    index = out_dir / "index.html"
    write_atomic(index, render_index(entries))
    return ReviewReport(out_dir, index, tuple(entries))


# --------------------------------------------------------------------------- HTML

_CSS = f"""
*{{box-sizing:border-box}}
body{{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1f;
background:#fff}}
header,footer,.list{{padding:12px 16px}}
h1{{font-size:1.25rem;margin:.2em 0;overflow-wrap:anywhere}}
a{{color:#0b57d0}}
.grid{{display:grid;grid-template-columns:1fr 1fr;column-gap:10px;padding:0 16px 16px}}
.cell{{padding:6px 12px 10px;white-space:pre-wrap;overflow-wrap:anywhere;margin-top:10px}}
.src{{background:{SOURCE_BG}}}
.twin{{background:{TWIN_BG}}}
.colhead{{font-weight:600;margin-top:0;position:sticky;top:0}}
.where{{display:block;font-size:.75rem;color:#555;white-space:normal}}
.flagged{{box-shadow:inset 4px 0 #c5221f}}
ul.flags{{grid-column:1/-1;margin:2px 0 0;padding:6px 12px 6px 28px;background:#fde7e6;
font-size:.875rem}}
ul.flags li b{{color:#a50e0e}}
mark.term{{background:#c6efce;border-bottom:2px solid #188038}}
mark.keep{{background:#e8d8f6;border-bottom:2px solid #7b1fa2}}
.state{{display:inline-block;padding:0 8px;border-radius:10px;font-size:.85rem;
font-weight:600;background:#eee}}
.state-reviewed{{background:#c6efce}}.state-machine{{background:#fff1b8}}
.state-stale,.state-missing{{background:#ffd8a8}}
.state-conflict,.state-invalid{{background:#fbc4c4}}
table{{border-collapse:collapse;width:100%}}
th,td{{text-align:left;padding:6px 8px;border-bottom:1px solid #ddd;vertical-align:top;
overflow-wrap:anywhere}}
@media (max-width:700px){{
.grid{{grid-template-columns:1fr}}
.colhead{{display:none}}
.twin{{margin-top:2px}}
thead{{display:none}}
tr,td{{display:block;border:0}}
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

_e = html.escape


def _head(title: str, lang: str = "en") -> str:
    return _HEAD.format(lang=_e(lang), title=_e(title), css=_CSS)


def _marked(text: str, terms: Sequence[Term]) -> str:
    """Escaped text with its glossary terms wrapped in <mark>."""
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


def _where(row: Row, lang: str, line: int | None) -> str:
    if row.kind == "field":
        return f"{lang} · front matter {row.field}"
    at = f" · line {line}" if line else ""
    return f"{lang} · {row.kind.replace('_', ' ')}{at}"


def _cell(
    side: str, lang: str, text: str | None, terms: Sequence[Term], where: str, *, flagged: bool
) -> str:
    body = _marked(text, terms) if text is not None else "<i>(no paragraph)</i>"
    cls = f"cell {side} flagged" if flagged else f"cell {side}"
    return (
        f'<div class="{cls}" lang="{_e(lang)}"><span class="where">{_e(where)}</span>{body}</div>'
    )


def _flags(flags: Sequence[Flag]) -> str:
    items = "".join(f"<li><b>{_e(f.kind)}</b>: {_e(f.detail)}</li>" for f in flags)
    return f'<ul class="flags">{items}</ul>' if items else ""


def render_page(diff: ArticleDiff, entry: Entry) -> str:
    """One article's page: a two-column grid, one row per aligned paragraph."""
    counts = diff.counts()
    flagged = sum(1 for r in diff.rows if r.flags)
    summary = f"{len(diff.rows)} paragraphs, {flagged} flagged" + (
        ": " + ", ".join(f"{n} {k}" for k, n in counts.items()) if counts else ""
    )
    parts = [
        _head(f"Review: {diff.source.name}", diff.target_lang),
        "<header>",
        '<p><a href="index.html">← all articles</a></p>',
        f"<h1>{_e(diff.source.name)} → {_e(diff.twin.name)}</h1>",
        f'<p><span class="state state-{entry.state}">{entry.state}</span> {_e(entry.detail)}</p>',
        f"<p>{_e(summary)}</p>",
    ]
    if diff.alignment == "similarity":
        parts.append("<p>The paragraph counts differ: rows were paired by structure.</p>")
    parts.append(_flags(diff.flags))
    parts.append("</header>")
    parts.append('<main class="grid">')
    parts.append(
        f'<div class="cell src colhead" lang="{_e(diff.source_lang)}">{_e(diff.source_lang)}'
        f" · source · {_e(str(diff.source))}</div>"
        f'<div class="cell twin colhead" lang="{_e(diff.target_lang)}">'
        f"{_e(diff.target_lang)} · twin · {_e(str(diff.twin))}</div>"
    )
    for n, row in enumerate(diff.rows, 1):
        for side, lang, text, terms, line in (
            ("src", diff.source_lang, row.source, row.source_terms, row.source_line),
            ("twin", diff.target_lang, row.twin, row.twin_terms, row.twin_line),
        ):
            where = f"¶{n} · " + _where(row, lang, line)
            parts.append(_cell(side, lang, text, terms, where, flagged=bool(row.flags)))
        parts.append(_flags(row.flags))
    parts.append("</main>")
    parts.append(
        "<footer><p><mark class=term>glossary term</mark> <mark class=keep>name kept as it "
        "is</mark> · approve with: <code>bilingo approve "
        f"{_e(str(diff.twin))}</code></p></footer>"
    )
    parts.append("</body>\n</html>\n")
    return "\n".join(p for p in parts if p)


def _flag_count(entry: Entry) -> str:
    if entry.page is None:
        return ""
    return {0: "no flags", 1: "1 flag"}.get(entry.flags, f"{entry.flags} flags")


def render_index(entries: Sequence[Entry]) -> str:
    """The list of articles, most urgent states first."""
    order = {s: i for i, s in enumerate(STATES)}
    rows = []
    for e in sorted(entries, key=lambda e: (order[e.state], str(e.source))):
        name = _e(str(e.source))
        link = f'<a href="{_e(e.page)}">{name}</a>' if e.page else name
        direction = f"{_e(e.source_lang)} → {_e(e.target_lang)}" if e.source_lang else ""
        rows.append(
            f"<tr><td>{link}</td><td>{direction}</td>"
            f'<td><span class="state state-{e.state}">{e.state}</span></td>'
            f"<td>{_e(e.detail)}</td><td>{_flag_count(e)}</td></tr>"
        )
    counts = Counter(e.state for e in entries)
    summary = ", ".join(f"{counts[s]} {s}" for s in STATES if counts[s]) or "no articles"
    return "\n".join(
        [
            _head("bilingo review"),
            "<header><h1>bilingo review</h1>",
            f"<p>{len(entries)} articles: {_e(summary)}</p></header>",
            '<div class="list"><table>',
            "<thead><tr><th>article</th><th>language</th><th>state</th><th>why</th>"
            "<th>flags</th></tr></thead>",
            "<tbody>",
            *rows,
            "</tbody></table></div>",
            "</body>\n</html>\n",
        ]
    )
