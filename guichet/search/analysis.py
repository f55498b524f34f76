"""French text analysis for the embedded search backend.

The same steps as the Elasticsearch analyzer in index_mappings/programmes.json: split on
anything but letters and digits, drop elided articles (l' d' qu' ...), lowercase, fold
accents, drop stop words, then a light French stemmer (plurals and final vowels), so that
``l'Éclairage`` = ``éclairage`` = ``eclairage`` and ``vélos`` = ``vélo``.
"""

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

SYNONYMS_PATH = Path(__file__).with_name("synonyms.txt")

ELISIONS = {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}

STOP_WORDS = ELISIONS | set("""
a au aux avec ce ces cet cette dans de des du elle en et eux il ils je la le les leur leurs lui
ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta
te tes toi ton tu un une vos votre vous y est sont ete etre avoir ont sera aussi plus ainsi
""".split())

_TOKEN = re.compile(r"[0-9a-z]+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "’": "'", "ß": "ss"})


def fold(text: str) -> str:
    """Lowercase without accents or ligatures."""
    text = text.translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def stem(word: str) -> str:
    """A light French stemmer: plural and feminine endings and final vowels."""
    if word.isdigit() or len(word) <= 3:
        return word
    if word.endswith("aux") and len(word) > 4:
        word = word[:-3] + "al"
    elif word[-1] in "sx":
        word = word[:-1]
    for ending in ("ee", "ie", "e", "i", "a"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    if len(word) > 4 and word[-1] == word[-2] and word[-1].isalpha():
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    """Folded words of a text, stop words included (for highlighting positions)."""
    return _TOKEN.findall(fold(text))


@lru_cache(maxsize=200_000)
def index_term(word: str) -> str | None:
    """The index term of a folded word; None for a stop word."""
    return None if word in STOP_WORDS else stem(word)


def analyse(text: str) -> list[str]:
    """Index terms of a text, in order."""
    terms = (index_term(word) for word in words(text))
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
