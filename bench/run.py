"""bilingo benchmarks (issue 8): speed against argos' own loop and the CTranslate2 ceiling.

Run from the repository root (outside the test run; needs no network)::

    .venv/bin/python bench/run.py                 # ~100 articles, 3 runs: tens of minutes
    .venv/bin/python bench/run.py --quick         # smoke run: a few articles, 1 run
    .venv/bin/python bench/run.py --tune          # sweep CTranslate2 batch/thread settings

Everything goes to ``bench-out/`` (gitignored): the base-size copy model (an Argos package
whose CTranslate2 model copies its input; Transformer base, int8, 32k vocabulary: the shape
and cost per token of the real nb↔en models), the generated corpora, and
``bench-out/results.json`` with every number printed.

Measured side by side, interleaved run by run (the machine is shared and noisy), medians:

* ``bilingo translate DIR --no-memory --beam-size 4 --json --inline fragments`` as a
  process, end to end (interpreter start, imports, model load, segmentation, writing the
  twins), and the same with ``--inline whole`` (issue 14: whole sentences, alignment and
  projection) next to an in-process split of what the alignment and projection cost;
* argos' own loop: ``argostranslate.translate.apply_packaged_translation`` paragraph by
  paragraph, as ``PackageTranslation.hypotheses`` calls it (argos' settings: beam 4, batch
  32 tokens), with a trivial sentence splitter instead of MiniSBD (which would download a
  model): it hands back the sentences bilingo cut the paragraph into, so all three rows
  translate the same token sequences;
* the ceiling: ``ctranslate2.Translator.translate_batch`` on bilingo's de-duplicated
  segments, tokenized in advance, with the best batch settings found by ``--tune``.

argos and the ceiling are timed around translation only (model already loaded), bilingo
as a whole process, so bilingo's ratios are lower bounds.  Rates are corpus segments (and
their words) per second for every row, duplicates included.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The copy-model builder is test tooling: it lives in tests/, not in the installed package.
sys.path.insert(0, str(ROOT / "tests"))
TEMPLATE_DIRS = (ROOT / "articles", ROOT / "tests" / "fixtures" / "articles")
TRAINING_ROOTS = (ROOT / "articles", ROOT / "tests" / "fixtures")
PYTHON = Path(sys.executable)
BILINGO = PYTHON.parent / "bilingo"
BEAM = 4
#: bilingo's batch limits traded for speed: the ceiling's batch size (64 segments), with
#: a token cap so one batch of long paragraphs cannot take gigabytes.
FAST_BATCHES = ("--batch-tokens", "1024", "--batch-segments", "64")
FRAGMENTS = ("--inline", "fragments")
WHOLE = ("--inline", "whole")

#: CTranslate2 settings of the ceiling: the fastest found by ``--tune`` on the 2-core machine
#: of BENCHMARKS.md (two batches at once, one thread each, 64 segments a batch).
CEILING: dict[str, Any] = {
    "compute_type": "int8",
    "intra_threads": 1,
    "inter_threads": 2,
    "max_batch_size": 64,
    "batch_type": "examples",
}


# --------------------------------------------------------------------------- processes


@dataclass(frozen=True)
class Proc:
    """One finished child process: wall and CPU seconds, peak RSS, exit code, output."""

    wall: float
    cpu: float
    max_rss_mb: float
    rc: int
    stdout: str
    stderr: str


#: Runs the measured commands. A child's peak RSS (ru_maxrss) starts from the RSS of the
#: process it was forked from and survives exec, so children forked from this process,
#: once it holds the models of the argos and ceiling rows, would report ~700 MB whatever
#: they use. This launcher is started first, at ~10 MB, and forks them all.
_LAUNCHER = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    job = json.loads(line)
    with open(job["stdout"], "wb") as out, open(job["stderr"], "wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(job["cmd"], cwd=job["cwd"], env=job["env"], stdout=out,
                                 stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                      "maxrss_kb": usage.ru_maxrss, "rc": child.returncode}), flush=True)
"""


Runner = Callable[..., Proc]


class Launcher:
    """A small process that runs commands and reports their own wait4 rusage."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [str(PYTHON), "-c", _LAUNCHER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, cmd: Sequence[str | Path], *, cwd: Path, env: dict[str, str]) -> Proc:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        out_path, err_path = cwd / ".bench-stdout", cwd / ".bench-stderr"
        job = {
            "cmd": [str(c) for c in cmd],
            "cwd": str(cwd),
            "env": env,
            "stdout": str(out_path),
            "stderr": str(err_path),
        }
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        done = json.loads(self.proc.stdout.readline())
        stdout = out_path.read_text(encoding="utf-8", errors="replace")
        stderr = err_path.read_text(encoding="utf-8", errors="replace")
        out_path.unlink()
        err_path.unlink()
        return Proc(
            wall=done["wall"],
            cpu=done["cpu"],
            max_rss_mb=done["maxrss_kb"] / 1024,  # KiB on Linux
            rc=done["rc"],
            stdout=stdout,
            stderr=stderr,
        )

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --------------------------------------------------------------------------- corpus

_WORD_RE = re.compile(r"[^\W\d_]{2,}")  # a bare word: letters only, no markup
#: A word inside markup: **bold**, [link text](url), *emphasis*, «quoted», word, ...
_CORE_RE = re.compile(r"([*_\[«\"“(]*)([^\W\d_]{2,})([*_»\"”),.;:!?]*(?:\]\(.*)?[*_),.;:!?]*)")
_NUMBER_RE = re.compile(r"\(?\d[\d.,]*[%)]?[.,;:!?)]*")  # 38, 1,2, 2023., (19)
_SENTENCE_END = (".", "!", "?", ":", "»", '"', "”")
_FM_RE = re.compile(r"\A---\n(.*?\n)---\n", re.DOTALL)
_REF_DEF_RE = re.compile(r"\s*\[[^\]^][^\]]*\]:\s")  # [label]: url (not a footnote [^1]:)


def _swap_core(word: str, new: str) -> str:
    match = _CORE_RE.fullmatch(word)
    if match is None:
        return word
    core = match.group(2)
    new = new.capitalize() if core[:1].isupper() else new
    return match.group(1) + new + match.group(3)


def _vary_words(words: list[str], rng: random.Random, vocabulary: Sequence[str]) -> list[str]:
    """Shuffle the bare words of each sentence (its first word stays), put another word of
    the same article in place of one word (markup and case kept), redraw numbers' digits."""
    out = list(words)
    sentences: list[tuple[list[int], list[int]]] = []
    movable: list[int] = []
    swappable: list[int] = []
    at_start = True
    for i, word in enumerate(out):
        if _NUMBER_RE.fullmatch(word) and not (i == 0 and word.endswith(".")):
            out[i] = re.sub(r"\d", lambda _m: rng.choice("123456789"), word)
        elif not at_start and _WORD_RE.fullmatch(word):
            movable.append(i)
        elif _CORE_RE.fullmatch(word):  # a sentence's first word too: its case is kept
            swappable.append(i)
        at_start = word.endswith(_SENTENCE_END) or word in ("–", "-", ">", "")
        if at_start and (movable or swappable):
            sentences.append((movable, swappable))
            movable, swappable = [], []
    if movable or swappable:
        sentences.append((movable, swappable))
    for moving, swapping in sentences:
        picked = [out[i] for i in moving]
        rng.shuffle(picked)
        for i, word in zip(moving, picked, strict=True):
            out[i] = word
        if vocabulary:
            i = rng.choice(moving + swapping)
            out[i] = _swap_core(out[i], rng.choice(vocabulary))
    return out


def vary_article(text: str, rng: random.Random) -> str:
    """A variant of a fixture article: same Markdown structure and length, other prose."""
    vocabulary = sorted({w.lower() for w in text.split() if _WORD_RE.fullmatch(w)})
    match = _FM_RE.match(text)
    head, body = ("", text) if match is None else (text[: match.end()], text[match.end() :])
    lines: list[str] = []
    for line in head.splitlines(keepends=True):
        key, sep, value = line.rstrip("\n").partition(": ")
        if sep and key in ("title", "description", "summary"):
            line = key + sep + " ".join(_vary_words(value.split(" "), rng, vocabulary)) + "\n"
        lines.append(line)
    fence = ""
    for line in body.splitlines(keepends=True):
        stripped = line.strip()
        if fence:
            fence = "" if stripped.startswith(fence) else fence
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif (
            stripped
            and not line.startswith("    ")
            and not stripped.startswith(("<", "|-", "|:"))
            and not _REF_DEF_RE.match(line)
        ):
            eol = line[len(line.rstrip("\n")) :]
            line = " ".join(_vary_words(line.rstrip("\n").split(" "), rng, vocabulary)) + eol
        lines.append(line)
    return "".join(lines)


def templates() -> list[Path]:
    return [p for d in TEMPLATE_DIRS for p in sorted(d.glob("*.md"))]


def make_corpus(out: Path, n: int, *, seed: int = 8) -> list[Path]:
    """``n`` source articles varied from the fixtures, the fixtures' mix of languages and
    naming (``slug.nb.md``, ``slug.en.md``, ``slug.md`` detected by langdetect)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = random.Random(seed)
    sources = templates()
    written: list[Path] = []
    for i in range(n):
        template = sources[i % len(sources)]
        stem = template.name[: -len(".md")]
        slug, dot, lang = stem.rpartition(".")
        name = f"{slug}-{i:04d}.{lang}.md" if dot else f"{stem}-{i:04d}.md"
        path = out / name
        path.write_text(vary_article(template.read_text(encoding="utf-8"), rng), encoding="utf-8")
        written.append(path)
    return written


@dataclass
class Direction:
    """What one direction of the corpus sends to a model."""

    source: str
    target: str
    package: Path
    segments: list[str] = field(default_factory=list)  # every segment, in corpus order
    paragraphs: list[list[str]] = field(default_factory=list)  # the same, by paragraph
    docs: list[Any] = field(default_factory=list)  # bodies and fields (whole sentences)

    @property
    def unique(self) -> list[str]:
        return list(dict.fromkeys(self.segments))


def corpus_directions(corpus: Path) -> list[Direction]:
    """bilingo's own plan of the corpus: the segments of every job, per direction."""
    from bilingo.engine import find_package
    from bilingo.glossary import empty_glossary
    from bilingo.pipeline import load_articles, plan

    found = load_articles([corpus])
    if found.problems:
        raise SystemExit(f"corpus has unreadable articles: {found.problems}")
    the_plan = plan(found.articles, glossary=empty_glossary())
    if the_plan.outcomes:
        raise SystemExit(f"corpus articles not translatable: {the_plan.outcomes}")
    directions: dict[tuple[str, str], Direction] = {}
    for job in the_plan.jobs:
        pair = (job.source_lang, job.target_lang)
        if pair not in directions:
            directions[pair] = Direction(*pair, find_package(*pair).path)
        d = directions[pair]
        doc = job.body
        paragraphs = [[doc.segments[i].text for i in b.segments] for b in doc.blocks]
        paragraphs += [[s.text for s in f.segments] for f in job.fields.values()]
        paragraphs = [p for p in paragraphs if p]
        flat = [s for p in paragraphs for s in p]
        if flat != job.texts():  # every segment bilingo translates, each exactly once
            raise SystemExit(f"paragraphs of {job.article.path} do not add up to its segments")
        d.segments += flat
        d.paragraphs += paragraphs
        d.docs += [doc, *job.fields.values()]
    return [directions[k] for k in sorted(directions)]


def words_of(texts: Sequence[str]) -> int:
    return sum(len(t.split()) for t in texts)


# --------------------------------------------------------------------------- model


def ensure_model(packages: Path, *, rebuild: bool) -> None:
    """Install the base-size copy models (nb→en, en→nb) once; rebuild when inputs change."""
    import copymodel

    text = copymodel.corpus_text(*TRAINING_ROOTS) + "\n" + copymodel.SAMPLE_TEXT
    stamp = hashlib.sha256(text.encode() + Path(copymodel.__file__).read_bytes()).hexdigest()
    stamp_file = packages / "bench-stamp.txt"
    if not rebuild and stamp_file.is_file() and stamp_file.read_text() == stamp:
        return
    if packages.exists():
        shutil.rmtree(packages)
    print("building the base-size copy models ...", flush=True)
    start = time.perf_counter()
    copymodel.install_copy_models(packages, training_text=text, size="base")
    stamp_file.write_text(stamp)
    print(f"  built in {time.perf_counter() - start:.0f} s", flush=True)


def dir_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


# --------------------------------------------------------------------------- in-process rows


class TrivialSentencizer:
    """Stands in for MiniSBD: gives back the sentences bilingo cut each paragraph into."""

    def __init__(self, paragraphs: Sequence[Sequence[str]]) -> None:
        self.known = {" ".join(p): list(p) for p in paragraphs}

    def split_sentences(self, text: str) -> list[str]:
        return self.known.get(text) or re.split(r"(?<=[.!?])\s+", text)


class ArgosLoop:
    """argos' own translation loop on the package, model loaded once (not timed)."""

    def __init__(self, direction: Direction) -> None:
        from copymodel import import_argos

        settings, package = import_argos()
        import argostranslate.translate as argos_translate
        import ctranslate2

        settings.beam_size = BEAM  # what ARGOS_BEAM_SIZE sets; argos' default is 4 too
        self.settings = settings
        self.translate = argos_translate.apply_packaged_translation
        self.pkg = package.Package(direction.package)
        # The Translator exactly as PackageTranslation.hypotheses creates it.
        params: dict[str, Any] = {
            "model_path": str(direction.package / "model"),
            "device": settings.device,
            "inter_threads": settings.inter_threads,
            "intra_threads": settings.intra_threads,
        }
        if settings.compute_type != "auto":
            params["compute_type"] = settings.compute_type
        self.translator = ctranslate2.Translator(**params)
        self.direction = direction
        self.sentencizer = TrivialSentencizer(direction.paragraphs)

    def run(self) -> int:
        """Translate every paragraph; returns how many came back different (should be 0)."""
        wrong = 0
        for paragraph in self.direction.paragraphs:
            text = " ".join(paragraph)
            hyp = self.translate(self.pkg, text, self.translator, self.sentencizer, 1)
            wrong += hyp[0].value.replace(" ", "") != text.replace(" ", "")
        return wrong


class Ceiling:
    """Raw ``translate_batch`` on pre-tokenized unique segments."""

    def __init__(self, direction: Direction, settings: dict[str, Any]) -> None:
        import ctranslate2
        import sentencepiece

        self.sp = sentencepiece.SentencePieceProcessor(
            model_file=str(direction.package / "sentencepiece.model")
        )
        self.translator = ctranslate2.Translator(
            str(direction.package / "model"),
            device="cpu",
            compute_type=settings["compute_type"],
            intra_threads=settings["intra_threads"],
            inter_threads=settings["inter_threads"],
        )
        self.settings = settings
        self.texts = direction.unique
        self.tokens: list[list[str]] = self.sp.encode(self.texts, out_type=str)

    def run(self, tokens: list[list[str]] | None = None) -> int:
        tokens = self.tokens if tokens is None else tokens
        longest = max(len(t) for t in tokens)
        results = self.translator.translate_batch(
            tokens,
            beam_size=BEAM,
            max_batch_size=self.settings["max_batch_size"],
            batch_type=self.settings["batch_type"],
            max_decoding_length=max(256, 2 * longest + 16),
            max_input_length=0,
            replace_unknowns=True,
            length_penalty=0.2,
        )
        return sum(r.hypotheses[0] != t for r, t in zip(results, tokens, strict=True))


class WholeCost:
    """What whole sentences add (issue 14), on bilingo's engine: the same unique sentences
    translated plainly, then with the alignment (``translate_aligned``), then projected."""

    def __init__(self, direction: Direction) -> None:
        from bilingo.engine import ArgosEngine, find_package
        from bilingo.units import units

        self.engine = ArgosEngine(find_package(direction.source, direction.target), beam_size=BEAM)
        self.engine.load()
        found = {u.key: u.sentence for doc in direction.docs for u in units(doc)}
        self.sentences = list(found.values())
        self.texts = [s.text for s in self.sentences]

    def run(self) -> tuple[float, float, float, int]:
        """CPU seconds (the machine is shared: wall time is noise) of the plain translation,
        the aligned one and the projection, and the sentences that failed to project."""
        from bilingo.inline import Projected, project, source_words, word_alignment, words

        start = cpu_seconds()
        self.engine.translate(self.texts)
        plain = cpu_seconds() - start
        start = cpu_seconds()
        results = self.engine.translate_aligned(self.texts)
        aligned = cpu_seconds() - start
        start = cpu_seconds()
        failed = 0
        for sentence, result in zip(self.sentences, results, strict=True):
            pairs = word_alignment(source_words(sentence), words(result.text), result.pairs)
            failed += not isinstance(project(sentence, result.text, pairs), Projected)
        return plain, aligned, cpu_seconds() - start, failed


def timed(fn: Callable[[], int]) -> tuple[float, float, int]:
    cpu, start = cpu_seconds(), time.perf_counter()
    value = fn()
    return time.perf_counter() - start, cpu_seconds() - cpu, value


# --------------------------------------------------------------------------- bilingo rows


def bilingo_env(packages: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["ARGOS_PACKAGES_DIR"] = str(packages)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure with .pyc files, as users run it
    return env


#: ``bilingo`` with ``bilingo.engine`` taken from another file: the engine before tuning.
_OTHER_ENGINE = r"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("bilingo.engine", sys.argv[1])
module = importlib.util.module_from_spec(spec)
sys.modules["bilingo.engine"] = module
spec.loader.exec_module(module)
from bilingo.cli import main
main(sys.argv[2:])
"""


#: ``bilingo`` with the engine's CPU batch limits set from the command line.
_BATCH_LIMITS = r"""
import sys
import bilingo.engine
bilingo.engine.CPU_BATCH_TOKENS = int(sys.argv[1])
bilingo.engine.CPU_BATCH_SEGMENTS = int(sys.argv[2])
from bilingo.cli import main
main(sys.argv[3:])
"""
BATCH_LIMITS = ((256, 16), (256, 32), (384, 24), (512, 32), (1024, 64))


def sweep_batches(
    corpus: Path, work: Path, env: dict[str, str], runs: int, run_process: Runner
) -> None:
    """``bilingo translate`` (a process) with each of BATCH_LIMITS, interleaved: speed and
    peak memory of the engine's batch limits."""
    walls: dict[tuple[int, int], list[float]] = {limits: [] for limits in BATCH_LIMITS}
    cpus: dict[tuple[int, int], list[float]] = {limits: [] for limits in BATCH_LIMITS}
    rsss: dict[tuple[int, int], list[float]] = {limits: [] for limits in BATCH_LIMITS}
    for r in range(runs):
        for limits in BATCH_LIMITS:
            tree = work / "sweep"
            if tree.exists():
                shutil.rmtree(tree)
            shutil.copytree(corpus, tree)
            cmd = [PYTHON, "-c", _BATCH_LIMITS, *map(str, limits)]
            proc = run_process(cmd + translate_cmd(tree, "--no-memory")[1:], cwd=work, env=env)
            check_report(proc, f"bilingo translate with batch limits {limits}")
            walls[limits].append(proc.wall)
            cpus[limits].append(proc.cpu)
            rsss[limits].append(proc.max_rss_mb)
        print(f"  round {r + 1} done", flush=True)
    print("| tokens | segments | wall s (median) | CPU s | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|")
    for limits in BATCH_LIMITS:
        print(
            f"| {limits[0]} | {limits[1]} | {med(walls[limits]):.1f} | {med(cpus[limits]):.1f} "
            f"| {med(rsss[limits]):.0f} |"
        )


def old_engine(out: Path, rev: str) -> Path:
    """``src/bilingo/engine.py`` as of git revision ``rev``, written under ``out``."""
    text = subprocess.run(
        ["git", "show", f"{rev}:src/bilingo/engine.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = out / f"engine-{rev}.py"
    path.write_text(text, encoding="utf-8")
    return path


def translate_cmd(tree: Path, *extra: str) -> list[str | Path]:
    return [BILINGO, "translate", tree, "--beam-size", str(BEAM), "--json", *extra]


def check_report(proc: Proc, what: str) -> dict[str, Any]:
    if proc.rc != 0:
        raise SystemExit(f"{what} failed (exit {proc.rc}):\n{proc.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def edit_one_paragraph(tree: Path, which: int, *, detected: bool = False) -> Path:
    """Change one word of the first long prose paragraph of the ``which``-th source
    (``detected``: among sources whose language only langdetect can tell)."""
    from bilingo.article import suffix_language

    sources = sorted(p for p in tree.glob("*.md") if not _is_twin_name(p, tree))
    if detected:
        sources = [
            p
            for p in sources
            if suffix_language(p) is None
            and "\nlang:" not in "\n" + p.read_text(encoding="utf-8").split("\n---\n", 1)[0]
        ]
    path = sources[which % len(sources)]
    text = path.read_text(encoding="utf-8")
    match = _FM_RE.match(text)
    start = match.end() if match else 0
    lines = text[start:].split("\n")
    for i, line in enumerate(lines):
        words = line.split(" ")
        if len(words) >= 12 and line[:1].isalpha():
            words[len(words) // 2] = f"endret{which}"
            lines[i] = " ".join(words)
            break
    else:
        raise SystemExit(f"no paragraph to edit in {path}")
    path.write_text(text[:start] + "\n".join(lines), encoding="utf-8")
    return path


def _is_twin_name(path: Path, tree: Path) -> bool:
    return "\nbilingo:\n" in path.read_text(encoding="utf-8").split("\n---\n", 1)[0]


def write_twins(tree: Path, glossary_file: Path) -> int:
    """Write every source's twin as ``bilingo translate`` would with the copy model
    (the identity), through bilingo's own functions: the same provenance and seal, no model run."""
    from bilingo.article import DEFAULT_TRANSLATED_FIELDS
    from bilingo.engine import find_package
    from bilingo.glossary import load_glossary
    from bilingo.pipeline import build_twin, load_articles, plan, twin_bytes

    glossary = load_glossary(glossary_file)
    the_plan = plan(load_articles([tree]).articles, glossary=glossary)
    for job in the_plan.jobs:
        engine = find_package(job.source_lang, job.target_lang).name
        identity = {t: t for t in job.texts()}
        meta, body = build_twin(
            job,
            identity,
            engine_name=engine,
            glossary=glossary,
            fields=DEFAULT_TRANSLATED_FIELDS,
        )
        data = twin_bytes(
            job, meta, body, glossary_hash=glossary.hash, fields=DEFAULT_TRANSLATED_FIELDS
        )
        job.twin.write_bytes(data)
    return len(the_plan.jobs)


def mark_languages(tree: Path) -> int:
    """Give every source without a language suffix or ``lang:`` a ``lang:`` line (the one
    langdetect finds). Returns how many were changed."""
    from bilingo.article import read_article
    from bilingo.detect import detect_article

    changed = 0
    for path in sorted(tree.glob("*.md")):
        article = read_article(path)
        if article.is_twin or article.suffix_lang or "lang" in article.meta:
            continue
        lang = detect_article(article).lang
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---\n"):
            raise SystemExit(f"{path} has no front matter to add lang: to")
        path.write_text(f"---\nlang: {lang}\n{text[4:]}", encoding="utf-8")
        changed += 1
    return changed


def check_phases(tree: Path, glossary_file: Path) -> dict[str, float]:
    """Where ``bilingo check`` spends its time on ``tree``, phase by phase (milliseconds).

    Run in a fresh process (``--phases TREE``), so imports are paid for here as ``bilingo
    check`` pays for them. The last phase judges every pair in full, as check does for the
    pairs whose seal no longer holds (after a glossary change, every pair).
    """
    phases: dict[str, float] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        phases[name] = round((now - t) * 1000, 1)
        t = now

    import bilingo.cli  # noqa: F401 - what the command imports before it runs
    from bilingo.article import DEFAULT_TRANSLATED_FIELDS
    from bilingo.check import check_paths, find_markdown
    from bilingo.glossary import load_glossary
    from bilingo.seal import settle_pairs

    lap("imports (bilingo.cli, .check, .seal, .glossary)")
    glossary = load_glossary(glossary_file)
    lap("load glossary.yml (for its hash)")
    files, _ = find_markdown([tree])
    lap(f"find {len(files)} files")
    settled, rest = settle_pairs(
        files, glossary_hash=glossary.hash, fields=DEFAULT_TRANSLATED_FIELDS
    )
    lap(f"settle {len(settled)} pairs by their seals ({len(rest)} files left)")
    check_paths([tree], glossary_hash=glossary.hash, use_seals=False)
    lap("the same tree judged in full, no seals (YAML, hashes)")
    phases["langdetect imported"] = float("langdetect" in sys.modules)
    return phases


# --------------------------------------------------------------------------- the benchmark


def med(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine() -> dict[str, Any]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    import ctranslate2

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": sys.version.split()[0],
        "ctranslate2": ctranslate2.__version__,
        "load_average_at_start": os.getloadavg(),
    }


def tune(directions: list[Direction], limit: int, rounds: int) -> None:
    """Sweep the ceiling's settings on ``limit`` unique segments, configurations interleaved
    round by round (the machine is shared), and print the median of each."""
    grid: list[dict[str, Any]] = [
        {
            "compute_type": "int8",
            "intra_threads": intra,
            "inter_threads": inter,
            "max_batch_size": size,
            "batch_type": kind,
        }
        for intra, inter, size, kind in (
            # One batch on both cores (CTranslate2's default) ...
            (2, 1, 32, "examples"),
            (2, 1, 1024, "tokens"),
            # ... against two batches at once, one core each, from small to large batches.
            (1, 2, 16, "examples"),
            (1, 2, 32, "examples"),
            (1, 2, 64, "examples"),
            (1, 2, 128, "examples"),
            (1, 2, 512, "tokens"),
            (1, 2, 1024, "tokens"),
            (1, 2, 2048, "tokens"),
        )
    ]
    d = max(directions, key=lambda x: len(x.unique))
    step = max(1, len(d.unique) // limit)  # spread over the corpus: all kinds of segments
    print(
        f"tuning on {limit} unique segments of {d.source}->{d.target}, {rounds} rounds", flush=True
    )
    ceilings = [Ceiling(d, settings) for settings in grid]
    tokens = ceilings[0].tokens[::step][:limit]
    for c in ceilings:
        c.run(tokens[:8])  # warm up
    walls: list[list[float]] = [[] for _ in grid]
    cpus: list[list[float]] = [[] for _ in grid]
    for r in range(rounds):
        for i, c in enumerate(ceilings):
            wall, cpu, wrong = timed(lambda c=c: c.run(tokens))  # type: ignore[misc]
            walls[i].append(wall)
            cpus[i].append(cpu)
            if wrong:
                print(f"  {wrong} segments differ with {grid[i]}")
        print(f"  round {r + 1} done", flush=True)
    print("| intra | inter | batch | wall s (median) | CPU s | segments/s |")
    print("|---:|---:|---|---:|---:|---:|")
    for settings, w, cp in sorted(zip(grid, walls, cpus, strict=True), key=lambda x: med(x[1])):
        print(
            f"| {settings['intra_threads']} | {settings['inter_threads']} | "
            f"{settings['max_batch_size']} {settings['batch_type']} | {med(w):.2f} | "
            f"{med(cp):.2f} | {len(tokens) / med(w):.1f} |"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100, help="articles to translate")
    parser.add_argument("--runs", type=int, default=3, help="runs of each row (median)")
    parser.add_argument(
        "--argos-runs",
        type=int,
        default=None,
        help="runs of argos' loop (default: --runs; it takes ~10x bilingo's time)",
    )
    parser.add_argument("--check-articles", type=int, default=1000)
    parser.add_argument("--check-runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="smoke run: 6 articles, 1 run")
    parser.add_argument("--tune", action="store_true", help="sweep CTranslate2 settings only")
    parser.add_argument("--tune-segments", type=int, default=600)
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["translate", "whole", "argos", "ceiling", "incremental", "check"],
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out")
    parser.add_argument("--rebuild-model", action="store_true")
    parser.add_argument(
        "--compare-engine",
        metavar="REV",
        help="also run bilingo translate with src/bilingo/engine.py of git revision REV",
    )
    parser.add_argument(
        "--sweep-batches",
        action="store_true",
        help="only run bilingo translate with several engine batch limits",
    )
    parser.add_argument("--phases", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phases:
        print(json.dumps(check_phases(args.phases, ROOT / "glossary.yml")))
        return 0
    if args.quick:
        args.articles, args.runs, args.check_articles, args.check_runs = 6, 1, 50, 3

    launcher = Launcher()  # first, while this process is small
    run_process = launcher.run
    out: Path = args.out.resolve()
    packages = out / "packages"
    out.mkdir(parents=True, exist_ok=True)
    ensure_model(packages, rebuild=args.rebuild_model)
    os.environ["ARGOS_PACKAGES_DIR"] = str(packages)  # for find_package in this process
    env = bilingo_env(packages)
    work = out / "work"  # cwd of every bilingo process: no glossary.yml, no .bilingo/
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()

    corpus = out / "corpus"
    make_corpus(corpus, args.articles)
    directions = corpus_directions(corpus)
    if args.tune:
        tune(directions, args.tune_segments, args.runs)
        return 0
    if args.sweep_batches:
        sweep_batches(corpus, work, env, args.runs, run_process)
        launcher.close()
        return 0

    segments = [s for d in directions for s in d.segments]
    unique = sum(len(d.unique) for d in directions)
    n_words = words_of(segments)
    file_words = sum(len(p.read_text(encoding="utf-8").split()) for p in corpus.glob("*.md"))
    model_mb = dir_size_mb(directions[0].package / "model")
    sp_mb = (directions[0].package / "sentencepiece.model").stat().st_size / 1e6
    info: dict[str, Any] = {
        "machine": machine(),
        "command": " ".join([Path(PYTHON).name, "bench/run.py", *(argv or sys.argv[1:])]),
        "corpus": {
            "articles": args.articles,
            "words_in_files": file_words,
            "segments": len(segments),
            "unique_segments": unique,
            "segment_words": n_words,
            "pieces_unique": 0,
            "directions": {f"{d.source}->{d.target}": len(d.segments) for d in directions},
        },
        "model": {
            "model_dir_mb": round(model_mb, 1),
            "sentencepiece_mb": round(sp_mb, 2),
            "packages_loaded": len(directions),
        },
        "ceiling_settings": CEILING,
        "compare_engine": args.compare_engine,
        "beam_size": BEAM,
    }
    print(json.dumps(info, indent=2), flush=True)

    results: dict[str, dict[str, list[float]]] = {}

    def record(row: str, **values: float) -> None:
        for key, value in values.items():
            results.setdefault(row, {}).setdefault(key, []).append(value)

    def translate_row(
        row: str, label: str, folder: str, *extra: str, prefix: Sequence[str | Path] = ()
    ) -> None:
        """``bilingo translate`` as a process on a fresh copy of the corpus (``prefix``: run
        through another launcher), checked to send every unique segment (whole sentences:
        every sentence whole, none falling back), and recorded."""
        tree = work / folder
        if tree.exists():
            shutil.rmtree(tree)
        shutil.copytree(corpus, tree)
        cmd = translate_cmd(tree, "--no-memory", *extra)
        proc = run_process([*prefix, *cmd[1:]] if prefix else cmd, cwd=work, env=env)
        report = check_report(proc, label)
        if "whole" in extra:
            if report["fallback_sentences"] or not report["whole_sentences"]:
                raise SystemExit(f"{label}: {report['fallback_sentences']} sentences fell back")
        elif report["engine_segments"] != unique:
            raise SystemExit(f"{label} sent {report['engine_segments']} segments, not {unique}")
        record(row, wall=proc.wall, cpu=proc.cpu, rss=proc.max_rss_mb, inner=report["seconds"])
        print(
            f"  {label}: {proc.wall:.1f} s (cpu {proc.cpu:.1f} s, "
            f"peak RSS {proc.max_rss_mb:.0f} MB)",
            flush=True,
        )

    argos = [ArgosLoop(d) for d in directions] if "argos" not in args.skip else []
    ceilings = [Ceiling(d, CEILING) for d in directions] if "ceiling" not in args.skip else []
    info["corpus"]["pieces_unique"] = sum(len(t) for c in ceilings for t in c.tokens)
    for c in ceilings:  # warm up: first call pays one-off allocations
        c.run(c.tokens[:4])
    whole_costs = [WholeCost(d) for d in directions] if "whole" not in args.skip else []

    for run in range(args.runs):
        print(f"--- run {run + 1}/{args.runs}", flush=True)
        if "translate" not in args.skip:
            # The rows against argos and the ceiling send the same segments they do.
            translate_row("bilingo", "bilingo translate", "translate", *FRAGMENTS)
            translate_row(
                "bilingo_fast", f"bilingo translate {' '.join(FAST_BATCHES)}", "translate-fast",
                *FAST_BATCHES, *FRAGMENTS,
            )  # fmt: skip
        if "whole" not in args.skip:
            translate_row("bilingo_whole", "bilingo translate --inline whole", "whole", *WHOLE)
            costs = [cost.run() for cost in whole_costs]  # both directions: one corpus pass
            plain, aligned, projection = (sum(c[k] for c in costs) for k in range(3))
            record("whole_plain", cpu=plain)
            record("whole_aligned", cpu=aligned)
            record("whole_projection", cpu=projection, failed=sum(c[3] for c in costs))
            print(
                f"  whole sentences in-process, CPU: plain {plain:.1f} s, aligned {aligned:.1f} "
                f"s, projection {projection:.2f} s ({sum(c[3] for c in costs)} failed)",
                flush=True,
            )
        if args.compare_engine:
            before = old_engine(out, args.compare_engine)
            translate_row(
                "bilingo_before",
                f"bilingo translate, engine of {args.compare_engine}",
                "translate-before",
                prefix=[PYTHON, "-c", _OTHER_ENGINE, before],
            )
        argos_runs = args.runs if args.argos_runs is None else args.argos_runs
        if argos and run < argos_runs:
            wall, cpu, wrong = timed(lambda: sum(a.run() for a in argos))
            record("argos", wall=wall, cpu=cpu, wrong=wrong)
            print(
                f"  argos loop: {wall:.1f} s (cpu {cpu:.1f} s; {wrong} paragraphs differ)",
                flush=True,
            )
        if ceilings:
            wall, cpu, wrong = timed(lambda: sum(c.run() for c in ceilings))
            record("ceiling", wall=wall, cpu=cpu, wrong=wrong)
            print(f"  ceiling: {wall:.1f} s (cpu {cpu:.1f} s; {wrong} segments differ)", flush=True)

    if "incremental" not in args.skip:
        tree = work / "incremental"
        if tree.exists():
            shutil.rmtree(tree)
        shutil.copytree(corpus, tree)
        memory = ["--memory", str(work / "incremental-memory.sqlite")]
        Path(memory[1]).unlink(missing_ok=True)
        proc = run_process(translate_cmd(tree, *memory), cwd=work, env=env)
        check_report(proc, "bilingo translate (memory, full)")
        record("memory_full", wall=proc.wall, cpu=proc.cpu, rss=proc.max_rss_mb)
        print(f"  bilingo translate with memory, full: {proc.wall:.1f} s", flush=True)

        def rerun(row: str, which: int) -> None:
            # The first rows edit an article whose language langdetect decided on the
            # first run: the re-run must not need langdetect for it (recorded language).
            edited = edit_one_paragraph(tree, which, detected=row == "rerun")
            proc = run_process(translate_cmd(tree, *memory), cwd=work, env=env)
            report = check_report(proc, "bilingo translate (re-run)")
            written = [a for a in report["articles"] if a["action"] == "written"]
            if len(written) != 1 or Path(written[0]["source"]).name != edited.name:
                raise SystemExit(f"re-run wrote {written}, expected only {edited.name}")
            record(row, wall=proc.wall, cpu=proc.cpu, engine_segments=report["engine_segments"])
            print(
                f"  {row} after editing {edited.name}: {proc.wall:.2f} s "
                f"({report['engine_segments']} segments to the engine)",
                flush=True,
            )

        for run in range(args.runs):
            rerun("rerun", 7 * run)
        # The same tree once every source says its language (lang: in the front matter),
        # so no article goes through langdetect: one settling run rewrites those twins
        # from the memory, then the same edits again.
        marked = mark_languages(tree)
        proc = run_process(translate_cmd(tree, *memory), cwd=work, env=env)
        settled = check_report(proc, "bilingo translate (marking languages)")
        if settled["engine_segments"]:
            raise SystemExit("marking languages sent segments to the engine")
        print(f"  marked {marked} sources with lang:, twins rewritten from memory", flush=True)
        for run in range(args.runs):
            rerun("rerun_marked", 7 * run + 3)

    if "check" not in args.skip:
        baseline: list[str | Path] = [PYTHON, "-c", "import click, frontmatter"]
        # check runs where a site keeps its glossary: the project's glossary.yml (35 terms).
        check_cwd = work / "check"
        check_cwd.mkdir(exist_ok=True)
        shutil.copy(ROOT / "glossary.yml", check_cwd / "glossary.yml")
        (check_cwd / "other-glossary.yml").write_text("terms: []\n", encoding="utf-8")
        empty = check_cwd / "empty"
        empty.mkdir(exist_ok=True)
        trees = {"check": out / "check-corpus", "check_marked": out / "check-corpus-marked"}
        info["check_corpus"] = {}
        for row, tree in trees.items():
            make_corpus(tree, args.check_articles, seed=1000)
            if row == "check_marked":
                mark_languages(tree)
            twins = write_twins(tree, check_cwd / "glossary.yml")
            proc = run_process([BILINGO, "check", tree], cwd=check_cwd, env=env)
            summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
            if proc.rc != 0:
                raise SystemExit(f"bilingo check is not clean on {tree}:\n{summary}")
            info["check_corpus"][row] = {
                "sources": args.check_articles,
                "twins": twins,
                "summary": summary,
            }
            print(f"{row} corpus: {summary}", flush=True)
        # Another glossary: no seal holds, every pair is judged in full (and reported).
        in_full: list[str | Path] = [BILINGO, "check", trees["check"]]
        in_full += ["--glossary", "other-glossary.yml"]
        info["check_corpus"]["check_full"] = info["check_corpus"]["check"]
        for _ in range(args.check_runs):
            for row, tree in trees.items():
                proc = run_process([BILINGO, "check", tree], cwd=check_cwd, env=env)
                record(row, wall=proc.wall, cpu=proc.cpu, rss=proc.max_rss_mb)
            proc = run_process(in_full, cwd=check_cwd, env=env)
            record("check_full", wall=proc.wall, cpu=proc.cpu, rss=proc.max_rss_mb)
            proc = run_process([BILINGO, "check", empty], cwd=check_cwd, env=env)
            record("check_empty", wall=proc.wall, cpu=proc.cpu, rss=proc.max_rss_mb)
            base = run_process(baseline, cwd=check_cwd, env=env)
            record("import", wall=base.wall, cpu=base.cpu, rss=base.max_rss_mb)
        print(
            f"  check {med(results['check']['wall']):.3f} s, marked "
            f"{med(results['check_marked']['wall']):.3f} s, judged in full "
            f"{med(results['check_full']['wall']):.3f} s, empty folder "
            f"{med(results['check_empty']['wall']):.3f} s, import baseline "
            f"{med(results['import']['wall']):.3f} s",
            flush=True,
        )
        phases = subprocess.run(
            [PYTHON, __file__, "--phases", str(trees["check"])],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        info["check_phases"] = json.loads(phases.stdout)
        print(f"  check, where the time goes (in-process, ms): {info['check_phases']}", flush=True)

    launcher.close()
    medians = {row: {k: med(v) for k, v in values.items()} for row, values in results.items()}
    payload = {"info": info, "runs": results, "medians": medians}
    (out / "results.json").write_text(json.dumps(payload, indent=2))
    print()
    print(format_table(info, medians))
    print(f"\nall numbers: {out / 'results.json'}")
    return 0


def format_table(info: dict[str, Any], m: dict[str, dict[str, float]]) -> str:
    """The medians as a Markdown table, with the targets."""
    c = info["corpus"]
    segs, words = c["segments"], c["segment_words"]
    lines = [
        "| row | wall s | CPU s | segments/s | words/s | ratio | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    def rate_row(label: str, key: str) -> None:
        if key in m:
            wall = m[key]["wall"]
            lines.append(
                f"| {label} | {wall:.1f} | {m[key]['cpu']:.1f} | {segs / wall:.1f} | "
                f"{words / wall:.0f} | | |"
            )

    def speed(a: str, b: str) -> float:
        """How many times faster ``a`` is than ``b`` (wall medians)."""
        return m[b]["wall"] / m[a]["wall"] if a in m and b in m else float("nan")

    rate_row("CTranslate2 ceiling: translate_batch on the unique segments", "ceiling")
    rate_row("argos' loop: apply_packaged_translation paragraph by paragraph", "argos")
    rate_row("**bilingo translate** (a process, --no-memory)", "bilingo")
    if "bilingo_before" in m:
        rev = info.get("compare_engine", "?")
        rate_row(f"bilingo translate with the engine of {rev} (before tuning)", "bilingo_before")
        lines.append(f"| peak RSS of that, MB | | | | | {m['bilingo_before']['rss']:.0f} | |")
    if "bilingo" in m and "ceiling" in m:
        r = speed("bilingo", "ceiling")
        lines.append(f"| bilingo speed / ceiling | | | | | {r:.2f} | ≥ 0.90 {verdict(r >= 0.9)} |")
    if "bilingo" in m and "argos" in m:
        r = speed("bilingo", "argos")
        lines.append(f"| bilingo speed / argos | | | | | {r:.1f}× | ≥ 3× {verdict(r >= 3)} |")
    if "bilingo" in m:
        model = info["model"]["model_dir_mb"] + info["model"]["sentencepiece_mb"]
        rss = m["bilingo"]["rss"]
        lines.append(
            f"| peak RSS of bilingo translate, MB (model on disk: {model:.0f} MB) | | | | | "
            f"{rss:.0f} | ≤ {model + 300:.0f} {verdict(rss <= model + 300)} |"
        )
    if "bilingo_fast" in m:
        rate_row(f"bilingo translate {' '.join(FAST_BATCHES)}", "bilingo_fast")
        r = speed("bilingo_fast", "ceiling")
        lines.append(f"| that speed / ceiling | | | | | {r:.2f} | (≥ 0.90) |")
        lines.append(f"| peak RSS of that, MB | | | | | {m['bilingo_fast']['rss']:.0f} | |")
    if "bilingo_whole" in m:
        rate_row("bilingo translate --inline whole (whole sentences, issue 14)", "bilingo_whole")
        if "bilingo" in m:
            ratio = m["bilingo_whole"]["rss"] / m["bilingo"]["rss"]
            lines.append(
                f"| peak RSS of that / --inline fragments | | | | | {ratio:.2f} "
                f"({m['bilingo_whole']['rss']:.0f} MB) | ≤ 1.10 {verdict(ratio <= 1.1)} |"
            )
    if "whole_plain" in m and "whole_aligned" in m:
        plain = m["whole_plain"]["cpu"]
        extra = m["whole_aligned"]["cpu"] - plain + m["whole_projection"]["cpu"]
        lines.append(
            f"| whole sentences, in-process CPU: translate {plain:.1f} s; alignment "
            f"{m['whole_aligned']['cpu'] - plain:+.2f} s, projection "
            f"{m['whole_projection']['cpu']:.2f} s | | {plain:.1f} | | | {extra / plain:.1%} | "
            f"≤ 10% {verdict(extra <= 0.1 * plain)} |"
        )
    if "memory_full" in m:
        lines.append(
            f"| bilingo translate, memory on, full run (1 run) | {m['memory_full']['wall']:.1f} "
            f"| {m['memory_full']['cpu']:.1f} | | | | |"
        )
    for key, label in (
        ("rerun", "re-run after a one-paragraph edit (an article langdetect decided)"),
        ("rerun_marked", "the same, every source with lang: (no langdetect)"),
    ):
        if key in m and "memory_full" in m:
            up = speed(key, "memory_full")
            lines.append(
                f"| {label} | {m[key]['wall']:.2f} | {m[key]['cpu']:.2f} | | | "
                f"{up:.0f}× faster | ≥ 50× {verdict(up >= 50)} |"
            )
    corpus = info.get("check_corpus", {})
    for key, label in (
        ("check", "bilingo check, {n} sources + {t} twins"),
        ("check_marked", "the same, every source named .nb/.en or with lang:"),
        ("check_full", "the same pairs judged in full (another glossary: no seal holds)"),
        ("check_empty", "bilingo check, empty folder (start-up only)"),
    ):
        if key in m and "import" in m:
            r = speed("import", key)
            text = label.format(
                n=corpus.get(key, {}).get("sources", "?"), t=corpus.get(key, {}).get("twins", "?")
            )
            target = "" if key in ("check_empty", "check_full") else f"≤ 3× {verdict(r <= 3)}"
            lines.append(
                f"| {text} | {m[key]['wall']:.3f} | {m[key]['cpu']:.3f} | | | "
                f"{r:.1f}× import | {target} |"
            )
    if "import" in m:
        lines.append(
            f"| python -c 'import click, frontmatter' | {m['import']['wall']:.3f} | "
            f"{m['import']['cpu']:.3f} | | | | |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
