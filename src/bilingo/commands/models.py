"""``bilingo models``: list and install Argos Translate packages (a thin layer over
:mod:`bilingo.models` and :mod:`bilingo.engine`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bilingo import models as models_lib
from bilingo.engine import PackageInfo, installed_packages, packages_dirs
from bilingo.errors import BilingoError
from bilingo.site import Settings


@dataclass(frozen=True)
class ModelsReport:
    packages: tuple[PackageInfo, ...]
    #: Where packages are looked up (named when none is installed).
    dirs: tuple[Path, ...] = ()

    @property
    def exit_code(self) -> int:
        return 0

    def as_dict(self) -> list[dict[str, object]]:
        return [
            {
                "code": p.code,
                "from": p.from_code,
                "to": p.to_code,
                "version": p.version,
                "path": str(p.path),
                "copy_model": p.copy_model,
            }
            for p in self.packages
        ]


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
    return ModelsReport(tuple(installed_packages()), tuple(packages_dirs()))


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
