"""Zola (pulldown-cmark, Tera shortcodes): ``{{ name(args) }}`` is literal; ``{% name(args) %}``
… ``{% end %}`` on lines of their own is a block whose body is Markdown (the tags literal);
``{{/* name() */}}``, Zola's escaped shortcode, is literal too. Heading ids ``{#id}`` are
attribute lists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from bilingo.document.dialects import LiteralPattern
from bilingo.document.dialects.common import BODY_ALT, attribute_lists, has_rule, markdown_body
from bilingo.document.sourcemap import Annotator, line_range

_OPEN_RE = re.compile(r"\{%-?\s*([A-Za-z_]\w*)\((?:[^%]|%(?!\}))*\)\s*-?%\}\s*$")
_END_RE = re.compile(r"\{%-?\s*end\s*-?%\}\s*$")


def _body_shortcode(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """``{% name(args) %}`` alone on a line, to its ``{% end %}`` (nested ones counted)."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    start, end = line_range(state, start_line)
    tag = _OPEN_RE.match(state.src, start, end)
    if tag is None:
        return False
    depth, line = 1, start_line
    while (line := line + 1) < end_line:
        first, last = line_range(state, line)
        if _END_RE.match(state.src, first, last):
            depth -= 1
            if depth == 0:
                break
        elif _OPEN_RE.match(state.src, first, last):
            depth += 1
    else:
        return False
    if silent:
        return True
    markdown_body(state, "zola_shortcode", tag.group(1), start_line, start_line + 1, line)
    return True


class Zola:
    name = "zola"
    kinds = frozenset({"zola"})
    containers: Mapping[str, str] = MappingProxyType({"zola_shortcode_open": "shortcode"})
    annotators: Mapping[str, Annotator] = MappingProxyType({})
    literals = (
        LiteralPattern(
            "zola_escaped", r"\{\{/\*.*?\*/\}\}|\{%/\*.*?\*/%\}", triggers=("{{/*", "{%/*")
        ),
        LiteralPattern(
            "zola_call",
            r"\{\{-?\s*[A-Za-z_]\w*\((?:[^}]|\}(?!\}))*\)\s*-?\}\}",
            triggers=("{{",),
        ),
        LiteralPattern(
            "zola_tag",
            r"\{%-?\s*(?:[A-Za-z_]\w*\((?:[^%]|%(?!\}))*\)|end)\s*-?%\}",
            triggers=("{%",),
        ),
    )
    finders = (attribute_lists,)
    triggers = ("{",)
    #: _body_shortcode starts with _OPEN_RE, ``{%``.
    block_triggers: Mapping[str, tuple[str, ...]] = MappingProxyType({"zola_shortcode": ("{%",)})

    @staticmethod
    def update_mdit(md: MarkdownIt) -> None:
        if not has_rule(md, "zola_shortcode"):
            md.block.ruler.before("fence", "zola_shortcode", _body_shortcode, BODY_ALT)


DIALECT = Zola()
