"""The benchmark's corpus (varied copies of the articles) and its base-size copy model."""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from common import (
    TEMPLATE_DIRS,
    TRAINING_ROOTS,
)

if TYPE_CHECKING:
    from copymodel import Head, Size

    from bilingo.document import Document

# --------------------------------------------------------------------------- corpus

_WORD_RE = re.compile(r"[^\W\d_]{2,}")  # a bare word: letters only, no markup
#: A word inside markup: **bold**, [link text](url), *emphasis*, «quoted», word, ...
_CORE_RE = re.compile(r"([*_\[«\"“(]*)([^\W\d_]{2,})([*_»\"”),.;:!?]*(?:\]\(.*)?[*_),.;:!?]*)")
_NUMBER_RE = re.compile(r"\(?\d[\d.,]*[%)]?[.,;:!?)]*")  # 38, 1,2, 2023., (19)
_SENTENCE_END = (".", "!", "?", ":", "»", '"', "”")
FM_RE = re.compile(r"\A---\n(.*?\n)---\n", re.DOTALL)
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
    match = FM_RE.match(text)
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
    docs: list[Document] = field(default_factory=list)  # bodies and fields (whole sentences)
    #: The unique segments as bilingo sends them: glossary terms swapped for placeholders.
    sent: list[str] = field(default_factory=list)

    @property
    def unique(self) -> list[str]:
        return list(dict.fromkeys(self.segments))


def corpus_directions(corpus: Path, glossary_file: Path) -> list[Direction]:
    """bilingo's own plan of the corpus: the segments of every job, per direction, and
    what it sends of them with ``glossary_file`` (the glossary its translate rows use)."""
    from bilingo.article import DEFAULT_TRANSLATED_FIELDS
    from bilingo.engine import find_package
    from bilingo.glossary import load_glossary
    from bilingo.layout import PLAIN
    from bilingo.pairs import PairIndex, load_articles
    from bilingo.translation import plan

    found = load_articles([corpus])
    if found.problems:
        raise SystemExit(f"corpus has unreadable articles: {found.problems}")
    glossary = load_glossary(glossary_file)
    the_plan = plan(
        found.articles,
        glossary=glossary,
        fields=DEFAULT_TRANSLATED_FIELDS,
        index=PairIndex(PLAIN),
    )
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
    for d in directions.values():
        # The ceiling translates what bilingo sends: the same segments, terms protected.
        d.sent = [glossary.protect(t, source=d.source, target=d.target).text for t in d.unique]
    return [directions[k] for k in sorted(directions)]


def words_of(texts: Sequence[str]) -> int:
    return sum(len(t.split()) for t in texts)


# --------------------------------------------------------------------------- model


def ensure_model(
    packages: Path, *, rebuild: bool, head: Head = "trained", size: Size = "base"
) -> None:
    """Install the base-size copy models (nb→en, en→nb) once; rebuild when inputs change.
    ``head``: their alignment head (``copymodel.Head``; "shifted": one source piece off);
    ``size``: another shape (``copymodel.SHAPES``)."""
    import copymodel

    text = copymodel.corpus_text(*TRAINING_ROOTS) + "\n" + copymodel.SAMPLE_TEXT
    stamp = hashlib.sha256(
        text.encode() + Path(copymodel.__file__).read_bytes() + head.encode() + size.encode()
    ).hexdigest()
    stamp_file = packages / "bench-stamp.txt"
    if not rebuild and stamp_file.is_file() and stamp_file.read_text() == stamp:
        return
    if packages.exists():
        shutil.rmtree(packages)
    print(f"building the {size}-size copy models ({head} head) ...", flush=True)
    start = time.perf_counter()
    copymodel.install_copy_models(packages, training_text=text, size=size, head=head)
    stamp_file.write_text(stamp)
    print(f"  built in {time.perf_counter() - start:.0f} s", flush=True)


def dir_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6
