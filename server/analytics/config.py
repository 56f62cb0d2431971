"""An organization's KPI configuration: its schema, defaults and loading.

Stored in ``analytics_settings.config``; ``GET/PUT /api/v1/analytics/settings``. Changing it rebuilds
the organization's facts (must-stock and planned-promotion flags and the perfect-store score are
computed when a response is stored, from the configuration of that moment).
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from marshmallow import ValidationError, fields, validate, validates, validates_schema
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.auth.schemas import StrictSchema
from server.outlets.models import OutletFormat

COMPONENTS = ("assortment", "share_of_shelf", "availability", "promotion", "pos", "price")

DEFAULTS: dict[str, Any] = {
    "timezone": "Europe/Berlin",
    # "sales_area": the outlet's sales area in m²; "custom:<key>": a number custom field of the account;
    # "none": every outlet weighs 1.
    "weight": "sales_area",
    # Outlet format (or "*" for every other format) -> key of the must-stock product list.
    "must_stock": {},
    # Planned promotions: the products of ``list`` should be on promotion from ``from`` to ``to``.
    "promotions": [],
    "perfect_store": {
        "weights": {
            "assortment": 40,
            "share_of_shelf": 20,
            "availability": 20,
            "promotion": 10,
            "pos": 10,
            "price": 0,
        },
        "share_of_shelf_target": 30.0,
        "price_index_min": 90.0,
        "price_index_max": 110.0,
    },
    "overview": [
        "numeric_distribution",
        "share_of_shelf",
        "out_of_stock_rate",
        "price_index",
        "promo_share",
        "pos_presence",
        "perfect_store_score",
        "visit_compliance",
        "coverage",
        "visits_per_rep_day",
    ],
}

_KEY = validate.Regexp(r"^[a-z][a-z0-9_]{0,59}$", error="a key: lower-case letters, digits and _")


class PromotionSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    list = fields.String(required=True, validate=_KEY, metadata={"description": "product list key"})
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        if data["to"] < data["from_"]:
            raise ValidationError("must not be before from", "to")


class WeightsSchema(StrictSchema):
    assortment = fields.Float(validate=validate.Range(min=0, max=1000))
    share_of_shelf = fields.Float(validate=validate.Range(min=0, max=1000))
    availability = fields.Float(validate=validate.Range(min=0, max=1000))
    promotion = fields.Float(validate=validate.Range(min=0, max=1000))
    pos = fields.Float(validate=validate.Range(min=0, max=1000))
    price = fields.Float(validate=validate.Range(min=0, max=1000))


class PerfectStoreSchema(StrictSchema):
    weights = fields.Nested(WeightsSchema)
    share_of_shelf_target = fields.Float(validate=validate.Range(min=1, max=100))
    price_index_min = fields.Float(validate=validate.Range(min=1, max=1000))
    price_index_max = fields.Float(validate=validate.Range(min=1, max=1000))

    @validates_schema
    def _band(self, data: dict[str, Any], **_: Any) -> None:
        low, high = data.get("price_index_min"), data.get("price_index_max")
        if low is not None and high is not None and high < low:
            raise ValidationError("must not be below price_index_min", "price_index_max")


class SettingsSchema(StrictSchema):
    timezone = fields.String(validate=validate.Length(min=1, max=60))
    weight = fields.String(
        validate=validate.Regexp(
            r"^(sales_area|none|custom:[a-z][a-z0-9_]{0,59})$", error="sales_area, none or custom:<field key>"
        )
    )
    must_stock = fields.Dict(
        keys=fields.String(validate=validate.OneOf(["*", *[f.value for f in OutletFormat]])),
        values=fields.String(validate=_KEY),
    )
    promotions = fields.List(fields.Nested(PromotionSchema), validate=validate.Length(max=200))
    perfect_store = fields.Nested(PerfectStoreSchema)
    overview = fields.List(fields.String(), validate=validate.Length(min=1, max=20))

    @validates("timezone")
    def _tz(self, value: str, **_: Any) -> None:
        if value not in _zones():
            raise ValidationError(f"'{value}' is not an IANA time zone such as Europe/Berlin")

    @validates("overview")
    def _overview(self, value: list[str], **_: Any) -> None:
        from server.analytics.kpis import KPIS

        unknown = [k for k in value if k not in KPIS]
        if unknown:
            raise ValidationError(f"unknown KPI {unknown[0]!r} (known: {', '.join(KPIS)})")


def _zones() -> set[str]:
    return available_timezones() | {"UTC"}


def merged(stored: dict[str, Any] | None) -> dict[str, Any]:
    """The defaults overlaid with what the organization stored."""
    out = copy.deepcopy(DEFAULTS)
    for key, value in (stored or {}).items():
        if key == "perfect_store":
            ps = out["perfect_store"]
            for k, v in value.items():
                if k == "weights":
                    ps["weights"] = {**ps["weights"], **v}
                else:
                    ps[k] = v
        else:
            out[key] = value
    return out


def to_storable(data: dict[str, Any]) -> dict[str, Any]:
    """Loaded settings as JSON (dates as ISO text, ``from`` under its name)."""
    out = dict(data)
    if "promotions" in out:
        out["promotions"] = [
            {"name": p["name"], "list": p["list"], "from": p["from_"].isoformat(), "to": p["to"].isoformat()}
            for p in out["promotions"]
        ]
    return out


def checksum(config: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def load(session: Session, org_id: int) -> dict[str, Any]:
    from server.analytics.models import AnalyticsSettings

    row = session.execute(select(AnalyticsSettings.config).where(AnalyticsSettings.org_id == org_id)).scalar()
    return merged(row)


def zone(config: dict[str, Any]) -> ZoneInfo:
    return ZoneInfo(config.get("timezone") or DEFAULTS["timezone"])
