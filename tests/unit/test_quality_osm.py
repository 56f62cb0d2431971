"""Reading real OpenStreetMap extracts (shared/data/real): XML, PBF and Overpass JSON."""

from __future__ import annotations

import itertools
import json

from server.dialects import haversine_m
from server.quality import osm
from server.quality.facts import opening_hours_problem
from tests.conftest import shared_path


def _records(path: object) -> dict[str, str]:
    data = osm.read(path)  # type: ignore[arg-type]
    return {e.source_id: json.dumps(osm.outlet_values(e), sort_keys=True) for e in data.elements}


def test_kaiserslautern_xml_and_pbf_give_the_same_outlets() -> None:
    """The same data as gzipped XML and as PBF: the same objects, values and skip reasons."""
    xml = shared_path("data", "real", "osm_xml", "kaiserslautern_2013.osm.gz")
    pbf = shared_path("data", "real", "osm_pbf", "kaiserslautern_2013.osm.pbf")
    a, b = _records(xml), _records(pbf)
    assert a == b
    assert len(a) == 378
    outlets = [json.loads(v)[0] for v in a.values() if json.loads(v)[0]]
    assert len(outlets) > 100
    assert {"Lidl", "Aldi", "REWE", "PENNY", "Rossmann", "dm"} <= {o["banner"] for o in outlets}


def test_bogus_metadata_is_not_trusted() -> None:
    """Osmosis's version -1 / 1969 (2106 once converted to PBF) is not believed; Monaco's is."""
    for parts in (("osm_xml", "kaiserslautern_centre_2013.osm"), ("osm_pbf", "kaiserslautern_2013.osm.pbf")):
        data = osm.read(shared_path("data", "real", *parts))
        assert data.elements and not any(e.trusted for e in data.elements)
    monaco = osm.read(shared_path("data", "real", "osm_pbf", "monaco_2019-09.osm.pbf"))
    assert all(e.trusted for e in monaco.elements)
    assert monaco.bounds is not None and monaco.bounds[0] > 7.4
    xml = osm.read(shared_path("data", "real", "osm_xml", "kaiserslautern_centre_2013.osm"))
    assert xml.bounds == (7.76, 49.436, 7.777, 49.446)  # Osmosis's <bound box=…>


def test_monaco_tags_become_outlet_facts() -> None:
    """Names, banners (also by brand:wikidata), addresses, phones in E.164, opening hours."""
    monaco = osm.read(shared_path("data", "real", "osm_pbf", "monaco_2019-09.osm.pbf"))
    values = {e.source_id: osm.outlet_values(e, "MC")[0] for e in monaco.elements}
    marche_u = values["node/267885935"]
    assert marche_u is not None
    assert marche_u["street"] == "Boulevard Princesse Charlotte" and marche_u["postcode"] == "98000"
    assert marche_u["phone"] == "+37793506860" and marche_u["country"] == "MC"
    assert marche_u["opening_hours"] == "Mo-Sa 08:30-19:30; Su off"
    assert any(v and v["banner"] == "Carrefour" for v in values.values())
    reasons = [osm.outlet_values(e, "MC")[1] for e in monaco.elements]
    assert any(r and "is not a grocery" in r for r in reasons)


def test_overpass_lidl_file() -> None:
    """Ways are placed on their center; every operator spelling is the banner Lidl, a discounter;
    the file's seven real near-duplicate pairs lie under 100 m apart."""
    data = osm.read(shared_path("data", "real", "osm_overpass", "lidl_de_overpass_2024-01.json"))
    assert data.kind == "overpass" and len(data.elements) == 3223
    assert data.as_of == "2024-01-21T02:19:08Z"
    values = [osm.outlet_values(e, "DE")[0] for e in data.elements]
    kept = [v for v in values if v]
    assert len(kept) >= 3200
    assert {v["banner"] for v in kept} == {"Lidl"} and {v["format"] for v in kept} == {"discount"}
    ways = [e for e in data.elements if e.source_id.startswith("way/")]
    assert len(ways) == 2352 and all(e.lat is not None for e in ways)
    cells: dict[tuple[int, int], list] = {}
    for v in kept:
        cells.setdefault((int(v["lat"] * 100), int(v["lon"] * 100)), []).append(v)
    close = set()
    for (y, x), items in cells.items():
        nearby = [w for dy in (-1, 0, 1) for dx in (-1, 0, 1) for w in cells.get((y + dy, x + dx), [])]
        for a, b in itertools.product(items, nearby):
            if a is not b and haversine_m(a["lon"], a["lat"], b["lon"], b["lat"]) < 100:
                close.add(tuple(sorted((a["lat"], b["lat"]))))
    assert len(close) == 7
    flagged = [v for v in kept if opening_hours_problem(v["opening_hours"])]
    assert flagged and all(v["opening_hours"] for v in flagged)  # kept as written, flagged


def test_real_opening_hours_values_never_crash() -> None:
    """All 287 real values either read or get a reason; none raises."""
    lines = shared_path("data", "real", "opening_hours", "opening_hours_real_values.tsv").read_text().splitlines()
    values = [line.split("\t")[2] for line in lines if line and not line.startswith("count")]
    problems = [opening_hours_problem(v) for v in values]
    assert len(values) >= 280
    assert 0 < sum(1 for p in problems if p) < len(values) / 4
