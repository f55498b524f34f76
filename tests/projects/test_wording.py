import pytest

from guichet.projects.wording import a_commune, de_commune


@pytest.mark.parametrize("name, a, de", [
    ("Auxerre", "à Auxerre", "d'Auxerre"),
    ("Nevers", "à Nevers", "de Nevers"),
    ("Le Mans", "au Mans", "du Mans"),
    ("Les Abymes", "aux Abymes", "des Abymes"),
    ("La Rochelle", "à La Rochelle", "de La Rochelle"),
    ("L'Abergement-Clémenciat", "à L'Abergement-Clémenciat", "de L'Abergement-Clémenciat"),
    ("Île-de-Sein", "à Île-de-Sein", "d'Île-de-Sein"),
    ("Y", "à Y", "d'Y"),
    ("Hyères", "à Hyères", "d'Hyères"),
    ("Haguenau", "à Haguenau", "de Haguenau"),
    ("Lesparre-Médoc", "à Lesparre-Médoc", "de Lesparre-Médoc"),
])
def test_elision_and_contraction(name, a, de):
    assert (a_commune(name), de_commune(name)) == (a, de)
