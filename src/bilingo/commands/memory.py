"""``bilingo memory rebuild``: refill the translation memory from the article pairs;
``bilingo memory people``: list every person's text a run set aside."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bilingo import provenance
from bilingo.article import DEFAULT_TRANSLATED_FIELDS
from bilingo.document import segment, segment_field
from bilingo.glossary import Glossary, empty_glossary
from bilingo.lock import state_folder
from bilingo.memory import Memory, MemoryKey, SetAside
from bilingo.pairs import PairIndex, load_articles
from bilingo.pipeline import memory_key
from bilingo.provenance import block_hash, source_hash
from bilingo.site import Settings
from bilingo.translation import field_docs
from bilingo.units import unit_pairs


def run(
    settings: Settings, paths: Sequence[Path], *, memory_path: Path | None = None
) -> RebuildReport:
    """Rebuild into ``memory_path`` (default: the site's memory)."""
    if memory_path is None:
        state_folder(settings.state_dir)
    where = memory_path or settings.memory_path
    with Memory(where) as memory:
        report = rebuild_memory(
            paths,
            memory=memory,
            index=PairIndex(settings.pairing),
            fields=settings.fields,
            glossary=settings.glossary,
        )
        return replace(report, total=len(memory), memory_path=where)


@dataclass(frozen=True)
class PeopleReport:
    """Every person's text set aside (``--discard-edits``), oldest first."""

    items: tuple[SetAside, ...]
    memory_path: Path

    @property
    def exit_code(self) -> int:
        return 0

    def as_dict(self) -> dict[str, Any]:
        return {"memory": str(self.memory_path), "people": [i.as_dict() for i in self.items]}


def run_people(settings: Settings, paths: Sequence[Path]) -> PeopleReport:
    """``bilingo memory people [PATH...]``: what was set aside from the twins at or under
    ``paths`` (a source stands for its twin; none: the whole site). Reads only."""
    where = settings.memory_path
    if not where.is_file():
        return PeopleReport((), where)
    index = PairIndex(settings.pairing)
    wanted: list[Path] = []
    for p in paths:
        wanted.append(p)
        if p.is_file() or p.suffix == ".md":
            wanted += [index.twin_path(p, lang) for lang in ("nb", "en")]
    with Memory(where) as memory:
        items = memory.people([memory.site_path(p) for p in wanted])
    return PeopleReport(tuple(items), where)


@dataclass(frozen=True)
class RebuildReport:
    pairs: int
    articles: int
    skipped_blocks: int
    #: Entries in the memory afterwards, and where it is.
    total: int = 0
    memory_path: Path | None = None

    @property
    def exit_code(self) -> int:
        return 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "articles": self.articles,
            "skipped_paragraphs": self.skipped_blocks,
            "entries": self.total,
            "memory": str(self.memory_path) if self.memory_path else None,
        }


def rebuild_memory(
    paths: Sequence[Path],
    *,
    memory: Memory,
    index: PairIndex,
    fields: Sequence[str] = DEFAULT_TRANSLATED_FIELDS,
    glossary: Glossary | None = None,
) -> RebuildReport:
    """Refill the translation memory from the article pairs on disk (by the run's ``index``).

    Only machine output goes back in: paragraphs a person edited are left out, and so
    are paragraphs whose sentence count differs between source and twin (their sentences
    cannot be paired with certainty).
    """
    found = load_articles(paths)
    by_path = {a.path.resolve(): a for a in found.articles}
    dialects = index.pairing.dialects
    pairs = articles = skipped = 0
    for twin in found.articles:
        prov = provenance.read(twin)
        if prov is None or not prov.is_twin:
            continue
        named = index.source_path(twin)
        src_article = by_path.get(named.resolve()) if named is not None else None
        if src_article is None or prov.source_hash != source_hash(src_article):
            continue
        src_doc = segment(src_article.body, dialects=dialects)
        twin_doc = segment(twin.body, dialects=dialects)
        machine = prov.written()  # bilingo's own text only: never a reviewer's
        if len(src_doc.blocks) != len(twin_doc.blocks) or len(machine) != len(twin_doc.blocks):
            skipped += len(src_doc.blocks)
            continue
        found_pairs: list[tuple[str, str]] = []
        machine_blocks: list[int] = []
        for sb, tb, th, mh in zip(
            src_doc.blocks, twin_doc.blocks, twin_doc.block_hashes, machine, strict=True
        ):
            if th != mh or len(sb.segments) != len(tb.segments):
                skipped += 1
                continue
            machine_blocks.append(sb.index)
            found_pairs += [
                (src_doc.segments[i].text, twin_doc.segments[j].text)
                for i, j in zip(sb.segments, tb.segments, strict=True)
            ]
        # Whole sentences too (--inline whole), where the block has as many on both sides.
        found_pairs += unit_pairs(src_doc, twin_doc, machine_blocks)
        machine_fields = prov.twin_fields
        if machine_fields is not None:
            for key, doc in field_docs(
                src_article, prov.translated_fields(fields), dialects
            ).items():
                value = twin.meta.get(key)
                if not isinstance(value, str) or block_hash(value) != prov.written_field(key):
                    continue
                tdoc = segment_field(value, dialects=dialects)
                if len(tdoc.segments) == len(doc.segments):
                    found_pairs += [
                        (a.text, b.text) for a, b in zip(doc.segments, tdoc.segments, strict=True)
                    ]
        target = str(twin.meta.get("lang", ""))
        glossary_now = glossary or empty_glossary()
        # Keyed as translate looks up: per segment, when the twin was made with this glossary.
        mkey = (
            memory_key(glossary_now, prov.source_lang, target, prov.engine)
            if prov.glossary_hash == glossary_now.hash
            else MemoryKey(prov.source_lang, target, prov.engine, prov.glossary_hash)
        )
        pairs += memory.store(found_pairs, mkey)
        articles += 1
    return RebuildReport(pairs, articles, skipped)
