"""Query parameters of the analytics API: one set of filters shared by KPIs, dashboards and exports."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList

from server.accounts.models import AccountClass
from server.auth.schemas import StrictSchema
from server.outlets.models import OutletFormat

_ID = fields.Integer(strict=False, validate=validate.Range(min=1, max=2**31 - 1))
ALL_DIMS = [
    "period",
    "country",
    "region",
    "banner",
    "group",
    "format",
    "class",
    "territory",
    "rep",
    "outlet",
    "account",
    "product",
    "brand",
    "category",
    "own",
    "form",
    "form_version",
]


def _ids(description: str) -> DelimitedList:
    return DelimitedList(_ID, validate=validate.Length(max=500), metadata={"description": description})


def _words(max_length: int, description: str) -> DelimitedList:
    return DelimitedList(
        fields.String(validate=validate.Length(min=1, max=max_length)),
        validate=validate.Length(max=500),
        metadata={"description": description},
    )


class FilterSchema(StrictSchema):
    """Filters: each takes a comma-separated list (OR within a filter, AND between filters)."""

    country = DelimitedList(
        fields.String(validate=validate.Regexp(r"^[A-Z]{2}$", error="a two-letter country code such as DE")),
        metadata={"description": "outlet country (ISO 3166 alpha-2)"},
    )
    region = _words(8, "outlet region code, such as DE-BY")
    banner = _words(100, "outlet banner (store brand)")
    group = _words(100, "retail group of the banner")
    format = DelimitedList(fields.String(validate=validate.OneOf([f.value for f in OutletFormat])))
    account_class = DelimitedList(
        fields.String(validate=validate.OneOf([c.value for c in AccountClass])),
        data_key="class",
        metadata={"description": "account class A, B, C"},
    )
    territory = _ids("territory id")
    rep = DelimitedList(
        fields.String(validate=validate.Regexp(r"^(\d{1,10}|me)$", error="a user id or 'me'")),
        validate=validate.Length(max=500),
        metadata={"description": "rep (user id or 'me'): who made the check or visit; for coverage the assigned rep"},
    )
    outlet = _ids("outlet id")
    account = _ids("account id")
    product = _ids("product id")
    brand = _words(100, "product brand")
    category = _words(100, "product category")
    own = fields.Boolean(metadata={"description": "true: the organization's products; false: competitors'"})
    form = _ids("form id")
    form_version = _ids("form version id")
    list_ = DelimitedList(
        fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,59}$", error="a product list key")),
        data_key="list",
        validate=validate.Length(max=20),
        metadata={"description": "product list key: products while they were on the list"},
    )


class PeriodSchema(FilterSchema):
    period = fields.String(
        load_default="month",
        validate=validate.OneOf(["day", "week", "month"]),
        metadata={"description": "grain: day, week (Monday to Sunday) or month; the range snaps to whole periods"},
    )
    from_ = fields.Date(data_key="from", metadata={"description": "first day (default: start of the current period)"})
    to = fields.Date(metadata={"description": "last day (default: today)"})

    @validates_schema
    def _range(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("from_"), data.get("to")
        if start is not None and end is not None and start > end:
            raise ValidationError("must not be after to", "from")
        for name, value in (("from", start), ("to", end)):
            if value is not None and not 2000 <= value.year <= 2100:
                raise ValidationError("must be a date between 2000 and 2100", name)


class KpiQuerySchema(PeriodSchema):
    kpi = fields.String(required=True, validate=validate.Length(min=1, max=60), metadata={"description": "KPI key"})
    group_by = DelimitedList(
        fields.String(validate=validate.OneOf(ALL_DIMS)),
        validate=validate.Length(max=2),
        metadata={"description": "up to two dimensions to cut by (period: a time series)"},
    )
    compare = fields.Boolean(load_default=True, metadata={"description": "also compute the previous range"})


class OverviewQuerySchema(PeriodSchema):
    pass


class SeriesQuerySchema(PeriodSchema):
    kpi = fields.String(required=True, validate=validate.Length(min=1, max=60))
    split = fields.String(
        validate=validate.OneOf([d for d in ALL_DIMS if d != "period"]),
        metadata={"description": "one series per value of this dimension"},
    )


class MapQuerySchema(PeriodSchema):
    kpi = fields.String(required=True, validate=validate.Length(min=1, max=60))
    level = fields.String(
        load_default="region",
        validate=validate.OneOf(["region", "territory", "outlet"]),
        metadata={
            "description": "region: a point at the centre of its outlets; territory: the territory's polygon; "
            "outlet: the outlet's position"
        },
    )
    limit = fields.Integer(load_default=5000, validate=validate.Range(min=1, max=50_000))


class ExportQuerySchema(PeriodSchema):
    format_ = fields.String(data_key="output", load_default="csv", validate=validate.OneOf(["csv", "xlsx"]))


class ResponseExportQuerySchema(ExportQuerySchema):
    layout = fields.String(
        load_default="products",
        validate=validate.OneOf(["products", "answers"]),
        metadata={"description": "products: one row per product of a grid; answers: one row per answer"},
    )


class VisitExportQuerySchema(ExportQuerySchema):
    status = DelimitedList(
        fields.String(validate=validate.OneOf(["planned", "in_progress", "done", "missed", "cancelled"]))
    )


class AccountExportQuerySchema(ExportQuerySchema):
    pass


class RebuildSchema(StrictSchema):
    pass
