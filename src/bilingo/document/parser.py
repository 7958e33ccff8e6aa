"""The Markdown parsers: CommonMark extended by the chosen dialects
(:mod:`bilingo.document.dialects`), plain or with source maps for segmenting."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from markdown_it import MarkdownIt

from bilingo.document.dialects import Dialect, block_triggers, resolve
from bilingo.document.sourcemap import Annotator, record_extent, wrap

# Inline rules whose source extent cannot be read off their token: the wrapped rule stores
# (start, end) of what it consumed on the token it pushed. Each returns False at once
# unless the character at its position is the second one here (markdown-it-py's code).
_RECORDED = {
    "link": ("link_open", "["),
    "image": ("image", "!"),
    "autolink": ("link_open", "<"),
    "backticks": ("code_inline", "`"),
}
# No silent limit: markdown-it stops tokenizing at maxNesting, which would leave the rest
# of the body untranslated unnoticed; past Python's recursion limit we fail loudly instead.
_MAX_NESTING = 100_000


def dialect(names: Sequence[str] | None = None) -> MarkdownIt:
    """A new parser of bilingo's dialect: CommonMark extended by the dialects ``names`` (all
    registered ones by default: tables, strikethrough, definition lists, admonitions, content
    tabs, shortcodes, abbreviations, …)."""
    return _build(resolve(names))


def _build(dialects: tuple[Dialect, ...]) -> MarkdownIt:
    md = MarkdownIt("commonmark")
    for each in dialects:
        each.update_mdit(md)
    # A pure function of the URL that costs more than the rest of a link's parse (mdurl,
    # punycode); a site's pages repeat their links.
    md.normalizeLink = functools.lru_cache(maxsize=4096)(md.normalizeLink)  # type: ignore[method-assign]
    return md


@functools.cache
def markdown() -> MarkdownIt:
    """The plain parser of :func:`dialect` (no source maps), for links, references and text
    runs (``bilingo.detect``, ``bilingo.compare``); segmenting uses the same dialects."""
    return dialect()


def body_parser(dialects: tuple[Dialect, ...], src: str) -> MarkdownIt:
    """:func:`source_parser` for the (normalised) body ``src``: without the dialects' block
    rules whose triggers it does not hold (:func:`~bilingo.document.dialects.block_triggers`).
    Such a rule matches nowhere in it, so the tokens are the same; it is merely not tried at
    every line start and paragraph line."""
    absent = frozenset(
        rule for rule, triggers in _block_triggers(dialects) if not any(t in src for t in triggers)
    )
    return source_parser(dialects, absent)


@functools.cache
def _block_triggers(dialects: tuple[Dialect, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((rule, t) for each in dialects for rule, t in block_triggers(each).items())


@functools.lru_cache(maxsize=128)  # a parser per dialect set and rule subset (0.2 ms each)
def source_parser(
    dialects: tuple[Dialect, ...], absent: frozenset[str] = frozenset()
) -> MarkdownIt:
    """The parser that segments: every inline token of prose gets a source map. The block
    rules named in ``absent`` are off (:func:`body_parser`)."""
    md = _build(dialects)
    # commonmark's limit of 20 nested containers makes markdown-it stop tokenizing the
    # rest of the body, which would leave every later paragraph silently untranslated.
    md.options["maxNesting"] = _MAX_NESTING
    # We normalise ourselves (to map offsets back) and need escapes/entities as
    # separate tokens, so both core rules that rewrite text are off.
    md.core.ruler.disable(["normalize", "text_join"])
    annotators: dict[str, list[Annotator]] = {}
    for each in dialects:
        for rule_name, annotate in each.annotators.items():
            if annotate not in annotators.setdefault(rule_name, []):
                annotators[rule_name].append(annotate)
    ruler = md.block.ruler
    for rule in ruler.__rules__:  # the public Ruler.at() would drop the rule's alt chains
        if rule.name in annotators:
            fn = rule.fn
            for annotate in annotators[rule.name]:
                fn = wrap(fn, annotate)
            ruler.at(rule.name, fn, {"alt": list(rule.alt)})
    if absent:
        ruler.disable(sorted(absent))
    inline = md.inline.ruler
    for irule in inline.__rules__:
        if irule.name in _RECORDED:
            recording = record_extent(irule.fn, *_RECORDED[irule.name])
            inline.at(irule.name, recording, {"alt": list(irule.alt)})
    return md
