"""Constructs several dialects share (not a dialect itself): definition lists (Goldmark,
Python-Markdown's def_list, kramdown) and attribute lists (Goldmark, attr_list, kramdown)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from markdown_it import MarkdownIt
from markdown_it.ruler import RuleOptionsType
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from mdit_py_plugins.attrs.parse import ParseError as AttrsParseError
from mdit_py_plugins.attrs.parse import parse as parse_attributes
from mdit_py_plugins.deflist import deflist_plugin

from bilingo.document.sourcemap import META, line_range, one_line

#: The rules a container's body may interrupt, as for blockquotes.
BODY_ALT: RuleOptionsType = {"alt": ["paragraph", "reference", "blockquote", "list"]}
#: The rules a definition list may interrupt (mdit-py-plugins' deflist_plugin's own).
DEFLIST_ALT: RuleOptionsType = {"alt": ["paragraph", "reference", "blockquote"]}


def has_rule(md: MarkdownIt, name: str) -> bool:
    return any(rule.name == name for rule in md.block.ruler.__rules__)


def use_deflist(md: MarkdownIt) -> None:
    if not has_rule(md, "deflist"):
        md.use(deflist_plugin)


def markdown_body(
    state: StateBlock, name: str, info: str, start_line: int, body_line: int, close_line: int
) -> None:
    """Push ``<name>_open``, the Markdown of lines ``body_line`` to ``close_line`` (the
    closing tag's line, excluded), and ``<name>_close``: a container whose body is prose."""
    old_line_max = state.lineMax
    token = state.push(f"{name}_open", "", 1)
    token.map, token.info = [start_line, close_line + 1], info
    state.lineMax = close_line
    state.md.block.tokenize(state, body_line, close_line)
    state.lineMax = old_line_max
    state.push(f"{name}_close", "", -1)
    state.line = close_line + 1


def annotate_terms(state: StateBlock, tokens: list[Token]) -> None:
    """A definition list's terms (one line each); the definitions are paragraphs."""
    for prev, tok in itertools.pairwise(tokens):
        if prev.type != "dt_open" or tok.meta.get(META) or not tok.map or not tok.content:
            continue
        start, end = line_range(state, tok.map[0])
        found = state.src.find(tok.content, start, end)
        if found >= 0:
            tok.meta[META] = one_line("term", tok.content, found, tok.map[0])


DEFLIST_CONTAINERS = {"dd_open": "definition"}

# Attribute lists, ``{#id}`` ``{.lead}`` ``{: .md-button }``: on their own, since the URL
# before ``[x](url){ .md-button }`` would swallow the brace in an alternation.
_ATTRIBUTES_RE = re.compile(r"\{:?[ \t]*[#.\w][^{}\n]*\}")


def attribute_lists(content: str) -> Iterator[tuple[int, int]]:
    if "{" in content:
        for m in _ATTRIBUTES_RE.finditer(content):
            if is_attribute_list(m.group()):
                yield m.span()


def is_attribute_list(text: str) -> bool:
    """``{#id .class key=value}`` as Goldmark and Python-Markdown's attr_list write it (the
    latter may start with ``{:``), read by mdit-py-plugins' attribute parser."""
    inner = "{" + text[2:] if text.startswith("{:") else text
    try:
        end, attrs = parse_attributes(inner)
    except AttrsParseError:
        return False
    return bool(attrs) and end == len(inner) - 1
