"""Argos Translate packages run directly on CTranslate2 and the package's tokenizer.

bilingo finds the installed package through ``argostranslate.package`` and then runs its
model itself: argos' own ``translate()`` splits sentences with MiniSBD (which downloads a
model, so fails offline) and feeds CTranslate2 one paragraph at a time, 32 tokens a batch.
Here the segments of every article are sorted by length and cut into batches of about
the same length, queued a few ahead of the one waited for
(``translate_batch(asynchronous=True)``), which is what makes bilingo several times faster
on the same model; :meth:`ArgosEngine.queue_scored_batches` queues them before the caller
waits, so the model runs while the caller writes what came before. Heavy imports (ctranslate2,
sentencepiece) happen only when a model is loaded, so ``bilingo check`` never pays for them.

The package decides the rest (``bilingo.tokenizer``): SentencePiece or Moses + BPE, output
pieces turned into text for any target vocabulary, the ``target_prefix`` of its metadata;
CTranslate2 applies its ``config.json`` (``add_source_bos``, ``add_source_eos``, ...).

CPU settings (measured with ``bench/run.py``, see BENCHMARKS.md): two batches run at once
(``inter_threads=2``), each on its share of the cores, beats one batch on every core by
about 1.5x on 2 cores: no per-operation synchronisation. A batch holds at most 512
source tokens (padding included) and 32 segments: with beam 4 the decoder keeps ~0.2 MB per
padded source token and ~1.5 MB per segment (vocabulary-sized scores), for each of the two
batches in flight. With these limits ``translate`` peaks at ~530 MB on the bench corpus
(base model included), within the 1 GB of issue 24; 256/16 (the default until then, ~340
MB) is 40% slower on whole sentences, whose length fills 256 tokens with a few segments;
1024/64 takes ~940 MB for no more speed there (``--batch-tokens``/``--batch-segments``
choose). Those peaks are with glibc's malloc arenas capped at two (:func:`cap_heap_arenas`;
650 and 1,090 MB without). One model is kept in memory at a time, but for a moment:
loading another engine's model releases the previous one once the batches queued on it
are collected (it reloads, from the page cache, if used again).
"""

from __future__ import annotations

import json
import os
import re
import struct
import threading
import weakref
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from bilingo.errors import ModelError
from bilingo.tokenizer import (
    CONTROL_TOKENS,
    TOKENIZER_FILES,
    Encoded,
    SentencePieceTokenizer,
    Span,
    Tokenizer,
    open_tokenizer,
    tokenizer_file,
)

if TYPE_CHECKING:
    from bilingo.site import EngineOptions

Progress = Callable[[int], None]

#: CTranslate2 stops at 256 output tokens by default; real paragraphs reach 480 pieces.
MIN_DECODING_LENGTH = 256
#: Beam search's length penalty: CTranslate2 returns each hypothesis' log-probability
#: divided by its length to this power (see :func:`normalised_score`).
LENGTH_PENALTY = 0.2
#: The longest part a sentence goes to the model as (pieces): one longer is cut at clause
#: boundaries even where the model has more positions, as decoding time and memory grow with
#: the square of the length (OPUS-MT models have 512 positions).
MAX_PART_PIECES = 512
#: Batch limits by device, source tokens (padding included) and segments: see above.
CPU_BATCH_TOKENS = 512
CPU_BATCH_SEGMENTS = 32
GPU_BATCH_TOKENS = 4096
GPU_BATCH_SEGMENTS = 1024


def cpu_threads() -> tuple[int, int]:
    """(inter_threads, intra_threads) on CPU: two batches in parallel, cores shared out."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    inter = 2 if cores >= 2 else 1
    return inter, max(1, cores // inter)


class Engine(Protocol):
    """Translates plain-text segments (no markup, no surrounding whitespace)."""

    @property
    def name(self) -> str:
        """Identifies the model for provenance and the translation memory."""
        ...

    def translate(
        self, segments: Sequence[str], *, progress: Progress | None = None
    ) -> list[str]: ...


@dataclass(frozen=True)
class PackageInfo:
    """An installed Argos package, as bilingo reports it."""

    code: str
    from_code: str
    to_code: str
    version: str
    path: Path
    copy_model: bool = False
    #: A token forced at the start of every output (multilingual models pick the target
    #: language with it); stripped from the translation.
    target_prefix: str = ""

    @property
    def name(self) -> str:
        return f"argos:{self.code}@{self.version}"


def packages_dirs() -> list[Path]:
    """Where installed packages live: ``ARGOS_PACKAGES_DIR`` if set, else argos' default.

    Read at call time (argostranslate reads it once at import), so tests and users can
    point bilingo at another folder in the same process.
    """
    env = os.environ.get("ARGOS_PACKAGES_DIR")
    if env:
        return [Path(env)]
    from argostranslate import settings

    return [Path(p) for p in settings.package_dirs]


def installed_packages() -> list[PackageInfo]:
    """The translate packages in :func:`packages_dirs`.

    Not ``argostranslate.package.get_installed_packages``: it raises on the first folder
    without a readable ``metadata.json`` (one broken or half-copied package would stop every
    run, where this skips it) and it builds a full ``Package`` (language objects, tokenizer
    lookups) per folder where bilingo needs five metadata fields."""
    found: list[PackageInfo] = []
    for folder in packages_dirs():
        if not folder.is_dir():
            continue
        for pkg_dir in sorted(folder.iterdir()):
            meta_path = pkg_dir / "metadata.json"
            if not meta_path.is_file():
                continue
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if meta.get("type", "translate") != "translate":
                continue
            found.append(
                PackageInfo(
                    code=str(meta.get("code") or pkg_dir.name),
                    from_code=str(meta.get("from_code", "")),
                    to_code=str(meta.get("to_code", "")),
                    version=str(meta.get("package_version", "")),
                    path=pkg_dir,
                    copy_model=bool(meta.get("bilingo_copy_model", False)),
                    target_prefix=str(meta.get("target_prefix") or ""),
                )
            )
    return found


def find_package(source: str, target: str) -> PackageInfo:
    """The installed package for ``source -> target``, or a ModelError with the fix."""
    # Argos codes Bokmål as "nb"; older packages used "no" for the same models.
    accepted = {"nb": ("nb", "no"), "en": ("en",)}
    candidates = [
        p
        for p in installed_packages()
        if p.from_code in accepted.get(source, (source,))
        and p.to_code in accepted.get(target, (target,))
    ]
    if not candidates:
        where = ", ".join(str(d) for d in packages_dirs())
        raise ModelError(
            f"no translation model for {source} -> {target} is installed (looked in {where}); "
            f"run: bilingo models install {source} {target}"
        )
    return max(candidates, key=lambda p: _version_key(p.version))


def _version_key(version: str) -> tuple[int, ...]:
    out: list[int] = []
    for part in version.split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        out.append(int(digits) if digits else 0)
    return tuple(out)


EngineFactory = Callable[[str, str], Engine]


def default_engine_factory(options: EngineOptions | None = None) -> EngineFactory:
    """Argos packages on CTranslate2, run as ``options`` (the settings') say."""
    if options is None:
        from bilingo.site import EngineOptions

        options = EngineOptions()
    opts = options

    def make(source: str, target: str) -> Engine:
        return ArgosEngine(
            find_package(source, target),
            device=opts.device,
            beam_size=opts.beam_size,
            max_batch_tokens=opts.batch_tokens,
            max_batch_segments=opts.batch_segments,
            compute_type=opts.compute_type,
        )

    return make


class ArgosEngine:
    """An Argos package's CTranslate2 model and tokenizer, run batched."""

    def __init__(
        self,
        package: PackageInfo,
        *,
        device: str = "cpu",
        beam_size: int = 4,
        compute_type: str = "auto",
        inter_threads: int | None = None,
        intra_threads: int | None = None,
        max_batch_tokens: int | None = None,
        max_batch_segments: int | None = None,
    ) -> None:
        """Threads and batch size default by device (None): see the module docstring."""
        self.package = package
        self.device = device
        self.beam_size = beam_size
        self.compute_type = compute_type
        on_cpu = device == "cpu"
        inter, intra = cpu_threads() if on_cpu else (1, 0)
        self.inter_threads = inter if inter_threads is None else inter_threads
        self.intra_threads = intra if intra_threads is None else intra_threads
        if max_batch_tokens is None:
            max_batch_tokens = CPU_BATCH_TOKENS if on_cpu else GPU_BATCH_TOKENS
        if max_batch_segments is None:
            max_batch_segments = CPU_BATCH_SEGMENTS if on_cpu else GPU_BATCH_SEGMENTS
        self.max_batch_tokens = max_batch_tokens
        self.max_batch_segments = max_batch_segments
        self._translator: Any = None
        self._tokenizer: Tokenizer | None = None
        self._source_vocabulary: frozenset[str] | None = None
        #: Positions the model has (source pieces with </s>, output steps): from model.bin,
        #: or from the first error that names them; None while unknown.
        self.position_limit: int | None = None
        #: Batches queued and not yet collected; while there are some, loading another
        #: engine's model leaves this one loaded until they are (``_release_resident``).
        self.queued = 0
        self._release_when_done = False
        self._loading: threading.Thread | None = None

    @property
    def name(self) -> str:
        return self.package.name

    def load_soon(self) -> None:
        """Start loading the model in a thread: CTranslate2 reads it without holding the
        GIL, so the run goes on planning meanwhile. :meth:`load` waits for it (and, if it
        failed, loads again itself, raising the error where it is handled)."""
        if self._translator is not None or self._loading is not None:
            return
        # Imported here, not in the thread: an import is Python under the GIL, and while
        # the planning thread runs, each of its file reads waits up to a switch interval
        # for the GIL back (measured: a 0.17 s load took 0.85 s in a thread, 0.05 s here).
        import ctranslate2  # noqa: F401

        cap_heap_arenas()  # before this thread, and the model's, take arenas of their own

        def load() -> None:
            with suppress(ModelError):
                self.load()

        global _in_flight
        # Not a daemon: a run that ends before the model is in (its guess of the direction
        # was wrong, or Ctrl-C) waits for it at exit rather than tear the process down
        # under CTranslate2's loader.
        self._loading = _in_flight = threading.Thread(target=load, name="bilingo-load")
        self._loading.start()

    def load(self) -> None:
        """Load the model and tokenizer (idempotent); raise ModelError if they are broken.

        Releases the model of the engine loaded before, if any: one model in memory at a time.
        """
        global _resident
        loading, here = self._loading, threading.current_thread()
        if loading is not None and loading is not here:
            loading.join()
            self._loading = None
        other = _in_flight
        if other is not None and other is not here and other.is_alive():
            other.join()  # another engine's model, loading: one model at a time
        if self._translator is not None:
            return
        model_dir = self.package.path / "model"
        if not (model_dir / "model.bin").is_file() or tokenizer_file(self.package.path) is None:
            raise self._error(
                "is incomplete (needs model/model.bin and a tokenizer, "
                f"{' or '.join(TOKENIZER_FILES)})"
            )
        import ctranslate2

        _release_resident()
        cap_heap_arenas()
        try:
            tokenizer = open_tokenizer(
                self.package.path, self.package.from_code, self.package.to_code
            )
            self._translator = ctranslate2.Translator(
                str(model_dir),
                device=self.device,
                compute_type=self.compute_type,
                inter_threads=self.inter_threads,
                intra_threads=self.intra_threads,
            )
        except (RuntimeError, OSError, ValueError, UnicodeDecodeError) as exc:
            self._translator = None
            raise self._error(f"cannot be loaded ({exc})") from None
        # Read here, in the load's thread, once: the misfit check and the alignment's
        # <unk> pieces (source_vocabulary) both need it.
        try:
            source, _, _ = model_vocabularies(model_dir)
        except ModelError as exc:
            self._translator = None
            raise self._error(exc.message) from None
        known = frozenset(source)
        misfit = vocabulary_misfit(tokenizer, known)
        if misfit:
            self._translator = None
            raise self._error(misfit)
        self._source_vocabulary = known
        self._tokenizer = tokenizer
        if self.position_limit is None:
            self.position_limit = model_position_limit(model_dir)
        _resident = weakref.ref(self)

    def _error(self, what: str) -> ModelError:
        """``package CODE at PATH <what>; reinstall it: ...``: what is wrong and the fix."""
        return ModelError(
            f"package {self.package.code} at {self.package.path} {what}; reinstall it: "
            f"bilingo models install {self.package.from_code} {self.package.to_code} "
            "(or --file PACKAGE.argosmodel)"
        )

    def release(self) -> None:
        """Free the model; the next ``translate`` loads it again.

        The whole Translator goes, its worker threads too: the next model's threads then
        reuse their malloc arenas, and the memory freed in them, instead of growing new ones.
        """
        self._translator = None
        self._release_when_done = False

    def release_when_done(self) -> None:
        """Free the model once the batches queued on it are collected (now if none are):
        the next direction's first chunk is queued while this one's last is collected."""
        if self.queued:
            self._release_when_done = True
        else:
            self.release()
            trim_heap()

    def _collected(self, batches: int) -> None:
        self.queued -= batches
        if not self.queued and self._release_when_done:
            self.release()
            trim_heap()

    @property
    def loaded(self) -> bool:
        return self._translator is not None

    def translate(self, segments: Sequence[str], *, progress: Progress | None = None) -> list[str]:
        return _collect(self.translate_batches(segments), [""] * len(segments), progress)

    def translate_batches(self, segments: Sequence[str]) -> Iterator[tuple[list[int], list[str]]]:
        """:meth:`translate` batch by batch as each finishes: (indices into ``segments``,
        their translations), so a caller can keep each batch (the translation memory)
        before the next is done, and an interrupt loses only the batches in flight. A
        segment cut to fit the model (:meth:`_fitted`) makes it one batch of them all."""
        yield from self._again(self._translate_batches, segments)

    def translate_scored_batches(
        self, segments: Sequence[str]
    ) -> Iterator[tuple[list[int], list[Aligned]]]:
        """:meth:`translate_batches` with each translation's score (:attr:`Aligned.score`,
        no alignment): how sure the model was of each fragment and field it wrote."""
        yield from self._again(self._scored_batches, segments)

    def _again(
        self, run: Callable[[Sequence[str]], Iterator[T]], segments: Sequence[str]
    ) -> Iterator[T]:
        """``run(segments)``, once more if it failed on positions the model had not said it
        lacks (learned from the error: the overlong segments are cut this time)."""
        known = self.position_limit
        try:
            yield from run(segments)
        except SegmentError as exc:
            if not exc.positions or known is not None or self.position_limit is None:
                raise
            yield from run(segments)

    def _translate_batches(self, segments: Sequence[str]) -> Iterator[tuple[list[int], list[str]]]:
        for batch, results in self._scored_batches(segments):
            yield batch, [r.text for r in results]

    def queue_scored_batches(
        self, segments: Sequence[str]
    ) -> Iterator[tuple[list[int], list[Aligned]]]:
        """:meth:`translate_scored_batches` with its first batches queued now, before the
        caller iterates: the model works on them while the caller does other work (writes
        the twins of the chunk before). Iterating collects them, queueing the rest."""
        if not segments:
            return iter(())
        known = self.position_limit
        return self._again_after(self._start_scored(segments), known, segments)

    def _again_after(
        self,
        started: Iterator[tuple[list[int], list[Aligned]]],
        known: int | None,
        segments: Sequence[str],
    ) -> Iterator[tuple[list[int], list[Aligned]]]:
        """:meth:`_again` for batches already queued (``known``: the positions known then)."""
        try:
            yield from started
        except SegmentError as exc:
            if not exc.positions or known is not None or self.position_limit is None:
                raise
            yield from self._scored_batches(segments)

    def _scored_batches(self, segments: Sequence[str]) -> Iterator[tuple[list[int], list[Aligned]]]:
        if segments:
            yield from self._start_scored(segments)

    def _start_scored(self, segments: Sequence[str]) -> Iterator[tuple[list[int], list[Aligned]]]:
        """Queue the first batches of ``segments`` now; the iterator collects them all."""
        self.load()
        parts, cuts, encoded = self._fitted(segments)
        started = self._start_parts(parts, encoded)
        if cuts is None:
            return started
        return self._joined_parts(segments, cuts, started)

    def _joined_parts(
        self,
        segments: Sequence[str],
        cuts: list[tuple[int, list[tuple[int, int]]]],
        started: Iterator[tuple[list[int], list[Aligned]]],
    ) -> Iterator[tuple[list[int], list[Aligned]]]:
        """One batch of every segment, each made again of the parts it was cut into."""
        empty: list[Aligned] = [Aligned("", ())] * sum(len(r) for _, r in cuts)
        out = _collect(started, empty, None)
        joined = [
            _join_aligned(segments[n], ranges, out, first) for n, (first, ranges) in enumerate(cuts)
        ]
        yield list(range(len(segments))), joined

    def _start_parts(
        self, parts: Sequence[str], encoded: Sequence[Encoded]
    ) -> Iterator[tuple[list[int], list[Aligned]]]:
        tokenizer = self._tokenizer
        assert tokenizer is not None  # load() set it
        queued = self._queue([list(e.pieces) for e in encoded], attention=False)
        return self._decoded_parts(tokenizer, parts, encoded, queued)

    def _decoded_parts(
        self,
        tokenizer: Tokenizer,
        parts: Sequence[str],
        encoded: Sequence[Encoded],
        queued: _Queued,
    ) -> Iterator[tuple[list[int], list[Aligned]]]:
        prefix = queued.prefix
        for batch, results in queued:
            out: list[Aligned] = []
            for i, result in zip(batch, self._results(batch, results), strict=True):
                hypothesis: list[str] = result.hypotheses[0]
                # The output starts with the forced prefix: not part of the translation.
                if prefix and hypothesis[: len(prefix)] == prefix:
                    hypothesis = hypothesis[len(prefix) :]
                text = tokenizer.decode_spans(hypothesis, encoded[i], parts[i])[0]
                out.append(Aligned(text, (), score=normalised_score(result)))
            yield batch, out

    def _fitted(
        self, segments: Sequence[str]
    ) -> tuple[list[str], list[tuple[int, list[tuple[int, int]]]] | None, list[Encoded]]:
        """The segments as the model can take them: one longer than its positions (or
        :data:`MAX_PART_PIECES`) cut at clause boundaries (:func:`clause_cuts`). Returns
        (parts, None) when none was cut, else (parts, for each segment (its first part's
        index, the parts' character ranges)); and each part's pieces with their ranges (a
        run the model copied is written as the source has it), encoded once."""
        tokenizer = self._tokenizer
        assert tokenizer is not None  # load() set it
        limit = self.position_limit or MAX_PART_PIECES + 3
        room = min(limit - 3, MAX_PART_PIECES)  # </s>, <s> where added, a forced prefix
        encoded = [tokenizer.encode_spans(segment) for segment in segments]
        lengths = [len(e.pieces) for e in encoded]
        if max(lengths, default=0) <= room:
            return list(segments), None, encoded

        def fits(text: str) -> bool:
            return len(tokenizer.encode([text])[0]) <= room

        parts: list[str] = []
        cuts: list[tuple[int, list[tuple[int, int]]]] = []
        for segment, length in zip(segments, lengths, strict=True):
            ranges = clause_cuts(segment, fits) if length > room else [(0, len(segment))]
            cuts.append((len(parts), ranges))
            parts += [segment[a:b] for a, b in ranges]
        return parts, cuts, [tokenizer.encode_spans(part) for part in parts]

    def _results(self, batch: Sequence[int], results: Sequence[Any]) -> list[Any]:
        """The batch's results; a model error names the positions it lacks (learned for
        the next call) and fails with the fix, never as a bare RuntimeError."""
        try:
            return [r.result() for r in results]
        except RuntimeError as exc:
            found = _POSITIONS_RE.search(str(exc))
            if found:
                self.position_limit = int(found.group(1))
            raise SegmentError(
                f"the model cannot translate {len(batch)} segment(s) ({exc})", found is not None
            ) from None

    def _queue(self, tokens: Sequence[list[str]], *, attention: bool) -> _Queued:
        """The batches of ``tokens``, queued :data:`AHEAD` per worker beyond the one waited
        for, after those of calls made before (:class:`_Schedule`; CTranslate2's workers,
        ``inter_threads``, take them in turn). Not every batch at once: a Translator is
        freed only once it has run all it was given (Ctrl-C would wait for a whole chunk).
        (With ``attention``, ``<unk>`` stays in the output: :meth:`translate_aligned` puts
        the source's unknown pieces back in order, never through the alignment head, which
        on OPUS-MT models nobody trained to align.)

        Batched here rather than by one ``translate_batch(max_batch_size=N,
        batch_type="tokens", asynchronous=True)``: that call sorts and cuts batches itself but
        caps only tokens, not segments (the per-segment scores are the memory bound, see
        the module docstring), and its results come per segment with no batch boundaries,
        which the caller needs to keep each finished batch before the next."""
        # Enough room for every segment, so none is cut short (CTranslate2's default is 256),
        # within the model's positions.
        longest = max((len(t) for t in tokens), default=0)
        max_len = max(MIN_DECODING_LENGTH, 2 * longest + 16)
        prefix = [self.package.target_prefix] if self.package.target_prefix else []
        if self.position_limit is not None:
            max_len = min(max_len, self.position_limit - 1 - len(prefix))
        batches = length_batches(
            [len(t) for t in tokens], self.max_batch_tokens, self.max_batch_segments
        )
        submit = partial(
            self._translator.translate_batch,
            asynchronous=True,
            beam_size=self.beam_size,
            max_decoding_length=max_len + len(prefix),
            max_input_length=0,
            replace_unknowns=not attention,
            length_penalty=LENGTH_PENALTY,
            return_attention=attention,
            return_scores=True,
        )

        def start(batch: list[int]) -> Any:
            return submit(
                [tokens[i] for i in batch], target_prefix=[prefix] * len(batch) if prefix else None
            )

        return _Queued(batches, start, prefix, AHEAD * max(1, self.inter_threads), self)

    def translate_aligned(
        self, segments: Sequence[str], *, progress: Progress | None = None
    ) -> list[Aligned]:
        """Like :meth:`translate`, with each translation's alignment: the attention of the
        alignment head the converter recorded (OPUS-MT transformer-align models are
        trained for it), one source piece for each target piece, as character ranges."""
        empty: list[Aligned] = [Aligned("", ())] * len(segments)
        return _collect(self.translate_aligned_batches(segments), empty, progress)

    def translate_aligned_batches(
        self, segments: Sequence[str]
    ) -> Iterator[tuple[list[int], list[Aligned]]]:
        """:meth:`translate_aligned` batch by batch, as :meth:`translate_batches`."""
        yield from self._again(self._aligned_batches, segments)

    def _aligned_batches(
        self, segments: Sequence[str]
    ) -> Iterator[tuple[list[int], list[Aligned]]]:
        if not segments:
            return
        self.load()
        tokenizer = self._tokenizer
        assert tokenizer is not None  # load() set it
        parts, cuts, encoded = self._fitted(segments)
        if cuts is None:
            yield from self._aligned_parts(tokenizer, parts, encoded)
            return
        empty: list[Aligned] = [Aligned("", ())] * len(parts)
        out = _collect(self._aligned_parts(tokenizer, parts, encoded), empty, None)
        joined = [
            _join_aligned(segments[n], ranges, out, first) for n, (first, ranges) in enumerate(cuts)
        ]
        yield list(range(len(segments))), joined

    def _aligned_parts(
        self, tokenizer: Tokenizer, parts: Sequence[str], encoded: Sequence[Encoded]
    ) -> Iterator[tuple[list[int], list[Aligned]]]:
        """Each part's pieces with their character ranges, translated with attention; a
        part whose ranges cannot be traced (a BPE token the tokenizer changed) has none,
        and goes without alignment."""
        sources: list[tuple[list[str], list[Span]]] = []
        decoders: list[Callable[[list[str]], tuple[str, tuple[Span, ...]]]] = []
        for part, spans in zip(parts, encoded, strict=True):
            sources.append((list(spans.pieces), list(spans.ranges)))
            decoders.append(partial(tokenizer.decode_spans, source=spans, source_text=part))
        queued = self._queue([s for s, _ in sources], attention=True)
        known = self.source_vocabulary()
        for batch, results in queued:
            done = self._results(batch, results)
            yield (
                batch,
                [
                    _aligned(*sources[i], result, decoders[i], len(queued.prefix), known)
                    for i, result in zip(batch, done, strict=True)
                ],
            )

    def source_vocabulary(self) -> frozenset[str]:
        """The model's source tokens (what is not among them reaches it as ``<unk>``)."""
        if self._source_vocabulary is None:
            source, _, _ = model_vocabularies(self.package.path / "model")
            self._source_vocabulary = frozenset(source)
        return self._source_vocabulary

    def masked_drops(
        self, items: Sequence[tuple[Aligned, Sequence[tuple[int, int]]]]
    ) -> list[list[float]]:
        """Prediction difference (Li et al., ACL 2019): for each (translation, source
        character ranges), how much log-probability each target piece of the translation
        loses when the source pieces overlapping the ranges are masked (``<unk>``), scored
        with ``score_batch`` on the output the model already wrote. One list per item, one
        value per :attr:`Aligned.target_ranges` entry; empty where the pieces are unknown."""
        self.load()
        jobs: list[tuple[list[str], list[str]]] = []
        base: dict[int, int] = {}  # id of a result -> its unmasked job, scored once
        owners: list[tuple[int, int, int]] = []  # item, its unmasked job, its masked job
        for n, (result, ranges) in enumerate(items):
            if not result.target_tokens or not result.source_tokens:
                continue
            if id(result) not in base:
                base[id(result)] = len(jobs)
                jobs.append((list(result.source_tokens), list(result.target_tokens)))
            masked = [
                "<unk>" if any(a < e and s < b for a, b in ranges) else tok
                for tok, (s, e) in zip(result.source_tokens, result.source_ranges, strict=True)
            ]
            owners.append((n, base[id(result)], len(jobs)))
            jobs.append((masked, list(result.target_tokens)))
        out: list[list[float]] = [[] for _ in items]
        if not jobs:
            return out
        scored = self._translator.score_batch(
            [src for src, _ in jobs],
            [tgt for _, tgt in jobs],
            max_batch_size=self.max_batch_tokens,
            batch_type="tokens",
            max_input_length=0,
        )
        for n, plain, masked_job in owners:
            before, after = scored[plain].log_probs, scored[masked_job].log_probs
            skip = items[n][0].prefix
            out[n] = [
                float(a) - float(b) for a, b in zip(before[skip:], after[skip:], strict=False)
            ][: len(items[n][0].target_ranges)]
        return out


T = TypeVar("T")

#: Batches queued per CTranslate2 worker beyond the one being waited for: enough that a
#: worker never waits for the main thread, few enough that freeing the model is quick.
AHEAD = 2


class _Schedule:
    """The calls whose batches are still to be queued, across every engine of the process
    (the cores are the process's, whichever model a batch is for): each batch is queued
    once :attr:`ahead` or fewer stand uncollected, from the oldest call first. So a call's
    successor (the next chunk of articles, or the next direction's first) fills the
    workers while the call's last batches run and their twins are written, and never
    before: measured, one of two cores idle 0.3-0.4 s at the end of each chunk when each
    call queued only its own batches; the next direction's batches queued beside all of
    this one's last chunk held both models for 4 s (+150 MB)."""

    def __init__(self) -> None:
        # Weak: a call nobody will iterate (its run failed) is not queued for.
        self.calls: list[weakref.ref[_Queued]] = []
        self.live: weakref.WeakSet[_Queued] = weakref.WeakSet()

    def top_up(self, ahead: int) -> None:
        while self.calls and sum(c.uncollected for c in self.live) <= ahead:
            call = self.calls[0]()
            if call is not None and call.waiting:
                call.queue_next()
            else:
                self.calls.pop(0)


_SCHEDULE = _Schedule()


class _Queued:
    """Batches of one call, queued in turn with every other call's (:class:`_Schedule`)
    so that :attr:`ahead` stand beyond the one waited for: iterating gives each batch with
    its pending results, in order."""

    def __init__(
        self, batches: list[list[int]], start: Callable[[list[int]], Any], prefix: list[str],
        ahead: int, engine: ArgosEngine,
    ) -> None:  # fmt: skip
        self.batches = batches
        self.prefix = prefix
        self._start = start
        self.ahead = ahead
        self._engine = engine
        self._pending: list[Any] = []
        self.collected = 0
        self.closed = False
        _SCHEDULE.calls.append(weakref.ref(self))
        _SCHEDULE.live.add(self)
        _SCHEDULE.top_up(ahead)

    @property
    def waiting(self) -> bool:
        """Whether batches of this call are still to be queued."""
        return not self.closed and len(self._pending) < len(self.batches)

    @property
    def uncollected(self) -> int:
        return 0 if self.closed else len(self._pending) - self.collected

    def queue_next(self) -> None:
        self._pending.append(self._start(self.batches[len(self._pending)]))
        self._engine.queued += 1

    def __iter__(self) -> Iterator[tuple[list[int], Any]]:
        try:
            for n, batch in enumerate(self.batches):
                while len(self._pending) <= n:  # the batch waited for goes in now, at least
                    self.queue_next()
                _SCHEDULE.top_up(self.ahead)
                pending, self._pending[n] = self._pending[n], None  # its results, once
                yield batch, pending
                self.collected += 1
                self._engine._collected(1)
        finally:
            # Abandoned (a model error, Ctrl-C): nothing more of it is queued, and what was
            # counts as collected, so the model can still be freed once the rest of it is.
            if not self.closed:
                self.closed = True
                self._engine._collected(len(self._pending) - self.collected)


def _collect(
    batches: Iterator[tuple[list[int], list[T]]], out: list[T], progress: Progress | None
) -> list[T]:
    """Every batch's results in ``out``, in the segments' order; progress per batch."""
    for batch, results in batches:
        for i, result in zip(batch, results, strict=True):
            out[i] = result
        if progress is not None:
            progress(len(batch))
    return out


@dataclass(frozen=True)
class Aligned:
    """A translation with the model's alignment (:meth:`ArgosEngine.translate_aligned`)."""

    text: str
    #: (source start, source end, target start, target end) character ranges: each target
    #: piece with the source piece its alignment head attends to most. Empty when the
    #: pieces cannot be mapped back onto the text. Only an alignment where it agrees with
    #: the sentence's anchors (``bilingo.placement``): the head may never have been trained.
    pairs: tuple[tuple[int, int, int, int], ...]
    #: Pairs known without the head: each source piece the model could not read (a
    #: placeholder) with the ``<unk>`` the output holds for it, matched in order.
    sure: tuple[tuple[int, int, int, int], ...] = ()
    #: The pieces, for :meth:`ArgosEngine.masked_drops`: source pieces and their character
    #: ranges in the source; the output's tokens (the forced prefix, ``prefix`` of them,
    #: included) and the ranges of those after the prefix in :attr:`text`.
    source_tokens: tuple[str, ...] = ()
    source_ranges: tuple[tuple[int, int], ...] = ()
    target_tokens: tuple[str, ...] = ()
    target_ranges: tuple[tuple[int, int], ...] = ()
    prefix: int = 0
    #: ``pairs`` hold only what bilingo checked (the head disagreed with the anchors):
    #: nothing is placed by a guess (``bilingo.inline.project(strict=True)``).
    strict: bool = False
    #: The translation's length-normalised log-probability (:func:`normalised_score`):
    #: near 0 when the model was sure of every token, far below when it was not.
    score: float | None = None


def normalised_score(result: Any) -> float | None:
    """The best hypothesis' mean log-probability per output token (end token included),
    from the score beam search already computed (``return_scores=True``), which CTranslate2
    divides by ``length ** LENGTH_PENALTY``: the reference-free signal of a hallucinated or
    garbled translation (Guerreiro et al. 2022, "Looking for a Needle in a Haystack")."""
    scores = getattr(result, "scores", None)
    if not scores:
        return None
    length = len(result.hypotheses[0]) + 1
    return float(scores[0]) * float(length**LENGTH_PENALTY) / length


def _aligned(
    src_pieces: Sequence[str],
    spans: Sequence[Span],
    result: Any,
    decode: Callable[[list[str]], tuple[str, tuple[Span, ...]]],
    prefix: int = 0,
    known: frozenset[str] | None = None,
) -> Aligned:
    """Character-range alignment of one result (``return_attention=True``) of the source
    pieces ``src_pieces`` at ``spans`` (empty: unknown); ``decode``: the output pieces'
    text and each piece's range in it (empty: unknown). The first ``prefix`` target tokens
    are the forced target prefix, not part of the translation. ``known``: the source
    vocabulary; the output's ``<unk>`` tokens become the source's unknown pieces, in
    order, where there are as many of each (else they are dropped, and bilingo's checks
    decide)."""
    raw: list[str] = result.hypotheses[0]
    hypothesis = list(raw[prefix:])
    attention = result.attention[0][prefix:] if result.attention else []
    unknown = [i for i, p in enumerate(src_pieces) if known is not None and p not in known]
    unk_at = [j for j, piece in enumerate(hypothesis) if piece == "<unk>"]
    matched = len(unk_at) == len(unknown)
    for n, j in enumerate(unk_at):
        hypothesis[j] = src_pieces[unknown[n]] if matched else ""
    text, ranges = decode(hypothesis)
    score = normalised_score(result)
    if not ranges or not spans or not attention:
        return Aligned(text, (), score=score)
    pairs: list[tuple[int, int, int, int]] = []
    for j, target in enumerate(ranges):
        row = attention[j] if j < len(attention) else []
        width = min(len(row), len(spans))
        if width:
            i = max(range(width), key=row.__getitem__)
            pairs.append((*spans[i], *target))
    sure = tuple((*spans[unknown[n]], *ranges[j]) for n, j in enumerate(unk_at) if matched)
    return Aligned(
        text,
        tuple(pairs),
        sure,
        tuple(src_pieces),
        tuple(spans),
        tuple(raw),
        tuple(ranges),
        prefix,
        score=score,
    )


class SegmentError(ModelError):
    """The model failed on a batch of segments: the articles holding them fail, alone."""

    def __init__(self, message: str, positions: bool = False) -> None:
        super().__init__(message)
        #: The model ran out of positions (an overlong segment it could not be cut into).
        self.positions = positions


_POSITIONS_RE = re.compile(r"No position encodings are defined for positions >= (\d+)")

#: Where an overlong sentence is cut, in order of preference: clause ends (";", ":", " – "),
#: then commas, then between words.
_CLAUSE_CUTS = (
    re.compile(r"[;:](?= )| [–—](?= )"),
    re.compile(r",(?= )"),
    re.compile(r" (?=\S)"),
)


def clause_cuts(text: str, fits: Callable[[str], bool]) -> list[tuple[int, int]]:
    """Character ranges of ``text``, in order, each of which ``fits`` the model: cut at the
    boundary nearest the middle of the first kind :data:`_CLAUSE_CUTS` finds (a word
    longer than the model cut in two), again in each half until every part fits;
    O(n log n) tokenising. The whitespace between two parts is in neither."""

    def split(a: int, b: int, depth: int) -> list[tuple[int, int]]:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b - a <= 1 or depth > 60 or fits(text[a:b]):
            return [(a, b)] if b > a else []
        points: list[int] = []
        for pattern in _CLAUSE_CUTS:
            points = [m.end() for m in pattern.finditer(text, a, b) if a < m.end() < b]
            if points:
                break
        middle = (a + b) / 2
        cut = min(points, key=lambda p: abs(p - middle)) if points else (a + b) // 2
        return split(a, cut, depth + 1) + split(cut, b, depth + 1)

    return split(0, len(text), 0)


def _join_aligned(
    text: str, ranges: list[tuple[int, int]], out: list[Aligned], first: int
) -> Aligned:
    """A cut segment's translation: its parts' translations, with the source's whitespace
    between them (none where a word was cut), their alignments moved to the whole's
    characters (no pieces: a part is scored alone)."""
    joined = ""
    pairs: list[tuple[int, int, int, int]] = []
    sure: list[tuple[int, int, int, int]] = []
    for k, (a, _) in enumerate(ranges):
        if k:
            joined += text[ranges[k - 1][1] : a]
        part = out[first + k]
        t = len(joined)
        pairs += [(s0 + a, s1 + a, t0 + t, t1 + t) for s0, s1, t0, t1 in part.pairs]
        sure += [(s0 + a, s1 + a, t0 + t, t1 + t) for s0, s1, t0, t1 in part.sure]
        joined += part.text
    # The whole is as sure as its least sure part.
    scores = [part.score for part in out[first : first + len(ranges)] if part.score is not None]
    return Aligned(joined, tuple(pairs), tuple(sure), score=min(scores) if scores else None)


def model_position_limit(model_dir: Path) -> int | None:
    """Rows of the position tables in ``model.bin`` (the fewest of encoder and decoder),
    read from CTranslate2's binary format (version, spec name and revision, then each
    variable's name, shape, type and bytes, which are skipped); None if it has none (the
    positions are then learned from the first error) or cannot be read."""
    found: list[int] = []
    try:
        with (model_dir / "model.bin").open("rb") as model:

            def take(fmt: str) -> Any:
                size = struct.calcsize(fmt)
                data = model.read(size)
                if len(data) != size:
                    raise ValueError("truncated")
                return struct.unpack(fmt, data)[0]

            def string() -> str:
                return model.read(take("H")).rstrip(b"\0").decode("utf-8")

            if take("I") < 2:
                return None
            string()
            take("I")
            for _ in range(take("I")):
                name = string()
                dims = [take("I") for _ in range(take("B"))]
                take("B")
                size = take("I")
                if name.endswith("position_encodings/encodings") and dims:
                    found.append(dims[0])
                model.seek(size, os.SEEK_CUR)
    except (OSError, ValueError, struct.error, UnicodeDecodeError):
        return min(found) if found else None
    return min(found) if found else None


def model_vocabularies(model_dir: Path) -> tuple[list[str], list[str], bool]:
    """(source, target, joint) vocabularies of a CTranslate2 model directory.

    Joint: one ``shared_vocabulary`` file (as the Marian converter writes for OPUS-MT).
    Read from ``.json`` or, in older conversions, ``.txt`` (one token a line); a missing or
    unreadable file raises ModelError without the package prefix (the caller adds it).
    """

    def read(name: str) -> list[str] | None:
        json_path, txt_path = model_dir / f"{name}.json", model_dir / f"{name}.txt"
        try:
            if json_path.is_file():
                data = json.loads(json_path.read_text(encoding="utf-8"))
                if isinstance(data, list):
                    return [str(t) for t in data]
                raise ModelError(f"has an unreadable model/{json_path.name} (not a list)")
            if txt_path.is_file():
                return txt_path.read_text(encoding="utf-8").splitlines()
        except (OSError, ValueError) as exc:
            raise ModelError(f"has an unreadable model/{name} ({exc})") from None
        return None

    shared = read("shared_vocabulary")
    if shared is not None:
        return shared, shared, True
    source, target = read("source_vocabulary"), read("target_vocabulary")
    if source is None or target is None:
        raise ModelError(
            "has no vocabulary in model/ (shared_vocabulary, or source_ and target_vocabulary)"
        )
    return source, target, False


def tokenizer_misfit(tokenizer: Tokenizer, model_dir: Path) -> str:
    """Why ``tokenizer`` cannot feed this model, or ``""``.

    A SentencePiece model whose pieces the model's source vocabulary mostly lacks belongs to
    another model: every input would reach it as ``<unk>``, and the output would be wrong
    without an error. (A BPE vocabulary is not listed in ``bpe.model``; not checked.)
    """
    if not isinstance(tokenizer, SentencePieceTokenizer):
        return ""
    try:
        source, _, _ = model_vocabularies(model_dir)
    except ModelError as exc:
        return exc.message
    return vocabulary_misfit(tokenizer, frozenset(source))


def vocabulary_misfit(tokenizer: Tokenizer, known: Collection[str]) -> str:
    """:func:`tokenizer_misfit` against the model's source vocabulary ``known``, read."""
    if not isinstance(tokenizer, SentencePieceTokenizer):
        return ""
    pieces = [p for p in tokenizer.vocabulary() if p not in CONTROL_TOKENS]
    found = sum(p in known for p in pieces)
    if pieces and found < len(pieces) / 2:
        return (
            f"has a sentencepiece.model that does not belong to its model: only {found} of its "
            f"{len(pieces)} pieces are in the model's source vocabulary"
        )
    return ""


def length_batches(lengths: Sequence[int], max_tokens: int, max_segments: int) -> list[list[int]]:
    """Indices into ``lengths``, longest first, cut into batches of at most ``max_segments``
    whose padded size (count x longest) stays within ``max_tokens`` (one longer segment
    goes alone). Equal lengths waste no padding, and the largest batches, the memory peak,
    come first, while nothing else is allocated."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True)
    batches: list[list[int]] = []
    for i in order:
        current = batches[-1] if batches else None
        # Longest first: the batch's first segment is its longest, so it sets the padding.
        if (
            current is None
            or len(current) >= max_segments
            or (len(current) + 1) * lengths[current[0]] > max_tokens
        ):
            batches.append([i])
        else:
            current.append(i)
    return batches


#: The engine whose model is in memory (see ``ArgosEngine.load``).
_resident: weakref.ref[ArgosEngine] | None = None
#: The thread of the last :meth:`ArgosEngine.load_soon`: another engine's load waits for it.
_in_flight: threading.Thread | None = None


def _release_resident() -> None:
    engine = _resident() if _resident is not None else None
    if engine is not None:
        engine.release_when_done()


#: glibc's ``mallopt`` parameter for the most malloc arenas (``M_ARENA_MAX``).
_M_ARENA_MAX = -8
#: Arenas CTranslate2's workers and this process share (glibc's default: 8 per core).
HEAP_ARENAS = 2


def cap_heap_arenas() -> None:
    """At most :data:`HEAP_ARENAS` glibc malloc arenas for the threads started from now on.

    glibc gives each thread that meets a locked arena one of its own and keeps the blocks
    freed in it for that arena's reuse, so each CTranslate2 worker holds its own high-water
    mark of batch buffers: with 64-segment batches that was 1,086 MB at peak, 891 MB with two
    arenas, at the same speed (one arena: 913 MB, 5% slower: the workers wait for its lock).
    Left alone where ``MALLOC_ARENA_MAX`` is set (the user chose) or the C library has no
    ``mallopt``; called before the model's worker threads start.
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    import ctypes

    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is not None:
        mallopt(_M_ARENA_MAX, HEAP_ARENAS)


def trim_heap() -> None:
    """Give memory freed by the C heap back to the system (glibc's ``malloc_trim``).

    glibc keeps freed blocks for reuse, so a released model or langdetect's profiles would
    still count in the process's memory while the next model runs; elsewhere a no-op.
    """
    import ctypes

    # CDLL(None): the symbols already loaded (libc's among them), without the ldconfig
    # subprocess that ctypes.util.find_library runs (~25 ms).
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:
        trim(0)
