"""One bad file among many: the others are still translated, exit 1, the summary names it.

A site is never all-or-nothing: a broken article must not hold back the rest, and the user
must learn which file and why from one run, in text and in --json.
"""

from __future__ import annotations

import json
from pathlib import Path

from hostile_support import GOOD_EN, GOOD_NB, assert_tree_sound, invoke, snapshot

BAD = {
    "a-yaml.nb.md": (b"---\ntitle: [oops\n---\nTekst.\n", 2, "bad YAML front matter"),
    "b-latin1.nb.md": ("---\ntitle: Hei\n---\nGrøt.\n".encode("latin-1"), 4, "not valid UTF-8"),
    "c-binary.nb.md": (b"\x00\x01\x02garbage", None, "binary file"),
    "d-lang.md": (b"---\nlang: de\n---\nGuten Tag.\n", 2, "translates only between nb"),
    "e-unsure.md": (b"1 2 3 4\n", None, "add 'lang: nb' or 'lang: en'"),
}


def _site(articles: Path) -> list[Path]:
    """Six good articles in two folders, both directions, and the bad ones among them."""
    good = []
    for folder in (articles, articles / "nyheter"):
        folder.mkdir(exist_ok=True)
        for i in range(3):
            path = folder / f"god-{i}.{'nb' if i % 2 == 0 else 'en'}.md"
            path.write_text(
                (GOOD_NB if i % 2 == 0 else GOOD_EN).replace("two", f"{i + 2}"), encoding="utf-8"
            )
            good.append(path)
    for name, (data, _, _) in BAD.items():
        (articles / "nyheter" / name).write_bytes(data)
    return good


def test_bad_files_among_good_ones_text_summary(articles: Path) -> None:
    """Every good article gets its twin; each bad one is listed with line and reason; exit 1."""
    good = _site(articles)
    before = snapshot(articles)
    result = invoke("translate", str(articles))
    assert result.exit_code == 1
    for name, (_, line, reason) in BAD.items():
        path = articles / "nyheter" / name
        where = f"{path}:{line}" if line else str(path)
        assert f"failed: {where}: " in result.output
        assert reason in result.output
    assert (
        f"{len(good) + len(BAD)} articles: {len(good)} written, 0 would be written, 0 up to "
        f"date, 0 skipped, {len(BAD)} failed"
    ) in result.output
    assert_tree_sound(before, articles)
    for path in good:
        lang = "en" if path.name.endswith(".nb.md") else "nb"
        assert path.with_name(f"{path.name.split('.')[0]}.{lang}.md").is_file()

    # A second run does no work for the good ones and still names every bad one.
    again = invoke("translate", str(articles))
    assert again.exit_code == 1
    assert f"{len(good)} up to date" in again.output and f"{len(BAD)} failed" in again.output


def test_bad_files_among_good_ones_json_report(articles: Path) -> None:
    """--json: one entry per file; the failed ones carry reason and line for tooling."""
    good = _site(articles)
    before = snapshot(articles)
    result = invoke("translate", str(articles), "--json")
    assert result.exit_code == 1
    # Only the JSON goes to stdout, so a pipe into jq never sees a message line.
    data = json.loads(result.stdout)
    by_path = {str(Path(a["source"]).relative_to(articles)): a for a in data["articles"]}
    assert len(by_path) == len(good) + len(BAD)
    for name, (_, line, reason) in BAD.items():
        entry = by_path[f"nyheter/{name}"]
        assert entry["action"] == "failed" and entry["twin"] is None
        assert reason in entry["reason"] and entry["line"] == line
    assert sum(a["action"] == "written" for a in data["articles"]) == len(good)
    assert_tree_sound(before, articles)


def test_check_and_detect_name_every_bad_file(articles: Path) -> None:
    """The read-only commands report the same files with the same lines, and write nothing."""
    _site(articles)
    before = snapshot(articles, ignore=())
    check = invoke("check", str(articles), "--format", "json")
    assert check.exit_code == 1
    problems = json.loads(check.stdout)["problems"]
    invalid = {Path(p["path"]).name: p for p in problems if p["kind"] == "invalid"}
    assert set(invalid) == set(BAD)
    for name, (_, line, reason) in BAD.items():
        assert invalid[name]["line"] == line and reason in invalid[name]["detail"]
    detect = invoke("detect", str(articles), "--json")
    assert detect.exit_code == 1
    rows = {Path(r["file"]).name: r for r in json.loads(detect.stdout)}
    for name, (_, line, reason) in BAD.items():
        where = f"{articles / 'nyheter' / name}:{line}" if line else name
        assert where in rows[name]["error"] and reason in rows[name]["error"]
    assert snapshot(articles, ignore=()) == before
