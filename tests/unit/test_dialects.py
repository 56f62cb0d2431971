"""Distances and boxes computed in Python for the spatial queries."""

import pytest

from server.dialects import BBox, haversine_m
from tests.data import CENTRE, destination


def test_haversine_matches_known_distances() -> None:
    """Munich–Berlin is about 504 km, Paris–Lyon about 392 km (great circle)."""
    assert haversine_m(11.5755, 48.1374, 13.4050, 52.5200) == pytest.approx(504_400, rel=0.005)
    assert haversine_m(2.3522, 48.8566, 4.8357, 45.7640) == pytest.approx(391_500, rel=0.005)


@pytest.mark.parametrize("bearing", [0, 45, 90, 135, 180, 225, 270, 315])
def test_the_box_around_a_circle_contains_the_circle(bearing: float) -> None:
    """BBox.around covers every point at the radius, whatever the direction."""
    box = BBox.around(CENTRE[1], CENTRE[0], 5_000)
    lat, lon = destination(CENTRE[0], CENTRE[1], bearing, 4_999)
    assert box.min_lon <= lon <= box.max_lon and box.min_lat <= lat <= box.max_lat
    assert haversine_m(CENTRE[1], CENTRE[0], lon, lat) == pytest.approx(4_999, abs=0.5)
