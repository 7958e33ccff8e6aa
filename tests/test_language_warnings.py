"""Language warnings (issue 23): prose that confidently reads as another language than the
file's name says (English in ``x.nb.md``), and Nynorsk, Danish or Swedish taken for Bokmål,
are said by ``detect``, ``translate`` and ``check --format github`` alike, each saying how to
silence it (``lang:`` in the front matter)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from support import recording_factory

from bilingo.article import read_article
from bilingo.cli import cli
from bilingo.commands.translate import translate_paths
from bilingo.detect import language_warning
from bilingo.glossary import empty_glossary

ENGLISH = (
    "The cluster was founded in 2014 and now has more than fifty members. The members meet "
    "four times a year to share what they have learned about design, trade and the way "
    "their companies can grow without harming the places where they work and live.\n"
)
DANISH = (
    "Klyngen blev grundlagt i 2014 og har nu mere end halvtreds medlemmer. Medlemmerne "
    "mødes fire gange om året for at dele, hvad de har lært om design og handel, og om "
    "hvordan deres virksomheder kan vokse uden at skade de steder, hvor de arbejder.\n"
)
NYNORSK = (
    "Klynga vart skipa i 2014 og har no meir enn femti medlemer. Eg veit ikkje kva dei "
    "skal gjere, men dei møtest fire gonger i året for å dele kva dei har lært om design "
    "og handel, og korleis verksemdene kan vekse utan å skade stadene dei er frå og bur på.\n"
)
BOKMAL = (
    "Klyngen ble startet i 2014 og har nå mer enn femti medlemmer. Medlemmene møtes fire "
    "ganger i året for å dele hva de har lært om design og handel, og hvordan bedriftene "
    "kan vokse uten å skade stedene der de arbeider og bor.\n"
)


def page(folder: Path, name: str, body: str, lang: str | None = None) -> Path:
    meta = f"title: Om klyngen\n{f'lang: {lang}' + chr(10) if lang else ''}"
    path = folder / name
    path.write_text(f"---\n{meta}---\n\n{body}", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "says"),
    [(ENGLISH, "reads as English"), (DANISH, "Danish"), (NYNORSK, "Nynorsk"), (BOKMAL, None)],
)
def test_language_warning_says_what_it_reads_and_how_to_silence_it(
    tmp_path: Path, body: str, says: str | None
) -> None:
    article = read_article(page(tmp_path, "om.nb.md", body))
    warning = language_warning(article, "nb")
    if says is None:
        assert warning is None
        return
    assert warning is not None and says in warning and "lang: nb" in warning, warning
    silenced = read_article(page(tmp_path, "om2.nb.md", body, lang="nb"))
    assert language_warning(silenced, "nb") is None


def test_detect_translate_and_check_all_warn(
    tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page(tmp_path, "om.nb.md", ENGLISH)
    page(tmp_path, "ok.nb.md", BOKMAL)
    monkeypatch.chdir(tmp_path)
    detected = CliRunner().invoke(cli, ["detect", "."])
    assert "warning: om.nb.md: it is taken as nb from its path" in detected.output
    assert "ok.nb.md" not in detected.output.split("warning:", 1)[1]
    # check reads every source it judges (a pair whose seal holds is settled unread: its
    # warning was given when it was translated).
    checked = CliRunner().invoke(cli, ["check", "--format", "github", "."])
    lines = [ln for ln in checked.output.splitlines() if "title=bilingo language" in ln]
    assert len(lines) == 1 and lines[0].startswith("::warning file=om.nb.md"), checked.output
    assert "lang: nb" in lines[0]
    report = translate_paths(
        [tmp_path], glossary=empty_glossary(), engine_factory=recording_factory([], beam_size=1)
    )
    assert any("om.nb.md" in w and "reads as English" in w for w in report.warnings)
    assert not any("ok.nb.md" in w for w in report.warnings)


def test_a_language_its_twin_recorded_is_not_read_again(
    tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warning is given when the article is first translated; a rerun after editing a
    paragraph (half or more of them standing) reads its prose no more than it detects its
    language (langdetect's profiles would cost that rerun most of its time). Rewritten,
    the article is read again."""
    import bilingo.commands.translate as command

    paragraphs = [BOKMAL, BOKMAL.replace("2014", "2015"), BOKMAL.replace("2014", "2016")]
    page(tmp_path, "om.nb.md", "\n".join(paragraphs))  # by its path
    page(tmp_path, "klynge.md", "\n".join(paragraphs))  # by langdetect
    read: list[str] = []
    real = command.language_warning

    def reading(article: object, lang: str) -> str | None:
        read.append(article.path.name)  # type: ignore[attr-defined]
        return real(article, lang)  # type: ignore[arg-type]

    monkeypatch.setattr(command, "language_warning", reading)
    factory = recording_factory([], beam_size=1)
    first = translate_paths([tmp_path], glossary=empty_glossary(), engine_factory=factory)
    assert first.exit_code == 0
    assert sorted(read) == ["klynge.md", "om.nb.md"]
    for name in ("om.nb.md", "klynge.md"):
        path = tmp_path / name
        path.write_text(path.read_text("utf-8").replace("2016", "2017"), encoding="utf-8")
    read.clear()
    report = translate_paths([tmp_path], glossary=empty_glossary(), engine_factory=factory)
    assert [o.action for o in report.outcomes] == ["written", "written"] and read == []
    page(tmp_path, "om.nb.md", ENGLISH * 3)
    report = translate_paths([tmp_path], glossary=empty_glossary(), engine_factory=factory)
    assert read == ["om.nb.md"]
    assert any("om.nb.md" in w and "reads as English" in w for w in report.warnings)
