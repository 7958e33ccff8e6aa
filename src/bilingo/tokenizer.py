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
        codes = path.read_text(encoding="utf-8")
        # apply_bpe prints to stderr and exits on a malformed line: check first, say where.
        for number, line in enumerate(codes.splitlines(), 1):
            if number == 1 and line.startswith("#version:"):
                continue
            if len(line.strip("\r\n ").split(" ")) != 2:
                raise ValueError(f"bpe.model line {number} is not a merge of two subword units")
        self._bpe = BPE(io.StringIO(codes))

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        out: list[list[str]] = []
        for text in texts:
            words = self._tokenizer.tokenize(
                self._normalizer.normalize(text), protected_patterns=self._protected
            )
            out.append(self._bpe.segment_tokens(words))
        return out

    def decode(self, pieces: Sequence[str]) -> str:
        words = " ".join(p for p in pieces if p not in CONTROL_TOKENS).replace("@@ ", "")
        text: str = self._detokenizer.detokenize(words.split())
        return text


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
