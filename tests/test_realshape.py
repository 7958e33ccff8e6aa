"""Copy models of the real packages' shape (issue 20): the alignment head nobody trained
(``copymodel.Head``) and a model that capitalises the first piece of whatever it is given.

The OPUS-MT nb<->en packages were trained without guided alignment, and
``ct2-marian-converter`` records head 0 of the last decoder layer as their alignment head:
the attention ``return_attention`` gives (and ``replace_unknowns`` reads) is not an alignment.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from random import Random
from typing import Any

import copymodel
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_copymodel import engine_safe, markdown_sentences
from test_segment import MARKDOWN

from bilingo.document import segment
from bilingo.engine import Aligned, ArgosEngine, find_package
from bilingo.inline import Projected, project, source_words, word_alignment, words
from bilingo.units import WholeStats, checked_alignments, units

ShapeDirs = Callable[..., Path]


def engine_for(folder: Path, monkeypatch: pytest.MonkeyPatch) -> ArgosEngine:
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(folder))
    return ArgosEngine(find_package("nb", "en"), beam_size=2)


def sample() -> list[str]:
    return [s for s in markdown_sentences()[:120] if engine_safe(s)]


#: (layout, head, first capital): the shapes built (each once a session) for these tests.
SHAPES = [("shared", "shifted", False), ("shared", "shifted", True), ("bpe", "shifted", True)]


@pytest.mark.parametrize(("layout", "head", "first_capital"), SHAPES)
def test_untrained_head_leaves_the_output_unchanged(
    layout: str,
    head: str,
    first_capital: bool,
    shape_dirs: ShapeDirs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The head carries no value: the output is what the copy model is built to write (the
    first letter capitalised on a first-capital model)."""
    engine = engine_for(shape_dirs(layout, head, first_capital), monkeypatch)
    sentences = [*sample(), "fikk offisiell Arena-status i juni 2014", "og i år"]
    out = engine.translate(sentences)
    want = [
        copymodel.expected_output(layout, s, "nb", "en", first_capital=first_capital)  # type: ignore[arg-type]
        for s in sentences
    ]
    assert out == want
    if first_capital:
        assert "Fikk offisiell Arena-status i juni 2014" in out


def test_shifted_head_attends_one_piece_on(
    shape_dirs: ShapeDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_for(shape_dirs("shared", "shifted"), monkeypatch)
    sentence = "Grunnlaget for en næringsklynge for mote ble lagt i 2014."
    result = engine.translate_aligned([sentence])[0]
    assert result.text == sentence
    pairs = word_alignment(words(sentence), words(result.text), result.pairs)
    off = sum(1 for s, t in pairs if s == t + 1)
    assert off >= len(words(sentence)) - 2, pairs  # all but the last: the head looks one on


def test_bpe_pieces_have_character_ranges_and_the_shifted_head_looks_one_piece_on(
    shape_dirs: ShapeDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A BPE package's translate_aligned gives what a SentencePiece one does: each piece's
    range in the source and in the output (Moses' escaping and quotes traced back), and the
    head's pairs, here one source piece on."""
    engine = engine_for(shape_dirs("bpe", "shifted"), monkeypatch)
    sentence = "Grunnlaget for H&M og «Nye & Kloke» ble lagt i 2014 | [x]."
    result = engine.translate_aligned([sentence])[0]
    assert result.text == sentence
    assert result.source_ranges == result.target_ranges  # a copy: every piece where it was
    shown = [sentence[a:b] for a, b in result.source_ranges]
    assert "&" in shown and "«" in shown and "|" in shown and "[" in shown
    ranges = list(result.source_ranges)
    # One pair a target piece, in order: piece j's source is piece j + 1's range.
    assert len(result.pairs) == len(ranges)
    off = sum(1 for j, pair in enumerate(result.pairs[:-1]) if pair[:2] == ranges[j + 1])
    assert off >= len(ranges) - 2, result.pairs


@pytest.mark.parametrize("head", ["trained", "shifted"])
def test_sentencepiece_pieces_nfkc_changed_come_back_as_written(
    head: str, shape_dirs: ShapeDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SentencePiece reads "…" as "...", a no-break space as a space, "ﬁ" as "fi", and the
    copy model writes those pieces: translate and translate_aligned both write the source's
    characters, each output piece's range where its source piece's is (or spanning the
    character it shares with its neighbours: ".." "." for "…")."""
    engine = engine_for(shape_dirs("shared", head), monkeypatch)
    sentences = [
        "Prisen er 1\u00a0000 kr for H&M… og «Nye & Kloke» [i 2024]…",
        # Not "½": its "⁄" is no piece of the model's, and the shifted head's
        # replace_unknowns (plain translate) would fill it with the next piece.
        "Den ﬁne ﬂaska fra Ａ２-serien koster 5 pris… ja\u202fnei\u3000①",
    ]
    assert engine.translate(sentences) == sentences
    for sentence, result in zip(sentences, engine.translate_aligned(sentences), strict=True):
        assert result.text == sentence
        assert len(result.pairs) == len(result.target_ranges) == len(result.source_ranges)
        for (a, b), (c, d) in zip(result.source_ranges, result.target_ranges, strict=True):
            assert c <= a and b <= d, (sentence[a:b], result.text[c:d])
        shown = "|".join(result.text[c:d] for c, d in result.target_ranges)
        assert "…" in shown and ("\u00a0" in shown or "\u202f" in shown), shown


def test_unknown_pieces_come_back_in_order_not_through_the_head(
    shape_dirs: ShapeDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CTranslate2's replace_unknowns fills each <unk> with the source piece the head looks
    at: on the shifted head the next word ("og og", the issue's duplicated words). The
    aligned path puts the placeholders back in order instead, and says so (``sure``)."""
    engine = engine_for(shape_dirs("shared", "shifted"), monkeypatch)
    sentence = "Koden er \ue000 og påmelding skjer på \ue001."
    assert engine.translate([sentence]) != [sentence]  # the head's replace_unknowns
    result = engine.translate_aligned([sentence])[0]
    assert result.text == sentence
    assert [(sentence[a:b].strip(), result.text[c:d].strip()) for a, b, c, d in result.sure] == [
        ("\ue000", "\ue000"),
        ("\ue001", "\ue001"),
    ]


# --------------------------------------------------------------------------------------
# Twins on the real shapes, end to end (translate_paths, the real engine)

ROOT = Path(__file__).resolve().parent.parent
ISSUE_CASES = (
    "Grunnlaget for en **næringsklynge** for mote ble lagt i 2014.\n\n"
    "Kursnummeret er `NFH-2015` og påmelding skjer på <https://example.com/kurs>.\n\n"
    "Les mer om Arenaprogrammet[^1] og [Innovasjon Norge][in].\n\n"
    "Moteklyngen [Norwegian Fashion Hub](https://nfh.no) fikk offisiell *Arena-status* i juni"
    " 2014.\n\n"
    "In other words we look to *Scandinavian fashion* for\ninspiration, and ~~never~~ back.\n\n"
    "[^1]: Arena er myndighetsstøttet.\n\n"
    "[in]: https://innovasjonnorge.no\n"
)


def translate_site(
    tmp_path: Path, folder: Path, bodies: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> tuple[object, dict[str, str], list[str]]:
    from support import recording_factory

    from bilingo.article import read_article
    from bilingo.commands.translate import translate_paths
    from bilingo.glossary import empty_glossary

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(folder))
    articles = tmp_path / "articles"
    articles.mkdir()
    for name, body in bodies.items():
        (articles / f"{name}.nb.md").write_text(f"---\ntitle: {name}\n---\n{body}", "utf-8")
    sent: list[str] = []
    report = translate_paths(
        [articles],
        glossary=empty_glossary(),
        engine_factory=recording_factory(sent, beam_size=1),
        force=True,
    )
    twins = {
        name: read_article(articles / f"{name}.en.md").body
        for name in bodies
        if (articles / f"{name}.en.md").is_file()
    }
    return report, twins, sent


#: What Moses' tokenizer escapes and its normaliser rewrites (BPE packages), in markup:
#: brands with "&", "|" and "[" in text and tables, every kind of quote, dashes, "20 %".
BRANDS = (
    "H&M og Nye & Kloke selger «gjenbruk» til 20 % lavere pris – i hele 2024.\n\n"
    "Kolleksjonen [Nye & Kloke](https://example.com/?a=1&b=2) ble lansert av *H&M* i fjor.\n\n"
    "| Merke | Andel |\n|---|---|\n| H&M | 20 % |\n| Nye & Kloke | 1 000 kr |\n\n"
    "Han sa \"det er [nesten] ferdig\" og 'ja' – det er **AT&T**-nivå.\n\n"
    "Se «Moteklyngen» (Oslo) på side 3: 5 % av 1 200 brukere sa «ja» — “alle” sa ‘nei’.\n\n"
    "- *gjenbruk* av klær fra [H&M](https://hm.com) øker\n- og «nye & kloke» hoder samarbeider\n\n"
    "| merke | i år |\n|---|---|\n| nye & kloke | **fikk** 20 % |\n"
)
#: What NFKC changes (SentencePiece's normaliser, nmt_nfkc, and Moses' in part): "…" to
#: "...", no-break, narrow and ideographic spaces to a space, ligatures, full-width
#: characters, "½", "™", "²", "①". Either package's twin has them as written.
NFKC_UNSTABLE = (
    "Prisen er 1\u00a0000 kr for *H&M*… og «Nye & Kloke» [i 2024]…\n\n"
    "Den *ﬁne* ﬂaska fra Ａ２-serien koster ½ pris… ja\u202fnei, **Merke™** er"
    " 5\u00a0%\u3000billigere.\n\n"
    "- ①\u00a0første… og [²andre](https://example.com/…)\n"
)


def rich_bodies() -> dict[str, str]:
    from bilingo.article import read_article

    bodies = {"issue": ISSUE_CASES, "brands": BRANDS, "normalised": NFKC_UNSTABLE}
    for path in sorted((ROOT / "tests" / "fixtures" / "articles").glob("*.md"))[:6]:
        bodies[path.stem.replace(".", "-")] = read_article(path).body
    for path in sorted((ROOT / "articles").glob("*.md")):
        bodies["site-" + path.stem.replace(".", "-")] = read_article(path).body
    return bodies


def marked_up(bodies: dict[str, str]) -> set[str]:
    """The sentences of ``bodies`` that hold inline markup, as the engine is sent them whole."""
    return {
        u.sentence.text
        for body in bodies.values()
        for u in units(segment(body))
        if u.sentence.spans
    }


HEADS = [
    ("shared", "trained"),
    ("shared", "shifted"),
    ("shared", "uniform"),
    ("bpe", "shifted"),
    ("bpe", "uniform"),
]


@pytest.mark.parametrize(("layout", "head"), HEADS)
def test_identity_twins_are_byte_identical_whatever_the_head(
    layout: str,
    head: str,
    tmp_path: Path,
    shape_dirs: ShapeDirs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever the head and the tokenizer (a BPE package's Moses escaping, normalising and
    detokenizing, a SentencePiece package's NFKC included), the copy model's twins are
    their sources byte for byte."""
    bodies = rich_bodies()
    report, twins, sent = translate_site(tmp_path, shape_dirs(layout, head), bodies, monkeypatch)
    assert set(twins) == set(bodies)
    for name, body in bodies.items():
        assert twins[name] == body, name
    # Every marked-up sentence reached the engine whole: none fell back to pieces.
    assert report.fallback_sentences == 0  # type: ignore[attr-defined]
    assert report.whole_sentences >= 100  # type: ignore[attr-defined]
    marked = marked_up(bodies)
    assert len(marked) >= 25 and marked <= set(sent)
    assert "Grunnlaget for en næringsklynge for mote ble lagt i 2014." in sent


# --------------------------------------------------------------------------------------
# Adversarial alignments: the head may attend anywhere; placement never moves a word


def _shapes(md: str) -> list[tuple[str, str]]:
    """What a reader sees of inline Markdown: each span's opening and closing and the
    words in between (whitespace aside)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("strikethrough").parseInline(md)
    out: list[tuple[str, str]] = []

    def walk(children: list[Any]) -> None:
        for tok in children:
            if tok.type in ("text", "softbreak", "code_inline", "html_inline"):
                out.extend(("w", w) for w in (tok.content or " ").split())
            elif tok.type == "image":
                out.append(("image", tok.attrs.get("src", "")))
                walk(tok.children or [])
                out.append(("image", "end"))
            elif tok.type.endswith(("_open", "_close")):
                out.append((tok.type, str(tok.attrs.get("href", ""))))
            else:
                out.append((tok.type, tok.content))

    walk(tokens[0].children or [] if tokens else [])
    return out


ADVERSARIES = ("shifted", "reversed", "all-to-one", "random")


@settings(max_examples=80, deadline=None)
@given(MARKDOWN, st.sampled_from(ADVERSARIES), st.randoms(use_true_random=False))
def test_adversarial_heads_never_move_a_word_across_markup(
    body: str, adversary: str, rng: Random
) -> None:
    """On an identity translation, whatever the head attends to, every sentence either
    comes back as its source (same words, same markup around the same words) or falls
    back to pieces: never a duplicated, dropped or moved word."""
    found = units(segment(body))
    sentences = [u.sentence for u in found]
    results = []
    for sentence in sentences:
        src, tgt = source_words(sentence), words(sentence.text)
        n = len(src)
        if not n:
            results.append(Aligned(sentence.text, ()))
            continue
        choices = {
            "shifted": [min(n - 1, j + 1) for j in range(len(tgt))],
            "reversed": [max(0, n - 1 - j) for j in range(len(tgt))],
            "all-to-one": [0] * len(tgt),
            "random": [rng.randrange(n) for _ in tgt],
        }[adversary]
        pairs = tuple((*src[i], *tgt[j]) for j, i in enumerate(choices))
        results.append(Aligned(sentence.text, pairs))
    checked = checked_alignments(sentences, results, None, WholeStats())
    for unit, result in zip(found, checked, strict=True):
        sentence = unit.sentence
        alignment = word_alignment(source_words(sentence), words(result.text), result.pairs)
        projected = project(sentence, result.text, alignment, strict=result.strict)
        if isinstance(projected, Projected):
            assert _shapes(projected.markdown) == _shapes(unit.key), (unit.key, adversary)


def test_only_spans_the_anchors_do_not_place_are_scored(
    shape_dirs: ShapeDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Prediction difference costs a ``score_batch`` row a span: a span every word of which
    is an anchor (a copied name, number or long word) is placed by the anchors alone; a
    span of short common words is scored. Both come back in place on the shifted head."""
    engine = engine_for(shape_dirs("shared", "shifted"), monkeypatch)
    body = (
        "Grunnlaget for en **næringsklynge** for mote ble lagt i 2014.\n\n"
        "Klyngen kom *i år* til Oslo.\n"
    )
    found = units(segment(body))
    sentences = [u.sentence for u in found]
    stats = WholeStats()
    checked = checked_alignments(
        sentences, engine.translate_aligned([s.text for s in sentences]), engine, stats
    )
    assert (stats.by_difference, stats.scored) == (1, 1)  # "i år" alone
    for unit, result in zip(found, checked, strict=True):
        alignment = word_alignment(source_words(unit.sentence), words(result.text), result.pairs)
        projected = project(unit.sentence, result.text, alignment, strict=result.strict)
        assert isinstance(projected, Projected) and projected.markdown == unit.key


@pytest.mark.parametrize(
    ("layout", "head", "method"),
    [
        ("shared", "trained", "attention"),
        ("shared", "shifted", "prediction difference"),
        ("bpe", "trained", "attention"),
        ("bpe", "shifted", "prediction difference"),
    ],
)
def test_models_check_names_the_placement(
    layout: str,
    head: str,
    method: str,
    shape_dirs: ShapeDirs,
    argos_packages_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    from click.testing import CliRunner

    from bilingo.cli import cli

    shared_trained = layout == "shared" and head == "trained"
    folder = argos_packages_dir if shared_trained else shape_dirs(layout, head)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(folder))
    shown = CliRunner().invoke(cli, ["models", "check", "nb", "en", "--json"])
    (check,) = json.loads(shown.output)
    placement = check["placement"]
    assert placement["method"] == method
    assert placement["anchors"] >= 5
    text = CliRunner().invoke(cli, ["models", "check", "nb", "en"]).output
    if head == "shifted":
        assert placement["agreed"] < placement["anchors"] // 2
        assert "alignment head disagrees with the anchors" in text
    else:
        assert placement["agreed"] == placement["anchors"]
        assert "alignment head agrees with" in text


@pytest.mark.parametrize("layout", ["shared", "bpe"])
def test_first_capital_twins_differ_only_by_capitals_at_sentence_starts(
    layout: str, tmp_path: Path, shape_dirs: ShapeDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model that capitalises the first word of whatever it is given, with an untrained
    head: sentences go whole, so no capital appears inside one and no markup moves."""
    bodies = rich_bodies()
    folder = shape_dirs(layout, "shifted", first_capital=True)
    report, twins, _ = translate_site(tmp_path, folder, bodies, monkeypatch)
    assert report.fallback_sentences == 0  # type: ignore[attr-defined]
    # The model did write capitals, at the start of each sentence that starts lower case.
    changed = [
        a != b for name, body in bodies.items() for a, b in zip(body, twins[name], strict=False)
    ]
    assert sum(changed) >= 5
    assert "- *Gjenbruk* av klær fra [H&M](https://hm.com) øker" in twins["brands"]
    for name, body in bodies.items():
        twin = twins[name]
        assert twin.lower() == body.lower(), name
        for i, (a, b) in enumerate(zip(body, twin, strict=True)):
            if a != b:
                before = body[:i].rstrip(' *_[("«`~')
                assert b.isupper() and (not before or before[-1] in ".!?:;\n|>-)]»"), (
                    name,
                    body[max(0, i - 30) : i + 10],
                )
