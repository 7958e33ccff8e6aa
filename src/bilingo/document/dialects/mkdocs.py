"""MkDocs (Python-Markdown with pymdownx): admonitions ``!!! note "Title"``, content tabs
``=== "Linux"``, definition lists, attribute lists, icons ``:material-check:`` and
abbreviation definitions ``*[HTML]: …``.

Admonition and tab bodies are indented four spaces under their marker line; CommonMark alone
would read them as code, and only MkDocs writes such a marker line.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin

from bilingo.document.dialects import LiteralPattern
from bilingo.document.dialects.common import (
    BODY_ALT,
    DEFLIST_ALT,
    DEFLIST_CONTAINERS,
    annotate_terms,
    attribute_lists,
    has_rule,
    use_deflist,
)
from bilingo.document.sourcemap import (
    LITERAL,
    META,
    Annotator,
    BlockRule,
    Source,
    Span,
    line_range,
)

# Python-Markdown: ``!!! type "Title"``, ``??? type``, ``???+ type``, words for the type.
_ADMONITION_RE = re.compile(r'(?:!!!|\?\?\?\+?) ?[\w-]+(?: +[\w-]+)*(?: +"(.*)")? *')
# pymdownx.tabbed: ``=== "Label"``, ``===! "Label"`` (new tab set), ``===+ "Label"`` (selected).
_TAB_RE = re.compile(r'===[!+]{0,2} +"(.*)" *')
# Python-Markdown's abbr extension: ``*[HTML]: Hyper Text Markup Language``.
_ABBREVIATION_RE = re.compile(r"\*\[[^\]\n]+\]:")


def _admonition(rules: Sequence[Any]) -> BlockRule:
    plugin: BlockRule = next(rule.fn for rule in rules if rule.name == "admonition")

    def admonition(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        start, end = line_range(state, start_line)
        if not _ADMONITION_RE.fullmatch(state.src, start, end):
            return False
        return plugin(state, start_line, end_line, silent)

    return admonition


def _deflist(rules: Sequence[Any]) -> BlockRule:
    plugin: BlockRule = next(rule.fn for rule in rules if rule.name == "deflist")

    def deflist(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        first = len(state.tokens)
        if silent or not plugin(state, start_line, end_line, silent):
            return silent and plugin(state, start_line, end_line, silent)
        # Python-Markdown's AdmonitionProcessor finds ``!!! type`` anywhere in a block before
        # def_list reads it: a term line that is an admonition marker ends the list there.
        opened = state.tokens[first]
        for index in range(first + 2, len(state.tokens)):
            tok = state.tokens[index]
            if tok.type != "dt_open" or tok.level != opened.level + 1 or not tok.map:
                continue
            if _ADMONITION_RE.fullmatch(state.src, *line_range(state, tok.map[0])):
                del state.tokens[index:]
                state.level = opened.level + 1
                state.push("dl_close", "dl", -1)
                opened.map = [start_line, tok.map[0]]
                state.line = tok.map[0]
                break
        return True

    return deflist


def _tabbed(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A content tab: the label line, then the body indented four spaces (as admonitions)."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    start, end = line_range(state, start_line)
    label = _TAB_RE.fullmatch(state.src, start, end)
    if label is None:
        return False
    if silent:
        return True
    old = state.parentType, state.lineMax, state.blkIndent
    state.blkIndent = state.sCount[start_line] + 4
    next_line, was_empty = start_line, False
    while (next_line := next_line + 1) < end_line:
        first, last = line_range(state, next_line)
        is_empty = state.sCount[next_line] < state.blkIndent
        if is_empty and was_empty:
            break  # two blank lines end the tab
        was_empty = is_empty
        if first < last and state.sCount[next_line] < state.blkIndent:
            break
    state.parentType, state.lineMax = "tab", next_line
    token = state.push("tab_open", "div", 1)
    token.markup, token.block = state.src[start : start + 3], True
    token.map = [start_line, next_line]
    text = label.group(1)
    token = state.push("inline", "", 0)
    token.content, token.map, token.children = text, [start_line, start_line + 1], []
    if text:
        token.meta[META] = Source("title", (Span(0, len(text), label.start(1), start_line),))
    state.md.block.tokenize(state, start_line + 1, next_line)
    state.push("tab_close", "div", -1).block = True
    state.parentType, state.lineMax, state.blkIndent = old
    state.line = next_line
    return True


def _abbreviation(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Abbreviation definitions, one a line: literal (the page shows the full form as a
    tooltip, and translating it would part it from the abbreviation it explains)."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    start, end = line_range(state, start_line)
    if not _ABBREVIATION_RE.match(state.src, start, end):
        return False
    if silent:
        return True
    line = start_line + 1
    while line < end_line and _ABBREVIATION_RE.match(state.src, *line_range(state, line)):
        line += 1
    token = state.push("abbreviation", "", 0)
    token.map = [start_line, line]
    state.line = line
    return True


def _annotate_titles(state: StateBlock, tokens: list[Token]) -> None:
    """An admonition's quoted title is prose; a title made up from its type is not."""
    for prev, tok in itertools.pairwise(tokens):
        if prev.type != "admonition_title_open" or tok.meta.get(META) or not tok.map:
            continue
        start, end = line_range(state, tok.map[0])
        title = _ADMONITION_RE.fullmatch(state.src, start, end)
        if title and title.group(1) == tok.content and tok.content:
            span = Span(0, len(tok.content), title.start(1), tok.map[0])
            tok.meta[META] = Source("title", (span,))
        else:
            tok.meta[LITERAL] = True  # "Note" made up from ``!!! note``: not in the body


class MkDocs:
    name = "mkdocs"
    kinds = frozenset({"mkdocs"})
    containers: Mapping[str, str] = MappingProxyType(
        {**DEFLIST_CONTAINERS, "admonition_open": "admonition", "tab_open": "tab"}
    )
    annotators: Mapping[str, Annotator] = MappingProxyType(
        {"deflist": annotate_terms, "admonition": _annotate_titles}
    )
    literals = (
        # :material-check: :smile:, also just inside a marker (__:octicons-goal-16: Goal__).
        # Its colon first, then what may not precede it: the regex's scan looks for the colon.
        LiteralPattern(
            "icon",
            r":(?<![^\W_]:|::)(?=[a-z0-9_-]*[a-z])[a-z0-9]+(?:[-_][a-z0-9]+)*:(?![^\W_]|:)",
            triggers=(":",),
        ),
    )
    finders = (attribute_lists,)
    triggers = ("{", ":")
    #: Each rule's line must match its pattern (_ADMONITION_RE, _TAB_RE, _ABBREVIATION_RE)
    #: first. Definition lists (``:``/``~`` after any container prefix) have none cheap.
    block_triggers: Mapping[str, tuple[str, ...]] = MappingProxyType(
        {"admonition": ("!!!", "???"), "tabbed": ("===",), "abbreviation": ("*[",)}
    )

    @staticmethod
    def update_mdit(md: MarkdownIt) -> None:
        use_deflist(md)
        if has_rule(md, "tabbed"):
            return
        md.use(admon_plugin)
        # Python-Markdown's own admonition pattern: a word after the marker, a quoted title.
        md.block.ruler.at("admonition", _admonition(md.block.ruler.__rules__), BODY_ALT)
        md.block.ruler.at("deflist", _deflist(md.block.ruler.__rules__), DEFLIST_ALT)
        md.block.ruler.before("fence", "tabbed", _tabbed, BODY_ALT)
        md.block.ruler.before("paragraph", "abbreviation", _abbreviation, {"alt": ["paragraph"]})


DIALECT = MkDocs()
