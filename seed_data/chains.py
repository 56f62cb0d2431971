"""The retail chains (and kinds of independent shop) the generator distributes, per country.

``stores`` is the chain's real approximate number of outlets in that country
(2023-2024, rounded), from the source named in the comment: the chains' own
publications, trade press (Lebensmittel Zeitung, LSA), or the Wikipedia article of the
chain when that cites them. Independent shops (kiosks, épiceries...) are estimates sized
so that the country totals stay plausible for grocery-type outlets; they are marked as
such. The sum of ``stores`` is the natural size of the generated set.

The placement fields encode where a chain really trades:

* ``regions``: multiplier in percent per ISO region code (missing codes use
  ``default_region``; 0 excludes the region), e.g. Netto (Salling) only in the
  north-east, Franprix mostly in Île-de-France;
* ``where``: an extra geographic rule (Aldi Nord/Süd border, Budni around Hamburg);
* ``min_pop``/``max_pop`` and ``weight_quarters`` (population exponent in quarters:
  4 = proportional to population, 2 = square root, 5+ = big-city bias) choose the
  towns; ``zone`` says where inside a town (centre, edge, mixed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from seed_data import geo
from seed_data.places import Town

FORMATS = ("hypermarket", "supermarket", "discount", "convenience", "drugstore",
           "cash_and_carry", "specialist")


@dataclass(frozen=True)
class Chain:
    key: str
    country: str
    banner: str | None
    group: str | None
    format: str
    stores: int
    area: tuple[int, int] | None
    website: str | None
    source: str
    hours: str
    naming: str = "plain"
    name: str | None = None          # store-front name when it differs from the banner
    owner_share: int = 0             # % named after the owner ("EDEKA Schneider")
    town_share: int = 0              # % named after the town ("E.Leclerc Fougères")
    zone: str = "mixed"
    min_pop: int = 0
    max_pop: int | None = None
    weight_quarters: int = 4
    regions: dict[str, int] = field(default_factory=dict)
    default_region: int = 100
    where: Callable[[Town], bool] | None = None
    group_by_region: dict[str, str] = field(default_factory=dict)
    website_by_region: dict[str, str] = field(default_factory=dict)
    phone_share: int = 85            # % of outlets with a published phone number
    area_missing: int = 6            # % of outlets without a known sales area
    unverified: int = 3              # % of outlets with status "unverified"

    def region_weight(self, town: Town) -> int:
        if self.where is not None and not self.where(town):
            return 0
        return self.regions.get(town.region_code, self.default_region)

    def group_for(self, town: Town) -> str | None:
        return self.group_by_region.get(town.region_code, self.group)

    def website_for(self, town: Town) -> str | None:
        return self.website_by_region.get(town.region_code, self.website)


# -- Geographic rules -----------------------------------------------------------------

_ALDI_SUED_STATES = {"DE-BW", "DE-BY", "DE-HE", "DE-RP", "DE-SL"}


def aldi_sued_area(town: Town) -> bool:
    """The "Aldi equator": Aldi Süd trades in the south and west.

    In Nordrhein-Westfalen the line runs between Mülheim (Süd) and Essen (Nord): the
    Rhineland west of ~6.95°E and everything south of ~51.3°N (Köln, Bonn, Wuppertal,
    Siegen) is Süd; the Ruhr east of Mülheim, Münsterland, Ostwestfalen are Nord.
    """
    if town.region_code in _ALDI_SUED_STATES:
        return True
    if town.region_code == "DE-NW":
        return town.lon < 6.95 or town.lat < 51.3
    return False


def aldi_nord_area(town: Town) -> bool:
    return not aldi_sued_area(town)


def near_hamburg(town: Town) -> bool:
    return geo.distance_km(town.lat, town.lon, 53.5503, 9.9930) <= 45.0


def tegut_area(town: Town) -> bool:
    # Hessen and Thüringen, plus Lower Franconia (north-western Bavaria).
    if town.region_code in ("DE-HE", "DE-TH"):
        return True
    return town.region_code == "DE-BY" and town.lon < 10.6 and town.lat > 49.6


def allgaeu(town: Town) -> bool:
    return (town.region_code == "DE-BY" and town.lon < 10.95 and town.lat < 48.3) or (
        town.region_code == "DE-BW" and town.lon > 9.6 and town.lat < 47.95)


def southern_bavaria(town: Town) -> bool:
    return town.region_code == "DE-BY" and town.lat < 48.6 and town.lon < 11.8


def muensterland(town: Town) -> bool:
    return (town.region_code == "DE-NW" and town.lat > 51.7) or (
        town.region_code == "DE-NI" and town.lat < 52.8 and town.lon < 8.5)


def northern_germany(town: Town) -> bool:
    return town.region_code in ("DE-NI", "DE-HB") or (town.region_code == "DE-NW" and town.lat > 51.9)


_ALPS_PYRENEES = {"73": 300, "74": 300, "05": 250, "38": 120, "04": 120, "06": 80,
                  "65": 100, "66": 80, "09": 80, "64": 50, "31": 30}


def mountains(town: Town) -> bool:
    return town.subdivision in _ALPS_PYRENEES


# Region groups used in several weight tables.
_EAST = {"DE-SN": 150, "DE-ST": 150, "DE-TH": 150, "DE-BB": 150, "DE-MV": 150, "DE-BE": 120}


def _c(*args, **kwargs) -> Chain:
    return Chain(*args, **kwargs)


CHAINS: tuple[Chain, ...] = (
    # ================================ Germany ========================================
    # EDEKA-Verbund: ~11,000 outlets in 2023 incl. Netto MD; EDEKA-branded
    # supermarkets mostly run by independent merchants. Source: edeka-verbund.de,
    # Unternehmensbericht 2023; Wikipedia (de) "Edeka", 2024.
    _c("de.edeka", "DE", "EDEKA", "EDEKA-Verbund", "supermarket", 5300, (600, 2500),
       "https://www.edeka.de", "edeka-verbund.de, Unternehmensbericht 2023", "de_super",
       naming="owner", owner_share=70, min_pop=1200, regions={"DE-BY": 140, "DE-BW": 140}),
    # E center: EDEKA's large supermarkets/hypermarkets. Source: Wikipedia (de) "Edeka", 2024.
    _c("de.ecenter", "DE", "E center", "EDEKA-Verbund", "hypermarket", 550, (2500, 6500),
       "https://www.edeka.de", "Wikipedia (de) 'Edeka', 2024", "de_hyper",
       naming="owner", owner_share=35, zone="edge", min_pop=12000, weight_quarters=2),
    # Marktkauf (EDEKA Minden-Hannover, Rhein-Ruhr, Nordbayern). Source: Wikipedia (de) "Marktkauf", 2024.
    _c("de.marktkauf", "DE", "Marktkauf", "EDEKA-Verbund", "hypermarket", 140, (4000, 10000),
       "https://www.marktkauf.de", "Wikipedia (de) 'Marktkauf Holding', 2024", "de_hyper",
       zone="edge", min_pop=15000, weight_quarters=2,
       regions={"DE-NI": 250, "DE-NW": 200, "DE-BY": 120, "DE-SN": 60, "DE-ST": 60, "DE-HE": 60,
                "DE-SH": 50, "DE-TH": 40}, default_region=15),
    # nah & gut: EDEKA's village-shop banner. Source: edeka.de (Nahversorger), 2023.
    _c("de.nahgut", "DE", "nah & gut", "EDEKA-Verbund", "convenience", 650, (250, 800),
       "https://www.edeka.de", "edeka.de, nah & gut Nahversorgerkonzept, 2023", "de_village",
       naming="owner", owner_share=90, zone="centre", min_pop=500, max_pop=8000, weight_quarters=2,
       regions={"DE-BY": 160, "DE-BW": 150, "DE-HE": 120, "DE-RP": 120, "DE-TH": 100, "DE-SN": 100},
       default_region=40, phone_share=70),
    # Netto Marken-Discount (EDEKA). Source: netto-online.de, Unternehmen 2024 (~4,300 Filialen).
    _c("de.nettomd", "DE", "Netto Marken-Discount", "EDEKA-Verbund", "discount", 4300, (800, 1200),
       "https://www.netto-online.de", "netto-online.de, Unternehmensprofil 2024", "de_discount",
       zone="mixed", min_pop=1500, regions={"DE-BY": 140, **_EAST}, phone_share=20),
    # REWE supermarkets. Source: rewe-group.com, Geschäftsbericht 2023 (~3,800 REWE-Märkte).
    _c("de.rewe", "DE", "REWE", "REWE Group", "supermarket", 3800, (800, 2500),
       "https://www.rewe.de", "rewe-group.com, Geschäftsbericht 2023", "de_super",
       naming="rewe", owner_share=25, min_pop=3000),
    # nahkauf: REWE's small-town banner. Source: Wikipedia (de) "Nahkauf", 2024.
    _c("de.nahkauf", "DE", "nahkauf", "REWE Group", "supermarket", 850, (300, 800),
       "https://www.nahkauf.de", "Wikipedia (de) 'Nahkauf', 2024", "de_village",
       naming="owner", owner_share=50, zone="centre", min_pop=800, max_pop=20000, weight_quarters=2),
    # REWE To Go: ~900 shops at Aral filling stations (Aral/Lekkerland, July 2023) plus
    # REWE's own shops at stations. Source: Aral press release 2023.
    _c("de.rewetogo", "DE", "REWE To Go", "REWE Group", "convenience", 1000, (60, 200),
       "https://www.rewe-to-go.de", "Aral/Lekkerland press release, July 2023 (~900 at Aral)",
       "de_togo", zone="edge", min_pop=8000, weight_quarters=4, phone_share=60, area_missing=30),
    # PENNY. Source: penny.de, Unternehmen 2024 (~2,150 Filialen).
    _c("de.penny", "DE", "PENNY", "REWE Group", "discount", 2150, (700, 1100),
       "https://www.penny.de", "penny.de, Unternehmensprofil 2024", "de_discount",
       zone="mixed", min_pop=2000, phone_share=15),
    # Lidl. Source: lidl.de, Unternehmensprofil 2024 (~3,250 Filialen).
    _c("de.lidl", "DE", "Lidl", "Schwarz Gruppe", "discount", 3250, (800, 1400),
       "https://www.lidl.de", "lidl.de, Unternehmensprofil 2024", "de_discount",
       zone="edge", min_pop=3000, phone_share=10),
    # Kaufland. Source: kaufland.de, Unternehmen 2024 (~770 Filialen).
    _c("de.kaufland", "DE", "Kaufland", "Schwarz Gruppe", "hypermarket", 770, (2500, 10000),
       "https://www.kaufland.de", "kaufland.de, Unternehmensprofil 2024", "de_hyper",
       zone="edge", min_pop=12000, weight_quarters=3, regions={**_EAST, "DE-BW": 130}, phone_share=70),
    # Aldi Nord. Source: aldi-nord.de, Unternehmensgruppe 2024 (~2,200 Filialen in DE).
    _c("de.aldinord", "DE", "Aldi Nord", "Aldi Nord", "discount", 2200, (800, 1200),
       "https://www.aldi-nord.de", "aldi-nord.de, Unternehmensprofil 2024", "de_discount",
       zone="edge", min_pop=3000, where=aldi_nord_area, phone_share=5),
    # Aldi Süd. Source: aldi-sued.de, Unternehmensgruppe 2024 (~1,950 Filialen in DE).
    _c("de.aldisued", "DE", "Aldi Süd", "Aldi Süd", "discount", 1950, (900, 1300),
       "https://www.aldi-sued.de", "aldi-sued.de, Unternehmensprofil 2024", "de_discount",
       zone="edge", min_pop=3000, where=aldi_sued_area, phone_share=5),
    # Netto (Salling Group, dog logo): 342 stores in the east and north, 2024.
    # Source: Netto press release, October 2024.
    _c("de.netto", "DE", "Netto", "Salling Group", "discount", 342, (600, 1000),
       "https://www.netto.de", "Netto Deutschland press release, October 2024 (342 Märkte)",
       "de_discount", zone="mixed", min_pop=1500,
       regions={"DE-MV": 400, "DE-BB": 250, "DE-BE": 150, "DE-HH": 60, "DE-SH": 80, "DE-SN": 60,
                "DE-ST": 50, "DE-NI": 10}, default_region=0, phone_share=10),
    # Norma. Source: norma-online.de, Unternehmen 2024 (~1,300 Filialen in DE).
    _c("de.norma", "DE", "Norma", "Norma", "discount", 1300, (700, 1100),
       "https://www.norma-online.de", "norma-online.de, Unternehmensprofil 2024", "de_discount",
       zone="mixed", min_pop=2500,
       regions={"DE-BY": 300, "DE-BW": 120, "DE-HE": 120, "DE-TH": 120, "DE-SN": 120, "DE-RP": 100,
                "DE-SL": 100, "DE-ST": 80, "DE-NW": 50, "DE-BB": 40, "DE-BE": 30, "DE-NI": 30},
       default_region=10, phone_share=10),
    # Globus SB-Warenhaus. Source: globus.de, Unternehmen 2024 (61 Märkte in DE).
    _c("de.globus", "DE", "Globus", "Globus Holding", "hypermarket", 61, (6000, 15000),
       "https://www.globus.de", "globus.de, Unternehmensprofil 2024", "de_hyper",
       zone="edge", min_pop=15000, weight_quarters=2,
       regions={"DE-SL": 400, "DE-RP": 250, "DE-HE": 150, "DE-TH": 150, "DE-SN": 120, "DE-ST": 100,
                "DE-BW": 80, "DE-BY": 60, "DE-NW": 40}, default_region=0),
    # Metro Cash & Carry Deutschland. Source: metroag.de, Annual Report 2022/23 (~100 stores).
    _c("de.metro", "DE", "Metro", "Metro AG", "cash_and_carry", 100, (8000, 16000),
       "https://www.metro.de", "METRO AG Annual Report 2022/23", "de_cc",
       zone="edge", min_pop=80000, weight_quarters=3, area_missing=2),
    # Selgros (Transgourmet/Coop). Source: Wikipedia (de) "Selgros", 2024 (~35 Märkte in DE).
    _c("de.selgros", "DE", "Selgros", "Transgourmet", "cash_and_carry", 35, (8000, 14000),
       "https://www.selgros.de", "Wikipedia (de) 'Selgros Cash & Carry', 2024", "de_cc",
       zone="edge", min_pop=60000, weight_quarters=3, area_missing=2),
    # dm-drogerie markt. Source: dm.de, Geschäftsjahr 2023/24 (~2,100 Märkte in DE).
    _c("de.dm", "DE", "dm", "dm-drogerie markt", "drugstore", 2100, (400, 900),
       "https://www.dm.de", "dm.de, Geschäftsjahr 2023/24", "de_drug", name="dm-drogerie markt",
       zone="centre", min_pop=7000, regions={"DE-BW": 150, "DE-BY": 130}),
    # Rossmann. Source: rossmann.de, Unternehmen 2023 (~2,250 Filialen in DE).
    _c("de.rossmann", "DE", "Rossmann", "Dirk Rossmann GmbH", "drugstore", 2250, (350, 800),
       "https://www.rossmann.de", "rossmann.de, Unternehmensprofil 2023", "de_drug",
       zone="centre", min_pop=5000, regions={"DE-NI": 150, **_EAST}),
    # Müller Drogerie. Source: Wikipedia (de) "Müller Handels GmbH", 2024 (~550 in DE).
    _c("de.mueller", "DE", "Müller", "Müller Handels GmbH", "drugstore", 550, (800, 3500),
       "https://www.mueller.de", "Wikipedia (de) 'Müller Handels GmbH', 2024", "de_drug",
       zone="centre", min_pop=20000, regions={"DE-BY": 250, "DE-BW": 250}, default_region=50),
    # Budni (Iwan Budnikowsky). Source: budni.de, 2023 (~190 Filialen, Hamburg region).
    _c("de.budni", "DE", "Budni", "Iwan Budnikowsky", "drugstore", 190, (300, 700),
       "https://www.budni.de", "budni.de, Unternehmen 2023", "de_drug",
       zone="centre", min_pop=3000, where=near_hamburg,
       regions={"DE-HH": 300, "DE-SH": 100, "DE-NI": 60}, default_region=0),
    # tegut (Migros Zürich). Source: tegut.com, Unternehmen 2023 (~300 Märkte).
    _c("de.tegut", "DE", "tegut", "Migros", "supermarket", 300, (600, 1800),
       "https://www.tegut.com", "tegut.com, Unternehmensprofil 2023", "de_super",
       zone="mixed", min_pop=2000, where=tegut_area, regions={"DE-HE": 300, "DE-TH": 150}),
    # denn's Biomarkt (dennree). Source: Wikipedia (de) "Dennree", 2024 (~560 in DE).
    _c("de.denns", "DE", "denn's Biomarkt", "dennree", "specialist", 560, (300, 650),
       "https://www.denns-biomarkt.de", "Wikipedia (de) 'Dennree', 2024", "de_bio",
       zone="centre", min_pop=15000, regions={"DE-BY": 150}),
    # Alnatura. Source: alnatura.de, Unternehmen 2023/24 (~150 Super Natur Märkte).
    _c("de.alnatura", "DE", "Alnatura", "Alnatura", "specialist", 150, (400, 800),
       "https://www.alnatura.de", "alnatura.de, Unternehmensprofil 2023/24", "de_bio",
       name="Alnatura Super Natur Markt", zone="centre", min_pop=50000,
       regions={"DE-BW": 200, "DE-HE": 200, "DE-BY": 120}, default_region=60),
    # Bio Company. Source: Wikipedia (de) "Bio Company", 2024 (~60 Märkte).
    _c("de.biocompany", "DE", "Bio Company", "Bio Company", "specialist", 60, (400, 800),
       "https://www.biocompany.de", "Wikipedia (de) 'Bio Company', 2024", "de_bio",
       zone="centre", min_pop=50000,
       regions={"DE-BE": 400, "DE-BB": 60, "DE-HH": 30, "DE-SN": 20}, default_region=0),
    # famila (Bartels-Langness in the north-east, Bünting in the north-west).
    # Source: Wikipedia (de) "Famila", 2024 (~90 Warenhäuser).
    _c("de.famila", "DE", "famila", "Bartels-Langness", "hypermarket", 90, (2500, 8000),
       "https://www.famila-nordost.de", "Wikipedia (de) 'Famila', 2024", "de_hyper",
       zone="edge", min_pop=8000, weight_quarters=3,
       regions={"DE-SH": 300, "DE-NI": 200, "DE-MV": 150, "DE-HH": 50, "DE-HB": 50, "DE-ST": 20},
       default_region=0, group_by_region={"DE-NI": "Bünting", "DE-HB": "Bünting", "DE-ST": "Bünting"},
       website_by_region={"DE-NI": "https://www.famila-nordwest.de", "DE-HB": "https://www.famila-nordwest.de",
                          "DE-ST": "https://www.famila-nordwest.de"}),
    # combi (Bünting). Source: Wikipedia (de) "Bünting", 2024 (~190 combi-Märkte).
    _c("de.combi", "DE", "combi", "Bünting", "supermarket", 190, (800, 1800),
       "https://www.combi.de", "Wikipedia (de) 'J. Bünting Beteiligungs AG', 2024", "de_super",
       zone="mixed", min_pop=2000, weight_quarters=3, where=northern_germany),
    # HIT (Dohle). Source: hit.de, Unternehmen 2024 (~140 Märkte).
    _c("de.hit", "DE", "Hit", "Dohle Handelsgruppe", "supermarket", 140, (1500, 4000),
       "https://www.hit.de", "hit.de, Unternehmensprofil 2024", "de_super", name="HIT",
       zone="mixed", min_pop=10000,
       regions={"DE-NW": 300, "DE-RP": 100, "DE-HE": 60, "DE-BY": 30, "DE-SN": 30}, default_region=0),
    # Wasgau. Source: Wikipedia (de) "Wasgau Produktions & Handels AG", 2024 (~70 Märkte).
    _c("de.wasgau", "DE", "Wasgau", "Wasgau Produktions & Handels AG", "supermarket", 70, (800, 2000),
       "https://www.wasgau-ag.de", "Wikipedia (de) 'Wasgau Produktions & Handels AG', 2024", "de_super",
       zone="mixed", min_pop=2000, weight_quarters=3, regions={"DE-RP": 300, "DE-SL": 200}, default_region=0),
    # Feneberg (Allgäu). Source: Wikipedia (de) "Feneberg Lebensmittel", 2024 (~70 Filialen).
    _c("de.feneberg", "DE", "Feneberg", "Feneberg Lebensmittel", "supermarket", 70, (600, 1500),
       "https://www.feneberg.de", "Wikipedia (de) 'Feneberg Lebensmittel', 2024", "de_super",
       zone="mixed", min_pop=1500, weight_quarters=3, where=allgaeu),
    # V-Markt (Georg Jos. Kaes). Source: Wikipedia (de) "V-Markt", 2024 (~30 Märkte).
    _c("de.vmarkt", "DE", "V-Markt", "Georg Jos. Kaes", "hypermarket", 30, (3000, 8000),
       "https://www.v-markt.de", "Wikipedia (de) 'V-Markt', 2024", "de_hyper",
       zone="edge", min_pop=8000, weight_quarters=2, where=southern_bavaria),
    # K+K Klaas & Kock. Source: Wikipedia (de) "Klaas + Kock", 2024 (~200 Filialen).
    _c("de.kk", "DE", "K+K", "Klaas + Kock", "supermarket", 200, (600, 1500),
       "https://www.klaas-und-kock.de", "Wikipedia (de) 'Klaas + Kock', 2024", "de_super",
       zone="mixed", min_pop=2000, weight_quarters=3, where=muensterland),
    # Mix Markt (Monolith group): Eastern European groceries. Source: mixmarkt.eu, 2021 (~180 in DE).
    _c("de.mixmarkt", "DE", "Mix Markt", "Monolith Gruppe", "specialist", 180, (200, 700),
       "https://www.mixmarkt.de", "mixmarkt.eu news, 2021 (180 Märkte in DE)", "de_grocer",
       zone="mixed", min_pop=20000),
    # Independents (estimates): kiosks, Spätis, Trinkhallen — the long tail of FMCG
    # outlets in towns and cities.
    _c("de.kiosk", "DE", None, None, "convenience", 2800, (15, 80), None,
       "estimate (independents)", "de_kiosk", naming="kiosk_de", zone="centre", min_pop=8000,
       weight_quarters=5, regions={"DE-NW": 160, "DE-BE": 170, "DE-HH": 120},
       phone_share=25, area_missing=60, unverified=12),
    # Independent grocers: Turkish, Asian, Eastern European food shops and corner stores.
    _c("de.grocer", "DE", None, None, "convenience", 1100, (60, 400), None,
       "estimate (independents)", "de_grocer", naming="grocer_de", zone="centre", min_pop=15000,
       weight_quarters=5, phone_share=45, area_missing=40, unverified=12),
    # Independent supermarkets (family-run, often Turkish-owned, 400-1,000 m²).
    _c("de.indiesuper", "DE", None, None, "supermarket", 300, (300, 1000), None,
       "estimate (independents)", "de_grocer", naming="indiesuper_de", zone="mixed", min_pop=30000,
       weight_quarters=5, phone_share=60, area_missing=30, unverified=10),
    # Village shops run by communities or cooperatives (Dorfladen).
    _c("de.dorfladen", "DE", None, None, "convenience", 300, (60, 250), None,
       "estimate (independents)", "de_village_shop", naming="dorfladen", zone="centre",
       min_pop=400, max_pop=4000, weight_quarters=1,
       regions={"DE-BY": 150, "DE-BW": 150, "DE-HE": 120, "DE-NI": 120}, default_region=60,
       phone_share=60, area_missing=40, unverified=12),
    # ================================= France ========================================
    # Carrefour hypermarkets. Source: carrefour.com, Document d'enregistrement universel 2023.
    _c("fr.carrefour", "FR", "Carrefour", "Groupe Carrefour", "hypermarket", 255, (5000, 16000),
       "https://www.carrefour.fr", "carrefour.com, Document d'enregistrement universel 2023", "fr_hyper",
       naming="town", town_share=60, zone="edge", min_pop=15000, weight_quarters=2),
    # Carrefour Market. Source: idem (~1,030 supermarchés).
    _c("fr.carrefourmarket", "FR", "Carrefour Market", "Groupe Carrefour", "supermarket", 1030,
       (1200, 3500), "https://www.carrefour.fr", "carrefour.com, DEU 2023", "fr_super",
       naming="town", town_share=15, zone="mixed", min_pop=3000, weight_quarters=3),
    # Carrefour City. Source: Wikipedia (fr) "Carrefour City", 2024 (~900).
    _c("fr.carrefourcity", "FR", "Carrefour City", "Groupe Carrefour", "convenience", 900, (150, 500),
       "https://www.carrefour.fr", "Wikipedia (fr) 'Carrefour City', 2024", "fr_city",
       zone="centre", min_pop=20000, weight_quarters=5),
    # Carrefour Express. Source: Wikipedia (fr) "Carrefour Express", 2024 (~1,000).
    _c("fr.carrefourexpress", "FR", "Carrefour Express", "Groupe Carrefour", "convenience", 1000,
       (100, 400), "https://www.carrefour.fr", "Wikipedia (fr) 'Carrefour Express', 2024", "fr_city",
       zone="centre", min_pop=3000, weight_quarters=4),
    # Carrefour Contact (small towns). Source: Wikipedia (fr) "Carrefour Contact", 2024.
    _c("fr.carrefourcontact", "FR", "Carrefour Contact", "Groupe Carrefour", "supermarket", 650,
       (400, 1000), "https://www.carrefour.fr", "Wikipedia (fr) 'Carrefour Contact', 2024", "fr_rural_super",
       zone="mixed", min_pop=800, max_pop=12000, weight_quarters=2),
    # Promocash (Carrefour's cash & carry). Source: Wikipedia (fr) "Promocash", 2024 (~140).
    _c("fr.promocash", "FR", "Promocash", "Groupe Carrefour", "cash_and_carry", 140, (1500, 4000),
       "https://www.promocash.com", "Wikipedia (fr) 'Promocash', 2024", "fr_cc",
       zone="edge", min_pop=15000, weight_quarters=2),
    # Bio c' Bon (Carrefour since 2020). Source: Wikipedia (fr) "Bio c' Bon", 2024 (~100).
    _c("fr.biocbon", "FR", "Bio c' Bon", "Groupe Carrefour", "specialist", 100, (150, 400),
       "https://www.bio-c-bon.eu", "Wikipedia (fr) 'Bio c' Bon', 2024", "fr_bio",
       zone="centre", min_pop=40000, weight_quarters=5, regions={"FR-IDF": 400}),
    # E.Leclerc (independent cooperative). Source: e.leclerc, Mouvement E.Leclerc 2023 (~720 hypers/supers).
    _c("fr.leclerc", "FR", "E.Leclerc", "Mouvement E.Leclerc", "hypermarket", 720, (2500, 12000),
       "https://www.e.leclerc", "Mouvement E.Leclerc, chiffres clés 2023", "fr_hyper",
       naming="town", town_share=60, zone="edge", min_pop=7000, weight_quarters=2,
       regions={"FR-BRE": 220, "FR-PDL": 150, "FR-NAQ": 130, "FR-OCC": 110}),
    # E.Leclerc Express. Source: Wikipedia (fr) "E.Leclerc", 2024 (~110).
    _c("fr.leclercexpress", "FR", "E.Leclerc Express", "Mouvement E.Leclerc", "supermarket", 110,
       (400, 1500), "https://www.e.leclerc", "Wikipedia (fr) 'E.Leclerc', 2024", "fr_super",
       zone="mixed", min_pop=2000, max_pop=30000, weight_quarters=2),
    # Intermarché (Les Mousquetaires): ~1,850 in 2023, split by format.
    # Source: mousquetaires.com, chiffres clés 2023; Wikipedia (fr) "Intermarché", 2024.
    _c("fr.intermarchehyper", "FR", "Intermarché Hyper", "Les Mousquetaires", "hypermarket", 70,
       (4000, 8000), "https://www.intermarche.com", "mousquetaires.com, chiffres clés 2023", "fr_hyper",
       naming="town", town_share=30, zone="edge", min_pop=15000, weight_quarters=2),
    _c("fr.intermarchesuper", "FR", "Intermarché Super", "Les Mousquetaires", "supermarket", 1350,
       (1000, 2500), "https://www.intermarche.com", "mousquetaires.com, chiffres clés 2023", "fr_super",
       naming="town", town_share=25, zone="mixed", min_pop=2500, weight_quarters=3,
       regions={"FR-BRE": 150, "FR-PDL": 130, "FR-NOR": 120}),
    _c("fr.intermarchecontact", "FR", "Intermarché Contact", "Les Mousquetaires", "supermarket", 260,
       (400, 1000), "https://www.intermarche.com", "mousquetaires.com, chiffres clés 2023", "fr_rural_super",
       zone="mixed", min_pop=600, max_pop=6000, weight_quarters=2),
    _c("fr.intermarcheexpress", "FR", "Intermarché Express", "Les Mousquetaires", "convenience", 170,
       (150, 400), "https://www.intermarche.com", "mousquetaires.com, chiffres clés 2023", "fr_city",
       zone="centre", min_pop=10000, weight_quarters=4),
    # Netto France (Les Mousquetaires). Source: Wikipedia (fr) "Netto (France)", 2024 (~300).
    _c("fr.netto", "FR", "Netto", "Les Mousquetaires", "discount", 300, (700, 1000),
       "https://www.netto.fr", "Wikipedia (fr) 'Netto (France)', 2024", "fr_discount",
       zone="edge", min_pop=3000, weight_quarters=3, phone_share=60),
    # Coopérative U. Source: magasins-u.com, Coopérative U chiffres clés 2023 (~1,770 magasins).
    _c("fr.hyperu", "FR", "Hyper U", "Coopérative U", "hypermarket", 70, (4000, 9000),
       "https://www.magasins-u.com", "Coopérative U, chiffres clés 2023", "fr_hyper",
       naming="town", town_share=70, zone="edge", min_pop=10000, weight_quarters=2,
       regions={"FR-PDL": 250, "FR-BRE": 200, "FR-NAQ": 130, "FR-CVL": 130, "FR-IDF": 40}, default_region=80),
    _c("fr.superu", "FR", "Super U", "Coopérative U", "supermarket", 750, (1200, 3500),
       "https://www.magasins-u.com", "Coopérative U, chiffres clés 2023", "fr_super",
       naming="town", town_share=50, zone="mixed", min_pop=2000, weight_quarters=3,
       regions={"FR-PDL": 250, "FR-BRE": 200, "FR-NAQ": 130, "FR-CVL": 130, "FR-NOR": 120, "FR-IDF": 40},
       default_region=80),
    _c("fr.uexpress", "FR", "U Express", "Coopérative U", "convenience", 750, (200, 800),
       "https://www.magasins-u.com", "Coopérative U, chiffres clés 2023", "fr_city",
       zone="centre", min_pop=1500, weight_quarters=3,
       regions={"FR-PDL": 200, "FR-BRE": 180, "FR-NAQ": 120, "FR-IDF": 80}),
    _c("fr.utile", "FR", "Utile", "Coopérative U", "convenience", 200, (150, 500),
       "https://www.magasins-u.com", "Coopérative U, chiffres clés 2023", "fr_rural",
       zone="centre", min_pop=400, max_pop=5000, weight_quarters=2,
       regions={"FR-PDL": 200, "FR-BRE": 180, "FR-NAQ": 130}),
    # Auchan Retail France. Source: auchan-retail.com, 2023; LSA 2024 (after the Casino takeovers).
    _c("fr.auchan", "FR", "Auchan", "Auchan Retail", "hypermarket", 120, (6000, 20000),
       "https://www.auchan.fr", "auchan-retail.com, chiffres 2023", "fr_hyper",
       naming="town", town_share=40, zone="edge", min_pop=40000, weight_quarters=2,
       regions={"FR-HDF": 250, "FR-IDF": 150, "FR-GES": 100}, default_region=70),
    _c("fr.auchansuper", "FR", "Auchan Supermarché", "Auchan Retail", "supermarket", 260, (1000, 2500),
       "https://www.auchan.fr", "auchan-retail.com, chiffres 2023; LSA 2024", "fr_super",
       zone="mixed", min_pop=5000, weight_quarters=3,
       regions={"FR-HDF": 200, "FR-IDF": 150, "FR-PAC": 120}, default_region=80),
    _c("fr.myauchan", "FR", "My Auchan", "Auchan Retail", "convenience", 340, (100, 400),
       "https://www.auchan.fr", "auchan-retail.com, chiffres 2023", "fr_city",
       zone="centre", min_pop=5000, weight_quarters=4, regions={"FR-HDF": 200, "FR-IDF": 180}),
    # Groupe Casino (proximity and city banners kept after the 2024 restructuring).
    # Source: groupe-casino.fr, Document d'enregistrement universel 2023.
    _c("fr.monoprix", "FR", "Monoprix", "Groupe Casino", "supermarket", 320, (900, 3500),
       "https://www.monoprix.fr", "groupe-casino.fr, DEU 2023", "fr_monoprix",
       zone="centre", min_pop=20000, weight_quarters=5, regions={"FR-IDF": 250}),
    _c("fr.monop", "FR", "Monop'", "Groupe Casino", "convenience", 160, (150, 400),
       "https://www.monoprix.fr", "groupe-casino.fr, DEU 2023", "fr_city",
       zone="centre", min_pop=80000, weight_quarters=5, regions={"FR-IDF": 400}),
    _c("fr.franprix", "FR", "Franprix", "Groupe Casino", "convenience", 900, (200, 600),
       "https://www.franprix.fr", "groupe-casino.fr, DEU 2023 (~90% in Île-de-France)", "fr_city",
       zone="centre", min_pop=10000, weight_quarters=4,
       regions={"FR-IDF": 900, "FR-PAC": 25, "FR-ARA": 20, "FR-20R": 40}, default_region=0),
    _c("fr.vival", "FR", "Vival", "Groupe Casino", "convenience", 1800, (60, 200),
       "https://www.vival.fr", "groupe-casino.fr, DEU 2023", "fr_rural",
       zone="centre", min_pop=250, max_pop=8000, weight_quarters=1, regions={"FR-20R": 250},
       phone_share=75),
    _c("fr.spar", "FR", "Spar", "Groupe Casino", "convenience", 900, (150, 500),
       "https://www.spar.fr", "groupe-casino.fr, DEU 2023", "fr_rural",
       zone="centre", min_pop=800, max_pop=40000, weight_quarters=2,
       regions={"FR-PAC": 200, "FR-ARA": 200, "FR-OCC": 150, "FR-20R": 300}, default_region=60),
    _c("fr.petitcasino", "FR", "Le Petit Casino", "Groupe Casino", "convenience", 400, (80, 250),
       "https://www.casino.fr", "groupe-casino.fr, DEU 2023", "fr_rural",
       zone="centre", min_pop=500, max_pop=40000, weight_quarters=2,
       regions={"FR-ARA": 200, "FR-PAC": 200, "FR-OCC": 120, "FR-BFC": 100}, default_region=40),
    _c("fr.casinoshop", "FR", "Casino Shop", "Groupe Casino", "convenience", 350, (100, 300),
       "https://www.casino.fr", "groupe-casino.fr, DEU 2023", "fr_city",
       zone="centre", min_pop=10000, weight_quarters=4,
       regions={"FR-ARA": 200, "FR-PAC": 200, "FR-IDF": 150}, default_region=40),
    _c("fr.naturalia", "FR", "Naturalia", "Groupe Casino", "specialist", 200, (150, 400),
       "https://www.naturalia.fr", "groupe-casino.fr, DEU 2023", "fr_bio",
       zone="centre", min_pop=50000, weight_quarters=5, regions={"FR-IDF": 600}, default_region=20),
    _c("fr.sherpa", "FR", "Sherpa", "Groupe Casino", "convenience", 100, (150, 600),
       "https://www.sherpa.net", "groupe-casino.fr, DEU 2023", "fr_rural",
       zone="centre", min_pop=300, max_pop=15000, weight_quarters=1, where=mountains,
       phone_share=80),
    # Lidl France. Source: lidl.fr, Qui sommes-nous 2024 (~1,600 magasins).
    _c("fr.lidl", "FR", "Lidl", "Schwarz Gruppe", "discount", 1600, (800, 1400),
       "https://www.lidl.fr", "lidl.fr, Qui sommes-nous 2024", "fr_discount",
       zone="edge", min_pop=4000, weight_quarters=3, phone_share=10),
    # Aldi France (Aldi Nord, incl. former Leader Price stores). Source: aldi.fr, 2024 (~1,300).
    _c("fr.aldi", "FR", "Aldi", "Aldi Nord", "discount", 1300, (700, 1100),
       "https://www.aldi.fr", "aldi.fr, L'entreprise 2024", "fr_discount",
       zone="edge", min_pop=4000, weight_quarters=3,
       regions={"FR-HDF": 200, "FR-GES": 180, "FR-IDF": 150, "FR-BFC": 120}, default_region=70,
       phone_share=10),
    # Grand Frais (fresh-produce halls). Source: Wikipedia (fr) "Grand Frais", 2024 (~300).
    _c("fr.grandfrais", "FR", "Grand Frais", "Grand Frais Gestion", "specialist", 300, (800, 1300),
       "https://www.grandfrais.com", "Wikipedia (fr) 'Grand Frais', 2024", "fr_grandfrais",
       zone="edge", min_pop=15000, weight_quarters=2,
       regions={"FR-ARA": 300, "FR-PAC": 150, "FR-OCC": 120, "FR-IDF": 120, "FR-BFC": 120, "FR-GES": 80},
       default_region=60),
    # Picard (frozen food). Source: picard.fr, Le groupe 2024 (~1,000 magasins in France).
    _c("fr.picard", "FR", "Picard", "Picard Surgelés", "specialist", 1000, (150, 400),
       "https://www.picard.fr", "picard.fr, Le groupe 2024", "fr_frozen",
       zone="centre", min_pop=8000, weight_quarters=4, regions={"FR-IDF": 180}),
    # Biocoop. Source: biocoop.fr, Rapport annuel 2023 (~750 magasins).
    _c("fr.biocoop", "FR", "Biocoop", "Biocoop", "specialist", 750, (200, 600),
       "https://www.biocoop.fr", "biocoop.fr, Rapport annuel 2023", "fr_bio",
       naming="biocoop", zone="centre", min_pop=3000, weight_quarters=3),
    # La Vie Claire. Source: Wikipedia (fr) "La Vie Claire", 2024 (~380).
    _c("fr.lavieclaire", "FR", "La Vie Claire", "La Vie Claire", "specialist", 380, (150, 400),
       "https://www.lavieclaire.com", "Wikipedia (fr) 'La Vie Claire', 2024", "fr_bio",
       zone="centre", min_pop=8000, weight_quarters=3, regions={"FR-ARA": 150}),
    # Cora (acquired by Carrefour in 2024; still trading as Cora in the seed's period).
    # Source: Wikipedia (fr) "Cora (enseigne)", 2024 (~60 hypermarchés).
    _c("fr.cora", "FR", "Cora", "Groupe Carrefour", "hypermarket", 60, (8000, 15000),
       "https://www.cora.fr", "Wikipedia (fr) 'Cora (enseigne)', 2024", "fr_hyper",
       naming="town", town_share=70, zone="edge", min_pop=20000, weight_quarters=2,
       regions={"FR-GES": 400, "FR-HDF": 150, "FR-BFC": 150, "FR-IDF": 40}, default_region=0),
    # Supermarchés Match (acquired by Carrefour in 2024). Source: Wikipedia (fr)
    # "Supermarchés Match", 2024 (~115).
    _c("fr.match", "FR", "Match", "Groupe Carrefour", "supermarket", 115, (1000, 2500),
       "https://www.supermarchesmatch.fr", "Wikipedia (fr) 'Supermarchés Match', 2024", "fr_super",
       name="Supermarché Match", zone="mixed", min_pop=3000, weight_quarters=3,
       regions={"FR-GES": 400, "FR-HDF": 200, "FR-BFC": 60}, default_region=0),
    # Metro France. Source: metro.fr, 2024 (~98 entrepôts).
    _c("fr.metro", "FR", "Metro", "Metro AG", "cash_and_carry", 98, (6000, 14000),
       "https://www.metro.fr", "metro.fr, L'entreprise 2024", "fr_cc",
       zone="edge", min_pop=50000, weight_quarters=3, area_missing=2),
    # Francap banners (Coccinelle, Coccimarket) and Diapar's G20.
    # Source: Wikipedia (fr) "Francap", 2024; franchise-magazine.com 2023.
    _c("fr.coccinelle", "FR", "Coccinelle", "Francap", "convenience", 150, (200, 500),
       None, "Wikipedia (fr) 'Francap', 2024", "fr_rural", naming="coccinelle",
       zone="centre", min_pop=800, max_pop=20000, weight_quarters=2),
    _c("fr.coccimarket", "FR", "Coccimarket", "Francap", "convenience", 400, (80, 250),
       None, "Wikipedia (fr) 'Francap', 2024", "fr_city", zone="centre", min_pop=1000,
       weight_quarters=3, phone_share=60),
    _c("fr.g20", "FR", "G20", "Francap", "convenience", 200, (200, 600),
       None, "Wikipedia (fr) 'Francap', 2024 (Diapar)", "fr_city",
       zone="centre", min_pop=20000, weight_quarters=5, regions={"FR-IDF": 100}, default_region=0),
    # Carrefour Proximité franchise banners. Source: Wikipedia (fr) "Carrefour Proximité", 2024.
    _c("fr.8ahuit", "FR", "8 à Huit", "Groupe Carrefour", "convenience", 400, (150, 400),
       "https://www.carrefour.fr", "Wikipedia (fr) 'Carrefour Proximité', 2024", "fr_rural",
       zone="centre", min_pop=800, max_pop=30000, weight_quarters=2,
       regions={"FR-NOR": 150, "FR-BRE": 150, "FR-PDL": 150, "FR-HDF": 150}, default_region=80),
    _c("fr.proxi", "FR", "Proxi", "Groupe Carrefour", "convenience", 600, (60, 250),
       "https://www.carrefour.fr", "Wikipedia (fr) 'Carrefour Proximité', 2024", "fr_rural",
       zone="centre", min_pop=300, max_pop=10000, weight_quarters=1, phone_share=70),
    # Colruyt France (Colruyt Group; network sold in 2024). Source: Wikipedia (fr) "Colruyt", 2024.
    _c("fr.colruyt", "FR", "Colruyt", "Colruyt Group", "supermarket", 90, (1000, 1600),
       "https://www.colruyt.fr", "Wikipedia (fr) 'Colruyt', 2024", "fr_discount",
       zone="edge", min_pop=5000, weight_quarters=2,
       regions={"FR-GES": 300, "FR-BFC": 200, "FR-ARA": 80, "FR-HDF": 50}, default_region=0),
    # Independents (estimates): village épiceries and city "alimentation générale".
    _c("fr.epicerie", "FR", None, None, "convenience", 1500, (30, 150), None,
       "estimate (independents)", "fr_rural", naming="epicerie", zone="centre",
       min_pop=200, max_pop=60000, weight_quarters=2,
       phone_share=55, area_missing=55, unverified=12),
    _c("fr.alimentation", "FR", None, None, "convenience", 1000, (40, 200), None,
       "estimate (independents)", "fr_city_indie", naming="alimentation", zone="centre",
       min_pop=10000, weight_quarters=5, regions={"FR-IDF": 220},
       phone_share=35, area_missing=60, unverified=15),
)


def chains_for(country: str) -> tuple[Chain, ...]:
    return tuple(c for c in CHAINS if c.country == country)


def natural_size(countries: tuple[str, ...]) -> int:
    return sum(c.stores for c in CHAINS if c.country in countries)
