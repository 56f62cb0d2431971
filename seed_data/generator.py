"""Assembling outlet records: how many per chain, in which towns, and every field.

Determinism: every random decision comes from a ``random.Random`` seeded with a string
derived from the seed (string seeds are hashed with SHA-512 by CPython, identical on
every platform). Allocation uses one generator per chain; each record then has its own
generator seeded with ``seed:country:index``, so a record's values depend only on the
seed, its index and its (chain, town) slot. Sampling weights are integers and the
geometry avoids platform math functions (see :mod:`seed_data.geo`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from functools import cache
from typing import Any

from seed_data import geo
from seed_data.addresses import street_address
from seed_data.chains import Chain, chains_for
from seed_data.hours import opening_hours
from seed_data.names import store_name
from seed_data.phones import landline
from seed_data.places import Town

DEFAULT_SEED = 20240501
#: Fixed "today" of the data set: verification dates lie in the 30 months before it.
REFERENCE_DATE = date(2026, 11, 1)
VERIFIED_SINCE = date(2024, 5, 1)
COUNTRIES = ("DE", "FR")


def _world(country: str):
    if country == "DE":
        from seed_data import towns_de

        return towns_de.load()
    from seed_data import towns_fr

    return towns_fr.load()


@cache
def _town_weights(chain_key: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(town indices, cumulative integer weights) of the towns a chain can trade in."""
    chain = next(c for c in chains_for(chain_key[:2].upper()) if c.key == chain_key)
    world = _world(chain.country)
    indices: list[int] = []
    weights: list[int] = []
    for town in world.towns:
        # Eligibility by the whole city's size (a Paris arrondissement is in Paris),
        # weight by the town's own population.
        size = town.city_population
        if size < chain.min_pop or (chain.max_pop is not None and size > chain.max_pop):
            continue
        regional = chain.region_weight(town)
        if regional <= 0:
            continue
        indices.append(town.index)
        weights.append(geo.integer_weight(town.population, chain.weight_quarters) * regional)
    if not indices:
        raise ValueError(f"chain {chain.key}: no town satisfies its placement rules")
    return tuple(indices), tuple(geo.cumulative(weights))


def allocate(total: int | None, countries: Sequence[str]) -> list[tuple[Chain, int]]:
    """Each chain with its number of outlets.

    ``None`` keeps the real store counts; otherwise every chain is scaled by the same
    factor and the remainders are handed out by the largest-remainder method, so the
    counts add up to exactly ``total``.
    """
    chains = [c for country in countries for c in chains_for(country)]
    natural = sum(c.stores for c in chains)
    if total is None:
        return [(c, c.stores) for c in chains]
    shares = [divmod(total * c.stores, natural) for c in chains]
    counts = [q for q, _ in shares]
    missing = total - sum(counts)
    by_remainder = sorted(range(len(chains)), key=lambda i: (-shares[i][1], i))
    for i in by_remainder[:missing]:
        counts[i] += 1
    return list(zip(chains, counts, strict=True))


def _sales_area(chain: Chain, town: Town, rng: random.Random) -> int | None:
    if chain.area is None or rng.randrange(100) < chain.area_missing:
        return None
    low, high = chain.area
    # Bigger towns get the bigger stores of a chain's range.
    u = rng.random()
    if town.city_population >= 100_000:
        u = 1.0 - (1.0 - u) * (1.0 - u)
    elif town.city_population < 10_000:
        u = u * u
    area = low + int(u * (high - low))
    step = 50 if area >= 1000 else 10 if area >= 100 else 5
    area = (area + step // 2) // step * step  # floor plans come in round numbers
    return min(max(area, low), high)


class _Context:
    """Per-country caches shared by the records of one ``generate`` call."""

    def __init__(self, country: str):
        self.country = country
        self.world = _world(country)
        self._neighbours: dict[int, list[Town]] = {}

    def neighbours(self, town: Town) -> list[Town]:
        found = self._neighbours.get(town.index)
        if found is None:
            found = self.world.neighbours(town)
            self._neighbours[town.index] = found
        return found


def _record(ctx: _Context, index: int, chain: Chain, town: Town, seed: int) -> dict[str, Any]:
    rng = random.Random(f"{seed}:{ctx.country}:{index}")
    zone = chain.zone
    if zone == "mixed":
        zone = "centre" if rng.random() < 0.5 else "edge"
    lat, lon, postcode = ctx.world.place(town, zone, rng)
    street, house_number = street_address(town, zone, chain.format, ctx.neighbours(town), postcode, rng)
    name = store_name(chain, town, zone, street, rng)
    sales_area = _sales_area(chain, town, rng)
    hours = opening_hours(chain.hours, town, rng)
    phone = landline(ctx.country, town.phone_prefix, rng) if rng.randrange(100) < chain.phone_share else None
    status = "unverified" if rng.randrange(100) < chain.unverified else "open"
    span = (REFERENCE_DATE - VERIFIED_SINCE).days
    verified = REFERENCE_DATE - timedelta(days=1 + rng.randrange(span))
    return {
        "source": "seed",
        "source_id": f"seed:{ctx.country}:{index:07d}",
        "name": name,
        "banner": chain.banner,
        "group": chain.group_for(town),
        "format": chain.format,
        "sales_area_m2": sales_area,
        "street": street,
        "house_number": house_number,
        "postcode": postcode,
        "city": town.city,
        "region": town.region,
        "region_code": town.region_code,
        "country": ctx.country,
        "lat": lat,
        "lon": lon,
        "opening_hours": hours,
        "phone": phone,
        "website": chain.website_for(town),
        "status": status,
        "last_verified_at": verified.isoformat(),
    }


def generate(
    count: int | None = None,
    seed: int = DEFAULT_SEED,
    countries: Sequence[str] = COUNTRIES,
) -> Iterator[dict[str, Any]]:
    """Yield generated outlet records (see :mod:`seed_data` for the record format).

    :param count: total number of records; ``None`` gives the natural size (the sum of
        the chains' real store counts, ~65,000). Any other value scales every chain
        proportionally and yields exactly ``count`` records.
    :param seed: the same seed always gives the same records in the same order.
    :param countries: any of "DE", "FR"; records come country by country in this order.
    """
    wanted = tuple(dict.fromkeys(countries))
    unknown = [c for c in wanted if c not in COUNTRIES]
    if unknown or not wanted:
        raise ValueError(f"countries must be a non-empty selection of {COUNTRIES}, got {countries!r}")
    if count is not None and (not isinstance(count, int) or count < 0):
        raise ValueError(f"count must be a non-negative integer or None, got {count!r}")
    allocation = allocate(count, wanted)
    return _generate(allocation, int(seed), wanted)


def _generate(allocation: list[tuple[Chain, int]], seed: int, countries: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    for country in countries:
        ctx = _Context(country)
        slots: list[tuple[int, int]] = []
        chains = [c for c, _ in allocation if c.country == country]
        for chain_no, (chain, n) in enumerate((c, n) for c, n in allocation if c.country == country):
            if n == 0:
                continue
            towns, cumulative = _town_weights(chain.key)
            rng = random.Random(f"{seed}:alloc:{chain.key}")
            picks = rng.choices(towns, cum_weights=cumulative, k=n)
            slots.extend((chain_no, t) for t in picks)
        # Interleave chains so that ids do not reveal the chain and any prefix of the
        # stream is a fair sample.
        random.Random(f"{seed}:order:{country}").shuffle(slots)
        towns_list = ctx.world.towns
        for index, (chain_no, town_index) in enumerate(slots):
            yield _record(ctx, index, chains[chain_no], towns_list[town_index], seed)
