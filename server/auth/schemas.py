"""Schemas of the auth and user API."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from server.auth.models import Role

ROLES = [r.value for r in Role]
LOCALES = ["de", "fr", "en"]


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


class LoginSchema(StrictSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=512))
    cookie = fields.Boolean(
        load_default=False,
        metadata={
            "description": "true: start a browser session (HttpOnly cookie + CSRF cookie) instead of a bearer token"
        },
    )


class TokenResponseSchema(Schema):
    access_token = fields.String(metadata={"description": "Send as 'Authorization: Bearer <token>'"})
    token_type = fields.String()
    expires_at = fields.DateTime()
    csrf_token = fields.String(metadata={"description": "Cookie sessions: send it as X-CSRF-Token on writes"})
    user = fields.Dict()


class PasswordChangeSchema(StrictSchema):
    current_password = fields.String(required=True, validate=validate.Length(max=512))
    new_password = fields.String(required=True, validate=validate.Length(min=10, max=512))


class AcceptLinkSchema(StrictSchema):
    token = fields.String(required=True, validate=validate.Length(min=10, max=200))
    password = fields.String(required=True, validate=validate.Length(min=10, max=512))


class HomeSchema(StrictSchema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    address = fields.String(validate=validate.Length(max=300), allow_none=True)


class UserWriteSchema(StrictSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    manager_id = fields.Integer(allow_none=True)
    home = fields.Nested(HomeSchema, allow_none=True)
    locale = fields.String(validate=validate.OneOf(LOCALES), allow_none=True)
    active = fields.Boolean()

    @validates_schema
    def _finite(self, data: dict[str, Any], **_: Any) -> None:
        home = data.get("home")
        if home and any(v != v for v in (home["lat"], home["lon"])):  # NaN
            raise ValidationError("must be numbers", "home")


class UserSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    manager_id = fields.Integer(allow_none=True)
    home = fields.Dict(allow_none=True)
    locale = fields.String(allow_none=True)
    active = fields.Boolean()
    last_login_at = fields.DateTime(allow_none=True)


class UserListQuerySchema(StrictSchema):
    role = fields.String(validate=validate.OneOf(ROLES))
    manager_id = fields.Integer()
    q = fields.String(validate=validate.Length(max=200))
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100_000))
