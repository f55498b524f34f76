"""French text made comparable: folding, words, match keys, slugs and light stemming.

One neutral module that every feature uses (scrapers, search, communes, curation), so that
« l'Éclairage », « L’ECLAIRAGE » and « éclairage » meet the same way everywhere. It imports
nothing from the application.

- ``fold``: lower case without accents or ligatures, typographic apostrophe made plain;
- ``words``: the folded words (letters and digits) of a text, in order;
- ``match_key``: those words joined by single spaces, the key two spellings are compared on
  (a commune name, a funder, a source's label); ``apostrophes=True`` keeps « l'ain » whole,
  for tables that must tell « de l'Ain » from « de la »;
- ``slugify``: those words joined by hyphens, for identifiers in addresses;
- ``terms``: the words without stop words and lightly stemmed (plurals, feminine endings,
  final vowels), so that « vélos » = « vélo »: the search index and the scrapers' theme
  keywords analyse text with it.
"""

import re
import unicodedata
from functools import lru_cache

ELISIONS = frozenset({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"})

STOP_WORDS = ELISIONS | frozenset("""
a au aux avec ce ces cet cette dans de des du elle en et eux il ils je la le les leur leurs lui
ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta
te tes toi ton tu un une vos votre vous y est sont ete etre avoir ont sera aussi plus ainsi
""".split())

_WORD = re.compile(r"[0-9a-z]+")
_WORD_OR_APOSTROPHE = re.compile(r"[0-9a-z']+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "’": "'", "ß": "ss"})


def fold(text: str) -> str:
    """Lower case without accents or ligatures; « ’ » becomes « ' »."""
    text = text.translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def words(text: str) -> list[str]:
    """Folded words of a text (runs of letters and digits), stop words included."""
    return _WORD.findall(fold(text))


def match_key(text: str, apostrophes: bool = False) -> str:
    """Folded words joined by single spaces: « Saint-Amand  MONTROND » → « saint amand montrond ».

    With ``apostrophes``, an apostrophe stays part of the word: « d'Île-de-France » →
    « d'ile de france »."""
    if apostrophes:
        return " ".join(_WORD_OR_APOSTROPHE.findall(fold(text)))
    return " ".join(words(text))


def slugify(text: str, max_length: int = 80) -> str:
    """Folded words joined by hyphens, at most ``max_length`` characters: « Cœur de ville » →
    « coeur-de-ville »; empty when the text has no letter nor digit."""
    return "-".join(words(text))[:max_length].strip("-")


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


@lru_cache(maxsize=200_000)
def term(word: str) -> str | None:
    """The term of a folded word; None for a stop word."""
    return None if word in STOP_WORDS else stem(word)


def terms(text: str) -> list[str]:
    """Terms of a text, in order: folded words, stop words dropped, stemmed."""
    found = (term(word) for word in words(text))
    return [item for item in found if item is not None]
