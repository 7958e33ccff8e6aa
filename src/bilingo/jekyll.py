"""What a Jekyll site with jekyll-polyglot needs of a twin, read from ``_config.yml``.

Polyglot links pages across languages by URL: a page with ``lang: en`` and the permalink of
a ``lang: nb`` page is its English version (built under ``/en/``). So a twin carries ``lang:``
(the site's code for its language) and the source's ``permalink``, which Jekyll would derive
from the file's path when the source has none; the twin's own path (``x.en.md``) would give
it another one. Paths listed in ``exclude_from_localization`` are the same in every language
and get no twin.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

#: Jekyll's built-in permalink styles (for posts; pages follow ``pretty`` and ``none``).
_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_POST_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})-(.+)")


@dataclass(frozen=True)
class JekyllSite:
    """The parts of ``_config.yml`` that decide a page's URL and whether it is localized."""

    source: Path  # the site's source folder, resolved
    permalink: str = "date"  # the site-wide ``permalink`` setting
    collections: tuple[tuple[str, str], ...] = ()  # collection name -> its permalink
    unlocalized: tuple[Path, ...] = ()  # exclude_from_localization, resolved

    @classmethod
    def from_config(cls, root: Path, config: Mapping[str, Any]) -> JekyllSite:
        source = (root / str(config.get("source") or ".")).resolve()
        collections = config.get("collections")
        patterns: list[tuple[str, str]] = []
        if isinstance(collections, Mapping):
            for name, settings in collections.items():
                if isinstance(settings, Mapping) and isinstance(settings.get("permalink"), str):
                    patterns.append((str(name), str(settings["permalink"])))
        excluded = config.get("exclude_from_localization") or []
        unlocalized = tuple(
            (source / str(p).strip("/")).resolve() for p in excluded if isinstance(p, str) and p
        )
        return cls(source, str(config.get("permalink") or "date"), tuple(patterns), unlocalized)

    def localized(self, path: Path) -> bool:
        """False for a page Polyglot copies into every language as it is."""
        real = path.resolve()
        return not any(real == p or real.is_relative_to(p) for p in self.unlocalized)

    def permalink_of(self, path: Path, meta: Mapping[str, Any]) -> str | None:
        """The URL Jekyll gives the page at ``path`` with front matter ``meta`` (None: a file
        outside the source folder)."""
        given = meta.get("permalink")
        if isinstance(given, str) and given:
            return given
        try:
            rel = PurePosixPath(path.resolve().relative_to(self.source).as_posix())
        except ValueError:
            return None
        stem = rel.name[: -len(".md")] if rel.name.endswith(".md") else rel.stem
        first = rel.parts[0] if len(rel.parts) > 1 else ""
        if not first.startswith("_"):  # a page
            folder = "/" + "/".join(rel.parts[:-1]) + "/" if len(rel.parts) > 1 else "/"
            folder = folder.replace("//", "/")
            if stem == "index":
                return folder
            if self.permalink in ("pretty", "/:categories/:year/:month/:day/:title/"):
                return f"{folder}{stem}/"
            return f"{folder}{stem}.html"
        name = first[1:]
        inner = PurePosixPath(*rel.parts[1:])
        pattern = dict(self.collections).get(name)
        values: dict[str, str] = {"collection": name, "output_ext": ".html", "name": stem}
        values["path"] = str(inner.with_name(stem))
        values["title"] = str(meta.get("slug") or stem)
        if name == "posts":
            pattern = pattern or _STYLES.get(self.permalink, self.permalink)
            if post := _POST_RE.fullmatch(stem):
                values.update(year=post[1], month=post[2], day=post[3], title=post[4])
                values.update(i_month=str(int(post[2])), i_day=str(int(post[3])))
                values["short_year"] = post[1][2:]
            values["categories"] = "/".join(_categories(meta))
        pattern = pattern or "/:collection/:path:output_ext"
        url = re.sub(r":(\w+)", lambda m: values.get(m[1], m[0]), pattern)
        return re.sub(r"/{2,}", "/", url)

    def twin_keys(self, source: Path, meta: Mapping[str, Any], code: str) -> dict[str, Any]:
        """What a twin must say for Polyglot to link it to ``source``."""
        keys: dict[str, Any] = {"lang": code}
        permalink = self.permalink_of(source, meta)
        if permalink is not None:
            keys["permalink"] = permalink
        return keys

    def localize_links(self, body: str, twin_of: Callable[[Path], Path | None]) -> str:
        """``body`` with each ``{% link page.md %}`` naming ``twin_of(page)`` instead: in a
        language's build Polyglot keeps only that language's version of a translated page,
        so a twin's link to the source page would not be found and the build would fail.
        Links inside ``{% raw %}`` and ``{% comment %}`` are text, and stay."""
        if "link" not in body:
            return body
        quoted = [m.span() for m in _QUOTED_RE.finditer(body)]

        def fix(m: re.Match[str]) -> str:
            if any(a <= m.start() < b for a, b in quoted):
                return m[0]
            target = self.source / m[2].lstrip("/")
            twin = twin_of(target) if target.name.endswith(".md") and target.is_file() else None
            if twin is None or not self.localized(target):
                return m[0]
            try:
                rel = twin.resolve().relative_to(self.source).as_posix()
            except ValueError:
                return m[0]
            return f"{m[1]}{rel}{m[3]}"

        return _LINK_RE.sub(fix, body)


_LINK_RE = re.compile(r"(\{%-?\s*link\s+)([^\s{}%|]+)(\s*(?:[|]|-?%\}))")
_QUOTED_RE = re.compile(r"\{%-?\s*(raw|comment)\s*-?%\}.*?\{%-?\s*end\1\s*-?%\}", re.DOTALL)


def _categories(meta: Mapping[str, Any]) -> list[str]:
    value = meta.get("categories", meta.get("category"))
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(v) for v in value]
    return []
