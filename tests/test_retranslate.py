"""Re-translation that keeps human edits (translation memory + per-paragraph staleness).

The story, on the copy model: translate -> a reviewer edits twin paragraph 2 -> the editor
edits source paragraph 3 -> translate. Exactly paragraph 3 is translated again, only its
new sentence reaches the engine, and the reviewer's paragraph 2 survives.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import CopyLayout, recording_factory

from bilingo.article import read_article
from bilingo.cli import cli
from bilingo.commands.check import check_paths
from bilingo.commands.memory import rebuild_memory
from bilingo.commands.translate import TranslateReport, translate_paths
from bilingo.document import segment
from bilingo.glossary import empty_glossary
from bilingo.layout import PLAIN
from bilingo.memory import Memory
from bilingo.pairs import PairIndex
from bilingo.translation import EngineFactory

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "articles" / "ett-ar-med-naeringsklyngetillit.nb.md"
GLOSSARY = empty_glossary()


class Recorder:
    """Records what reaches the real engine, and how many engines were made."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.engines: list[str] = []

    def factory(self) -> EngineFactory:
        return recording_factory(self.sent, beam_size=1, created=self.engines)


@pytest.fixture
def site(tmp_path: Path, copy_layout: CopyLayout) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED, folder)
    return folder


def paragraphs(path: Path) -> list[str]:
    return [b.text for b in segment(read_article(path).body).blocks]


def run(
    site: Path, memory: Memory, recorder: Recorder, *, force: bool = False, discard: bool = False
) -> TranslateReport:
    return translate_paths(
        [site],
        glossary=GLOSSARY,
        engine_factory=recorder.factory(),
        memory=memory,
        force=force,
        discard_edits=discard,
    )


def test_reviewer_edit_survives_and_only_the_changed_paragraph_is_translated(
    site: Path, tmp_path: Path, copy_layout: CopyLayout
) -> None:
    src = site / SEED.name
    twin = site / "ett-ar-med-naeringsklyngetillit.en.md"
    with Memory(tmp_path / "tm.sqlite") as memory:
        first = Recorder()
        report = run(site, memory, first)
        assert report.count("written") == 1
        assert report.engine_segments == len(set(first.sent)) > 20

        # A reviewer edits twin paragraph 2 (index 1).
        twin_paras = paragraphs(twin)
        reviewed = "The Minister of Trade and Industry, Monica Mæland, made the award."
        twin.write_text(
            twin.read_text(encoding="utf-8").replace(twin_paras[1], reviewed), encoding="utf-8"
        )
        # The editor edits source paragraph 3 (index 3: index 2 is the heading), one sentence.
        src_paras = paragraphs(src)
        old_sentence = "Næringsklynger skaper et rammeverk for samarbeid"
        assert old_sentence in src_paras[3]
        new_para = src_paras[3].replace(
            old_sentence, "Klynger skaper et nytt rammeverk for samarbeid"
        )
        src.write_text(
            src.read_text(encoding="utf-8").replace(src_paras[3], new_para), encoding="utf-8"
        )

        second = Recorder()
        report = run(site, memory, second)
        outcome = report.outcomes[0]
        assert outcome.action == "written", outcome
        # Only the changed sentence reached the engine; the paragraph's other sentences
        # came from the memory.
        assert second.sent == [
            s.text for s in segment(new_para).segments if s.text.startswith("Klynger skaper")
        ]
        assert report.engine_segments == 1
        assert report.memory_segments == len(segment(new_para).segments) - 1
        assert outcome.conflicts == ()

    after = paragraphs(twin)
    assert after[1] == reviewed  # the reviewer's text
    assert after[3] == copy_layout.expected_body(new_para)  # the new paragraph, translated
    assert [p for i, p in enumerate(after) if i not in (1, 3)] == [
        copy_layout.expected_body(p) for i, p in enumerate(src_paras) if i not in (1, 3)
    ]
    # The kept human paragraph is still known as human-edited on the next change.
    problems = check_paths([site], glossary_hash=GLOSSARY.hash)
    assert {p.kind for p in problems.problems} == {"unreviewed"}


def test_changed_source_and_edited_twin_paragraph_is_a_conflict(
    site: Path, tmp_path: Path, copy_layout: CopyLayout
) -> None:
    src = site / SEED.name
    twin = site / "ett-ar-med-naeringsklyngetillit.en.md"
    with Memory(tmp_path / "tm.sqlite") as memory:
        run(site, memory, Recorder())
        twin_paras, src_paras = paragraphs(twin), paragraphs(src)
        human = "A reviewer rewrote this paragraph."
        twin.write_text(
            twin.read_text(encoding="utf-8").replace(twin_paras[0], human), encoding="utf-8"
        )
        src.write_text(
            src.read_text(encoding="utf-8").replace(src_paras[0], "Helt ny første avsnitt."),
            encoding="utf-8",
        )
        rec = Recorder()
        report = run(site, memory, rec)
        assert rec.sent == []  # nothing else changed: nothing to translate
        assert len(report.outcomes[0].conflicts) == 1
        assert "source line 7 " in report.outcomes[0].conflicts[0]
        assert paragraphs(twin)[0] == human
        kinds = {p.kind for p in check_paths([site], glossary_hash=GLOSSARY.hash).problems}
        assert "conflict" in kinds

        # --force alone keeps the person's paragraph and says so.
        forced = run(site, memory, Recorder(), force=True)
        assert paragraphs(twin)[0] == human
        assert "--discard-edits" in forced.outcomes[0].reason
        # --force --discard-edits: the person's paragraph gives way to the new source, and
        # stays in the memory as the person's translation.
        run(site, memory, Recorder(), force=True, discard=True)
        assert memory.person_translations(
            "Helt ny første avsnitt.", source_lang="nb", target_lang="en"
        ) == [human]
    assert paragraphs(twin)[0] == copy_layout.expected("Helt ny første avsnitt.")
    assert "conflicts" not in read_article(twin).meta["bilingo"]


def test_added_removed_and_moved_paragraphs(
    site: Path, tmp_path: Path, copy_layout: CopyLayout
) -> None:
    src = site / SEED.name
    twin = site / "ett-ar-med-naeringsklyngetillit.en.md"
    with Memory(tmp_path / "tm.sqlite") as memory:
        run(site, memory, Recorder())
        body = read_article(src).body
        paras = paragraphs(src)
        # Remove paragraph 0, move paragraph 1 to the end, add a new one.
        new_body = body.replace(paras[0] + "\n\n", "").replace(paras[1] + "\n\n", "")
        new_body += f"\n{paras[1]}\n\nEt nytt avsnitt om kolleksjonen.\n"
        text = src.read_text(encoding="utf-8")
        src.write_text(text[: text.index(body)] + new_body, encoding="utf-8")
        rec = Recorder()
        report = run(site, memory, rec)
        assert rec.sent == ["Et nytt avsnitt om kolleksjonen."]
        assert report.outcomes[0].action == "written"
    assert read_article(twin).body == copy_layout.expected_body(read_article(src).body)


def test_unchanged_rerun_never_creates_an_engine(tmp_path: Path, argos_packages_dir: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(100):
        (folder / f"artikkel-{i}.nb.md").write_text(
            f"---\ntitle: Artikkel {i}\n---\n\nDette er artikkel nummer {i} om motebransjen.\n",
            encoding="utf-8",
        )
    with Memory(tmp_path / "tm.sqlite") as memory:
        assert run(folder, memory, Recorder()).count("written") == 100
        again = Recorder()
        report = run(folder, memory, again)
    assert report.count("unchanged") == 100
    assert again.engines == [] and not report.model_loaded


def test_memory_is_rebuilt_from_the_pairs(site: Path, tmp_path: Path) -> None:
    with Memory(tmp_path / "tm.sqlite") as memory:
        first = Recorder()
        run(site, memory, first)
    (tmp_path / "tm.sqlite").unlink()
    with Memory(tmp_path / "tm.sqlite") as memory:
        rebuilt = rebuild_memory([site], memory=memory, index=PairIndex(PLAIN))
        # Whole sentences and their fragments both go back in (either --inline finds them).
        assert rebuilt.pairs >= len(set(first.sent)) and rebuilt.skipped_blocks == 0
        rec = Recorder()
        report = run(site, memory, rec, force=True)
    assert rec.sent == [] and report.memory_segments == len(set(first.sent))


def test_cli_summary_counts_memory_and_engine(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(cli, ["translate", "articles", "--beam-size", "1"])
    assert first.exit_code == 0, first.output
    assert (tmp_path / ".bilingo" / "memory.sqlite").is_file()
    again = runner.invoke(cli, ["translate", "articles", "--force", "--beam-size", "1"])
    assert again.exit_code == 0, again.output
    assert "0 segments from the engine" in again.output
    assert "from memory" in again.output


@pytest.mark.parametrize("where", ["end", "below the next two"])
def test_edited_paragraph_follows_its_moved_source_paragraph(
    site: Path, tmp_path: Path, where: str, copy_layout: CopyLayout
) -> None:
    """A reviewer edits a twin paragraph; the editor moves its source paragraph far away and
    changes nothing else: the person's text moves with it, nothing reaches the engine."""
    src = site / SEED.name
    twin = site / "ett-ar-med-naeringsklyngetillit.en.md"
    with Memory(tmp_path / "tm.sqlite") as memory:
        run(site, memory, Recorder())
        human = "The Minister of Trade and Industry, Monica Mæland, made the award."
        twin_paras = paragraphs(twin)
        twin.write_text(
            twin.read_text(encoding="utf-8").replace(twin_paras[1], human), encoding="utf-8"
        )
        body = read_article(src).body
        paras = paragraphs(src)
        moved = paras[1]
        rest = body.replace(moved + "\n\n", "", 1)
        if where == "end":
            new_body = rest.rstrip("\n") + f"\n\n{moved}\n"
        else:  # below the heading and the paragraph after it
            anchor = paras[3] + "\n\n"
            new_body = rest.replace(anchor, anchor + moved + "\n\n", 1)
        text = src.read_text(encoding="utf-8")
        src.write_text(text[: text.index(body)] + new_body, encoding="utf-8")
        rec = Recorder()
        report = run(site, memory, rec)
        assert rec.sent == []
        assert report.outcomes[0].conflicts == ()
    new_src = paragraphs(src)
    after = paragraphs(twin)
    j = new_src.index(moved)
    assert after[j] == human
    machine = [b.text for b in segment(copy_layout.expected_body(read_article(src).body)).blocks]
    assert [p for i, p in enumerate(after) if i != j] == [
        p for i, p in enumerate(machine) if i != j
    ]
    # Still known as the person's text: check does not call the twin a machine translation.
    report_check = check_paths([site], glossary_hash=GLOSSARY.hash)
    assert [p.kind for p in report_check.problems] == ["unreviewed"]
    assert report_check.problems[0].detail.startswith("edited by hand")
