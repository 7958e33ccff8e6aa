"""bilingo models: list, install from a file, install from an index (a local one: no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from copymodel import build_package

from bilingo.cli import cli
from bilingo.engine import find_package


@pytest.fixture(scope="module")
def package_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pkg")
    return build_package(out, from_code="nb", to_code="en", training_text="Hei på deg. " * 50)


@pytest.fixture
def empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "packages"
    folder.mkdir()
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(folder))
    return folder


def test_install_file_then_list(package_file: Path, empty_dir: Path) -> None:
    runner = CliRunner()
    empty = runner.invoke(cli, ["models", "list"])
    assert empty.exit_code == 0 and "bilingo models install nb en" in empty.output
    result = runner.invoke(cli, ["models", "install", "--file", str(package_file)])
    assert result.exit_code == 0, result.output
    assert "nb -> en" in result.output
    assert find_package("nb", "en").path.parent == empty_dir
    listed = json.loads(runner.invoke(cli, ["models", "list", "--json"]).output)
    assert [(p["from"], p["to"], p["version"]) for p in listed] == [("nb", "en", "1.9")]


def test_install_from_a_local_index(
    package_file: Path, empty_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from argostranslate import settings

    index = tmp_path / "index.json"
    index.write_text(
        json.dumps(
            [{"from_code": "nb", "to_code": "en", "links": [package_file.resolve().as_uri()]}]
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(settings, "remote_package_index", index.as_uri())
    result = CliRunner().invoke(cli, ["models", "install", "nb", "en"])
    assert result.exit_code == 0, result.output
    assert find_package("nb", "en").version == "1.9"
    missing = CliRunner().invoke(cli, ["models", "install", "nb", "de"])
    assert missing.exit_code == 2 and "no nb -> de package" in missing.output


def test_offline_index_is_a_clear_error(empty_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from argostranslate import settings

    # Port 9 (discard) on loopback: refused at once, like a machine with no network.
    monkeypatch.setattr(settings, "remote_package_index", "http://127.0.0.1:9/index.json")
    result = CliRunner().invoke(cli, ["models", "install", "nb", "en"])
    assert result.exit_code == 2
    assert "cannot reach the Argos package index" in result.output
    assert "bilingo models install --file" in result.output
    assert "Traceback" not in result.output


def test_usage_errors(empty_dir: Path, package_file: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["models", "install", "nb"]).exit_code == 2
    both = runner.invoke(cli, ["models", "install", "nb", "en", "--file", str(package_file)])
    assert both.exit_code == 2 and "not both" in both.output
