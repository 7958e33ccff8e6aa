"""Property tests (hypothesis): reading never crashes, nothing is lost on the way through.

* any text or bytes: reading an article succeeds or raises ArticleError (a message), nothing else;
* front matter + body → render → parse gives the same values and the same body;
* article → parse → segment → render is the identity;
* the real pipeline on the copy model is the identity on Markdown bodies of every kind.

Prose is drawn from an NFKC-stable alphabet (ASCII letters, æøåÆØÅ, digits, common
punctuation, single spaces): SentencePiece normalises its input with NFKC and the copy model
then faithfully returns the normalised text, and the segmenter keeps whitespace runs out of
segments. A character NFKC changes (a ligature, a full-width letter, a non-breaking space)
would be a model property, not a bilingo bug.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import E2E_LAYOUTS, CopyLayout

from bilingo.article import parse_article, read_article, render_article
from bilingo.commands.translate import translate_paths
from bilingo.document import segment
from bilingo.engine import ArgosEngine, Engine, find_package
from bilingo.errors import ArticleError
from bilingo.glossary import empty_glossary
from bilingo.provenance import is_twin

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PIPELINE = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZæøåÆØÅ"
DIGITS = "0123456789"
word = st.text(alphabet=LETTERS + DIGITS, min_size=1, max_size=9)
punct = st.sampled_from(["", "", ".", ",", "!", "?", ":", ";"])
phrase = st.builds(
    lambda words, end: " ".join(words) + end, st.lists(word, min_size=1, max_size=7), punct
)
prose = st.lists(phrase, min_size=1, max_size=3).map(" ".join)

inline = st.one_of(
    prose,
    prose.map(lambda p: f"*{p}*"),
    prose.map(lambda p: f"**{p}**"),
    word.map(lambda w: f"`{w}()`"),
    st.builds(lambda t, w: f"[{t}](https://example.no/{w}?q=1)", prose, word),
    st.builds(lambda t, w: f"![{t}](/bilder/{w}.png)", prose, word),
    prose.map(lambda p: f"<span>{p}</span>"),
    word.map(lambda w: f"https://example.no/{w}"),
)
line = st.lists(inline, min_size=1, max_size=4).map(" ".join)


def _table(cells: list[str]) -> str:
    head = f"| {cells[0]} | {cells[1]} |\n|---|---|\n"
    rows = zip(cells[2::2], cells[3::2], strict=False)
    return head + "".join(f"| {a} | {b} |\n" for a, b in rows).rstrip()


block = st.one_of(
    st.lists(line, min_size=1, max_size=3).map("\n".join),  # paragraph, soft breaks
    st.builds(lambda n, p: "#" * n + " " + p, st.integers(1, 6), prose),
    st.lists(line, min_size=1, max_size=4).map(lambda items: "\n".join(f"- {i}" for i in items)),
    st.lists(line, min_size=1, max_size=4).map(
        lambda items: "\n".join(f"{n}. {i}" for n, i in enumerate(items, 1))
    ),
    st.lists(line, min_size=1, max_size=3).map(lambda items: "- " + "\n  - ".join(items)),
    st.lists(line, min_size=1, max_size=3).map(lambda ls: "\n".join(f"> {x}" for x in ls)),
    line.map(lambda x: f"> > {x}"),
    st.lists(word, min_size=1, max_size=4).map(lambda ws: "```\n" + "\n".join(ws) + "\n```"),
    word.map(lambda w: f"    kode({w})"),
    st.lists(prose, min_size=4, max_size=8).map(_table),
    prose.map(lambda p: f'<div class="boks">\n{p}\n</div>'),
    word.map(lambda w: f"<script>\nvar {w} = 1;\n</script>"),
    st.just("***"),
)
body_strategy = st.lists(block, min_size=1, max_size=8).map(lambda bs: "\n\n".join(bs) + "\n")


@pytest.fixture(scope="module", params=E2E_LAYOUTS)
def copy_engine(
    request: pytest.FixtureRequest, layout_dirs: Callable[[str], Path]
) -> Iterator[tuple[Engine, CopyLayout]]:
    """One nb→en copy model of each layout for the module (loading it per example would
    dominate)."""
    layout = CopyLayout(request.param, layout_dirs(request.param))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARGOS_PACKAGES_DIR", str(layout.path))
        engine = ArgosEngine(find_package("nb", "en"), beam_size=1)
    engine.load()
    yield engine, layout


@FUZZ
@given(
    st.one_of(
        st.text(),
        st.builds(lambda fm, body: f"---\n{fm}\n---\n{body}", st.text(), st.text()),
        st.builds(
            lambda k, v, body: f"---\n{k}: {v}\n---\n{body}",
            st.text(min_size=1, max_size=5),
            st.text(max_size=20),
            st.text(max_size=20),
        ),
        st.builds(lambda fm, body: f"+++\n{fm}\n+++\n{body}", st.text(), st.text()),
        st.builds(
            lambda k, v, body: f"+++\n{k} = {v}\n+++\n{body}",
            st.text(min_size=1, max_size=5),
            st.text(max_size=20),
            st.text(max_size=20),
        ),
        st.builds(
            lambda k, v, body: f'{{"{k}": {v}\n{body}',
            st.text(max_size=5),
            st.text(max_size=20),
            st.text(max_size=20),
        ),
    )
)
def test_parse_never_fails_but_with_a_message(text: str) -> None:
    """Any text whatever: an Article whose body is the text's tail, or an ArticleError."""
    try:
        article = parse_article(Path("fuzz.nb.md"), text)
    except ArticleError as exc:
        assert exc.message and exc.path == Path("fuzz.nb.md")
        return
    normalised = text.replace("\r\n", "\n")
    assert normalised.endswith(article.body)
    if article.has_front_matter:
        assert article.raw_front_matter in normalised[: len(normalised) - len(article.body)]
    else:
        assert article.body == normalised


_fuzz_dir = Path(tempfile.mkdtemp(prefix="bilingo-hostile-fuzz-"))


@FUZZ
@given(st.one_of(st.binary(), st.text().map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_read_never_fails_but_with_a_message(data: bytes) -> None:
    """Any bytes on disk: read_article raises nothing but ArticleError."""
    path = _fuzz_dir / "fuzz.nb.md"
    path.write_bytes(data)
    try:
        article = read_article(path)
    except ArticleError as exc:
        assert exc.path == path and exc.message
        return
    assert article.bom == data.startswith(b"\xef\xbb\xbf")


yaml_scalar = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30),
    st.integers(-(10**12), 10**12),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
    st.dates(),
)
yaml_value = st.recursive(
    yaml_scalar,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(LETTERS, min_size=1, max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@FUZZ
@given(
    meta=st.dictionaries(st.text(LETTERS + "_", min_size=1, max_size=12), yaml_value, max_size=6),
    body=st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\r")),
    crlf=st.booleans(),
)
def test_render_then_parse_gives_back_meta_and_body(
    meta: dict[str, Any], body: str, crlf: bool
) -> None:
    """What bilingo writes is what it reads back: values, body and line endings."""
    text = render_article(meta, body, newline="\r\n" if crlf else "\n")
    article = parse_article(Path("rt.nb.md"), text)
    assert dict(article.meta) == meta
    assert article.body == body
    assert article.newline == ("\r\n" if crlf and "\n" in text else "\n")


keys = st.text(LETTERS + "_", min_size=1, max_size=12)


@FUZZ
@given(
    fmt=st.sampled_from(["yaml", "toml", "json"]),
    source=st.dictionaries(keys, yaml_value, min_size=1, max_size=6),
    changes=st.dictionaries(keys, yaml_value, max_size=3),
    dropped=st.sets(keys, max_size=2),
    crlf=st.booleans(),
)
def test_twin_rendered_after_a_source_in_any_format_reads_back_exactly(
    fmt: str,
    source: dict[str, Any],
    changes: dict[str, Any],
    dropped: set[str],
    crlf: bool,
) -> None:
    """Round-trip rendering (ruamel.yaml, tomlkit, JSON splicing) never changes a value: what
    is read back is what was asked for, in the source's format wherever the values fit it."""
    import json

    import tomlkit
    import yaml

    if fmt == "toml":
        source = _without_none(source)
        try:
            text = f"+++\n{tomlkit.dumps(source)}+++\nTekst.\n"
        except (ValueError, TypeError):
            return  # not every value tree is TOML (an empty key path, say)
    elif fmt == "json":
        text = json.dumps(source, ensure_ascii=False, indent=2, default=str) + "\nTekst.\n"
    else:
        text = f"---\n{yaml.safe_dump(source, allow_unicode=True)}---\nTekst.\n"
    try:
        like = parse_article(Path("src.nb.md"), text)
    except ArticleError:
        return
    meta = {k: v for k, v in {**like.meta, **changes}.items() if k not in dropped}
    out = render_article(meta, "Tekst.\n", newline="\r\n" if crlf else "\n", like=like)
    twin = parse_article(Path("src.en.md"), out)
    assert dict(twin.meta) == meta and twin.body == "Tekst.\n"
    if meta and _fits(fmt, meta):
        assert twin.front_format == like.front_format
    if meta and meta == like.meta and not isinstance(meta.get("bilingo"), dict):
        # Nothing changed: nothing rewritten (bilingo's own block is always written last).
        # Empty front matter is the exception: it is written "{}" on purpose, since an empty
        # "+++"/"---" pair before a body holding such a line would read back differently.
        assert out.replace("\r\n", "\n") == text


def _fits(fmt: str, value: Any) -> bool:
    """Whether a format can hold ``value``: TOML has no null, JSON no dates."""
    if isinstance(value, dict):
        return all(_fits(fmt, v) for v in value.values())
    if isinstance(value, list):
        return all(_fits(fmt, v) for v in value)
    if value is None:
        return fmt != "toml"
    return fmt != "json" or isinstance(value, str | int | float | bool)


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value if v is not None]
    return value


@FUZZ
@given(body=body_strategy, crlf=st.booleans())
def test_article_parse_segment_render_is_lossless(body: str, crlf: bool) -> None:
    """File text → article → segments → render (untranslated) → file text, byte for byte."""
    nl = "\r\n" if crlf else "\n"
    text = f"---\ntitle: Tittel\n---\n{body}".replace("\n", nl)
    article = parse_article(Path("x.nb.md"), text)
    doc = segment(article.body)
    rendered = doc.render([s.text for s in doc.segments])
    assert rendered == article.body
    assert render_article(article.meta, rendered, newline=article.newline).endswith(
        body.replace("\n", nl)
    )


@PIPELINE
@given(title=prose, body=body_strategy)
def test_copy_model_translation_is_exact(
    copy_engine: tuple[Engine, CopyLayout], title: str, body: str
) -> None:
    """The real pipeline (segment → CTranslate2 copy model → render → write) on generated
    Markdown: the twin's body and title are the source's as the layout translates them
    (the source's own on the shared layout), exactly."""
    engine, layout = copy_engine
    with tempfile.TemporaryDirectory(prefix="bilingo-hostile-") as tmp:
        folder = Path(tmp)
        src = folder / "art.nb.md"
        src.write_text(render_article({"title": title}, body), encoding="utf-8")
        report = translate_paths(
            [folder], glossary=empty_glossary(), engine_factory=lambda s, t: engine
        )
        assert report.exit_code == 0, report.outcomes
        twin = read_article(folder / "art.en.md")
        assert twin.body == layout.expected_body(body)
        assert twin.meta["title"] == layout.expected(title)
        assert is_twin(twin)
