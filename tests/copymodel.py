"""Offline Argos Translate "copy" models, built from numpy, for tests and benchmarks.

A copy model is a real ``.argosmodel`` package (a CTranslate2 Transformer plus a SentencePiece
model) whose weights are written by hand so that it returns its input unchanged.  Tests then run
the exact code path of a real model (package discovery, SentencePiece, CTranslate2, beam search,
``replace_unknowns``) with no network, no torch and no download, and every expected output is
known: it is the input.

How the Transformer copies (pre-norm, ReLU, no scaled embeddings):

* The model dimension is split: token code in ``[0:T)``, position code in ``[T:T+P)``.  Token
  codes are zero-mean random unit vectors, position codes ``[cos, sin, -cos, -sin](π/2^j·t)``,
  normalised, so two positions only match perfectly when they are equal.  Both are zero-mean, so
  every LayerNorm merely rescales.
* Encoder: embedding = token code + position code (a learned position table); every sublayer
  writes zero, so the memory at source position i is ``sqrt(D/2)·(token_i + pos_i)``.
* Decoder: target embeddings are zero, so its state at step t is just ``pos_t``.  In every layer
  and head the cross-attention queries and keys read only the position dimensions (scaled so the
  right source position wins by ≥ 30 logits) and the values carry the token code (``1/n_dec`` per
  layer).  After the last layer the state is ``pos_t + token_t``; the output projection holds the
  scaled token codes, so step t emits source token t.  The copy happens in every layer, including
  the last one, head 0, which is the one CTranslate2's ``replace_unknowns`` aligns with.
* ``add_source_eos`` puts ``</s>`` on the source, so the decoder copies it and stops.

Run ``python tests/copymodel.py --size base --out DIR`` to install benchmark-sized models.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import ctranslate2
import numpy as np
import sentencepiece as spm
from numpy.typing import NDArray

Size = Literal["small", "base"]
#: What the package is made of (see LAYOUTS): the real package shapes bilingo must run.
Layout = Literal["shared", "upper", "bpe", "prefix"]

#: What a copy model does with a source token it cannot read (``<unk>``): copy it back
#: (through CTranslate2's ``replace_unknowns``), or write a plain space instead.
Unknowns = Literal["copy", "space"]
#: The alignment head (head 0 of the last decoder layer: what ``return_attention`` gives and
#: ``replace_unknowns`` reads, as ``ct2-marian-converter`` records it for OPUS-MT models that
#: were never trained to align).  "trained": it copies like every other head.  "shifted": it
#: attends to the next source piece, "uniform": to every piece alike; both carry no value
#: (the other layers make up for it), so the text is unchanged but for ``<unk>``, which
#: ``replace_unknowns`` then fills with the wrong source piece, as a real untrained head does.
Head = Literal["trained", "shifted", "uniform"]
HEADS: tuple[Head, ...] = ("trained", "shifted", "uniform")
Matrix = NDArray[np.float32]

#: Appended to training text by the fixtures and the CLI: letters and punctuation that articles
#: may use but a small corpus may lack.  Characters missing from training still come back through
#: ``replace_unknowns``; these just get real pieces.
SAMPLE_TEXT = """\
Æ Ø Å æ ø å É é È è Ê ê Ó ó Ò ò Ô ô Ü ü Ö ö Ä ä
«Det var en gang» – sa hun – ’enkelt’ og “doble” sitater; ‘single’ too.
The quick brown fox jumps over the lazy dog. Blåbærsyltetøy på gærne måter!
0123456789 ! ? . , ; : ( ) [ ] { } # * _ - + = / \\ | @ & % $ € £ ^ ~ ` ' " < > — ° §
"""

ARGOS_VERSION = "1.9.0"
PACKAGE_VERSION = "1.9"
LANGUAGE_NAMES = {"nb": "Norwegian Bokmål", "en": "English"}

# Rows of the learned position table = longest source, in pieces, with </s>.  bilingo's engine
# passes max_input_length=0 (no truncation), so 1024 rows would raise on a paragraph that a real
# model translates; 2048 is the period of the codes, so every position still has its own code.
MAX_POSITIONS = 2048
POSITION_FREQUENCIES = 11  # j = 0..10: the slowest code, π/1024·t, repeats after 2048
POSITION_DIMS = 4 * POSITION_FREQUENCIES
ATTENTION_GAP = 40.0  # worst-case logit lead of the right source position (≥ 30 needed)
OUTPUT_LOGIT = 40.0  # logit of the right output token
OUTPUT_GAP = 32.0  # designed lead of the right token over the runner-up: ≥ 30 after int8
SEED = 20240607


@dataclass(frozen=True)
class ModelShape:
    """Architecture of one copy model size."""

    encoder_layers: int
    decoder_layers: int
    d_model: int
    heads: int
    ffn: int
    max_pieces: int  # cap on the SentencePiece vocabulary
    vocab: int  # CTranslate2 vocabulary, padded with dummy tokens; 0: exactly the pieces
    noise: float  # σ of the noise where a real model has weights (relative on the copy path)

    @property
    def token_dims(self) -> int:
        return self.d_model - POSITION_DIMS

    @property
    def head_dim(self) -> int:
        return self.d_model // self.heads


SHAPES: dict[str, ModelShape] = {
    # Tests: two layers each so the per-layer split of the copy is exercised; zero weights
    # collapse (CTranslate2 aliases identical arrays), leaving the package at about 1 MB.
    "small": ModelShape(2, 2, 256, 4, 256, max_pieces=4000, vocab=0, noise=0.0),
    # Benchmarks: the shape of real Argos models (Transformer base, int8, 32k vocabulary).  Noise
    # keeps all layers distinct so the file has a real model's size; σ=1e-2 would break the copy.
    "base": ModelShape(6, 6, 512, 8, 2048, max_pieces=32000, vocab=32000, noise=1e-3),
}


@dataclass(frozen=True)
class _ModelFiles:
    model_dir: Path
    tokenizer_file: Path  # sentencepiece.model, or bpe.model (layout "bpe")
    shape: ModelShape
    pieces: int
    layout: Layout = "shared"
    head: Head = "trained"
    first_capital: bool = False


# --------------------------------------------------------------------------- SentencePiece


def train_sentencepiece(training_text: str, max_pieces: int, symbols: Sequence[str] = ()) -> bytes:
    """Train a SentencePiece model like Argos' (nmt_nfkc, full coverage) and return its bytes.

    BPE rather than unigram: on a few kilobytes the unigram trainer prunes to ~300 pieces (2.4
    pieces a word, far longer sequences than real models); BPE keeps ~1.2 a word.
    """
    lines = [line for line in training_text.splitlines() if line.strip()]
    if not lines:
        raise ValueError("training_text is empty: give some text to train SentencePiece on")
    longest = max(len(line.encode("utf-8")) for line in lines)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        model_type="bpe",
        vocab_size=max_pieces,
        hard_vocab_limit=False,  # a small corpus cannot fill the vocabulary: take what it has
        character_coverage=1.0,  # æ ø å « » – ’ must be pieces, not <unk>
        normalization_rule_name="nmt_nfkc",
        max_sentence_length=max(4192, longest + 1),  # longer lines would be skipped silently
        num_threads=os.cpu_count() or 1,
        minloglevel=2,
        # Words that must be one piece each (the ``unsure`` words, see _flatten_unsure).
        user_defined_symbols=list(symbols),
    )
    return model.getvalue()


# --------------------------------------------------------------------------- weights


def position_codes(n: int = MAX_POSITIONS) -> Matrix:
    """``[cos, sin, -cos, -sin](π/2^j·t)`` for j < 11, unit norm and zero mean, shape (n, 44)."""
    angles = np.outer(np.arange(n), np.pi / 2.0 ** np.arange(POSITION_FREQUENCIES))
    codes = np.concatenate([np.cos(angles), np.sin(angles), -np.cos(angles), -np.sin(angles)], 1)
    codes /= np.linalg.norm(codes, axis=1, keepdims=True)
    return codes.astype(np.float32)


def token_codes(rng: np.random.Generator, n: int, dims: int) -> Matrix:
    """Zero-mean random unit vectors: nearly orthogonal, and LayerNorm only rescales them."""
    codes = rng.standard_normal((n, dims), dtype=np.float32)
    codes -= codes.mean(axis=1, keepdims=True)
    codes /= np.linalg.norm(codes, axis=1, keepdims=True)
    return codes


def max_off_diagonal(codes: Matrix, chunk: int = 512) -> float:
    """Largest cosine between two different rows (codes are unit vectors)."""
    worst = -1.0
    for start in range(0, len(codes), chunk):
        block = codes[start : start + chunk] @ codes.T
        rows = np.arange(len(block))
        block[rows, rows + start] = -1.0
        worst = max(worst, float(block.max()))
    return worst


class _Weights:
    """Draws weights: exact structure plus (for base) σ-noise where a real model has values."""

    def __init__(self, shape: ModelShape, seed: int) -> None:
        self.shape = shape
        self.rng = np.random.default_rng(seed)

    def noise(self, rows: int, cols: int, scale: float = 1.0) -> Matrix:
        """σ·scale noise.  Structured matrices pass their own scale: absolute σ=1e-3 next to
        the copy path's 0.01 output gain would swamp the token code after six layers."""
        if self.shape.noise == 0.0:
            return np.zeros((rows, cols), dtype=np.float32)
        out = self.rng.standard_normal((rows, cols), dtype=np.float32)
        out *= np.float32(self.shape.noise * scale)
        return out

    def set_layer_norm(self, layer_norm: Any) -> None:
        layer_norm.gamma = np.ones(self.shape.d_model, dtype=np.float32)
        layer_norm.beta = np.zeros(self.shape.d_model, dtype=np.float32)

    def set_idle_self_attention(self, attention: Any) -> None:
        """A self-attention sublayer that writes (almost) zero to the residual stream."""
        d = self.shape.d_model
        self.set_layer_norm(attention.layer_norm)
        attention.linear[0].weight = self.noise(3 * d, d)  # fused Q, K, V
        attention.linear[1].weight = self.noise(d, d)

    def set_idle_ffn(self, ffn: Any) -> None:
        d, f = self.shape.d_model, self.shape.ffn
        self.set_layer_norm(ffn.layer_norm)
        ffn.linear_0.weight = self.noise(f, d)
        ffn.linear_1.weight = self.noise(d, f)


def _copy_spec(
    pieces: list[str],
    shape: ModelShape,
    seed: int,
    *,
    outputs: Sequence[int] | None = None,
    add_source_bos: bool = False,
    unknowns: Unknowns = "copy",
    head: Head = "trained",
    first_capital: bool = False,
    unsure: Sequence[int] = (),
) -> Any:
    """The CTranslate2 spec (a ``TransformerSpec``) of a copy model over ``pieces``.

    ``outputs[i]`` is the index of the piece the model writes for source piece ``i`` (default:
    ``i``, a copy): source pieces then carry their output piece's code.  ``add_source_bos``
    puts ``<s>`` at source position 0, so output step 0 writes ``<s>`` (or the target prefix).
    ``unknowns="space"``: ``<unk>`` is written as a plain space (see :data:`Unknowns`).
    ``unsure``: pieces the model still copies, but with almost flat output probabilities.
    ``head``: see :data:`Head`.  ``first_capital``: the first piece of every output comes out
    capitalised, as real models write the first word of whatever they are given.
    """
    d, t, dh = shape.d_model, shape.token_dims, shape.head_dim
    first: dict[int, int] = {}
    if first_capital:
        pieces, first = _first_capital_pieces(pieces, outputs)
    if dh < POSITION_DIMS or t <= 0:
        raise ValueError(f"head dimension {dh} cannot hold the {POSITION_DIMS} position dims")
    vocab = max(shape.vocab, len(pieces))
    tokens = pieces + [f"<bilingo_pad_{i}>" for i in range(vocab - len(pieces))]
    weights = _Weights(shape, seed)
    n = len(pieces) - len(first)  # the first step's capitals are output rows only
    codes = token_codes(weights.rng, n, t)
    # A first-capital model's position dims interleaved (see _interleaved), the same codes.
    order = _interleaved() if first_capital else np.arange(POSITION_DIMS)
    positions = position_codes()[:, order]
    # The final decoder state, LayerNorm'd, is sqrt(D/2)·(pos_t + token_t).  Scale the codes so
    # the right token scores OUTPUT_LOGIT and the most similar other code trails by OUTPUT_GAP.
    worst_cosine = max_off_diagonal(codes)
    scale = max(OUTPUT_LOGIT, OUTPUT_GAP / (1.0 - worst_cosine)) / np.sqrt(d / 2.0)

    def scaled_codes(rows: Sequence[int] | None = None) -> Matrix:
        """Source embeddings and output projection alike (pad rows: noise).  Every LayerNorm
        removes the common scale, and when the two arrays are equal (no noise) CTranslate2
        stores them once, which halves the small model."""
        out = weights.noise(vocab, d)
        out[:n] = 0.0
        out[:n, :t] = (codes if rows is None else codes[list(rows)]) * np.float32(scale)
        return out

    spec = ctranslate2.specs.TransformerSpec.from_config(
        (shape.encoder_layers, shape.decoder_layers), shape.heads
    )
    spec.config.add_source_eos = True  # the decoder copies </s> too, or it never stops
    if add_source_bos:
        spec.config.add_source_bos = True
    spec.register_source_vocabulary(tokens)
    spec.register_target_vocabulary(tokens)

    # Encoder input scale·(token + position); its LayerNorm'd memory is sqrt(D/2)·(token + pos).
    table = np.zeros((MAX_POSITIONS, d), dtype=np.float32)
    table[:, t:] = positions * np.float32(scale)
    encoder = spec.encoder
    encoder.scale_embeddings = False
    encoder.embeddings[0].weight = scaled_codes(outputs)
    _flatten_unsure(encoder.embeddings[0].weight, unsure, t)
    encoder.position_encodings.encodings = table
    for layer in encoder.layer:
        weights.set_idle_self_attention(layer.self_attention)
        weights.set_idle_ffn(layer.ffn)
    weights.set_layer_norm(encoder.layer_norm)

    # Query·key logit = qk²·<pos_t, pos_i>·(sqrt(D)/|x|)·sqrt(D/2)/sqrt(dh), where x = pos_t plus at
    # most one token code (the decoder state over scale), so |x| ≤ sqrt(2).  Size qk so that the
    # closest wrong position (cosine 9/11, 1024 away) trails by ATTENTION_GAP.
    similarity = positions @ positions.T
    np.fill_diagonal(similarity, -1.0)
    coefficient = ATTENTION_GAP / (1.0 - float(similarity.max()))
    qk = np.sqrt(coefficient * 2.0 * np.sqrt(dh) / d)
    # Values read sqrt(D/2)·token from the memory; each layer adds scale·token/n to the state.
    value_scale = scale / (shape.decoder_layers * np.sqrt(d / 2.0))

    decoder = spec.decoder
    decoder.scale_embeddings = False
    decoder.embeddings.weight = weights.noise(vocab, d)  # zero: the state is the position alone
    decoder.position_encodings.encodings = table
    pos_rows = (np.arange(shape.heads)[:, None] * dh + np.arange(POSITION_DIMS)).ravel()
    pos_cols = np.tile(np.arange(t, d), shape.heads)
    token_dims = np.arange(t)
    # Head 0's share of the token code, carried by the other layers when the last one's
    # head 0 carries none.
    head0 = np.arange(dh) if head != "trained" else np.arange(0)
    head0_scale = value_scale * shape.decoder_layers / max(1, shape.decoder_layers - 1)
    for number, layer in enumerate(decoder.layer):
        last = number == len(decoder.layer) - 1
        weights.set_idle_self_attention(layer.self_attention)
        weights.set_idle_ffn(layer.ffn)
        cross = layer.attention
        weights.set_layer_norm(cross.layer_norm)
        query = weights.noise(d, d, qk)
        query[pos_rows, pos_cols] += qk  # every head: its first 44 dims = position code
        key_value = np.concatenate([weights.noise(d, d, qk), weights.noise(d, d)])
        key_value[pos_rows, pos_cols] += qk
        key_value[d + token_dims, token_dims] += 1.0  # values: heads slice the token code
        output = weights.noise(d, d, value_scale)
        output[token_dims, token_dims] += value_scale
        if last and head != "trained":
            block = _position_shift()[np.ix_(order, order)] if head == "shifted" else 0.0
            query[:POSITION_DIMS, t:] = np.float32(qk) * block
            key_value[d + head0, head0] = 0.0
            output[head0, head0] = 0.0
        elif len(head0):
            output[head0, head0] = head0_scale
        cross.linear[0].weight = query
        cross.linear[1].weight = key_value  # fused K, V
        cross.linear[2].weight = output
    weights.set_layer_norm(decoder.layer_norm)

    projection = scaled_codes()
    if unknowns == "space":
        _unknown_to_space(projection, pieces)
    if first:
        step = 1 if add_source_bos else 0  # after <s> or the target prefix
        decoder.projection.bias = _first_step_rows(projection, first, positions, step, d)
    decoder.projection.weight = projection
    return spec


#: How much of its token code an unsure piece keeps on the source side: the decoder state
#: then holds that fraction of it, every output logit shrinks with it, and the right piece
#: still wins by a little: a copy written with a log-probability of about -7.
UNSURE_CODE_SCALE = 0.01


def _flatten_unsure(embeddings: Matrix, unsure: Sequence[int], token_dims: int) -> None:
    """Shrink the token code of each ``unsure`` source piece (see :data:`UNSURE_CODE_SCALE`)."""
    for index in unsure:
        embeddings[index, :token_dims] *= np.float32(UNSURE_CODE_SCALE)


def _position_shift() -> Matrix:
    """R with ``R @ position_codes()[i] == position_codes()[i + 1]``: each frequency's
    (cos, sin) pair, and its negation, turned by one step."""
    rotation = np.zeros((POSITION_DIMS, POSITION_DIMS), dtype=np.float32)
    f = POSITION_FREQUENCIES
    for j in range(f):
        c, s = np.cos(np.pi / 2.0**j), np.sin(np.pi / 2.0**j)
        for a, b in ((j, f + j), (2 * f + j, 3 * f + j)):
            rotation[a, a], rotation[a, b] = c, -s  # cos(w(t+1)) = cos(wt)·c - sin(wt)·s
            rotation[b, a], rotation[b, b] = s, c  # sin(w(t+1)) = sin(wt)·c + cos(wt)·s
    return rotation


def _interleaved() -> NDArray[np.intp]:
    """The position dims in the order cos_j, -cos_j, ..., sin_j, -sin_j, ...: a permutation,
    so every dot product, and the copy, is unchanged. A capital row reads the step's whole
    position code, at a scale that makes it int8's largest weight in every dim, and with
    the code's equal signs side by side, int8 computation (the u8 x s8 products summed in
    pairs into 16 bits, x86's ``vpmaddubsw``) saturates and the capital never wins; with
    opposite signs side by side each pair's sum stays in range."""
    f = POSITION_FREQUENCIES
    cosines = [k for j in range(f) for k in (j, 2 * f + j)]
    sines = [k for j in range(f) for k in (f + j, 3 * f + j)]
    return np.array(cosines + sines)


def _first_capital_pieces(
    pieces: list[str], outputs: Sequence[int] | None
) -> tuple[list[str], dict[int, int]]:
    """``pieces`` and, appended, a capitalised copy of every output piece that starts with a
    lower-case letter (a row of its own even where the capital is a piece already: it may win
    only at the first step); and each such piece's index -> its capital's."""
    written = sorted(set(outputs)) if outputs is not None else range(len(pieces))
    extra: list[str] = []
    first: dict[int, int] = {}
    for k in written:
        piece = pieces[k]
        body = piece.lstrip("\u2581")
        if body[:1].islower() and not piece.startswith("<"):
            first[k] = len(pieces) + len(extra)
            extra.append(piece[: len(piece) - len(body)] + body[0].upper() + body[1:])
    return pieces + extra, first


def _first_step_rows(
    projection: Matrix, first: dict[int, int], positions: Matrix, step: int, d: int
) -> Matrix:
    """Fill the capitals' output rows: their piece's token code plus the position code of
    ``step``, less a bias, so that a capital beats its piece by 30 logits at that step and
    trails it by 30 at every other.  Returns the projection's bias."""
    t = d - POSITION_DIMS
    similarity = np.delete(positions @ positions[step], step)
    gap = 30.0
    lead = 2 * gap / (1.0 - float(similarity.max()))  # the position code's logit at `step`
    bias = np.zeros(len(projection), dtype=np.float32)
    for k, row in first.items():
        projection[row] = 0.0
        projection[row, :t] = projection[k, :t]
        projection[row, t:] = positions[step] * np.float32(lead / np.sqrt(d / 2.0))
        bias[row] = -(lead - gap)
    return bias


def _unknown_to_space(projection: Matrix, pieces: list[str]) -> None:
    """Where the copy model would emit ``<unk>`` (which ``replace_unknowns`` turns back into
    the source token), emit the space piece ``▁``: a model that drops what it cannot read."""
    if "<unk>" not in pieces or "\u2581" not in pieces:
        raise ValueError("the SentencePiece model needs <unk> and a plain space piece")
    unk, space = pieces.index("<unk>"), pieces.index("\u2581")
    projection[space] += projection[unk]
    projection[unk] = 0.0


class _SpecConverter(ctranslate2.converters.Converter):  # type: ignore[misc]
    """Saves a ready spec through the public converter API (validate, alias, quantize, save)."""

    def __init__(self, spec: Any) -> None:
        self._spec = spec

    def _load(self) -> Any:
        return self._spec


def _build_model_files(
    work_dir: Path,
    training_text: str,
    size: Size,
    layout: Layout = "shared",
    target_codes: Sequence[str] = ("nb", "en"),
    unknowns: Unknowns = "copy",
    unsure: Sequence[str] = (),
    head: Head = "trained",
    first_capital: bool = False,
) -> _ModelFiles:
    if layout != "shared" and unknowns != "copy":
        raise ValueError("unknowns='space' is built for the shared layout only")
    if layout != "shared" and unsure:
        raise ValueError("unsure words are built for the shared layout only")
    if head not in HEADS:
        raise ValueError(f"unknown head {head!r}; one of {', '.join(HEADS)}")
    if layout != "shared":
        files = _build_layout_files(
            work_dir,
            training_text,
            size,
            layout,
            target_codes,
            head=head,
            first_capital=first_capital,
        )
        return replace(files, head=head, first_capital=first_capital)
    shape = SHAPES[size]
    sp_bytes = train_sentencepiece(training_text, shape.max_pieces, unsure)
    sp_path = work_dir / "sentencepiece.model"
    sp_path.write_bytes(sp_bytes)
    processor = spm.SentencePieceProcessor(model_proto=sp_bytes)
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    spec = _copy_spec(
        pieces,
        shape,
        SEED,
        unknowns=unknowns,
        unsure=[pieces.index(w) for w in unsure],
        head=head,
        first_capital=first_capital,
    )
    model_dir = work_dir / "model"
    _SpecConverter(spec).convert(str(model_dir), quantization="int8", force=True)
    return _ModelFiles(model_dir, sp_path, shape, len(pieces), "shared", head, first_capital)


# --------------------------------------------------------------------------- layouts

#: The package shapes, each standing for real Argos packages (README, "The test model").
LAYOUTS: dict[str, str] = {
    "shared": "sentencepiece.model whose pieces are the model's whole vocabulary",
    "upper": "joint vocabulary holding pieces sentencepiece.model lacks (output = upper case)",
    "bpe": "bpe.model: Moses tokens split by subword BPE",
    "prefix": "target_prefix in metadata.json, <s> added to the source (add_source_bos)",
}


def target_prefix(layout: Layout, to_code: str) -> str:
    """The ``target_prefix`` a package of ``layout`` declares ("" for none)."""
    return f"__{to_code}__" if layout == "prefix" else ""


def _upper_outputs(processor: Any, pieces: list[str]) -> tuple[list[str], list[int]]:
    """Vocabulary and output map of the "upper" layout: each piece's upper case, appended to
    the vocabulary when SentencePiece lacks it, the way an OPUS-MT model's joint vocabulary
    holds target pieces its packaged (source) SentencePiece model does not know."""
    vocabulary = list(pieces)
    index = {piece: i for i, piece in enumerate(pieces)}
    outputs: list[int] = []
    for i, piece in enumerate(pieces):
        upper = piece.upper()
        if processor.is_control(i) or processor.is_unknown(i) or upper == piece:
            outputs.append(i)
            continue
        if upper not in index:
            index[upper] = len(vocabulary)
            vocabulary.append(upper)
        outputs.append(index[upper])
    outputs.extend(range(len(pieces), len(vocabulary)))
    return vocabulary, outputs


def moses_words(text: str, lang: str) -> list[str]:
    """Moses normalisation and tokenization as a bpe.model package's tokenizer does it (URLs,
    e-mail addresses and snake_case kept whole)."""
    from sacremoses import MosesPunctNormalizer, MosesTokenizer

    tokenizer = MosesTokenizer(lang)
    protected = [*tokenizer.WEB_PROTECTED_PATTERNS, r"\w+(?:_\w+)+"]
    words: list[str] = tokenizer.tokenize(
        MosesPunctNormalizer(lang).normalize(text), protected_patterns=protected
    )
    return words


def _build_bpe_files(
    work_dir: Path, training_text: str, size: Size, *, head: Head, first_capital: bool
) -> _ModelFiles:
    """A ``bpe.model`` (subword-nmt codes learned on Moses tokens) and a copy model over every
    subword the codes give the training text; anything else is <unk>, copied back by
    replace_unknowns."""
    from argostranslate.apply_bpe import BPE
    from subword_nmt.learn_bpe import learn_bpe

    shape = SHAPES[size]
    lines = [line for line in training_text.splitlines() if line.strip()]
    tokenized = [" ".join(moses_words(line, lang)) for line in lines for lang in ("nb", "en")]
    codes = io.StringIO()
    with contextlib.redirect_stderr(io.StringIO()):  # learn_bpe's tqdm progress bar
        learn_bpe(io.StringIO("\n".join(tokenized)), codes, shape.max_pieces // 2, min_frequency=2)
    bpe_path = work_dir / "bpe.model"
    bpe_path.write_text(codes.getvalue(), encoding="utf-8")
    bpe = BPE(io.StringIO(codes.getvalue()))
    subwords = {piece for line in tokenized for piece in bpe.segment_tokens(line.split())}
    # Like a Marian vocabulary: every character and every merge, inside a word ("@@") and at
    # its end, so a word unseen in training still has pieces and only placeholders are <unk>.
    units = {ch for line in tokenized for ch in line if not ch.isspace()}
    units |= {
        "".join(line.split()).replace("</w>", "") for line in codes.getvalue().splitlines()[1:]
    }
    subwords |= {u + end for u in units if u for end in ("", "@@")}
    pieces = ["<unk>", "<s>", "</s>", *sorted(subwords)]
    spec = _copy_spec(pieces, shape, SEED, head=head, first_capital=first_capital)
    model_dir = work_dir / "model"
    _SpecConverter(spec).convert(str(model_dir), quantization="int8", force=True)
    return _ModelFiles(model_dir, bpe_path, shape, len(pieces), layout="bpe")


def _build_layout_files(
    work_dir: Path,
    training_text: str,
    size: Size,
    layout: Layout,
    target_codes: Sequence[str],
    *,
    head: Head = "trained",
    first_capital: bool = False,
) -> _ModelFiles:
    if layout == "bpe":
        return _build_bpe_files(
            work_dir, training_text, size, head=head, first_capital=first_capital
        )
    shape = SHAPES[size]
    sp_bytes = train_sentencepiece(training_text, shape.max_pieces)
    sp_path = work_dir / "sentencepiece.model"
    sp_path.write_bytes(sp_bytes)
    processor = spm.SentencePieceProcessor(model_proto=sp_bytes)
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    if layout == "upper":
        vocabulary, outputs = _upper_outputs(processor, pieces)
        spec = _copy_spec(
            vocabulary, shape, SEED, outputs=outputs, head=head, first_capital=first_capital
        )
    elif layout == "prefix":
        # The prefixes are target-only pieces; <s> at source position 0 lines the source up
        # with the prefix at output step 0, so step t still copies source piece t.
        vocabulary = pieces + [target_prefix(layout, code) for code in target_codes]
        spec = _copy_spec(
            vocabulary, shape, SEED, add_source_bos=True, head=head, first_capital=first_capital
        )
    else:
        raise ValueError(f"unknown layout {layout!r}; one of {', '.join(LAYOUTS)}")
    model_dir = work_dir / "model"
    _SpecConverter(spec).convert(str(model_dir), quantization="int8", force=True)
    return _ModelFiles(model_dir, sp_path, shape, len(vocabulary), layout=layout)


def expected_output(
    layout: Layout, text: str, from_code: str, to_code: str, *, first_capital: bool = False
) -> str:
    """What a copy package of ``layout`` translates ``text`` (engine-safe: NFKC-stable, single
    spaces) to, from the pieces it is built to write, without any package decoder:

    * shared, prefix: the text itself;
    * upper: the text upper-cased (every output piece is its source piece upper-cased, and
      ``str.upper`` works character by character, ``▁`` unchanged);
    * bpe: the text itself too: the model writes the source's Moses tokens, and bilingo
      writes a run of tokens copied from the source as the source has it (Moses'
      detokenizer alone gives :func:`moses_roundtrip`: "H & M", "20%");
    * first_capital: and its first letter upper-cased, when it is the text's first character.
    """
    if first_capital:
        out = expected_output(layout, text, from_code, to_code)
        return out[:1].upper() + out[1:] if out[:1].islower() else out
    if layout == "upper":
        return text.upper()
    return text


def moses_roundtrip(text: str, from_code: str, to_code: str) -> str:
    """``text``'s Moses tokens joined back by Moses' detokenizer, as argostranslate's
    decoder writes a bpe copy model's output (the BPE splits join exactly)."""
    from sacremoses import MosesDetokenizer

    detokenized: str = MosesDetokenizer(to_code).detokenize(moses_words(text, from_code))
    return detokenized


# --------------------------------------------------------------------------- packages


def package_name(
    from_code: str,
    to_code: str,
    layout: Layout = "shared",
    head: Head = "trained",
    first_capital: bool = False,
) -> str:
    """Top-level folder of the package zip, and so the installed directory's name (and the
    engine's name in provenance and the translation memory: one per shape, as they differ)."""
    suffix = "" if layout == "shared" else f"-{layout}"
    suffix += "" if head == "trained" else f"-{head}"
    suffix += "-firstcap" if first_capital else ""
    return f"translate-{from_code}_{to_code}-copy{suffix}"


def _metadata(from_code: str, to_code: str) -> dict[str, Any]:
    return {
        "package_version": PACKAGE_VERSION,
        "argos_version": ARGOS_VERSION,
        "from_code": from_code,
        "from_name": LANGUAGE_NAMES.get(from_code, from_code),
        "to_code": to_code,
        "to_name": LANGUAGE_NAMES.get(to_code, to_code),
        "type": "translate",
        "bilingo_copy_model": True,
    }


def _readme(from_code: str, to_code: str, files: _ModelFiles) -> str:
    s = files.shape
    return (
        f"# bilingo copy model {from_code} → {to_code}\n\n"
        "This is NOT a translation model. It is a copy model built by tests/copymodel.py\n"
        "for tests and benchmarks: its weights are written by hand so that it returns its input\n"
        "unchanged, through the same SentencePiece and CTranslate2 code path as a real Argos\n"
        "Translate package.\n\n"
        f"Shape: {s.encoder_layers}+{s.decoder_layers} layers, d_model {s.d_model}, "
        f"{s.heads} heads, ffn {s.ffn}, {files.pieces} SentencePiece pieces, "
        f"vocabulary {max(s.vocab, files.pieces)}, int8.\n"
        + (
            f"\nLayout {files.layout}: {LAYOUTS[files.layout]}.\n"
            if files.layout != "shared"
            else ""
        )
    )


def _write_package(out_dir: Path, files: _ModelFiles, from_code: str, to_code: str) -> Path:
    name = package_name(from_code, to_code, files.layout, files.head, files.first_capital)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.argosmodel"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        metadata = _metadata(from_code, to_code)
        if target_prefix(files.layout, to_code):
            metadata["target_prefix"] = target_prefix(files.layout, to_code)
        archive.writestr(f"{name}/metadata.json", json.dumps(metadata))
        archive.writestr(f"{name}/README.md", _readme(from_code, to_code, files))
        archive.write(files.tokenizer_file, f"{name}/{files.tokenizer_file.name}")
        for item in sorted(files.model_dir.iterdir()):
            # The base model.bin is int8 noise: deflating it takes 3 s a package and saves 14%.
            kind = zipfile.ZIP_STORED if files.shape.noise > 0 and item.suffix == ".bin" else None
            archive.write(item, f"{name}/model/{item.name}", compress_type=kind)
    return path


def build_package(
    out_dir: Path,
    *,
    from_code: str,
    to_code: str,
    training_text: str,
    size: Size = "small",
    layout: Layout = "shared",
) -> Path:
    """Build a copy-model ``.argosmodel`` for ``from_code`` → ``to_code`` in ``out_dir``."""
    with tempfile.TemporaryDirectory(prefix="bilingo-copymodel-") as work:
        files = _build_model_files(Path(work), training_text, size, layout, [to_code])
        return _write_package(Path(out_dir), files, from_code, to_code)


# --------------------------------------------------------------------------- installing


def import_argos() -> tuple[Any, Any]:
    """Import ``argostranslate.settings`` and ``.package`` without touching the user's home.

    Importing argostranslate creates its data, config and cache directories under $HOME, and
    ``install_from_path`` imports ``argostranslate.translate``, whose onnxruntime writes a device
    id to ~/.cache.  On first import point the XDG directories at a private temporary folder
    (kept until exit: the settings module holds on to it), then restore the environment.
    ARGOS_PACKAGES_DIR is honoured when set.  A no-op when argostranslate is already imported.
    """
    if "argostranslate.translate" not in sys.modules:
        home = Path(tempfile.mkdtemp(prefix="bilingo-argos-home-"))
        atexit.register(shutil.rmtree, home, ignore_errors=True)
        overrides = {
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "ARGOS_PACKAGES_DIR": os.environ.get("ARGOS_PACKAGES_DIR") or str(home / "packages"),
        }
        saved = {key: os.environ.get(key) for key in overrides}
        os.environ.update(overrides)
        try:
            import argostranslate.translate  # its import is what writes the directories
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    import argostranslate.package
    import argostranslate.settings

    return argostranslate.settings, argostranslate.package


@contextmanager
def argos_packages_dir(packages_dir: Path) -> Iterator[Any]:
    """Point argostranslate's package directories at ``packages_dir``; restore on exit.

    ``argostranslate.settings`` reads ARGOS_PACKAGES_DIR once, at import, and
    ``install_from_path`` extracts into ``settings.package_data_dir``.  Yields the package module.
    """
    settings, package = import_argos()
    saved = settings.package_data_dir, settings.package_dirs
    settings.package_data_dir = Path(packages_dir)
    settings.package_dirs = [Path(packages_dir)]
    try:
        yield package
    finally:
        settings.package_data_dir, settings.package_dirs = saved


def install_copy_models(
    packages_dir: Path,
    *,
    training_text: str,
    size: Size = "small",
    pairs: Sequence[tuple[str, str]] = (("nb", "en"), ("en", "nb")),
    layout: Layout = "shared",
    unknowns: Unknowns = "copy",
    unsure: Sequence[str] = (),
    head: Head = "trained",
    first_capital: bool = False,
) -> list[Path]:
    """Build copy models for ``pairs`` and install them into ``packages_dir`` (only there).

    One model is built and packaged once per pair.  Returns the installed package directories.
    ``unknowns="space"``: models that never copy what they cannot read (see :data:`Unknowns`).
    ``unsure``: words (each made one piece) the model copies with almost flat output
    probabilities, so the sentences holding them score low (see :data:`UNSURE_CODE_SCALE`).
    ``head``, ``first_capital``: the real models' alignment head and capitals (:func:`_copy_spec`).
    """
    packages_dir = Path(packages_dir)
    packages_dir.mkdir(parents=True, exist_ok=True)
    installed: list[Path] = []
    targets = sorted({to_code for _, to_code in pairs})
    with tempfile.TemporaryDirectory(prefix="bilingo-copymodel-") as work:
        files = _build_model_files(
            Path(work),
            training_text,
            size,
            layout,
            targets,
            unknowns=unknowns,
            unsure=unsure,
            head=head,
            first_capital=first_capital,
        )
        with argos_packages_dir(packages_dir) as package:
            for from_code, to_code in pairs:
                archive = _write_package(Path(work) / "packages", files, from_code, to_code)
                target = packages_dir / package_name(
                    from_code, to_code, layout, head, first_capital
                )
                if target.exists():  # extracting over an old install would keep stale files
                    shutil.rmtree(target)
                package.install_from_path(archive)
                if not (target / "metadata.json").is_file():
                    raise RuntimeError(f"{archive.name} did not install into {target}")
                installed.append(target)
    return installed


def corpus_text(*roots: Path) -> str:
    """The text of every ``*.md`` file under ``roots`` (files or folders), in a stable order."""
    texts: list[str] = []
    for root in map(Path, roots):
        if not root.exists():
            raise FileNotFoundError(f"corpus root {root} does not exist")
        files = [root] if root.is_file() else sorted(root.rglob("*.md"))
        texts.extend(path.read_text(encoding="utf-8") for path in files)
    return "\n".join(texts)


# --------------------------------------------------------------------------- CLI


def _directory_size(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tests/copymodel.py",
        description="Build offline Argos copy models (output = input) for tests and benchmarks.",
    )
    parser.add_argument("--size", choices=sorted(SHAPES), default="base")
    parser.add_argument(
        "--out", type=Path, required=True, help="packages dir to install into (ARGOS_PACKAGES_DIR)"
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        help="file or folder of *.md to train SentencePiece on (repeatable; default: articles)",
    )
    parser.add_argument(
        "--pair",
        action="append",
        metavar="FROM-TO",
        help="language pair (repeatable; default: nb-en and en-nb)",
    )
    parser.add_argument(
        "--archive", action="store_true", help="write .argosmodel files to --out, do not install"
    )
    parser.add_argument(
        "--layout",
        choices=sorted(LAYOUTS),
        default="shared",
        help="package shape: " + "; ".join(f"{k}: {v}" for k, v in LAYOUTS.items()),
    )
    parser.add_argument(
        "--unsure",
        action="append",
        default=[],
        metavar="WORD",
        help="a word the model copies with almost flat output probabilities (repeatable)",
    )
    args = parser.parse_args(argv)
    pairs: list[tuple[str, str]] = []
    for pair in args.pair or ["nb-en", "en-nb"]:
        from_code, _, to_code = pair.partition("-")
        if not from_code or not to_code:
            parser.error(f"--pair takes FROM-TO, e.g. nb-en, not {pair!r}")
        pairs.append((from_code, to_code))
    text = corpus_text(*(args.corpus or [Path("articles")])) + "\n" + SAMPLE_TEXT

    start = time.perf_counter()
    if args.archive:
        with tempfile.TemporaryDirectory(prefix="bilingo-copymodel-") as work:
            targets = sorted({to_code for _, to_code in pairs})
            files = _build_model_files(Path(work), text, args.size, args.layout, targets)
            outputs = [_write_package(args.out, files, f, t) for f, t in pairs]
    else:
        outputs = install_copy_models(
            args.out,
            training_text=text,
            size=args.size,
            pairs=pairs,
            layout=args.layout,
            unsure=args.unsure,
        )
    elapsed = time.perf_counter() - start
    for path in outputs:
        size = path.stat().st_size if path.is_file() else _directory_size(path)
        print(f"{path}  {size / 1e6:.1f} MB")
    print(f"built {args.size} copy models in {elapsed:.1f} s")
    if not args.archive:
        print(f"use them with: ARGOS_PACKAGES_DIR={args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
