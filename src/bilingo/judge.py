"""What a pair's twin owes its source: the problems ``check`` reports, and the seal.

Judging reads front matter, hashes bodies and compares them with the provenance each twin
carries; it never loads a model. The Markdown parser is only imported to name the
paragraphs of a stale article. :func:`seal_twin` gives every writer of a twin (translate,
approve) the bytes to write, sealed when :func:`pair_problems` confirms the verdict on them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from bilingo import lazy
from bilingo.article import encode_text, other_language, parse_article
from bilingo.errors import ArticleError
from bilingo.layout import Pairing
from bilingo.pairs import PairIndex, find_renames
from bilingo.seal import UNSEALED, Verdict, find_seal, placeholder, seal_bytes, seal_lines
from bilingo.siteconfig import DEFAULT_MIN_CONFIDENCE

if TYPE_CHECKING:
    from bilingo import provenance
    from bilingo.article import Article
    from bilingo.glossary import Glossary, Miss
    from bilingo.pair_records import Rename
else:  # a check its seals settle reads no twin's provenance
    provenance = lazy.module("bilingo.provenance", __name__, "provenance")

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
    "language",
]
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about one file: what ``check`` and ``review`` report."""

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


def orphaned_twins(
    articles: Iterable[Article],
    claimed: Collection[Path],
    fields: Sequence[str],
    index: PairIndex,
) -> tuple[list[Problem], dict[Path, Rename]]:
    """Twins among ``articles`` whose source is none of the ``claimed`` (resolved) paths
    (what ``check`` and ``review`` report), and the sources they were renamed to (resolved
    source -> rename), found by their text, by the run's ``index``."""
    everything = list(articles)
    orphans: list[tuple[Article, str | None]] = []
    for article in everything:
        prov = provenance.read(article)
        if prov is not None and prov.is_twin and article.path.resolve() not in claimed:
            orphans.append((article, prov.source))
    # A twin left under its source's old name (git mv a.nb.md b.nb.md): say how to move it,
    # not "delete the twin", which would throw reviewed text away.
    renames = {r.twin.resolve(): r for r in find_renames(everything, index)} if orphans else {}
    out: list[Problem] = []
    for article, source in orphans:
        rename = renames.get(article.path.resolve())
        if rename is not None:
            detail = (
                f"its source {source} is gone, renamed to {rename.source} ({rename.describe()}, "
                f"no twin); move the twin: {rename.command()} (or run: bilingo translate "
                f"--follow-renames {rename.source})"
            )
        elif holds_person_text(article, fields, dialects=index.pairing.dialects):
            # Never "delete the twin": a person's words would go with it.
            detail = (
                f"its source {source} is gone, and the twin holds a person's text: keep "
                "it; restore the source, or git mv the twin beside the source that replaced "
                "it, then run: bilingo translate on that source"
            )
        else:
            detail = f"its source {source} is gone; delete the twin or restore the source"
        out.append(Problem(article.path, "orphaned", detail))
    return out, {r.source.resolve(): r for r in renames.values()}


def changed_paragraphs(
    source: Article, stored: Sequence[str], *, dialects: Sequence[str] | None
) -> list[tuple[str, int]]:
    """(what, line) for each source paragraph added or changed since the twin was made
    (read with the site's ``dialects``)."""
    from bilingo.document import parse
    from bilingo.merge import match_blocks

    doc = parse(source.body, dialects=dialects)
    blocks, now = doc.blocks, list(doc.block_hashes)
    before = [h for h in stored if h != provenance.ORPHAN]
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


#: What check may find of a pair translate has nothing to do for: the twin's review
#: states and warnings (a ``flagged`` seal), never a stale or outdated twin.
_FLAGGED_KINDS = frozenset(
    {
        "unreviewed",
        "conflict",
        "edited-after-review",
        "orphaned-paragraph",
        "in-pieces",
        "low-confidence",
    }
)


def settle_verdict(
    source: Article,
    twin: Article,
    *,
    pairing: Pairing,
    glossary_hash: str,
    fields: Sequence[str],
) -> Verdict | None:
    """What ``bilingo check`` finds for this pair (by the site's ``pairing``), as a seal can
    record it: the twin-wide verdict; ``flagged`` when it finds the twin's review states or
    warnings besides (conflicts, low confidence, ...), which check must judge in full to
    report; None when it finds more (stale, an outdated glossary, ...)."""
    from bilingo.detect import detect_article

    if provenance.is_twin(source) or provenance.read(twin) is None:
        return None
    try:
        lang = detect_article(source, pairing=pairing, twins=[twin]).lang
    except ArticleError:
        return None
    if pairing.twin_path(source.path, other_language(lang)).name != twin.path.name:
        return None
    found = pair_problems(
        source,
        twin,
        pairing=pairing,
        glossary_hash=glossary_hash,
        fields=fields,
        require_reviewed=False,
    )
    if not found:
        return "reviewed"
    # Only the twin-wide verdicts: a seal cannot carry per-paragraph review problems.
    if len(found) == 1 and found[0] == unreviewed(twin.path, edited=True, require_reviewed=False):
        return "edited"
    if len(found) == 1 and found[0] == unreviewed(twin.path, edited=False, require_reviewed=False):
        return "machine"
    # Anything else check reports of it, and never a missing, stale or moved twin, which
    # translate would act on: the pair is as translate left it.
    if all(p.kind in _FLAGGED_KINDS for p in found):
        return "flagged"
    return None


def pair_problems(
    source: Article,
    twin: Article,
    *,
    pairing: Pairing,
    glossary_hash: str,
    fields: Sequence[str],
    require_reviewed: bool,
    glossary: Glossary | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> list[Problem]:
    """What ``check`` reports for one pair, by the site's ``pairing``. With ``glossary``
    (the one ``glossary_hash`` names), a twin made with another glossary is outdated only
    where the entries applying to the article are not followed: a changed term the article
    never uses changes nothing."""
    prov = provenance.read(twin) or provenance.Provenance()
    out: list[Problem] = []
    dialects = pairing.dialects
    ref = pairing.source_ref(source.path)
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
    if prov.source_hash != provenance.source_hash(source):
        stored = prov.source_blocks
        changes = (
            changed_paragraphs(source, stored, dialects=dialects) if stored is not None else []
        )
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
            dialects=dialects,
        )
        for miss in misses:
            if not _entries_changed(miss, source, twin, prov, glossary, lang, dialects):
                continue  # the entries for that paragraph are those it was made with
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
                f"{item.message()}; make the twin say what the source says now, by hand, "
                f"then run: bilingo approve {twin.path}",
            )
        )
    out += orphan_problems(twin, prov, dialects=dialects)
    if prov.any_reviewed or prov.reviewed:
        out += review_problems(
            twin,
            prov,
            fields,
            require_reviewed=require_reviewed,
            source=source,
            min_confidence=min_confidence,
            dialects=dialects,
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
            dialects=dialects,
        )
    return out


def _entries_changed(
    miss: Miss,
    source: Article,
    twin: Article,
    prov: provenance.Provenance,
    glossary: Glossary,
    lang: str,
    dialects: Sequence[str] | None,
) -> bool:
    """Whether the glossary entries applying to the paragraph ``miss`` is in changed since
    its twin paragraph was written or approved (True where that cannot be told)."""
    recorded = prov.glossary_blocks
    if recorded is None or miss.field is not None or miss.twin_line is None:
        return True
    from bilingo.document import parse

    tdoc, sdoc = parse(twin.body, dialects=dialects), parse(source.body, dialects=dialects)
    lines = [twin.body_line + b.line - 1 for b in tdoc.blocks]
    if miss.twin_line not in lines or len(tdoc.blocks) != len(prov.source_blocks or ()):
        return True
    k = lines.index(miss.twin_line)
    texts = dict(zip(sdoc.block_hashes, (b.text for b in sdoc.blocks), strict=True))
    text = texts.get((prov.source_blocks or ())[k])
    if text is None:
        return True
    none = glossary.applying_hash("", lang=lang)
    return recorded.get(k, none) != glossary.applying_hash(text, lang=lang)


def holds_person_text(
    twin: Article, fields: Sequence[str], *, dialects: Sequence[str] | None
) -> bool:
    """Some paragraph or field of ``twin`` is a person's: not what bilingo last wrote
    (its body read with the site's ``dialects``)."""
    from bilingo.document import parse

    prov = provenance.read(twin)
    if prov is None:
        return True
    if any(provenance.person_owned(prov, parse(twin.body, dialects=dialects).block_hashes)):
        return True
    for key in prov.translated_fields(fields):
        value = twin.meta.get(key)
        if isinstance(value, str) and provenance.block_hash(value) != prov.written_field(key):
            return True
    copied = prov.copied_fields or {}
    return any(
        provenance.value_hash(v) != copied.get(k, "").partition("@")[0]
        for k, v in twin.meta.items()
        if provenance.tracked(k) and k not in prov.translated_fields(fields) and copied
    )


def orphan_problems(
    twin: Article, prov: provenance.Provenance, *, dialects: Sequence[str] | None
) -> list[Problem]:
    """Each paragraph a person wrote whose source paragraph was removed: kept in the twin
    (read with the site's ``dialects``)."""
    if not prov.orphans():
        return []
    from bilingo.document import parse

    doc = parse(twin.body, dialects=dialects)
    blocks = doc.blocks
    prov = provenance.without_deleted_orphans(prov, doc.block_hashes)
    out: list[Problem] = []
    for i in prov.orphans() if len(blocks) == len(prov.twin_blocks) else ():
        line = twin.body_line + blocks[i].line - 1
        out.append(
            Problem(
                twin.path,
                "orphaned-paragraph",
                "orphaned paragraph: a person's text whose source paragraph was removed, "
                "kept; delete it from the twin (or give the source its paragraph back), "
                f"then run: bilingo approve {twin.path}",
                line=line,
            )
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
    dialects: Sequence[str] | None,
) -> list[Problem]:
    """A twin that went through review: each paragraph (and field) not reviewed as it is
    now, with its line: needs review, edited by hand, or edited after review (read with
    the site's ``dialects``)."""
    from bilingo.document import parse
    from bilingo.verdicts import twin_verdicts  # here: a settled check judges no paragraph

    used = prov.translated_fields(fields)
    if prov.reviewed and prov.twin_hash == provenance.twin_content_hash(twin.meta, twin.body, used):
        return []  # approved, and untouched since: no need to parse it
    severity: Severity = "error" if require_reviewed else "warning"
    fix = f"review it, then run: bilingo approve {twin.path}"
    out: list[Problem] = []

    def add(kind: Kind, what: str, line: int | None) -> None:
        out.append(Problem(twin.path, kind, f"{what}; {fix}", severity, line))

    doc = parse(twin.body, dialects=dialects)
    prov = provenance.without_deleted_orphans(prov, doc.block_hashes)
    if len(doc.blocks) != len(prov.twin_blocks) and prov.reviewed:
        add("edited-after-review", "paragraphs added or removed after review", None)
        return out
    for verdict in twin_verdicts(
        twin,
        prov,
        fields,
        source=source,
        min_confidence=min_confidence,
        doc=doc,
        dialects=dialects,
    ):
        kind = verdict.problem_kind
        # Conflicts and orphaned paragraphs: pair_problems reports them.
        if kind is not None and verdict.state not in ("conflict", "orphaned paragraph"):
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
    dialects: Sequence[str] | None,
) -> list[Problem]:
    """A twin not yet reviewed at all: its machine paragraphs translated in pieces or with
    low confidence (read from the provenance first, so most twins are never parsed; then
    with the site's ``dialects``)."""
    from bilingo.verdicts import may_be_low, twin_verdicts

    if not prov.in_pieces and not may_be_low(prov, min_confidence):
        return []
    severity: Severity = "error" if require_reviewed else "warning"
    fix = f"review it, then run: bilingo approve {twin.path}"
    return [
        Problem(twin.path, cast(Kind, v.problem_kind), f"{v.detail}; {fix}", severity, v.line)
        for v in twin_verdicts(
            twin, prov, fields, source=source, min_confidence=min_confidence, dialects=dialects
        )
        if v.state in ("in pieces", "low-confidence")
    ]


def seal_twin(
    render: Callable[[str | None], str],
    *,
    source: Article,
    twin: Path,
    bom: bool,
    pairing: Pairing,
    glossary_hash: str,
    fields: Sequence[str],
    draft: Callable[[str], tuple[str, Mapping[str, Any]]] | None = None,
) -> bytes:
    """The twin's bytes to write, sealed when :func:`check_paths` would settle the pair.

    ``render(value)`` gives the twin's text with ``value`` as its provenance's seal (None:
    without one). The verdict is taken from the text as it will be on disk, parsed back, so
    a seal never records what the full path would not find. ``draft(value)``, if given,
    renders without checking its front matter (text, the values it must hold): the one
    parse-back here checks it, and only a draft that does not read back is rendered again.
    """

    def unsealed() -> bytes:
        return encode_text(render(None), bom=bom)

    if not source.raw_digest:
        return unsealed()  # not read from disk: nothing to seal
    # One render (PyYAML's emitter is the slow part) and one parse: the placeholder's verdict
    # word is swapped in the bytes, and only a pair that cannot be sealed is rendered again.
    value = placeholder("machine")
    parsed: Article | None = None
    if draft is not None:
        from bilingo.frontmatter import same_values  # here: a check never seals

        text, expected = draft(value)
        parsed = parse_article(twin, text, bom=bom)
        if not same_values(dict(parsed.meta), dict(expected)):
            parsed = None
    if parsed is None:
        text = render(value)
        parsed = parse_article(twin, text, bom=bom)
    verdict = settle_verdict(
        source, parsed, pairing=pairing, glossary_hash=glossary_hash, fields=fields
    )
    data = encode_text(text, bom=bom)
    match = find_seal(data)
    if verdict is None or match is None or match.group(1) != UNSEALED.encode():
        return unsealed()
    # The first seal line must be the front matter's own (a multi-line value could hold one):
    # it holds the placeholder, and the front matter has no other line like it.
    prov = provenance.read(parsed)
    body = encode_text(parsed.body.replace("\n", parsed.newline))
    if (
        prov is None
        or prov.seal != value
        or not data.endswith(body)
        or seal_lines(data, len(data) - len(body)) != 1
    ):
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
    return unsealed() if sealed is None else sealed


def reseal(
    source: Article,
    twin: Article,
    *,
    pairing: Pairing,
    glossary_hash: str,
    fields: Sequence[str],
) -> bytes:
    """``twin``'s bytes with its seal made to hold again, or b"" when it cannot be.

    A person's edit to a twin breaks its seal, and then every ``check`` judges the pair in
    full. ``translate``, finding such a pair otherwise up to date, writes it back with only
    the seal line's value changed (the verdict the full path finds, ``edited`` included):
    every other byte stays the person's."""
    data = twin.raw
    match = find_seal(data) if data and source.raw_digest else None
    if match is None:
        return b""
    verdict = settle_verdict(
        source, twin, pairing=pairing, glossary_hash=glossary_hash, fields=fields
    )
    if verdict is None:
        return b""
    prov = provenance.read(twin)
    body = encode_text(twin.body.replace("\n", twin.newline))
    if (
        prov is None
        or prov.seal != f"{match.group(1).decode()} {match.group(2).decode()}"
        or not data.endswith(body)
        or seal_lines(data, len(data) - len(body)) != 1
    ):
        return b""  # the first seal-like line is not the front matter's own
    value = placeholder(verdict).encode()
    start, end = match.start(1), match.end(2)
    sealed = seal_bytes(
        data[:start] + value + data[end:],
        glossary_hash=glossary_hash,
        fields=fields,
        source_name=source.path.name,
        source_digest=source.raw_digest,
        twin_name=twin.path.name,
    )
    return sealed if sealed is not None and sealed != data else b""
