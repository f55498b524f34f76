"""French text analysis for the embedded search backend.

The same steps as the Elasticsearch analyzer in index_mappings/programmes.json: split on
anything but letters and digits, drop elided articles (l' d' qu' ...), lowercase, fold
accents, drop stop words, then a light French stemmer (plurals and final vowels), so that
``l'Éclairage`` = ``éclairage`` = ``eclairage`` and ``vélos`` = ``vélo``.
"""

from functools import lru_cache
from pathlib import Path

# The analysis itself is guichet.text's (the scrapers' theme keywords use the same one).
from guichet.text import ELISIONS, STOP_WORDS, fold, stem, words  # noqa: F401 (this module's interface)
from guichet.text import term as index_term
from guichet.text import terms as analyse

SYNONYMS_PATH = Path(__file__).with_name("synonyms.txt")


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


def expand_synonyms(tokens: list[str]) -> list[tuple[tuple[str, ...], ...]]:
    """Group analysed tokens into clauses; each clause lists its alternative phrases.

    The longest synonym phrase starting at each position wins, so ``eclairag public`` is one
    clause (with ``led`` as an alternative), not two.
    """
    index = _synonym_index()
    longest = max((len(phrase) for phrase in index), default=1)
    clauses = []
    position = 0
    while position < len(tokens):
        for size in range(min(longest, len(tokens) - position), 0, -1):
            candidate = tuple(tokens[position:position + size])
            if candidate in index:
                clauses.append(index[candidate])
                position += size
                break
        else:
            clauses.append((tuple(tokens[position:position + 1]),))
            position += 1
    return clauses
