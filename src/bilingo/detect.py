"""Which side of the nb/en pair an article is written in.

Order of evidence: front matter ``lang`` wins, then the file-name suffix (``slug.nb.md``),
then langdetect on the whole article's prose. langdetect is only trusted on enough text:
paragraph by paragraph the seed article's title reads as Danish and its date line as
Indonesian, while the whole article is Norwegian at 0.99999. So detection runs once per
article, on prose with URLs, code, link targets and markup removed, with a fixed seed
(langdetect is random otherwise), and the Scandinavian languages are folded into nb.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

from bilingo import provenance
from bilingo.article import LANGUAGES, Article, fold_language, other_language, read_article
from bilingo.errors import ArticleError, BilingoError
from bilingo.layout import Pairing
from bilingo.pairs import PairIndex

Method = Literal["front-matter", "filename", "folder", "recorded", "detected"]

#: Below this share of probability for one side, detection is too weak to trust.
MIN_CONFIDENCE = 0.80

_URL_RE = re.compile(r"(?:https?://|ftp://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)


@dataclass(frozen=True)
class Detection:
    lang: str
    confidence: float
    method: Method
    #: What langdetect said before folding (e.g. ``"da"``); empty when not detected.
    raw: str = ""


def prose_text(article: Article) -> str:
    """The article's prose: title/description and text runs, without URLs, code or markup."""
    # Imported here: `bilingo check` decides languages from front matter and file names
    # without paying for the Markdown parser.
    from bilingo.document import markdown

    parts: list[str] = []
    for key in ("title", "description", "summary"):
        value = article.meta.get(key)
        if isinstance(value, str):
            parts.append(value)
    for token in markdown().parse(article.body):
        if token.type != "inline" or not token.children:
            continue
        in_autolink = False
        for child in token.children:
            if child.type == "link_open" and child.markup in ("autolink", "linkify"):
                in_autolink = True
            elif child.type == "link_close":
                in_autolink = False
            elif child.type == "text" and not in_autolink:
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
            elif child.type == "image":
                parts.append(child.content)
        parts.append("\n")
    return _URL_RE.sub(" ", " ".join(parts))


class Guess(NamedTuple):
    """One of langdetect's readings of a text: its raw code and probability."""

    lang: str
    prob: float


@lru_cache(maxsize=256)
def langdetect_guesses(text: str) -> tuple[Guess, ...]:
    """langdetect's readings of ``text``, best first, seeded (empty: nothing to read).
    Cached: detection and the language warning read the same prose of an article."""
    # Imported here: langdetect loads ~50 profiles, only needed when nothing else says.
    import gc

    from langdetect import DetectorFactory, detect_langs
    from langdetect.detector_factory import init_factory
    from langdetect.lang_detect_exception import LangDetectException

    # The profiles are ~60 MB of small dicts: the cyclic collector would walk them again
    # and again while they load (0.47 s against 0.23 s here), and they hold no cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        init_factory()
    finally:
        if collecting:
            gc.enable()
    DetectorFactory.seed = 0
    try:
        return tuple(Guess(g.lang, g.prob) for g in detect_langs(text))
    except LangDetectException:
        return ()


def detect_text(text: str) -> tuple[str, float, str]:
    """(folded language or "", confidence of that side, langdetect's top raw code)."""
    guesses = langdetect_guesses(text)
    if not guesses:
        return "", 0.0, ""
    sides: dict[str, float] = {}
    for guess in guesses:
        side = fold_language(guess.lang)
        if side is not None:
            sides[side] = sides.get(side, 0.0) + guess.prob
    raw = guesses[0].lang
    if not sides:
        return "", 0.0, raw
    lang, prob = max(sides.items(), key=lambda kv: kv[1])
    return lang, prob, raw


def locate_twin(
    article: Article, index: PairIndex, by_path: Mapping[Path, Article]
) -> tuple[Detection, Path]:
    """``article``'s language and where its twin in the other language lives, by the run's
    ``index`` (``by_path``: the run's read articles, keyed by ``index.resolve``): the one way
    every command finds a source's twin. An :class:`ArticleError` when the language cannot
    be told."""
    detection = detect_article(
        article, pairing=index.pairing, twins=index.twins_of(article, by_path)
    )
    return detection, index.twin_path(article.path, other_language(detection.lang))


def twins_beside(article: Article, index: PairIndex) -> list[Article]:
    """The files that may be ``article``'s twin by the run's ``index``, read from disk
    (unreadable: left out)."""
    found = []
    for lang in LANGUAGES:
        path = index.twin_path(article.path, lang)
        if path.name != article.path.name and path.is_file():
            try:
                found.append(read_article(path))
            except ArticleError:
                continue
    return found


def recorded_language(article: Article, twins: Iterable[Article], pairing: Pairing) -> str | None:
    """The language a twin's provenance recorded for ``article``, while it still holds.

    It holds while at least half of the article's paragraphs are the ones it was recorded
    for: an edited article keeps its side (no langdetect, whose profiles alone take 0.3 s,
    and no flip on a borderline text), an article rewritten in the other language does not.
    """
    candidates = []
    for twin in twins:
        prov = provenance.read(twin)
        if prov is None or prov.source != pairing.source_ref(article.path):
            continue
        lang, hashes = prov.source_lang, prov.source_blocks
        if lang in ("nb", "en") and hashes is not None and pairing.path_language(twin.path) != lang:
            candidates.append((lang, hashes))
    if len(candidates) != 1:
        return None  # none, or two twins that disagree: let detection decide
    lang, stored = candidates[0]
    from bilingo.document import parse  # here: check decides most languages without it

    try:
        now = parse(article.body, dialects=pairing.dialects).block_hashes
    except BilingoError:  # too deeply nested: the caller reports it when it segments
        return None
    kept = set(stored)
    same = sum(1 for h in now if h in kept)
    return lang if now and 2 * same >= len(now) else None


def likely_direction(articles: Sequence[Article], index: PairIndex) -> tuple[str, str] | None:
    """The direction a run over ``articles`` (those no seal settled) is likely to
    translate: that of the first twin whose provenance records its source's language and
    whose source changed since it was made. A guess, for loading the model before the
    plan (the plan decides); None where no twin says so, as when only twins were edited
    or the glossary changed (what that needs is mostly in the memory).

    Told by the hashes both already hold, without parsing a body: before the plan has
    imported its Markdown parser, so that import overlaps the load too. A source whose
    front matter alone changed loads a model the plan then does not use.

    Else (a first run): that of the first article with no provenance whose front matter
    or path states its language and whose twin is not there yet: on a site whose files
    say their language (``x.nb.md``, ``/en/``), the model starts before the plan there too.
    """
    by_path = {index.resolve(a.path): a for a in articles}
    fresh: list[Article] = []
    for twin in articles:
        prov = provenance.read(twin)
        if prov is None:
            fresh.append(twin)
        if prov is None or prov.source_lang not in LANGUAGES:
            continue
        source_path = index.source_path(twin)
        source = by_path.get(index.resolve(source_path)) if source_path is not None else None
        if (
            source is not None
            and source is not twin
            and provenance.source_hash(source) != prov.source_hash
        ):
            return prov.source_lang, other_language(prov.source_lang)
    for source in fresh:
        try:
            stated = stated_language(source, pairing=index.pairing)
        except ArticleError:
            continue  # the plan reports it
        if stated is None:
            continue  # langdetect must read the body: that is the plan's
        target = other_language(stated.lang)
        made = index.twin_path(source.path, target)
        if index.resolve(made) not in by_path and not made.exists():
            return stated.lang, target
    return None


def release_profiles() -> None:
    """Drop langdetect's language profiles (~60 MB of Python objects) until needed again:
    translate calls this before it loads a model, so they do not add to its peak memory."""
    import sys

    module = sys.modules.get("langdetect.detector_factory")
    if module is not None and getattr(module, "_factory", None) is not None:
        setattr(module, "_factory", None)  # noqa: B010 - langdetect reloads them when next used
        import gc

        gc.collect()


def stated_language(article: Article, *, pairing: Pairing) -> Detection | None:
    """The language ``article``'s front matter (``lang:``) or path states, by ``pairing``;
    None where neither does and the body must tell (:func:`detect_article`). An
    :class:`ArticleError` for a front-matter language bilingo does not translate."""
    declared = article.meta.get("lang", article.meta.get("language"))
    if declared is not None:
        folded = fold_language(str(declared))
        if folded is None:
            raise ArticleError(
                f"front matter says lang: {declared!r}, but bilingo translates only between "
                "nb (Norwegian Bokmål) and en (English); set lang: nb or lang: en",
                path=article.path,
                line=2,
            )
        return Detection(folded, 1.0, "front-matter")
    by_path = pairing.path_language(article.path)
    if by_path is not None:
        return Detection(by_path, 1.0, "folder" if pairing.by_folder else "filename")
    return None


def detect_article(
    article: Article,
    *,
    pairing: Pairing,
    min_confidence: float = MIN_CONFIDENCE,
    twins: Iterable[Article] = (),
) -> Detection:
    """Decide the article's language or raise :class:`ArticleError` saying to set ``lang:``.

    ``pairing``: the site's (what its path says; :data:`bilingo.layout.PLAIN` for a plain
    folder). ``twins``: existing files that may be its twin; see :func:`recorded_language`.
    """
    stated = stated_language(article, pairing=pairing)
    if stated is not None:
        return stated
    recorded = recorded_language(article, twins, pairing)
    if recorded is not None:
        return Detection(recorded, 1.0, "recorded")
    text = prose_text(article)
    lang, confidence, raw = detect_text(text)
    if not lang:
        what = f"it reads as {raw!r}" if raw else "it has too little prose to tell"
        raise ArticleError(
            f"cannot tell the language: {what}; add 'lang: nb' or 'lang: en' to the front matter",
            path=article.path,
        )
    if confidence < min_confidence:
        raise ArticleError(
            f"language detection is unsure ({lang} at {confidence:.2f}, top guess {raw!r}); "
            "add 'lang: nb' or 'lang: en' to the front matter",
            path=article.path,
        )
    return Detection(lang, confidence, "detected", raw)


#: A language warning needs this much certainty, and this much prose (letters): a short
#: page of product names reads as anything.
WARN_CONFIDENCE = 0.95
WARN_MIN_LETTERS = 200
_SCANDINAVIAN = {"da": "Danish", "sv": "Swedish"}
# Words only one of the two written standards uses (frequent ones): Nynorsk's, Bokmål's.
_NYNORSK_WORDS = frozenset(
    """
    ikkje eg kva korleis kvifor dei frå berre noko heile vere vore mykje eit me ein kvar
    nokon sjølv òg hjå saman høyrer vera
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_BOKMAL_WORDS = frozenset(
    """
    ikke jeg hva hvordan hvorfor de fra bare noe hele være vært mye et vi en hver noen selv
    også hos sammen hører
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_WORD_RE = re.compile(r"[^\W\d_]+")


def language_warning(article: Article, lang: str) -> str | None:
    """Why ``article``, taken as ``lang`` from its name or folder, may be written in another
    language (English in ``x.nb.md``; Nynorsk, Danish or Swedish taken for Bokmål), or None.

    Only a confident reading of enough prose warns; ``lang:`` in the front matter is the
    author's word and silences it.
    """
    if article.meta.get("lang", article.meta.get("language")) is not None:
        return None
    text = prose_text(article)
    words = [w.lower() for w in _WORD_RE.findall(text)]
    if sum(len(w) for w in words) < WARN_MIN_LETTERS:
        return None
    silence = f"add 'lang: {lang}' to its front matter to translate it as {lang} and silence this"
    if lang == "nb":
        nynorsk = sum(1 for w in words if w in _NYNORSK_WORDS)
        bokmal = sum(1 for w in words if w in _BOKMAL_WORDS)
        if nynorsk >= 5 and nynorsk > 2 * bokmal:
            return (
                f"it reads as Nynorsk ({nynorsk} Nynorsk words to {bokmal} Bokmål ones), which "
                f"bilingo's Bokmål model would translate poorly; {silence}"
            )
    guesses = langdetect_guesses(text)
    if not guesses or guesses[0].prob < WARN_CONFIDENCE:
        return None
    top, prob = guesses[0].lang, guesses[0].prob
    side = fold_language(top)
    if side is not None and side != lang:
        name = "English" if side == "en" else "Norwegian"
        return (
            f"it is taken as {lang} from its path, but its prose reads as {name} "
            f"({top} {prob:.2f}); if it is {side}, rename it, or {silence}"
        )
    if lang == "nb" and top in _SCANDINAVIAN:
        return (
            f"it reads as {_SCANDINAVIAN[top]} ({top} {prob:.2f}), not Norwegian Bokmål; {silence}"
        )
    return None
