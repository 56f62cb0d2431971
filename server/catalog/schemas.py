"""Schemas of the catalog API."""

from __future__ import annotations

from marshmallow import fields, validate

from server.auth.schemas import StrictSchema

KEY = validate.Regexp(r"^[a-z][a-z0-9_]{0,59}$", error="lower-case letters, digits and _, starting with a letter")


class ProductWriteSchema(StrictSchema):
    gtin = fields.Raw(required=True, metadata={"description": "GTIN-8/12/13/14 with a valid check digit"})
    brand = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    category = fields.String(validate=validate.Length(max=100), allow_none=True)
    size = fields.String(validate=validate.Length(max=40), allow_none=True, metadata={"example": "0.5 l"})
    own = fields.Boolean(metadata={"description": "true (default): the organization's product; false: a competitor's"})
    list_price = fields.Raw(allow_none=True, metadata={"description": "a number with at most 2 decimals"})
    currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$", error="an ISO 4217 code such as EUR"))
    active = fields.Boolean()


class ProductQuerySchema(StrictSchema):
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "words in name, brand or GTIN"})
    own = fields.Boolean()
    brand = fields.String(validate=validate.Length(max=100))
    category = fields.String(validate=validate.Length(max=100))
    active = fields.Boolean()
    gtin = fields.String(validate=validate.Length(max=20))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))


class ImportQuerySchema(StrictSchema):
    dry_run = fields.Boolean(
        load_default=True, metadata={"description": "true (default): only report what would change; false: apply"}
    )


class ListItemSchema(StrictSchema):
    product_id = fields.Integer()
    gtin = fields.String(validate=validate.Length(max=20))
    reference = fields.Boolean(load_default=False, metadata={"description": "a reference competitor product"})


class ProductListWriteSchema(StrictSchema):
    key = fields.String(required=True, validate=KEY)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(max=2000), allow_none=True)
    products = fields.List(
        fields.Nested(ListItemSchema),
        validate=validate.Length(max=2000),
        metadata={"description": "the whole list, in order (each by product_id or gtin)"},
    )
