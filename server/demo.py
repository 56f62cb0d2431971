"""The demo brand: a beverage company with HQ, two managers and ten reps, about 3,000
accounts around Munich (Bayern) and Paris (Île-de-France), contacts and territories.

Stable logins so scripts can rely on them: ``admin@``, ``hq@``, ``manager1@``,
``manager2@``, ``rep1@`` … ``rep10@demo.rayon.test``, all with ``RAYON_DEMO_PASSWORD``
(default ``rayon-demo``). Generated from a fixed seed: the same every time.
Refused when ``RAYON_ENV=production``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from typing import Any

from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.accounts.models import Account, Contact, CustomFieldDefinition, Territory, TerritoryRep
from server.auth.models import Organization, User, utcnow
from server.auth.service import hash_password
from server.dialects import for_bind
from server.outlets.models import Outlet

DEMO_SLUG = "demo"
DEMO_DOMAIN = "demo.rayon.test"
SEED = 4242
ACCOUNTS_PER_REGION = 1_500


class DemoRefused(RuntimeError):
    """Demo data must not be loaded into a production database."""


@dataclass(frozen=True)
class Region:
    code: str
    country: str
    centre: tuple[float, float]  # lat, lon
    manager: tuple[str, float, float, str]
    reps: list[tuple[str, float, float, str]]  # (name, lat, lon, home address)
    locale: str


REGIONS = [
    Region(
        "DE-BY",
        "DE",
        (48.1374, 11.5755),
        ("Katharina Brandl", 48.1550, 11.5850, "Leopoldstraße 40, 80802 München"),
        [
            ("Lukas Huber", 48.1619, 11.5868, "Hohenzollernstraße 12, 80801 München"),
            ("Sophie Maier", 48.1488, 11.4622, "Planegger Straße 3, 81241 München"),
            ("Jonas Schmid", 48.4029, 11.7488, "Obere Hauptstraße 5, 85354 Freising"),
            ("Lena Wagner", 48.3705, 10.8978, "Maximilianstraße 20, 86150 Augsburg"),
            ("Felix Bauer", 47.8571, 12.1181, "Münchener Straße 8, 83022 Rosenheim"),
        ],
        "de",
    ),
    Region(
        "FR-IDF",
        "FR",
        (48.8566, 2.3522),
        ("Claire Martin", 48.8625, 2.3470, "12 rue Montmartre, 75001 Paris"),
        [
            ("Julien Bernard", 48.8590, 2.3790, "45 rue de la Roquette, 75011 Paris"),
            ("Camille Petit", 48.8049, 2.1204, "8 avenue de Saint-Cloud, 78000 Versailles"),
            ("Thomas Durand", 48.9362, 2.3574, "3 rue de la République, 93200 Saint-Denis"),
            ("Manon Leroy", 48.7904, 2.4556, "10 avenue du Général de Gaulle, 94000 Créteil"),
            ("Hugo Moreau", 48.8397, 2.2399, "27 route de la Reine, 92100 Boulogne-Billancourt"),
        ],
        "fr",
    ),
]

FIRST = {
    "DE": [
        "Anna",
        "Thomas",
        "Sabine",
        "Michael",
        "Julia",
        "Stefan",
        "Claudia",
        "Andreas",
        "Petra",
        "Markus",
        "Nicole",
        "Tobias",
        "Sandra",
        "Florian",
        "Martina",
        "Daniel",
    ],
    "FR": [
        "Marie",
        "Nicolas",
        "Isabelle",
        "Pierre",
        "Nathalie",
        "Laurent",
        "Sophie",
        "Olivier",
        "Céline",
        "Philippe",
        "Julie",
        "Sébastien",
        "Aurélie",
        "François",
        "Émilie",
        "Antoine",
    ],
}
LAST = {
    "DE": [
        "Müller",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Meyer",
        "Wagner",
        "Becker",
        "Hoffmann",
        "Schulz",
        "Koch",
        "Richter",
        "Klein",
        "Wolf",
        "Schröder",
        "Neumann",
    ],
    "FR": [
        "Martin",
        "Bernard",
        "Dubois",
        "Thomas",
        "Robert",
        "Richard",
        "Petit",
        "Durand",
        "Leroy",
        "Moreau",
        "Simon",
        "Laurent",
        "Lefebvre",
        "Michel",
        "Garcia",
        "David",
    ],
}
ROLES = {
    "DE": ["Marktleiter", "Filialleiterin", "Abteilungsleiter Getränke", "Inhaber"],
    "FR": ["Directeur de magasin", "Chef de rayon liquides", "Responsable de rayon", "Gérante"],
}
DISTRIBUTORS = {"DE": ["Getränke Hoffmann", "Trinks", None, None], "FR": ["France Boissons", "C10", None, None]}
FREQUENCY = {"A": 1, "B": 2, "C": 4}


def demo_logins() -> list[tuple[str, str]]:
    """(email, role) of every demo user, in the order the README lists them."""
    logins = [
        (f"admin@{DEMO_DOMAIN}", "admin"),
        (f"hq@{DEMO_DOMAIN}", "hq"),
        (f"manager1@{DEMO_DOMAIN}", "manager"),
        (f"manager2@{DEMO_DOMAIN}", "manager"),
    ]
    return logins + [(f"rep{i}@{DEMO_DOMAIN}", "rep") for i in range(1, 11)]


def demo_exists(session: Session) -> bool:
    return session.execute(select(Organization.id).where(Organization.slug == DEMO_SLUG)).first() is not None


def seed_demo(session: Session, *, password: str, env: str) -> dict[str, int]:
    """Create the demo organization (once). Returns counts. :raise DemoRefused: in production."""
    if env == "production":
        raise DemoRefused("demo data is not loaded when RAYON_ENV=production")
    if demo_exists(session):
        return {}
    rnd = random.Random(SEED)
    session.info["skip_audit"] = True
    try:
        org = Organization(name="Brisa Drinks (demo)", slug=DEMO_SLUG, settings={})
        session.add(org)
        session.flush()
        password_hash = hash_password(password)

        def user(email: str, name: str, role: str, **extra: Any) -> User:
            u = User(
                org_id=org.id, email=email, name=name, role=role, password_hash=password_hash, active=True, **extra
            )
            session.add(u)
            return u

        user(f"admin@{DEMO_DOMAIN}", "Ada Admin", "admin", locale="en")
        user(f"hq@{DEMO_DOMAIN}", "Hanna Quast", "hq", locale="de")
        _custom_fields(session, org.id)
        _catalog_and_forms(session, org.id)
        counts = {"users": 2, "accounts": 0, "contacts": 0, "territories": 0}
        rep_number = 0
        for index, region in enumerate(REGIONS, start=1):
            name, lat, lon, address = region.manager
            manager = user(
                f"manager{index}@{DEMO_DOMAIN}",
                name,
                "manager",
                home_lat=lat,
                home_lon=lon,
                home_address=address,
                locale=region.locale,
            )
            session.flush()
            reps = []
            for rep_name, rlat, rlon, raddress in region.reps:
                rep_number += 1
                reps.append(
                    user(
                        f"rep{rep_number}@{DEMO_DOMAIN}",
                        rep_name,
                        "rep",
                        manager_id=manager.id,
                        home_lat=rlat,
                        home_lon=rlon,
                        home_address=raddress,
                        locale=region.locale,
                    )
                )
            session.flush()
            counts["users"] += 1 + len(reps)
            region_counts = _region(session, rnd, org.id, region, reps)
            for key, value in region_counts.items():
                counts[key] += value
        session.flush()
        from server.analytics.demo import seed_history  # eight weeks of visits and store checks

        counts.update(seed_history(session, org.id))
        return counts
    finally:
        session.info.pop("skip_audit", None)


def _catalog_and_forms(session: Session, org_id: int) -> None:
    """Brisa's beverages and the competitors' (GTIN-13), product lists, the ready-made forms."""
    from server.catalog.demo import seed_catalog_and_forms

    seed_catalog_and_forms(session, org_id)


def _custom_fields(session: Session, org_id: int) -> None:
    session.add_all(
        [
            CustomFieldDefinition(
                org_id=org_id,
                key="cooler",
                label="Cooler in store",
                type="choice",
                choices=["none", "ours", "competitor"],
            ),
            CustomFieldDefinition(org_id=org_id, key="shelf_meters", label="Beverage shelf (m)", type="number"),
            CustomFieldDefinition(org_id=org_id, key="listing_since", label="Listed since", type="date"),
        ]
    )


def _region(session: Session, rnd: random.Random, org_id: int, region: Region, reps: list[User]) -> dict[str, int]:
    d = for_bind(session)
    lat, lon = region.centre
    rows = session.execute(
        select(Outlet.id, d.lat(Outlet.geom), d.lon(Outlet.geom), Outlet.sales_area_m2, Outlet.format)
        .where(Outlet.region_code == region.code, Outlet.org_id.is_(None), Outlet.status != "closed")
        .order_by(d.distance_m(Outlet.geom, lon, lat), Outlet.id)
        .limit(ACCOUNTS_PER_REGION)
    ).all()
    if not rows:
        return {"accounts": 0, "contacts": 0, "territories": 0}
    cells = _territories(rows, reps, region.centre)
    territories = 0
    for rep, cell in zip(reps, cells, strict=True):
        territory = Territory(
            org_id=org_id, name=f"{region.code} · {rep.name}", color=_colour(territories), geom=d.geometry(cell.wkt)
        )
        session.add(territory)
        session.flush()
        session.add(TerritoryRep(territory_id=territory.id, user_id=rep.id))
        territories += 1
    ranked = sorted(rows, key=lambda r: -(r[3] or 0))
    klass = {
        # A real book: a few key stores weekly, a quarter every two weeks, the rest monthly.
        row[0]: ("A" if i < len(rows) * 0.10 else "B" if i < len(rows) * 0.35 else "C")
        for i, row in enumerate(ranked)
    }
    now = utcnow()
    contacts = 0
    for outlet_id, olat, olon, _area, _format in rows:
        point = Point(olon, olat)
        rep = next((r for r, cell in zip(reps, cells, strict=True) if cell.covers(point)), None)
        account_class = klass[outlet_id]
        status = rnd.choices(["customer", "prospect", "lost"], weights=[55, 35, 10])[0]
        weeks = FREQUENCY[account_class]
        last_visit = now - dt.timedelta(days=rnd.randint(0, weeks * 7 + 10)) if rnd.random() < 0.85 else None
        account = Account(
            org_id=org_id,
            outlet_id=outlet_id,
            status=status,
            account_class=account_class,
            visit_every_weeks=weeks,
            assigned_rep_id=rep.id if rep else None,
            distributor=rnd.choice(DISTRIBUTORS[region.country]),
            tags=sorted(rnd.sample(["listing", "promo-q1", "cooler-target", "key-account"], rnd.randint(0, 2))),
            custom={"cooler": rnd.choice(["none", "ours", "competitor"]), "shelf_meters": round(rnd.uniform(1, 12), 1)},
            last_visit_at=last_visit,
            status_changed_at=now - dt.timedelta(days=rnd.randint(1, 400)),
        )
        account.set_visit_due()
        session.add(account)
        if account_class in ("A", "B"):
            session.flush()
            for _ in range(1 if rnd.random() < 0.7 else 2):
                session.add(_contact(rnd, org_id, account.id, region.country))
                contacts += 1
    session.flush()
    return {"accounts": len(rows), "contacts": contacts, "territories": territories}


def _territories(rows: list[Any], reps: list[User], centre: tuple[float, float]) -> list[MultiPolygon]:
    """One territory per rep with about the same number of accounts: wedges around the
    region's centre, each given to the rep whose home lies in that direction."""
    clat, clon = centre
    scale = math.cos(math.radians(clat))

    def angle(lat: float, lon: float) -> float:
        return math.atan2(lat - clat, (lon - clon) * scale) % (2 * math.pi)

    angles = sorted(angle(r[1], r[2]) for r in rows)
    n = len(reps)
    cuts = [angles[len(angles) * k // n] for k in range(n)]
    homes = [Point(r.home_lon, r.home_lat) for r in reps]
    points = [(r[2], r[1]) for r in rows] + [(p.x, p.y) for p in homes]
    area = MultiPoint(points).convex_hull.buffer(0.05)
    radius = 5.0  # degrees: beyond the region
    wedges = []
    for k in range(n):
        start, end = cuts[k], cuts[(k + 1) % n] if k + 1 < n else cuts[0] + 2 * math.pi
        steps = max(2, int((end - start) / 0.05))
        arc = [
            (
                clon + radius * math.cos(start + (end - start) * t / steps) / scale,
                clat + radius * math.sin(start + (end - start) * t / steps),
            )
            for t in range(steps + 1)
        ]
        wedges.append(Polygon([(clon, clat), *arc, (clon, clat)]).intersection(area))
    # Each rep takes the wedge nearest their home, in turn (small regions: greedy is enough).
    order = sorted(range(n), key=lambda k: angle(reps[k].home_lat, reps[k].home_lon))
    cells: list[MultiPolygon | None] = [None] * n
    free = list(range(n))
    for k in order:
        home = homes[k]
        best = min(free, key=lambda w: wedges[w].distance(home))
        free.remove(best)
        cell = wedges[best]
        cells[k] = MultiPolygon([cell]) if isinstance(cell, Polygon) else cell
    return [c for c in cells if c is not None]


def _colour(index: int) -> str:
    return ["#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#e53935", "#00897b"][index % 6]


def _contact(rnd: random.Random, org_id: int, account_id: int, country: str) -> Contact:
    first, last = rnd.choice(FIRST[country]), rnd.choice(LAST[country])
    if country == "DE":
        phone = f"+49151{rnd.randint(10_000_000, 99_999_999)}"
    else:
        phone = f"+336{rnd.randint(10_000_000, 99_999_999)}"
    consent = rnd.random() < 0.6
    plain = (first + "." + last).lower()
    for a, b in (("ü", "ue"), ("ö", "oe"), ("ä", "ae"), ("é", "e"), ("è", "e"), ("ç", "c"), ("ë", "e"), ("É", "e")):
        plain = plain.replace(a, b)
    return Contact(
        org_id=org_id,
        account_id=account_id,
        name=f"{first} {last}",
        role=rnd.choice(ROLES[country]),
        phone=phone,
        email=f"{plain}@example.{country.lower()}",
        preferred_language=country.lower(),
        consent=consent,
        consent_at=utcnow() if consent else None,
    )
