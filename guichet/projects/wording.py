"""French for commune names after « à » and « de »: « à Auxerre », « d'Auxerre », « au Mans »,
« du Mans », « aux Abymes », « des Abymes », « à La Rochelle », « de La Rochelle »."""

import unicodedata

VOWELS = set("aeiouyœæ")
# Names starting with a mute h take the elision (« d'Hyères »); an aspirated h does not
# (« de Haguenau »). Aspirated is the default: it never produces a wrong elision before
# the many h-aspiré names (Hazebrouck, Honfleur, Houilles ...).
MUTE_H = ("hyeres", "herouville", "henin", "herblay", "hellemmes", "hem", "hendaye", "heric", "hermanville",
          "hericourt", "huningue", "hombourg")


def _bare(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _elides(name: str) -> bool:
    bare = _bare(name)
    if not bare:
        return False
    if bare[0] in VOWELS:
        return True
    return bare[0] == "h" and bare.startswith(MUTE_H)


def _article(name: str) -> tuple[str | None, str]:
    """(« le » / « les », rest) when the name starts with an article that contracts."""
    for article in ("Le ", "Les "):
        if name.startswith(article) and len(name) > len(article):
            return article.strip().lower(), name[len(article):]
    return None, name


def a_commune(name: str) -> str:
    """« à Auxerre », « au Mans », « aux Abymes », « à La Rochelle », « à L'Isle-Adam »."""
    article, rest = _article(name)
    if article == "le":
        return f"au {rest}"
    if article == "les":
        return f"aux {rest}"
    return f"à {name}"


def de_commune(name: str) -> str:
    """« d'Auxerre », « du Mans », « des Abymes », « de La Rochelle », « de Nevers », « d'Y »."""
    article, rest = _article(name)
    if article == "le":
        return f"du {rest}"
    if article == "les":
        return f"des {rest}"
    if name.startswith(("La ", "L'", "L’")):
        return f"de {name}"
    return f"d'{name}" if _elides(name) else f"de {name}"
