"""The town record shared by the German and French loaders."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True, eq=False)
class Town:
    """A real town (DE: GeoNames place; FR: INSEE commune or Paris/Lyon/Marseille arrondissement).

    ``population`` is the whole municipality's (city sections already folded in; for an
    arrondissement, the arrondissement's) and ``city_population`` that of the whole city;
    ``radius_km`` is a rough built-up radius used to spread outlets; ``phone_prefix`` is
    the national-number prefix of its landlines ("89" for München, "474" for a commune
    in the Ain); ``subdivision`` is the GeoNames admin1 code (DE) or département (FR).
    """

    country: str
    key: str
    city: str
    lat: float
    lon: float
    population: int
    region: str
    region_code: str
    subdivision: str
    radius_km: float
    postcodes: tuple[str, ...] = ()
    phone_prefix: str = ""
    index: int = 0
    city_population: int = 0
    #: Extra known-land points inside the town (absorbed sections, PLZ centroids).
    anchors: list[tuple[float, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.city_population:
            self.city_population = self.population
