"""bilingo.inline: the projection of inline markup through a word alignment, on its own.

Golden fixtures (``tests/fixtures/inline/*.yml``) hold hand-made alignments; hypothesis
draws arbitrary ones (any permutation, many-to-one, unaligned words, lost placeholders).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bilingo.inline import (
    Failed,
    Literal,
    Mark,
    Projected,
    Sentence,
    Span,
    project,
    source_words,
    word_alignment,
    words,
)

CASES = sorted((Path(__file__).parent / "fixtures" / "inline").glob("*.yml"))
_MD = MarkdownIt("commonmark").enable(["strikethrough"])
_MARKERS = {"em_open": "emphasis", "strong_open": "strong", "s_open": "strikethrough"}


def sentence_of(markdown: str) -> Sentence:
    """A test's own reading of one-line-ish Markdown into a Sentence (the pipeline has its
    own, from the segmenter's source positions)."""
    text: list[str] = []
    spans: list[Span] = []
    marks: list[Mark] = []
    literals: list[Literal] = []

    def walk(tokens: list[Token]) -> None:
        stack: list[tuple[int, Token]] = []
        for tok in tokens:
            pos = sum(map(len, text))
            if tok.type == "text":
                text.append(tok.content)
            elif tok.type == "softbreak":
                marks.append(Mark(pos, "\n"))
                text.append(" ")
            elif tok.type in ("code_inline", "html_inline"):
                ph = chr(0xE000 + len(literals))
                raw = f"{tok.markup}{tok.content}{tok.markup}" if tok.markup else tok.content
                literals.append(Literal(pos, ph, raw))
                text.append(ph)
            elif tok.type.endswith("_open"):
                stack.append((pos, tok))
            elif tok.type.endswith("_close"):
                start, opener = stack.pop()
                if opener.type == "link_open":
                    title = opener.attrs.get("title")
                    dest = f"{opener.attrs['href']}" + (f' "{title}"' if title else "")
                    spans.append(Span(start, pos, "[", f"]({dest})", "link"))
                else:
                    kind = _MARKERS[opener.type]
                    spans.append(Span(start, pos, opener.markup, opener.markup, kind))
            else:
                raise AssertionError(f"fixture uses unsupported {tok.type}")

    walk(_MD.parseInline(markdown)[0].children or [])
    return Sentence("".join(text), tuple(spans), tuple(marks), tuple(literals))


def _word_index(text: str, spans: list[tuple[int, int]], name: str) -> int:
    word, _, nth = name.partition("#")
    found = [i for i, (a, b) in enumerate(spans) if text[a:b] == word]
    assert found, f"no word {word!r} in {text!r}"
    return found[int(nth or 1) - 1]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_golden_projection(case: Path) -> None:
    spec: dict[str, Any] = yaml.safe_load(case.read_text(encoding="utf-8"))
    sentence = sentence_of(spec["source"])
    target = spec["target"]
    literal_of = {lit.text: lit.placeholder for lit in sentence.literals}
    for raw, ph in literal_of.items():
        target = target.replace(raw, ph)
    src, tgt = source_words(sentence), words(target)
    pairs = []
    for item in spec["align"].split():
        s, _, t = item.rpartition("=")
        s, t = literal_of.get(s, s), literal_of.get(t, t)
        pairs.append((_word_index(sentence.text, src, s), _word_index(target, tgt, t)))
    result = project(sentence, target, pairs)
    expected: str = spec["expected"]
    if expected.startswith("FAILED "):
        assert isinstance(result, Failed), result
        assert expected.removeprefix("FAILED ") in result.reason
    else:
        assert result == Projected(expected, result.placed), result
        assert isinstance(result, Projected)
        assert (result.placed != ()) == (case.stem == "lost-literal")


def test_golden_cases_cover_the_issue() -> None:
    assert {"adjective-noun", "split-words", "link-to-front"} <= {c.stem for c in CASES}


def test_word_alignment_from_characters() -> None:
    src, tgt = "Arena-programmet her", "the Arena programme here"
    pairs = [(0, 5, 4, 9), (6, 16, 10, 19), (17, 20, 20, 24), (6, 16, 0, 3)]
    got = word_alignment(words(src), words(tgt), pairs)
    assert got == [(0, 1), (2, 0), (2, 2), (3, 3)]


def test_glossary_term_replaces_the_words_aligned_to_it() -> None:
    ph = "\ue100"
    sentence = Sentence(f"Vi styrker {ph} i år.", literals=(Literal(11, ph, ph, term=True),))
    target = "We strengthen the business cluster this year."
    # styrker -> strengthen; the placeholder -> "the business cluster" (the model's own words)
    pairs = [(0, 0), (1, 1), (2, 2), (2, 3), (2, 4), (3, 5), (4, 6), (5, 7)]
    result = project(sentence, target, pairs)
    assert result == Projected(f"We strengthen {ph} this year.", (ph,))


def test_spans_use_a_separate_translation_where_found() -> None:
    sentence = sentence_of("Det er *veldig bra* i dag.")
    target = "It is very good today."
    # A poor alignment of the span's words ("veldig" nowhere) is overridden by the hint.
    pairs = [(0, 0), (1, 1), (3, 3), (4, 4), (5, 4), (6, 5)]
    assert project(sentence, target, pairs) == Projected("It is very *good* today.")
    hinted = project(sentence, target, pairs, hints={0: "very good"})
    assert hinted == Projected("It is *very good* today.")


def test_no_line_starts_a_markdown_block() -> None:
    sentence = sentence_of("Tallene er\nklare nå.")
    target = "The figures - ready now."
    pairs = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]
    result = project(sentence, target, pairs)
    assert isinstance(result, Projected)
    assert "\n-" not in result.markdown and result.markdown.count("\n") == 1


# --------------------------------------------------------------------------------------
# Properties over arbitrary alignments

_KINDS = [("*", "*", "emphasis"), ("**", "**", "strong"), ("~~", "~~", "strikethrough")]
_MARK_TEXTS = ["\n", "\n  ", "  ", "\u00a0", "\n> "]


@st.composite
def sentences(draw: st.DrawFn) -> tuple[Sentence, str, int]:
    """A sentence of plain words, placeholders and nested spans, and its Markdown."""
    n = draw(st.integers(1, 7))
    literal_at = draw(st.sets(st.integers(0, n - 1), max_size=2))
    tokens: list[str] = []
    literals: list[Literal] = []
    text = ""
    starts: list[int] = []
    for i in range(n):
        if text:
            text += " "
        starts.append(len(text))
        if i in literal_at:
            ph = chr(0xE000 + len(literals))
            literals.append(Literal(len(text), ph, f"`c{len(literals)}`"))
            tokens.append(ph)
        else:
            tokens.append(f"w{i}")
        text += tokens[-1]
    ends = [s + len(t) for s, t in zip(starts, tokens, strict=True)]
    # Properly nested word intervals, each kind at most once (a link at most once too).
    spans: list[Span] = []
    taken: list[tuple[int, int]] = []
    kinds = [*_KINDS, ("[", "](https://x.no/a)", "link")]
    for opener, closer, kind in draw(st.permutations(kinds))[: draw(st.integers(0, 4))]:
        a = draw(st.integers(0, n - 1))
        b = draw(st.integers(a, n - 1))
        if any(
            not (b < c or d < a or (c <= a and b <= d) or (a <= c and d <= b)) for c, d in taken
        ):
            continue
        taken.append((a, b))
        spans.append(Span(starts[a], ends[b], opener, closer, kind))
    spans.sort(key=lambda s: (s.start, -s.end))  # outer first, as the source opens them
    gaps = draw(st.sets(st.integers(1, n - 1), max_size=n - 1)) if n > 1 else set()
    marks = tuple(Mark(starts[g] - 1, draw(st.sampled_from(_MARK_TEXTS))) for g in sorted(gaps))
    return (
        Sentence(text, tuple(spans), marks, tuple(literals)),
        render_source(text, spans, marks, literals),
        n,
    )


def render_source(
    text: str, spans: list[Span], marks: tuple[Mark, ...], literals: list[Literal]
) -> str:
    """The Markdown a sentence stands for (spans outer first, as in a Sentence)."""
    by_mark = {m.pos: m.text for m in marks}
    by_literal = {lit.pos: lit.text for lit in literals}
    out: list[str] = []
    for p in range(len(text) + 1):
        out += [s.close for s in reversed(spans) if s.end == p]
        out += [s.open for s in spans if s.start == p]
        if p < len(text):
            out.append(by_mark.get(p, by_literal.get(p, text[p])))
    return "".join(out)


_OPEN = {
    "emphasis": "em_open",
    "strong": "strong_open",
    "strikethrough": "s_open",
    "link": "link_open",
}


def _opened(markdown: str) -> list[str]:
    parsed = _MD.parseInline(markdown)[0].children or []
    return [t.type for t in parsed if t.type.endswith("_open")]


def _is_placeholder(word: str) -> bool:
    return len(word) == 1 and 0xE000 <= ord(word) <= 0xF8FF


def _strip(markdown: str, sentence: Sentence) -> list[str]:
    for lit in sentence.literals:
        markdown = markdown.replace(lit.text, " ")
    for span in sentence.spans:
        markdown = markdown.replace(span.close, " ").replace(span.open, " ")
    return markdown.replace(">", " ").split()


@settings(max_examples=300, deadline=None)
@given(sentences())
def test_identity_alignment_gives_the_source_back(drawn: tuple[Sentence, str, int]) -> None:
    sentence, markdown, _ = drawn
    # "***w***" is em around strong for Markdown, whatever order was drawn: only Markdown
    # that reads back as drawn is a source the segmenter could give.
    assume(_opened(markdown) == [_OPEN[s.kind] for s in sentence.spans])
    n = len(source_words(sentence))
    result = project(sentence, sentence.text, [(i, i) for i in range(n)])
    assert result == Projected(markdown), (markdown, result)


@settings(max_examples=500, deadline=None)
@given(sentences(), st.data())
def test_any_alignment_gives_wellformed_markdown_or_a_reason(
    drawn: tuple[Sentence, str, int], data: st.DataObject
) -> None:
    sentence, _, _ = drawn
    src = source_words(sentence)
    names = [sentence.text[a:b] for a, b in src]
    order = data.draw(st.permutations(range(len(names))))
    kept = [i for i in order if not _is_placeholder(names[i]) or data.draw(st.booleans())]
    extra = data.draw(st.lists(st.sampled_from([f"x{i}" for i in range(3)]), max_size=2))
    target_tokens = [names[i] for i in kept] + extra
    target = " ".join(target_tokens) or "x"
    # Each kept word aligned to its own source word (or not at all), plus random pairs:
    # many-to-one and one-to-many.
    pairs = [(i, j) for j, i in enumerate(kept) if data.draw(st.booleans()) or len(kept) < 3]
    noise = data.draw(
        st.lists(
            st.tuples(st.integers(0, len(src) - 1), st.integers(0, len(words(target)) - 1)),
            max_size=4,
        )
    )
    result = project(sentence, target, pairs + noise)
    if isinstance(result, Failed):
        assert result.reason
        return
    out = result.markdown
    for lit in sentence.literals:
        assert out.count(lit.text) == 1, (out, lit)
        assert lit.placeholder not in out
    for span in sentence.spans:
        assert out.count(span.open if span.kind != "link" else span.close) >= 1
    assert sorted(_opened(out)) == sorted(_OPEN[s.kind] for s in sentence.spans)
    plain = [w for w in target.split() if not _is_placeholder(w)]
    assert _strip(out, sentence) == plain
    assert set(result.placed) == {lit.placeholder for lit in sentence.literals} - set(target)


def test_a_stray_alignment_link_does_not_stretch_a_span() -> None:
    sentence = sentence_of("Hun kjøpte en *rød* bil i går.")
    target = "She bought a red car yesterday."
    # "rød" also (wrongly) attends to "yesterday": the span stays on "red".
    pairs = [(0, 0), (1, 1), (2, 2), (3, 3), (3, 5), (4, 4), (5, 5), (6, 5), (7, 6)]
    assert project(sentence, target, pairs) == Projected("She bought a *red* car yesterday.")
