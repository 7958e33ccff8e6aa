"""Split a Markdown body into translatable segments; everything else stays literal.

What is translated: the text of paragraphs, headings, list items, blockquotes, table
cells, link text, image alt text and emphasis.  What stays byte for byte: code (spans,
fenced, indented), HTML (blocks and tags; text between inline tags is prose), link
destinations and titles, image titles, reference definitions and labels (the text of a
shortcut or collapsed reference link, ``[Oslo]``, ``[Oslo][]``, is prose: :func:`relabel`
writes a translated one ``[translated][Oslo]``), autolinks, bare URLs and e-mail addresses
(escapes in them included), footnote labels ``[^1]``, the literal constructs
of each dialect, backslash escapes and entities, markers, pipes, indentation and all
whitespace that is not a single space between two words.  Pieces without a letter ("2015",
"–", "43 %") stay literal too, so every segment is worth sending to the engine.

Where to look:

- :mod:`~bilingo.document.model`: :class:`Segment`, :class:`Block`, :class:`Document`;
- :mod:`~bilingo.document.segmenter`: :func:`segment`, :func:`parse`, :func:`prose_mask`;
- :mod:`~bilingo.document.parser`: the markdown-it parsers (:func:`markdown`, :func:`dialect`);
- :mod:`~bilingo.document.dialects`: one module per Markdown dialect (CommonMark, Hugo,
  MkDocs, …) behind one :class:`~bilingo.document.dialects.Dialect` interface;
- :mod:`~bilingo.document.sourcemap`, :mod:`~bilingo.document.walk`,
  :mod:`~bilingo.document.literals`: source offsets, the inline walk, literal spans;
- :mod:`~bilingo.document.sentences`: whitespace and sentence cuts;
- :mod:`~bilingo.document.structure`: :func:`structure_problems`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bilingo import lazy

# Eagerly: the function shares its module's name, which importing the module (as the
# parser does) would otherwise bind here. A few regexes, no markdown-it.
from bilingo.document.sentences import sentences, split_sentences

if TYPE_CHECKING:
    from bilingo.document.model import Block, Document, NestingError, Segment
    from bilingo.document.parser import dialect, markdown
    from bilingo.document.segmenter import (
        block_mask,
        parse,
        prose_mask,
        relabel,
        remember,
        segment,
        segment_field,
        segment_text,
    )
    from bilingo.document.structure import structure_problems

#: Each public name's module, imported when the name is first asked for: a command that
#: only names a site's dialects (:mod:`bilingo.document.dialects`) loads no markdown-it.
__getattr__ = lazy.attributes(
    __name__,
    lazy.where(
        model=("Block", "Document", "NestingError", "Segment"),
        parser=("dialect", "markdown"),
        segmenter=(
            "block_mask",
            "parse",
            "prose_mask",
            "relabel",
            "remember",
            "segment",
            "segment_field",
            "segment_text",
        ),
        structure=("structure_problems",),
    ),
)


__all__ = [
    "Block",
    "Document",
    "NestingError",
    "Segment",
    "block_mask",
    "dialect",
    "markdown",
    "parse",
    "prose_mask",
    "relabel",
    "remember",
    "segment",
    "segment_field",
    "segment_text",
    "sentences",
    "split_sentences",
    "structure_problems",
]
