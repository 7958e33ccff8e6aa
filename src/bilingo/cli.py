"""The ``bilingo`` command: click only — parse, build the settings, call a command's
``run``, render its report, exit with its code.

Exit codes everywhere: 0 ok, 1 problems found (or some articles failed), 2 usage, bad
input or no model. A :class:`BilingoError` becomes one ``error:`` line, never a traceback.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

import click

from bilingo import __version__
from bilingo.errors import BilingoError
from bilingo.report import Report, to_json
from bilingo.site import EngineFlags, EngineOptions, Settings, build_settings

if TYPE_CHECKING:
    from bilingo.translation import RunStatus

PathArg = click.Path(path_type=Path)

#: The engine's defaults, as the settings declare them (shown in --help).
_ENGINE = EngineOptions()


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


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused: for a command that only reads the articles
    (check; review, which writes only its pages) and whose thousands of values (articles,
    their front matter, problems, parsed bodies) form no cycles and live until it exits,
    so each collection (one per 700 allocations) frees nothing. A check judged in full
    leaves a few dozen cycles per thousand pairs, collected when it resumes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def emit_json(report: Report) -> None:
    click.echo(to_json(report))


def settings_for(
    paths: Sequence[Path] = (),
    glossary_path: Path | None = None,
    *,
    use_glossary: bool = True,
    fields: Sequence[str] = (),
    engine: EngineFlags | None = None,
) -> Settings:
    """The run's settings (call inside :func:`user_errors`: a bad site configuration or
    glossary exits 2)."""
    return build_settings(
        paths, glossary_path=glossary_path, use_glossary=use_glossary, fields=fields, engine=engine
    )


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


#: Articles an interrupted run lists by name as left (the rest are counted).
SHOWN_LEFT = 20


class ProgressLines:
    """Where no progress bar can be drawn (stderr is no terminal: CI, a log file), one line
    on stderr every ``every`` seconds, so a long run is seen to be alive."""

    def __init__(self, every: float, *, enabled: bool) -> None:
        self.every = every
        self.enabled = enabled
        self._last = time.monotonic()

    def __call__(self, status: RunStatus) -> None:
        now = time.monotonic()
        if not self.enabled or now - self._last < self.every:
            return
        self._last = now
        rate = status.words_done / status.seconds if status.seconds > 0 else 0.0
        per_segment = status.seconds / status.segments_done if status.segments_done else None
        left = status.segments_total - status.segments_done
        eta = f"{left * per_segment:.0f} s" if per_segment is not None else "unknown"
        click.echo(
            f"progress: {status.articles_done}/{status.articles_total} articles, "
            f"{status.segments_done}/{status.segments_total} segments, {rate:.0f} words/s, "
            f"ETA {eta}",
            err=True,
        )


glossary_option = click.option(
    "--glossary",
    "glossary_path",
    type=PathArg,
    default=None,
    help="Glossary file (default: glossary.yml in the site's root, if present).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bilingo")
def cli() -> None:
    """Keep Markdown articles published in Norwegian Bokmål and English, offline."""


@cli.command()
@click.argument("paths", nargs=-1, type=PathArg)
@glossary_option
@click.option(
    "--force",
    is_flag=True,
    help="Translate every machine paragraph again, even of up-to-date twins; reviewed and "
    "edited paragraphs are kept (and named) unless --discard-edits.",
)
@click.option(
    "--discard-edits",
    is_flag=True,
    help="With --force: replace reviewed and edited paragraphs too (the person's text is kept "
    "in the translation memory).",
)
@click.option("--dry-run", is_flag=True, help="Write nothing; say what would be written.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
@click.option(
    "--device",
    default=None,
    help=f"cpu, cuda or auto (default: [engine] device in bilingo.toml, else {_ENGINE.device}).",
)
@click.option(
    "--beam-size",
    default=None,
    type=click.IntRange(1, 16),
    help=f"Beam size (default: [engine] beam_size in bilingo.toml, else {_ENGINE.beam_size}).",
)
@click.option(
    "--memory",
    "memory_path",
    type=PathArg,
    default=None,
    help="Translation memory (default: .bilingo/memory.sqlite in the site's root).",
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
    help=(
        "Front-matter field to translate (repeatable; default: title, linkTitle, "
        "description, summary)."
    ),
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
    default=None,
    help="whole (default): each sentence goes to the engine whole, inline markup and line "
    "breaks carried back through the model's alignment; fragments: cut at every markup "
    "boundary and line break (the old behaviour). Default: bilingo.toml's inline.",
)
@click.option(
    "--follow-renames",
    is_flag=True,
    help="Move the twin of a renamed source (found by the text it was made from) beside it "
    "instead of reporting the git mv to run.",
)
@click.option(
    "--progress-interval",
    type=click.FloatRange(0),
    default=10.0,
    envvar="BILINGO_PROGRESS_INTERVAL",
    hidden=True,
    help="Seconds between progress lines when stderr is not a terminal.",
)
def translate(
    paths: tuple[Path, ...],
    glossary_path: Path | None,
    force: bool,
    discard_edits: bool,
    dry_run: bool,
    as_json: bool,
    device: str | None,
    beam_size: int | None,
    memory_path: Path | None,
    no_memory: bool,
    wait: float,
    fields: tuple[str, ...],
    batch_tokens: int | None,
    batch_segments: int | None,
    inline: Literal["whole", "fragments"] | None,
    follow_renames: bool,
    progress_interval: float,
) -> None:
    """Write the missing or stale twin of every article under PATHS (default: the site's
    content folders).

    Unchanged paragraphs keep the twin's text, human edits included; a paragraph changed
    in the source but edited by a person in the twin is kept and reported as a conflict.
    """
    from bilingo.commands import translate as command

    if discard_edits and not force:
        click.echo("error: --discard-edits goes with --force", err=True)
        sys.exit(2)
    progress = ClickProgress("Translating", enabled=not as_json and sys.stderr.isatty())
    lines = ProgressLines(progress_interval, enabled=not as_json and not sys.stderr.isatty())
    engine = EngineFlags(device, beam_size, batch_tokens, batch_segments)
    with user_errors():
        settings = settings_for(paths, glossary_path, fields=fields, engine=engine)
        if not paths and not settings.content_dirs:
            fail(
                "give the folders or files to translate (no Hugo or MkDocs configuration, "
                'and no content = "…" in bilingo.toml, says where the articles are)'
            )
        try:
            report = command.run(
                settings,
                list(paths) or list(settings.content_dirs),
                force=force,
                discard_edits=discard_edits,
                dry_run=dry_run,
                use_memory=not no_memory,
                memory_path=memory_path,
                wait=wait,
                progress=progress,
                inline=inline,
                status=lines,
                follow_renames=follow_renames,
            )
        except KeyboardInterrupt:
            # Before any twin was being translated (reading, waiting for the lock, loading
            # the model): nothing was written.
            progress.close()
            click.echo("interrupted: nothing was written", err=True)
            sys.exit(130)
        finally:
            progress.close()
    if as_json:
        emit_json(report)
    else:
        left = 0
        for o in report.outcomes:
            if o.action == "unchanged":
                continue
            if o.action == "interrupted":
                left += 1
                if left <= SHOWN_LEFT:
                    click.echo(f"left: {o.source}", err=True)
                continue
            arrow = f" -> {o.twin}" if o.twin and o.action in ("written", "would-write") else ""
            where = f"{o.source}:{o.line}" if o.line else str(o.source)
            detail = f": {o.reason}" if o.reason else ""
            click.echo(f"{o.action}: {where}{arrow}{detail}", err=o.action == "failed")
        if left > SHOWN_LEFT:
            click.echo(f"left: … and {left - SHOWN_LEFT} more (--json lists them all)", err=True)
        for warning in report.warnings:
            click.echo(f"warning: {warning}", err=True)
        for temp in report.removed_temps:
            click.echo(f"removed: {temp} (left behind by an interrupted run)", err=True)
        click.echo(
            f"{len(report.outcomes)} articles: {report.count('written')} written, "
            f"{report.count('would-write')} would be written, {report.count('unchanged')} "
            f"up to date, {report.count('skipped')} skipped, {report.count('failed')} failed"
            + (f", {report.count('moved')} moved" if report.count("moved") else "")
            + (f", {report.count('interrupted')} left" if report.interrupted else "")
            + "; "
            f"{report.engine_segments} segments from the engine, {report.memory_segments} "
            f"from memory, {report.words} words in {report.seconds:.1f} s"
            + (
                f"; {report.whole_sentences} sentences whole, {report.fallback_sentences} in pieces"
                if report.whole_sentences or report.fallback_sentences
                else ""
            )
        )
        if report.interrupted:
            click.echo(
                f"interrupted: {report.count('written')} twin(s) written and complete, "
                f"{report.count('interrupted')} article(s) left; run the same bilingo "
                "translate again to finish them (what is done is not translated again)",
                err=True,
            )
    sys.exit(report.exit_code)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=PathArg)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
def detect(paths: tuple[Path, ...], as_json: bool) -> None:
    """Print each article's language, how it was decided, and the confidence."""
    from bilingo.commands import detect as command

    with user_errors():
        report = command.run(settings_for(paths, use_glossary=False), list(paths))
    if as_json:
        emit_json(report)
    else:
        for r in report.rows:
            if r.detection is None:
                click.echo(f"error: {r.error}", err=True)
            else:
                d = r.detection
                click.echo(f"{r.file}\t{d.lang}\t{round(d.confidence, 5):.5f}\t{d.method}")
                if r.warning:
                    click.echo(f"warning: {r.file}: {r.warning}", err=True)
    sys.exit(report.exit_code)


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

    PATHS default to the site's content folders (a plain folder: the current folder).
    Exit 0 when clean, 1 when problems were found.
    """
    with without_cycle_collection(), user_errors():
        from bilingo.commands import check as command

        settings = settings_for(paths, glossary_path)
        report = command.run(
            settings,
            list(paths) or list(settings.content_dirs) or [Path(".")],
            require_reviewed=require_reviewed,
        )
    counts = report.counts()
    summary = f"{report.sources} sources, {report.twins} twins: " + (
        ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "all translations up to date"
    )
    if fmt == "json":
        emit_json(report)
    elif fmt == "github":
        lines = []
        for p in report.problems:
            line = f",line={p.line}" if p.line else ""
            msg = f"{p.kind}: {p.detail}".replace("%", "%25").replace("\n", "%0A")
            lines.append(f"::{p.severity} file={p.path}{line},title=bilingo {p.kind}::{msg}")
        click.echo("\n".join([*lines, summary]))  # one write: a large tree lists thousands
    else:
        lines = []
        for p in report.problems:
            where = f"{p.path}:{p.line}" if p.line else str(p.path)
            label = p.kind if p.severity == "error" else f"{p.kind} (warning)"
            lines.append(f"{where}: {label}: {p.detail}")
        click.echo("\n".join([*lines, summary]))  # one write: a large tree lists thousands
    sys.exit(report.exit_code)


@cli.group()
def glossary() -> None:
    """Show, validate, export and check the glossary (glossary.yml)."""


@glossary.command("validate")
@click.argument("path", type=PathArg, required=False)
def glossary_validate(path: Path | None) -> None:
    """Load PATH (default: the site's glossary) and report its size and hash (exit 2 with
    file and line if malformed)."""
    from bilingo.commands import glossary as command

    with user_errors():
        settings = settings_for(use_glossary=False)
        path = path or settings.site_glossary
        g = command.run_validate(settings, path).glossary
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
    from bilingo.commands import glossary as command

    with user_errors():
        report = command.run_show(settings_for((), glossary_path), forms=forms)
    if as_json:
        emit_json(report)
        return
    for r in report.rows:
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
    from bilingo.commands import glossary as command

    if source == target:
        fail("--from and --to must differ")
    with user_errors():
        report = command.run_export(
            settings_for((), glossary_path),
            source=source,
            target=target,
            fmt="tsv" if fmt == "tsv" else "csv",
        )
    click.echo(report.text, nl=False)


@glossary.command("check")
@click.argument("paths", nargs=-1, required=True, type=PathArg)
@glossary_option
@click.option("--json", "as_json", is_flag=True)
def glossary_check(paths: tuple[Path, ...], glossary_path: Path | None, as_json: bool) -> None:
    """For each source and twin: glossary terms whose target form is missing in the twin."""
    from bilingo.commands import glossary as command

    with user_errors():
        report = command.run_check(settings_for(paths, glossary_path), list(paths))
    rows, errors, pairs = report.misses, report.errors, report.pairs
    if as_json:
        emit_json(report)
    else:
        for r in rows:
            where = f"{r['twin']}:{r['twin_line']}" if r["twin_line"] else r["twin"]
            click.echo(f"{where}: glossary: {r['message']}")
        for e in errors:
            click.echo(f"error: {e}", err=True)
        click.echo(f"{pairs} pairs checked: {len(rows)} glossary misses")
    sys.exit(report.exit_code)


@cli.group()
def memory() -> None:
    """The translation memory (.bilingo/memory.sqlite)."""


@memory.command("rebuild")
@click.argument("paths", nargs=-1, required=True, type=PathArg)
@click.option("--memory", "memory_path", type=PathArg, default=None)
def memory_rebuild(paths: tuple[Path, ...], memory_path: Path | None) -> None:
    """Refill the memory from the article pairs under PATHS (it can always be deleted)."""
    from bilingo.commands import memory as command

    with user_errors():
        settings = settings_for(paths, use_glossary=False)
        report = command.run(settings, list(paths), memory_path=memory_path)
    click.echo(
        f"{report.pairs} segment pairs from {report.articles} article pairs "
        f"({report.skipped_blocks} paragraphs left out: edited by hand or unpaired); "
        f"{report.total} entries in {report.memory_path}"
    )


@memory.command("people")
@click.argument("paths", nargs=-1, type=PathArg)
@click.option("--json", "as_json", is_flag=True)
def memory_people(paths: tuple[Path, ...], as_json: bool) -> None:
    """List every person's text bilingo set aside (--discard-edits): the twin, where it
    stood, when, why, and the text itself."""
    from bilingo.commands import memory as command

    with user_errors():
        report = command.run_people(settings_for(paths, use_glossary=False), list(paths))
    if as_json:
        emit_json(report)
        return
    if not report.items:
        click.echo("no person's text was set aside")
    for item in report.items:
        click.echo(f"{item.twin}: {item.place}, set aside {item.at} ({item.why})")
        if item.source:
            click.echo(f"  source: {item.source}")
        for line in item.text.splitlines():
            click.echo(f"  | {line}")


@cli.group()
def models() -> None:
    """List, check and install Argos Translate models."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True)
def models_list(as_json: bool) -> None:
    """List installed translation packages and what each is made of."""
    from bilingo.commands import models as command

    with user_errors():
        report = command.run_list(settings_for(use_glossary=False))
    if as_json:
        emit_json(report)
        return
    if not report.shapes:
        where = ", ".join(str(d) for d in report.dirs)
        click.echo(f"no packages installed in {where}; run: bilingo models install nb en")
    for s in report.shapes:
        p = s.package
        click.echo(f"{p.from_code} -> {p.to_code}\t{p.code} {p.version}\t{p.path}")
        click.echo(f"  {s.describe()}")


@models.command("check")
@click.argument("pair", nargs=-1)
@click.option("--json", "as_json", is_flag=True)
def models_check(pair: tuple[str, ...], as_json: bool) -> None:
    """Translate a few known sentences through each installed package (or SOURCE TARGET's)
    and report what looks broken; exit 1 when something does."""
    from bilingo.commands import models as command

    with user_errors():
        report = command.run_check(settings_for(use_glossary=False), pair)
    if as_json:
        emit_json(report)
    else:
        for c in report.checks:
            p = c.shape.package
            verdict = "ok" if c.ok else "PROBLEMS"
            click.echo(f"{p.from_code} -> {p.to_code}  {p.code} {p.version}: {verdict}")
            if not c.shape.faults:  # else the problem line below says it
                click.echo(f"  {c.shape.describe()}")
            for problem in c.problems:
                click.echo(f"  problem: {problem}")
            for r in c.results:
                click.echo(f"  {r.source}\n    -> {r.output}")
                for problem in r.problems:
                    click.echo(f"    problem: {problem}")
            for note in c.notes:
                click.echo(f"  note: {note}")
    sys.exit(report.exit_code)


@models.command("install")
@click.argument("langs", nargs=-1)
@click.option("--file", "file", type=PathArg, help="Install a downloaded .argosmodel file.")
def models_install(langs: tuple[str, ...], file: Path | None) -> None:
    """Install the SOURCE TARGET model from the Argos index, or --file X.argosmodel."""
    from bilingo.commands import models as command

    with user_errors():
        settings = settings_for(use_glossary=False)
        if file is not None:
            if langs:
                fail("give either SOURCE TARGET or --file, not both")
            pkg = command.run_install(settings, (), file=file).package
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
                pkg = command.run_install(settings, langs, progress=progress).package
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

    from bilingo.commands import diff as command

    color = command.use_color(isatty=sys.stdout.isatty(), environ=os.environ)
    with user_errors():
        settings = settings_for([path], glossary_path)
        if fresh:
            fresh_report = command.run_fresh(settings, path)
        else:
            result = command.run(settings, path)
    if fresh:
        if as_json:
            emit_json(fresh_report)
        elif fresh_report.text:
            click.echo(command.style_unified(fresh_report.text), color=color)
        else:
            click.echo("no differences: the twin is what a machine translation gives now")
        sys.exit(fresh_report.exit_code)
    if as_json:
        emit_json(result)
    else:
        columns = width or shutil.get_terminal_size((80, 24)).columns
        click.echo(command.format_diff(result, width=columns), color=color)
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
@click.option(
    "--jobs",
    "jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that make the pages (default: one per CPU, at most 8; 1: this process only).",
)
def review(
    paths: tuple[Path, ...], glossary_path: Path | None, out_dir: Path, jobs: int | None
) -> None:
    """Write a static HTML review report of the articles under PATHS (default: .).

    Opens offline in any browser: index.html lists each article's state, and each
    article's page shows source and twin side by side with the problems flagged.
    """
    from bilingo.commands import review as command

    with without_cycle_collection(), user_errors():
        report = command.run(
            settings_for(paths, glossary_path), paths, out_dir=out_dir, jobs=jobs
        )
    counts = ", ".join(f"{n} {s}" for s, n in report.counts().items()) or "no articles"
    click.echo(f"{len(report.entries)} articles ({counts}); open {report.index}")
    sys.exit(report.exit_code)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=PathArg)
@click.option("--by", "by", default=None, help="Reviewer (default: git config user.name, $USER).")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
def approve(paths: tuple[Path, ...], by: str | None, as_json: bool) -> None:
    """Mark twins as reviewed, so translate keeps them and check stops warning.

    A source PATH approves its twin. Only the twin's bilingo: block changes.
    """
    from bilingo.commands import approve as command

    with user_errors():
        report = command.run(settings_for(paths), list(paths), by=by)
    if as_json:
        emit_json(report)
        sys.exit(report.exit_code)
    for item in report.items:
        done = item.approval
        if done is None:
            click.echo(f"error: {item.error}", err=True)
            continue
        if done.changed:
            cleared = (
                f", {done.cleared_conflicts} conflict(s) cleared" if done.cleared_conflicts else ""
            )
            click.echo(
                f"approved: {done.twin} (by {done.reviewed_by} on {done.reviewed_at}{cleared})"
            )
        else:
            click.echo(f"already approved: {done.twin} (by {done.reviewed_by})")
        for warning in done.warnings:
            click.echo(f"warning: {warning}", err=True)
        if done.stale:
            click.echo(
                f"note: the source of {done.twin} changed since it was translated; check "
                f"reports it stale until: bilingo translate {done.twin.parent} (reviewed "
                "paragraphs are kept, the changed ones translated again for review)"
            )
    sys.exit(report.exit_code)


@cli.command("site")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
def site_command(as_json: bool) -> None:
    """Print the site's settings and where each came from (bilingo.toml, the Hugo or MkDocs
    configuration, or bilingo's default)."""
    from bilingo.commands import site as command

    with user_errors():
        report = command.run(settings_for())
    if as_json:
        emit_json(report)
    else:
        for row in report.rows:
            click.echo(f"{row.name:<12} {row.value}  ({row.origin})")
    sys.exit(report.exit_code)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="bilingo")
    finally:
        # The command is done (its files closed, its memory committed): what it built dies
        # with the process, and the collector's last pass over all of it at exit (~40 ms
        # after a translate, a tenth of a one-paragraph rerun) would free nothing.
        gc.freeze()
