"""Argos Translate packages run directly on CTranslate2 and SentencePiece.

bilingo finds the installed package through ``argostranslate.package`` and then runs its
model itself: argos' own ``translate()`` splits sentences with MiniSBD (which downloads a
model, so fails offline) and feeds CTranslate2 32 tokens at a time. Here every segment of
every article goes into one ``translate_batch`` call, batched by tokens and sorted by
length inside CTranslate2, which is what makes bilingo several times faster on the same
model. Heavy imports (ctranslate2, sentencepiece) happen only when a model is loaded, so
``bilingo check`` never pays for them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bilingo.errors import ModelError

Progress = Callable[[int], None]

#: CTranslate2 stops at 256 output tokens by default; real paragraphs reach 480 pieces.
MIN_DECODING_LENGTH = 256


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
    import json

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


class ArgosEngine:
    """An Argos package's CTranslate2 model and SentencePiece tokenizer, run batched."""

    def __init__(
        self,
        package: PackageInfo,
        *,
        device: str = "cpu",
        beam_size: int = 4,
        compute_type: str = "auto",
        inter_threads: int = 1,
        intra_threads: int = 0,
        max_batch_tokens: int = 4096,
    ) -> None:
        self.package = package
        self.device = device
        self.beam_size = beam_size
        self.compute_type = compute_type
        self.inter_threads = inter_threads
        self.intra_threads = intra_threads
        self.max_batch_tokens = max_batch_tokens
        self._translator: Any = None
        self._sp: Any = None

    @property
    def name(self) -> str:
        return self.package.name

    def load(self) -> None:
        """Load the model and tokenizer (idempotent); raise ModelError if they are broken."""
        if self._translator is not None:
            return
        model_dir = self.package.path / "model"
        sp_path = self.package.path / "sentencepiece.model"
        fix = (
            f"reinstall it: bilingo models install {self.package.from_code} "
            f"{self.package.to_code} (or --file PACKAGE.argosmodel)"
        )
        if not (model_dir / "model.bin").is_file() or not sp_path.is_file():
            raise ModelError(
                f"package {self.package.code} at {self.package.path} is incomplete "
                f"(needs model/model.bin and sentencepiece.model); {fix}"
            )
        import ctranslate2
        import sentencepiece

        try:
            self._sp = sentencepiece.SentencePieceProcessor(model_file=str(sp_path))
            self._translator = ctranslate2.Translator(
                str(model_dir),
                device=self.device,
                compute_type=self.compute_type,
                inter_threads=self.inter_threads,
                intra_threads=self.intra_threads,
            )
        except (RuntimeError, OSError, ValueError) as exc:
            self._sp = self._translator = None
            raise ModelError(
                f"package {self.package.code} at {self.package.path} cannot be loaded "
                f"({exc}); {fix}"
            ) from None

    @property
    def loaded(self) -> bool:
        return self._translator is not None

    def translate(self, segments: Sequence[str], *, progress: Progress | None = None) -> list[str]:
        if not segments:
            return []
        self.load()
        tokens: list[list[str]] = self._sp.encode(list(segments), out_type=str)
        # Enough room for every segment, so none is cut short (CTranslate2's default is 256).
        longest = max((len(t) for t in tokens), default=0)
        max_len = max(MIN_DECODING_LENGTH, 2 * longest + 16)
        results = self._translator.translate_iterable(
            tokens,
            max_batch_size=self.max_batch_tokens,
            batch_type="tokens",
            beam_size=self.beam_size,
            max_decoding_length=max_len,
            max_input_length=0,
            replace_unknowns=True,
            length_penalty=0.2,
        )
        out: list[str] = []
        for result in results:
            out.append(self._sp.decode(result.hypotheses[0]))
            if progress is not None:
                progress(1)
        return out
