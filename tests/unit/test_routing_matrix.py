"""Travel matrices: the great-circle model against known road trips, and OSRM from a recorded answer."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from server.routing import GreatCircleProvider, Location, OsrmProvider
from server.routing.matrix import REFERENCE_TRIPS, TOLERANCE

MARIENPLATZ = Location(48.1374, 11.5755)
HBF = Location(48.1402, 11.5600)
AIRPORT = Location(48.3537, 11.7750)
POINTS = [MARIENPLATZ, HBF, AIRPORT]

# A recorded-style OSRM answer for /table/v1/driving/{Marienplatz;Hbf;Airport}?annotations=duration,distance
# (shape and field names as OSRM 5.x returns them; values are realistic car figures, seconds and metres).
OSRM_TABLE = json.loads(
    """
{
  "code": "Ok",
  "durations": [[0, 412.3, 2218.9], [398.7, 0, 2241.6], [2250.4, 2297.1, 0]],
  "distances": [[0, 2094.6, 38214.2], [2188.0, 0, 39010.5], [37990.8, 39355.1, 0]],
  "sources": [
    {"hint": "kG0BgP___38AAAAAAAAAAA", "distance": 4.1, "name": "Marienplatz", "location": [11.575512, 48.137431]},
    {"hint": "y5kCgP___38BAAAAAwAAAA", "distance": 12.7, "name": "Bayerstraße", "location": [11.560081, 48.140253]},
    {"hint": "Zq0EgP___38AAAAAFAAAAA", "distance": 8.9, "name": "Terminalstraße Mitte",
     "location": [11.775013, 48.353688]}
  ],
  "destinations": [
    {"hint": "kG0BgP___38AAAAAAAAAAA", "distance": 4.1, "name": "Marienplatz", "location": [11.575512, 48.137431]},
    {"hint": "y5kCgP___38BAAAAAwAAAA", "distance": 12.7, "name": "Bayerstraße", "location": [11.560081, 48.140253]},
    {"hint": "Zq0EgP___38AAAAAFAAAAA", "distance": 8.9, "name": "Terminalstraße Mitte",
     "location": [11.775013, 48.353688]}
  ]
}
"""
)


class RecordedOsrm:
    """Serves blocks of the recorded table the way an OSRM server would, and remembers the requests."""

    def __init__(self, answer=OSRM_TABLE, unreachable=()):
        self.answer, self.unreachable, self.urls = answer, set(unreachable), []

    def __call__(self, url: str, timeout: float) -> bytes:
        self.urls.append(url)
        path, _, query = url.partition("?")
        coords = [tuple(map(float, c.split(","))) for c in path.rsplit("/", 1)[1].split(";")]
        params = urllib.parse.parse_qs(query)
        src = [int(x) for x in params["sources"][0].split(";")]
        dst = [int(x) for x in params["destinations"][0].split(";")]
        full = {
            (round(s["location"][0], 2), round(s["location"][1], 2)): k for k, s in enumerate(self.answer["sources"])
        }
        row = [full[(round(coords[i][0], 2), round(coords[i][1], 2))] for i in range(len(coords))]

        def cell(table, a, b):
            return None if (row[a], row[b]) in self.unreachable else self.answer[table][row[a]][row[b]]

        body = {
            "code": "Ok",
            "durations": [[cell("durations", a, b) for b in dst] for a in src],
            "distances": [[cell("distances", a, b) for b in dst] for a in src],
        }
        return json.dumps(body).encode()


@pytest.mark.parametrize("trip", REFERENCE_TRIPS, ids=[f"{t[0]} to {t[1]}" for t in REFERENCE_TRIPS])
def test_the_great_circle_model_matches_known_road_trips_within_tolerance(trip):
    """Road km within ±20 % and minutes within the known range widened by 20 %."""
    _, _, a, b, km, (lo, hi) = trip
    seconds, metres = GreatCircleProvider().estimate(Location(*a), Location(*b))
    assert abs(metres / 1000 - km) <= TOLERANCE * km
    assert lo * (1 - TOLERANCE) <= seconds / 60 <= hi * (1 + TOLERANCE)


def test_marienplatz_to_the_airport_is_about_38_km_and_35_to_40_minutes():
    """The brief's own reference, with a tighter look: 33-43 km, 30-45 minutes."""
    seconds, metres = GreatCircleProvider().estimate(MARIENPLATZ, AIRPORT)
    assert 33_000 <= metres <= 43_000 and 30 * 60 <= seconds <= 45 * 60


def test_short_urban_trips_are_slower_on_average_than_long_ones():
    """Average speed rises with distance: a city hop under 30 km/h, a motorway trip above 80 km/h."""
    provider = GreatCircleProvider()
    short = provider.estimate(Location(52.5219, 13.4132), Location(52.5163, 13.3777))
    long = provider.estimate(Location(52.5251, 13.3694), Location(53.5530, 10.0069))
    assert short[1] / short[0] * 3.6 < 30 < 80 < long[1] / long[0] * 3.6


def test_the_great_circle_matrix_is_symmetric_with_a_zero_diagonal():
    """Same estimate both ways; zero to oneself."""
    m = GreatCircleProvider().matrix(POINTS)
    assert all(m.durations[i][i] == 0 == m.distances[i][i] for i in range(3))
    assert all(m.durations[i][j] == m.durations[j][i] for i in range(3) for j in range(3))


def test_osrm_table_answers_become_a_rounded_matrix():
    """Durations in seconds and distances in metres, as OSRM reported them, rounded."""
    fetch = RecordedOsrm()
    m = OsrmProvider("http://osrm.test:5000", fetch=fetch).matrix(POINTS)
    assert m.source == "osrm" and m.warnings == []
    assert m.time(MARIENPLATZ, AIRPORT) == 2219 and m.distance(AIRPORT, HBF) == 39355
    assert m.durations[1][0] == 399
    [url] = fetch.urls
    assert url.startswith("http://osrm.test:5000/table/v1/driving/11.575500,48.137400;11.560000,48.140200;")
    assert "annotations=duration,distance" in url


def test_large_matrices_are_fetched_in_blocks_that_respect_the_size_limit():
    """With at most 2 coordinates per request, a 3 x 3 matrix takes 9 requests and comes out the same."""
    fetch = RecordedOsrm()
    m = OsrmProvider("http://osrm.test", max_locations=2, fetch=fetch).matrix(POINTS)
    assert len(fetch.urls) == 9
    assert all(len(u.split("/table/v1/driving/")[1].split("?")[0].split(";")) <= 2 for u in fetch.urls)
    whole = OsrmProvider("http://osrm.test", fetch=RecordedOsrm()).matrix(POINTS)
    assert m.durations == whole.durations and m.distances == whole.distances


def test_an_unreachable_pair_is_estimated_and_reported():
    """OSRM's null for one pair is filled from the great-circle model, with a warning."""
    m = OsrmProvider("http://osrm.test", fetch=RecordedOsrm(unreachable={(0, 2)})).matrix(POINTS)
    assert m.time(MARIENPLATZ, AIRPORT) == GreatCircleProvider().estimate(MARIENPLATZ, AIRPORT)[0]
    assert m.time(AIRPORT, MARIENPLATZ) == 2250
    assert m.warnings == ["OSRM found no route for 1 of 9 pairs; estimated those"]


def test_a_failing_osrm_server_falls_back_to_estimates_and_says_so():
    """Connection refused: great-circle estimates for everything, and a warning naming the server."""

    def down(url, timeout):
        raise OSError("connection refused")

    m = OsrmProvider("http://osrm.test", fetch=down).matrix(POINTS)
    assert m.source == "great-circle (OSRM failed)"
    assert m.durations == GreatCircleProvider().matrix(POINTS).durations
    assert "OSRM table at http://osrm.test failed (connection refused)" in m.warnings[0]


def test_an_osrm_error_answer_without_fallback_raises():
    """With no fallback configured, an OSRM error code is an error, not a silent estimate."""

    def error(url, timeout):
        return b'{"code": "TooBig", "message": "Too many table coordinates"}'

    with pytest.raises(RuntimeError, match="TooBig"):
        OsrmProvider("http://osrm.test", fetch=error, fallback=None).matrix(POINTS)
