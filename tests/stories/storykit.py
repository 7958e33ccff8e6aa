"""What every story stands on: a site folder with the seed article, the real pipeline on the
copy model, an engine that records what reaches it, and the CLI for what people type."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner, Result
from support import CopyLayout, recording_factory

from bilingo.article import read_article
from bilingo.cli import cli
from bilingo.commands.check import CheckReport, check_paths
from bilingo.commands.translate import TranslateReport, translate_paths
from bilingo.document import segment
from bilingo.glossary import Glossary, empty_glossary
from bilingo.memory import Memory

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "articles" / "ett-ar-med-naeringsklyngetillit.nb.md"


@dataclass
class Story:
    """One site (``root/articles``) and its translation memory, lived through in steps."""

    root: Path
    layout: CopyLayout
    glossary: Glossary = field(default_factory=empty_glossary)
    #: What reached the engine on the last translate.
    sent: list[str] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.root / "articles"

    @property
    def source(self) -> Path:
        return self.folder / SEED.name

    @property
    def twin(self) -> Path:
        return self.folder / SEED.name.replace(".nb.md", ".en.md")

    @classmethod
    def begin(cls, root: Path, layout: CopyLayout) -> Story:
        (root / "articles").mkdir()
        shutil.copy(SEED, root / "articles")
        return cls(root, layout)

    def translate(
        self, *, force: bool = False, discard: bool = False, dry_run: bool = False
    ) -> TranslateReport:
        self.sent = []
        with Memory(self.root / ".bilingo" / "memory.sqlite") as memory:
            return translate_paths(
                [self.folder],
                glossary=self.glossary,
                engine_factory=recording_factory(self.sent, beam_size=1),
                memory=None if dry_run else memory,
                force=force,
                discard_edits=discard,
                dry_run=dry_run,
            )

    def check(self, *paths: Path, require_reviewed: bool = False) -> CheckReport:
        return check_paths(
            list(paths) or [self.folder],
            glossary_hash=self.glossary.hash,
            glossary=self.glossary,
            require_reviewed=require_reviewed,
        )

    def cli(self, *args: str) -> Result:
        """``bilingo ARGS`` run from the site's root (the test chdirs there)."""
        return CliRunner().invoke(cli, list(args))

    def approve(self, *paths: Path) -> Result:
        result = self.cli("approve", *(str(p) for p in paths or (self.twin,)), "--by", "Kari")
        assert result.exit_code == 0, result.output
        return result

    # ------------------------------------------------------------------ the files

    def source_paragraphs(self) -> list[str]:
        return paragraphs(self.source)

    def twin_paragraphs(self) -> list[str]:
        return paragraphs(self.twin)

    def edit_source(self, old: str, new: str) -> None:
        replace_in(self.source, old, new)

    def edit_twin(self, old: str, new: str) -> None:
        replace_in(self.twin, old, new)

    def rewrite_twin_paragraph(self, index: int, text: str) -> None:
        """A person rewrites twin paragraph ``index`` (its text, markup around it kept)."""
        replace_in(self.twin, self.twin_paragraphs()[index], text)

    def provenance(self) -> dict[str, object]:
        prov = read_article(self.twin).meta["bilingo"]
        assert isinstance(prov, dict)
        return prov

    def machine(self, source_paragraph: str) -> str:
        """The copy model's translation of one source paragraph, as translate writes it."""
        return self.layout.expected_body(source_paragraph + "\n").rstrip("\n")


def paragraphs(path: Path) -> list[str]:
    return [b.text for b in segment(read_article(path).body).blocks]


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def twin_line(path: Path, index: int) -> int:
    """The file line of paragraph ``index`` of ``path``."""
    article = read_article(path)
    return article.body_line + segment(article.body).blocks[index].line - 1


def verdicts(report: CheckReport) -> list[tuple[str, str, int | None, str]]:
    """(file name, kind, line, severity) of every problem: what a person sees."""
    return [(p.path.name, p.kind, p.line, p.severity) for p in report.problems]


def only(items: Sequence[str], needle: str) -> list[str]:
    return [s for s in items if needle in s]
