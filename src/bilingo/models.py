"""Find, install, describe and check Argos packages.

Install from the Argos index or from a ``.argosmodel`` file; :func:`package_shape` says what
an installed package is made of (``bilingo models list``), :func:`check_packages` translates
a few known sentences through each and reports what looks broken (``bilingo models check``).
"""

from __future__ import annotations

import json
import re
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bilingo.engine import (
    ArgosEngine,
    Engine,
    PackageInfo,
    find_package,
    installed_packages,
    model_vocabularies,
    packages_dirs,
    tokenizer_misfit,
)
from bilingo.errors import ModelError
from bilingo.tokenizer import (
    CONTROL_TOKENS,
    SPACE_PIECE,
    TOKENIZER_FILES,
    SentencePieceTokenizer,
    open_tokenizer,
)

#: (bytes done, bytes total or 0 when unknown)
DownloadProgress = Callable[[int, int], None]
#: Language codes of the packages bilingo runs ("no": older Argos name of Bokmål).
LANGUAGES = ("nb", "no", "en")


@contextmanager
def _install_target() -> Iterator[Path]:
    """Point argostranslate's install folder at bilingo's (``ARGOS_PACKAGES_DIR`` honoured)."""
    from argostranslate import settings

    target = packages_dirs()[0]
    target.mkdir(parents=True, exist_ok=True)
    saved = settings.package_data_dir
    settings.package_data_dir = target
    try:
        yield target
    finally:
        settings.package_data_dir = saved


def validate_package_file(path: Path) -> dict[str, object]:
    """Read a ``.argosmodel`` file's metadata, or say exactly what is wrong with it."""
    if not path.is_file():
        raise ModelError(f"no such file: {path}; give the path of a .argosmodel package")
    if not zipfile.is_zipfile(path):
        raise ModelError(f"{path} is not an Argos package (not a zip archive); download it again")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        meta_names = [n for n in names if n.count("/") == 1 and n.endswith("/metadata.json")]
        if not meta_names:
            raise ModelError(f"{path} has no <folder>/metadata.json, so it is not an Argos package")
        try:
            meta = json.loads(zf.read(meta_names[0]).decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ModelError(f"{path}: metadata.json is unreadable ({exc})") from None
        top = meta_names[0].split("/", 1)[0]
        if f"{top}/model/model.bin" not in names:
            raise ModelError(f"{path} lacks model/model.bin; the package is incomplete")
        if not any(f"{top}/{name}" in names for name in TOKENIZER_FILES):
            raise ModelError(
                f"{path} lacks a tokenizer ({' or '.join(TOKENIZER_FILES)}); the package is "
                "incomplete: download it again"
            )
    if not isinstance(meta, dict) or not meta.get("from_code") or not meta.get("to_code"):
        raise ModelError(f"{path}: metadata.json does not name from_code and to_code")
    pair = (str(meta["from_code"]), str(meta["to_code"]))
    if not {pair[0], pair[1]} <= set(LANGUAGES) or pair[0] == pair[1]:
        raise ModelError(
            f"{path} is a {pair[0]} -> {pair[1]} package; bilingo translates nb <-> en: "
            "install translate-nb_en or translate-en_nb (bilingo models install nb en)"
        )
    return meta


def install_file(path: Path) -> PackageInfo:
    """Install a ``.argosmodel`` file with argostranslate's own installer."""
    meta = validate_package_file(path)
    _refuse_unrunnable(path, meta)
    import argostranslate.package

    with _install_target():
        try:
            argostranslate.package.install_from_path(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise ModelError(f"cannot install {path}: {exc}") from None
    for pkg in installed_packages():
        if pkg.from_code == meta["from_code"] and pkg.to_code == meta["to_code"]:
            return pkg
    raise ModelError(f"installed {path}, but argostranslate does not list it; check its metadata")


def _refuse_unrunnable(path: Path, meta: dict[str, object]) -> None:
    """Unpack ``path`` aside and read its shape: what ``translate`` would refuse is not
    installed (an installed package of the same pair would be overwritten first)."""
    with tempfile.TemporaryDirectory(prefix="bilingo-package-") as tmp, zipfile.ZipFile(path) as zf:
        zf.extractall(tmp)  # zipfile drops absolute paths and ".." from member names
        names = zf.namelist()
        top = next(n for n in names if n.count("/") == 1 and n.endswith("/metadata.json"))
        top = top.split("/", 1)[0]
        pkg = PackageInfo(
            code=top,
            from_code=str(meta["from_code"]),
            to_code=str(meta["to_code"]),
            version=str(meta.get("package_version", "")),
            path=Path(tmp) / top,
            target_prefix=str(meta.get("target_prefix") or ""),
        )
        faults = package_shape(pkg).faults
    if faults:
        raise ModelError(f"{path} cannot be run: {'; '.join(faults)}; download it again")


def install_from_index(
    source: str, target: str, *, progress: DownloadProgress | None = None
) -> PackageInfo:
    """Download the ``source -> target`` package from the Argos index and install it.

    The index is fetched here with a timeout rather than through
    ``argostranslate.package.get_available_packages``, which retries forever (until a
    RecursionError) when the index can't be reached.
    """
    from argostranslate import settings

    offline = (
        "cannot reach the Argos package index ({why}). On a machine with network, download "
        f"translate-{source}_{target}.argosmodel and run: bilingo models install --file FILE"
    )
    try:
        with urllib.request.urlopen(settings.remote_package_index, timeout=30) as resp:
            index = json.loads(resp.read().decode("utf-8"))
    except (OSError, urllib.error.URLError, ValueError) as exc:
        raise ModelError(offline.format(why=getattr(exc, "reason", exc))) from None
    wanted = [
        p
        for p in index
        if isinstance(p, dict) and p.get("from_code") == source and p.get("to_code") == target
    ]
    if not wanted:
        raise ModelError(
            f"the Argos index has no {source} -> {target} package; bilingo translates nb <-> en"
        )
    links = [str(u) for u in wanted[0].get("links") or []]
    if not links:
        raise ModelError(f"the Argos index lists no download link for {source} -> {target}")
    with tempfile.TemporaryDirectory(prefix="bilingo-download-") as tmp:
        dest = Path(tmp) / f"translate-{source}_{target}.argosmodel"
        try:
            _download(links[0], dest, progress)
        except (OSError, urllib.error.URLError) as exc:
            raise ModelError(offline.format(why=getattr(exc, "reason", exc))) from None
        return install_file(dest)


def _download(url: str, dest: Path, progress: DownloadProgress | None) -> None:
    with urllib.request.urlopen(url, timeout=60) as resp, dest.open("wb") as out:
        total = int(resp.headers.get("Content-Length") or 0)
        done = 0
        while chunk := resp.read(1 << 16):
            out.write(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)


# --------------------------------------------------------------------------- shape


@dataclass(frozen=True)
class PackageShape:
    """What an installed package is made of, read from its files."""

    package: PackageInfo
    #: ``sentencepiece`` or ``bpe``; None: the package has no tokenizer.
    tokenizer: str | None
    #: CTranslate2 vocabularies: ``joint`` (one shared file) or ``separate``; None: unreadable.
    vocabulary: str | None
    #: Target pieces the packaged SentencePiece model does not know (an OPUS-MT conversion
    #: has thousands: its sentencepiece.model is the source side's); None when not counted.
    foreign_target_pieces: int | None
    #: From the model's config.json (CTranslate2 adds them to every source).
    add_source_bos: bool
    add_source_eos: bool
    #: What is wrong, where bilingo cannot run the package; empty when it can.
    faults: tuple[str, ...] = ()

    @property
    def problem(self) -> str:
        """Why bilingo cannot run the package, with the fix; "" when it can."""
        return f"{'; '.join(self.faults)}; {_fix(self.package)}" if self.faults else ""

    @property
    def target_vocabulary(self) -> str:
        """``shared`` when the tokenizer knows every target piece, else ``separate``."""
        if self.foreign_target_pieces is None:
            return "unknown"
        return "separate" if self.foreign_target_pieces else "shared"

    def describe(self) -> str:
        """One line for ``bilingo models list``."""
        if self.problem:
            return f"cannot run: {self.problem}"
        parts = [f"tokenizer {self.tokenizer}"]
        if self.foreign_target_pieces:
            parts.append(
                f"separate target vocabulary ({self.foreign_target_pieces} pieces the "
                "tokenizer lacks)"
            )
        elif self.foreign_target_pieces == 0:
            parts.append("target vocabulary shared with the tokenizer")
        prefix = self.package.target_prefix
        parts.append(f"target prefix {prefix!r}" if prefix else "no target prefix")
        source_marks = [
            m for m, on in (("<s>", self.add_source_bos), ("</s>", self.add_source_eos)) if on
        ]
        if source_marks:
            parts.append(f"source gets {' '.join(source_marks)}")
        parts.append("test copy model" if self.package.copy_model else "translation model")
        return "; ".join(parts)

    def to_json(self) -> dict[str, object]:
        return {
            "tokenizer": self.tokenizer,
            "vocabulary": self.vocabulary,
            "target_vocabulary": self.target_vocabulary,
            "foreign_target_pieces": self.foreign_target_pieces,
            "target_prefix": self.package.target_prefix,
            "add_source_bos": self.add_source_bos,
            "add_source_eos": self.add_source_eos,
            "copy_model": self.package.copy_model,
            "problem": self.problem,
        }


def _fix(pkg: PackageInfo) -> str:
    return (
        f"reinstall it: bilingo models install {pkg.from_code} {pkg.to_code} "
        "(or --file PACKAGE.argosmodel)"
    )


def package_shape(pkg: PackageInfo) -> PackageShape:
    """Read ``pkg``'s tokenizer, vocabularies and config (no model is loaded)."""
    model_dir = pkg.path / "model"
    config: dict[str, object] = {}
    try:
        loaded = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        config = loaded if isinstance(loaded, dict) else {}
    except (OSError, ValueError):
        pass  # older conversions have no config.json: CTranslate2's defaults apply
    problems: list[str] = []
    if not (model_dir / "model.bin").is_file():
        problems.append("model/model.bin is missing")
    try:
        source, target, joint = model_vocabularies(model_dir)
        vocabulary: str | None = "joint" if joint else "separate"
    except ModelError as exc:
        source = target = []
        vocabulary = None
        problems.append(exc.message.removeprefix("has "))
    tokenizer_kind: str | None = None
    foreign: int | None = None
    try:
        tokenizer = open_tokenizer(pkg.path, pkg.from_code, pkg.to_code)
        tokenizer_kind = tokenizer.kind
        if isinstance(tokenizer, SentencePieceTokenizer) and target:
            # The prefix is a target-only piece by design, not a decoding hazard.
            known = {*tokenizer.vocabulary(), *CONTROL_TOKENS, pkg.target_prefix}
            foreign = sum(t not in known for t in target)
            if source:
                misfit = tokenizer_misfit(tokenizer, model_dir)
                if misfit:
                    problems.append(misfit.removeprefix("has "))
    except ModelError:
        problems.append(f"no tokenizer ({' or '.join(TOKENIZER_FILES)})")
    except (RuntimeError, OSError, ValueError) as exc:
        problems.append(f"an unreadable tokenizer ({exc})")
    return PackageShape(
        package=pkg,
        tokenizer=tokenizer_kind,
        vocabulary=vocabulary,
        foreign_target_pieces=foreign,
        add_source_bos=bool(config.get("add_source_bos", False)),
        add_source_eos=bool(config.get("add_source_eos", False)),
        faults=tuple(problems),
    )


# --------------------------------------------------------------------------- check

#: Known sentences per source language: ordinary prose (a healthy model changes every one),
#: with numbers, a URL and an underscore (bilingo's segmenter keeps the URL from the engine;
#: the rest the model must carry over).
PROBES: dict[str, tuple[str, ...]] = {
    "nb": (
        "I 2015 fikk 12 bedrifter i Oslo status som næringsklynge.",
        "Les mer om klyngen på https://www.example.no/klynger_2015 før 1. juli.",
        "Kolleksjonen ble vist på motevisningen i fjor, og 40 prosent av plaggene var "
        "laget av resirkulert ull.",
    ),
    "en": (
        "In 2015, 12 companies in Oslo were given the status of a business cluster.",
        "Read more about the cluster at https://www.example.com/clusters_2015 before 1 July.",
        "The collection was shown at the fashion show last year, and 40 percent of the "
        "garments were made from recycled wool.",
    ),
}
_URL = re.compile(r"https?://\S+")
_DIGITS = re.compile(r"\d+")
#: What an unknown token looks like once decoded by other tools: <unk>, SentencePiece's ⁇.
_UNKNOWN_MARKS = ("<unk>", "\u2047")


@dataclass(frozen=True)
class ProbeResult:
    source: str
    output: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class PackageCheck:
    """What ``bilingo models check`` found for one package."""

    shape: PackageShape
    results: tuple[ProbeResult, ...]
    #: The package as a whole (cannot load, ...), each with its fix.
    problems: tuple[str, ...]
    #: Not problems: what the user should know (a copy model echoes by design).
    notes: tuple[str, ...]
    #: How far the alignment head agrees with the probes' anchors, and so how whole
    #: sentences' markup is placed (``bilingo.placement``); None when not measured.
    placement: Placement | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and not any(r.problems for r in self.results)

    def to_json(self) -> dict[str, object]:
        pkg = self.shape.package
        return {
            "code": pkg.code,
            "from": pkg.from_code,
            "to": pkg.to_code,
            "version": pkg.version,
            "path": str(pkg.path),
            "ok": self.ok,
            "shape": self.shape.to_json(),
            "problems": list(self.problems),
            "notes": list(self.notes),
            "placement": self.placement.to_json() if self.placement is not None else None,
            "sentences": [
                {"source": r.source, "output": r.output, "problems": list(r.problems)}
                for r in self.results
            ],
        }


@dataclass(frozen=True)
class Placement:
    """The alignment head measured against the anchors of the probe sentences."""

    anchors: int
    agreed: int
    #: "attention" (the head agrees), "prediction difference" (it does not: spans placed by
    #: scoring the output with the span masked), or "none" (the package gives no alignment).
    method: str

    def to_json(self) -> dict[str, object]:
        return {"anchors": self.anchors, "agreed": self.agreed, "method": self.method}

    def describe(self) -> str:
        if self.method == "none":
            return (
                "this package's tokenizer gives no alignment: whole sentences' markup is placed "
                "by each span's own translation, else the sentence goes in pieces"
            )
        share = f"{self.agreed} of {self.anchors} anchors (names, numbers, placeholders)"
        if self.method == "attention":
            return f"alignment head agrees with {share}: markup placed by its attention"
        return (
            f"alignment head disagrees with the anchors (agrees with {share}): it was not "
            "trained to align; markup placed by prediction difference (score_batch)"
        )


def measure_placement(engine: Engine, sources: Sequence[str]) -> Placement | None:
    """Translate ``sources`` whole (placeholders and all, as ``translate`` sends them) and
    count the alignment head's agreement with their anchors."""
    from bilingo.document import segment
    from bilingo.inline import source_words, word_alignment, words
    from bilingo.placement import Agreement, agreement, anchors
    from bilingo.units import units

    aligned = getattr(engine, "translate_aligned", None)
    if aligned is None:
        return None
    sentences = [u.sentence for text in sources for u in units(segment(text))]
    results = aligned([s.text for s in sentences])
    total = Agreement(0, 0)
    for sentence, result in zip(sentences, results, strict=True):
        pairs = word_alignment(source_words(sentence), words(result.text), result.pairs)
        total += agreement(pairs, anchors(sentence, result.text, result))
    if not any(r.pairs for r in results):
        return Placement(total.anchors, 0, "none")
    method = "attention" if total.trusted else "prediction difference"
    return Placement(total.anchors, total.agree, method)


def probe_problems(source: str, output: str, *, copy_model: bool) -> tuple[str, ...]:
    """What looks broken in one translation of ``source``."""
    found: list[str] = []
    if not output.strip():
        return ("empty output",)
    if SPACE_PIECE in output:
        found.append("raw SentencePiece space (U+2581) in the output")
    if any(mark in output for mark in _UNKNOWN_MARKS):
        found.append("an unknown-token mark (<unk> or ⁇) in the output")
    if output.strip() == source.strip() and not copy_model:
        found.append("echoed: the output is the input (a model for another pair?)")
    urls = _URL.findall(source)
    for url in urls:
        if url not in output:
            found.append(f"lost URL {url}")
    digits = _DIGITS.findall(_URL.sub(" ", source))
    out_digits = _DIGITS.findall(_URL.sub(" ", output))
    missing = [d for d in dict.fromkeys(digits) if out_digits.count(d) < digits.count(d)]
    if missing:
        found.append(f"lost number{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    return tuple(found)


def _translate_probe(engine: Engine, text: str) -> str:
    """``text`` as ``bilingo translate`` would write it: segmented, so URLs skip the engine."""
    from bilingo.document import segment

    document = segment(text)
    return document.render(engine.translate([s.text for s in document.segments]))


def check_package(
    pkg: PackageInfo, *, engine_factory: Callable[[PackageInfo], Engine] | None = None
) -> PackageCheck:
    """Translate :data:`PROBES` through ``pkg`` and say what looks broken."""
    shape = package_shape(pkg)
    notes: list[str] = []
    if pkg.copy_model:
        notes.append(
            "test copy model (metadata bilingo_copy_model): it gives its input back by design, "
            "so echoes are not problems; install a real model with bilingo models install"
        )
    sources = PROBES.get("nb" if pkg.from_code == "no" else pkg.from_code, ())
    if not sources:
        problem = f"no known sentences in {pkg.from_code!r}: bilingo checks nb and en packages"
        return PackageCheck(shape, (), (problem,), tuple(notes))
    if shape.problem:
        return PackageCheck(shape, (), (shape.problem,), tuple(notes))
    engine = engine_factory(pkg) if engine_factory is not None else ArgosEngine(pkg)
    try:
        outputs = [_translate_probe(engine, text) for text in sources]
        placement = measure_placement(engine, sources)
    except ModelError as exc:
        return PackageCheck(shape, (), (exc.message,), tuple(notes))
    results = tuple(
        ProbeResult(text, out, probe_problems(text, out, copy_model=pkg.copy_model))
        for text, out in zip(sources, outputs, strict=True)
    )
    if placement is not None:
        notes.append(placement.describe())
    return PackageCheck(shape, results, (), tuple(notes), placement)


def check_packages(
    pair: Sequence[str] | None = None,
    *,
    engine_factory: Callable[[PackageInfo], Engine] | None = None,
) -> list[PackageCheck]:
    """Check the installed package for ``pair`` (source, target), or every installed one.

    Raises ModelError (with the install command) when there is none to check.
    """
    if pair is not None:
        packages = [find_package(pair[0], pair[1])]
    else:
        packages = installed_packages()
        if not packages:
            where = ", ".join(str(d) for d in packages_dirs())
            raise ModelError(
                f"no translation model is installed (looked in {where}); "
                "run: bilingo models install nb en"
            )
    return [check_package(pkg, engine_factory=engine_factory) for pkg in packages]
