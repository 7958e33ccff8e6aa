"""Names the construct that makes a Markdown body too deep to parse (cmark's pathological
inputs: ``[[[…]]]``, ``> > > …``, lists inside lists), for the message that refuses it."""

from __future__ import annotations

import re

__all__ = ["deepest_construct"]

_QUOTES_RE = re.compile(r"^(?:[ \t]{0,3}>[ \t]?)+", re.MULTILINE)
_LIST_RE = re.compile(r"^([ \t]*)(?:[-+*]|\d{1,9}[.)])[ \t]", re.MULTILINE)


def _bracket_depth(body: str) -> int:
    depth = deepest = 0
    for ch in body:
        if ch == "[":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == "]" and depth:
            depth -= 1
    return deepest


def deepest_construct(body: str) -> str:
    """``"<construct> nested N deep"`` for the deepest of brackets (links, images), block
    quotes and lists in ``body``; linear in its length."""
    quotes = max((m.group().count(">") for m in _QUOTES_RE.finditer(body)), default=0)
    lists = max(
        (len(m.group(1).expandtabs(4)) // 2 + 1 for m in _LIST_RE.finditer(body)), default=0
    )
    found = {
        "link or image brackets ([)": _bracket_depth(body),
        "block quotes (>)": quotes,
        "lists": lists,
    }
    name = max(found, key=lambda k: found[k])
    return f"{name} nested {found[name]} deep"
