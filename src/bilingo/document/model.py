"""What segmenting a body yields: segments, the blocks holding them, and the document that
renders translations back in place."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bilingo.document.sentences import NEWLINE_RE
from bilingo.errors import BilingoError

if TYPE_CHECKING:
    from markdown_it.token import Token

    from bilingo.units import Unit


@dataclass(frozen=True, slots=True)
class Segment:
    """One piece of prose for the engine: a single-line source substring."""

    text: str  # the exact source substring to translate
    block: int  # index into Document.blocks
    line: int  # 1-based body line where the segment starts
    kind: str  # innermost context: paragraph, heading, table_cell, link_text, image_alt, ...
    start: int  # body[start:end] == text
    end: int


@dataclass(frozen=True, slots=True)
class Block:
    """A leaf block with inline content (paragraph, heading, table cell), in body order."""

    index: int
    kind: str  # "paragraph" | "heading" | "table_cell" | "text" (segment_text)
    start: int  # body[start:end] == text; spans never overlap
    end: int
    line: int  # 1-based
    segments: tuple[int, ...]  # indices into Document.segments
    text: str
    containers: tuple[str, ...] = ()  # enclosing "blockquote" / "list_item", outermost first
    #: The inline structure, in body offsets (bilingo.units reads it): ("text", start, end,
    #: kind) for prose, ("open"/"close", start, end, kind) for the markers of emphasis,
    #: strong, strikethrough, link and image, ("break", start, end, "") for a line break with
    #: the next line's prefix. What lies between them is literal.
    inline: tuple[tuple[str, int, int, str], ...] = ()
    #: What a reader gets of it (:func:`bilingo.document.walk.read_inline`): its link and
    #: image targets, and its text with escapes resolved and line breaks as spaces, code and
    #: HTML left out (``bilingo diff`` compares the numbers and URLs in it).
    targets: tuple[str, ...] = ()
    plain: str = ""
    #: markdown-it's inline tokens of it, where asked for (``parse(body, tokens=True)``:
    #: ``bilingo review`` renders them); not part of the value.
    tokens: tuple[Token, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Document:
    body: str
    segments: tuple[Segment, ...]
    blocks: tuple[Block, ...]
    #: Shortcut and collapsed reference links, ``[x]`` and ``[x][]``: (block, start, end of
    #: the text, end) in body offsets (:func:`bilingo.document.relabel` keeps their labels).
    references: tuple[tuple[int, int, int, int], ...] = ()
    #: Reference-link definitions, ``[label]: target``: (label lower-cased, target).
    definitions: tuple[tuple[str, str], ...] = ()
    #: Whether its blocks carry their inline tokens (:attr:`Block.tokens`).
    tokens: bool = field(default=False, compare=False, repr=False)

    @functools.cached_property
    def block_hashes(self) -> tuple[str, ...]:
        """Each block's provenance hash (:func:`bilingo.provenance.block_hashes`), computed once."""
        from bilingo.provenance import block_hashes

        return block_hashes(b.text for b in self.blocks)

    @functools.cached_property
    def sentence_units(self) -> tuple[Unit, ...]:
        """Its sentences (:func:`bilingo.units.units`), read once: a translate job asks for
        its source's when it translates, renders and writes the provenance."""
        from bilingo.units import read_units

        return tuple(read_units(self))

    def render(
        self, translations: Sequence[str], *, overrides: Mapping[int, str] | None = None
    ) -> str:
        """Rebuild the body with ``translations[i]`` in place of ``segments[i]``.

        ``overrides[block_index]`` replaces that block's whole span verbatim (the segments
        inside it are then ignored).  A segment never spans lines, so newlines in a
        translation become spaces; nothing else is escaped, which keeps an identity
        translation byte-identical.
        """
        if len(translations) != len(self.segments):
            raise ValueError(f"expected {len(self.segments)} translations, got {len(translations)}")
        overrides = overrides or {}
        for index in overrides:
            if not 0 <= index < len(self.blocks):
                raise ValueError(f"override for unknown block {index}")
        body = self.body
        out: list[str] = []
        pos = 0
        for block in self.blocks:
            if block.index in overrides:
                out.append(body[pos : block.start])
                out.append(overrides[block.index])
                pos = block.end
                continue
            for i in block.segments:
                seg = self.segments[i]
                out.append(body[pos : seg.start])
                out.append(NEWLINE_RE.sub(" ", translations[i]))
                pos = seg.end
        out.append(body[pos:])
        return "".join(out)


class NestingError(BilingoError):
    """A body nested too deeply for the Markdown parser."""
