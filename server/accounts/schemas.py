"""Schemas of the accounts, contacts, territories and custom-field API."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList

from server.accounts.models import AccountClass, AccountStatus, FieldType
from server.auth.schemas import LOCALES, StrictSchema
from server.outlets.models import OutletFormat
from server.outlets.schemas import LatLon

STATUSES = [s.value for s in AccountStatus]
CLASSES = [c.value for c in AccountClass]
FIELD_TYPES = [t.value for t in FieldType]
ACCOUNT_SORTS = ["id", "name", "class", "distance", "due", "last_visit"]

_tag = fields.String(validate=validate.Length(min=1, max=50))


class NewOutletSchema(StrictSchema):
    """An outlet missing from the reference data; private to the organization."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    banner = fields.String(validate=validate.Length(max=100), allow_none=True)
    format = fields.String(required=True, validate=validate.OneOf([f.value for f in OutletFormat]))
    street = fields.String(validate=validate.Length(max=200), allow_none=True)
    house_number = fields.String(validate=validate.Length(max=20), allow_none=True)
    postcode = fields.String(validate=validate.Length(max=12), allow_none=True)
    city = fields.String(required=True, validate=validate.Length(min=1, max=120))
    country = fields.String(
        required=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="two capital letters (ISO 3166)")
    )
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    opening_hours = fields.String(validate=validate.Length(max=255), allow_none=True)
    phone = fields.String(validate=validate.Length(max=40), allow_none=True)
    website = fields.Url(validate=validate.Length(max=300), allow_none=True)


class AccountWriteSchema(StrictSchema):
    outlet_id = fields.Integer()
    outlet = fields.Nested(NewOutletSchema)
    status = fields.String(validate=validate.OneOf(STATUSES))
    account_class = fields.String(validate=validate.OneOf(CLASSES), allow_none=True)
    visit_every_weeks = fields.Integer(validate=validate.Range(min=1, max=52), allow_none=True)
    assigned_rep_id = fields.Integer(allow_none=True)
    distributor = fields.String(validate=validate.Length(max=200), allow_none=True)
    custom = fields.Dict(keys=fields.String(validate=validate.Length(max=60)))
    tags = fields.List(_tag, validate=validate.Length(max=50))
    notes = fields.String(validate=validate.Length(max=20_000), allow_none=True)
    version = fields.Integer(metadata={"description": "PATCH: the version you edited; 409 if it changed meanwhile"})

    @validates_schema
    def _one_outlet(self, data: dict[str, Any], partial: Any = None, **_: Any) -> None:
        if partial:
            if "outlet_id" in data or "outlet" in data:
                raise ValidationError("the outlet of an account cannot be changed", "outlet_id")
            return
        if ("outlet_id" in data) == ("outlet" in data):
            raise ValidationError("give either outlet_id (a reference outlet) or outlet (a new one)", "outlet_id")


class BulkSetSchema(StrictSchema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    account_class = fields.String(validate=validate.OneOf(CLASSES), allow_none=True)
    visit_every_weeks = fields.Integer(validate=validate.Range(min=1, max=52), allow_none=True)
    assigned_rep_id = fields.Integer(allow_none=True)
    distributor = fields.String(validate=validate.Length(max=200), allow_none=True)
    add_tags = fields.List(_tag, validate=validate.Length(max=50))
    remove_tags = fields.List(_tag, validate=validate.Length(max=50))


class BulkUpdateSchema(StrictSchema):
    ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=10_000))
    set = fields.Nested(BulkSetSchema, required=True)


class AccountQuerySchema(StrictSchema):
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "text over the outlet"})
    status = DelimitedList(fields.String(validate=validate.OneOf(STATUSES)))
    account_class = DelimitedList(fields.String(validate=validate.OneOf(CLASSES)), data_key="class")
    rep = fields.String(
        validate=validate.Regexp(r"^(\d{1,10}|me|none)$", error="a user id, 'me' or 'none'"),
        metadata={"description": "assigned rep: a user id, 'me' or 'none'"},
    )
    territory = fields.String(
        validate=validate.Regexp(r"^(\d{1,10}|none)$", error="a territory id or 'none'"),
        metadata={"description": "inside a territory, or 'none': outside every territory"},
    )
    overdue = fields.Boolean(metadata={"description": "true: the visit frequency says a visit is due"})
    tag = fields.String(validate=validate.Length(max=50))
    format = DelimitedList(fields.String(validate=validate.OneOf([f.value for f in OutletFormat])))
    banner = DelimitedList(fields.String(validate=validate.Length(max=100)))
    near = LatLon()
    radius = fields.Float(validate=validate.Range(min=1, max=200_000))
    sort = fields.String(validate=validate.OneOf(ACCOUNT_SORTS))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100_000))

    @validates_schema
    def _near(self, data: dict[str, Any], **_: Any) -> None:
        if "radius" in data and "near" not in data:
            raise ValidationError("radius needs near=lat,lon", "radius")
        if data.get("sort") == "distance" and "near" not in data:
            raise ValidationError("sort=distance needs near=lat,lon", "sort")


class AccountExportQuerySchema(AccountQuerySchema):
    format_ = fields.String(data_key="output", load_default="csv", validate=validate.OneOf(["csv", "xlsx"]))
    limit = fields.Integer(load_default=1_000_000, validate=validate.Range(min=1, max=1_000_000))


class ContactWriteSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=200), required=True)
    role = fields.String(validate=validate.Length(max=100), allow_none=True)
    phone = fields.String(validate=validate.Length(max=40), allow_none=True)
    email = fields.Email(validate=validate.Length(max=254), allow_none=True)
    preferred_language = fields.String(validate=validate.OneOf(LOCALES), allow_none=True)
    consent = fields.Boolean()
    consent_note = fields.String(validate=validate.Length(max=300), allow_none=True)


class CustomFieldSchema(StrictSchema):
    key = fields.String(
        required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,59}$", error="lower-case letters, digits and _")
    )
    label = fields.String(required=True, validate=validate.Length(min=1, max=200))
    type = fields.String(required=True, validate=validate.OneOf(FIELD_TYPES))
    choices = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)),
        validate=validate.Length(min=1, max=200),
        allow_none=True,
    )
    required = fields.Boolean(load_default=False)

    @validates_schema
    def _choices(self, data: dict[str, Any], partial: Any = None, **_: Any) -> None:
        if partial:
            return
        if data.get("type") == "choice" and not data.get("choices"):
            raise ValidationError("a choice field needs its choices", "choices")
        if data.get("type") != "choice" and data.get("choices"):
            raise ValidationError("only choice fields have choices", "choices")


class TerritoryWriteSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    geometry = fields.Dict(required=True, metadata={"description": "GeoJSON Polygon or MultiPolygon"})
    color = fields.String(
        validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="a colour such as #1e88e5"), allow_none=True
    )
    rep_ids = fields.List(fields.Integer(), validate=validate.Length(max=200))


class AssignSchema(StrictSchema):
    rep_id = fields.Integer(required=True, allow_none=True)
    only_unassigned = fields.Boolean(load_default=False)


class OrganizationWriteSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    settings = fields.Dict()


class AuditQuerySchema(StrictSchema):
    object_type = fields.String(validate=validate.Length(max=40))
    object_id = fields.Integer()
    user_id = fields.Integer()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))
