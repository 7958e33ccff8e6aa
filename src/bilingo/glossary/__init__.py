"""The project glossary: terms the translation always follows, and names it never translates.

A package of four parts: :mod:`~bilingo.glossary.matching` (the entries, matching and
inflection), :mod:`~bilingo.glossary.protection` (the placeholders that protect terms
through the engine, the context rules, a twin's missing terms),
:mod:`~bilingo.glossary.loading` (reading and validating ``glossary.yml``) and
:mod:`~bilingo.glossary.reports` (show, export, compounds, an article pair's misses). Every
public name is importable from ``bilingo.glossary``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bilingo import lazy
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
    Entry,
    Form,
    Glossary,
    Kind,
    Lang,
)

if TYPE_CHECKING:
    from bilingo.glossary.protection import Miss, PlaceholderLost, Protected, TermMatch
    from bilingo.glossary.reports import (
        Compound,
        GlossaryRow,
        check_articles,
        export_deepl,
        find_compounds,
        show,
    )

#: Imported when first asked for: a run that loads the glossary for its hash alone
#: (``check`` on sealed pairs) builds neither protection's nor the reports' classes.
__getattr__ = lazy.attributes(
    __name__,
    lazy.where(
        protection=("Miss", "PlaceholderLost", "Protected", "TermMatch"),
        reports=(
            "Compound",
            "GlossaryRow",
            "check_articles",
            "export_deepl",
            "find_compounds",
            "show",
        ),
    ),
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
