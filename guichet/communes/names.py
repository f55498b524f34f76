"""Folding commune names for search: what a mayor types and what the COG spells must meet.

« Saint-Amand-Montrond », « st amand montrond » and « SAINT AMAND-MONTROND » fold to the
same key; « L'Abergement-Clémenciat » can also be found as « Abergement ».
"""

from guichet.text import match_key

ARTICLES = ("le", "la", "les", "l")
# Abbreviations people type, as whole words.
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def search_key(text: str) -> str:
    """The folded name with abbreviations expanded: the key both sides are compared on."""
    return " ".join(ABBREVIATIONS.get(word, word) for word in match_key(text).split())


def without_article(key: str) -> str | None:
    """« le mans » → « mans »; None when the name has no leading article."""
    first, _space, rest = key.partition(" ")
    if first in ARTICLES and rest:
        return rest
    return None


def name_keys(name: str, key: str | None = None) -> tuple[str, list[str], list[str]]:
    """(full key, keys a prefix search starts from, inner-word keys) for one commune name
    (``key``: its search_key, when already known).

    « Saint-Amand-Montrond » → ("saint amand montrond", ["saint amand montrond"],
    ["amand montrond", "montrond"]).
    """
    key = key if key is not None else search_key(name)
    main = [key]
    bare = without_article(key)
    if bare:
        main.append(bare)
    words = (bare or key).split()
    inner = [" ".join(words[index:]) for index in range(1, len(words))
             if words[index] not in ARTICLES and len(words[index]) > 2]
    return key, main, inner


def query_keys(text: str) -> list[str]:
    """Keys to look a typed prefix up with: a last word « st » may still be « Strasbourg »."""
    folded = match_key(text)
    key = search_key(text)
    keys = [key]
    if folded != key and folded.split() and folded.split()[-1] in ABBREVIATIONS:
        words = key.split()
        words[-1] = folded.split()[-1]
        keys.append(" ".join(words))
    return keys
