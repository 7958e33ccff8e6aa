"""The layers: commands stand on the core and never import one another; the core never
imports a command; cli.py is the only module above the commands."""

from __future__ import annotations

import ast
from pathlib import Path

import bilingo

PACKAGE = Path(bilingo.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every ``bilingo...`` module a file imports (at the top, inside functions, or for
    type checking), as dotted names; ``from bilingo import x`` counts as ``bilingo.x``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            raise AssertionError(f"{path}: relative import; write bilingo.… in full")
    return {name for name in found if name == "bilingo" or name.startswith("bilingo.")}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_command(name: str) -> bool:
    return name.startswith("bilingo.commands.")


def test_the_commands_are_where_the_layers_say() -> None:
    commands = {module_name(p) for p in (PACKAGE / "commands").glob("*.py")}
    expected = {"translate", "check", "detect", "diff", "review", "approve", "glossary"}
    expected |= {"memory", "models", "site"}
    assert {f"bilingo.commands.{n}" for n in expected} <= commands


def test_no_command_imports_another_command() -> None:
    for path in sorted((PACKAGE / "commands").glob("*.py")):
        me = module_name(path)
        others = {m for m in imported_modules(path) if is_command(m) and m != me}
        assert not others, f"{me} imports {sorted(others)}: move what they share into the core"


def test_the_core_imports_no_command() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name in ("cli.py", "__main__.py"):
            continue
        bad = {m for m in imported_modules(path) if m.startswith("bilingo.commands")}
        assert not bad, f"{module_name(path)} (core) imports {sorted(bad)}"
    for path in sorted(PACKAGE.glob("*/*.py")):
        if path.parent.name == "commands":
            continue
        bad = {m for m in imported_modules(path) if m.startswith("bilingo.commands")}
        assert not bad, f"{module_name(path)} (core) imports {sorted(bad)}"


def test_the_import_checker_sees_every_kind_of_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import bilingo.commands.check\n"
        "from bilingo.commands import diff\n"
        "def f() -> None:\n"
        "    from bilingo.commands.review import run\n",
        encoding="utf-8",
    )
    found = imported_modules(sample)
    assert {"bilingo.commands.check", "bilingo.commands.diff", "bilingo.commands.review"} <= found


def test_every_command_returns_a_report() -> None:
    """Each ``run*`` of a command returns a report: an exit code and its JSON value."""
    import importlib
    import inspect
    import typing

    runs = 0
    for path in sorted((PACKAGE / "commands").glob("*.py")):
        if path.name == "__init__.py":
            continue
        module = importlib.import_module(module_name(path))
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or not name.startswith("run"):
                continue
            runs += 1
            returned = typing.get_type_hints(fn)["return"]
            assert isinstance(getattr(returned, "exit_code", None), property), (name, returned)
            assert callable(getattr(returned, "as_dict", None)), (name, returned)
            assert next(iter(inspect.signature(fn).parameters)) == "settings", name
    assert runs >= 12


def stdlib_imports(path: Path) -> set[str]:
    """The top-level name of every module a file imports (``contextvars`` for
    ``from contextvars import ContextVar``), anywhere in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name.partition(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.partition(".")[0])
    return found


def test_no_module_keeps_run_state_in_a_context_variable(tmp_path: Path) -> None:
    """The run's settings, pairing and pair index are passed explicitly, as twine passes
    ``Settings``: no module reads them from a ContextVar set somewhere up the stack."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f() -> None:\n    from contextvars import ContextVar\n", encoding="utf-8"
    )
    assert "contextvars" in stdlib_imports(sample)  # the checker sees a nested import
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 40
    users = [module_name(p) for p in modules if "contextvars" in stdlib_imports(p)]
    assert not users, f"{users} import contextvars: pass the value as a parameter instead"
