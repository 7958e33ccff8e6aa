"""Markdown dialects: each one module behind :class:`Dialect`, registered in :data:`REGISTRY`.

A dialect declares what it adds to CommonMark, in the shape of mdformat's
``ParserExtensionInterface``: its markdown-it plugins and rules (:meth:`Dialect.update_mdit`),
which tokens are prose (``annotators`` give an inline token a source map; everything else is
literal) and which literal spans sit inside prose (``literals``, ``finders``), and how its
constructs nest (``containers``). The parser, the segmenter and the structure check read
only this interface, so adding a dialect is one new module here and one name in
:data:`REGISTRY`.

Bodies are read with every registered dialect by default: each construct is plain text or a
syntax error in the others, so recognising it everywhere costs at most a few words kept
literal, and one reading keeps the block hashes, checks and masks of every stage in
agreement. :func:`dialects_for` names the ones a site's kind writes, for a caller that
wants only those.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # only for the interface's types: naming a site's dialects loads no parser
    from markdown_it import MarkdownIt

    from bilingo.document.sourcemap import Annotator

#: Dialect modules of this package, in the order their rules are added. CommonMark first:
#: the others extend its parser.
REGISTRY = ("commonmark", "hugo", "mkdocs", "jekyll", "zola")

#: Each registered module's :attr:`Dialect.kinds`, written out so that naming a site's
#: dialects (:func:`dialects_for`, every command's settings) imports none of them and no
#: markdown-it; a test holds it to the modules. A module registered without a line here
#: is imported for its kinds.
KINDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("commonmark", frozenset({"bilingo", "hugo", "mkdocs", "plain", "commonmark"})),
    ("hugo", frozenset({"hugo"})),
    ("mkdocs", frozenset({"mkdocs"})),
    ("jekyll", frozenset({"jekyll"})),
    ("zola", frozenset({"zola"})),
)

#: Finds literal spans in an inline token's whole content: (start, end) content offsets.
#: Only spans starting inside a text run are kept.
LiteralFinder = Callable[[str], Iterable[tuple[int, int]]]


@dataclass(frozen=True)
class LiteralPattern:
    """A literal construct inside prose, as a verbose regular expression matched on an inline
    token's whole content (all of a dialect set's patterns form one alternation, in order)."""

    name: str  # the alternation's group name (unique across dialects)
    pattern: str
    #: An address (URL, e-mail): trailing punctuation is not part of it (GFM), and it counts
    #: when it merely ends in prose (its first letter may be an escape: ``\post@ex.no``).
    address: bool = False
    #: Substrings of which a text must hold one for the pattern to match in it (none: it is
    #: always tried); the others' alternation is matched without it.
    triggers: tuple[str, ...] = ()


@runtime_checkable
class Dialect(Protocol):
    """What a Markdown dialect adds to the parser and to what is prose."""

    #: The name in :data:`REGISTRY` and in a site's ``dialect`` setting.
    name: str
    #: Site kinds (``bilingo site``'s kind, or ``dialect`` setting) whose pages use it.
    kinds: frozenset[str]
    #: Nesting: the token type opening each container construct -> the container's name, as
    #: :attr:`bilingo.document.Block.containers` lists them (its ``_close`` token ends it).
    containers: Mapping[str, str]
    #: Prose: block rule name -> the annotator marking the inline tokens that rule pushed.
    annotators: Mapping[str, Annotator]
    #: Literal spans inside prose, as patterns and as functions.
    literals: Sequence[LiteralPattern]
    finders: Sequence[LiteralFinder]
    #: Substrings without which none of ``literals``/``finders`` can match (a cheap scan).
    triggers: Sequence[str]

    def update_mdit(self, md: MarkdownIt) -> None:
        """Add the dialect's plugins and rules to ``md`` (idempotent where shared)."""


def block_triggers(dialect: Dialect) -> Mapping[str, tuple[str, ...]]:
    """A dialect's optional ``block_triggers``: block rule name -> substrings of which a
    body must hold one for the rule ever to match in it (the segmenter's parser leaves
    the rule out of a body that holds none: one Python call fewer at every line). Not
    part of :class:`Dialect`: a dialect that declares none keeps all its rules."""
    triggers: Mapping[str, tuple[str, ...]] = getattr(dialect, "block_triggers", {})
    return triggers


class UnknownDialect(ValueError):
    """A dialect name that is not in :data:`REGISTRY`."""


@functools.cache
def load(name: str) -> Dialect:
    """The registered dialect ``name``: its module's ``DIALECT``."""
    if name not in REGISTRY:
        raise UnknownDialect(f"unknown Markdown dialect {name!r}; known: {', '.join(REGISTRY)}")
    dialect = importlib.import_module(f"{__name__}.{name}").DIALECT
    if not isinstance(dialect, Dialect):  # pragma: no cover - a new module's mistake
        raise TypeError(f"{__name__}.{name}.DIALECT does not implement Dialect")
    return dialect


def resolve(names: Sequence[str] | None = None) -> tuple[Dialect, ...]:
    """The dialects to read bodies with: ``names`` (CommonMark always first), else all."""
    chosen = REGISTRY if names is None else ("commonmark", *(n for n in names if n != "commonmark"))
    return tuple(load(name) for name in dict.fromkeys(chosen))


def dialects_for(kind: str) -> tuple[str, ...]:
    """The names of the dialects a site of ``kind`` writes (CommonMark always)."""
    kinds = dict(KINDS)
    return tuple(
        name
        for name in REGISTRY
        if name == "commonmark" or kind in (kinds[name] if name in kinds else load(name).kinds)
    )
