"""Text to pieces and back for an Argos package: SentencePiece, or Moses tokens split by BPE.

The package decides (argostranslate's order): ``sentencepiece.model`` if present, else
``bpe.model``. Output pieces are turned back into text here, not by the tokenizer library:
a converted OPUS-MT package ships only the *source* SentencePiece model, while the
CTranslate2 model writes pieces from its own (joint) target vocabulary, which
``SentencePieceProcessor.decode`` hands back raw, ``▁`` and all.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bilingo.errors import ModelError

#: Tokens that never stand for text; ``<unk>`` is left only where replace_unknowns had no
#: source token to put back.
CONTROL_TOKENS = frozenset({"<s>", "</s>", "<pad>", "<unk>"})
#: SentencePiece's byte-fallback pieces, one UTF-8 byte each.
_BYTE_PIECE = re.compile(r"<0x([0-9A-Fa-f]{2})>")
#: SentencePiece's word boundary, U+2581.
SPACE_PIECE = "\u2581"
#: Whitespace a copied run never keeps between its tokens (:func:`_as_in_source`): the
#: line breaks of ``str.splitlines`` and the tab.
_NOT_SPACING = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029")
#: Files a package may tokenize with, in the order argostranslate looks for them.
TOKENIZER_FILES = ("sentencepiece.model", "bpe.model")


def pieces_to_text(pieces: Sequence[str]) -> str:
    """Target pieces to text by the SentencePiece convention, for any target vocabulary.

    ``▁`` is a space and the one leading space is dropped; byte pieces become their bytes
    (decoded as UTF-8, a broken sequence as U+FFFD, as SentencePiece does); control tokens
    go. Every other character, underscores included, stays as the model wrote it.
    """
    kept = [piece for piece in pieces if piece not in CONTROL_TOKENS]
    text = "".join(kept)
    if "<0x" in text:  # byte pieces are rare: only then piece by piece
        data = bytearray()
        for piece in kept:
            byte = _BYTE_PIECE.fullmatch(piece)
            data += bytes([int(byte.group(1), 16)]) if byte else piece.encode("utf-8")
        text = data.decode("utf-8", errors="replace")
    text = text.replace(SPACE_PIECE, " ")
    return text[1:] if text.startswith(" ") else text


class Tokenizer(Protocol):
    """Splits source text into the model's pieces and joins target pieces into text."""

    @property
    def kind(self) -> str:
        """``sentencepiece`` or ``bpe``: shown by ``bilingo models list``."""
        ...

    def encode(self, texts: Sequence[str]) -> list[list[str]]: ...

    def decode(self, pieces: Sequence[str]) -> str: ...

    def encode_spans(self, text: str) -> Encoded:
        """``text``'s pieces (as :meth:`encode`) and where they come from in ``text``."""
        ...

    def decode_spans(
        self, pieces: Sequence[str], source: Encoded | None = None, source_text: str = ""
    ) -> tuple[str, tuple[Span, ...]]:
        """The text of ``pieces`` and each piece's range in it (empty: unknown), a run the
        model copied from ``source`` (encoded from ``source_text``) written as it is there."""
        ...


class SentencePieceTokenizer:
    """``sentencepiece.model``: encodes with SentencePiece, decodes with :func:`pieces_to_text`."""

    kind = "sentencepiece"

    def __init__(self, path: Path) -> None:
        import sentencepiece

        self.path = path
        self.processor: Any = sentencepiece.SentencePieceProcessor(model_file=str(path))

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        pieces: list[list[str]] = self.processor.encode(list(texts), out_type=str)
        return pieces

    def decode(self, pieces: Sequence[str]) -> str:
        return pieces_to_text(pieces)

    def encode_spans(self, text: str) -> Encoded:
        """``text``'s pieces with SentencePiece's own offsets into ``text`` as written (its
        normaliser reads "…" as "...", a no-break space as a space), and, for copied runs,
        each piece's range without the whitespace before it (its ``▁``): none where the
        pieces read as the text (most sentences), as a copied run is then written as it is
        (and the ranges are the pieces' own, as an output's)."""
        # One text, not a list of one: SentencePiece starts its thread pool for a list.
        pieces: list[str] = self.processor.encode(text, out_type=str)
        if pieces_to_text(pieces) == text:
            plain = _sentencepiece_ranges(pieces)[1]
            if plain:
                return Encoded(tuple(pieces), plain, (), ())
        return self._traced(text)

    def _traced(self, text: str) -> Encoded:
        """:meth:`encode_spans` from SentencePiece's offsets (its ``proto`` output)."""
        proto = self.processor.encode(text, out_type="proto")
        chars = _byte_to_char(text)
        ranges = tuple((chars[p.begin], chars[p.end]) for p in proto.pieces)
        pieces = tuple(p.piece for p in proto.pieces)
        bare = tuple((b - len(text[a:b].lstrip()), b) for a, b in ranges)
        # A piece can end inside a character ("……" is "...." then ".."): its cluster then
        # runs on until its text reads as its pieces (as SentencePiece normalises it).
        joined = [False] * len(pieces)
        start = 0
        for i in range(len(pieces) - 1):
            if bare[i][0] == bare[i][1]:
                continue  # in the next one's cluster anyway
            written = text[bare[start][0] : bare[i][1]]
            read = "".join(pieces[start : i + 1]).removeprefix(SPACE_PIECE)
            joined[i] = written != read.replace(SPACE_PIECE, " ") and read != (
                self.processor.normalize(written).removeprefix(SPACE_PIECE)
            )
            if not joined[i]:
                start = i + 1
        return Encoded(pieces, ranges, pieces, bare, tuple(joined))

    def decode_spans(
        self, pieces: Sequence[str], source: Encoded | None = None, source_text: str = ""
    ) -> tuple[str, tuple[Span, ...]]:
        """The text of ``pieces`` (as :meth:`decode`) and each piece's range in it, its space
        included (empty where byte pieces make them unknown); each run of two or more pieces
        that is a run of the source's pieces (``source``, encoded from ``source_text``) is
        written as the source has it (:func:`_as_in_source`), so "…", a no-break space,
        ligatures and full-width characters come back byte for byte where the pieces alone
        hold what NFKC made of them. The same pieces: only the spacing and the normalised
        characters follow the source. A run's pieces that are one character of the source
        ("…" read as ".." ".") each span it."""
        text, ranges = _sentencepiece_ranges(pieces)
        if not ranges or source is None or not source.word_ranges:
            return text, ranges
        bare = [(b - len(text[a:b].lstrip()), b) for a, b in ranges]
        text, spans = _as_in_source(text, pieces, bare, source, source_text)
        out: list[Span] = []
        end = 0
        for a, b in spans:  # from the end of the piece before, as _sentencepiece_ranges
            out.append((min(a, end), b))
            end = b
        return text, tuple(out)

    def vocabulary(self) -> list[str]:
        """Every piece SentencePiece can produce (its control pieces included)."""
        return [self.processor.id_to_piece(i) for i in range(self.processor.get_piece_size())]


class BpeTokenizer:
    """``bpe.model``: Moses punctuation normalisation and tokenization, then subword BPE
    (``@@ `` joins), as argostranslate's ``BPETokenizer`` does, with sacremoses and
    argostranslate's own ``apply_bpe``.

    Unlike argostranslate, URLs, e-mail addresses and ``snake_case`` words are kept whole
    (Moses' protected patterns): its tokenizer would otherwise split them at every ``/``,
    ``:`` and ``_``, and its detokenizer would leave them spaced out.
    """

    kind = "bpe"

    def __init__(self, path: Path, from_code: str, to_code: str) -> None:
        from argostranslate.apply_bpe import BPE
        from sacremoses import MosesDetokenizer, MosesPunctNormalizer, MosesTokenizer

        self.path = path
        self._normalizer = MosesPunctNormalizer(from_code)
        self._tokenizer = MosesTokenizer(from_code)
        self._detokenizer = MosesDetokenizer(to_code)
        self._protected = [*self._tokenizer.WEB_PROTECTED_PATTERNS, r"\w+(?:_\w+)+"]
        #: The normaliser's substitutions, compiled, each with whether it refers to groups.
        self._steps = [
            (re.compile(pattern), template, "\\" in template)
            for pattern, template in self._normalizer.substitutions
        ]
        codes = path.read_text(encoding="utf-8")
        # apply_bpe prints to stderr and exits on a malformed line: check first, say where.
        for number, line in enumerate(codes.splitlines(), 1):
            if number == 1 and line.startswith("#version:"):
                continue
            if len(line.strip("\r\n ").split(" ")) != 2:
                raise ValueError(f"bpe.model line {number} is not a merge of two subword units")
        self._bpe = BPE(io.StringIO(codes))

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        return [
            self._bpe.segment_tokens([self._escape(w) for w in self._words(text)]) for text in texts
        ]

    def _words(self, text: str, normalised: str | None = None) -> list[str]:
        """Moses tokens of ``text`` (``normalised`` first, unless given), unescaped:
        substrings of the normalised text. Escaped one by one (:meth:`_escape`), as Moses'
        escaping is a character substitution; argostranslate's tokens are the same."""
        if normalised is None:
            normalised = self._normalizer.normalize(text)
        words: list[str] = self._tokenizer.tokenize(
            normalised, escape=False, protected_patterns=self._protected
        )
        return words

    def _escape(self, word: str) -> str:
        escaped: str = self._tokenizer.escape_xml(word)
        return escaped

    def encode_spans(self, text: str) -> Encoded:
        """``text``'s pieces (as :meth:`encode`), with their character ranges in ``text``:
        each Moses token found, in order, in the normalised text, whose characters are
        traced back through every normalising substitution; a token's BPE pieces split its
        range where it is written as in ``text``, else share it. No ranges where a token is
        not found (the tokenizer dropped or changed a character)."""
        traced = self._normalize_traced(text)
        words = self._words(text, traced[0] if traced is not None else None)
        escaped = [self._escape(w) for w in words]
        split = [self._bpe.segment_tokens([w]) for w in escaped]
        pieces = tuple(p for group in split for p in group)
        if traced is None:
            return Encoded(pieces, (), tuple(escaped), ())
        normal, origin = traced
        word_ranges: list[Span] = []
        cursor = 0
        for word in words:
            at = normal.find(word, cursor)
            if at < 0 or normal[cursor:at].strip() or not word:
                return Encoded(pieces, (), tuple(escaped), ())
            spans = origin[at : at + len(word)]
            word_ranges.append((min(a for a, _ in spans), max(b for _, b in spans)))
            cursor = at + len(word)
        ranges: list[Span] = []
        for group, word, span in zip(split, escaped, word_ranges, strict=True):
            ranges += _piece_ranges(group, span, text[span[0] : span[1]] == word)
        return Encoded(pieces, tuple(ranges), tuple(escaped), tuple(word_ranges))

    def _normalize_traced(self, text: str) -> tuple[str, list[Span]] | None:
        """Moses' punctuation normalisation of ``text``, and for each of its characters
        the range of ``text`` it comes from: each substitution's replacement keeps the
        origins of what it shares with the match at either end ("5 %" -> "5%"), and
        the rest of it comes from the rest of the match. None if the result differs from
        the normaliser's own (a version with other steps)."""
        current = text
        origin: list[Span] = [(i, i + 1) for i in range(len(text))]
        for pattern, template, grouped in self._steps:
            out: list[str] = []
            traced: list[Span] = []
            last = 0
            for match in pattern.finditer(current):
                new, old = match.expand(template) if grouped else template, match.group()
                if new == old:  # most matches of " +" -> " "
                    continue
                a, b = match.span()
                out.append(current[last:a])
                traced += origin[last:a]
                head = 0
                while head < min(len(new), len(old)) and new[head] == old[head]:
                    head += 1
                tail = 0
                while tail < min(len(new), len(old)) - head and new[-1 - tail] == old[-1 - tail]:
                    tail += 1
                middle = origin[a + head : b - tail]
                if middle:
                    rest = (middle[0][0], middle[-1][1])
                else:
                    at = origin[a + head][0] if a + head < len(origin) else len(text)
                    rest = (at, at)
                traced += origin[a : a + head]
                traced += [rest] * (len(new) - head - tail)
                traced += origin[b - tail : b]
                out.append(new)
                last = b
            if out:
                out.append(current[last:])
                traced += origin[last:]
                current, origin = "".join(out), traced
        lead = len(current) - len(current.lstrip())
        stripped = current.strip()
        if stripped != self._normalizer.normalize(text):
            return None
        return stripped, origin[lead : lead + len(stripped)]

    def decode(self, pieces: Sequence[str]) -> str:
        words = " ".join(p for p in pieces if p not in CONTROL_TOKENS).replace("@@ ", "")
        text: str = self._detokenizer.detokenize(words.split())
        return text

    def decode_spans(
        self, pieces: Sequence[str], source: Encoded | None = None, source_text: str = ""
    ) -> tuple[str, tuple[Span, ...]]:
        """The text of ``pieces`` (as :meth:`decode`) and each piece's character range in
        it (empty where they cannot be traced), written like the source where the model
        copied it: each run of two or more output tokens that is a run of the source's
        tokens (``source``, encoded from ``source_text``) is written as the source writes
        it, so ``H&M``, ``20 %`` and «quotes» come back byte for byte, where Moses'
        detokenizer would write ``H & M``, ``20%`` and "quotes". The same tokens: only the
        spacing and the normalised characters follow the source."""
        owner: list[int | None] = []
        words: list[str] = []
        current = ""
        for piece in pieces:
            if piece in CONTROL_TOKENS:
                owner.append(None)
                continue
            joined = piece.endswith("@@")
            current += piece[:-2] if joined else piece
            owner.append(len(words) if current or joined else None)
            if not joined and current:
                words.append(current)
                current = ""
        if current:
            words.append(current + "@@")  # as decode leaves it
        text = self.decode(pieces)
        spans: list[Span] = []
        cursor = 0
        for word in words:
            plain = self._detokenizer.unescape_xml(word)
            at = text.find(plain, cursor)
            if at < 0 or text[cursor:at].strip():
                return text, ()
            spans.append((at, at + len(plain)))
            cursor = at + len(plain)
        if source is not None and source.word_ranges:
            text, spans = _as_in_source(text, words, spans, source, source_text)
        groups: list[list[str]] = [[] for _ in words]
        for piece, k in zip(pieces, owner, strict=True):
            if k is not None:
                groups[k].append(piece)
        within = [
            iter(_piece_ranges(group, span, text[span[0] : span[1]] == word))
            for group, span, word in zip(groups, spans, words, strict=True)
        ]
        ranges: list[Span] = []
        end = 0
        for k in owner:
            ranges.append((end, end) if k is None else next(within[k]))
            end = ranges[-1][1]
        return text, tuple(ranges)


Span = tuple[int, int]


@dataclass(frozen=True)
class Encoded:
    """A text's pieces (:meth:`Tokenizer.encode_spans`) and where they come from."""

    pieces: tuple[str, ...]
    #: Each piece's character range in the text; empty where they could not be traced.
    ranges: tuple[Span, ...]
    #: What a copied run is matched by (:func:`_as_in_source`), with the ranges it is
    #: written from (or empty): the Moses tokens (escaped, as the model reads them) of a
    #: BPE text; a SentencePiece text's pieces, each without the whitespace before it.
    words: tuple[str, ...]
    word_ranges: tuple[Span, ...]
    #: For each word, whether the next is in its cluster (:func:`_as_in_source`) even
    #: where their ranges do not say so; empty: nowhere.
    joined: tuple[bool, ...] = ()


def _piece_ranges(group: Sequence[str], span: Span, exact: bool) -> list[Span]:
    """Ranges of one token's BPE pieces within its range ``span``: split by their lengths
    where the token is written there as it is read (``exact``), else each the whole."""
    if not exact:
        return [span] * len(group)
    out: list[Span] = []
    start = span[0]
    for piece in group:
        end = min(span[1], start + len(piece) - (2 if piece.endswith("@@") else 0))
        out.append((start, end))
        start = end
    return out


def _as_in_source(
    text: str, words: Sequence[str], spans: Sequence[Span], source: Encoded, source_text: str
) -> tuple[str, list[Span]]:
    """``text`` with each run of two or more of its tokens (``words`` at ``spans``, Moses
    tokens or SentencePiece pieces) that the source holds in a row (or the whole output,
    when it is the whole source) written as the source has it, between tokens one space
    where the source has two or more whitespace characters, a line break or a tab (one
    kept as it is: a no-break space), and the tokens' spans.

    Tokens whose source ranges overlap (the normaliser moved one past another: English
    ``".`` is read as ``. "``), or a token with an empty range and the one after it (what
    NFKC made of one character: "…" is ".." then "."), or ones the source says are
    (:attr:`Encoded.joined`), are one cluster: a run holds all of
    it or none, and it is written once, each of its tokens spanning it (where the
    source writes it otherwise than the output)."""
    src, where = source.words, source.word_ranges
    told = {i for i, join in enumerate(source.joined) if join}
    starts: dict[str, list[int]] = {}
    for i, word in enumerate(src):
        starts.setdefault(word, []).append(i)
    # joined[i]: source token i + 1 is in token i's cluster.
    joined = [
        where[i + 1][0] < where[i][1] or where[i][0] == where[i][1] or i in told
        for i in range(len(src) - 1)
    ] + [False]

    def gap(i: int) -> str | None:  # the source between tokens i and i + 1, if spacing
        if joined[i]:
            return ""
        between = source_text[where[i][1] : where[i + 1][0]]
        if between.strip():
            return None
        # One space character as it is (no-break, narrow, ideographic); else one space.
        return between if len(between) < 2 and between not in _NOT_SPACING else " "

    out: list[str] = []
    size = 0  # characters written to ``out``
    new: list[Span] = []
    done = 0  # characters of ``text`` written
    j = 0
    while j < len(words):
        best, length = -1, 0
        for i in starts.get(words[j], ()):
            if i and joined[i - 1]:
                continue  # inside a cluster
            k = 1
            while (
                j + k < len(words)
                and i + k < len(src)
                and src[i + k] == words[j + k]
                and gap(i + k - 1) is not None
            ):
                k += 1
            while k and joined[i + k - 1]:
                k -= 1  # end with a whole cluster
            if k > length:
                best, length = i, k
        whole = length == len(words) == len(src)
        if length < 2 and not whole:
            a, b = spans[j]
            out.append(text[done:b])
            size += b - done
            new.append((size - (b - a), size))
            done = b
            j += 1
            continue
        out.append(text[done : spans[j][0]])
        size += spans[j][0] - done
        k = 0
        while k < length:
            first = k
            while joined[best + k]:
                k += 1
            a, b = where[best + first][0], where[best + k][1]
            c, d = spans[j + first][0], spans[j + k][1]
            out.append(source_text[a:b])
            if source_text[a:b] == text[c:d]:  # as the model wrote it: the tokens' own spans
                new += [(s - c + size, e - c + size) for s, e in spans[j + first : j + k + 1]]
            else:
                new += [(size, size + b - a)] * (k - first + 1)
            size += b - a
            if k < length - 1:
                space = gap(best + k) or ""
                out.append(space)
                size += len(space)
            k += 1
        done = spans[j + length - 1][1]
        j += length
    out.append(text[done:])
    return "".join(out), new


def _sentencepiece_ranges(hypothesis: Sequence[str]) -> tuple[str, tuple[Span, ...]]:
    """SentencePiece output pieces' text (:func:`pieces_to_text`) and each piece's range:
    decoding is the pieces joined, "▁" as a space, the first space dropped; anything else
    (e.g. byte pieces) leaves the ranges unknown (empty)."""
    text = pieces_to_text(hypothesis)
    ends: list[int] = []
    joined = ""
    for piece in hypothesis:
        joined += piece.replace("\u2581", " ")
        ends.append(len(joined))
    lead = 1 if joined.startswith(" ") else 0
    if joined[lead:] != text:  # a space piece first: decoding drops every leading space
        lead = len(joined) - len(joined.lstrip(" "))
    if joined[lead:] != text:
        return text, ()
    ranges: list[Span] = []
    start = 0
    for end in ends:
        ranges.append((max(0, start - lead), max(0, end - lead)))
        start = end
    return text, tuple(ranges)


def _byte_to_char(text: str) -> list[int]:
    """Character offset of each UTF-8 byte offset of ``text`` (and of its end)."""
    if text.isascii():
        return list(range(len(text) + 1))
    out: list[int] = []
    for i, ch in enumerate(text):
        out.extend([i] * len(ch.encode("utf-8")))
    out.append(len(text))
    return out


def open_tokenizer(package_path: Path, from_code: str, to_code: str) -> Tokenizer:
    """The package's tokenizer, or a ModelError saying which files were looked for."""
    sp_path = package_path / "sentencepiece.model"
    if sp_path.is_file():
        return SentencePieceTokenizer(sp_path)
    bpe_path = package_path / "bpe.model"
    if bpe_path.is_file():
        return BpeTokenizer(bpe_path, from_code, to_code)
    raise ModelError(f"has no tokenizer ({' or '.join(TOKENIZER_FILES)})")


def tokenizer_file(package_path: Path) -> Path | None:
    """The file :func:`open_tokenizer` would read, or None."""
    for name in TOKENIZER_FILES:
        if (package_path / name).is_file():
            return package_path / name
    return None
