"""Hugo (Goldmark): shortcodes, ``[text]({{< ref "x" >}})`` links, alerts ``> [!NOTE]``,
definition lists and attribute lists.

A shortcode on lines of its own is a block: ``{{< x >}}…{{< /x >}}`` keeps its inner content
literal (the shortcode receives it raw, often code or TOML), ``{{% x %}}…{{% /x %}}``'s inner
content is Markdown. Inside prose every shortcode tag is literal.
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
    markdown_body,
    use_deflist,
)
from bilingo.document.sourcemap import Annotator, line_range

# Hugo: ``{{< name params >}}`` / ``{{% name params %}}``, parameters over several lines.
_SHORTCODE_OPEN_RE = re.compile(r"\{\{([<%])\s*(/?)\s*([\w./-]+)")
# Lines starting with a tag (after indentation or quote markers): an opening one, or a
# closing one alone on its line.
_SHORTCODE_OPEN_LINE_RE = re.compile(r"[ \t>]*\{\{([<%])\s*([\w./-]+)")
_SHORTCODE_CLOSE_LINE_RE = re.compile(r"[ \t>]*\{\{([<%])\s*/\s*([\w./-]+)\s*[%>]\}\}\s*$")
_SHORTCODE_PAIRS = "bilingo.shortcode_pairs"
_SHORTCODE_MAX_LINES = 50


def _shortcode(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A Hugo shortcode on lines of its own. With a closing tag, ``{{< x >}}`` keeps its
    inner content literal (the shortcode receives it raw, often code or TOML) and
    ``{{% x %}}``'s inner content is Markdown. The tags themselves are literal."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    start, _ = line_range(state, start_line)
    tag = _SHORTCODE_OPEN_RE.match(state.src, start)
    if tag is None:
        return False
    delim, name = tag.group(1), tag.group(3)
    closer = ">}}" if delim == "<" else "%}}"
    # Parameters may run over a few lines; looking further would make a page of unclosed
    # tags quadratic.
    limit = state.eMarks[min(start_line + _SHORTCODE_MAX_LINES, end_line) - 1]
    tag_end = state.src.find(closer, tag.end(), limit)
    if tag_end < 0:
        return False
    tag_end += len(closer)
    tag_last = start_line  # the tag's last line: it must end there
    while tag_last < end_line and state.eMarks[tag_last] < tag_end:
        tag_last += 1
    if tag_last >= end_line or state.src[tag_end : state.eMarks[tag_last]].strip():
        return False
    close_line = None
    if not tag.group(2) and not state.src[tag.end() : tag_end].rstrip(closer).endswith("/"):
        close_line = _shortcode_pairs(state).get(start_line)
        if close_line is not None and not tag_last < close_line < end_line:
            close_line = None
    if close_line is None and tag_last == start_line:
        return False  # one line, no body: a paragraph as before, its shortcode literal
    if silent:
        return True
    if close_line is None or delim == "<":
        last = tag_last if close_line is None else close_line
        token = state.push("shortcode", "", 0)
        token.map, token.info = [start_line, last + 1], name
        state.line = last + 1
        return True
    markdown_body(state, "shortcode", name, start_line, tag_last + 1, close_line)
    return True


def _shortcode_pairs(state: StateBlock) -> dict[int, int]:
    """Opening line -> closing line of every shortcode pair on lines of their own, matched
    as brackets per name (found once per body: a page of a thousand bodiless ``figure``
    shortcodes must not scan the page a thousand times)."""
    pairs: dict[int, int] | None = state.env.get(_SHORTCODE_PAIRS)
    if pairs is None:
        pairs = {}
        opened: dict[tuple[str, str], list[int]] = {}
        for i, text in enumerate(state.src.split("\n")):
            if "{{" not in text:
                continue
            if tag := _SHORTCODE_CLOSE_LINE_RE.match(text):
                if stack := opened.get((tag.group(1), tag.group(2))):
                    pairs[stack.pop()] = i
            elif (tag := _SHORTCODE_OPEN_LINE_RE.match(text)) and not _self_closing(text):
                opened.setdefault((tag.group(1), tag.group(2)), []).append(i)
        state.env[_SHORTCODE_PAIRS] = pairs
    return pairs


def _self_closing(text: str) -> bool:
    return "/>}}" in text or "/%}}" in text


# The shortcode with a literal body goes first: ``{{< x >}}code{{< /x >}}`` on one line.
_PAIRED_SHORTCODE_RE = re.compile(r"\{\{<\s*([\w./-]+)[^{}]*>\}\}[^{}]*?\{\{<\s*/\1\s*>\}\}")


def _paired_shortcodes(content: str) -> Iterator[tuple[int, int]]:
    if "{{<" in content:
        yield from (m.span() for m in _PAIRED_SHORTCODE_RE.finditer(content))


class Hugo:
    name = "hugo"
    kinds = frozenset({"hugo"})
    containers: Mapping[str, str] = MappingProxyType(
        {**DEFLIST_CONTAINERS, "shortcode_open": "shortcode"}
    )
    annotators: Mapping[str, Annotator] = MappingProxyType({"deflist": annotate_terms})
    literals = (
        # {{< x >}} / {{% x %}}
        LiteralPattern("shortcode", r"\{\{[<%][^{}]*[%>]\}\}", triggers=("{{<", "{{%")),
        # [text]({{< ref "x" >}}): markdown-it sees text, so the brackets are kept here
        LiteralPattern(
            "hugolink",
            r"!?\[(?=[^\[\]\n]*\]\(\s*\{\{[<%]) | \]\(\s*\{\{[<%][^{}]*[%>]\}\}\s*\)",
            triggers=("](",),
        ),
        LiteralPattern("alert", r"^\[![A-Za-z]+\][+-]?", triggers=("[!",)),  # > [!NOTE]
    )
    finders = (_paired_shortcodes, attribute_lists)
    triggers = ("{", "[!")
    #: _shortcode starts with _SHORTCODE_OPEN_RE, ``{{<`` or ``{{%``.
    block_triggers: Mapping[str, tuple[str, ...]] = MappingProxyType({"shortcode": ("{{<", "{{%")})

    @staticmethod
    def update_mdit(md: MarkdownIt) -> None:
        use_deflist(md)
        if not has_rule(md, "shortcode"):
            md.block.ruler.before("fence", "shortcode", _shortcode, BODY_ALT)


DIALECT = Hugo()
