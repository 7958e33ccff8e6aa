"""Source maps recorded while markdown-it parses: where each line (or cell) of an inline
token's ``content`` lies in the body, and the extent each link, image, autolink and code span
consumed. Dialects mark the inline tokens of their own constructs with these (see
:mod:`bilingo.document.dialects`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

#: Token meta key: the :class:`Source` of an inline token whose text is prose.
META = "bilingo.source"
#: Token meta key: an inline token whose text is not in the body as such (an admonition's
#: default title), so it is neither prose nor a mapping failure.
LITERAL = "bilingo.literal"
#: Token meta key: (start, end) of the source an inline rule consumed.
EXTENT = "bilingo.extent"


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of an inline token's content that is contiguous in the source."""

    cstart: int
    cend: int
    delta: int  # source offset = content offset + delta
    line: int  # 0-based


@dataclass(frozen=True, slots=True)
class Source:
    kind: str
    spans: tuple[Span, ...]
    literals: tuple[tuple[int, int], ...] = ()  # content ranges to keep literal


BlockRule = Callable[[StateBlock, int, int, bool], bool]
InlineRule = Callable[[StateInline, bool], bool]
#: Marks the inline tokens a block rule pushed: ``tok.meta[META] = Source(...)`` for prose,
#: ``tok.meta[LITERAL] = True`` for text that is not the body's; unmarked ones stay literal.
Annotator = Callable[[StateBlock, list[Token]], None]


def wrap(rule: BlockRule, annotate: Annotator) -> BlockRule:
    """``rule``, annotating the tokens it pushed."""

    @functools.wraps(rule)  # __wrapped__: the parser knows the rule inside (parser.py)
    def wrapped(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        first = len(state.tokens)
        ok = rule(state, start_line, end_line, silent)
        if ok and not silent:
            annotate(state, state.tokens[first:])
        return ok

    return wrapped


def record_extent(rule: InlineRule, token_type: str, opener: str) -> InlineRule:
    """``rule``, storing (start, end) of what it consumed on the token it pushed. ``opener``:
    the character ``rule`` returns False without at ``state.pos`` (checked here first: the
    inline parser tries every rule at each character that may start one)."""

    def wrapped(state: StateInline, silent: bool) -> bool:
        if state.src[state.pos] != opener:
            return False
        start, first = state.pos, len(state.tokens)
        ok = rule(state, silent)
        if ok and not silent:
            for i in range(first, len(state.tokens)):  # a flushed pending text may come first
                if state.tokens[i].type == token_type:
                    state.tokens[i].meta[EXTENT] = (start, state.pos)
                    break
        return ok

    return wrapped


def line_range(state: StateBlock, line: int) -> tuple[int, int]:
    """Source offsets of a line's content (after its indentation) and of its end."""
    return state.bMarks[line] + state.tShift[line], state.eMarks[line]


def one_line(kind: str, content: str, start: int, line: int) -> Source:
    """The source of a one-line inline token whose content starts at ``start``."""
    return Source(kind, (Span(0, len(content), start, line),))
