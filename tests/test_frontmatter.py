"""Front matter in YAML, TOML and JSON: read, written back in the source's style, every command.

Golden files: ``tests/fixtures/frontmatter/<slug>.nb.md`` is a source; ``<slug>.twin.txt``
is the front matter :func:`render_article` writes for it after a fixed set of changes (the
translated fields, ``lang``, ``translationKey``, a provenance block). Regenerate with
``BILINGO_REGEN=1 pytest tests/test_frontmatter.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from bilingo import provenance
from bilingo.article import parse_article, read_article, render_article
from bilingo.cli import cli
from bilingo.frontmatter import render_front_matter
from bilingo.layout import PLAIN
from bilingo.seal import find_seal, settle_pairs

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "frontmatter"
CASES = sorted(FIXTURES.glob("*.nb.md"))
REGEN = os.environ.get("BILINGO_REGEN") == "1"
FORMATS = {"ullklaer-yaml": "yaml", "ullklaer-toml": "toml", "ullklaer-json": "json"}

#: What a translation changes, with values that test quoting, length and line breaks.
CHANGES: dict[str, Any] = {
    "title": 'Wool\'s "export" trade',
    "description": (
        "Norwegian wool is sold to the textile industry in Europe, and demand for clean and "
        "traceable wool has grown steadily over the last five years: yes, really."
    ),
    "summary": "Norwegian wool is in demand.\nA second line.",
    "lang": "en",
    "translationKey": "ullklaer",
    "bilingo": {
        "source": "ullklaer.nb.md",
        "machine": True,
        "source_fields": {"title": "a1b2c3d4"},
        "conflicts": ["paragraph 2"],
        "seal": "sha256:0000000000000000 machine",
    },
}


def front_of(text: str, body: str) -> str:
    return text[: len(text) - len(body)]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_unchanged_front_matter_is_written_back_byte_for_byte(case: Path) -> None:
    article = read_article(case)
    assert article.front_format == FORMATS[article.slug]
    assert render_article(dict(article.meta), article.body, like=article) == case.read_text()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_twin_front_matter(case: Path) -> None:
    """Only the changed values are rewritten, in the old value's quoting; the rest is kept."""
    article = read_article(case)
    meta = {**article.meta, **{k: v for k, v in CHANGES.items() if k in article.meta}}
    meta.update({k: CHANGES[k] for k in ("lang", "translationKey", "bilingo")})
    text = render_article(meta, article.body, like=article)
    reread = parse_article(case, text)
    assert reread.meta == meta and reread.body == article.body
    assert reread.front_format == article.front_format
    front = front_of(text, article.body)
    expected = case.with_name(case.name.replace(".nb.md", ".twin.txt"))
    if REGEN:
        expected.write_text(front, encoding="utf-8")
    assert expected.exists(), f"missing {expected.name}: run with BILINGO_REGEN=1"
    assert front == expected.read_text(encoding="utf-8")
    # Every line of the source's front matter that holds no changed value is still there.
    changed = tuple(CHANGES)
    source_front = front_of(case.read_text(), article.body)
    for line in source_front.splitlines():
        key = line.strip().lstrip('"').split('"')[0].split(":")[0].split("=")[0].strip()
        if key not in changed and not line.startswith(("  Norsk", '"""', "Norsk")):
            assert line in front.splitlines(), line
    # Provenance stays compact: one key a line, the seal line found by bytes.
    match = find_seal(text.encode())
    assert match is not None and match.group(0).decode().strip().count("\n") == 0


def test_new_plain_yaml_value_that_would_read_as_another_type_is_quoted() -> None:
    article = parse_article(Path("x.nb.md"), "---\ntitle: Hei\ndraft: true\n---\nTekst.\n")
    text = render_article({"title": "yes", "draft": True, "lang": "no"}, "Tekst.\n", like=article)
    assert text == '---\ntitle: "yes"\ndraft: true\nlang: "no"\n---\nTekst.\n'
    assert parse_article(Path("x.en.md"), text).meta["lang"] == "no"


def test_toml_literal_string_that_cannot_hold_a_quote_becomes_a_basic_string() -> None:
    article = parse_article(Path("x.nb.md"), "+++\ntitle = 'Hei'\n+++\nTekst.\n")
    text = render_article({"title": "Wool's"}, "Tekst.\n", like=article)
    assert text == '+++\ntitle = "Wool\'s"\n+++\nTekst.\n'


def test_toml_keys_added_go_before_the_first_table() -> None:
    article = parse_article(Path("x.nb.md"), '+++\ntitle = "Hei"\n\n[params]\nx = 1\n+++\nT\n')
    text = render_article({**article.meta, "lang": "en"}, "T\n", like=article)
    assert parse_article(Path("x.en.md"), text).meta == {**article.meta, "lang": "en"}
    assert text.index('lang = "en"') < text.index("[params]")


def test_single_line_json_front_matter_keeps_its_line() -> None:
    article = parse_article(Path("x.nb.md"), '{"title": "Hei", "draft": true}\nTekst.\n')
    assert article.meta == {"title": "Hei", "draft": True} and article.body == "Tekst.\n"
    text = render_article({"title": "Hello", "draft": True}, article.body, like=article)
    assert text == '{"title": "Hello", "draft": true}\nTekst.\n'


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("\ufeff---\r\ntitle: Hei\r\n---\r\nTekst.\r\n", "yaml"),
        ('\ufeff+++\r\ntitle = "Hei"\r\n+++\r\nTekst.\r\n', "toml"),
        ('\ufeff{\r\n  "title": "Hei"\r\n}\r\nTekst.\r\n', "json"),
    ],
)
def test_bom_and_crlf_are_kept_in_every_format(tmp_path: Path, text: str, fmt: str) -> None:
    path = tmp_path / "x.nb.md"
    path.write_bytes(text.encode("utf-8"))
    article = read_article(path)
    assert article.bom and article.newline == "\r\n" and article.front_format == fmt
    again = render_article(dict(article.meta), article.body, newline="\r\n", like=article)
    assert "\ufeff" + again == text


def test_a_body_opening_with_a_shortcode_is_not_json_front_matter() -> None:
    article = parse_article(Path("x.nb.md"), "{{< figure src=x >}}\n\nTekst.\n")
    assert not article.has_front_matter and article.body.startswith("{{<")


# ----------------------------------------------------------------------- every command


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def site(tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The three fixture sources, one per front-matter format, in a site folder."""
    articles = tmp_path / "articles"
    articles.mkdir()
    for case in CASES:
        shutil.copy(case, articles)
    monkeypatch.chdir(tmp_path)
    return articles


def test_every_command_works_on_toml_and_json_articles(site: Path, tmp_path: Path) -> None:
    result = invoke("translate", str(site))
    assert result.exit_code == 0, result.output
    assert "3 written" in result.output
    for case in CASES:
        source = read_article(site / case.name)
        twin_path = site / case.name.replace(".nb.md", ".en.md")
        twin = read_article(twin_path)
        # Same format; the source's front matter is kept line for line (the copy model
        # gives the fields back unchanged), only lang added (Hugo pairs the files by path).
        assert twin.front_format == source.front_format == FORMATS[source.slug]
        assert twin.body == source.body
        assert {k: v for k, v in twin.meta.items() if k != "bilingo"} == {
            **source.meta,
            "lang": "en",
        }
        source_lines = front_of(case.read_text(), source.body).splitlines()
        added = ("lang", '"lang"', "translationKey", '"translationKey"')
        twin_lines = [
            line
            for line in front_of(twin_path.read_text(), twin.body).splitlines()
            if not line.strip().startswith(added)
        ]
        if source.front_format == "json":
            source_lines = [*source_lines[:-2], source_lines[-2] + ","]  # a member follows
        assert twin_lines[: len(source_lines) - 1] == source_lines[:-1]
        assert find_seal(twin_path.read_bytes()) is not None

    # The seals hold: check settles every pair by hashing alone.
    files = sorted(site.glob("*.md"))
    settled, rest = settle_pairs(files, PLAIN, glossary_hash=_glossary_hash(site), fields=_fields())
    assert len(settled) == 3 and not rest

    check = invoke("check", str(site))
    assert check.exit_code == 0, check.output
    detect = invoke("detect", "--json", str(site))
    assert detect.exit_code == 0, detect.output
    langs = {Path(r["file"]).name: r["lang"] for r in json.loads(detect.output)}
    assert sorted(langs.values()) == ["en"] * 3 + ["nb"] * 3

    for case in CASES:
        twin_path = site / case.name.replace(".nb.md", ".en.md")
        diff = invoke("diff", str(twin_path))
        # The copy model leaves Norwegian in the twin: diff flags it (exit 1), field by field.
        assert diff.exit_code == 1, diff.output
        assert "¶1 · front matter title" in diff.output
        assert "¶2 · front matter description" in diff.output
        assert "untranslated: identical to the source" in diff.output
    review = invoke("review", str(site), "--html", str(tmp_path / "review"))
    assert review.exit_code == 0, review.output
    assert len(list((tmp_path / "review").glob("*.html"))) >= 4

    for case in CASES:
        twin_path = site / case.name.replace(".nb.md", ".en.md")
        before = read_article(twin_path)
        approve = invoke("approve", "--by", "Kari", str(twin_path))
        assert approve.exit_code == 0, approve.output
        after = read_article(twin_path)
        assert after.front_format == before.front_format
        assert after.meta["bilingo"]["reviewed"] is True
        assert after.meta["bilingo"]["reviewed_by"] == "Kari"
        # Approving rewrites the provenance only: the rest of the front matter is as it was.
        old = front_of(twin_path.read_text(), after.body)
        assert {k: v for k, v in after.meta.items() if k != "bilingo"} == {
            k: v for k, v in before.meta.items() if k != "bilingo"
        }
        assert old.splitlines()[:5] == case.read_text().splitlines()[:5]
    strict = invoke("check", "--require-reviewed", str(site))
    assert strict.exit_code == 0, strict.output
    again = invoke("translate", str(site))
    assert again.exit_code == 0 and "0 written" in again.output, again.output


def test_broken_toml_is_named_and_the_other_articles_are_translated(site: Path) -> None:
    bad = site / "brutt.nb.md"
    bad.write_text('+++\ntitle = "Hei"\ntags = [ull,\n+++\nTekst.\n', encoding="utf-8")
    result = invoke("translate", str(site))
    assert result.exit_code == 1
    assert f"{bad}:3: bad TOML front matter" in result.output
    assert "fix the TOML between the '+++' lines" in result.output
    assert "3 written" in result.output and "1 failed" in result.output
    assert not (site / "brutt.en.md").exists()


def _glossary_hash(site: Path) -> str:
    twin = read_article(next(site.glob("*.en.md")))
    prov = provenance.read(twin)
    assert prov is not None
    return prov.glossary_hash


def _fields() -> tuple[str, ...]:
    from bilingo.article import DEFAULT_TRANSLATED_FIELDS

    return DEFAULT_TRANSLATED_FIELDS


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bom_and_crlf_source_gives_a_bom_and_crlf_twin_that_is_sealed(
    site: Path, case: Path
) -> None:
    for other in site.glob("*.md"):
        other.unlink()
    source = site / case.name
    source.write_bytes(b"\xef\xbb\xbf" + case.read_bytes().replace(b"\n", b"\r\n"))
    result = invoke("translate", str(site))
    assert result.exit_code == 0 and "1 written" in result.output, result.output
    twin = site / case.name.replace(".nb.md", ".en.md")
    data = twin.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\n") == data.count(b"\r\n")
    assert read_article(twin).front_format == FORMATS[read_article(source).slug]
    settled, rest = settle_pairs(
        [source, twin], PLAIN, glossary_hash=_glossary_hash(site), fields=_fields()
    )
    assert len(settled) == 1 and not rest


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_lines_of_fields_and_body_are_file_lines(case: Path) -> None:
    """Messages name file lines: a field's line and the body's first line, in every format."""
    from bilingo.frontmatter import key_line

    article = read_article(case)
    lines = case.read_text(encoding="utf-8").splitlines()
    for key in ("title", "description", "date"):
        line = key_line(article.front_format, article.raw_front_matter, key)
        assert line is not None and key in lines[line - 1].split("=")[0].split(":")[0], key
    assert key_line(article.front_format, article.raw_front_matter, "nowhere") is None
    assert lines[article.body_line - 1 :] == article.body.splitlines()


def test_a_fence_line_inside_a_new_multi_line_value_does_not_close_the_front_matter() -> None:
    toml = read_article(FIXTURES / "ullklaer-toml.nb.md")
    meta = {**toml.meta, "summary": "a\n+++\nb"}
    text = render_article(meta, toml.body, like=toml)
    assert 'summary = "a\\n+++\\nb"' in text and "# the feed shows this" in text
    assert parse_article(Path("x.en.md"), text).meta == meta
    yaml_article = read_article(FIXTURES / "ullklaer-yaml.nb.md")
    meta = {**yaml_article.meta, "summary": "a\n---\nb", "title": "---"}
    text = render_article(meta, yaml_article.body, like=yaml_article)
    assert "summary: |-\n  a\n  ---\n  b\n" in text and "# the feed shows this" in text
    assert parse_article(Path("x.en.md"), text).meta == meta


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('+++\ntitle = "x"\n\n[bilingo]\nseal = "{}"\n+++\nseal = "{}"\n', 'seal = "{}"\n'),
        ('{\n  "bilingo": {\n    "seal": "{}"\n  }\n}\nTekst.\n', '    "seal": "{}"\n'),
        ('{\n  "bilingo": {\n    "seal": "{}",\n    "x": 1\n  }\n}\n', '    "seal": "{}",\n'),
        ("\ufeff---\r\nbilingo:\r\n  seal: {}\r\n---\r\n", "  seal: {}\r\n"),
    ],
    ids=["toml", "json", "json-comma", "yaml-bom-crlf"],
)
def test_seal_line_is_found_and_filled_in_every_format(text: str, line: str) -> None:
    from bilingo.seal import UNSEALED, placeholder, seal_bytes

    data = text.replace("{}", placeholder("edited")).encode("utf-8")
    match = find_seal(data)
    assert match is not None
    assert match.group(0).decode() == line.replace("{}", placeholder("edited"))
    assert (match.group(1).decode(), match.group(2).decode()) == (UNSEALED, "edited")
    sealed = seal_bytes(
        data, glossary_hash="g", fields=("title",), source_name="x.md", source_digest="d",
        twin_name="x.en.md",
    )  # fmt: skip
    assert sealed is not None and len(sealed) == len(data)
    filled = find_seal(sealed)
    assert filled is not None and filled.group(1).decode() != UNSEALED
    assert sealed.count(UNSEALED.encode()) == data.count(UNSEALED.encode()) - 1


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_front_matter_over_the_round_trip_limit_is_written_from_its_values(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pure-Python round trips cost ~10 s a megabyte: a huge front matter is not kept line
    for line, but its values are, in its format (TOML, JSON) or YAML."""
    import bilingo.frontmatter

    monkeypatch.setattr(bilingo.frontmatter, "MAX_ROUND_TRIP_CHARS", 100)
    article = read_article(case)
    meta = {**article.meta, "title": "New", "lang": "en"}
    text = render_article(meta, article.body, like=article)
    twin = parse_article(case, text)
    assert twin.meta == meta and twin.front_format == article.front_format
    assert "# the feed shows this" not in text


#: Plain scalars of every implicit type, the same texts quoted, a long text (not
#: remembered), aliases and merge keys, non-text keys: the values PyYAML's loader gives.
_YAML_SAMPLES = [
    "a: 1\nb: '1'\nc: yes\nd: 'yes'\ne: ~\nf: 2024-01-02\ng: 2024-01-02 10:00:00\nh: 1.5\n",
    "a: '1'\nb: 1\nc: 'yes'\nd: yes\ne: '~'\nf: '2024-01-02'\ng: .inf\nh: 0x1F\n",
    f"title: {'x' * 80}\nlong: {'1' * 80}\nnum: {'9' * 70}\n",
    "base: &b {x: 1, y: two}\nmerged:\n  <<: *b\n  z: [1, '1', null]\nagain: *b\n",
    "1: one\ntrue: yes\n2024-01-02: day\nnested: {a: {b: [c, {d: e}]}}\n",
]


@pytest.mark.parametrize("raw", _YAML_SAMPLES)
def test_front_matter_yaml_has_the_safe_loaders_values(raw: str) -> None:
    import yaml

    safe = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for _ in range(2):  # the second time from remembered tags
        meta = parse_article(Path("a.nb.md"), f"---\n{raw}---\n\nBody.\n").meta
        expected = yaml.load(raw, Loader=safe)
        assert meta == expected
        assert [type(v) for v in meta.values()] == [type(v) for v in expected.values()]


# ----- the provenance block on libyaml's emitter


class _PurePythonDumper(yaml.SafeDumper):
    """The reference: PyYAML's own emitter, NEL double-quoted as bilingo writes it."""


_PurePythonDumper.add_representer(
    str,
    lambda d, s: (
        d.represent_scalar("tag:yaml.org,2002:str", s, style='"')
        if "\x85" in s
        else d.represent_str(s)
    ),
)


def _pure_python_yaml(meta: dict[str, Any]) -> str:
    text = yaml.dump(
        meta,
        Dumper=_PurePythonDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return f"---\n{text}---\n"


#: Text libyaml writes as PyYAML does (front matter's, provenance's: names, hashes,
#: sentences), long lines and words among it; and text of every kind (written by PyYAML).
_ALIKE_CHARS = st.characters(max_codepoint=0xFFFF, blacklist_categories=("Cc", "Cs"))
_ALIKE_TEXT = st.text(_ALIKE_CHARS | st.sampled_from("\n\t  :#-'\""), max_size=300) | st.lists(
    st.sampled_from(["sha256:0e73ae7b", "0=sha256:dbc62f62", "x", "yes", "- a", "1.5", "é"]),
    max_size=40,
).map(" ".join)
_ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=60)


def _values(text: st.SearchStrategy[str], key: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    leaves = st.none() | st.booleans() | st.integers() | text
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(key, inner, max_size=4),
        max_leaves=12,
    )


_ALIKE_KEY = st.text(_ALIKE_CHARS, min_size=1, max_size=30)
_ANY_KEY = st.text(st.characters(codec="utf-8"), max_size=10)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.dictionaries(_ALIKE_KEY, _values(_ALIKE_TEXT, _ALIKE_KEY), min_size=1, max_size=6),
        st.dictionaries(_ANY_KEY, _values(_ANY_TEXT, _ANY_KEY), min_size=1, max_size=6),
    )
)
def test_yaml_written_from_values_is_pure_python_pyyamls_byte_for_byte(
    meta: dict[str, Any],
) -> None:
    """libyaml's emitter writes what bilingo lets it write as PyYAML's own emitter does."""
    meta = {**meta, "bilingo": {"source": "a.nb.md", "values": meta}}
    assert render_front_matter(meta) == _pure_python_yaml(meta)


# ----- one plain entry a line, written without ruamel

_WORDS = st.sampled_from(
    ["Oslo", "næring", "år", "a", "yes", "no", "on", "null", "true", "1", "2024-03-14", "1.5",
     "0o17", "e3", "x:", "#", "- b", "'q'", '"q"', "«sitat»", "–", "C#", "a: b", "&x", "*y"]
)  # fmt: skip
_LINE_TEXT = st.lists(_WORDS, min_size=1, max_size=6).map(" ".join)
_NEW_TEXT = st.one_of(
    _LINE_TEXT,
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.text(st.sampled_from("ab æ,.:#'\"-!?\n\t\u00a0\u2028"), max_size=20),
)
#: Source values ruamel keeps a style or a comment of (quotes, blocks, anchors, flows).
_STYLED = st.sampled_from(
    ["'Oslo'", '"Oslo"', "Oslo # note", "&a Oslo", "!!str Oslo", "[a, b]", "{a: b}", "|-",
     "- a", "? a", ":a", ",a", "%a", "@a", "`a`", "*a"]
)  # fmt: skip
_KEYS = st.one_of(
    st.sampled_from(["title", "date", "lang", "on", "yes", "null", "True", "x-y", "_k"]),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,6}", fullmatch=True),
    st.text(max_size=4),
)
_NEW_VALUES = st.one_of(_NEW_TEXT, st.integers(), st.booleans(), st.none(), st.lists(_WORDS))


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.tuples(_KEYS, st.one_of(_LINE_TEXT, _STYLED, _NEW_TEXT)), max_size=6),
    st.data(),
)
def test_one_line_yaml_front_matter_is_written_as_ruamel_writes_it(
    entries: list[tuple[str, str]], data: st.DataObject
) -> None:
    """Front matter of one plain entry a line, some values changed, removed or added: the
    bytes ruamel's round trip writes, with or without it."""
    from hypothesis import assume

    from bilingo import frontmatter
    from bilingo.errors import ArticleError

    raw = "".join(f"{key}: {value}\n" for key, value in entries)
    try:
        like = frontmatter.split_front_matter(Path("a.nb.md"), f"---\n{raw}---\n")
    except ArticleError:
        like = None
    assume(like is not None and like.format == "yaml")
    assert like is not None
    meta: dict[str, Any] = {}
    for key, value in like.meta.items():
        action = data.draw(st.sampled_from(["keep", "change", "drop"]))
        if action != "drop":
            meta[key] = value if action == "keep" else data.draw(_NEW_VALUES)
    for key in data.draw(st.lists(_KEYS, max_size=3)):
        meta[key] = data.draw(_NEW_VALUES)
    meta["bilingo"] = {"source": "a.nb.md", "seal": "sha256:0000000000000000 machine"}
    written = {}
    for fast in (True, False):
        frontmatter.ONE_LINE_YAML_FAST = fast
        try:
            written[fast] = render_front_matter(meta, like=like, verify=False)
        finally:
            frontmatter.ONE_LINE_YAML_FAST = True
    assert written[True] == written[False]


# ----- plain one-line entries read without the loader

#: Lines near the flat reader's edge: plain words, words the resolver types (booleans,
#: nulls, numbers, dates, octal, sexagesimal), comment and mapping characters, quotes,
#: indicators, trailing spaces, NEL and other line breaks, an invalid date.
_FLAT_WORDS = st.sampled_from(
    [
        "Ett år", "nb", "yes", "No", "on", "OFF", "true", "null", "Null", "~", "y", "n", "0",
        "10", "010", "0x1F", "1_000", "1.5", "1e3", "12345678901234567890", "1:20",
        "2015-06-23", "2024-13-45", "2015-6-3", "2015-06-23 10:00:00", "a: b", "a:b", "a #c",
        "a#c", "Kari's", '"q"', "'q'", "&a", "*a", "!t", "|", ">", "- a", "[a, b]", "{a: 1}",
        "a, b", "a [b]", "x ", "x\t", "x\x85y", "x\u2028y", "x\xa0", "é", "Økonomi", "@a",
        "`a`", "%a", "a  b", "",
    ]
)
_FLAT_KEYS = st.sampled_from(
    ["title", "lang", "date", "on", "yes", "Null", "x-y", "a_b", "1", "é", "t t", "Title"]
)
_FLAT_VALUES = _FLAT_WORDS | st.text(
    st.characters(max_codepoint=0x3000, blacklist_categories=("Cs",)), max_size=12
)


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.tuples(_FLAT_KEYS, st.sampled_from([": ", ":", ":  ", " : "]), _FLAT_VALUES),
        max_size=5,
    )
)
def test_plain_one_line_entries_read_as_the_loader_reads_them(
    lines: list[tuple[str, str, str]],
) -> None:
    from bilingo.frontmatter import _flat_yaml

    raw = "".join(f"{k}{sep}{v}\n" for k, sep, v in lines)
    flat = _flat_yaml(raw)
    if flat is None:
        return  # the loader's to read
    safe = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    expected = yaml.load(raw, Loader=safe) or {}
    assert flat == expected
    assert [type(v) for v in flat.values()] == [type(v) for v in expected.values()]
    assert list(flat) == list(expected)


def test_plain_one_line_entries_are_read_without_the_loader() -> None:
    from datetime import date

    from bilingo.frontmatter import _flat_yaml

    raw = "title: Ett år med klyngen\ndate: 2015-06-23\nlang: nb\ndraft: false\nweight: 10\n"
    assert _flat_yaml(raw) == {
        "title": "Ett år med klyngen",
        "date": date(2015, 6, 23),
        "lang": "nb",
        "draft": False,
        "weight": 10,
    }
    # A null is typed by PyYAML's own resolver and constructor, as the loader types it.
    assert _flat_yaml("t: null\n") == {"t": None} == yaml.safe_load("t: null\n")
    # Anything else is the loader's: a comment, a nested value, a bad date, a quote.
    for other in ("t: a # c\n", "t:\n  a: 1\n", "d: 2024-13-45\n", "t: 'q'\n"):
        assert _flat_yaml(other) is None
