"""The ``bilingo`` command: click only — parse, call the library, print, set the exit code.

Exit codes everywhere: 0 ok, 1 problems found (or some articles failed), 2 usage, bad
input or no model. A :class:`BilingoError` becomes one ``error:`` line, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Literal, NoReturn

import click

from bilingo import __version__
from bilingo.errors import BilingoError

PathArg = click.Path(path_type=Path)


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a BilingoError into its message and exit code."""
    try:
        yield
    except BilingoError as exc:
        fail(exc.format(), exc.exit_code)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


class ClickProgress:
    """Adapts the library's (stage, done, total) callback to a click progress bar on stderr."""

    def __init__(self, label: str, *, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled
        self._bar: Any = None
        self._done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total < 20:
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def load_glossary_option(path: Path | None) -> Any:
    from bilingo.glossary import empty_glossary, load_glossary

    if path is None:
        default = Path("glossary.yml")
        return load_glossary(default) if default.is_file() else empty_glossary()
    if not path.is_file():
        fail(f"no glossary at {path}; give --glossary PATH of an existing glossary.yml")
    return load_glossary(path)


glossary_option = click.option(
    "--glossary",
    "glossary_path",
    type=PathArg,
    default=None,
    help="Glossary file (default: glossary.yml in the current folder, if present).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bilingo")
def cli() -> None:
    """Keep Markdown articles published in Norwegian Bokmål and English, offline."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=PathArg)
@glossary_option
@click.option("--force", is_flag=True, help="Re-translate twins that are reviewed or hand-edited.")
@click.option("--dry-run", is_flag=True, help="Write nothing; say what would be written.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
@click.option("--device", default="cpu", show_default=True, help="cpu, cuda or auto.")
@click.option("--beam-size", default=4, show_default=True, type=click.IntRange(1, 16))
@click.option(
    "--memory",
    "memory_path",
    type=PathArg,
    default=None,
    help="Translation memory (default: .bilingo/memory.sqlite in the current folder).",
)
@click.option("--no-memory", is_flag=True, help="Neither read nor write the translation memory.")
@click.option(
    "--wait",
    default=0.0,
    type=click.FloatRange(0),
    help="Seconds to wait for another run on the same tree to finish (default: exit at once).",
)
@click.option(
    "--field",
    "fields",
    multiple=True,
    help="Front-matter field to translate (repeatable; default: title, description, summary).",
)
@click.option(
    "--batch-tokens",
    type=click.IntRange(1),
    default=None,
    help="Source tokens per engine batch, padding included (default: 256 on CPU, 4096 on "
    "GPU). Larger batches run faster and take more memory; see BENCHMARKS.md.",
)
@click.option(
    "--batch-segments",
    type=click.IntRange(1),
    default=None,
    help="Segments per engine batch (default: 16 on CPU, 1024 on GPU).",
)
@click.option(
    "--inline",
    type=click.Choice(["whole", "fragments"]),
    default="whole",
    show_default=True,
    help="whole: each sentence goes to the engine whole, inline markup and line breaks "
    "carried back through the model's alignment; fragments: cut at every markup boundary "
    "and line break (the old behaviour).",
)
def translate(
    paths: tuple[Path, ...],
    glossary_path: Path | None,
    force: bool,
    dry_run: bool,
    as_json: bool,
    device: str,
    beam_size: int,
    memory_path: Path | None,
    no_memory: bool,
    wait: float,
    fields: tuple[str, ...],
    batch_tokens: int | None,
    batch_segments: int | None,
    inline: Literal["whole", "fragments"],
) -> None:
    """Write the missing or stale twin of every article under PATHS.

    Unchanged paragraphs keep the twin's text, human edits included; a paragraph changed
    in the source but edited by a person in the twin is kept and reported as a conflict.
    """
    from bilingo.article import DEFAULT_TRANSLATED_FIELDS
    from bilingo.lock import tree_lock
    from bilingo.memory import DEFAULT_PATH, Memory
    from bilingo.pipeline import default_engine_factory, translate_paths

    progress = ClickProgress("Translating", enabled=not as_json and sys.stderr.isatty())
    with user_errors():
        glossary = load_glossary_option(glossary_path)
        for p in paths:
            if not p.exists():
                fail(f"no such file or folder: {p}")
        # A dry run writes nothing, not even the lock file.
        lock = nullcontext() if dry_run else tree_lock(list(paths), wait=wait)
        with lock:
            memory = None if no_memory or dry_run else Memory(memory_path or DEFAULT_PATH)
            try:
                report = translate_paths(
                    list(paths),
                    glossary=glossary,
                    engine_factory=default_engine_factory(
                        device=device,
                        beam_size=beam_size,
                        max_batch_tokens=batch_tokens,
                        max_batch_segments=batch_segments,
                    ),
                    memory=memory,
                    fields=fields or DEFAULT_TRANSLATED_FIELDS,
                    force=force,
                    dry_run=dry_run,
                    progress=progress,
                    inline=inline,
                )
            finally:
                progress.close()
                if memory is not None:
                    memory.close()
    if as_json:
        emit_json(
            {
                "articles": [
                    {
                        "source": str(o.source),
                        "twin": str(o.twin) if o.twin else None,
                        "action": o.action,
                        "source_lang": o.source_lang,
                        "target_lang": o.target_lang,
                        "segments": o.segments,
                        "words": o.words,
                        "kept_paragraphs": o.kept,
                        "conflicts": list(o.conflicts),
                        "reason": o.reason,
                        "line": o.line,
                    }
                    for o in report.outcomes
                ],
                "engine_segments": report.engine_segments,
                "memory_segments": report.memory_segments,
                "whole_sentences": report.whole_sentences,
                "fallback_sentences": report.fallback_sentences,
                "words": report.words,
                "seconds": round(report.seconds, 3),
                "engine": report.engine,
                "warnings": list(report.warnings),
                "removed_temp_files": [str(p) for p in report.removed_temps],
            }
        )
    else:
        for o in report.outcomes:
            if o.action == "unchanged":
                continue
            arrow = f" -> {o.twin}" if o.twin and o.action in ("written", "would-write") else ""
            where = f"{o.source}:{o.line}" if o.line else str(o.source)
            detail = f": {o.reason}" if o.reason else ""
            click.echo(f"{o.action}: {where}{arrow}{detail}", err=o.action == "failed")
        for warning in report.warnings:
            click.echo(f"warning: {warning}", err=True)
        for temp in report.removed_temps:
            click.echo(f"removed: {temp} (left behind by an interrupted run)", err=True)
        click.echo(
            f"{len(report.outcomes)} articles: {report.count('written')} written, "
            f"{report.count('would-write')} would be written, {report.count('unchanged')} "
            f"up to date, {report.count('skipped')} skipped, {report.count('failed')} failed; "
            f"{report.engine_segments} segments from the engine, {report.memory_segments} "
            f"from memory, {report.words} words in {report.seconds:.1f} s"
            + (
                f"; {report.whole_sentences} sentences whole, {report.fallback_sentences} in pieces"
                if report.whole_sentences or report.fallback_sentences
                else ""
            )
        )
    sys.exit(report.exit_code)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=PathArg)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
def detect(paths: tuple[Path, ...], as_json: bool) -> None:
    """Print each article's language, how it was decided, and the confidence."""
    from bilingo.detect import detect_article, twins_of
    from bilingo.pipeline import load_articles

    with user_errors():
        found = load_articles(list(paths))
    by_path = {a.path.resolve(): a for a in found.articles}
    rows: list[dict[str, Any]] = []
    for problem in found.problems:
        # The same "file:line: message" a BilingoError formats to, as for the articles below.
        where = f"{problem.source}:{problem.line}" if problem.line else str(problem.source)
        rows.append({"file": str(problem.source), "error": f"{where}: {problem.reason}"})
    for article in found.articles:
        try:
            d = detect_article(article, twins=twins_of(article, by_path))
        except BilingoError as exc:
            rows.append({"file": str(article.path), "error": exc.format()})
            continue
        rows.append(
            {
                "file": str(article.path),
                "lang": d.lang,
                "confidence": round(d.confidence, 5),
                "method": d.method,
                "detected_as": d.raw,
            }
        )
    rows.sort(key=lambda r: r["file"])
    if as_json:
        emit_json(rows)
    else:
        for r in rows:
            if "error" in r:
                click.echo(f"error: {r['error']}", err=True)
            else:
                click.echo(f"{r['file']}\t{r['lang']}\t{r['confidence']:.5f}\t{r['method']}")
    sys.exit(1 if any("error" in r for r in rows) else 0)


@cli.command()
@click.argument("paths", nargs=-1, type=PathArg)
@glossary_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="github prints GitHub Actions annotations.",
)
@click.option("--require-reviewed", is_flag=True, help="Unreviewed machine twins are errors.")
def check(
    paths: tuple[Path, ...], glossary_path: Path | None, fmt: str, require_reviewed: bool
) -> None:
    """Report missing, stale, orphaned and invalid translations (writes nothing).

    PATHS default to the current folder. Exit 0 when clean, 1 when problems were found.
    """
    from bilingo.check import check_paths

    with user_errors():
        report = check_paths(
            list(paths) or [Path(".")],
            glossary_hash=load_glossary_option(glossary_path).hash,
            require_reviewed=require_reviewed,
        )
    counts = report.counts()
    summary = f"{report.sources} sources, {report.twins} twins: " + (
        ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "all translations up to date"
    )
    if fmt == "json":
        emit_json(
            {
                "problems": [p.as_dict() for p in report.problems],
                "sources": report.sources,
                "twins": report.twins,
                "counts": counts,
                "ok": report.exit_code == 0,
            }
        )
    elif fmt == "github":
        for p in report.problems:
            line = f",line={p.line}" if p.line else ""
            msg = f"{p.kind}: {p.detail}".replace("%", "%25").replace("\n", "%0A")
            click.echo(f"::{p.severity} file={p.path}{line},title=bilingo {p.kind}::{msg}")
        click.echo(summary)
    else:
        for p in report.problems:
            where = f"{p.path}:{p.line}" if p.line else str(p.path)
            label = p.kind if p.severity == "error" else f"{p.kind} (warning)"
            click.echo(f"{where}: {label}: {p.detail}")
        click.echo(summary)
    sys.exit(report.exit_code)


@cli.group()
def glossary() -> None:
    """Show, validate, export and check the glossary (glossary.yml)."""


@glossary.command("validate")
@click.argument("path", type=PathArg, default=Path("glossary.yml"))
def glossary_validate(path: Path) -> None:
    """Load PATH and report its size and hash (exit 2 with file and line if malformed)."""
    with user_errors():
        g = load_glossary_option(path)
    click.echo(
        f"{path}: ok: {len(g.terms)} terms, {len(g.keep)} kept names, {g.form_count} forms; "
        f"hash {g.hash}"
    )


@glossary.command("show")
@glossary_option
@click.option("--forms", is_flag=True, help="List every inflected form.")
@click.option("--json", "as_json", is_flag=True)
def glossary_show(glossary_path: Path | None, forms: bool, as_json: bool) -> None:
    """List the glossary's terms and kept names."""
    from dataclasses import asdict

    from bilingo.glossary import show

    with user_errors():
        rows = show(load_glossary_option(glossary_path), forms=forms)
    if as_json:
        emit_json([asdict(r) for r in rows])
        return
    for r in rows:
        form = f" [{r.form}]" if r.form else ""
        note = f"  ({r.note})" if r.note else ""
        click.echo(f"{r.kind}\t{r.nb}\t{r.en}{form}{note}")


@glossary.command("export")
@glossary_option
@click.option("--from", "source", type=click.Choice(["nb", "en"]), default="nb", show_default=True)
@click.option("--to", "target", type=click.Choice(["nb", "en"]), default="en", show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "tsv"]), default="csv", show_default=True
)
def glossary_export(glossary_path: Path | None, source: str, target: str, fmt: str) -> None:
    """Export to DeepL's glossary format (one row per form: DeepL matches exact forms)."""
    from bilingo.glossary import export_deepl

    if source == target:
        fail("--from and --to must differ")
    with user_errors():
        g = load_glossary_option(glossary_path)
    click.echo(
        export_deepl(g, source=source, target=target, fmt="tsv" if fmt == "tsv" else "csv"),
        nl=False,
    )


@glossary.command("check")
@click.argument("paths", nargs=-1, required=True, type=PathArg)
@glossary_option
@click.option("--json", "as_json", is_flag=True)
def glossary_check(paths: tuple[Path, ...], glossary_path: Path | None, as_json: bool) -> None:
    """For each source and twin: glossary terms whose target form is missing in the twin."""
    from bilingo.article import other_language, read_article, source_path, twin_path
    from bilingo.detect import detect_article, twins_of
    from bilingo.glossary import check_articles
    from bilingo.pipeline import load_articles

    with user_errors():
        g = load_glossary_option(glossary_path)
        found = load_articles(list(paths))
    by_path = {a.path.resolve(): a for a in found.articles}
    rows: list[dict[str, Any]] = []
    errors = [f"{p.source}: {p.reason}" for p in found.problems]
    pairs = 0
    seen: set[Path] = set()
    for article in found.articles:
        try:
            if article.is_twin:
                twin = article
                named = source_path(article)
                if named is None:
                    continue  # provenance names no file beside it: check reports the twin
                source = read_article(named)
            else:
                lang = detect_article(article, twins=twins_of(article, by_path)).lang
                path = twin_path(article.path, other_language(lang))
                if not path.is_file():
                    continue
                source, twin = article, read_article(path)
            src_lang = detect_article(source, twins=[twin]).lang
        except (BilingoError, OSError) as exc:
            if not article.is_twin:
                errors.append(str(exc))
            continue
        if twin.path.resolve() in seen:
            continue
        seen.add(twin.path.resolve())
        pairs += 1
        for miss in check_articles(
            g, source, twin, source_lang=src_lang, target_lang=other_language(src_lang)
        ):
            rows.append(
                {
                    "source": str(source.path),
                    "twin": str(twin.path),
                    "term": miss.term,
                    "expected": miss.expected,
                    "found": miss.found,
                    "line": miss.line,
                    "twin_line": miss.twin_line,
                    "field": miss.field,
                    "message": miss.message(),
                }
            )
    rows.sort(key=lambda r: (r["twin"], r["twin_line"] or 0, r["term"]))
    if as_json:
        emit_json({"misses": rows, "pairs": pairs, "errors": errors})
    else:
        for r in rows:
            where = f"{r['twin']}:{r['twin_line']}" if r["twin_line"] else r["twin"]
            click.echo(f"{where}: glossary: {r['message']}")
        for e in errors:
            click.echo(f"error: {e}", err=True)
        click.echo(f"{pairs} pairs checked: {len(rows)} glossary misses")
    sys.exit(2 if errors and not rows else 1 if rows or errors else 0)


@cli.group()
def memory() -> None:
    """The translation memory (.bilingo/memory.sqlite)."""


@memory.command("rebuild")
@click.argument("paths", nargs=-1, required=True, type=PathArg)
@click.option("--memory", "memory_path", type=PathArg, default=None)
def memory_rebuild(paths: tuple[Path, ...], memory_path: Path | None) -> None:
    """Refill the memory from the article pairs under PATHS (it can always be deleted)."""
    from bilingo.memory import DEFAULT_PATH, Memory
    from bilingo.pipeline import rebuild_memory

    with user_errors(), Memory(memory_path or DEFAULT_PATH) as mem:
        report = rebuild_memory(list(paths), memory=mem)
        total = len(mem)
    click.echo(
        f"{report.pairs} segment pairs from {report.articles} article pairs "
        f"({report.skipped_blocks} paragraphs left out: edited by hand or unpaired); "
        f"{total} entries in {memory_path or DEFAULT_PATH}"
    )


@cli.group()
def models() -> None:
    """List and install Argos Translate models."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True)
def models_list(as_json: bool) -> None:
    """List installed translation packages."""
    from bilingo.engine import installed_packages, packages_dirs

    pkgs = installed_packages()
    if as_json:
        emit_json(
            [
                {
                    "code": p.code,
                    "from": p.from_code,
                    "to": p.to_code,
                    "version": p.version,
                    "path": str(p.path),
                    "copy_model": p.copy_model,
                }
                for p in pkgs
            ]
        )
        return
    if not pkgs:
        where = ", ".join(str(d) for d in packages_dirs())
        click.echo(f"no packages installed in {where}; run: bilingo models install nb en")
    for p in pkgs:
        note = "  (test copy model)" if p.copy_model else ""
        click.echo(f"{p.from_code} -> {p.to_code}\t{p.code} {p.version}\t{p.path}{note}")


@models.command("install")
@click.argument("langs", nargs=-1)
@click.option("--file", "file", type=PathArg, help="Install a downloaded .argosmodel file.")
def models_install(langs: tuple[str, ...], file: Path | None) -> None:
    """Install the SOURCE TARGET model from the Argos index, or --file X.argosmodel."""
    from bilingo import models as models_lib

    with user_errors():
        if file is not None:
            if langs:
                fail("give either SOURCE TARGET or --file, not both")
            pkg = models_lib.install_file(file)
        else:
            if len(langs) != 2:
                fail("give the pair to install, e.g.: bilingo models install nb en")
            bar: Any = None

            def progress(done: int, total: int) -> None:
                nonlocal bar
                if bar is None and total:
                    bar = click.progressbar(length=total, label="Downloading", file=sys.stderr)
                    bar.__enter__()
                if bar is not None:
                    bar.update(done - bar.pos)

            try:
                pkg = models_lib.install_from_index(langs[0], langs[1], progress=progress)
            finally:
                if bar is not None:
                    bar.__exit__(None, None, None)
    click.echo(
        f"installed {pkg.code} {pkg.version} ({pkg.from_code} -> {pkg.to_code}) in {pkg.path}"
    )


@cli.command("diff")
@click.argument("path", type=PathArg)
@glossary_option
@click.option(
    "--fresh",
    is_flag=True,
    help="Unified diff of the twin on disk against a machine translation made now.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
@click.option(
    "--width",
    type=click.IntRange(40, 1000),
    default=None,
    help="Columns to lay out for (default: the terminal's; side by side from 120).",
)
def diff_command(
    path: Path, glossary_path: Path | None, fresh: bool, as_json: bool, width: int | None
) -> None:
    """Show an article and its twin paragraph by paragraph, with problems flagged.

    PATH is a source or a twin. Flags: a URL, number or link target that differs,
    a paragraph left untranslated, a glossary term not followed, a recorded conflict.
    Exit 0 when nothing is flagged (with --fresh: no differences), 1 otherwise.
    """
    import os
    import shutil

    from bilingo.diff import diff_path, format_diff, fresh_diff, style_unified, use_color

    color = use_color(isatty=sys.stdout.isatty(), environ=os.environ)
    with user_errors():
        glossary = load_glossary_option(glossary_path)
        if fresh:
            text = fresh_diff(path, glossary=glossary)
        else:
            result = diff_path(path, glossary=glossary)
    if fresh:
        if as_json:
            emit_json({"path": str(path), "changed": bool(text), "diff": text})
        elif text:
            click.echo(style_unified(text), color=color)
        else:
            click.echo("no differences: the twin is what a machine translation gives now")
        sys.exit(1 if text else 0)
    if as_json:
        emit_json(result.as_dict())
    else:
        columns = width or shutil.get_terminal_size((80, 24)).columns
        click.echo(format_diff(result, width=columns), color=color)
    sys.exit(result.exit_code)


@cli.command()
@click.argument("paths", nargs=-1, type=PathArg)
@glossary_option
@click.option(
    "--html",
    "out_dir",
    type=PathArg,
    required=True,
    help="Folder to write index.html and one page per article into.",
)
def review(paths: tuple[Path, ...], glossary_path: Path | None, out_dir: Path) -> None:
    """Write a static HTML review report of the articles under PATHS (default: .).

    Opens offline in any browser: index.html lists each article's state, and each
    article's page shows source and twin side by side with the problems flagged.
    """
    from bilingo.review import build_review

    with user_errors():
        report = build_review(
            list(paths) or [Path(".")],
            out_dir=out_dir,
            glossary=load_glossary_option(glossary_path),
        )
    counts = ", ".join(f"{n} {s}" for s, n in report.counts().items()) or "no articles"
    click.echo(f"{len(report.entries)} articles ({counts}); open {report.index}")
    sys.exit(1 if report.counts().get("invalid") else 0)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=PathArg)
@click.option("--by", "by", default=None, help="Reviewer (default: git config user.name, $USER).")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
def approve(paths: tuple[Path, ...], by: str | None, as_json: bool) -> None:
    """Mark twins as reviewed, so translate keeps them and check stops warning.

    A source PATH approves its twin. Only the twin's bilingo: block changes.
    """
    from bilingo import approve as approve_lib
    from bilingo.lock import tree_lock

    for p in paths:
        if not p.is_file():
            fail(f"no such file: {p}")
    rows: list[dict[str, Any]] = []
    errors = 0
    with user_errors():
        reviewer = by.strip() if by and by.strip() else approve_lib.default_reviewer()
        with tree_lock(list(paths), wait=10.0):
            for p in paths:
                try:
                    done = approve_lib.approve(p, by=reviewer)
                except BilingoError as exc:
                    errors += 1
                    rows.append({"path": str(p), "error": exc.format()})
                    if not as_json:
                        click.echo(f"error: {exc.format()}", err=True)
                    continue
                rows.append(
                    {
                        "path": str(p),
                        "twin": str(done.twin),
                        "changed": done.changed,
                        "reviewed_by": done.reviewed_by,
                        "reviewed_at": done.reviewed_at,
                        "cleared_conflicts": done.cleared_conflicts,
                        "stale": done.stale,
                    }
                )
                if as_json:
                    continue
                if done.changed:
                    cleared = (
                        f", {done.cleared_conflicts} conflict(s) cleared"
                        if done.cleared_conflicts
                        else ""
                    )
                    click.echo(
                        f"approved: {done.twin} (by {done.reviewed_by} on {done.reviewed_at}"
                        f"{cleared})"
                    )
                else:
                    click.echo(f"already approved: {done.twin} (by {done.reviewed_by})")
                if done.stale:
                    click.echo(
                        f"note: the source of {done.twin} changed since it was translated; "
                        "check reports it stale until it is translated again (--force)"
                    )
    if as_json:
        emit_json(rows)
    sys.exit(2 if errors else 0)


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="bilingo")
