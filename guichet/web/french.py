"""French grammar for names in sentences: « de » / « d' » / « du » / « de la » / « des », « à » / « au ».

A name reaches a sentence in one of two ways. Place names (communes, EPCI) carry their own
article when they have one (« Le Mans », « Les Sables-d'Olonne », « La Rochelle »), and
French contracts or keeps it: « du Mans », « aux Sables-d'Olonne », « de La Rochelle ».
Organisations are named with the article French gives them, when they take one (« la Région
Grand Est », « le ministère de la Culture », « l'Agence nationale de la cohésion des
territoires »), or without (« ADEME », « Bpifrance »): ``Name`` keeps the two apart, so that
« d'ADEME », « de la Région Grand Est » and « du ministère de la Culture » all come out right.

Elision before a vowel only: before « h » French elides or not word by word (« d'Hyères »,
« de Haute-Marne »), so names starting with « H » that elide are listed.
"""

import re
from dataclasses import dataclass

from markupsafe import Markup

APOSTROPHE = "’"
VOWELS = set("aeiouyàâäéèêëîïôöùûüÿœæAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŸŒÆ")
# Names starting with a mute h (elided); every other « H » is treated as aspirated.
MUTE_H = ("Hyères", "Hérault", "Hendaye", "Hérouville", "Hénin", "Hirson", "Honfleur", "Houilles", "Hyèvre")


def _elides(word: str) -> bool:
    if not word:
        return False
    if word[0] in VOWELS:
        return True
    return word.startswith(MUTE_H)


@dataclass(frozen=True)
class Name:
    """A name as a sentence uses it: ``article`` is the one French puts before it, if any
    (« le », « la », « l' », « les »), lower-case, apart from the name itself."""

    text: str
    article: str | None = None

    def __str__(self) -> str:
        return self.text


# Names that open with a common noun take that noun's article: « de la Région Grand Est »,
# « du ministère de la Culture », « de la CA de Nevers ». The noun is lower-cased after an
# article where French writes it so (« du ministère »), kept otherwise.
ORGANISATION_NOUNS = {
    "Région": ("la", None), "Département": ("le", None), "Ministère": ("le", "ministère"), "Banque": ("la", None),
    "Portail": ("le", "portail"), "Agence": ("l'", None), "Agences": ("les", None), "Programmes": ("les", "programmes"),
    "Commission": ("la", None), "Communauté": ("la", None), "Métropole": ("la", None), "Conseil": ("le", None),
    "Fondation": ("la", None), "Caisse": ("la", None), "Office": ("l'", None), "Union": ("l'", None),
    "État": ("l'", None), "Syndicat": ("le", None), "Syndicats": ("les", None), "Parc": ("le", None),
    "CA": ("la", None), "CC": ("la", None), "CU": ("la", None), "Préfecture": ("la", "préfecture"),
}


def organisation(text: str) -> Name | None:
    """The name with the article of its first word, when that word is a common noun."""
    first, _, rest = text.partition(" ")
    if first in ORGANISATION_NOUNS and rest:
        article, lowered = ORGANISATION_NOUNS[first]
        return Name(f"{lowered} {rest}" if lowered else text, article)
    return None


def _split_place_article(text: str) -> tuple[str | None, str]:
    """« Le Mans » → (« le », « Mans »); « Les Sables-d'Olonne » → (« les », …)."""
    for article in ("Les ", "Le "):
        if text.startswith(article):
            return article.strip().lower(), text[len(article):]
    return None, text


# How « de » and « à » combine with each article: « du », « des », « de la », « de l’ »; « au »…
CONTRACTIONS = {
    "de": {"le": "du ", "les": "des ", "la": "de la ", "l": "de l{apostrophe}"},
    "à": {"le": "au ", "les": "aux ", "la": "à la ", "l": "à l{apostrophe}"},
}


def _before_name(preposition: str, name, apostrophe: str) -> str | None:
    """« de » or « à » with the name's article contracted, or None when the name has no article
    (neither its own, like « Le Mans », nor its first noun's, like « la Région »)."""
    forms = CONTRACTIONS[preposition]
    name = _with_article(name)
    if isinstance(name, Name) and name.article:
        article = name.article.replace("'", "").replace(APOSTROPHE, "")
        return forms[article].format(apostrophe=apostrophe) + name.text
    article, rest = _split_place_article(str(name))
    if article:
        return forms[article] + rest
    return None


def de(name, apostrophe: str = APOSTROPHE) -> str:
    """« de Nevers », « d'Auxerre », « du Mans », « des Sables-d'Olonne », « de La Rochelle »,
    « d'ADEME », « de la Région Grand Est », « du ministère de la Culture »."""
    contracted = _before_name("de", name, apostrophe)
    if contracted:
        return contracted
    text = str(name)
    if text.startswith(("L'", "L’")):  # « de L'Isle-Adam »: the article of a place name stays
        return f"de {text}"
    return f"d{apostrophe}{text}" if _elides(text) else f"de {text}"


def a(name, apostrophe: str = APOSTROPHE) -> str:
    """« à Nevers », « au Mans », « aux Sables-d'Olonne », « à La Rochelle », « à la Région … »."""
    return _before_name("à", name, apostrophe) or f"à {name}"


def le(name, apostrophe: str = APOSTROPHE) -> str:
    """The name with its article, as a subject: « la CA de Nevers », « l'ADEME » only when the
    name carries that article, « Nevers » otherwise."""
    name = _with_article(name)
    if isinstance(name, Name) and name.article:
        article = name.article.replace("'", APOSTROPHE)
        if article in ("l’", "l"):
            return f"l{apostrophe}{name.text}"
        return f"{article} {name.text}"
    return str(name)


def _with_article(name):
    if isinstance(name, Name):
        return name
    return organisation(str(name)) or name


# An apostrophe between two letters (« l'aide », « aujourd'hui »).
_STRAIGHT = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
# In HTML, only the text is read: tags (and their attributes) and what a person edits or a
# browser runs are left alone.
_HTML_APOSTROPHE = re.compile(r"'|&#39;|&#x27;")
_HTML_NOT_TEXT = re.compile(r"(<(?:textarea|script|style|pre|code)\b[^>]*>.*?</(?:textarea|script|style|pre|code)\s*>"
                            r"|<[^>]*>)", re.DOTALL | re.IGNORECASE)


def typographic(text: str) -> str:
    """Straight apostrophes between letters as typographic ones: « l'ADEME » → « l’ADEME »."""
    return _STRAIGHT.sub(APOSTROPHE, text)


def typographic_html(html: str) -> Markup:
    """``typographic`` over the text of an HTML fragment, tags and form fields untouched; the
    letters may be on either side of a tag (« l'<mark>éclairage</mark> »)."""
    parts = _HTML_NOT_TEXT.split(str(html))  # text, tag, text, tag, …, text
    texts = [part.replace("&#39;", "'").replace("&#x27;", "'") if "&#" in part else part for part in parts[::2]]
    for index, text in enumerate(texts):
        if "'" not in text:
            continue
        before = texts[index - 1][-1:] if index else ""
        after = texts[index + 1][:1] if index + 1 < len(texts) else ""
        padded = _STRAIGHT.sub(APOSTROPHE, f"{before or ' '}{text}{after or ' '}")
        texts[index] = padded[1:-1]
    parts[::2] = texts
    return Markup("".join(parts))


class AsTyped(str):
    """A value shown as a person typed it (a form field's value): ``finalize`` leaves it alone."""


def as_typed(value) -> AsTyped:
    return AsTyped("" if value is None else value)


def finalize(value):
    """Jinja's ``finalize``: every value a template shows, apostrophes made typographic.

    The one place where data from sources and official lists (« Côte-d'Or », a source's
    « l'aide ») gets the house style: at display, never in the store, so that a source's
    values stay as published (change detection, exports) and search folds both forms anyway.
    Left alone: form fields' values (``|as_typed``: what a person typed comes back as typed,
    and a curator who saves a form changes no field left untouched), addresses and links."""
    if isinstance(value, AsTyped) or not isinstance(value, str):
        return value
    if isinstance(value, Markup):
        return typographic_html(value) if _HTML_APOSTROPHE.search(value) else value
    if "'" not in value or (not any(char.isspace() for char in value) and any(char in value for char in "/@=?#")):
        return value
    return typographic(value)


FILTERS = {"de": de, "a_name": a, "le": le, "typographic": typographic, "as_typed": as_typed}
