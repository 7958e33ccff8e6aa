"""The structure check: a translation must not change a block's structure (a ``|`` that
makes a new cell, a ``*`` that pairs into emphasis, a backtick that turns code into prose)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bilingo.document.model import Block, Document
from bilingo.document.sentences import NEWLINE_RE

#: Characters that make structure when outside prose: emphasis, code, links, tables, HTML.
_MARKUP = frozenset("*_`[]|<>~\\")


def _literal_markup(doc: Document, block: Block) -> list[str]:
    """The markup characters of ``block`` outside its segments, in order."""
    out: list[str] = []
    pos = block.start
    for i in (*block.segments, None):
        end = doc.segments[i].start if i is not None else block.end
        out += filter(_MARKUP.__contains__, doc.body[pos:end])  # C loops, not a generator's
        if i is not None:
            pos = doc.segments[i].end
    return out


def _letters(texts: Iterable[str]) -> str:
    """The letters of ``texts`` in order: prose, whatever the spacing and punctuation."""
    return "".join(filter(str.isalpha, "".join(texts)))


def structure_problems(
    source: Document,
    translations: Sequence[str],
    twin: Document,
    *,
    overrides: Mapping[int, str] | None = None,
) -> list[int]:
    """Source blocks whose translation changed the twin's structure; [] when none did.

    ``twin`` is ``source.render(translations, overrides=overrides)`` segmented. Block by
    block it must have the same kind and containers, the text rendered for it (a ``|`` in
    a table cell's translation makes a new cell, and markdown-it drops the row's last),
    the same markup outside prose (a ``*`` in a translation that pairs with another makes
    emphasis) and the same prose (a backtick that pairs with one of the source's turns its
    code into prose). Returns the first such block's index (blocks after it cannot be
    compared); overridden blocks are the twin's own text and are not judged.
    """
    overrides = overrides or {}
    for block in source.blocks:
        if block.index >= len(twin.blocks):
            return [block.index]
        other = twin.blocks[block.index]
        if block.index in overrides:
            if other.text.strip() != overrides[block.index].strip():
                return []  # a person's paragraph changed the layout: later blocks do not align
            continue
        pos, parts = block.start, []
        for i in block.segments:
            seg = source.segments[i]
            parts += [source.body[pos : seg.start], NEWLINE_RE.sub(" ", translations[i])]
            pos = seg.end
        expected = "".join([*parts, source.body[pos : block.end]])
        placed = "".join(translations[i] for i in block.segments)
        if (
            (other.kind, other.containers) != (block.kind, block.containers)
            or other.text.strip() != expected.strip()
            or _literal_markup(twin, other) != _literal_markup(source, block)
            or _letters(twin.segments[i].text for i in other.segments) != _letters([placed])
        ):
            return [block.index]
    if len(twin.blocks) != len(source.blocks) and source.blocks:
        return [source.blocks[-1].index]
    return []
