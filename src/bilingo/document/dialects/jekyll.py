"""Jekyll: Liquid and kramdown's extensions, all literal.

Liquid's output ``{{ … }}`` and tags ``{% … %}`` are the template's, never prose; the bodies
of ``{% raw %}``, ``{% highlight %}`` and ``{% comment %}`` are code or notes, literal as a
whole (on lines of their own a block, inside a paragraph a span). A link whose destination is
Liquid (``[plugins]({{ '/docs/plugins/' | relative_url }})``, which markdown-it reads as
text because of the spaces) keeps its brackets and destination; its text is prose. So are
kramdown's inline attribute lists ``{: .note}``, ``{:toc}``, extensions ``{::options … /}``
and ``{::comment}…{:/comment}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from bilingo.document.dialects import LiteralPattern
from bilingo.document.dialects.common import (
    BODY_ALT,
    DEFLIST_CONTAINERS,
    annotate_terms,
    attribute_lists,
    has_rule,
    use_deflist,
)
from bilingo.document.sourcemap import Annotator, line_range

#: Liquid block tags whose body is not Markdown.
_LITERAL_BLOCKS = ("raw", "highlight", "comment")
_BLOCK_OPEN_RE = re.compile(r"\{%-?\s*(raw|highlight|comment)\b[^%]*?-?%\}")
_BLOCK_LINES_MAX = 2000  # a missing end tag must not make every line scan the page


def _liquid_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """``{% raw %}``, ``{% highlight x %}`` or ``{% comment %}`` opening a line, to the line
    of its end tag: one literal token."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    start, end = line_range(state, start_line)
    tag = _BLOCK_OPEN_RE.match(state.src, start, end)
    if tag is None:
        return False
    closer = re.compile(rf"\{{%-?\s*end{tag.group(1)}\s*-?%\}}")
    limit = min(end_line, start_line + _BLOCK_LINES_MAX)
    line, pos = start_line, tag.end()
    while line < limit:
        if closer.search(state.src, pos, state.eMarks[line]):
            break
        line += 1
        if line < limit:
            pos = state.bMarks[line]
    else:
        return False
    if not silent:
        token = state.push("liquid_block", "", 0)
        token.map, token.info = [start_line, line + 1], tag.group(1)
    state.line = line + 1
    return True


def _liquid_spans(content: str) -> Iterator[tuple[int, int]]:
    """Liquid inside prose, outermost first: a literal block tag with its body, then each
    ``{{ … }}`` and ``{% … %}`` (a ``}`` or ``%`` inside a quoted argument included)."""
    if "{{" not in content and "{%" not in content:
        return
    taken: list[tuple[int, int]] = []
    for m in _INLINE_BLOCK_RE.finditer(content):
        taken.append(m.span())
    for m in _LIQUID_RE.finditer(content):
        if not any(a <= m.start() < b for a, b in taken):
            taken.append(m.span())
    yield from taken


_INLINE_BLOCK_RE = re.compile(
    r"\{%-?\s*(raw|highlight|comment)\b.*?%\}.*?\{%-?\s*end\1\s*-?%\}", re.DOTALL
)
_LIQUID_RE = re.compile(
    r"""\{\{(?:'[^'\n]*'|"[^"\n]*"|[^'"}]|\}(?!\}))*\}\}"""
    r"""|\{%(?:'[^'\n]*'|"[^"\n]*"|[^'"%]|%(?!\}))*%\}"""
)


class Jekyll:
    name = "jekyll"
    kinds = frozenset({"jekyll"})
    containers: Mapping[str, str] = MappingProxyType(DEFLIST_CONTAINERS)
    annotators: Mapping[str, Annotator] = MappingProxyType({"deflist": annotate_terms})
    literals = (
        # [text]({{ '/x/' | relative_url }}) and [text]({% link x.md %}): markdown-it sees
        # text, so the brackets and the destination are kept here; the text is prose.
        LiteralPattern(
            "liquidlink",
            r"!?\[(?=[^\[\]\n]*\]\(\s*\{[{%]) | \]\(\s*\{[{%][^\n)]*\)",
            triggers=("](",),
        ),
        # [name]: {{ site.url }}/x: a reference definition markdown-it cannot read.
        LiteralPattern("liquidref", r"(?m:^\[[^\]\n]+\]:[ \t]+\{[{%].*$)", triggers=("]:",)),
        LiteralPattern(
            "kramdown_comment", r"(?s:\{::comment\}.*?\{:/comment\})", triggers=("{::comment}",)
        ),
        # {:toc} {: .note} {::options /}
        LiteralPattern("kramdown", r"\{::?[^{}\n]*\}", triggers=("{:",)),
    )
    finders = (_liquid_spans, attribute_lists)
    triggers = ("{",)
    #: _liquid_block starts with _BLOCK_OPEN_RE, ``{%``.
    block_triggers: Mapping[str, tuple[str, ...]] = MappingProxyType({"liquid_block": ("{%",)})

    @staticmethod
    def update_mdit(md: MarkdownIt) -> None:
        use_deflist(md)  # kramdown's definition lists
        if not has_rule(md, "liquid_block"):
            md.block.ruler.before("fence", "liquid_block", _liquid_block, BODY_ALT)


DIALECT = Jekyll()
