"""Territories, custom fields, organization settings and the audit log.

GET    /api/v1/territories                    territories with their reps and GeoJSON geometry
POST   /api/v1/territories                    create (managers, admins)
GET    /api/v1/territories/{id}               one
PATCH  /api/v1/territories/{id}               change name, geometry, colour, reps
DELETE /api/v1/territories/{id}               remove
POST   /api/v1/territories/{id}/assign        assign the accounts inside it to a rep
GET    /api/v1/custom-fields                  the organization's custom account fields
POST   /api/v1/custom-fields                  define one (admins)
PATCH  /api/v1/custom-fields/{id}             change label, choices, required
DELETE /api/v1/custom-fields/{id}             remove the definition (values stay in history)
GET    /api/v1/organization                   name and settings
PATCH  /api/v1/organization                   change them (admins)
GET    /api/v1/audit                          the audit log (managers, HQ, admins)
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask.views import MethodView
from marshmallow import RAISE
from sqlalchemy import select

from server.accounts import service
from server.accounts.api import audit_json
from server.accounts.models import CustomFieldDefinition, Territory
from server.accounts.schemas import (
    AssignSchema,
    AuditQuerySchema,
    CustomFieldSchema,
    OrganizationWriteSchema,
    TerritoryWriteSchema,
)
from server.api import Blueprint
from server.auth.models import DEFAULT_SETTINGS, AuditLog, Organization
from server.auth.permissions import require
from server.db import db
from server.errors import Problem, field_error
from server.http import body_doc, load_body
from server.tenancy import current_user, delete_scoped, get_scoped, scoped

blp = Blueprint(
    "organization",
    __name__,
    url_prefix="/api/v1",
    description="Territories, custom fields, settings and audit log of the organization",
)


@blp.route("/territories")
class Territories(MethodView):
    def get(self) -> Any:
        """Territories of the organization"""
        user = current_user()
        require(user, "territories.read")
        items = db.session.execute(scoped(Territory).order_by(Territory.id)).scalars()
        return jsonify({"items": [service.territory_json(db.session, t) for t in items]})

    @blp.doc(requestBody=body_doc(TerritoryWriteSchema))
    def post(self) -> Any:
        """Create a territory (GeoJSON Polygon or MultiPolygon) with its reps"""
        user = current_user()
        require(user, "territories.write")
        territory = Territory(org_id=user.org_id)
        service.save_territory(db.session, user, territory, load_body(TerritoryWriteSchema))
        response = jsonify(service.territory_json(db.session, territory))
        response.status_code = 201
        return response


@blp.route("/territories/<int:territory_id>")
class TerritoryDetail(MethodView):
    def get(self, territory_id: int) -> Any:
        """One territory"""
        territory = get_scoped(Territory, territory_id, what="territory")
        require(current_user(), "territories.read")
        return jsonify(service.territory_json(db.session, territory))

    @blp.doc(requestBody=body_doc(TerritoryWriteSchema, "Any subset of the fields"))
    def patch(self, territory_id: int) -> Any:
        """Change a territory"""
        user = current_user()
        territory = get_scoped(Territory, territory_id, what="territory")
        require(user, "territories.write")
        service.save_territory(db.session, user, territory, load_body(TerritoryWriteSchema, partial=True))
        return jsonify(service.territory_json(db.session, territory))

    @blp.response(204)
    def delete(self, territory_id: int) -> Any:
        """Delete a territory (accounts keep their reps)"""
        delete_scoped(Territory, territory_id, what="territory", permission="territories.write")
        return Response(status=204)


@blp.route("/territories/<int:territory_id>/assign")
class TerritoryAssign(MethodView):
    @blp.doc(requestBody=body_doc(AssignSchema))
    def post(self, territory_id: int) -> Any:
        """Assign the accounts inside the territory to a rep (or unassign with null)"""
        user = current_user()
        territory = get_scoped(Territory, territory_id, what="territory")
        data = load_body(AssignSchema)
        changed = service.assign_territory(db.session, user, territory, data["rep_id"], data["only_unassigned"])
        return jsonify({"updated": changed})


@blp.route("/custom-fields")
class CustomFields(MethodView):
    def get(self) -> Any:
        """Custom account fields defined by the organization"""
        items = db.session.execute(scoped(CustomFieldDefinition).order_by(CustomFieldDefinition.key)).scalars()
        return jsonify({"items": [_field_json(f) for f in items]})

    @blp.doc(requestBody=body_doc(CustomFieldSchema))
    def post(self) -> Any:
        """Define a custom field (text, number, choice or date)"""
        user = current_user()
        require(user, "custom_fields.write")
        data = load_body(CustomFieldSchema)
        if db.session.execute(scoped(CustomFieldDefinition).where(CustomFieldDefinition.key == data["key"])).first():
            raise Problem("conflict", f"A custom field '{data['key']}' exists already.")
        definition = CustomFieldDefinition(org_id=user.org_id, **data)
        db.session.add(definition)
        db.session.flush()
        response = jsonify(_field_json(definition))
        response.status_code = 201
        return response


@blp.route("/custom-fields/<int:field_id>")
class CustomFieldDetail(MethodView):
    @blp.doc(requestBody=body_doc(CustomFieldSchema, "label, choices, required"))
    def patch(self, field_id: int) -> Any:
        """Change a custom field's label, choices or whether it is required"""
        user = current_user()
        definition = get_scoped(CustomFieldDefinition, field_id, what="custom field")
        require(user, "custom_fields.write")
        data = load_body(CustomFieldSchema, partial=True)
        if "key" in data and data["key"] != definition.key or "type" in data and data["type"] != definition.type:
            raise field_error("key" if "key" in data else "type", "cannot be changed; define a new field", "body")
        if "choices" in data and definition.type != "choice":
            raise field_error("choices", "only choice fields have choices", "body")
        for key in ("label", "choices", "required"):
            if key in data:
                setattr(definition, key, data[key])
        return jsonify(_field_json(definition))

    @blp.response(204)
    def delete(self, field_id: int) -> Any:
        """Remove a custom field definition"""
        delete_scoped(CustomFieldDefinition, field_id, what="custom field", permission="custom_fields.write")
        return Response(status=204)


def _field_json(definition: CustomFieldDefinition) -> dict[str, Any]:
    return {
        "id": definition.id,
        "key": definition.key,
        "label": definition.label,
        "type": definition.type,
        "choices": definition.choices,
        "required": definition.required,
    }


@blp.route("/organization")
class OrganizationDetail(MethodView):
    def get(self) -> Any:
        """The organization: name and settings (with defaults filled in)"""
        user = current_user()
        require(user, "organization.read")
        return jsonify(_org_json(user.organization))

    @blp.doc(requestBody=body_doc(OrganizationWriteSchema))
    def patch(self) -> Any:
        """Change the organization's name or settings (admins)"""
        user = current_user()
        require(user, "organization.write")
        data = load_body(OrganizationWriteSchema, partial=True)
        org = user.organization
        if "name" in data:
            org.name = data["name"]
        if "settings" in data:
            merged = dict(org.settings or {})
            for key, value in data["settings"].items():
                if key not in DEFAULT_SETTINGS:
                    raise field_error(
                        f"settings.{key}", f"unknown setting (known: {', '.join(DEFAULT_SETTINGS)})", "body"
                    )
                if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000:
                    raise field_error(f"settings.{key}", "must be a whole number from 1 to 100000", "body")
                merged[key] = value
            org.settings = merged
        return jsonify(_org_json(org))


def _org_json(org: Organization) -> dict[str, Any]:
    return {
        "id": org.id,
        "name": org.name,
        "slug": org.slug,
        "settings": {key: org.setting(key) for key in DEFAULT_SETTINGS},
    }


@blp.route("/audit")
class Audit(MethodView):
    @blp.arguments(AuditQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """The audit log of the organization, newest first"""
        user = current_user()
        require(user, "audit.read")
        query = select(AuditLog).where(AuditLog.org_id == user.org_id)
        for key in ("object_type", "object_id", "user_id"):
            if key in args:
                query = query.where(getattr(AuditLog, key) == args[key])
        rows = db.session.execute(query.order_by(AuditLog.id.desc()).limit(args["limit"]).offset(args["offset"]))
        return jsonify({"items": [audit_json(e) for e in rows.scalars()]})
