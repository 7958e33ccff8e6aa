"""Literal spans inside prose: what the dialects declare (:class:`LiteralPattern`, finders),
found in an inline token's whole content and honoured only where they start inside a text
run, so link destinations (not text) never turn the text after them literal."""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from bilingo.document.dialects import Dialect, LiteralFinder, LiteralPattern
from bilingo.document.walk import Run

_URL_TRAILING = set(".,:;!?'\"*_~»”’")


@dataclass(frozen=True)
class _Literals:
    patterns: tuple[LiteralPattern, ...]
    addresses: frozenset[str]
    finders: tuple[LiteralFinder, ...]


@functools.cache
def _literals(dialects: tuple[Dialect, ...]) -> _Literals:
    patterns = tuple(p for d in dialects for p in d.literals)
    return _Literals(
        patterns,
        frozenset(p.name for p in patterns if p.address),
        tuple(dict.fromkeys(f for d in dialects for f in d.finders)),
    )


@functools.lru_cache(maxsize=256)
def _alternation(patterns: tuple[LiteralPattern, ...]) -> re.Pattern[str]:
    """One regex of ``patterns``, in order: at each position the first that matches wins."""
    return re.compile("\n| ".join(f"(?P<{p.name}>{p.pattern})" for p in patterns), re.VERBOSE)


@functools.cache
def _triggers(dialects: tuple[Dialect, ...]) -> tuple[tuple[str, Dialect], ...]:
    return tuple((t, d) for d in dialects for t in d.triggers)


@functools.cache
def _any_trigger(dialects: tuple[Dialect, ...]) -> re.Pattern[str]:
    """Finds any of the dialects' triggers: one scan for the content that holds none."""
    triggers = dict.fromkeys(t for t, _ in _triggers(dialects))
    return re.compile("|".join(map(re.escape, triggers)) or "(?!)")


def url_end(text: str, start: int, end: int) -> int:
    """GFM-style: drop trailing punctuation and unbalanced closing parentheses."""
    opened = text.count("(", start, end)
    closed = text.count(")", start, end)
    while end > start:
        ch = text[end - 1]
        if ch in _URL_TRAILING:
            end -= 1
        elif ch == ")" and closed > opened:
            closed -= 1
            end -= 1
        else:
            break
    return end


def literal_ranges(
    content: str, runs: Sequence[Run], dialects: tuple[Dialect, ...]
) -> list[tuple[int, int]]:
    """Content ranges of ``content`` that stay literal although a text run holds them."""
    # Only the dialects whose triggers the content holds can match (the common case: none,
    # a cheap scan instead of the regex); the alternation of the others would only cost.
    if _any_trigger(dialects).search(content) is None:
        return []
    held = {dialect for trigger, dialect in _triggers(dialects) if trigger in content}
    if not held:
        return []
    found_in = _literals(tuple(d for d in dialects if d in held))
    starts = [run.start for run in runs]

    def in_text(start: int) -> bool:
        i = bisect_right(starts, start) - 1
        return i >= 0 and start < runs[i].end

    found = [span for finder in found_in.finders for span in finder(content) if in_text(span[0])]
    # A pattern whose triggers the content does not hold matches nowhere in it: left out,
    # the alternation finds the same spans (the first one that matches at each position).
    patterns = tuple(
        p for p in found_in.patterns if not p.triggers or any(t in content for t in p.triggers)
    )
    if not patterns:
        return found
    for m in _alternation(patterns).finditer(content):
        start, name = m.start(), m.lastgroup
        end = url_end(content, start, m.end()) if name in found_in.addresses else m.end()
        if in_text(start) or (name in found_in.addresses and in_text(end - 1)):
            # An address whose first letter went to an escape (``\post@ex.no``) is still
            # an address; one inside a link destination touches no text run.
            found.append((start, end))
    return found
