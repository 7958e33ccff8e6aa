"""bilingo.document (the segmenter): golden fixtures, fixture articles, rules, properties.

Regenerate the expected ``tests/fixtures/segment/*.segments.txt`` files with
``BILINGO_REGEN=1 pytest tests/test_segment.py`` and review the diff.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bilingo.document import Document, parser, segment, segment_text, split_sentences
from bilingo.document.dialects import resolve

FIXTURES = Path(__file__).parent / "fixtures"
SEGMENT_CASES = sorted((FIXTURES / "segment").glob("*.md"))
ARTICLES = sorted((FIXTURES / "articles").glob("*.md"))
REGEN = os.environ.get("BILINGO_REGEN") == "1"

FRONT_MATTER_RE = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
URL_RE = re.compile(r"(?:https?://|mailto:|www\.)[^\s)<>\"]+")


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # bytes as they are: no newline translation


def article_body(path: Path) -> str:
    return FRONT_MATTER_RE.sub("", read(path), count=1)


def identity(doc: Document) -> str:
    return doc.render([s.text for s in doc.segments])


def check_invariants(body: str, doc: Document) -> None:
    assert doc.body == body
    assert identity(doc) == body
    previous_end = 0
    for block in doc.blocks:
        assert previous_end <= block.start <= block.end
        assert body[block.start : block.end] == block.text
        previous_end = block.end
        for i in block.segments:
            seg = doc.segments[i]
            assert seg.block == block.index
            assert block.start <= seg.start < seg.end <= block.end
            assert body[seg.start : seg.end] == seg.text
            assert (
                seg.line
                == body.count("\n", 0, seg.start)
                - body.count("\r\n", 0, seg.start)
                + body.count("\r", 0, seg.start)
                + 1
            )
    assert [i for b in doc.blocks for i in b.segments] == list(range(len(doc.segments)))
    for seg in doc.segments:
        text = seg.text
        assert text == text.strip() and not text[0].isspace() and not text[-1].isspace()
        assert all(not ch.isspace() or ch == " " for ch in text), repr(text)
        assert "  " not in text
        assert re.search(r"[^\W\d_]", text), f"letterless segment {text!r}"


def describe(doc: Document) -> str:
    out = []
    for block in doc.blocks:
        where = f" in {' > '.join(block.containers)}" if block.containers else ""
        out.append(f"block {block.index} {block.kind} line {block.line}{where}")
        out.extend(
            f"  {doc.segments[i].line}:{doc.segments[i].kind}: {doc.segments[i].text}"
            for i in block.segments
        )
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------
# Golden fixtures


@pytest.mark.parametrize("case", SEGMENT_CASES, ids=lambda p: p.stem)
def test_golden_segments(case: Path) -> None:
    body = read(case)
    doc = segment(body, strict=True)
    check_invariants(body, doc)
    expected = case.with_suffix(".segments.txt")
    actual = describe(doc)
    if REGEN:
        expected.write_bytes(actual.encode("utf-8"))
    assert expected.exists(), f"missing {expected.name}: run with BILINGO_REGEN=1"
    assert actual == read(expected)


def test_golden_cases_exist() -> None:
    assert len(SEGMENT_CASES) >= 8
    orphans = {p.name.removesuffix(".segments.txt") for p in (FIXTURES / "segment").glob("*.txt")}
    assert orphans == {p.stem for p in SEGMENT_CASES}


# --------------------------------------------------------------------------------------
# Fixture articles (other modules translate them with an identity model)


def test_articles_are_the_promised_set() -> None:
    names = [p.name for p in ARTICLES]
    assert len(names) >= 3
    assert any(n.endswith(".nb.md") for n in names)
    assert any(n.endswith(".en.md") for n in names)
    assert any(not n.endswith((".nb.md", ".en.md")) for n in names)


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_article_front_matter(path: Path) -> None:
    m = FRONT_MATTER_RE.match(read(path))
    assert m, "front matter missing"
    keys = dict(line.split(":", 1) for line in m.group(1).splitlines())
    assert {"title", "date"} <= keys.keys()
    suffix = path.suffixes[-2] if len(path.suffixes) > 1 else None
    if suffix in (".nb", ".en"):
        assert keys["lang"].strip() == suffix[1:]
    else:
        assert "lang" not in keys


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_article_round_trip_and_literals(path: Path) -> None:
    text = read(path)
    # SentencePiece's NFKC would rewrite these, breaking identity-model tests downstream.
    assert "…" not in text and "\u00a0" not in text and "\r" not in text
    body = article_body(path)
    doc = segment(body, strict=True)
    check_invariants(body, doc)
    shouted = doc.render([s.text.upper() for s in doc.segments])
    for url in URL_RE.findall(body):
        assert not any(url in s.text for s in doc.segments), url
        assert url in shouted, url
    assert len(doc.segments) >= 20


def test_articles_exercise_the_markdown_features() -> None:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    seen: set[str] = set()
    bodies = [article_body(p) for p in ARTICLES]
    for body in bodies:
        env: dict[str, object] = {}
        for tok in md.parse(body, env):
            seen.add(tok.type)
            if tok.type == "heading_open":
                seen.add("setext" if tok.markup in "=-" else "atx")
            for child in tok.children or []:
                seen.add(child.type)
                if child.type == "link_open" and "title" in child.attrs:
                    seen.add("link_title")
                if child.info == "auto":
                    seen.add("autolink")
        if env.get("references"):
            seen.add("references")
    wanted = {
        "atx", "setext", "em_open", "strong_open", "s_open", "code_inline", "fence",
        "code_block", "link_title", "references", "autolink", "image", "html_inline",
        "html_block", "ordered_list_open", "bullet_list_open", "blockquote_open",
        "table_open", "hardbreak",
    }  # fmt: skip
    assert wanted - seen == set()
    joined = "\n".join(bodies)
    for needle in ("  \n", "\\\n", "\\*", "[^", "www.", "«", "»", "–", "’", "æ", "ø", "å"):
        assert needle in joined, needle
    assert re.search(r"\n  +[-*] ", joined) or re.search(r"\n   +\d\. ", joined)  # nesting


# --------------------------------------------------------------------------------------
# What stays literal, what is translated

RICH = """\
# Moteuka i *Oslo*

Les [rapporten](https://www.virke.no/rapport "Virke: rapport") om `kode_123` nå.[^1]
Se <https://example.com/auto> og www.example.no eller post@example.org i dag.

![Modell i grå ullkåpe](/img/look-7.jpg "Look sju")

| Merke | Pris |
|-------|-----:|
| Holzweiler | 2 500 kr |

<div class="boks">Blokk-HTML beholdes</div>

Tekst med <span class="x">inline-HTML</span> og [referanse][ref].

```python
print("ikke oversett")
```

[ref]: https://example.com/ref "Referansetittel"
[^1]: Kilde.
"""


def test_literals_never_reach_asegment() -> None:
    doc = segment(RICH, strict=True)
    check_invariants(RICH, doc)
    texts = [s.text for s in doc.segments]
    literals = [
        "https://www.virke.no/rapport", "Virke: rapport", "kode_123", "[^1]",
        "https://example.com/auto", "www.example.no", "post@example.org", "/img/look-7.jpg",
        "Look sju", "Blokk-HTML", "<span", "class", "[ref]", "Referansetittel",
        "ikke oversett", "|", "#",
    ]  # fmt: skip
    for literal in literals:
        assert not any(literal in t for t in texts), literal
    kinds = {(s.text, s.kind) for s in doc.segments}
    assert ("Oslo", "emphasis") in kinds
    assert ("rapporten", "link_text") in kinds
    assert ("Modell i grå ullkåpe", "image_alt") in kinds
    assert ("Holzweiler", "table_cell") in kinds
    assert ("inline-HTML", "paragraph") in kinds
    assert ("referanse", "link_text") in kinds
    assert "2 500 kr" in texts  # a cell with letters is prose
    assert doc.blocks[0].kind == "heading"


def test_uppercase_render_changes_prose_only() -> None:
    doc = segment(RICH)
    shouted = doc.render([s.text.upper() for s in doc.segments])
    # Outside the segments the output is the input, byte for byte.
    pos_in = pos_out = 0
    for seg in doc.segments:
        gap = RICH[pos_in : seg.start]
        assert shouted[pos_out : pos_out + len(gap)] == gap
        assert shouted[pos_out + len(gap) :].startswith(seg.text.upper())
        pos_in, pos_out = seg.end, pos_out + len(gap) + len(seg.text.upper())
    assert shouted[pos_out:] == RICH[pos_in:]
    assert '[RAPPORTEN](https://www.virke.no/rapport "Virke: rapport")' in shouted
    assert '![MODELL I GRÅ ULLKÅPE](/img/look-7.jpg "Look sju")' in shouted
    assert '<span class="x">INLINE-HTML</span>' in shouted
    assert "[REFERANSE][ref]" in shouted and "[ref]: https://example.com/ref" in shouted


def test_reference_labels_and_footnotes_stay_literal() -> None:
    """Full references keep their label; the text of collapsed and shortcut ones is prose
    (bilingo.document.relabel writes ``[translated][dn]``); footnote labels are literal."""
    body = "[Full][dn], [dn][] og [dn] og [^1] og [^fn].\n\n[dn]: https://dn.no\n[^1]: Kilde.\n"
    doc = segment(body, strict=True)
    assert [s.text for s in doc.segments] == ["Full", "dn", "og", "dn", "og", "og"]
    assert [body[start:end] for _, start, _, end in doc.references] == ["[dn][]", "[dn]"]
    footnote = segment("Tekst.[^2]\n\n[^2]: Tallene gjelder netthandel.\n", strict=True)
    assert [s.text for s in footnote.segments] == ["Tekst.", "Tallene gjelder netthandel."]


def test_escapes_entities_and_escaped_table_pipes_are_literal() -> None:
    body = "A \\*B\\* C &amp; D &#x41;\n\n| a \\| b |\n|---|\n| `x \\| y` |\n"
    doc = segment(body, strict=True)
    assert [s.text for s in doc.segments] == ["A", "B", "C", "D", "a", "b"]
    assert doc.render(["1", "2", "3", "4", "5", "6"]) == (
        "1 \\*2\\* 3 &amp; 4 &#x41;\n\n| 5 \\| 6 |\n|---|\n| `x \\| y` |\n"
    )


def test_letterless_pieces_stay_literal() -> None:
    doc = segment("2015 – 43 % (3)\n\nTekst 2015. 12.\n\n| 1 | 2 |\n|---|---|\n| 3 | x |\n")
    assert [s.text for s in doc.segments] == ["Tekst 2015. 12.", "x"]
    assert [b.segments for b in doc.blocks] == [(), (0,), (), (), (), (1,)]


def test_innermost_kind() -> None:
    doc = segment("[*Vekt* i **lenke**](/u) og ![alt *bilde*](/i.png)", strict=True)
    kinds = [(s.text, s.kind) for s in doc.segments]
    assert kinds == [
        ("Vekt", "emphasis"),
        ("i", "link_text"),
        ("lenke", "strong"),
        ("og", "paragraph"),
        ("alt", "image_alt"),
        ("bilde", "emphasis"),
    ]


def test_hugo_shortcodes_are_literal() -> None:
    body = 'Se [denne artikkelen]({{< ref "a.md" >}}) og {{< figure src="/a.jpg" title="Ull" >}}.'
    doc = segment(body, strict=True)
    assert [s.text for s in doc.segments] == ["Se", "denne artikkelen", "og"]


def test_blocks_skip_container_prefixes_but_span_inner_ones() -> None:
    body = "> - Første linje\n>   andre linje\n\n- a\n\n  b\n"
    doc = segment(body, strict=True)
    first = doc.blocks[0]
    assert first.text == "Første linje\n>   andre linje"
    assert first.containers == ("blockquote", "list_item")
    assert [(s.text, s.line) for s in doc.segments] == [
        ("Første linje", 1),
        ("andre linje", 2),
        ("a", 4),
        ("b", 6),
    ]


# --------------------------------------------------------------------------------------
# Whitespace and line endings


def test_whitespace_is_never_inside_asegment() -> None:
    body = "To  mellomrom,\ttab,\u00a0nbsp,\u2003em og\u200bzwsp. Slutt   \nNeste\u3000linje."
    doc = segment(body, strict=True)
    assert [s.text for s in doc.segments] == [
        "To",
        "mellomrom,",
        "tab,",
        "nbsp,",
        "em og",
        "zwsp.",
        "Slutt",
        "Neste",
        "linje.",
    ]
    check_invariants(body, doc)


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_bodies_round_trip(newline: str) -> None:
    lf = read(FIXTURES / "segment" / "containers.md") + read(FIXTURES / "segment" / "links.md")
    body = lf.replace("\n", newline)
    doc = segment(body, strict=True)
    check_invariants(body, doc)
    reference = segment(lf, strict=True)
    assert [(s.text, s.line, s.kind) for s in doc.segments] == [
        (s.text, s.line, s.kind) for s in reference.segments
    ]
    assert [b.text.replace(newline, "\n") for b in doc.blocks] == [b.text for b in reference.blocks]
    shouted = doc.render([s.text.upper() for s in doc.segments])
    assert shouted.count(newline) == body.count(newline)


def test_nul_characters_round_trip() -> None:
    body = "Før\0etter og *mer\0tekst*.\r\n\r\n\0"
    doc = segment(body, strict=True)
    check_invariants(body, doc)
    assert [s.text for s in doc.segments] == ["Før", "etter og", "mer", "tekst"]


# --------------------------------------------------------------------------------------
# Rendering


def test_render_overrides_splice_a_block() -> None:
    body = "# Tittel\n\n> Første avsnitt\n> over to linjer.\n\nAndre *avsnitt*.\n"
    doc = segment(body)
    quote = next(b for b in doc.blocks if b.containers == ("blockquote",))
    translations = [s.text for s in doc.segments]
    out = doc.render(translations, overrides={quote.index: "Redigert av en menneske."})
    assert out == "# Tittel\n\n> Redigert av en menneske.\n\nAndre *avsnitt*.\n"
    out = doc.render([t.upper() for t in translations], overrides={0: "Egen tittel"})
    assert out == "# Egen tittel\n\n> FØRSTE AVSNITT\n> OVER TO LINJER.\n\nANDRE *AVSNITT*.\n"


def test_render_tolerates_any_translation_text() -> None:
    doc = segment("- Ett.\n- To og tre.\n")
    assert doc.render(["", "a\nb\r\nc\rd"]) == "- \n- a b c d\n"
    assert doc.render(["*[x](y)*", "`"]) == "- *[x](y)*\n- `\n"


def test_render_validates_its_arguments() -> None:
    doc = segment("En setning.")
    with pytest.raises(ValueError, match="expected 1 translations"):
        doc.render([])
    with pytest.raises(ValueError, match="unknown block 3"):
        doc.render(["x"], overrides={3: "y"})


def test_empty_and_blank_bodies() -> None:
    for body in ["", "\n", "   \n\n", "```\n", "<!-- -->"]:
        doc = segment(body, strict=True)
        assert doc.segments == () and identity(doc) == body


# --------------------------------------------------------------------------------------
# Sentence splitting


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Den kom 21.mai 2015. Så gikk den.", ["Den kom 21.mai 2015.", "Så gikk den."]),
        ("Arbeidet startet 1. oktober 2014.", ["Arbeidet startet 1. oktober 2014."]),
        ("Den 3. Mai var det fest.", ["Den 3. Mai var det fest."]),
        ("Den steg 3.5 prosent. Det er mye.", ["Den steg 3.5 prosent.", "Det er mye."]),
        ("Han sa bl.a. Nei til det.", ["Han sa bl.a. Nei til det."]),
        (
            "F.eks. Oslo og nr. 3 og ca. 40 og kl. 20.",
            ["F.eks. Oslo og nr. 3 og ca. 40 og kl. 20."],
        ),
        ("Hans E. Melandsø kom.", ["Hans E. Melandsø kom."]),
        ("Mr. Smith went to the U.S. Embassy.", ["Mr. Smith went to the U.S. Embassy."]),
        ("Hva? Ja! Greit.", ["Hva?", "Ja!", "Greit."]),
        ("«Ja.» Han smilte. (Sant.) Neste", ["«Ja.»", "Han smilte.", "(Sant.)", "Neste"]),
        ("Slutt. – Ny replikk.", ["Slutt.", "– Ny replikk."]),
        ("Se side 2. deretter kommer mer.", ["Se side 2. deretter kommer mer."]),
        ("Målet er klart: Norsk mote.", ["Målet er klart: Norsk mote."]),
        ("Tekst.  To mellomrom\nog linjeskift", ["Tekst.", "To mellomrom", "og linjeskift"]),
        ("  ", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_segment_text_for_front_matter_values() -> None:
    doc = segment_text("Gjenbruk blir big business.  Vi har sett på tallene.\n2024")
    assert [s.text for s in doc.segments] == [
        "Gjenbruk blir big business.",
        "Vi har sett på tallene.",
    ]
    assert [s.line for s in doc.segments] == [1, 1]
    assert doc.blocks[0].kind == "text"
    assert doc.render(["A.", "B."]) == "A.  B.\n2024"


# --------------------------------------------------------------------------------------
# Scale


def test_one_thousand_links() -> None:
    body = " ".join(
        f'Se [lenke {i}](https://example.com/{i} "tittel {i}") nå.' for i in range(1000)
    )
    started = time.perf_counter()
    doc = segment(body, strict=True)
    assert time.perf_counter() - started < 10
    assert sum(s.kind == "link_text" for s in doc.segments) == 1000
    assert identity(doc) == body


def test_ten_megabyte_article() -> None:
    chunk = (
        "## Overskrift om *mote*\n\n"
        + 'Dette er en lang setning om [norsk ull](https://example.com/ull "Ull") og `kode`. ' * 20
        + "\n\n> Et sitat over\n> to linjer.\n\n- Punkt én\n- Punkt to\n\n"
    )
    body = chunk * (10_000_000 // len(chunk) + 1)
    started = time.perf_counter()
    doc = segment(body)
    elapsed = time.perf_counter() - started
    assert len(body) > 10_000_000 and elapsed < 240
    assert identity(doc) == body
    per_chunk = len(segment(chunk, strict=True).segments)
    assert len(doc.segments) == per_chunk * (10_000_000 // len(chunk) + 1)


def test_segmenting_scales_linearly() -> None:
    unit = "".join(article_body(p) + "\n" for p in ARTICLES)

    def seconds(copies: int) -> float:
        body = unit * copies
        started = time.perf_counter()
        segment(body)
        return time.perf_counter() - started

    small, large = seconds(40), seconds(160)
    assert large < small * 4 * 2.5


# --------------------------------------------------------------------------------------
# Properties

WORDS = st.sampled_from(
    [
        "Norsk", "mote", "ull", "Oslo", "bl.a.", "nr.", "3.", "21.mai", "2015", "«sitat»",
        "–", "H&M", "brand’s", "æøå", "ÆØÅ", "f.eks.", "Hva?", "Ja!", "ord.", "Ny", "3.5",
    ]
)  # fmt: skip
SPECIAL = st.text(alphabet="*_[]()<>`\\!#>-|~:^&;{}%\"' \t\u00a0a1.\n\r", max_size=12)
TEXT = st.lists(WORDS, min_size=1, max_size=6).map(" ".join)


def inline_templates(t: str, i: int) -> list[str]:
    """Inline Markdown around the words t (i varies URLs)."""
    return [
        t, f"*{t}*", f"**{t}**", f"_{t}_", f"~~{t}~~", f"`{t}`", f"``{t}`` ",
        f'[{t}](https://ex.com/{i} "{t}")', f"[{t}](<a b> '{t}')", f"[{t}][ref]", "[ref]",
        "[ref][]", f"![{t}](/img{i}.png)", f"![{t}][ref]", "<https://ex.com>", "www.example.no",
        "post@ex.no", "[^1]", "\\*", "&amp;", "&#x41;", "<span>", "</span>", "<!-- c -->",
        "{{< fig >}}", f"[{t}]({{{{< ref x >}}}})", f"[![{t}](/i.png)](/u)", "\\\n", "  \n",
    ]  # fmt: skip


def block_templates(line: str) -> list[str]:
    """Block Markdown around one line of inline content."""
    return [
        line, f"# {line}", f"## {line} ##", f"{line}\n===", f"{line}\n---", f"> {line}",
        f"> > {line}\nlazy", f"- {line}", f"1. {line}", f"  - {line}", f"   {line}",
        f"```\n{line}\n```", f"    {line}", f"\t{line}",
        f"| a | b |\n|---|:-:|\n| {line} | x \\| y |\n{line}", f"<div>\n{line}\n</div>",
        "[ref]: https://ex.com 'T'", f"[^1]: {line}", f"- a\n\n  {line}", f"* {line}\n  {line}",
    ]  # fmt: skip


@st.composite
def inline_piece(draw: st.DrawFn) -> str:
    templates = inline_templates(draw(TEXT), draw(st.integers(0, 9)))
    return draw(st.sampled_from(templates) | SPECIAL)


SPACER = st.sampled_from([" ", "", "  ", "\t", "\u00a0", "\n", "\r\n"])
LINE = st.lists(st.tuples(inline_piece(), SPACER), min_size=1, max_size=6).map(
    lambda parts: "".join(p + s for p, s in parts)
)


@st.composite
def block(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(block_templates(draw(LINE))))


SEPARATOR = st.sampled_from(["\n", "\n\n", "\r\n", "\r\n\r\n", "\r", "\n> ", "\n  ", "  \n"])
MARKDOWN = st.lists(st.tuples(block(), SEPARATOR), max_size=8).map(
    lambda parts: "".join(b + s for b, s in parts)
)
PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(MARKDOWN)
def test_markdownish_round_trip_and_invariants(body: str) -> None:
    doc = segment(body, strict=True)
    check_invariants(body, doc)
    shouted = doc.render([s.text.upper() for s in doc.segments])
    # A backslash before "www." stops linkify (markdown-it leaves "\\www.x.no" as text), so
    # such a "URL" is prose; only what markdown-it links must stay untranslated.
    for url in re.findall(r"https://ex\.com/\d|(?<![\w\\])www\.example\.no|post@ex\.no", body):
        assert url in shouted


@PROPERTY
@given(st.text())
def test_arbitrary_text_round_trip_and_invariants(body: str) -> None:
    check_invariants(body, segment(body, strict=True))


@PROPERTY
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40), st.data())
def test_render_places_each_translation(body: str, data: st.DataObject) -> None:
    doc = segment(body)
    translations = [data.draw(st.text(max_size=5)) for _ in doc.segments]
    out = doc.render(translations)
    expected, pos = [], 0
    for seg, translation in zip(doc.segments, translations, strict=True):
        expected += [body[pos : seg.start], re.sub(r"\r\n?|\n", " ", translation)]
        pos = seg.end
    assert out == "".join(expected) + body[pos:]


def dialect_templates(line: str, t: str) -> list[str]:
    """Hugo and MkDocs block syntax around one line of inline content (and words t)."""
    return [
        f'!!! note "{t}"\n    {line}', f"??? tip\n\n    {line}\n\n    ```\n    {t}\n    ```",
        f"???+ warning\n    {line}\n  {line}", f'!!! info ""\n    > {line}', f"!!! {line}",
        f'=== "{t}"\n\n    {line}\n\n        {t}', f'===+ "{line}"\n    - {line}',
        f"{{{{< x >}}}}\n{line}\n{{{{< /x >}}}}", f"{{{{% x %}}}}\n{line}\n{{{{% /x %}}}}",
        f'{{{{< fig src="a"\n  alt="{t}" >}}}}', f"{{{{< x >}}}}\n{{{{< x >}}}}\n{line}",
        f"{t}\n: {line}", f"{line}\n:   {line}\n\n    {t}", f"> [!NOTE]\n> {line}",
        f"*[{t}]: {line}", f"## {line} {{#id}}", f"{line}\n{{.lead}}", f"{line}{{: .x }}",
        f"{t} :material-check: {line}", f"[{t}](/u){{ .md-button }}",
        f"{t} {{{{< kbd >}}}}{t}{{{{< /kbd >}}}} {line}", f"{{{{% n %}}}}{line}{{{{% /n %}}}}",
    ]  # fmt: skip


@st.composite
def dialect_block(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(dialect_templates(draw(LINE), draw(TEXT))))


DIALECT_MARKDOWN = st.lists(st.tuples(dialect_block() | block(), SEPARATOR), max_size=8).map(
    lambda parts: "".join(b + s for b, s in parts)
)


@PROPERTY
@given(DIALECT_MARKDOWN)
# An admonition marker lazily continuing a definition, and as the next term after a blank line.
@example('Norsk \n: Norsk \n!!! note "Norsk"\n    : Norsk \n')
@example('Norsk \n: Norsk \n\n!!! note "Norsk"\n    : Norsk \n')
def test_dialect_markdown_round_trip_and_invariants(body: str) -> None:
    """Hugo's and MkDocs' syntax mixed with CommonMark: lossless, every block mapped."""
    doc = segment(body, strict=True)
    check_invariants(body, doc)
    shouted = doc.render([s.text.upper() for s in doc.segments])
    for literal in re.findall(r":material-check:|\{#id\}|\{ \.md-button \}|!!! note|=== ", body):
        assert literal in shouted


@pytest.mark.parametrize("gap", ["", "\n"])
def test_admonition_marker_ends_a_definition_list(gap: str) -> None:
    """Python-Markdown's AdmonitionProcessor finds ``!!! type`` anywhere in a block, before
    def_list reads the block: a marker line after a definition opens an admonition (its
    quoted title prose, its body a paragraph), never a term to translate."""
    body = f'Term\n: Definisjon\n{gap}!!! note "Tittel"\n    : Innhold\n'
    doc = segment(body, strict=True)
    check_invariants(body, doc)
    assert [s.text for s in doc.segments] == ["Term", "Definisjon", "Tittel", ": Innhold"]
    shouted = doc.render([s.text.upper() for s in doc.segments])
    assert shouted == f'TERM\n: DEFINISJON\n{gap}!!! note "TITTEL"\n    : INNHOLD\n'


# The parser's fast path (bilingo.document.parser.plain_tokens): inline content with none of
# the inline rules' trigger characters is tokenized without markdown-it's inline parser.
PLAIN_INLINE = st.text(alphabet=" \t\n\u00a0!#$%+-:=>@]^{}|()\"'.,;?aZé1", max_size=30)


@PROPERTY
@given(PLAIN_INLINE | SPECIAL)
@example("a  \n  b \nc\t\n\n  \n ")
def test_plain_inline_content_tokenized_as_markdown_it_does(content: str) -> None:
    md = parser.source_parser(resolve(None))
    triggers = parser.inline_triggers(md)
    assert triggers is not None
    if triggers.search(content) is None:
        assert parser.plain_tokens(content) == md.inline.parse(content, md, {}, [])


def _slow_and_fast(
    bodies: Sequence[str], names: Sequence[str] | None
) -> tuple[list[Document], list[Document]]:
    """The Documents of ``bodies`` with every inline token parsed by markdown-it's inline
    parser (the fast path off), and as bilingo parses them."""

    def docs() -> list[Document]:
        parser.source_parser.cache_clear()  # each parser is built with the path on or off
        return [segment(b, dialects=names, tokens=True) for b in bodies]

    with pytest.MonkeyPatch.context() as m:
        m.setattr(parser, "inline_triggers", lambda md: None)
        slow = docs()
    return slow, docs()


@pytest.mark.parametrize("names", [None, ("commonmark",), ("mkdocs",), ("hugo",), ("jekyll",)])
def test_fast_path_parses_the_fixtures_as_markdown_it_does(names: tuple[str, ...] | None) -> None:
    slow, fast = _slow_and_fast([read(p) for p in [*SEGMENT_CASES, *ARTICLES]], names)
    assert fast == slow


@PROPERTY
@given(DIALECT_MARKDOWN)
def test_fast_path_segments_as_markdown_it_does(body: str) -> None:
    slow, fast = _slow_and_fast([body], None)
    assert fast == slow


#: Near misses of the literal patterns' triggers: pieces of them, and what they hold.
_NEAR_MISSES = [
    "{", "}", "{{", "}}", "<", ">", "%", "/*", "*/", "[", "]", "(", ")", "^", "!", ":", "::",
    "@", "/", "//", "www", ".", "-", "_", "\\", "a", "Z", "0", "x(y)", "end", "comment",
    "https", "ftp", "no", "material-check", "NOTE", "é", " ", "\n", "\t",
]  # fmt: skip
LITERAL_PIECES = st.lists(st.sampled_from(_NEAR_MISSES), max_size=24).map("".join)


@PROPERTY
@given(LITERAL_PIECES | DIALECT_MARKDOWN)
def test_a_literal_pattern_matches_only_text_holding_one_of_its_triggers(text: str) -> None:
    """A pattern is left out of the scan of a text without its triggers: it never matches
    there (bilingo.document.literals)."""
    for dialect in resolve(None):
        for pattern in dialect.literals:
            if pattern.triggers and re.search(pattern.pattern, text, re.VERBOSE):
                assert any(t in text for t in pattern.triggers), pattern.name
