"""What the glossary commands show: the term list, DeepL's format, compounds, and the
terms an article pair misses."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from bilingo.article import Article
from bilingo.errors import GlossaryError
from bilingo.glossary.matching import Glossary, Kind
from bilingo.glossary.protection import Miss


@dataclass(frozen=True)
class Compound:
    """A word that contains a glossary term without being one (not rewritten)."""

    word: str
    term: str
    line: int


@dataclass(frozen=True)
class GlossaryRow:
    """One line of ``bilingo glossary show``."""

    kind: Kind
    nb: str
    en: str
    form: str
    note: str
    line: int | None


# --------------------------------------------------------------------------- reports


def show(glossary: Glossary, *, forms: bool = False) -> list[GlossaryRow]:
    """Rows for ``bilingo glossary show``: one per entry, or one per form with ``forms``."""
    rows: list[GlossaryRow] = []
    for e in glossary.entries:
        if not forms:
            label = "keep" if e.kind == "keep" else e.inflect + (", mass" if e.mass else "")
            rows.append(GlossaryRow(e.kind, e.nb, e.en, label, e.note or "", e.line))
            continue
        for f in e.forms:
            rows.append(GlossaryRow(e.kind, f.nb, f.en, f.cls, e.note or "", e.line))
    return rows


def export_deepl(
    glossary: Glossary, *, source: str, target: str, fmt: Literal["csv", "tsv"]
) -> str:
    """DeepL glossary entries, ``source<sep>target`` one per line, no header.

    DeepL matches exact forms, so every inflected form is its own row; a source form listed
    twice keeps its first target, as bilingo's own lookup does.
    """
    if source == target or {source, target} != {"nb", "en"}:
        raise GlossaryError(f"cannot export {source} -> {target}; use nb -> en or en -> nb")
    seen: set[str] = set()
    rows: list[tuple[str, str]] = []
    for entry in glossary.entries:
        for form in entry.forms:
            src, tgt = form.text(source), form.text(target)
            if src not in seen:
                seen.add(src)
                rows.append((src, tgt))
    buf = io.StringIO()
    if fmt == "tsv":
        for src, tgt in rows:
            buf.write(f"{src}\t{tgt}\n")
    else:
        import csv  # here: every run imports this module, one export writes CSV

        csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def find_compounds(
    glossary: Glossary, text: str, *, lang: str, dialects: Sequence[str] | None
) -> list[Compound]:
    """Words that start or end with a glossary form but are not one (``næringsklyngetillit``),
    in the prose of ``text`` (Markdown of the site's ``dialects``).

    bilingo does not rewrite these (a compound's English is not the term plus the rest);
    they go to the engine as they are. Listing them lets an editor add the ones that matter.
    """
    prefixes: dict[str, str] = {}
    for entry in glossary.entries:
        for form in entry.forms:
            word = form.text(lang).lower()
            if " " not in word and "'" not in word and len(word) >= 4:
                prefixes.setdefault(word, entry.base(lang))
    if not prefixes:
        return []
    from bilingo.document import prose_mask  # here: the glossary loads without markdown-it

    masked = prose_mask(text, dialects=dialects)
    matched = {(m.start(), m.end()) for m, _, _ in glossary.matches(masked, lang=lang)}
    out: list[Compound] = []
    for m in re.finditer(r"[^\W\d_]+", masked):
        if (m.start(), m.end()) in matched:
            continue
        word = m.group().lower()
        term = _longest_affix(word, prefixes)
        if term is not None:
            out.append(Compound(m.group(), term, masked.count("\n", 0, m.start()) + 1))
    return out


def _longest_affix(word: str, forms: Mapping[str, str]) -> str | None:
    # Keep 3+ letters for the other part: "strikket" (knitted) is no compound of "strikk".
    for k in range(len(word) - 3, 3, -1):
        if word[:k] in forms:
            return forms[word[:k]]
        if word[-k:] in forms:
            return forms[word[-k:]]
    return None


def check_articles(
    glossary: Glossary,
    source: Article,
    twin: Article,
    *,
    source_lang: str,
    target_lang: str,
    fields: Sequence[str],
    dialects: Sequence[str] | None,
) -> list[Miss]:
    """:meth:`Glossary.check` over an article pair's body and translated fields, with line
    numbers in the files (front matter included); Markdown of the site's ``dialects``."""
    misses: list[Miss] = []
    for key in fields:
        src_value, twin_value = source.meta.get(key), twin.meta.get(key)
        if not isinstance(src_value, str):
            continue
        twin_text = twin_value if isinstance(twin_value, str) else ""
        src_line = _field_line(source, key)
        twin_line = _field_line(twin, key)
        for miss in glossary.check(
            src_value, twin_text, source=source_lang, target=target_lang, dialects=dialects
        ):
            misses.append(
                Miss(miss.term, miss.expected, src_line, twin_line, miss.found, field=key)
            )
    s_off, t_off = source.body_line - 1, twin.body_line - 1
    for miss in glossary.check(
        source.body, twin.body, source=source_lang, target=target_lang, dialects=dialects
    ):
        misses.append(
            Miss(
                miss.term,
                miss.expected,
                None if miss.line is None else miss.line + s_off,
                None if miss.twin_line is None else miss.twin_line + t_off,
                miss.found,
            )
        )
    return misses


def _field_line(article: Article, key: str) -> int | None:
    from bilingo.frontmatter import key_line

    return key_line(article.front_format, article.raw_front_matter, key)
