"""The commands: each module's ``run(settings, ...)`` returns a report.

Commands stand on the core modules (``bilingo.*``) and never import one another
(``tests/test_layers.py`` checks it); ``bilingo.cli`` parses, calls ``run`` and renders.
"""
