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
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bilingo.article import (
    DEFAULT_TRANSLATED_FIELDS,
    PROVENANCE_KEY,
    Article,
    encode_text,
    parse_article,
    read_article,
    render_article,
    short_hashes,
    source_hash,
    twin_content_hash,
    write_atomic_bytes,
)
from bilingo.check import seal_twin
from bilingo.errors import ArticleError, BilingoError
from bilingo.seal import SEAL_KEY
from bilingo.units import IN_PIECES_KEY


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


def twin_to_approve(path: Path) -> Path:
    """The twin file ``path`` stands for: itself when it is a twin, else its twin."""
    from bilingo.diff import find_pair

    article, _ = _read(path)
    if article.is_twin:
        return path
    if article.provenance is not None:
        raise BilingoError(
            "its bilingo block names no source, so it is not a twin bilingo wrote; nothing "
            "to approve",
            path=path,
        )
    try:
        pair = find_pair(path)
    except BilingoError:
        raise BilingoError(
            "not a twin (no bilingo provenance) and it has no twin bilingo wrote; give the "
            "path of a translated file, or run: bilingo translate " + str(path),
            path=path,
        ) from None
    if not pair.twin.is_twin:
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
) -> Approval:
    """Mark the twin of ``path`` (or ``path`` itself) reviewed by ``by``."""
    from bilingo.segment import segment

    twin_file = twin_to_approve(path)
    twin, text = _read(twin_file)
    prov: dict[str, Any] = dict(twin.provenance or {})
    when = (today or _dt.date.today()).isoformat()
    baseline = {
        "twin_hash": twin_content_hash(twin.meta, twin.body, tuple(fields)),
        "twin_blocks": short_hashes(b.text for b in segment(twin.body).blocks),
        "twin_fields": {
            k: short_hashes([v]) for k in fields if isinstance(v := twin.meta.get(k), str)
        },
    }
    conflicts = prov.get("conflicts")
    cleared = len(conflicts) if isinstance(conflicts, list) else 0
    source = _source_of(twin_file, prov)
    stale = source is not None and prov.get("source_hash") != source_hash(source)
    if (
        prov.get("reviewed") is True
        and not cleared
        and all(prov.get(k) == v for k, v in baseline.items())
    ):
        return Approval(
            twin_file, str(prov.get("reviewed_by", "")), str(prov.get("reviewed_at", "")),
            changed=False, stale=stale,
        )  # fmt: skip
    prov.pop("conflicts", None)
    prov.pop(IN_PIECES_KEY, None)  # a reviewer has read those sentences too
    prov.update(baseline)
    # Who and when go right after "reviewed", where a person reading the block looks.
    review = {"reviewed": True, "reviewed_by": by, "reviewed_at": when}
    rest = [(k, v) for k, v in prov.items() if k not in review]
    at = next((i for i, (k, _) in enumerate(rest) if k == "machine"), len(rest) - 1) + 1
    prov = dict(rest[:at] + list(review.items()) + rest[at:])
    prov.pop(SEAL_KEY, None)

    def render(seal: str | None) -> str:
        new_text = _replace_provenance(
            twin, text, prov if seal is None else {**prov, SEAL_KEY: seal}
        )
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
            glossary_hash=str(prov.get("glossary_hash", "")),
            fields=fields,
        )
    write_atomic_bytes(twin_file, data)
    return Approval(twin_file, by, when, changed=True, cleared_conflicts=cleared, stale=stale)


def _source_of(twin_file: Path, prov: Mapping[str, Any]) -> Article | None:
    """The source the provenance names, beside the twin; None when it cannot be read."""
    name = Path(str(prov.get("source", ""))).name
    if not name:
        return None
    try:
        return read_article(twin_file.with_name(name))
    except BilingoError:
        return None


# A top-level "bilingo:" key and its indented lines (blank lines inside included).
_BLOCK_RE = re.compile(
    rf"^{PROVENANCE_KEY}:[ \t]*\n(?:[ \t]+\S[^\n]*\n|[ \t]*\n(?=[ \t]+\S))*", re.M
)


def _replace_provenance(twin: Article, text: str, prov: Mapping[str, Any]) -> str:
    """The file's text with only the provenance block re-written.

    Falls back to re-rendering the whole front matter when the block is not laid out as
    bilingo writes it (flow style, say); the result is checked by parsing it back.
    """
    meta = {**twin.meta, PROVENANCE_KEY: dict(prov)}
    front = text[: len(text) - len(twin.body)]
    block = yaml.safe_dump(
        {PROVENANCE_KEY: dict(prov)},
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    matches = list(_BLOCK_RE.finditer(front))
    if len(matches) == 1:
        m = matches[0]
        candidate = front[: m.start()] + block + front[m.end() :] + twin.body
        check = parse_article(twin.path, candidate)
        if dict(check.meta) == meta and check.body == twin.body:
            return candidate
    return render_article(meta, twin.body)
