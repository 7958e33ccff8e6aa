"""cmark-gfm's pathological inputs (github/cmark-gfm ``test/pathological_tests.py``), for
tests/test_pathological.py and bench/pathological.py."""

from __future__ import annotations

#: What is refused at cmark's depth, and the construct the message names.
REFUSED = {
    "many link openers with no closers": "link or image brackets ([)",
    "link openers and emph closers": "link or image brackets ([)",
    "nested brackets": "link or image brackets ([)",
    "nested block quotes": "block quotes (>)",
}


def pathological(scale: float = 1.0) -> dict[str, str]:
    """cmark-gfm's inputs (the regexes they must match left out), ``scale`` of their size."""

    def n(count: int) -> int:
        return max(1, int(count * scale))

    return {
        "nested strong emph": ("*a **a " * n(65000)) + "b" + (" a** a*" * n(65000)),
        "many emph closers with no openers": "a_ " * n(65000),
        "many emph openers with no closers": "_a " * n(65000),
        "many link closers with no openers": "a]" * n(65000),
        "many link openers with no closers": "[a" * n(65000),
        "mismatched openers and closers": "*a_ " * n(50000),
        "openers and closers multiple of 3": "a**b" + ("c* " * n(50000)),
        "link openers and emph closers": "[ a_" * n(50000),
        "pattern [ (]( repeated": "[ (](" * n(80000),
        "hard link/emph case": "**x [a*b**c*](d)",
        "nested brackets": ("[" * n(50000)) + "a" + ("]" * n(50000)),
        "nested block quotes": ("> " * n(50000)) + "a",
        "deeply nested lists": "".join("  " * x + "* a\n" for x in range(n(1000))),
        "U+0000 in input": "abc\u0000de\u0000",
        "backticks": "".join("e" + "`" * x for x in range(1, n(5000))),
        "unclosed links A": "[a](<b" * n(30000),
        "unclosed links B": "[a](b" * n(30000),
        "tables": "aaa\rbbb\n-\v\n" * n(30000),
        "reference collisions": "".join(f"[x{i}]: /url\n\n[x0]\n\n" for i in range(1, n(50000))),
    }
