"""The analytics tables: facts kept up to date on write, rollups, and what they are built from.

* :class:`ShelfFact` — one row per survey response × product of a product grid (the shelf: present,
  facings, shelf price, promotion, out of stock), with the outlet's dimensions as they were when the
  response was stored, and flags saying whether it is the latest observation of that product in that
  outlet for its day, week and month.
* :class:`ResponseFact` — one row per response with the store-level measures (POS material, running
  promotion, perfect-store score), flagged the same way per outlet and form.
* :class:`ShelfRollup` / :class:`ResponseRollup` — the sums of the latest facts per day, week and
  month, per *segment* (country, region, banner, group, format, account class), product and form
  version; kept up to date on write by adding and subtracting facts as they become or stop being the
  latest (see :mod:`server.analytics.facts`).
* :class:`Segment` — the distinct outlet/account dimension combinations an organization's facts use.
* :class:`ListMembership` — when each product entered and left each product list (a product added to a
  list mid-period counts only from then on).
* :class:`AccountTerritory` — which territory each account lies in (for visit and coverage KPIs).
* :class:`AnalyticsSettings` — the organization's KPI configuration (must-stock lists per format,
  weights, planned promotions, perfect-store weights and targets).

Everything carries ``org_id`` and is read only through :mod:`server.analytics.kpis`, which applies
the organization and the role's visibility.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.auth.models import JSONType, utcnow
from server.db import db

GRAINS = ("D", "W", "M")


def _org() -> Mapped[int]:
    return mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))


class AnalyticsSettings(db.Model):
    __tablename__ = "analytics_settings"

    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: SHA-256 of the canonical config the facts were last built with.
    built_checksum: Mapped[str | None] = mapped_column(String(64))
    built_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    #: Watermark of the account-territory map: "<accounts max updated_at>|<territories …>|<counts>".
    territory_watermark: Mapped[str | None] = mapped_column(String(200))


class Segment(db.Model):
    __tablename__ = "analytics_segments"
    __table_args__ = (
        UniqueConstraint(
            "org_id",
            "country",
            "region_code",
            "banner",
            "group_name",
            "format",
            "account_class",
            name="uq_analytics_seg",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = _org()
    # Empty strings rather than NULL, so the unique constraint holds on both databases.
    country: Mapped[str] = mapped_column(String(2), default="")
    region_code: Mapped[str] = mapped_column(String(8), default="")
    region: Mapped[str] = mapped_column(String(120), default="")
    banner: Mapped[str] = mapped_column(String(100), default="")
    group_name: Mapped[str] = mapped_column(String(100), default="")
    format: Mapped[str] = mapped_column(String(20), default="")
    account_class: Mapped[str] = mapped_column(String(1), default="")


class ShelfFact(db.Model):
    __tablename__ = "analytics_shelf_facts"
    __table_args__ = (
        Index("ix_analytics_shelf_outlet", "org_id", "outlet_id", "product_id", "day"),
        Index("ix_analytics_shelf_day", "org_id", "day"),
        Index("ix_analytics_shelf_rep", "org_id", "rep_id", "day"),
        Index("ix_analytics_shelf_territory", "org_id", "territory_id", "day"),
        Index("ix_analytics_shelf_account", "org_id", "account_id"),
    )

    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    product_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    org_id: Mapped[int] = mapped_column(Integer)
    outlet_id: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int | None] = mapped_column(Integer)
    rep_id: Mapped[int | None] = mapped_column(Integer)
    territory_id: Mapped[int | None] = mapped_column(Integer)
    segment_id: Mapped[int] = mapped_column(Integer)
    form_id: Mapped[int] = mapped_column(Integer)
    form_version_id: Mapped[int] = mapped_column(Integer)
    completed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[dt.date] = mapped_column(Date)
    week: Mapped[dt.date] = mapped_column(Date)
    month: Mapped[dt.date] = mapped_column(Date)
    #: The outlet's weight for weighted distribution (sales area, or the brand's weight).
    weight: Mapped[float | None] = mapped_column(Float)
    own: Mapped[int] = mapped_column(SmallInteger)
    present: Mapped[int | None] = mapped_column(SmallInteger)
    facings: Mapped[int | None] = mapped_column(Integer)
    price_minor: Mapped[int | None] = mapped_column(Integer)
    promo: Mapped[int | None] = mapped_column(SmallInteger)
    oos: Mapped[int | None] = mapped_column(SmallInteger)
    #: 10000 x own shelf price / the reference competitors' mean shelf price in the same response.
    price_index_bp: Mapped[int | None] = mapped_column(Integer)
    #: On the must-stock list of the outlet's format when observed.
    must_stock: Mapped[int] = mapped_column(SmallInteger, default=0)
    #: On a planned promotion's list and inside its dates when observed.
    promo_planned: Mapped[int] = mapped_column(SmallInteger, default=0)
    latest_d: Mapped[bool] = mapped_column(Boolean, default=False)
    latest_w: Mapped[bool] = mapped_column(Boolean, default=False)
    latest_m: Mapped[bool] = mapped_column(Boolean, default=False)


class ResponseFact(db.Model):
    __tablename__ = "analytics_response_facts"
    __table_args__ = (
        Index("ix_analytics_resp_outlet", "org_id", "outlet_id", "form_id", "day"),
        Index("ix_analytics_resp_day", "org_id", "day"),
        Index("ix_analytics_resp_rep", "org_id", "rep_id", "day"),
    )

    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    org_id: Mapped[int] = mapped_column(Integer)
    outlet_id: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int | None] = mapped_column(Integer)
    rep_id: Mapped[int | None] = mapped_column(Integer)
    territory_id: Mapped[int | None] = mapped_column(Integer)
    segment_id: Mapped[int] = mapped_column(Integer)
    form_id: Mapped[int] = mapped_column(Integer)
    form_version_id: Mapped[int] = mapped_column(Integer)
    completed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[dt.date] = mapped_column(Date)
    week: Mapped[dt.date] = mapped_column(Date)
    month: Mapped[dt.date] = mapped_column(Date)
    weight: Mapped[float | None] = mapped_column(Float)
    pos_any: Mapped[int | None] = mapped_column(SmallInteger)
    pos_ok: Mapped[int | None] = mapped_column(SmallInteger)
    promo_running: Mapped[int | None] = mapped_column(SmallInteger)
    #: Perfect-store score x 100 (0 … 10000).
    score_bp: Mapped[int | None] = mapped_column(Integer)
    latest_d: Mapped[bool] = mapped_column(Boolean, default=False)
    latest_w: Mapped[bool] = mapped_column(Boolean, default=False)
    latest_m: Mapped[bool] = mapped_column(Boolean, default=False)


#: Summable measures of the shelf facts (see server.analytics.measures): name -> float (weights) or not.
SHELF_MEASURES: dict[str, bool] = {
    "n_obs": False,
    "n_present": False,
    "w_obs": True,
    "w_present": True,
    "n_fac": False,
    "s_fac": False,
    "n_oos": False,
    "s_oos": False,
    "n_price": False,
    "s_price": False,
    "s_price2": False,
    "n_pi": False,
    "s_pi": False,
    "n_promo": False,
    "s_promo": False,
    "n_ms": False,
    "s_ms": False,
    "n_pp": False,
    "s_pp": False,
}
RESPONSE_MEASURES: dict[str, bool] = {
    "n_resp": False,
    "n_pos": False,
    "s_pos": False,
    "n_place": False,
    "s_place": False,
    "n_prun": False,
    "s_prun": False,
    "n_score": False,
    "s_score": False,
}


def _measure_columns(measures: dict[str, bool]) -> list[Column[Any]]:
    return [
        Column(name, Float if is_float else BigInteger, nullable=False, server_default="0")
        for name, is_float in measures.items()
    ]


#: Sums of the latest shelf facts per grain (D, W, M), bucket (its first day), segment, product, version.
shelf_rollup = Table(
    "analytics_shelf_rollup",
    db.metadata,
    Column("org_id", Integer, primary_key=True, autoincrement=False),
    Column("grain", String(1), primary_key=True),
    Column("bucket", Date, primary_key=True),
    Column("segment_id", Integer, primary_key=True, autoincrement=False),
    Column("product_id", Integer, primary_key=True, autoincrement=False),
    Column("form_version_id", Integer, primary_key=True, autoincrement=False),
    *_measure_columns(SHELF_MEASURES),
)

#: Sums of the latest response facts per grain, bucket, segment and form version.
response_rollup = Table(
    "analytics_response_rollup",
    db.metadata,
    Column("org_id", Integer, primary_key=True, autoincrement=False),
    Column("grain", String(1), primary_key=True),
    Column("bucket", Date, primary_key=True),
    Column("segment_id", Integer, primary_key=True, autoincrement=False),
    Column("form_version_id", Integer, primary_key=True, autoincrement=False),
    *_measure_columns(RESPONSE_MEASURES),
)


class ListMembership(db.Model):
    """A product's time on a product list: [listed_from, listed_to); NULL from: since always."""

    __tablename__ = "analytics_list_membership"
    __table_args__ = (Index("ix_analytics_list_membership", "org_id", "list_id", "product_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = _org()
    list_id: Mapped[int] = mapped_column(ForeignKey("product_lists.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    listed_from: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    listed_to: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AccountTerritory(db.Model):
    __tablename__ = "analytics_account_territory"
    __table_args__ = (Index("ix_analytics_account_territory", "org_id", "territory_id"),)

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    org_id: Mapped[int] = mapped_column(Integer)
    territory_id: Mapped[int | None] = mapped_column(Integer)
