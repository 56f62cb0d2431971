"""Store-front names as they appear on signs and in OpenStreetMap's ``name`` tag.

Chains mostly show their banner ("Lidl"); German EDEKA/REWE merchants put their own
surname on the sign ("EDEKA Schneider"); French hyper- and supermarkets often carry the
town ("E.Leclerc Fougères", "Super U Vitré"). Independent shops get the names such
shops really have ("Kiosk am Markt", "Yıldız Market", "Épicerie du Centre").
"""

from __future__ import annotations

import random

from seed_data.addresses import Weighted, french_de, pick
from seed_data.chains import Chain
from seed_data.places import Town

# Most frequent German surnames, with a regional touch added below.
_DE_SURNAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner",
    "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König",
    "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß",
    "Jung", "Hahn", "Schubert", "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger",
    "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke", "Albrecht", "Schuster", "Simon",
    "Ludwig", "Böhm", "Winter", "Kraus", "Martin", "Schumacher", "Krämer", "Vogt", "Stein", "Jäger",
    "Otto", "Sommer", "Groß", "Seidel", "Heinrich", "Brandt", "Haas", "Schreiber", "Graf", "Dietrich",
    "Ziegler", "Kuhn", "Kühn", "Pohl", "Engel", "Horn", "Busch", "Bergmann", "Voigt", "Sauer", "Arnold",
)
_DE_REGIONAL = {
    "DE-BY": ("Huber", "Gruber", "Brunner", "Wimmer", "Hofer", "Bauer", "Maier", "Eder", "Fischer"),
    "DE-BW": ("Maier", "Schmid", "Haug", "Bühler", "Kuhn", "Riedel", "Hägele", "Eberle"),
    "DE-NW": ("Schmitz", "Schulte", "Hermes", "Kemper", "Brinkmann", "Wessels", "Thiele", "Kötter"),
    "DE-SH": ("Hansen", "Petersen", "Jensen", "Nielsen", "Carstensen", "Thomsen", "Paulsen"),
    "DE-NI": ("Janssen", "Meyer", "Harms", "Ahrens", "Gerdes", "Behrens", "Bruns"),
    "DE-SN": ("Lehmann", "Kühn", "Richter", "Seidel", "Löschner", "Heinze"),
}
_TR_SURNAMES = ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Özdemir",
                "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Şimşek")
_OTHER_GROCERS: Weighted = [
    (6, "Asia Markt {asia}"), (3, "{asia} Asia Supermarkt"), (4, "Orient Markt"), (3, "Feinkost {it}"),
    (3, "Polski Sklep"), (3, "Balkan Markt"), (2, "Afro Shop"), (3, "Russischer Markt {ru}"),
    (3, "Bioladen {de}"), (4, "Lebensmittel {de}"),
]
_ASIA = ("Nguyen", "Tran", "Pham", "Le", "Hoang", "Kim", "Lee", "Wang", "Chen", "Thai")
_ITALIAN = ("Russo", "Esposito", "Romano", "Ricci", "Greco", "Bruno", "Conti", "De Luca")
_RUSSIAN = ("Kalinka", "Babuschka", "Matrjoschka", "Iwanow", "Wolga")

_FR_SURNAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "Legrand",
    "Gauthier", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu",
    "Masson", "Marchand", "Duval", "Denis", "Dumont", "Lemaire", "Noël", "Meunier", "Brun",
    "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud",
    "Roche", "Renard", "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine",
    "Renaud", "Dumas", "Lacroix", "Olivier", "Bourgeois", "Benoît", "Rey", "Guillaume", "Hubert",
)
_FR_REGIONAL = {
    "FR-BRE": ("Le Gall", "Le Goff", "Le Roux", "Guivarc'h", "Le Bihan", "Tanguy", "Morvan"),
    "FR-GES": ("Muller", "Schmitt", "Meyer", "Klein", "Weber", "Schneider", "Hoffmann"),
    "FR-20R": ("Santoni", "Leca", "Luciani", "Giacomoni", "Mattei", "Orsini"),
    "FR-OCC": ("Garcia", "Martinez", "Fabre", "Vidal", "Rouquette", "Bousquet"),
}
_MAGHREB_SURNAMES = ("Benali", "Haddad", "Belkacem", "Mansouri", "Bouzid", "Saidi", "Cherif",
                     "Ben Salem", "Amrani", "Bensaïd", "Khelifi")
_BIOCOOP_NAMES = ("Le Grenier", "La Cigale", "Les 4 Saisons", "Le Panier Bio", "La Source",
                  "L'Aubépine", "Le Chant des Champs", "La Gambille", "Le Retour à la Terre")


def german_surname(town: Town, rng: random.Random) -> str:
    regional = _DE_REGIONAL.get(town.region_code)
    if regional and rng.randrange(100) < 35:
        return regional[rng.randrange(len(regional))]
    return _DE_SURNAMES[rng.randrange(len(_DE_SURNAMES))]


def french_surname(town: Town, rng: random.Random) -> str:
    regional = _FR_REGIONAL.get(town.region_code)
    if regional and rng.randrange(100) < 35:
        return regional[rng.randrange(len(regional))]
    return _FR_SURNAMES[rng.randrange(len(_FR_SURNAMES))]


def _choice(items: tuple[str, ...], rng: random.Random) -> str:
    return items[rng.randrange(len(items))]


def _short_street(street: str) -> str:
    return street.replace("straße", "str.").replace("Straße", "Str.")


def _kiosk(town: Town, street: str, rng: random.Random) -> str:
    r = rng.randrange(100)
    if town.region_code == "DE-BE" and r < 50:
        return pick([(4, f"Späti {_short_street(street)}"), (3, "Späti"), (2, "Spätkauf"),
                     (2, f"Späti {_choice(_TR_SURNAMES, rng)}"), (1, "24/7 Späti")], rng)
    if town.region_code == "DE-NW" and r < 35:
        return pick([(4, f"Trinkhalle {german_surname(town, rng)}"), (3, "Büdchen"),
                     (3, f"Kiosk {_choice(_TR_SURNAMES, rng)}"), (2, "Trinkhalle am Markt")], rng)
    return pick([(5, "Kiosk am Markt"), (4, "Kiosk am Bahnhof"), (4, f"Kiosk {_choice(_TR_SURNAMES, rng)}"),
                 (3, f"Kiosk {german_surname(town, rng)}"), (3, f"Kiosk {_short_street(street)}"),
                 (2, "Kiosk am Park"), (2, "Zeitschriften & Tabak"), (2, "Kiosk")], rng)


def _grocer_de(town: Town, rng: random.Random) -> str:
    if rng.randrange(100) < 50:
        tr = _choice(_TR_SURNAMES, rng)
        return pick([(4, f"{tr} Market"), (3, f"Frischemarkt {tr}"), (2, f"{tr} Lebensmittel"),
                     (2, f"Obst & Gemüse {tr}")], rng)
    template = pick(_OTHER_GROCERS, rng)
    return template.format(asia=_choice(_ASIA, rng), it=_choice(_ITALIAN, rng),
                           ru=_choice(_RUSSIAN, rng), de=german_surname(town, rng))


def _epicerie(town: Town, rng: random.Random) -> str:
    options = [(6, "Épicerie du Centre"), (5, "Épicerie de la Place"), (4, f"Épicerie {french_surname(town, rng)}"),
               (3, f"L'Épicerie {french_de(town.city)}"), (2, f"Le Comptoir {french_de(town.city)}"),
               (2, "Épicerie Fine"), (2, "Au Panier Garni"), (2, "Le Petit Marché")]
    if town.population < 5000:
        options += [(4, "Épicerie du Village"), (3, "Multiservices"), (2, "Le Bistrot-Épicerie")]
    return pick(options, rng)


def _alimentation(town: Town, rng: random.Random) -> str:
    return pick([(8, "Alimentation Générale"), (4, f"Alimentation {_choice(_MAGHREB_SURNAMES, rng)}"),
                 (3, "Supérette du Marché"), (3, "Supérette de la Gare"), (3, "Épicerie de Nuit"),
                 (3, "Mini Market"), (2, f"Alimentation {french_surname(town, rng)}"), (2, "Primeur du Coin")], rng)


def store_name(chain: Chain, town: Town, zone: str, street: str, rng: random.Random) -> str:
    """The sign over the door for an outlet of ``chain`` in ``town``."""
    base = chain.name or chain.banner or ""
    style = chain.naming
    if style == "owner":
        if rng.randrange(100) < chain.owner_share:
            return f"{base} {german_surname(town, rng)}"
        return base
    if style == "rewe":
        if town.city_population >= 100_000 and zone == "centre" and rng.randrange(100) < 35:
            return "REWE City"
        if rng.randrange(100) < chain.owner_share:
            return f"REWE {german_surname(town, rng)}"
        return base
    if style == "town":
        if rng.randrange(100) < chain.town_share:
            return f"{base} {town.city}"
        return base
    if style == "biocoop":
        r = rng.randrange(100)
        if r < 50:
            return f"Biocoop {town.city}"
        if r < 80:
            return f"Biocoop {_choice(_BIOCOOP_NAMES, rng)}"
        return "Biocoop"
    if style == "coccinelle":
        return "Coccinelle Express" if rng.randrange(100) < 60 else "Coccinelle Supermarché"
    if style == "kiosk_de":
        return _kiosk(town, street, rng)
    if style == "grocer_de":
        return _grocer_de(town, rng)
    if style == "indiesuper_de":
        tr = _choice(_TR_SURNAMES, rng)
        return pick([(4, f"{tr} Supermarkt"), (3, f"{tr} Frischemarkt"), (2, "Family Supermarkt"),
                     (2, "Öz Market"), (2, f"Akdeniz Market {tr}")], rng)
    if style == "dorfladen":
        return pick([(5, f"Dorfladen {town.city}"), (3, "Dorfladen"), (2, f"Unser Laden {town.city}"),
                     (2, f"Dorfladen {town.city} eG")], rng)
    if style == "epicerie":
        return _epicerie(town, rng)
    if style == "alimentation":
        return _alimentation(town, rng)
    return base
