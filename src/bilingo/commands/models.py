"""``bilingo models``: list, check and install Argos Translate packages (a thin layer over
:mod:`bilingo.models` and :mod:`bilingo.engine`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bilingo import models as models_lib
from bilingo.engine import PackageInfo, installed_packages, packages_dirs
from bilingo.errors import BilingoError
from bilingo.models import PackageCheck, PackageShape, check_packages, package_shape
from bilingo.site import Settings


@dataclass(frozen=True)
class ModelsReport:
    """Every installed package with its shape (tokenizer, vocabularies, prefix, copy model)."""

    shapes: tuple[PackageShape, ...]
    #: Where packages are looked up (named when none is installed).
    dirs: tuple[Path, ...] = ()

    @property
    def exit_code(self) -> int:
        return 0

    def as_dict(self) -> list[dict[str, object]]:
        return [
            {
                "code": s.package.code,
                "from": s.package.from_code,
                "to": s.package.to_code,
                "version": s.package.version,
                "path": str(s.package.path),
                **s.to_json(),
            }
            for s in self.shapes
        ]


@dataclass(frozen=True)
class ModelsCheckReport:
    """What ``bilingo models check`` found: exit 1 when any package looks broken."""

    checks: tuple[PackageCheck, ...]

    @property
    def exit_code(self) -> int:
        return 0 if all(c.ok for c in self.checks) else 1

    def as_dict(self) -> list[dict[str, object]]:
        return [c.to_json() for c in self.checks]


@dataclass(frozen=True)
class InstallReport:
    package: PackageInfo

    @property
    def exit_code(self) -> int:
        return 0

    def as_dict(self) -> dict[str, object]:
        p = self.package
        return {
            "code": p.code,
            "from": p.from_code,
            "to": p.to_code,
            "version": p.version,
            "path": str(p.path),
        }


def run_list(settings: Settings) -> ModelsReport:
    shapes = tuple(package_shape(p) for p in installed_packages())
    return ModelsReport(shapes, tuple(packages_dirs()))


def run_check(settings: Settings, pair: Sequence[str] = ()) -> ModelsCheckReport:
    """Translate known sentences through the package for ``pair`` (or every one)."""
    if len(pair) == 1 and "-" in pair[0]:
        pair = tuple(pair[0].split("-", 1))
    if len(pair) not in (0, 2):
        raise BilingoError("give no pair (every package) or one, e.g.: bilingo models check nb en")
    return ModelsCheckReport(tuple(check_packages(tuple(pair) or None)))


def run_install(
    settings: Settings,
    langs: tuple[str, ...],
    *,
    file: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> InstallReport:
    """Install SOURCE TARGET from the Argos index, or the ``.argosmodel`` ``file``."""
    if file is not None:
        if langs:
            raise BilingoError("give either SOURCE TARGET or --file, not both")
        return InstallReport(models_lib.install_file(file))
    if len(langs) != 2:
        raise BilingoError("give the pair to install, e.g.: bilingo models install nb en")
    return InstallReport(models_lib.install_from_index(langs[0], langs[1], progress=progress))
