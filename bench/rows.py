"""The rows measured: argos' own loop, the CTranslate2 ceiling and what whole sentences
cost in this process, ``bilingo`` as a process, and the trees ``bilingo check`` is measured on."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from common import (
    BEAM,
    BILINGO,
    GLOSSARY,
    PYTHON,
    ROOT,
    Proc,
    Runner,
    cpu_seconds,
    med,
)
from corpus import (
    FM_RE,
    Direction,
)

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
    """Raw ``translate_batch`` on pre-tokenized unique segments, as bilingo sends them
    (glossary terms protected)."""

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
        self.texts = direction.sent
        self.tokens: list[list[str]] = self.sp.encode(self.texts, out_type=str)

    def run(self, tokens: list[list[str]] | None = None) -> int:
        """Translate ``tokens`` (default: every segment); how many came back changed."""
        tokens = self.tokens if tokens is None else tokens
        return sum(h != t for h, t in zip(self.translate(tokens), tokens, strict=True))

    def translate(self, tokens: list[list[str]]) -> list[list[str]]:
        """The best hypothesis of each of ``tokens``, in one ``translate_batch``."""
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
        return [r.hypotheses[0] for r in results]


#: The ceiling as a process of its own (``ceiling_process``): :class:`Ceiling`, with its
#: settings and segments, in a program timed as bilingo's process is (interpreter start,
#: imports, reading both models one at a time, tokenizing, detokenizing, writing): what any
#: program built on CTranslate2 pays and the in-process ceiling leaves out. argv: this
#: folder, the input (:func:`ceiling_process_input`), the output JSON; prints how many
#: segments came back changed.
CEILING_PROCESS = r"""
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from common import CEILING
from corpus import Direction
from rows import Ceiling
out, wrong = [], 0
for d in json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")):
    direction = Direction(d["source"], d["target"], Path(d["package"]), sent=d["texts"])
    ceiling = Ceiling(direction, CEILING)
    best = ceiling.translate(ceiling.tokens)
    wrong += sum(h != t for h, t in zip(best, ceiling.tokens))
    out.append(ceiling.sp.decode(best))
    del ceiling  # one model at a time, as bilingo holds them
Path(sys.argv[3]).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
print(json.dumps({"wrong": wrong}))
"""


def ceiling_process_input(directions: Sequence[Direction], work: Path) -> Path:
    """The input of :data:`CEILING_PROCESS`: each direction's model and segments."""
    path = work / "ceiling-process.json"
    job = [
        {"source": d.source, "target": d.target, "package": str(d.package), "texts": d.sent}
        for d in directions
    ]
    path.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    return path


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

        # Untimed: loading the other direction's engine released this one's model (one
        # model in memory at a time), and the plain translation would pay to reload it.
        self.engine.load()
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


@contextlib.contextmanager
def packages_dir(packages: Path) -> Iterator[None]:
    """``ARGOS_PACKAGES_DIR`` set to ``packages`` for a while (bilingo reads it per call)."""
    before = os.environ.get("ARGOS_PACKAGES_DIR")
    os.environ["ARGOS_PACKAGES_DIR"] = str(packages)
    try:
        yield
    finally:
        if before is None:
            del os.environ["ARGOS_PACKAGES_DIR"]
        else:
            os.environ["ARGOS_PACKAGES_DIR"] = before


class PlacementCost:
    """What checked placement (issue 20) costs beside the translation it checks, on one
    package (``packages``: a trained or a shifted alignment head): the unique sentences
    translated with the alignment (``translate_aligned``), then placed as
    ``bilingo.units.translate_whole`` places them, sentence by sentence
    (``checked_alignments``: anchors, agreement, and prediction difference where the head
    disagrees with them). Timed apart: the engine's workers would go on translating the
    next batches while one is checked."""

    def __init__(self, direction: Direction, packages: Path) -> None:
        from bilingo.engine import ArgosEngine, find_package
        from bilingo.units import units

        with packages_dir(packages):
            package = find_package(direction.source, direction.target)
        self.engine = ArgosEngine(package, beam_size=BEAM)
        found = {u.key: u.sentence for doc in direction.docs for u in units(doc)}
        self.sentences = list(found.values())

    def run(self) -> dict[str, float]:
        """CPU seconds of the translation and of the placement, and what the placement did."""
        from bilingo.units import WholeStats, checked_alignments

        self.engine.load()  # untimed: the other package's engine released this model
        start = cpu_seconds()
        batches = list(self.engine.translate_aligned_batches([s.text for s in self.sentences]))
        translate = cpu_seconds() - start
        stats = WholeStats()
        start = cpu_seconds()
        for batch, results in batches:
            for i, result in zip(batch, results, strict=True):
                checked_alignments([self.sentences[i]], [result], self.engine, stats)
        return {
            "translate": translate,
            "check": cpu_seconds() - start,
            "sentences": len(self.sentences),
            "anchors": stats.anchors,
            "agreed": stats.agreed,
            "scored_sentences": stats.by_difference,
            "scored_rows": stats.scored,
        }


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
OTHER_ENGINE = r"""
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
    # An explicit glossary: the corpus sits in this repository, whose glossary.yml a
    # site-root lookup would find; the ceiling protects the same terms (corpus_directions).
    return [
        BILINGO, "translate", tree, "--beam-size", str(BEAM), "--json",
        "--glossary", GLOSSARY, *extra,
    ]  # fmt: skip


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
    match = FM_RE.match(text)
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
    from bilingo.layout import PLAIN
    from bilingo.pairs import PairIndex, load_articles
    from bilingo.translation import build_twin, plan, twin_bytes

    glossary = load_glossary(glossary_file)
    the_plan = plan(
        load_articles([tree]).articles,
        glossary=glossary,
        fields=DEFAULT_TRANSLATED_FIELDS,
        index=PairIndex(PLAIN),
    )
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
    from bilingo.layout import PLAIN
    from bilingo.provenance import is_twin

    changed = 0
    for path in sorted(tree.glob("*.md")):
        article = read_article(path)
        if is_twin(article) or article.suffix_lang or "lang" in article.meta:
            continue
        lang = detect_article(article, pairing=PLAIN).lang
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
    from bilingo.commands.check import check_paths
    from bilingo.glossary import load_glossary
    from bilingo.layout import PLAIN
    from bilingo.pairs import find_markdown
    from bilingo.seal import settle_pairs

    lap("imports (bilingo.cli, .commands.check, .seal, .glossary)")
    glossary = load_glossary(glossary_file)
    lap("load glossary.yml (for its hash)")
    files, _ = find_markdown([tree])
    lap(f"find {len(files)} files")
    settled, rest = settle_pairs(
        files, PLAIN, glossary_hash=glossary.hash, fields=DEFAULT_TRANSLATED_FIELDS
    )
    lap(f"settle {len(settled)} pairs by their seals ({len(rest)} files left)")
    check_paths([tree], glossary_hash=glossary.hash, use_seals=False)
    lap("the same tree judged in full, no seals (YAML, hashes)")
    phases["langdetect imported"] = float("langdetect" in sys.modules)
    return phases
