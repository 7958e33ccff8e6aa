"""The Markdown parsers: CommonMark extended by the chosen dialects
(:mod:`bilingo.document.dialects`), plain or with source maps for segmenting."""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from markdown_it import MarkdownIt, rules_block
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

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
#: markdown-it's own inline rules -> the characters of which a text must hold one for the
#: rule ever to match in it (each rule's first test, markdown-it-py's code; an image needs
#: the bracket of its ``![``). ``text`` takes every other run of characters.
_INLINE_TRIGGERS: Mapping[str, str] = {
    "text": "",
    "newline": "\n",
    "escape": "\\",
    "backticks": "`",
    "strikethrough": "~",
    "emphasis": "*_",
    "link": "[",
    "image": "[",
    "autolink": "<",
    "html_inline": "<",
    "entity": "&",
}
#: markdown-it's own block rules -> the characters of which a line under four columns
#: indented must start with one (after its indentation) for the rule to match there: each
#: rule's first test, markdown-it-py's code; ``code`` never matches there. A rule not named
#: (``table``, ``lheading``, ``paragraph``, a dialect's) is tried at every line.
_BLOCK_OPENERS: Mapping[Callable[..., Any], str] = {
    rules_block.code: "",
    rules_block.fence: "`~",
    rules_block.blockquote: ">",
    rules_block.hr: "*-_",
    rules_block.list_block: "*-+0123456789",
    rules_block.reference: "[",
    rules_block.html_block: "<",
    rules_block.heading: "#",
}
#: Their post-processing rules: each a no-op on a lone text token and soft breaks.
_INLINE_POST = frozenset({"balance_pairs", "strikethrough", "emphasis", "fragments_join"})
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
    triggers = inline_triggers(md)
    if triggers is not None:
        md.core.ruler.at("inline", _plain_first(triggers))
    md.block.tokenize = _by_first_character(md)  # type: ignore[method-assign,assignment]
    return md


BlockRules = tuple[list[Any], dict[str, list[Any]]]


def _rules_by_character(rules: Sequence[Any]) -> BlockRules:
    """``rules`` (in order) to try at a line under four columns indented: those that can
    match at any line, and by a line's first character, those and the rules it opens."""
    opens = [_BLOCK_OPENERS.get(inspect.unwrap(rule)) for rule in rules]
    anywhere = [rule for rule, chars in zip(rules, opens, strict=True) if chars is None]
    chars = {c for each in opens if each for c in each}
    by_character = {
        c: [rule for rule, each in zip(rules, opens, strict=True) if each is None or c in each]
        for c in chars
    }
    return anywhere, by_character


def _by_first_character(md: MarkdownIt) -> Callable[[StateBlock, int, int], None]:
    """markdown-it's block ``tokenize`` (markdown-it-py's loop, its errors), trying at each
    line only the rules that can match there (:data:`_BLOCK_OPENERS`): the others each
    return False at their first test, so the tokens are the same; a paragraph's line is
    not offered to eight rules that cannot take it."""
    ruler = md.block.ruler
    made: list[tuple[list[Any], BlockRules]] = []  # for the rules list they were made of

    def tokenize(state: StateBlock, startLine: int, endLine: int) -> None:
        rules = ruler.getRules("")
        if not made or made[0][0] is not rules:  # a new list whenever the rules change
            made[:] = [(rules, _rules_by_character(rules))]
        anywhere, by_character = made[0][1]
        line = startLine
        maxNesting = state.md.options.maxNesting
        hasEmptyLines = False
        while line < endLine:
            state.line = line = state.skipEmptyLines(line)
            if line >= endLine:
                break
            if state.sCount[line] < state.blkIndent:
                break
            if state.level >= maxNesting:
                state.line = endLine
                break
            if state.sCount[line] - state.blkIndent >= 4:
                chosen = rules
            else:  # a line skipEmptyLines stopped at holds a character there
                first = state.src[state.bMarks[line] + state.tShift[line]]
                chosen = by_character.get(first, anywhere)
            ok = False
            for rule in chosen:
                ok = rule(state, line, endLine, False)
                if ok:
                    if state.line <= line:
                        raise RuntimeError("block rule didn't increment state.line")
                    break
            if not ok:
                raise RuntimeError("none of the block rules matched")
            state.tight = not hasEmptyLines
            line = state.line
            if (line - 1) < endLine and state.isEmpty(line - 1):
                hasEmptyLines = True
            if line < endLine and state.isEmpty(line):
                hasEmptyLines = True
                line += 1
                state.line = line

    return tokenize


def inline_triggers(md: MarkdownIt) -> re.Pattern[str] | None:
    """What finds a character at which one of ``md``'s inline rules other than ``text``
    and ``newline`` can match; None where a rule it does not know is on (a dialect's
    plugin), or ``text`` is not the first: then every inline token is parsed."""
    rules = md.inline.ruler.get_active_rules()
    known = [r for r in rules if r in _INLINE_TRIGGERS]
    post = md.inline.ruler2.get_active_rules()
    if known != rules or rules[:1] != ["text"] or not set(post) <= _INLINE_POST:
        return None
    chars = sorted({c for r in rules for c in _INLINE_TRIGGERS[r] if c != "\n"})
    return re.compile("[" + re.escape("".join(chars)) + "]")


def _plain_first(triggers: re.Pattern[str]) -> Callable[[StateCore], None]:
    """markdown-it's core ``inline`` rule, with the content that holds none of ``triggers``
    (most paragraphs) tokenized as its inline parser would, without running it."""

    def inline(state: StateCore) -> None:
        md, env = state.md, state.env
        for token in state.tokens:
            if token.type != "inline":
                continue
            if token.children is None:
                token.children = []
            content = token.content
            if triggers.search(content) is None:
                token.children += plain_tokens(content)
            else:
                md.inline.parse(content, md, env, token.children)

    return inline


def plain_tokens(content: str) -> list[Token]:
    """The inline tokens of ``content`` that holds nothing but text and line breaks, as
    markdown-it's ``text`` and ``newline`` rules make them: a text token per line, without
    the spaces around each break; two spaces or more before it make it a hard one."""
    if "\n" not in content:
        return [Token("text", "", 0, content=content)] if content else []
    out: list[Token] = []
    lines = content.split("\n")
    last = len(lines) - 1
    for i, line in enumerate(lines):
        if i:
            line = line.lstrip(" \t")
        kind = "softbreak"
        if i < last and line.endswith(" "):
            kind = "hardbreak" if line.endswith("  ") else kind
            line = line.rstrip(" ") if kind == "hardbreak" else line[:-1]
        if line:
            out.append(Token("text", "", 0, content=line))
        if i < last:
            out.append(Token(kind, "br", 0))
    return out
