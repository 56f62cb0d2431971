"""Reference outlets: public facts about stores, shared by every organization.

Nothing private to a brand lives here (that is the Account overlay). Each outlet
keeps where its facts came from (``source``/``source_id``: the bundled seed, an
OpenStreetMap id, an import) so that a later import can update it in place.
"""

from __future__ import annotations

import datetime as dt
import enum
import zlib

from geoalchemy2 import Geometry
from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from server.db import db
from server.text import search_document


class OutletFormat(enum.StrEnum):
    HYPERMARKET = "hypermarket"
    SUPERMARKET = "supermarket"
    DISCOUNT = "discount"
    CONVENIENCE = "convenience"
    DRUGSTORE = "drugstore"
    CASH_AND_CARRY = "cash_and_carry"
    SPECIALIST = "specialist"


class OutletStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    UNVERIFIED = "unverified"


class Outlet(db.Model):
    __tablename__ = "outlets"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    banner: Mapped[str | None] = mapped_column(String(100))
    group_name: Mapped[str | None] = mapped_column(String(100))
    format: Mapped[str] = mapped_column(String(20))
    sales_area_m2: Mapped[int | None] = mapped_column(Integer)
    street: Mapped[str | None] = mapped_column(String(200))
    house_number: Mapped[str | None] = mapped_column(String(20))
    postcode: Mapped[str | None] = mapped_column(String(12))
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    region_code: Mapped[str | None] = mapped_column(String(8))
    country: Mapped[str] = mapped_column(String(2))
    # Indexes on geom (GiST / R*Tree) are created by the migrations, per database.
    geom: Mapped[object] = mapped_column(Geometry("POINT", srid=4326, spatial_index=False))
    opening_hours: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default=OutletStatus.OPEN.value)
    source: Mapped[str] = mapped_column(String(30))
    source_id: Mapped[str] = mapped_column(String(100))
    last_verified_at: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: Set for an outlet an organization added that is missing from the reference data:
    #: only that organization sees it until it is shared (corrections). NULL: public.
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    #: A stable pseudo-random number from the outlet's identity: the order of equally
    #: relevant text-search results (see server.outlets.service.plan_search).
    rank_key: Mapped[int] = mapped_column(Integer, default=0)
    #: Folded words of name, banner, street, postcode, city (see server.text).
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __mapper_args__ = {"version_id_col": version}

    def refresh_search_text(self) -> None:
        self.search_text = outlet_search_text(
            self.name, self.banner, self.street, self.house_number, self.postcode, self.city
        )


def outlet_search_text(
    name: str | None,
    banner: str | None,
    street: str | None,
    house_number: str | None,
    postcode: str | None,
    city: str | None,
) -> str:
    """The one definition of what text search looks at."""
    return search_document([name, banner, street, house_number, postcode, city])


def outlet_rank_key(source: str, source_id: str) -> int:
    """31 bits of a hash of the outlet's identity; the same on every database and run."""
    return zlib.crc32(f"{source}:{source_id}".encode()) & 0x7FFFFFFF


SEARCH_FIELDS = ("name", "banner", "street", "house_number", "postcode", "city")
