"""Find and install Argos packages: from the Argos index, or from a ``.argosmodel`` file."""

from __future__ import annotations

import json
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bilingo.engine import PackageInfo, installed_packages, packages_dirs
from bilingo.errors import ModelError

#: (bytes done, bytes total or 0 when unknown)
DownloadProgress = Callable[[int, int], None]


@contextmanager
def _install_target() -> Iterator[Path]:
    """Point argostranslate's install folder at bilingo's (``ARGOS_PACKAGES_DIR`` honoured)."""
    from argostranslate import settings

    target = packages_dirs()[0]
    target.mkdir(parents=True, exist_ok=True)
    saved = settings.package_data_dir
    settings.package_data_dir = target
    try:
        yield target
    finally:
        settings.package_data_dir = saved


def validate_package_file(path: Path) -> dict[str, object]:
    """Read a ``.argosmodel`` file's metadata, or say exactly what is wrong with it."""
    if not path.is_file():
        raise ModelError(f"no such file: {path}; give the path of a .argosmodel package")
    if not zipfile.is_zipfile(path):
        raise ModelError(f"{path} is not an Argos package (not a zip archive); download it again")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        meta_names = [n for n in names if n.count("/") == 1 and n.endswith("/metadata.json")]
        if not meta_names:
            raise ModelError(f"{path} has no <folder>/metadata.json, so it is not an Argos package")
        try:
            meta = json.loads(zf.read(meta_names[0]).decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ModelError(f"{path}: metadata.json is unreadable ({exc})") from None
        top = meta_names[0].split("/", 1)[0]
        for needed in ("model/model.bin", "sentencepiece.model"):
            if f"{top}/{needed}" not in names:
                raise ModelError(f"{path} lacks {needed}; the package is incomplete")
    if not isinstance(meta, dict) or not meta.get("from_code") or not meta.get("to_code"):
        raise ModelError(f"{path}: metadata.json does not name from_code and to_code")
    return meta


def install_file(path: Path) -> PackageInfo:
    """Install a ``.argosmodel`` file with argostranslate's own installer."""
    meta = validate_package_file(path)
    import argostranslate.package

    with _install_target():
        try:
            argostranslate.package.install_from_path(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise ModelError(f"cannot install {path}: {exc}") from None
    for pkg in installed_packages():
        if pkg.from_code == meta["from_code"] and pkg.to_code == meta["to_code"]:
            return pkg
    raise ModelError(f"installed {path}, but argostranslate does not list it; check its metadata")


def install_from_index(
    source: str, target: str, *, progress: DownloadProgress | None = None
) -> PackageInfo:
    """Download the ``source -> target`` package from the Argos index and install it.

    The index is fetched here with a timeout rather than through
    ``argostranslate.package.get_available_packages``, which retries forever (until a
    RecursionError) when the index can't be reached.
    """
    from argostranslate import settings

    offline = (
        "cannot reach the Argos package index ({why}). On a machine with network, download "
        f"translate-{source}_{target}.argosmodel and run: bilingo models install --file FILE"
    )
    try:
        with urllib.request.urlopen(settings.remote_package_index, timeout=30) as resp:
            index = json.loads(resp.read().decode("utf-8"))
    except (OSError, urllib.error.URLError, ValueError) as exc:
        raise ModelError(offline.format(why=getattr(exc, "reason", exc))) from None
    wanted = [
        p
        for p in index
        if isinstance(p, dict) and p.get("from_code") == source and p.get("to_code") == target
    ]
    if not wanted:
        raise ModelError(
            f"the Argos index has no {source} -> {target} package; bilingo translates nb <-> en"
        )
    links = [str(u) for u in wanted[0].get("links") or []]
    if not links:
        raise ModelError(f"the Argos index lists no download link for {source} -> {target}")
    with tempfile.TemporaryDirectory(prefix="bilingo-download-") as tmp:
        dest = Path(tmp) / f"translate-{source}_{target}.argosmodel"
        try:
            _download(links[0], dest, progress)
        except (OSError, urllib.error.URLError) as exc:
            raise ModelError(offline.format(why=getattr(exc, "reason", exc))) from None
        return install_file(dest)


def _download(url: str, dest: Path, progress: DownloadProgress | None) -> None:
    with urllib.request.urlopen(url, timeout=60) as resp, dest.open("wb") as out:
        total = int(resp.headers.get("Content-Length") or 0)
        done = 0
        while chunk := resp.read(1 << 16):
            out.write(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
