"""Plausible street addresses: the names real German and French streets carry.

Centre outlets get the streets of town centres (Hauptstraße, Bahnhofstraße, Rue de la
République...); hypermarkets, discounters and cash & carry get the streets of
retail parks and arterial roads, which in both countries are often named after the
next town ("Berliner Straße", "Route de Rennes").
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from seed_data.places import Town

Weighted = Sequence[tuple[int, str]]


def pick(options: Weighted, rng: random.Random) -> str:
    total = sum(w for w, _ in options)
    r = rng.randrange(total)
    for weight, value in options:
        if r < weight:
            return value
        r -= weight
    raise AssertionError("unreachable")


# ----------------------------------------------------------------------------- Germany

_DE_CENTRE: Weighted = [
    (30, "Hauptstraße"), (22, "Bahnhofstraße"), (12, "Marktplatz"), (10, "Am Markt"),
    (12, "Kirchstraße"), (10, "Schulstraße"), (9, "Gartenstraße"), (8, "Poststraße"),
    (8, "Lindenstraße"), (7, "Marktstraße"), (7, "Ringstraße"), (7, "Bergstraße"),
    (6, "Goethestraße"), (6, "Schillerstraße"), (6, "Friedrichstraße"), (5, "Wilhelmstraße"),
    (5, "Lange Straße"), (5, "Neue Straße"), (5, "Breite Straße"), (4, "Kaiserstraße"),
    (4, "Mühlenstraße"), (4, "Rathausplatz"), (4, "Am Bahnhof"), (4, "Waldstraße"),
    (4, "Mozartstraße"), (3, "Lessingstraße"), (3, "Jahnstraße"), (3, "Feldstraße"),
    (3, "Beethovenstraße"), (3, "Kirchplatz"), (3, "Burgstraße"), (3, "Wallstraße"),
    (3, "Parkstraße"), (3, "Rosenstraße"), (3, "Uhlandstraße"), (3, "Luisenstraße"),
    (2, "Karlstraße"), (2, "Ludwigstraße"), (2, "Blumenstraße"), (2, "Brunnenstraße"),
    (2, "Hindenburgstraße"), (2, "Steinstraße"), (2, "Talstraße"), (2, "Wiesenstraße"),
]
# Big cities: the long radial and ring roads where most city supermarkets are.
_DE_CITY: Weighted = [
    (8, "Hauptstraße"), (6, "Bahnhofstraße"), (5, "Friedrichstraße"), (5, "Königstraße"),
    (5, "Landsberger Straße"), (4, "Kaiserstraße"), (4, "Schloßstraße"), (4, "Bismarckstraße"),
    (4, "Lindenstraße"), (4, "Moltkestraße"), (4, "Goethestraße"), (4, "Schillerstraße"),
    (4, "Karl-Marx-Straße"), (4, "Leipziger Straße"), (4, "Berliner Allee"), (3, "Kurfürstenstraße"),
    (3, "Bergstraße"), (3, "Marktstraße"), (3, "Am Markt"), (3, "Gartenstraße"), (3, "Ringstraße"),
    (3, "Heinrich-Heine-Straße"), (3, "Luisenstraße"), (3, "Wilhelmstraße"), (3, "Kantstraße"),
    (3, "Humboldtstraße"), (3, "Rathausstraße"), (3, "Parkstraße"), (3, "Lessingstraße"),
    (3, "Uhlandstraße"), (3, "Gneisenaustraße"), (3, "Yorckstraße"), (3, "Blücherstraße"),
    (2, "Hansaring"), (2, "Alleestraße"), (2, "Am Hauptbahnhof"), (2, "Bahnhofsplatz"),
]
_DE_VILLAGE_NORTH: Weighted = [(40, "Dorfstraße"), (15, "Hauptstraße"), (10, "Am Anger"),
                               (10, "Lindenstraße"), (8, "Kirchstraße"), (8, "Schulstraße"),
                               (5, "Mühlenweg"), (4, "Bahnhofstraße")]
_DE_VILLAGE_SOUTH: Weighted = [(40, "Hauptstraße"), (12, "Kirchstraße"), (10, "Dorfstraße"),
                               (8, "Schulstraße"), (8, "Bahnhofstraße"), (6, "Rathausstraße"),
                               (6, "Brunnenstraße"), (5, "Lindenstraße"), (5, "Am Dorfplatz")]
_DE_EDGE: Weighted = [
    (14, "Industriestraße"), (10, "Gewerbestraße"), (8, "Am Gewerbepark"), (6, "Im Gewerbegebiet"),
    (6, "Robert-Bosch-Straße"), (5, "Carl-Benz-Straße"), (5, "Siemensstraße"), (5, "Daimlerstraße"),
    (4, "Max-Planck-Straße"), (4, "Otto-Hahn-Straße"), (4, "Raiffeisenstraße"), (4, "Dieselstraße"),
    (4, "Gutenbergstraße"), (3, "Einsteinstraße"), (3, "Rudolf-Diesel-Straße"), (3, "Nordring"),
    (3, "Südring"), (3, "Ostring"), (3, "Westring"), (3, "Werner-von-Siemens-Straße"),
    (3, "Am Einkaufszentrum"), (2, "Handelsstraße"), (2, "Zeppelinstraße"), (2, "Junkersstraße"),
    (2, "Umgehungsstraße"), (2, "Ernst-Abbe-Straße"), (2, "Im Gewerbepark"),
]
_DE_VILLAGE_NORTH_STATES = {"DE-MV", "DE-BB", "DE-SH", "DE-NI", "DE-ST", "DE-SN", "DE-TH", "DE-HB", "DE-HH", "DE-BE"}

# Road names after a town: irregular adjectives, then regular endings.
_DE_ADJECTIVES = {
    "Berlin": "Berliner", "München": "Münchner", "Köln": "Kölner", "Hannover": "Hannoversche",
    "Bremen": "Bremer", "Dresden": "Dresdner", "Leipzig": "Leipziger", "Essen": "Essener",
    "Dortmund": "Dortmunder", "Stuttgart": "Stuttgarter", "Frankfurt am Main": "Frankfurter",
    "Frankfurt (Oder)": "Frankfurter", "Kassel": "Kasseler", "Halle (Saale)": "Hallesche",
    "Lübeck": "Lübecker", "Kiel": "Kieler", "Rostock": "Rostocker", "Potsdam": "Potsdamer",
    "Erfurt": "Erfurter", "Bonn": "Bonner", "Aachen": "Aachener", "Mainz": "Mainzer", "Trier": "Trierer",
    "Koblenz": "Koblenzer", "Ulm": "Ulmer", "Chemnitz": "Chemnitzer", "Schwerin": "Schweriner",
    "Jena": "Jenaer", "Gera": "Geraer", "Cottbus": "Cottbuser", "Osnabrück": "Osnabrücker",
    "Paderborn": "Paderborner", "Bochum": "Bochumer", "Münster": "Münstersche", "Wien": "Wiener",
    "Mannheim": "Mannheimer", "Karlsruhe": "Karlsruher", "Bielefeld": "Bielefelder",
    "Darmstadt": "Darmstädter", "Ingolstadt": "Ingolstädter", "Celle": "Celler", "Soest": "Soester",
    "Kempten (Allgäu)": "Kemptener", "Gießen": "Gießener", "Marburg": "Marburger", "Fulda": "Fuldaer",
}
_DE_ENDINGS = ("burg", "berg", "dorf", "heim", "feld", "bach", "furt", "stein", "hof", "au", "tal",
               "hausen", "haus", "brück", "born", "beck", "horst", "kirchen", "walde", "weiler")


def german_road_adjective(town_name: str) -> str | None:
    """"Magdeburg" -> "Magdeburger", "Göttingen" -> "Göttinger"; None when unsure."""
    if town_name in _DE_ADJECTIVES:
        return _DE_ADJECTIVES[town_name]
    if " " in town_name or "(" in town_name or "-" in town_name:
        return None
    if town_name.endswith(("ingen", "ungen")):
        return town_name[:-2] + "er"
    if town_name.endswith(_DE_ENDINGS):
        return town_name + "er"
    return None


def _german_street(town: Town, zone: str, neighbours: Sequence[Town], rng: random.Random) -> str:
    if zone == "edge":
        if neighbours and rng.randrange(100) < 40:
            for other in neighbours[: 1 + rng.randrange(len(neighbours))][::-1]:
                adjective = german_road_adjective(other.city)
                if adjective:
                    return f"{adjective} Straße"
        return pick(_DE_EDGE, rng)
    if town.population < 3000:
        north = town.region_code in _DE_VILLAGE_NORTH_STATES
        return pick(_DE_VILLAGE_NORTH if north else _DE_VILLAGE_SOUTH, rng)
    if town.city_population >= 100_000 and rng.randrange(100) < 55:
        return pick(_DE_CITY, rng)
    if neighbours and rng.randrange(100) < 12:
        adjective = german_road_adjective(neighbours[0].city)
        if adjective:
            return f"{adjective} Straße"
    return pick(_DE_CENTRE, rng)


_SQUARES = ("Platz", "platz", "Markt", "Place", "Cours", "Anger")


def _german_number(street: str, zone: str, rng: random.Random) -> str | None:
    if rng.randrange(100) < 3:
        return None
    top = 25 if street.endswith(_SQUARES) else 60 if zone == "edge" else 140
    n = 1 + int(rng.random() ** 2 * top)
    r = rng.randrange(100)
    if r < 8:
        return f"{n}{'ab'[rng.randrange(2)]}"
    if r < 13:
        return f"{n}-{n + 2}"
    return str(n)


# ------------------------------------------------------------------------------ France

_FR_CENTRE: Weighted = [
    (20, "Rue de la République"), (14, "Grande Rue"), (12, "Rue du Général de Gaulle"),
    (12, "Rue Jean Jaurès"), (10, "Rue Victor Hugo"), (9, "Place de la Mairie"),
    (8, "Rue de la Gare"), (8, "Rue Nationale"), (8, "Place du Marché"), (8, "Rue Gambetta"),
    (7, "Rue Pasteur"), (7, "Avenue de la Gare"), (6, "Rue Carnot"), (6, "Place de l'Église"),
    (6, "Rue du Commerce"), (6, "Rue de l'Église"), (5, "Rue Émile Zola"), (5, "Rue des Écoles"),
    (5, "Avenue Jean Jaurès"), (5, "Rue du 8 Mai 1945"), (4, "Rue du Château"),
    (4, "Avenue du Maréchal Leclerc"), (4, "Rue Saint-Martin"), (4, "Place de la Libération"),
    (4, "Rue du Marché"), (3, "Rue Voltaire"), (3, "Boulevard Gambetta"), (3, "Rue Thiers"),
    (3, "Avenue Foch"), (3, "Rue du 11 Novembre"), (3, "Place du Général de Gaulle"),
    (3, "Rue de Verdun"), (3, "Rue Paul Bert"), (3, "Cours de la République"),
]
_FR_CITY: Weighted = [
    (6, "Rue de la République"), (5, "Avenue Jean Jaurès"), (5, "Rue Victor Hugo"),
    (4, "Boulevard Gambetta"), (4, "Rue de Paris"), (4, "Avenue de la République"),
    (3, "Avenue du Général Leclerc"), (3, "Rue Pasteur"), (3, "Rue Nationale"),
    (3, "Rue du Commerce"), (3, "Boulevard Jean Jaurès"), (3, "Boulevard Voltaire"),
    (3, "Boulevard de la Liberté"), (3, "Rue Lafayette"), (3, "Avenue Foch"),
    (2, "Boulevard de la Libération"), (2, "Rue Garibaldi"), (2, "Place de la République"),
]
# The three cities split into arrondissements get some of their own well-known streets,
# each with the postcodes it really runs through.
_FR_CITY_OWN: dict[str, list[tuple[int, str, tuple[str, ...]]]] = {
    "Paris": [
        (5, "Boulevard Voltaire", ("75011",)), (4, "Rue du Faubourg Saint-Antoine", ("75011", "75012")),
        (4, "Rue Oberkampf", ("75011",)), (4, "Rue de la Convention", ("75015",)),
        (4, "Rue de Belleville", ("75019", "75020")), (3, "Avenue d'Italie", ("75013",)),
        (3, "Rue d'Alésia", ("75014",)), (3, "Rue de la Roquette", ("75011",)),
        (3, "Avenue Parmentier", ("75010", "75011")), (3, "Avenue de Saint-Ouen", ("75017", "75018")),
        (3, "Rue des Pyrénées", ("75020",)), (3, "Rue de Vaugirard", ("75006", "75015")),
        (3, "Boulevard de Strasbourg", ("75010",)), (3, "Rue Saint-Charles", ("75015",)),
        (3, "Rue de Rennes", ("75006",)), (2, "Rue Saint-Antoine", ("75004",)),
        (2, "Avenue de Clichy", ("75017",)), (2, "Rue Lecourbe", ("75015",)),
        (3, "Rue de Rivoli", ("75001", "75004")), (3, "Rue Montmartre", ("75001", "75002")),
        (3, "Rue de Bretagne", ("75003",)), (3, "Rue Mouffetard", ("75005",)),
        (3, "Rue Saint-Dominique", ("75007",)), (3, "Rue de Miromesnil", ("75008",)),
        (3, "Rue des Martyrs", ("75009", "75018")), (3, "Rue de Charenton", ("75012",)),
        (3, "Rue de Passy", ("75016",)), (2, "Avenue de Versailles", ("75016",)),
        (3, "Rue Ordener", ("75018",)), (3, "Avenue Jean Jaurès", ("75019",)),
    ],
    "Lyon": [
        (4, "Cours Lafayette", ("69003", "69006")), (4, "Cours Vitton", ("69006",)),
        (3, "Rue de la Part-Dieu", ("69003",)), (3, "Avenue Jean Jaurès", ("69007",)),
        (3, "Rue Paul Bert", ("69003",)), (3, "Grande Rue de la Croix-Rousse", ("69004",)),
        (3, "Cours Gambetta", ("69003", "69007")), (3, "Rue Garibaldi", ("69003", "69006")),
        (2, "Avenue Berthelot", ("69007", "69008")), (3, "Rue de la République", ("69001", "69002")),
        (2, "Rue Victor Hugo", ("69002",)), (2, "Rue Marietton", ("69009",)),
        (2, "Avenue des Frères Lumière", ("69008",)), (2, "Rue Saint-Jean", ("69005",)),
    ],
    "Marseille": [
        (4, "Rue Paradis", ("13001", "13006", "13008")), (4, "La Canebière", ("13001",)),
        (3, "Boulevard Baille", ("13005", "13006")), (3, "Avenue de la Capelette", ("13010",)),
        (3, "Rue de Rome", ("13001", "13006")), (3, "Boulevard Michelet", ("13008", "13009")),
        (3, "Avenue du Prado", ("13006", "13008")), (2, "Rue d'Aubagne", ("13001",)),
        (2, "Boulevard National", ("13001", "13003")), (2, "Avenue de Saint-Just", ("13004", "13013")),
        (2, "Boulevard de Sainte-Marguerite", ("13009",)), (2, "Chemin du Littoral", ("13015", "13016")),
        (2, "Avenue de la Rose", ("13013",)), (2, "Boulevard Chave", ("13005",)),
    ],
}
_FR_EDGE_STREETS: Weighted = [
    (10, "Avenue de l'Europe"), (8, "Rue de l'Industrie"), (6, "Boulevard de l'Europe"),
    (6, "Rue des Artisans"), (5, "Route Nationale"), (5, "Avenue du Général de Gaulle"),
    (4, "Rue Denis Papin"), (4, "Rue Marcel Dassault"), (4, "Avenue de la Libération"),
    (4, "Rue du Commerce"), (3, "Rue Gustave Eiffel"), (3, "Avenue Charles de Gaulle"),
    (3, "Rue Ampère"), (3, "Rue des Frères Lumière"), (3, "Boulevard Jean Moulin"),
]
_FR_ZONE_NAMES: Weighted = [
    (10, "du Moulin"), (8, "des Portes"), (6, "de la Gare"), (6, "du Parc"), (6, "Les Grands Champs"),
    (5, "La Croix Blanche"), (5, "des Vignes"), (5, "du Bois"), (4, "Les Terres Rouges"),
    (4, "de la Plaine"), (4, "du Pont"), (4, "Les Hauts"), (3, "La Maladrerie"), (3, "du Lac"),
    (3, "Saint-Jean"), (3, "Les Prés"), (3, "de l'Étang"), (3, "Nord"), (3, "Sud"), (3, "Est"),
]
_FR_MALL_NAMES: Weighted = [
    (8, "Les Arcades"), (6, "Le Forum"), (6, "Les Portes"), (5, "du Lac"), (5, "Les Halles"),
    (5, "Grand Sud"), (4, "Le Méridien"), (4, "Les Quatre Chemins"), (4, "La Grande Prairie"),
    (4, "Les Océanides"), (3, "Le Millénaire"), (3, "Les Temps Modernes"), (3, "Val de Loire"),
]
_VOWELS = set("AEIOUYÂÊÎÔÛÉÈËÏÜŸ")


def french_de(name: str) -> str:
    """The preposition "de" before a place name: "de Rennes", "d'Avranches", "du Mans", "des Sables-d'Olonne"."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name[:1].upper() in _VOWELS:
        return "d'" + name
    return "de " + name


def _french_street(town: Town, zone: str, fmt: str, neighbours: Sequence[Town], postcode: str,
                   rng: random.Random) -> tuple[str, bool]:
    """(street, has_number)."""
    own = _FR_CITY_OWN.get(town.city)
    if own is not None and zone == "edge":
        # Inside Paris, Lyon or Marseille there are no retail parks or "Route de": a
        # big store sits in a shopping centre or on one of the avenues.
        zone = "centre"
        if rng.randrange(100) < 15:
            malls = [(w, n) for w, n in _FR_MALL_NAMES if n != "Les Portes"]
            return f"Centre Commercial {pick(malls, rng)}", False
    if zone == "edge":
        r = rng.randrange(100)
        big = fmt in ("hypermarket", "cash_and_carry")
        if r < (35 if big else 15):
            name = pick(_FR_ZONE_NAMES, rng)
            if name == "des Portes":
                name = f"des Portes {french_de(town.city)}"
            kind = "ZAC" if rng.randrange(100) < 30 else "Zone Commerciale"
            return f"{kind} {name}", False
        if r < (55 if big else 22):
            name = pick(_FR_MALL_NAMES, rng)
            if name == "Les Portes":
                name = f"Les Portes {french_de(town.city)}"
            return f"Centre Commercial {name}", False
        if neighbours and r < 75:
            other = neighbours[rng.randrange(len(neighbours))]
            road = "Route" if rng.randrange(100) < 70 else "Avenue"
            return f"{road} {french_de(other.city)}", True
        return pick(_FR_EDGE_STREETS, rng), True
    if own:
        fitting = [(weight, street) for weight, street, codes in own if postcode in codes]
        if fitting and rng.randrange(100) < 70:
            return pick(fitting, rng), True
        # Generic big-city streets, minus the city's own name and its streets that run
        # through other arrondissements.
        elsewhere = {street for _, street, codes in own if postcode not in codes}
        generic = [(w, st) for w, st in _FR_CITY if st not in elsewhere and not st.endswith(" " + town.city)]
        return pick(generic, rng), True
    if town.city_population >= 100_000 and rng.randrange(100) < 50:
        return pick(_FR_CITY, rng), True
    if town.region_code in ("FR-GES", "FR-BFC") and rng.randrange(100) < 15:
        return "Rue Principale", True
    if town.population < 2000 and rng.randrange(100) < 40:
        return pick([(4, "Place de la Mairie"), (3, "Place de l'Église"), (3, "Grande Rue"),
                     (2, "Rue Principale"), (2, "Le Bourg")], rng), True
    return pick(_FR_CENTRE, rng), True


def _french_number(street: str, rng: random.Random) -> str:
    n = 1 + int(rng.random() ** 2 * (25 if street.startswith("Place") else 150))
    r = rng.randrange(100)
    if r < 5:
        return f"{n} bis"
    if r < 6:
        return f"{n} ter"
    return str(n)


def street_address(town: Town, zone: str, fmt: str, neighbours: Sequence[Town], postcode: str,
                   rng: random.Random) -> tuple[str, str | None]:
    """``(street, house_number)`` for an outlet in ``town`` (``zone``: "centre"/"edge")."""
    if town.country == "DE":
        street = _german_street(town, zone, neighbours, rng)
        return street, _german_number(street, zone, rng)
    street, numbered = _french_street(town, zone, fmt, neighbours, postcode, rng)
    if not numbered or street == "Le Bourg" or rng.randrange(100) < 4:
        return street, None
    return street, _french_number(street, rng)
