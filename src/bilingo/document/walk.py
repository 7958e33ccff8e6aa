"""The inline walk: markdown-it's inline tokens -> text runs (prose) in content offsets,
and the markers of emphasis, links and images around them."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from bilingo.document.sourcemap import EXTENT

_RAW_HTML = re.compile(r"<(script|style)\b[^>]*(?<!/)>", re.IGNORECASE)


class Mismatch(Exception):
    """The source does not line up with markdown-it's tokens (a bug, or an exotic case)."""


@dataclass(slots=True)
class Run:
    start: int
    end: int
    kind: str


_OPEN_KIND = {"em_open": "emphasis", "strong_open": "strong", "s_open": "strikethrough"}
_CLOSE = frozenset({"em_close", "strong_close", "s_close"})


class InlineWalker:
    def __init__(self) -> None:
        self.runs: list[Run] = []
        self.events: list[tuple[str, int, int, str]] = []  # content offsets, see Block.inline
        #: Shortcut and collapsed reference links (``[x]``, ``[x][]``): (start, end of the
        #: text, end) in content offsets. Their text is prose; the label is the source's.
        self.references: list[tuple[int, int, int]] = []

    def walk(
        self,
        tokens: list[Token],
        src: str,  # the string these tokens were parsed from
        offset: int,  # content offset of src[0]
        pos: int,
        limit: int,
        kind: str,
    ) -> int:
        """Consume tokens from src[pos:], record text runs, return the end position."""
        kinds = [kind]
        raw: str | None = None
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            typ = tok.type
            if typ == "text":  # the commonest token: _expect inlined
                text = tok.content
                if not src.startswith(text, pos):
                    raise Mismatch(f"expected {text!r} at {pos}")
                # Text between inline <script>/<style> tags is code, not prose.
                if text and raw is None:
                    self.runs.append(Run(offset + pos, offset + pos + len(text), kinds[-1]))
                pos += len(text)
            elif typ in ("softbreak", "hardbreak"):
                start = pos
                pos = _skip_break(src, pos, limit)
                self.events.append(("break", offset + start, offset + pos, ""))
            elif typ == "text_special":  # escape or entity: literal, markup is its source
                pos = _expect(src, pos, tok.markup)
            elif typ == "html_inline":
                pos = _expect(src, pos, tok.content)
                if raw is None and (opened := _RAW_HTML.match(tok.content)):
                    raw = opened.group(1).lower()
                elif raw is not None and tok.content.lower().startswith(f"</{raw}"):
                    raw = None
            elif typ in _OPEN_KIND:
                start = pos
                pos = _expect(src, pos, tok.markup)
                kinds.append(_OPEN_KIND[typ])
                self.events.append(("open", offset + start, offset + pos, kinds[-1]))
            elif typ in _CLOSE:
                start = pos
                pos = _expect(src, pos, tok.markup)
                self.events.append(("close", offset + start, offset + pos, kinds[-1]))
                if len(kinds) > 1:
                    kinds.pop()
            elif typ == "code_inline":
                pos = _extent_end(tok, pos)
            elif typ == "link_open":
                close = i + 1
                while close < len(tokens) and tokens[close].type != "link_close":
                    close += 1
                end = _extent_end(tok, pos)
                if tok.info != "auto":  # an autolink <http://...> is literal as a whole
                    first_run, first_event = len(self.runs), len(self.events)
                    self.events.append(("open", offset + pos, offset + pos + 1, "link"))
                    children = tokens[i + 1 : close]
                    label_end = self.walk(children, src, offset, pos + 1, end, "link_text")
                    _expect(src, label_end, "]")
                    close_start = offset + label_end
                    last = self.events[-1]
                    if last[0] == "break" and last[2] == close_start and len(self.events) > 1:
                        # "[extend the theme\n]": the break belongs to the closing marker,
                        # so it stays inside the link whatever the words become.
                        close_start = last[1]
                        self.events.pop()
                    self.events.append(("close", close_start, offset + end, "link"))
                    if src.startswith("^", pos + 1):  # a footnote label [^1]
                        del self.runs[first_run:]
                        del self.events[first_event:]
                    elif _label_is_reference(src, pos + 1, label_end, end):
                        self.references.append((offset + pos, offset + label_end, offset + end))
                pos = end
                i = close + 1
                continue
            elif typ == "image":
                end = _extent_end(tok, pos)
                alt = tok.content
                label_end = _expect(src, _expect(src, pos, "!["), alt)
                _expect(src, label_end, "]")
                if not _label_is_reference(src, pos + 2, label_end, end):
                    # markdown-it parses the alt text as a string of its own
                    children = tok.children or []
                    self.events.append(("open", offset + pos, offset + pos + 2, "image"))
                    alt_end = self.walk(children, alt, offset + pos + 2, 0, len(alt), "image_alt")
                    if alt_end != len(alt):
                        raise Mismatch(f"image alt ends at {alt_end} of {len(alt)}")
                    self.events.append(("close", offset + label_end, offset + end, "image"))
                pos = end
            else:
                raise Mismatch(f"unexpected inline token {typ}")
            i += 1
        return pos


def read_inline(tokens: Sequence[Token]) -> tuple[tuple[str, ...], str]:
    """What a reader gets of markdown-it's inline tokens: the link and image targets in
    order, and the text (escapes and entities resolved, alt text included, line breaks as
    spaces; code spans and HTML left out)."""
    targets: list[str] = []
    text: list[str] = []
    stack = list(reversed(tokens))
    while stack:
        tok = stack.pop()
        typ = tok.type
        if typ in ("text", "text_special"):
            text.append(tok.content)
        elif typ in ("softbreak", "hardbreak"):
            text.append(" ")
        elif typ == "link_open":
            targets.append(str(tok.attrs.get("href", "")))
        elif typ == "image":
            targets.append(str(tok.attrs.get("src", "")))
            stack.extend(reversed(tok.children or []))
    return tuple(targets), "".join(text)


def _expect(src: str, pos: int, text: str) -> int:
    if not src.startswith(text, pos):
        raise Mismatch(f"expected {text!r} at {pos}")
    return pos + len(text)


def _extent_end(tok: Token, pos: int) -> int:
    extent = tok.meta.get(EXTENT)
    if not isinstance(extent, tuple) or extent[0] != pos:
        raise Mismatch(f"{tok.type} at {pos} has no matching recorded extent {extent}")
    end: int = extent[1]
    return end


def _label_is_reference(src: str, start: int, label_end: int, end: int) -> bool:
    """True when the link text must stay as written: a footnote label ``[^1]``, or a
    shortcut/collapsed reference whose text is the key to its definition."""
    return src.startswith("^", start) or src[label_end + 1 : end] in ("", "[]")


def _skip_break(src: str, pos: int, limit: int) -> int:
    """Skip a soft/hard break: trailing spaces, optional backslash, newline, indentation."""
    while pos < limit and src[pos] == " ":
        pos += 1
    if pos < limit and src[pos] == "\\":
        pos += 1
    if pos >= limit or src[pos] != "\n":
        raise Mismatch(f"expected a line break at {pos}")
    pos += 1
    while pos < limit and src[pos] in " \t":
        pos += 1
    return pos


def carve(runs: list[Run], literals: list[tuple[int, int]]) -> Iterator[Run]:
    """Runs minus the (sorted, non-overlapping) literal ranges."""
    j = 0
    for run in runs:
        start = run.start
        while j < len(literals) and literals[j][1] <= start:
            j += 1
        k = j
        while k < len(literals) and literals[k][0] < run.end:
            lit_start, lit_end = literals[k]
            if lit_start > start:
                yield Run(start, lit_start, run.kind)
            start = max(start, lit_end)
            k += 1
        if start < run.end:
            yield Run(start, run.end, run.kind)


def merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def merge_runs(runs: list[Run]) -> list[Run]:
    """Join touching runs of the same kind (e.g. text around an unmatched ``*``)."""
    merged: list[Run] = []
    for run in runs:
        if merged and merged[-1].end == run.start and merged[-1].kind == run.kind:
            merged[-1].end = run.end
        else:
            merged.append(run)
    return merged
