"""The project glossary: terms the translation always follows, and names it never translates.

A package of three parts: :mod:`~bilingo.glossary.matching` (the entries, matching, the
placeholders that protect terms through the engine, the context rules and inflection),
:mod:`~bilingo.glossary.loading` (reading and validating ``glossary.yml``) and
:mod:`~bilingo.glossary.reports` (show, export, compounds, an article pair's misses). Every
public name is importable from ``bilingo.glossary``.
"""

from __future__ import annotations

from bilingo.glossary.loading import (
    empty_glossary,
    load_glossary,
    parse_glossary,
)
from bilingo.glossary.matching import (
    FORM_CLASSES,
    GLOSSARY_VERSION,
    INFLECT_VALUES,
    NOUN_CLASSES,
    Compound,
    Entry,
    Form,
    Glossary,
    GlossaryRow,
    Kind,
    Lang,
    Miss,
    PlaceholderLost,
    Protected,
    TermMatch,
)
from bilingo.glossary.reports import (
    check_articles,
    export_deepl,
    find_compounds,
    show,
)

__all__ = [
    "FORM_CLASSES",
    "GLOSSARY_VERSION",
    "INFLECT_VALUES",
    "NOUN_CLASSES",
    "Compound",
    "Entry",
    "Form",
    "Glossary",
    "GlossaryRow",
    "Kind",
    "Lang",
    "Miss",
    "PlaceholderLost",
    "Protected",
    "TermMatch",
    "check_articles",
    "empty_glossary",
    "export_deepl",
    "find_compounds",
    "load_glossary",
    "parse_glossary",
    "show",
]
