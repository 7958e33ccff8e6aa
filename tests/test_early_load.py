"""The re-run's critical path: the model starts loading before the plan, from the
direction the twins record, and the translating modules are imported while it loads.

These run the real engine (the copy model through argostranslate's package, CTranslate2
and the tokenizer); only calls are recorded around it.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hugosite import HUGO_CONFIG, HUGO_FOLDER_CONFIG, build, hugo_or_skip, read_pages, write_site
from support import recorded

import bilingo.engine as engine_module
from bilingo.article import read_article
from bilingo.cli import cli
from bilingo.commands.translate import translate_paths
from bilingo.detect import likely_direction
from bilingo.engine import ArgosEngine, Engine, find_package
from bilingo.glossary import empty_glossary
from bilingo.layout import PLAIN
from bilingo.pairs import PairIndex
from bilingo.site import build_settings

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "articles" / "ett-ar-med-naeringsklyngetillit.nb.md"
PARAGRAPH = "Klyngen fikk mange nye medlemmer i fjor."


def words_appended(path: Path, words: str) -> None:
    """Append ``words`` to the body's last paragraph, as an editor would."""
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text + " " + words + "\n", encoding="utf-8")


@pytest.fixture(params=["shared", "opus"])
def packages(
    request: pytest.FixtureRequest,
    argos_packages_dir: Path,
    shape_dirs: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """The copy packages: the plain ones, and the real nb<->en packages' shape (Moses + BPE,
    an alignment head nobody trained, a first capital)."""
    if request.param == "opus":
        monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(shape_dirs("bpe", "shifted", True)))
    return str(request.param)


@pytest.fixture
def translated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, packages: str) -> Path:
    """A folder with the seed article (nb) and a short one, both translated."""
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED, folder / "klynge.nb.md")
    (folder / "kort.nb.md").write_text(f"---\ntitle: Kort\n---\n\n{PARAGRAPH}\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    report = translate_paths([folder], glossary=empty_glossary(), engine_factory=factory())
    assert report.exit_code == 0, report.outcomes
    return folder


def factory(made: list[ArgosEngine] | None = None) -> Any:
    def make(source: str, target: str) -> Engine:
        engine = ArgosEngine(find_package(source, target), beam_size=1)
        if made is not None:
            made.append(engine)
        return engine

    return make


def articles(folder: Path) -> list[Any]:
    return [read_article(p) for p in sorted(folder.glob("*.md"))]


def test_the_direction_is_guessed_only_where_a_source_changed(translated: Path) -> None:
    """A changed source: its twin's recorded direction. A person's edit to a twin, or
    nothing changed: no guess (that run needs no model, or only the memory)."""
    index = PairIndex(PLAIN)
    assert likely_direction(articles(translated), index) is None
    twin = translated / "kort.en.md"
    twin.write_text(twin.read_text("utf-8").replace(PARAGRAPH, "Edited by hand."), "utf-8")
    assert likely_direction(articles(translated), index) is None
    words_appended(translated / "kort.nb.md", "Og i år.")
    assert likely_direction(articles(translated), index) == ("nb", "en")


def test_a_first_run_guesses_from_what_the_files_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, packages: str
) -> None:
    """No twin yet: the direction a source's name or front matter states, so a first run
    starts the model before the plan too; a plain name with no ``lang:`` is langdetect's
    (the plan's) to tell, and a source whose twin a person already wrote is no guess."""
    index = PairIndex(PLAIN)
    (tmp_path / "plain.md").write_text(f"---\ntitle: Kort\n---\n\n{PARAGRAPH}\n", "utf-8")
    assert likely_direction(articles(tmp_path), index) is None
    (tmp_path / "hand.nb.md").write_text(f"---\ntitle: Kort\n---\n\n{PARAGRAPH}\n", "utf-8")
    (tmp_path / "hand.en.md").write_text("---\ntitle: Short\n---\n\nBy hand.\n", "utf-8")
    assert likely_direction(articles(tmp_path), index) is None
    (tmp_path / "news.md").write_text("---\nlang: en\ntitle: News\n---\n\nIt grew.\n", "utf-8")
    assert likely_direction(articles(tmp_path), index) == ("en", "nb")
    events = recorded(monkeypatch)
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "site"
    folder.mkdir()
    shutil.copy(SEED, folder / "klynge.nb.md")
    report = translate_paths([folder], glossary=empty_glossary(), engine_factory=factory())
    assert report.exit_code == 0, report.outcomes
    assert events[:2] == ["load_soon nb", "plan"]
    assert (folder / "klynge.en.md").is_file()


def test_a_changed_source_starts_the_model_before_the_plan(
    translated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model is loading (and the vocabulary read once, in that load) before the
    plan starts; the twin is the one a run that loads later writes."""
    events = recorded(monkeypatch)
    vocabularies = engine_module.model_vocabularies

    def reading(model_dir: Path) -> Any:
        events.append(f"vocabulary {threading.current_thread().name}")
        return vocabularies(model_dir)

    monkeypatch.setattr(engine_module, "model_vocabularies", reading)
    words_appended(translated / "kort.nb.md", "Og i år.")
    other = translated.parent / "other"
    shutil.copytree(translated, other)
    made: list[ArgosEngine] = []
    report = translate_paths([translated], glossary=empty_glossary(), engine_factory=factory(made))
    assert report.exit_code == 0, report.outcomes
    assert [o.action for o in report.outcomes if o.source.name == "kort.nb.md"] == ["written"]
    assert events[:2] == ["load_soon nb", "plan"]
    assert events.count("vocabulary bilingo-load") == 1
    assert not [e for e in events if e.startswith("vocabulary") and "load" not in e]
    assert len(made) == 1
    # The same edit, the model loaded only when its chunk starts: the same bytes.
    monkeypatch.setattr(ArgosEngine, "load_soon", lambda self: None)
    again = translate_paths([other], glossary=empty_glossary(), engine_factory=factory())
    assert again.exit_code == 0, again.outcomes
    for twin in ("kort.en.md", "klynge.en.md"):
        assert (translated / twin).read_bytes() == (other / twin).read_bytes()


def test_a_wrong_guess_loads_one_model_at_a_time(
    translated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source whose front matter alone changed makes the run load its direction's model
    (a guess), while the plan needs the other one for a new English article: that load
    waits for the guessed one, so no two models are ever read at once, and the run ends
    with both twins right."""
    import ctranslate2

    reads: list[tuple[float, float]] = []
    translator = ctranslate2.Translator

    def reading(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return translator(*args, **kwargs)
        finally:
            reads.append((started, time.perf_counter()))

    monkeypatch.setattr(ctranslate2, "Translator", reading)
    source = translated / "kort.nb.md"
    source.write_text(source.read_text("utf-8").replace("title: Kort", "title: Kort\nweight: 3"))
    (translated / "news.en.md").write_text("---\ntitle: News\n---\n\nThe cluster grew.\n")
    made: list[ArgosEngine] = []
    report = translate_paths([translated], glossary=empty_glossary(), engine_factory=factory(made))
    assert report.exit_code == 0, report.outcomes
    actions = {o.source.name: o.action for o in report.outcomes}
    assert actions["news.en.md"] == "written"
    assert [e.package.from_code for e in made] == ["nb", "en"]
    # Each model read once, the second only once the first was in.
    assert len(reads) == 2
    (_, first_end), (second_start, _) = sorted(reads)
    assert first_end <= second_start
    assert "The cluster grew." in (translated / "news.nb.md").read_text("utf-8")
    assert actions["kort.nb.md"] in ("written", "unchanged")


@pytest.mark.parametrize("config", ["by name", "by folder"])
def test_a_first_run_on_a_hugo_site_starts_the_model_before_the_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argos_packages_dir: Path, config: str
) -> None:
    """Hugo's layouts: the default language's page with no suffix (``x.md``, nb), and a
    content folder per language (``content/no/x.md``, keyed ``no``). The site's own config
    says the direction, the model starts before the plan, and Hugo links the twin."""
    hugo_or_skip()
    root = tmp_path / "site"
    content = write_site(root, HUGO_CONFIG if config == "by name" else HUGO_FOLDER_CONFIG)
    source = content / ("klynge.md" if config == "by name" else "no/klynge.md")
    source.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED, source)
    monkeypatch.chdir(root)
    index = PairIndex(build_settings([root]).pairing)
    assert likely_direction([read_article(source)], index) == ("nb", "en")
    events = recorded(monkeypatch)
    result = CliRunner().invoke(cli, ["translate"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert events[:2] == ["load_soon nb", "plan"]
    pages = read_pages(build(root))
    linked = {page.lang: page for page in pages.values() if page.translations}
    nb = linked.pop("en").translations  # the twin Hugo linked to the source's page
    assert nb == {lang: page.permalink for lang, page in linked.items()}
    assert len(nb) == 1
