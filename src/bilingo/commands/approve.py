"""``bilingo approve``: mark a twin as reviewed, and make its text the new baseline.

Only the ``bilingo:`` provenance block changes; the rest of the file (other front-matter
lines, the body, newline style, BOM) stays byte for byte. Besides ``reviewed: true`` with
who and when, approving re-hashes the twin as it is now (``twin_hash``, ``twin_blocks``,
``twin_fields``), so the re-translation logic treats the approved text as what it
compares against, and it clears the ``conflicts`` a re-translation recorded.
"""

from __future__ import annotations

import datetime as _dt
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bilingo import provenance
from bilingo.article import (
    DEFAULT_TRANSLATED_FIELDS,
    Article,
    encode_text,
    parse_article,
    read_article,
    write_atomic_bytes,
)
from bilingo.document import Block, segment
from bilingo.errors import ArticleError, BilingoError
from bilingo.judge import seal_twin
from bilingo.layout import PLAIN
from bilingo.lock import tree_lock
from bilingo.pairs import PairIndex, find_markdown, find_pair
from bilingo.provenance import (
    Provenance,
    block_hash,
    source_hash,
    twin_content_hash,
)
from bilingo.site import Settings

if TYPE_CHECKING:
    from bilingo.glossary import Glossary


@dataclass(frozen=True)
class Approval:
    """What approving one twin did."""

    twin: Path
    reviewed_by: str
    reviewed_at: str
    #: False when the twin was already approved as it is (the file was not touched).
    changed: bool
    #: Conflicts the approval resolved.
    cleared_conflicts: int = 0
    #: The source changed since the twin was made: check still reports it stale.
    stale: bool = False
    #: Conflicts cleared whose paragraph nobody touched since they were recorded.
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "twin": str(self.twin),
            "changed": self.changed,
            "reviewed_by": self.reviewed_by,
            "reviewed_at": self.reviewed_at,
            "cleared_conflicts": self.cleared_conflicts,
            "stale": self.stale,
            **({"warnings": list(self.warnings)} if self.warnings else {}),
        }


@dataclass(frozen=True)
class ApproveItem:
    """One PATH given to ``bilingo approve``: what approving did, or why it could not."""

    path: Path
    approval: Approval | None = None
    error: str = ""

    def as_dict(self) -> dict[str, object]:
        if self.approval is None:
            return {"path": str(self.path), "error": self.error}
        return {"path": str(self.path), **self.approval.as_dict()}


@dataclass(frozen=True)
class ApproveReport:
    items: tuple[ApproveItem, ...]

    @property
    def exit_code(self) -> int:
        return 2 if any(i.approval is None for i in self.items) else 0

    def as_dict(self) -> list[dict[str, object]]:
        return [i.as_dict() for i in self.items]


def run(
    settings: Settings,
    paths: Sequence[Path],
    *,
    by: str | None = None,
    today: _dt.date | None = None,
) -> ApproveReport:
    """``bilingo approve``: each PATH in turn (a folder: every twin bilingo wrote under it),
    under the tree's lock; one failing does not stop the others."""
    for p in paths:
        if not p.exists():
            raise BilingoError(f"no such file or folder: {p}")
    reviewer = by.strip() if by and by.strip() else default_reviewer()
    index = PairIndex(settings.pairing)
    items: list[ApproveItem] = []
    with tree_lock(settings.state_dir, wait=10.0):
        for p in paths:
            if p.is_dir() and not _expand([p]):
                items.append(
                    ApproveItem(
                        p, error=f"{p}: no twin bilingo wrote under it; run: bilingo translate {p}"
                    )
                )
        for p in _expand(paths):
            try:
                done = approve(
                    p,
                    by=reviewer,
                    index=index,
                    today=today,
                    fields=settings.fields,
                    glossary_hash=settings.glossary.hash,
                    terms=settings.glossary,
                )
            except BilingoError as exc:
                items.append(ApproveItem(p, error=exc.format()))
                continue
            items.append(ApproveItem(p, done))
    return ApproveReport(tuple(items))


def _expand(paths: Sequence[Path]) -> list[Path]:
    """Files as given; a folder stands for the twins bilingo wrote under it."""
    out: list[Path] = []
    for p in paths:
        if p.is_file():
            out.append(p)
            continue
        files, _ = find_markdown([p])
        out += [f for f in files if _is_twin_file(f)]
    return list(dict.fromkeys(out))


def _is_twin_file(path: Path) -> bool:
    try:
        return provenance.is_twin(read_article(path))
    except BilingoError:
        return True  # approving it reports why it cannot be read


def default_reviewer(*, cwd: Path | None = None, environ: Mapping[str, str] | None = None) -> str:
    """``git config user.name``, else ``$USER``; a BilingoError when neither is known."""
    env = os.environ if environ is None else environ
    try:
        done = subprocess.run(
            ["git", "config", "user.name"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        name = done.stdout.strip() if done.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        name = ""
    name = name or env.get("USER", "").strip()
    if not name:
        raise BilingoError("cannot tell who is approving; give --by NAME")
    return name


def _read(path: Path) -> tuple[Article, str]:
    """The article and its whole text, newlines normalised to ``\\n`` as in the Article."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"cannot read: {exc.strerror}", path=path) from None
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data[3 if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError:
        raise ArticleError("not valid UTF-8; save the file as UTF-8", path=path) from None
    article = parse_article(path, text, bom=bom)
    return article, text.replace("\r\n", "\n")


def twin_to_approve(path: Path, index: PairIndex) -> Path:
    """The twin file ``path`` stands for: itself when it is a twin, else its twin (by the
    run's ``index``)."""
    article, _ = _read(path)
    prov = provenance.read(article)
    if prov is not None and prov.is_twin:
        return path
    if prov is not None:
        raise BilingoError(
            "its bilingo block names no source, so it is not a twin bilingo wrote; nothing "
            "to approve",
            path=path,
        )
    try:
        pair = find_pair(path, index)
    except BilingoError:
        raise BilingoError(
            "not a twin (no bilingo provenance) and it has no twin bilingo wrote; give the "
            "path of a translated file, or run: bilingo translate " + str(path),
            path=path,
        ) from None
    if not provenance.is_twin(pair.twin):
        raise BilingoError(
            f"neither it nor {pair.twin.path.name} has bilingo provenance: a pair written by "
            "people has nothing to approve",
            path=path,
        )
    return pair.twin.path


def approve(
    path: Path,
    *,
    by: str,
    today: _dt.date | None = None,
    fields: Sequence[str] = DEFAULT_TRANSLATED_FIELDS,
    glossary_hash: str | None = None,
    terms: Glossary | None = None,
    index: PairIndex | None = None,
) -> Approval:
    """Mark the twin of ``path`` (or ``path`` itself) reviewed by ``by``: every paragraph
    and field ``r``, conflicts cleared, and the glossary the reviewer checked it against
    (``glossary_hash``: the current one; ``terms``: that glossary, whose entries per
    paragraph are recorded) recorded. What bilingo itself wrote stays on record: approving
    never makes a person's text bilingo's. ``index``: the run's pairs, from the site's
    pairing (None: a plain folder's, :data:`bilingo.layout.PLAIN`, for a caller outside a
    site's run)."""
    index = index if index is not None else PairIndex(PLAIN)
    dialects = index.pairing.dialects
    twin_file = twin_to_approve(path, index)
    twin, text = _read(twin_file)
    prov = provenance.read(twin) or Provenance()
    used = prov.translated_fields(fields)
    when = (today or _dt.date.today()).isoformat()
    # The twin as it is now becomes the baseline later runs compare against.
    twin_hash = twin_content_hash(twin.meta, twin.body, used)
    twin_doc = segment(twin.body, dialects=dialects)
    twin_blocks = twin_doc.block_hashes
    twin_fields = {k: block_hash(v) for k in used if isinstance(v := twin.meta.get(k), str)}
    cleared = len(prov.conflicts)
    source_blocks, written = _ownership(prov, twin_blocks)
    written_fields = {k: prov.written_field(k) or h for k, h in twin_fields.items()}
    source = _source_of(twin_file, prov, index)
    copied = _copied_against(prov, twin, source, used)
    stale = source is not None and prov.source_hash != source_hash(source)
    glossary = prov.glossary_hash if glossary_hash is None else glossary_hash
    if (
        prov.reviewed
        and not cleared
        and (prov.twin_hash, prov.twin_blocks, prov.twin_fields, prov.glossary_hash)
        == (twin_hash, twin_blocks, twin_fields, glossary)
    ):
        return Approval(
            twin_file, prov.reviewed_by or "", prov.reviewed_at or "", changed=False, stale=stale
        )
    approved = replace(
        prov,
        glossary_hash=glossary,
        states=None,  # all reviewed: what ``reviewed: true`` says
        field_states=None,
        reviewed=True,
        reviewed_by=by,
        reviewed_at=when,
        twin_hash=twin_hash,
        twin_blocks=twin_blocks,
        twin_fields=twin_fields,
        # What bilingo wrote stays on record: approving makes no text bilingo's.
        source_blocks=source_blocks,
        written_blocks=written if written != twin_blocks else None,
        written_fields=written_fields if written_fields != twin_fields else None,
        copied_fields=copied,
        glossary_blocks=_entries(terms, source, source_blocks, prov, dialects),
        conflicts=(),
        in_pieces=(),  # a reviewer has read those sentences too
        confidence=None,  # and weighed the machine's unsure ones: nothing left to flag
        seal=None,
    )

    def render(seal: str | None) -> str:
        new_text = provenance.rewrite(twin, text, replace(approved, seal=seal))
        return new_text.replace("\n", twin.newline) if twin.newline != "\n" else new_text

    if source is None:
        data = encode_text(render(None), bom=twin.bom)
    else:
        # The glossary the twin was made with: check settles the pair only while it is current.
        data = seal_twin(
            render,
            source=source,
            twin=twin_file,
            bom=twin.bom,
            pairing=index.pairing,
            glossary_hash=glossary,
            fields=fields,
        )
    write_atomic_bytes(twin_file, data)
    return Approval(
        twin_file,
        by,
        when,
        changed=True,
        cleared_conflicts=cleared,
        stale=stale,
        # Lines in the file as written (its provenance block got shorter).
        warnings=_untouched_conflicts(
            replace(twin, body_line=parse_article(twin_file, data.decode("utf-8-sig")).body_line),
            twin_doc.blocks,
            prov,
        ),
    )


def _ownership(
    prov: Provenance, now: tuple[str, ...]
) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """The source paragraph list and what bilingo wrote per paragraph, for the twin's
    paragraphs ``now``. Orphaned paragraphs a person deleted leave both lists; a paragraph
    bilingo never wrote is marked ``-`` (a person's)."""
    prov = provenance.without_deleted_orphans(prov, now)
    written = prov.written()
    if len(now) == len(written):
        return prov.source_blocks, written
    mine = set(written)
    return prov.source_blocks, tuple(h if h in mine else provenance.ORPHAN for h in now)


def _entries(
    glossary: Glossary | None,
    source: Article | None,
    source_blocks: Sequence[str] | None,
    prov: Provenance,
    dialects: Sequence[str] | None,
) -> Mapping[int, str] | None:
    """Per twin paragraph, the glossary entries applying to its source paragraph now: what
    the reviewer approved it against (unknown paragraphs keep what was recorded; the source
    read with the site's ``dialects``)."""
    if glossary is None or source is None or source_blocks is None:
        return prov.glossary_blocks
    doc = segment(source.body, dialects=dialects)
    texts = dict(zip(doc.block_hashes, (b.text for b in doc.blocks), strict=True))
    lang = prov.source_lang or "nb"
    none = glossary.applying_hash("", lang=lang)
    out: dict[int, str] = {}
    for k, h in enumerate(source_blocks):
        text = texts.get(h)
        terms = glossary.applying_hash(text, lang=lang) if text is not None else none
        if text is None and prov.glossary_blocks is not None and k in prov.glossary_blocks:
            terms = prov.glossary_blocks[k]
        if terms != none:
            out[k] = terms
    return out or None


def _copied_against(
    prov: Provenance, twin: Article, source: Article | None, used: Sequence[str]
) -> Mapping[str, str] | None:
    """``copied_fields`` with each of a person's own fields approved against the source's
    value now (it stays the person's: a later change of the source's value is a conflict)."""
    copied = prov.copied_fields
    if copied is None or source is None:
        return copied
    out = dict(copied)
    for key, value in twin.meta.items():
        if not provenance.tracked(key) or key in used:
            continue
        written = copied.get(key, "").partition("@")[0]
        if written and provenance.value_hash(value) == written:
            continue
        now = provenance.value_hash(source.meta[key]) if key in source.meta else ""
        out[key] = f"{written or '-'}@{now}"
    return out


def _untouched_conflicts(
    twin: Article, blocks: Sequence[Block], prov: Provenance
) -> tuple[str, ...]:
    """Conflicts cleared although their paragraph (or field) is as it was when the conflict
    was recorded: the twin may now say something its source no longer says."""
    out: list[str] = []
    for c in prov.conflicts:
        if c.twin is None:
            continue
        if c.field is not None:
            value = twin.meta.get(c.field)
            if isinstance(value, str) and block_hash(value) == c.twin:
                out.append(
                    f"{twin.path}: conflict cleared on front matter '{c.field}', which was not "
                    "changed since its source changed; check that it follows the source"
                )
            continue
        hashes = {block_hash(b.text): b for b in blocks}
        block = hashes.get(c.twin)
        if block is not None:
            line = twin.body_line + block.line - 1
            out.append(
                f"{twin.path}:{line}: conflict cleared on a paragraph not changed since its "
                f"source changed (source line {c.line}); check that it follows the source"
            )
    return tuple(out)


def _source_of(twin_file: Path, prov: Provenance, index: PairIndex) -> Article | None:
    """The source the provenance names; None when it cannot be read.

    A name that names no file of the site's pairing is an error, as for every command."""
    problem = index.source_name_problem(prov.source)
    named = index.resolve_source(twin_file, str(prov.source)) if problem is None else None
    if named is None:
        raise BilingoError(
            problem
            or f"its provenance names {prov.source!r}, outside its language's folder; "
            "fix the 'source:' line of its bilingo block",
            path=twin_file,
        )
    try:
        return read_article(named)
    except BilingoError:
        return None
