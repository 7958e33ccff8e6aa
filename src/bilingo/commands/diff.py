"""``bilingo diff``: a source and its twin side by side, with problems flagged.

``bilingo diff PATH`` aligns the pair (:mod:`bilingo.compare`) and renders it for a
terminal; ``--fresh`` compares the twin on disk with what a machine translation would give
now: what the reviewer changed, or what a new model or glossary would change. Nothing is
written.
"""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from bilingo import provenance
from bilingo.article import DEFAULT_TRANSLATED_FIELDS, render_article
from bilingo.compare import SIDE_BY_SIDE_MIN, ArticleDiff, Flag, Row, Term, diff_pair
from bilingo.errors import BilingoError
from bilingo.glossary import Glossary
from bilingo.layout import PLAIN
from bilingo.pairs import PairIndex, find_pair
from bilingo.provenance import PROVENANCE_KEY
from bilingo.site import Settings
from bilingo.translation import (
    EngineFactory,
    build_twin,
    default_engine_factory,
    plan,
    translate_jobs,
)
from bilingo.verdicts import DEFAULT_MIN_CONFIDENCE


@dataclass(frozen=True)
class FreshDiff:
    """``bilingo diff --fresh``: the twin on disk against a fresh machine translation."""

    path: Path
    #: A unified diff; empty when the twin is what a machine translation gives now.
    text: str

    @property
    def exit_code(self) -> int:
        return 1 if self.text else 0

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "changed": bool(self.text), "diff": self.text}


def run(settings: Settings, path: Path) -> ArticleDiff:
    """``bilingo diff PATH``: PATH is a source or a twin."""
    return diff_path(
        path,
        index=PairIndex(settings.pairing),
        glossary=settings.glossary,
        fields=settings.fields,
        min_confidence=settings.min_confidence,
    )


def run_fresh(
    settings: Settings, path: Path, *, engine_factory: EngineFactory | None = None
) -> FreshDiff:
    """``bilingo diff --fresh PATH``."""
    text = fresh_diff(
        path,
        index=PairIndex(settings.pairing),
        glossary=settings.glossary,
        engine_factory=engine_factory or default_engine_factory(settings.engine),
        fields=settings.fields,
    )
    return FreshDiff(path, text)


def diff_path(
    path: Path,
    *,
    glossary: Glossary,
    fields: Sequence[str] = DEFAULT_TRANSLATED_FIELDS,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    index: PairIndex | None = None,
) -> ArticleDiff:
    """``bilingo diff PATH``: PATH is a source or a twin. ``index``: the run's pairs, from
    the site's pairing (None: a plain folder's, :data:`bilingo.layout.PLAIN`, for a caller
    outside a site's run)."""
    index = index if index is not None else PairIndex(PLAIN)
    return diff_pair(
        find_pair(path, index),
        glossary=glossary,
        fields=fields,
        min_confidence=min_confidence,
        dialects=index.pairing.dialects,
    )


def fresh_diff(
    path: Path,
    *,
    index: PairIndex,
    glossary: Glossary,
    engine_factory: EngineFactory | None = None,
    fields: Sequence[str],
) -> str:
    """A unified diff: the twin on disk -> a machine translation made now (nothing written).

    The provenance block is left out of both sides (its hashes always differ), and both are
    rendered the same way so YAML layout is no difference.
    """
    pair = find_pair(path, index)
    # A machine translation of everything: people's paragraphs are not kept (nothing is written).
    the_plan = plan(
        [pair.source],
        glossary=glossary,
        fields=fields,
        force=True,
        discard_edits=True,
        index=index,
    )
    if not the_plan.jobs:
        reason = the_plan.outcomes[0].reason if the_plan.outcomes else ""
        if provenance.read(pair.twin) is None:
            reason = "its twin was written by a person (no provenance)"
        raise BilingoError(
            f"cannot make a fresh translation: {reason or 'nothing to translate'}",
            path=pair.source.path,
        )
    job = the_plan.jobs[0]
    engine = (engine_factory or default_engine_factory())(job.source_lang, job.target_lang)
    # Translated as translate does (whole sentences, their fallbacks), nothing stored.
    done = translate_jobs(
        [job], engine=engine, glossary=glossary, source=job.source_lang, target=job.target_lang
    )
    meta, body = build_twin(
        job,
        done.translations,
        engine_name=engine.name,
        glossary=glossary,
        fields=fields,
        whole=done.whole,
    )
    label = str(pair.twin.path)
    return "".join(
        difflib.unified_diff(
            _without_provenance(pair.twin.meta, pair.twin.body).splitlines(keepends=True),
            _without_provenance(meta, body).splitlines(keepends=True),
            fromfile=f"{label} (on disk)",
            tofile=f"{label} (fresh machine translation)",
        )
    )


def _without_provenance(meta: Mapping[str, Any], body: str) -> str:
    text = render_article({k: v for k, v in meta.items() if k != PROVENANCE_KEY}, body)
    return text if text.endswith("\n") else text + "\n"


# --------------------------------------------------------------------------- terminal rendering


def _wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap returning (start, end) offsets into ``text``, so highlights survive."""
    width = max(width, 8)
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if start == end:
            out.append((start, start))
            continue
        while end - start > width:
            cut = text.rfind(" ", start, start + width + 1)
            if cut <= start:
                out.append((start, start + width))
                start += width
                continue
            out.append((start, cut))
            start = cut + 1
        out.append((start, end))
    return out


def _styled(text: str, span: tuple[int, int], terms: Sequence[Term]) -> str:
    """text[span] with glossary terms emphasised (ANSI; click strips it without colour)."""
    a, b = span
    out: list[str] = []
    pos = a
    for t in terms:
        s, e = max(t.start, a), min(t.end, b)
        if s >= e or s < pos:
            continue
        out.append(text[pos:s])
        fg = "cyan" if t.kind == "term" else "magenta"
        out.append(click.style(text[s:e], fg=fg, bold=True, underline=True))
        pos = e
    out.append(text[pos:b])
    return "".join(out)


def _column(text: str | None, terms: Sequence[Term], width: int) -> list[tuple[str, int]]:
    """(styled line, visible length) per wrapped line; a missing side is a dim note."""
    if text is None:
        note = "(none)"
        return [(click.style(note, dim=True), len(note))]
    return [(_styled(text, span, terms), span[1] - span[0]) for span in _wrap(text, width)]


def _where(row: Row, pair_langs: tuple[str, str]) -> str:
    if row.kind == "field":
        return f"front matter {row.field}"
    s = f"{pair_langs[0]} line {row.source_line}" if row.source_line else f"no {pair_langs[0]}"
    t = f"{pair_langs[1]} line {row.twin_line}" if row.twin_line else f"no {pair_langs[1]}"
    return f"{row.kind.replace('_', ' ')}, {s} ↔ {t}"


def _flag_lines(flags: Sequence[Flag], width: int) -> Iterator[str]:
    for f in flags:
        head = click.style(f"! {f.kind}", fg="red", bold=True)
        body = textwrap.wrap(
            f"{f.detail}", width=max(width - len(f.kind) - 4, 20), subsequent_indent="  "
        )
        yield f"{head}: {body[0] if body else ''}"
        for more in body[1:]:
            yield " " * (len(f.kind) + 2) + more


def format_diff(diff: ArticleDiff, *, width: int) -> str:
    """The diff for a terminal: side by side at ``width`` ≥ 120 columns, stacked below.

    Styled with ANSI codes; ``click.echo(color=False)`` strips them for pipes and NO_COLOR.
    """
    langs = (diff.source_lang, diff.target_lang)
    side = width >= SIDE_BY_SIDE_MIN
    col = (width - 3) // 2
    lines = [
        click.style(f"{diff.source_lang}: {diff.source}", bold=True),
        click.style(f"{diff.target_lang}: {diff.twin}", bold=True),
    ]
    if diff.alignment == "similarity":
        lines.append("paragraph counts differ: aligned by structure, check the pairing")
    for flag_line in _flag_lines(diff.flags, width):
        lines.append(flag_line)
    for n, row in enumerate(diff.rows, 1):
        state = f"· {row.state} " if row.state else ""
        rule = f"── ¶{n} · {_where(row, langs)} {state}"
        lines.append(click.style(rule + "─" * max(width - len(rule), 0), dim=True))
        if side:
            left = _column(row.source, row.source_terms, col)
            right = _column(row.twin, row.twin_terms, col)
            for k in range(max(len(left), len(right))):
                ltext, llen = left[k] if k < len(left) else ("", 0)
                rtext, _ = right[k] if k < len(right) else ("", 0)
                lines.append(f"{ltext}{' ' * (col - llen)} │ {rtext}".rstrip())
        else:
            for lang, text, terms in (
                (diff.source_lang, row.source, row.source_terms),
                (diff.target_lang, row.twin, row.twin_terms),
            ):
                tag = click.style(f"{lang} │ ", dim=True)
                for styled, _ in _column(text, terms, width - 5):
                    lines.append(f"{tag}{styled}".rstrip())
        lines.extend(_flag_lines(row.flags, width))
    counts = diff.counts()
    flagged = sum(1 for r in diff.rows if r.flags)
    summary = f"{len(diff.rows)} paragraphs, {flagged} flagged" + (
        ": " + ", ".join(f"{n} {k}" for k, n in counts.items()) if counts else ""
    )
    lines.append(click.style(summary, bold=True))
    return "\n".join(lines)


def use_color(*, isatty: bool, environ: Mapping[str, str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return isatty and not environ.get("NO_COLOR")


def style_unified(text: str) -> str:
    """A unified diff with removed lines red, added green and hunk headers cyan."""
    out: list[str] = []
    for line in text.splitlines():
        if line.startswith(("---", "+++")):
            out.append(click.style(line, bold=True))
        elif line.startswith("@@"):
            out.append(click.style(line, fg="cyan"))
        elif line.startswith("-"):
            out.append(click.style(line, fg="red"))
        elif line.startswith("+"):
            out.append(click.style(line, fg="green"))
        else:
            out.append(line)
    return "\n".join(out)
