"""Where a site is and what its own configuration says: Hugo, MkDocs or ``bilingo.toml``.

bilingo works on sites as their generators lay them out, so it reads their configuration
rather than asking the user to repeat it. :func:`find_site_root` walks up from a path to the
first folder holding ``bilingo.toml``, a Hugo configuration, ``mkdocs.yml`` or ``.git``;
:func:`read_site_config` reads the languages (and the code each uses in file and folder names),
the content folder, the pair layout and the Markdown dialect from it, then applies
``bilingo.toml``'s overrides. Every value remembers where it came from (``bilingo site``
prints that). Nothing here decides what a command does with the values.

Hugo: ``hugo.toml|yaml|yml|json`` or ``config.*`` at the root, or ``config/_default/`` (with
``languages.*`` beside it); keys are case-insensitive, as Hugo reads them. A language keyed
``no``, ``nb``, ``nb-no`` … is Bokmål, ``en``, ``en-us`` … English; languages with their own
``contentDir`` mean pairs by folder, else by file name (``x.no.md`` ↔ ``x.en.md``).
MkDocs: mkdocs-static-i18n's ``languages`` (``locale`` list, or the older mapping) and
``docs_structure`` (``suffix`` or ``folder``) under ``plugins``; ``docs_dir`` is the content.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

import yaml

from bilingo.errors import BilingoError

if TYPE_CHECKING:
    from bilingo.jekyll import JekyllSite

#: ``[review] min_confidence``'s default: a machine sentence whose length-normalised
#: log-probability is below it is flagged low-confidence. On the base copy model
#: (BENCHMARKS.md) sure sentences score about -0.00 and sentences made unsure on purpose
#: far lower; real OPUS-MT sentences mostly score between -0.1 and -0.8 and hallucinations
#: well below -1 (Guerreiro et al. 2022): a starting point, to tune on a site's own output.
DEFAULT_MIN_CONFIDENCE = -1.5

T = TypeVar("T")
Kind = Literal["bilingo", "hugo", "mkdocs", "jekyll", "zola", "plain"]
Layout = Literal["suffix", "folder"]
Dialect = Literal["hugo", "mkdocs", "jekyll", "zola", "commonmark"]
DIALECTS: tuple[Dialect, ...] = ("hugo", "mkdocs", "jekyll", "zola", "commonmark")
Inline = Literal["whole", "fragments"]

CONFIG_FILE = "bilingo.toml"
HUGO_NAMES = tuple(
    f"{stem}.{ext}" for stem in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json")
)
MKDOCS_NAMES = ("mkdocs.yml", "mkdocs.yaml")
JEKYLL_NAMES = ("_config.yml", "_config.yaml")
#: Language codes (a site's key, before any region) that mean each side of the pair. Nynorsk
#: (``nn``) is another written standard: never taken for Bokmål.
BOKMAL_CODES = frozenset({"nb", "no", "nob", "nor"})
ENGLISH_CODES = frozenset({"en", "eng"})
DEFAULT_FIELDS = ("title", "linkTitle", "description", "summary")


class SiteError(BilingoError):
    """A site configuration bilingo cannot use (file and line, and the fix)."""


@dataclass(frozen=True)
class Sourced(Generic[T]):
    """A setting's value and where it came from (a file, or ``default``)."""

    value: T
    origin: str


@dataclass(frozen=True)
class SiteLanguage:
    """One side of the pair as the site names it."""

    lang: str  # bilingo's code: "nb" or "en"
    code: str  # the site's code, used in file names (x.<code>.md) and by the generator
    content_dir: Path | None  # its own content folder (pairs by folder), else None
    default: bool  # the site's default language (MkDocs: files without a suffix)


@dataclass(frozen=True)
class SiteConfig:
    """What a site's configuration says, each value with its origin."""

    root: Path
    kind: Sourced[Kind]
    content_dir: Sourced[Path]
    languages: Sourced[Mapping[str, SiteLanguage]]
    layout: Sourced[Layout]
    dialect: Sourced[Dialect]
    glossary: Sourced[Path]
    fields: Sourced[tuple[str, ...]]
    state_dir: Sourced[Path]
    inline: Sourced[Inline]
    engine: Sourced[Mapping[str, Any]] = field(default_factory=lambda: Sourced({}, "default"))
    #: ``[review] min_confidence``: below it a machine paragraph is flagged low-confidence.
    min_confidence: Sourced[float] = field(
        default_factory=lambda: Sourced(DEFAULT_MIN_CONFIDENCE, "default")
    )
    #: languages the site has besides nb and en (bilingo leaves their pages alone)
    other_languages: tuple[str, ...] = ()
    #: A Jekyll site's URLs and unlocalized paths (jekyll-polyglot), else None.
    jekyll: JekyllSite | None = None

    def as_dict(self) -> dict[str, Any]:
        show = json_value
        out: dict[str, Any] = {"root": str(self.root)}
        for name in (
            "kind", "content_dir", "languages", "layout", "dialect", "glossary", "fields",
            "state_dir", "inline", "engine", "min_confidence",
        ):  # fmt: skip
            item: Sourced[Any] = getattr(self, name)
            out[name] = {"value": show(item.value), "from": item.origin}
        out["other_languages"] = list(self.other_languages)
        if self.jekyll is not None:
            out["exclude_from_localization"] = [str(p) for p in self.jekyll.unlocalized]
        return out


def json_value(value: Any) -> Any:
    """A setting's value as JSON values (``bilingo site --json``): paths as text, a language
    as its code, folder and default, other frozen dataclasses field by field."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, SiteLanguage):
        return {
            "code": value.code,
            "content_dir": str(value.content_dir) if value.content_dir else None,
            "default": value.default,
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: json_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [json_value(v) for v in value]
    return value


# --------------------------------------------------------------------------- finding the root


def site_marker(folder: Path) -> tuple[Kind, Path] | None:
    """The configuration that makes ``folder`` a site root, if any (bilingo.toml first)."""
    if (folder / CONFIG_FILE).is_file():
        return "bilingo", folder / CONFIG_FILE
    for name in HUGO_NAMES:
        if (folder / name).is_file():
            return ("zola" if is_zola_config(folder / name) else "hugo"), folder / name
    if (folder / "config" / "_default").is_dir():
        return "hugo", folder / "config" / "_default"
    for name in MKDOCS_NAMES:
        if (folder / name).is_file():
            return "mkdocs", folder / name
    for name in JEKYLL_NAMES:
        if (folder / name).is_file():
            return "jekyll", folder / name
    if (folder / ".git").exists():
        return "plain", folder / ".git"
    return None


_ZOLA_KEY_RE = re.compile(r"^[ \t]*base_url[ \t]*=", re.MULTILINE)


def is_zola_config(path: Path) -> bool:
    """A ``config.toml`` of Zola's, not Hugo's: Zola requires ``base_url``, Hugo spells it
    ``baseURL`` (any case, never with an underscore)."""
    if path.name != "config.toml":
        return False
    try:
        return bool(_ZOLA_KEY_RE.search(path.read_text(encoding="utf-8-sig")))
    except (OSError, UnicodeDecodeError):
        return False


def find_site_root(start: Path, *, cwd: Path | None = None) -> Path:
    """The first folder from ``start`` upwards that :func:`site_marker` names; else, for a
    path outside ``cwd``, the folder above it holding a glossary or bilingo's state
    (``../other-site/content``: ``../other-site``, its glossary, memory and lock, never the
    current folder's); else ``cwd``."""
    here = (cwd or Path.cwd()).resolve()
    start = start if start.is_absolute() else here / start
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        if site_marker(candidate) is not None:
            return candidate
    if folder == here or here in folder.parents:
        return here
    # Outside the current folder, with no configuration: the folder holding its own
    # glossary or bilingo state, below where the two paths meet.
    shared = Path(os.path.commonpath([here, folder]))
    for candidate in (folder, *folder.parents):
        if candidate == shared:
            break
        if (candidate / "glossary.yml").is_file() or (candidate / ".bilingo").is_dir():
            return candidate
    return here


def common_root(paths: Sequence[Path], *, cwd: Path | None = None) -> Path:
    """The site root of every path given (they must agree), or of the current folder."""
    here = (cwd or Path.cwd()).resolve()
    roots = {find_site_root(p, cwd=here) for p in paths} or {find_site_root(here, cwd=here)}
    if len(roots) > 1:
        listed = ", ".join(sorted(str(r) for r in roots))
        raise SiteError(
            f"the paths given belong to different sites ({listed}); run bilingo once per site"
        )
    return roots.pop()


# --------------------------------------------------------------------------- reading files


class _TolerantLoader(yaml.SafeLoader):
    """Safe YAML that reads MkDocs' ``!!python/name:`` and ``!ENV`` tags as plain values
    instead of failing (never importing or running anything)."""


def _unknown_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return None


_TolerantLoader.add_multi_constructor("", _unknown_tag)


def load_config_file(path: Path) -> dict[str, Any]:
    """A TOML, YAML or JSON configuration file as plain data; SiteError with the line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteError(f"cannot read it ({exc}); fix or remove the file", path=path) from None
    suffix = path.suffix.lower()
    data: Any
    if suffix == ".toml":
        import tomlkit
        import tomlkit.exceptions

        try:
            data = tomlkit.parse(text).unwrap()
        except tomlkit.exceptions.ParseError as exc:
            raise SiteError(
                f"invalid TOML: {exc}; fix the file", path=path, line=exc.line
            ) from None
    elif suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SiteError(
                f"invalid JSON: {exc.msg}; fix the file", path=path, line=exc.lineno
            ) from None
    else:
        try:
            data = yaml.load(text, Loader=_TolerantLoader)  # a SafeLoader: constructs no objects
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or exc
            raise SiteError(
                f"invalid YAML: {problem}; fix the file", path=path, line=line
            ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SiteError("the configuration must be a mapping of keys to values", path=path)
    return data


def _lower_keys(value: Any) -> Any:
    """Hugo's configuration keys are case-insensitive: compare them lower-cased."""
    if isinstance(value, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


def pair_language(code: str) -> str | None:
    """bilingo's side ("nb" or "en") for a site's language code, or None for any other."""
    base = code.strip().lower().replace("_", "-").split("-", 1)[0]
    if base in BOKMAL_CODES:
        return "nb"
    if base in ENGLISH_CODES:
        return "en"
    return None


# --------------------------------------------------------------------------- Hugo


def read_hugo(root: Path, marker: Path) -> dict[str, Any]:
    """Hugo's settings, keys lower-cased; ``config/_default/`` files merged like Hugo does
    (``languages.toml`` holds the ``languages`` table, ``hugo.toml`` the rest)."""
    if marker.is_file():
        lowered: dict[str, Any] = _lower_keys(load_config_file(marker))
        return lowered
    merged: dict[str, Any] = {}
    for item in sorted(marker.iterdir()):
        if item.suffix.lower() not in (".toml", ".yaml", ".yml", ".json") or not item.is_file():
            continue
        data = _lower_keys(load_config_file(item))
        stem = item.stem.lower()
        if stem in ("hugo", "config"):
            merged.update(data)
        else:  # languages.toml, params.toml, menus.en.toml …: a top-level key each
            key = stem.split(".", 1)[0]
            if isinstance(merged.get(key), dict):
                merged[key].update(data)
            else:
                merged[key] = data
    return merged


def hugo_languages(
    root: Path, config: Mapping[str, Any], origin: str, chosen: Mapping[str, str] | None = None
) -> tuple[dict[str, SiteLanguage], Layout, Path, tuple[str, ...]]:
    """(languages by side, layout, content folder, other language keys) from Hugo's config.

    ``chosen``: the site code bilingo.toml names for a side, when two Hugo languages are it.
    """
    chosen = chosen or {}
    content = root / str(config.get("contentdir") or "content")
    default_code = str(config.get("defaultcontentlanguage") or "en").lower()
    table = config.get("languages")
    if not isinstance(table, dict) or not table:
        # A one-language site: pairs by file name, the codes bilingo uses; no default, so
        # a file without a suffix has its language detected, as in a plain folder.
        langs = {lang: SiteLanguage(lang, lang, None, False) for lang in ("nb", "en")}
        return langs, "suffix", content, ()
    for lang, code in chosen.items():
        if code.lower() not in table:
            raise SiteError(
                f"{CONFIG_FILE} names '{code}' for {lang}, but the Hugo configuration's languages "
                f"are {', '.join(sorted(table))}; use one of those in [languages.{lang}] code",
                path=root / CONFIG_FILE,
            )
    found: dict[str, SiteLanguage] = {}
    others: list[str] = []
    for key, settings in table.items():
        settings = settings if isinstance(settings, dict) else {}
        # A key such as "norsk" says nothing: languageCode/locale then decides.
        side = pair_language(key) or pair_language(
            str(settings.get("languagecode") or settings.get("locale") or "")
        )
        if side is None or (side in chosen and chosen[side].lower() != key):
            others.append(key)
            continue
        if side in found:
            raise SiteError(
                f"languages '{found[side].code}' and '{key}' are both "
                f"{'Norwegian Bokmål' if side == 'nb' else 'English'}; tell bilingo which one "
                f'to use in {CONFIG_FILE}: [languages.{side}] code = "{key}"',
                path=Path(origin),
            )
        own_dir = settings.get("contentdir")
        found[side] = SiteLanguage(
            side, key, root / str(own_dir) if own_dir else None, key == default_code
        )
    missing = [lang for lang in ("nb", "en") if lang not in found]
    if missing:
        have = ", ".join(sorted(table)) or "none"
        raise SiteError(
            f"the site's languages ({have}) include no "
            f"{' and no '.join('Norwegian Bokmål' if m == 'nb' else 'English' for m in missing)}; "
            "bilingo translates between nb and en: add the language to [languages] "
            f"(or map an existing key in {CONFIG_FILE})",
            path=Path(origin),
        )
    if any(lang.content_dir is not None for lang in found.values()):
        # Hugo: a language without a contentDir of its own reads the top-level one.
        found = {
            side: dataclasses.replace(lang, content_dir=lang.content_dir or content)
            for side, lang in found.items()
        }
    dirs = [lang.content_dir for lang in found.values()]
    if dirs[0] is not None and dirs[0] == dirs[1]:  # one folder for both: by file name
        return (
            {side: dataclasses.replace(lang, content_dir=None) for side, lang in found.items()},
            "suffix",
            dirs[0],
            tuple(others),
        )
    layout: Layout = "folder" if all(d is not None for d in dirs) else "suffix"
    if layout == "folder":
        _check_apart(found, Path(origin))
    return found, layout, content, tuple(others)


def _check_apart(found: Mapping[str, SiteLanguage], origin: Path) -> None:
    """Pairs by folder need two folders, neither inside the other."""
    nb, en = (found[side].content_dir for side in ("nb", "en"))
    if nb is None or en is None:
        return
    if nb.is_relative_to(en) or en.is_relative_to(nb):
        raise SiteError(
            f"the nb content folder ({nb}) and the en one ({en}) lie one inside the other; "
            "give each language a folder of its own (contentDir, or [languages.nb] dir and "
            f"[languages.en] dir in {CONFIG_FILE})",
            path=origin,
        )


# --------------------------------------------------------------------------- MkDocs


def _i18n_plugin(config: Mapping[str, Any]) -> dict[str, Any] | None:
    plugins = config.get("plugins")
    entries: list[Any] = []
    if isinstance(plugins, list):
        entries = plugins
    elif isinstance(plugins, dict):
        entries = [{k: v} for k, v in plugins.items()]
    for entry in entries:
        if isinstance(entry, dict) and "i18n" in entry:
            value = entry["i18n"]
            return value if isinstance(value, dict) else {}
        if entry == "i18n":
            return {}
    return None


def mkdocs_languages(
    root: Path, config: Mapping[str, Any], origin: str
) -> tuple[dict[str, SiteLanguage], Layout, Path, tuple[str, ...]]:
    """(languages by side, layout, docs folder, other locales) from mkdocs-static-i18n."""
    docs = root / str(config.get("docs_dir") or "docs")
    plugin = _i18n_plugin(config)
    if plugin is None:
        langs = {lang: SiteLanguage(lang, lang, None, False) for lang in ("nb", "en")}
        return langs, "suffix", docs, ()
    structure = str(plugin.get("docs_structure") or "suffix")
    if structure not in ("suffix", "folder"):
        raise SiteError(
            f"i18n docs_structure '{structure}' is not one bilingo knows; use suffix or folder",
            path=Path(origin),
        )
    layout: Layout = "folder" if structure == "folder" else "suffix"
    raw = plugin.get("languages") or []
    entries: list[tuple[str, bool]] = []
    if isinstance(raw, list):  # v1: [{locale: en, default: true}, …]
        entries = [
            (str(item.get("locale")), bool(item.get("default")))
            for item in raw
            if isinstance(item, dict) and item.get("locale")
        ]
    elif isinstance(raw, dict):  # v0: {en: {...}, nb: {...}} with default_language
        default_code = str(plugin.get("default_language") or "")
        entries = [(str(code), str(code) == default_code) for code in raw]
    found: dict[str, SiteLanguage] = {}
    others: list[str] = []
    for code, default in entries:
        lang = pair_language(code)
        if lang is None or lang in found:
            others.append(code)
            continue
        found[lang] = SiteLanguage(lang, code, docs / code if layout == "folder" else None, default)
    missing = [lang for lang in ("nb", "en") if lang not in found]
    if missing:
        raise SiteError(
            f"the i18n plugin's languages ({', '.join(c for c, _ in entries) or 'none'}) include "
            f"no {' and no '.join(missing)}; add a `- locale: {missing[0]}` entry",
            path=Path(origin),
        )
    return found, layout, docs, tuple(others)


# --------------------------------------------------------------------------- Jekyll, Zola


def _one_language_site() -> dict[str, SiteLanguage]:
    return {lang: SiteLanguage(lang, lang, None, False) for lang in ("nb", "en")}


def _sides(
    codes: Sequence[str], default_code: str, origin: str, where: str
) -> tuple[dict[str, SiteLanguage], tuple[str, ...]]:
    """Each side's site code among ``codes`` (the first of each), and the other codes."""
    found: dict[str, SiteLanguage] = {}
    others: list[str] = []
    for code in codes:
        side = pair_language(code)
        if side is None or side in found:
            others.append(code)
            continue
        found[side] = SiteLanguage(side, code, None, code.lower() == default_code.lower())
    missing = [lang for lang in ("nb", "en") if lang not in found]
    if missing:
        raise SiteError(
            f"the site's languages ({', '.join(codes) or 'none'}) include no "
            f"{' and no '.join(missing)}; add {missing[0]!r} to {where}",
            path=Path(origin),
        )
    return found, tuple(others)


def jekyll_languages(
    root: Path, config: Mapping[str, Any], origin: str
) -> tuple[dict[str, SiteLanguage], Path, tuple[str, ...]]:
    """(languages by side, source folder, other languages) from jekyll-polyglot's keys:
    ``languages`` and ``default_lang`` (Polyglot's default: ``en``). Pairs by file name;
    Polyglot links them by ``lang:`` and ``permalink``."""
    source = root / str(config.get("source") or ".")
    codes = config.get("languages")
    if not isinstance(codes, list) or not codes:
        return _one_language_site(), source, ()
    markdown = str(config.get("markdown") or "kramdown")
    if markdown.lower() not in ("kramdown", "commonmarkghpages", "commonmark", "gfm"):
        raise SiteError(
            f"markdown: {markdown} is a Markdown engine bilingo does not read; use kramdown",
            path=Path(origin),
        )
    default = str(config.get("default_lang") or "en")
    found, others = _sides([str(c) for c in codes], default, origin, "languages")
    return found, source, others


def zola_languages(
    root: Path, config: Mapping[str, Any], origin: str
) -> tuple[dict[str, SiteLanguage], Path, tuple[str, ...]]:
    """(languages by side, content folder, other languages) from Zola's ``default_language``
    (``en`` unless set) and ``[languages.X]`` tables (or the older list of ``code``s). The
    default language's pages have no suffix (``x.md``), the others' ``x.nb.md``."""
    default = str(config.get("default_language") or "en")
    table = config.get("languages")
    codes = [default]
    if isinstance(table, Mapping):
        codes += [str(k) for k in table]
    elif isinstance(table, list):
        codes += [
            str(item["code"]) for item in table if isinstance(item, Mapping) and "code" in item
        ]
    codes = list(dict.fromkeys(codes))
    if len(codes) == 1:
        return _one_language_site(), root / "content", ()
    found, others = _sides(codes, default, origin, "[languages] (or default_language)")
    return found, root / "content", others


# --------------------------------------------------------------------------- bilingo.toml


_KNOWN_KEYS = {
    "content", "layout", "dialect", "glossary", "fields", "state", "inline", "languages", "engine",
    "review",
}  # fmt: skip
_ENGINE_KEYS = {"device", "beam_size", "batch_tokens", "batch_segments", "compute_type"}


def _choice(data: Mapping[str, Any], key: str, allowed: Sequence[str], path: Path) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if value not in allowed:
        raise SiteError(
            f"{key} = {value!r} is not one of {', '.join(allowed)}; fix {CONFIG_FILE}", path=path
        )
    return str(value)


def _chosen_codes(overrides: Mapping[str, Any]) -> dict[str, str]:
    table = overrides.get("languages")
    if not isinstance(table, dict):
        return {}
    return {
        str(lang): str(value["code"])
        for lang, value in table.items()
        if isinstance(value, dict) and "code" in value
    }


def _generator_beside(
    root: Path, overrides: Mapping[str, Any], local: Path
) -> tuple[Kind, Path] | None:
    """The generator configuration beside ``bilingo.toml`` (its ``generator`` key decides
    when both a Hugo and a MkDocs configuration are there)."""
    hugo = next((root / n for n in HUGO_NAMES if (root / n).is_file()), None)
    if hugo is None and (root / "config" / "_default").is_dir():
        hugo = root / "config" / "_default"
    mkdocs = next((root / n for n in MKDOCS_NAMES if (root / n).is_file()), None)
    wanted = overrides.get("generator")
    if wanted not in (None, "hugo", "mkdocs", "jekyll", "zola", "none"):
        raise SiteError(
            f'generator = {wanted!r}: use "hugo", "mkdocs", "jekyll", "zola" or "none"',
            path=local,
        )
    if hugo is not None and (wanted == "zola" or (wanted is None and is_zola_config(hugo))):
        return "zola", hugo
    jekyll = next((root / n for n in JEKYLL_NAMES if (root / n).is_file()), None)
    if wanted == "jekyll" or (wanted is None and hugo is None and mkdocs is None):
        return ("jekyll", jekyll) if jekyll is not None else None
    if hugo is not None and mkdocs is not None and wanted is None:
        raise SiteError(
            f"both {hugo.name} (Hugo) and {mkdocs.name} (MkDocs) are here; say which site this "
            f'is in {CONFIG_FILE}: generator = "hugo" or "mkdocs"',
            path=local,
        )
    if wanted == "none":
        return None
    if mkdocs is not None and wanted != "hugo":
        return "mkdocs", mkdocs
    if hugo is not None and wanted != "mkdocs":
        return "hugo", hugo
    return None


def read_site_config(root: Path) -> SiteConfig:
    """Read the site at ``root``: its generator's configuration, then ``bilingo.toml``."""
    root = root.resolve()
    local = root / CONFIG_FILE
    overrides = load_config_file(local) if local.is_file() else {}
    marker = site_marker(root)
    if marker is not None and marker[0] == "bilingo":
        marker = _generator_beside(root, overrides, local)
    elif marker is not None and marker[0] == "plain":
        marker = None
    kind: Kind = "plain"
    origin = "default"
    languages: dict[str, SiteLanguage] = {
        lang: SiteLanguage(lang, lang, None, False) for lang in ("nb", "en")
    }
    layout: Layout = "suffix"
    content = root
    others: tuple[str, ...] = ()
    dialect: Dialect = "commonmark"
    jekyll: JekyllSite | None = None
    if marker is not None and marker[0] == "hugo":
        kind, origin = "hugo", str(marker[1])
        config = read_hugo(root, marker[1])
        languages, layout, content, others = hugo_languages(
            root, config, origin, _chosen_codes(overrides)
        )
        dialect = "hugo"
    elif marker is not None and marker[0] == "mkdocs":
        kind, origin = "mkdocs", str(marker[1])
        config = load_config_file(marker[1])
        languages, layout, content, others = mkdocs_languages(root, config, origin)
        dialect = "mkdocs"
    elif marker is not None and marker[0] == "jekyll":
        kind, origin = "jekyll", str(marker[1])
        config = load_config_file(marker[1])
        languages, content, others = jekyll_languages(root, config, origin)
        from bilingo.jekyll import JekyllSite  # a Jekyll site's only: not imported for others

        jekyll = JekyllSite.from_config(root, config)
        dialect = "jekyll"
    elif marker is not None and marker[0] == "zola":
        kind, origin = "zola", str(marker[1])
        config = load_config_file(marker[1])
        languages, content, others = zola_languages(root, config, origin)
        dialect = "zola"
    return _apply_overrides(
        root,
        overrides,
        local,
        kind=Sourced(kind, origin),
        languages=Sourced(languages, origin),
        layout=Sourced(layout, origin),
        content=Sourced(content, origin),
        dialect=Sourced(dialect, origin),
        others=others,
        jekyll=jekyll,
    )


def _min_confidence(table: object, path: Path) -> float:
    """``[review] min_confidence = -1.5``: a log-probability, so a number at most 0."""
    value = table.get("min_confidence") if isinstance(table, dict) else None
    if (
        not isinstance(table, dict)
        or set(table) - {"min_confidence"}
        or isinstance(value, bool)
        or not isinstance(value, int | float)
        or value > 0
    ):
        raise SiteError(
            "[review] takes min_confidence, a length-normalised log-probability at most 0 "
            f"(e.g. min_confidence = {DEFAULT_MIN_CONFIDENCE}); fix {CONFIG_FILE}",
            path=path,
        )
    return float(value)


def _apply_overrides(
    root: Path,
    data: Mapping[str, Any],
    path: Path,
    *,
    kind: Sourced[Kind],
    languages: Sourced[dict[str, SiteLanguage]],
    layout: Sourced[Layout],
    content: Sourced[Path],
    dialect: Sourced[Dialect],
    others: tuple[str, ...],
    jekyll: JekyllSite | None = None,
) -> SiteConfig:
    here = str(path)
    unknown = sorted(set(data) - _KNOWN_KEYS - {"generator"})
    if unknown:
        raise SiteError(
            f"unknown key(s) {', '.join(unknown)}; the keys are "
            f"{', '.join(sorted(_KNOWN_KEYS | {'generator'}))} (see README: bilingo.toml)",
            path=path,
        )
    if "content" in data:
        content = Sourced(root / str(data["content"]), here)
    if (value := _choice(data, "layout", ("suffix", "folder"), path)) is not None:
        layout = Sourced("folder" if value == "folder" else "suffix", here)
    if (value := _choice(data, "dialect", DIALECTS, path)) is not None:
        dialect = Sourced(next(d for d in DIALECTS if d == value), here)
    inline: Sourced[Inline] = Sourced("whole", "default")
    if (value := _choice(data, "inline", ("whole", "fragments"), path)) is not None:
        inline = Sourced("fragments" if value == "fragments" else "whole", here)
    glossary = Sourced(root / "glossary.yml", "default")
    if "glossary" in data:
        glossary = Sourced(root / str(data["glossary"]), here)
    fields: Sourced[tuple[str, ...]] = Sourced(DEFAULT_FIELDS, "default")
    if "fields" in data:
        raw = data["fields"]
        if not isinstance(raw, list) or not all(isinstance(f, str) and f for f in raw):
            raise SiteError('fields must be a list of front-matter keys, e.g. ["title"]', path=path)
        fields = Sourced(tuple(raw), here)
    state = Sourced(root / ".bilingo", "default")
    if "state" in data:
        state = Sourced(root / str(data["state"]), here)
    engine: Sourced[Mapping[str, Any]] = Sourced({}, "default")
    if "engine" in data:
        table = data["engine"]
        if not isinstance(table, dict) or set(table) - _ENGINE_KEYS:
            raise SiteError(
                f"[engine] takes {', '.join(sorted(_ENGINE_KEYS))}; fix {CONFIG_FILE}", path=path
            )
        engine = Sourced(dict(table), here)
    min_confidence = Sourced(DEFAULT_MIN_CONFIDENCE, "default")
    if "review" in data:
        min_confidence = Sourced(_min_confidence(data["review"], path), here)
    if "languages" in data:
        table = data["languages"]
        if not isinstance(table, dict) or set(table) - {"nb", "en"}:
            raise SiteError(
                "[languages] has two tables, nb and en (bilingo translates between Norwegian "
                "Bokmål and English); other languages have no model: remove them from "
                f"{CONFIG_FILE}",
                path=path,
            )
        merged = dict(languages.value)
        for lang, settings in table.items():
            if not isinstance(settings, dict) or set(settings) - {"code", "dir", "default"}:
                raise SiteError(
                    f"[languages.{lang}] takes code, dir and default; fix {CONFIG_FILE}", path=path
                )
            old = merged[lang]
            own = settings.get("dir")
            merged[lang] = SiteLanguage(
                lang,
                str(settings.get("code", old.code)),
                root / str(own) if own else old.content_dir,
                bool(settings.get("default", old.default)),
            )
        languages = Sourced(merged, here)
        if all(lang.content_dir is not None for lang in merged.values()) and "layout" not in data:
            layout = Sourced("folder", here)
    if layout.value == "folder" and any(
        side.content_dir is None for side in languages.value.values()
    ):
        raise SiteError(
            'layout = "folder" needs a folder for each language: [languages.nb] dir = … and '
            "[languages.en] dir = …",
            path=path if path.is_file() else None,
        )
    return SiteConfig(
        root=root,
        kind=kind,
        content_dir=content,
        languages=Sourced(dict(languages.value), languages.origin),
        layout=layout,
        dialect=dialect,
        glossary=glossary,
        fields=fields,
        state_dir=state,
        inline=inline,
        engine=engine,
        min_confidence=min_confidence,
        other_languages=others,
        jekyll=jekyll,
    )
