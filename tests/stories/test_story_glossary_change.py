"""Case 6 of issue 16: one glossary change redoes only what holds the changed term.

Three articles: the seed (machine twin), one approved article using the term, one approved
article that never uses it. The term's English changes. Only the sentences holding the
term reach the engine; the approved article without the term stays approved; the approved
one with it (bilingo's text: nobody edited it) follows the glossary, marked "needs review"
at its line until a person approves (approve records the glossary). A reviewer's own text
is never replaced so: see test_story_people_text.py.
"""

from __future__ import annotations

from storykit import Story, twin_line, verdicts

from bilingo.article import read_article
from bilingo.glossary import load_glossary

GLOSSARY = """version: 1
terms:
  - nb: næringsminister
    en: {en}
"""
FRONT = "---\ntitle: Ett år med næringsklyngetillit\nlang: nb\n---\n\n"
MINISTER = FRONT + "Det var næringsminister Monica Mæland som sto for tildelingen.\n"
CLUSTER = FRONT + "Moteklyngen har navnet Norwegian Fashion Hub (NFH).\n"


def use_glossary(story: Story, english: str) -> None:
    path = story.root / "glossary.yml"
    path.write_text(GLOSSARY.format(en=english), encoding="utf-8")
    story.glossary = load_glossary(path)


def test_one_changed_term(story: Story) -> None:
    (story.folder / "minister.nb.md").write_text(MINISTER, encoding="utf-8")
    (story.folder / "cluster.nb.md").write_text(CLUSTER, encoding="utf-8")
    minister, cluster = story.folder / "minister.en.md", story.folder / "cluster.en.md"
    use_glossary(story, "Minister of Trade and Industry")
    assert story.translate().count("written") == 3
    story.approve(minister, cluster)
    cluster_body = read_article(cluster).body

    use_glossary(story, "Trade Minister")
    found = story.check()
    # The article that never uses the term: nothing to say. The approved one using it: the
    # miss, at its line, with the commands that fix it.
    assert not [p for p in found.problems if p.path == cluster]
    mine = [p for p in found.problems if p.path == minister]
    assert [(p.kind, p.line) for p in mine] == [("outdated-glossary", twin_line(minister, 0))]
    assert "'Trade Minister'" in mine[0].detail and "bilingo approve" in mine[0].detail

    report = story.translate()
    assert report.count("written") == 3
    # Exactly the sentences holding the term reached the engine: the seed's, and the
    # approved one, which nobody edited (bilingo's own text follows the glossary).
    assert len(story.sent) == 2 and all("Monica Mæland" in s for s in story.sent)
    assert "Trade Minister" in story.twin.read_text(encoding="utf-8")
    assert read_article(cluster).body == cluster_body
    assert read_article(cluster).meta["bilingo"]["reviewed"] is True
    # The approved sentence follows the glossary now, and needs review again.
    assert "Trade Minister" in read_article(minister).body
    assert verdicts(story.check(minister)) == [
        ("minister.en.md", "unreviewed", twin_line(minister, 0), "warning")
    ]
    assert "needs review" in story.check(minister).problems[0].detail
    story.approve(minister)
    assert story.check(minister, cluster, require_reviewed=True).problems == ()
    assert story.translate().count("written") == 0 and story.sent == []
