"""What a pair's twin owes its source: the problems ``check`` reports, and the seal.

Judging reads front matter, hashes bodies and compares them with the provenance each twin
carries; it never loads a model. The Markdown parser is only imported to name the
paragraphs of a stale article. :func:`seal_twin` gives every writer of a twin (translate,
approve) the bytes to write, sealed when :func:`pair_problems` confirms the verdict on them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from bilingo import provenance
from bilingo.article import Article, encode_text, other_language, parse_article
from bilingo.errors import ArticleError
from bilingo.pairs import Rename, find_renames, source_ref, twin_path
from bilingo.provenance import source_hash
from bilingo.seal import UNSEALED, Verdict, find_seal, placeholder, seal_bytes
from bilingo.verdicts import DEFAULT_MIN_CONFIDENCE, may_be_low, twin_verdicts

if TYPE_CHECKING:
    from bilingo.glossary import Glossary

Kind = Literal[
    "missing",
    "stale",
    "outdated-glossary",
    "orphaned",
    "invalid",
    "unreviewed",
    "conflict",
    "edited-after-review",
    "low-confidence",
    "in-pieces",
    "orphaned-paragraph",
]
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    path: Path
    kind: Kind
    detail: str
    severity: Severity = "error"
    line: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "kind": self.kind,
            "severity": self.severity,
            "line": self.line,
            "detail": self.detail,
        }


def orphan_problems(
    articles: Iterable[Article], claimed: Collection[Path]
) -> tuple[list[Problem], dict[Path, Rename]]:
    """Twins among ``articles`` whose source is none of the ``claimed`` (resolved) paths,
    and the sources they were renamed to (resolved source -> rename), found by their text."""
    everything = list(articles)
    orphans: list[tuple[Article, str | None]] = []
    for article in everything:
        prov = provenance.read(article)
        if prov is not None and prov.is_twin and article.path.resolve() not in claimed:
            orphans.append((article, prov.source))
    # A twin left under its source's old name (git mv a.nb.md b.nb.md): say how to move it,
    # not "delete the twin", which would throw reviewed text away.
    renames = {r.twin.resolve(): r for r in find_renames(everything)} if orphans else {}
    out: list[Problem] = []
    for article, source in orphans:
        rename = renames.get(article.path.resolve())
        out.append(
            Problem(
                article.path,
                "orphaned",
                f"its source {source} is gone; delete the twin or restore the source"
                if rename is None
                else f"its source {source} is gone, renamed to {rename.source} (same text, "
                f"no twin); move the twin: {rename.command()} (or run: bilingo translate "
                f"--follow-renames {rename.source})",
            )
        )
    return out, {r.source.resolve(): r for r in renames.values()}


def changed_paragraphs(source: Article, stored: Sequence[str]) -> list[tuple[str, int]]:
    """(what, line) for each source paragraph added or changed since the twin was made."""
    from bilingo.document import parse
    from bilingo.merge import match_blocks

    doc = parse(source.body)
    blocks, now = doc.blocks, list(doc.block_hashes)
    before = list(stored)
    out: list[tuple[str, int]] = []
    matches = match_blocks(before, now)
    for j, block in enumerate(blocks):
        if j in matches.changed:
            out.append(("changed", source.body_line + block.line - 1))
        elif j not in matches.same:
            out.append(("added", source.body_line + block.line - 1))
    for i in matches.removed:
        # Where it stood: the new paragraph now at its old position (or the last one).
        at = blocks[min(i, len(blocks) - 1)].line if blocks else 1
        out.append(("removed", source.body_line + at - 1))
    out.sort(key=lambda item: item[1])
    return out


def unreviewed(twin: Path, *, edited: bool, require_reviewed: bool) -> Problem:
    state = "edited by hand, not yet approved" if edited else "machine translation"
    return Problem(
        twin,
        "unreviewed",
        f"{state}; review it, then run: bilingo approve {twin}",
        "error" if require_reviewed else "warning",
    )


def settle_verdict(
    source: Article, twin: Article, *, glossary_hash: str, fields: Sequence[str]
) -> Verdict | None:
    """What ``bilingo check`` finds for this pair, as a seal can record it; None when it
    finds more than an unreviewed twin (stale, conflicts, ...), which a seal cannot carry."""
    from bilingo.detect import detect_article

    if provenance.is_twin(source) or provenance.read(twin) is None:
        return None
    try:
        lang = detect_article(source, twins=[twin]).lang
    except ArticleError:
        return None
    if twin_path(source.path, other_language(lang)).name != twin.path.name:
        return None
    found = pair_problems(
        source, twin, glossary_hash=glossary_hash, fields=fields, require_reviewed=False
    )
    if not found:
        return "reviewed"
    # Only the twin-wide verdicts: a seal cannot carry per-paragraph review problems.
    if len(found) == 1 and found[0] == unreviewed(twin.path, edited=True, require_reviewed=False):
        return "edited"
    if len(found) == 1 and found[0] == unreviewed(twin.path, edited=False, require_reviewed=False):
        return "machine"
    return None


def pair_problems(
    source: Article,
    twin: Article,
    *,
    glossary_hash: str,
    fields: Sequence[str],
    require_reviewed: bool,
    glossary: Glossary | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> list[Problem]:
    """What ``check`` reports for one pair. With ``glossary`` (the one ``glossary_hash``
    names), a twin made with another glossary is outdated only where the entries applying
    to the article are not followed: a changed term the article never uses changes nothing."""
    prov = provenance.read(twin) or provenance.Provenance()
    out: list[Problem] = []
    ref = source_ref(source.path)
    if prov.source != ref:
        out.append(
            Problem(
                twin.path,
                "invalid",
                f"its provenance names {prov.source!r}, not {ref}; fix "
                "the 'source:' line of its bilingo block",
            )
        )
        return out
    if prov.source_hash != source_hash(source):
        stored = prov.source_blocks
        changes = changed_paragraphs(source, stored) if stored is not None else []
        if changes:
            for what, line in changes:
                out.append(
                    Problem(
                        source.path,
                        "stale",
                        f"paragraph {what} since {twin.path.name} was made; run: bilingo "
                        f"translate {source.path}",
                        line=line,
                    )
                )
        else:
            out.append(
                Problem(
                    source.path,
                    "stale",
                    f"changed since {twin.path.name} was made (front matter or layout); run: "
                    f"bilingo translate {source.path}",
                )
            )
    if prov.glossary_hash != glossary_hash and glossary is None:
        out.append(
            Problem(
                twin.path,
                "outdated-glossary",
                "made with another version of the glossary; run: bilingo translate "
                f"{source.path} (reviewed twins: bilingo glossary check {twin.path})",
            )
        )
    elif prov.glossary_hash != glossary_hash and glossary is not None:
        from bilingo.glossary import check_articles

        lang = prov.source_lang or other_language(str(twin.meta.get("lang", "")))
        misses = check_articles(
            glossary,
            source,
            twin,
            source_lang=lang,
            target_lang=other_language(lang),
            fields=prov.translated_fields(fields),
        )
        for miss in misses:
            out.append(
                Problem(
                    twin.path,
                    "outdated-glossary",
                    f"the glossary changed since it was made, and the twin does not follow "
                    f"it: {miss.message()} (bilingo translate {source.path} redoes machine "
                    f"paragraphs; fix reviewed ones by hand, then: bilingo approve {twin.path})",
                    line=miss.twin_line,
                )
            )
    for item in prov.conflicts:
        out.append(
            Problem(
                twin.path,
                "conflict",
                f"{item.message()}; resolve it by hand, then run: bilingo approve {twin.path} "
                "(or translate --force)",
            )
        )
    if prov.any_reviewed or prov.reviewed:
        out += review_problems(
            twin,
            prov,
            fields,
            require_reviewed=require_reviewed,
            source=source,
            min_confidence=min_confidence,
        )
    else:
        edited = provenance.is_edited(twin, prov, fields)
        out.append(unreviewed(twin.path, edited=edited, require_reviewed=require_reviewed))
        out += quality_problems(
            source,
            twin,
            prov,
            fields,
            require_reviewed=require_reviewed,
            min_confidence=min_confidence,
        )
    return out


def review_problems(
    twin: Article,
    prov: provenance.Provenance,
    fields: Sequence[str],
    *,
    require_reviewed: bool,
    source: Article | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> list[Problem]:
    """A twin that went through review: each paragraph (and field) not reviewed as it is
    now, with its line: needs review, edited by hand, or edited after review."""
    from bilingo.document import parse

    used = prov.translated_fields(fields)
    if prov.reviewed and prov.twin_hash == provenance.twin_content_hash(twin.meta, twin.body, used):
        return []  # approved, and untouched since: no need to parse it
    severity: Severity = "error" if require_reviewed else "warning"
    fix = f"review it, then run: bilingo approve {twin.path}"
    out: list[Problem] = []

    def add(kind: Kind, what: str, line: int | None) -> None:
        out.append(Problem(twin.path, kind, f"{what}; {fix}", severity, line))

    doc = parse(twin.body)
    if len(doc.blocks) != len(prov.twin_blocks) and prov.reviewed:
        add("edited-after-review", "paragraphs added or removed after review", None)
        return out
    for verdict in twin_verdicts(
        twin, prov, fields, source=source, min_confidence=min_confidence, doc=doc
    ):
        kind = verdict.problem_kind
        if kind is not None and verdict.state != "conflict":  # conflicts: pair_problems'
            add(cast(Kind, kind), verdict.detail, verdict.line)
    return out


def quality_problems(
    source: Article,
    twin: Article,
    prov: provenance.Provenance,
    fields: Sequence[str],
    *,
    require_reviewed: bool,
    min_confidence: float,
) -> list[Problem]:
    """A twin not yet reviewed at all: its machine paragraphs translated in pieces or with
    low confidence (read from the provenance first, so most twins are never parsed)."""
    if not prov.in_pieces and not may_be_low(prov, min_confidence):
        return []
    severity: Severity = "error" if require_reviewed else "warning"
    fix = f"review it, then run: bilingo approve {twin.path}"
    return [
        Problem(twin.path, cast(Kind, v.problem_kind), f"{v.detail}; {fix}", severity, v.line)
        for v in twin_verdicts(twin, prov, fields, source=source, min_confidence=min_confidence)
        if v.state in ("in pieces", "low-confidence")
    ]


def seal_twin(
    render: Callable[[str | None], str],
    *,
    source: Article,
    twin: Path,
    bom: bool,
    glossary_hash: str,
    fields: Sequence[str],
) -> bytes:
    """The twin's bytes to write, sealed when :func:`check_paths` would settle the pair.

    ``render(value)`` gives the twin's text with ``value`` as its provenance's seal (None:
    without one). The verdict is taken from the text as it will be on disk, parsed back, so
    a seal never records what the full path would not find.
    """

    def unsealed() -> bytes:
        return encode_text(render(None), bom=bom)

    if not source.raw_digest:
        return unsealed()  # not read from disk: nothing to seal
    # One render (PyYAML's emitter is the slow part): the placeholder's verdict word is
    # swapped in the bytes, and only a pair that cannot be sealed is rendered again.
    text = render(placeholder("machine"))
    verdict = settle_verdict(
        source, parse_article(twin, text, bom=bom), glossary_hash=glossary_hash, fields=fields
    )
    data = encode_text(text, bom=bom)
    match = find_seal(data)
    if verdict is None or match is None or match.group(1) != UNSEALED.encode():
        return unsealed()
    data = data[: match.start(2)] + verdict.encode() + data[match.end(2) :]
    sealed = seal_bytes(
        data,
        glossary_hash=glossary_hash,
        fields=fields,
        source_name=source.path.name,
        source_digest=source.raw_digest,
        twin_name=twin.name,
    )
    if sealed is None:
        return unsealed()
    # The first seal line must be the front matter's own (a multi-line value could hold one).
    match = find_seal(sealed)
    prov = provenance.read(parse_article(twin, sealed.decode("utf-8-sig"), bom=bom))
    seal = prov.seal if prov is not None else None
    if match is None or seal != f"{match.group(1).decode()} {verdict}":
        return unsealed()
    return sealed
