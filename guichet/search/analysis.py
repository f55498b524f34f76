"""French text analysis, the same on both search backends.

The steps of the Elasticsearch analyzer ``french_index`` in index_mappings/programmes.json:
split on anything but letters and digits, drop elided articles (l' d' qu' ...), lowercase,
fold accents, drop stop words, then the Snowball French stemmer (the one Lucene's ``stemmer``
filter runs for ``"language": "french"``), so that ``l'Éclairage`` = ``éclairage`` =
``eclairage`` and ``rénovations`` = ``renovation``. Folding comes before stemming: Snowball
reads accents (« é » ends a participle), so « cybersécurité » and « cybersecurite » would
stem apart, and mayors type both (tests/search/test_analysis.py compares with a real node).

Query text is analysed here for both backends: the Elasticsearch fields search with the
``whitespace`` analyzer, so both receive the same terms, the same thesaurus expansion
(``expand_synonyms``) and the same corrections.
"""

import re
import threading
from functools import lru_cache
from pathlib import Path

import snowballstemmer

# Folding, words and stop words are guichet.text's (one neutral module); the search's own
# stemmer is Snowball French, which the Elasticsearch index runs too (guichet.text's light
# stemmer stays for the scrapers' theme keywords).
from guichet.text import ELISIONS, STOP_WORDS, fold, words  # noqa: F401 (this module's interface)

SYNONYMS_PATH = Path(__file__).with_name("synonyms.txt")

_WRITTEN_TOKEN = re.compile(r"[^\W_]+")
# A Snowball stemmer keeps its cursor and buffer on the object: one shared by the web
# server's threads mixes two words under load (an IndexError, or a wrong stem). One per thread.
_STEMMERS = threading.local()
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "’": "'", "ß": "ss"})


def stem(word: str) -> str:
    """Snowball French of a folded word."""
    stemmer = getattr(_STEMMERS, "french", None)
    if stemmer is None:
        stemmer = _STEMMERS.french = snowballstemmer.stemmer("french")
    return stemmer.stemWord(word)


def written_words(text: str) -> list[str]:
    """Lowercase words of a text as written (accents kept), stop words included."""
    return _WRITTEN_TOKEN.findall(text.translate(_LIGATURES).lower())


@lru_cache(maxsize=200_000)
def index_term(word: str) -> str | None:
    """The index term of a lowercase word (accents kept or not); None for a stop word."""
    word = fold(word)
    if word in STOP_WORDS:
        return None
    return stem(word)


def analyse(text: str) -> list[str]:
    """Index terms of a text, in order."""
    terms = (index_term(word) for word in written_words(text))
    return [term for term in terms if term is not None]


def analyse_to_string(text: str) -> str:
    return " ".join(analyse(text))


def synonym_lines(path: Path = SYNONYMS_PATH) -> list[list[str]]:
    """The terms of each rule of synonyms.txt as written (the Elasticsearch index takes them so)."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            lines.append(line.split(","))
    return lines


@lru_cache(maxsize=1)
def synonym_groups() -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Each line of synonyms.txt as a tuple of analysed phrases."""
    groups = []
    for terms in synonym_lines():
        phrases = []
        for term in terms:
            phrase = tuple(analyse(term))
            if phrase and phrase not in phrases:
                phrases.append(phrase)
        if len(phrases) > 1:
            groups.append(tuple(phrases))
    return tuple(groups)


@lru_cache(maxsize=1)
def _synonym_index() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    index: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for group in synonym_groups():
        for phrase in group:
            alternatives = index.setdefault(phrase, [])
            for other in group:
                if other not in alternatives:
                    alternatives.append(other)
    return {phrase: tuple(alternatives) for phrase, alternatives in index.items()}


def expand_synonyms(tokens: list[str], with_sizes: bool = False) -> list:
    """Group analysed tokens into clauses; each clause lists its alternative phrases.

    The longest synonym phrase starting at each position wins, so ``eclairag public`` is one
    clause (with ``led`` as an alternative), not two. ``with_sizes``: (alternatives, number of
    tokens the clause took) pairs.
    """
    index = _synonym_index()
    longest = max((len(phrase) for phrase in index), default=1)
    clauses = []
    position = 0
    while position < len(tokens):
        for size in range(min(longest, len(tokens) - position), 0, -1):
            candidate = tuple(tokens[position:position + size])
            if candidate in index:
                clauses.append((index[candidate], size) if with_sizes else index[candidate])
                position += size
                break
        else:
            alternatives = (tuple(tokens[position:position + 1]),)
            clauses.append((alternatives, 1) if with_sizes else alternatives)
            position += 1
    return clauses


@lru_cache(maxsize=1)
def thesaurus_words() -> dict[str, str]:
    """Folded single words of the thesaurus → the word as written there (for corrections)."""
    written = {}
    for terms in synonym_lines():
        for term in terms:
            for word in written_words(term.strip()):
                if len(word) >= 5 and fold(word) not in STOP_WORDS:
                    written.setdefault(fold(word), word)
    return written


@lru_cache(maxsize=1)
def thesaurus_phrases() -> dict[str, str]:
    """Folded multi-word terms of the thesaurus → the term as written there."""
    phrases = {}
    for terms in synonym_lines():
        for term in terms:
            term = term.strip()
            if len(term.split()) > 1:
                phrases.setdefault(" ".join(words(term)), term)
    return phrases


# -- English ------------------------------------------------------------------------------------
# Records written in English (EU Funding & Tenders topics) are indexed in fields of their own
# with the steps of the Elasticsearch analyzer ``english_index``: split on anything but letters
# and digits (an apostrophe inside a word kept, a possessive « 's » dropped), lowercase, fold
# accents, drop Lucene's English stop words, then Snowball English (Porter2, Lucene's
# ``stemmer`` filter with ``"language": "porter2"``). « community-led » gives ``communiti`` and
# ``led``, which a French query never reaches: French query words search the French fields.
ENGLISH_STOP_WORDS = frozenset("""
a an and are as at be but by for if in into is it no not of on or such that the their then there
these they this to was will with
""".split())
_ENGLISH = snowballstemmer.stemmer("english")
_ENGLISH_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def english_terms(text: str) -> list[str]:
    """Index terms of an English text, in order."""
    terms = []
    for word in _ENGLISH_TOKEN.findall(text.translate(_LIGATURES).lower()):
        if word.endswith("'s"):
            word = word[:-2]
        word = fold(word)
        if word and word not in ENGLISH_STOP_WORDS:
            terms.append(_ENGLISH.stemWord(word))
    return terms


def english_term(word: str) -> str | None:
    terms = english_terms(word)
    return terms[0] if len(terms) == 1 else None


# -- language of a text ---------------------------------------------------------------------------
# Two languages only (French, and the English of EU calls), told apart by their function
# words as written (accents kept: « à » is French, « a » is both). A ratio of stop words rather
# than a classifier library: the short segments it reads (« Horizon Europe », a programme
# label) carry no evidence either way, and it must say so (None) instead of guessing; no model
# to ship or download, and deterministic.
_FRENCH_MARKERS = frozenset("""
le la les l des du d à au aux et pour dans par sur avec une est sont qui que qu ce cette ces leur
leurs nous vous il elle ils elles être été où mais ses sa son aussi entre vers afin ou
""".split())
_ENGLISH_MARKERS = frozenset("""
the and of to for with is are be by this that from will which their these its can should have has
into such between through including within under also was were been who been than
""".split())


def detect_language(text: str, minimum_evidence: int = 1) -> str | None:
    """« fr », « en », or None when the text holds too few function words to tell.

    One language must have at least twice the function words of the other.
    """
    french = english = 0
    for word in written_words(text):
        if word in _FRENCH_MARKERS:
            french += 1
        elif word in _ENGLISH_MARKERS:
            english += 1
    if french + english < minimum_evidence or french == english:
        return None
    if french >= 2 * english:
        return "fr"
    if english >= 2 * french:
        return "en"
    return None


_SEGMENT_END = re.compile(r"(?<=[.!?;])\s+|\s*[·|\n]\s*")


def language_parts(text: str, language: str) -> tuple[str, str]:
    """(French text, English text) of a record's field in ``language``.

    A French record is French throughout. In an English record each sentence or label whose
    function words are French (« Sujet d'appel à propositions ») is French, the rest English:
    the French words a source gives stay searchable in French.
    """
    if language != "en":
        return text, ""
    french, english = [], []
    for segment in _SEGMENT_END.split(text or ""):
        if segment.strip():
            (french if detect_language(segment) == "fr" else english).append(segment.strip())
    return " ".join(french), " ".join(english)


def record_language(given: str | None, *texts: str) -> str:
    """The language of a record: the source's own word where it gave one, else detected (French
    when the text cannot tell)."""
    if given:
        return given
    return detect_language(" ".join(text[:2000] for text in texts if text), minimum_evidence=3) or "fr"
