"""Accounts and contacts: an organization's private overlay on outlets.

GET    /api/v1/accounts                      list: filters, sort, paging (reps: theirs only)
POST   /api/v1/accounts                      create for a reference outlet or a new private one
GET    /api/v1/accounts/export               CSV or XLSX of what the filters show
POST   /api/v1/accounts/bulk                 the same change on many accounts
GET    /api/v1/accounts/{id}                 one account with its contacts
PATCH  /api/v1/accounts/{id}                 change (optimistic: send the version you edited)
DELETE /api/v1/accounts/{id}                 remove
GET    /api/v1/accounts/{id}/history         audit trail of the account and its contacts
GET    /api/v1/accounts/{id}/contacts        its contacts
POST   /api/v1/accounts/{id}/contacts        add a contact
GET    /api/v1/contacts/{id}                 one contact
PATCH  /api/v1/contacts/{id}                 change
DELETE /api/v1/contacts/{id}                 remove
GET    /api/v1/contacts/{id}/gdpr-export     everything held about the person (JSON)
POST   /api/v1/contacts/{id}/erase           GDPR erasure: personal data removed, history kept
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, jsonify, stream_with_context
from flask.views import MethodView
from marshmallow import RAISE
from sqlalchemy import or_, select

from server import audit
from server.accounts import service
from server.accounts.models import Account, Contact
from server.accounts.schemas import (
    AccountExportQuerySchema,
    AccountQuerySchema,
    AccountWriteSchema,
    BulkUpdateSchema,
    ContactWriteSchema,
)
from server.api import Blueprint
from server.auth.models import AuditLog
from server.auth.permissions import require
from server.db import db
from server.http import body_doc, created, load_body
from server.tenancy import current_user, delete_scoped, get_scoped

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Accounts and their contacts (private)")


@blp.route("/accounts")
class Accounts(MethodView):
    @blp.arguments(AccountQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """List accounts

        Reps see the accounts assigned to them, managers their team's and the
        unassigned ones, HQ and admins all. Filters combine with AND.
        """
        return jsonify(service.list_accounts(db.session, current_user(), args))

    @blp.doc(requestBody=body_doc(AccountWriteSchema))
    def post(self) -> Any:
        """Create an account

        For a reference outlet (`outlet_id`) or for an outlet missing from the
        reference data (`outlet`: it stays private to the organization).
        """
        user = current_user()
        account = service.create_account(db.session, user, load_body(AccountWriteSchema))
        return created(service.get_account_json(db.session, user, account.id))


@blp.route("/accounts/export")
class AccountExport(MethodView):
    @blp.arguments(AccountExportQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    @blp.doc(responses={"200": {"description": "CSV or XLSX file", "content": {"text/csv": {}, XLSX: {}}}})
    def get(self, **args: Any) -> Any:
        """Export accounts as CSV or XLSX (`output=csv|xlsx`), with the list's filters"""
        user = current_user()
        rows = service.export_rows(db.session, user, args)
        header = next(rows)  # runs the checks (permission, filters) before anything is sent
        audit.record(
            db.session,
            org_id=user.org_id,
            action="export",
            object_type="accounts",
            object_id=0,
            note=f"{args['format_']} export with filters {sorted(k for k in args if k != 'format_')}",
        )
        db.session.commit()
        if args["format_"] == "xlsx":
            return _xlsx(header, rows)

        def generate() -> Any:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(header)
            for count, row in enumerate(rows, start=1):
                writer.writerow(row)
                if count % 500 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue()

        return Response(
            stream_with_context(generate()),
            mimetype="text/csv",
            headers={"Content-Disposition": 'attachment; filename="accounts.csv"'},
        )


def _xlsx(header: list[str], rows: Any) -> Response:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("accounts")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Response(
        buffer.getvalue(), mimetype=XLSX, headers={"Content-Disposition": 'attachment; filename="accounts.xlsx"'}
    )


@blp.route("/accounts/bulk")
class AccountBulk(MethodView):
    @blp.doc(requestBody=body_doc(BulkUpdateSchema))
    def post(self) -> Any:
        """Change many accounts at once (all or nothing)"""
        data = load_body(BulkUpdateSchema)
        count = service.bulk_update(db.session, current_user(), data["ids"], dict(data["set"]))
        return jsonify({"updated": count})


@blp.route("/accounts/<int:account_id>")
class AccountDetail(MethodView):
    def get(self, account_id: int) -> Any:
        """One account, with its contacts"""
        return jsonify(service.get_account_json(db.session, current_user(), account_id))

    @blp.doc(requestBody=body_doc(AccountWriteSchema, "Any subset of the fields, plus the version you edited"))
    def patch(self, account_id: int) -> Any:
        """Change an account"""
        user = current_user()
        get_scoped(Account, account_id, what="account")  # 404 before any body error
        service.update_account(db.session, user, account_id, load_body(AccountWriteSchema, partial=True))
        return jsonify(service.get_account_json(db.session, user, account_id))

    @blp.response(204)
    def delete(self, account_id: int) -> Any:
        """Delete an account (its contacts too)"""
        service.delete_account(db.session, current_user(), account_id)
        return Response(status=204)


@blp.route("/accounts/<int:account_id>/history")
class AccountHistory(MethodView):
    def get(self, account_id: int) -> Any:
        """Who changed the account and its contacts, when, from what to what"""
        user = current_user()
        account = get_scoped(Account, account_id, what="account")
        require(user, "accounts.history")
        contact_ids = [c.id for c in account.contacts]
        entries = db.session.execute(
            select(AuditLog)
            .where(
                AuditLog.org_id == user.org_id,
                or_(
                    (AuditLog.object_type == "account") & (AuditLog.object_id == account.id),
                    (AuditLog.object_type == "contact") & AuditLog.object_id.in_(contact_ids or [-1]),
                ),
            )
            .order_by(AuditLog.id)
        ).scalars()
        return jsonify({"items": [audit_json(e) for e in entries]})


def audit_json(entry: AuditLog) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": service._iso(entry.at),
        "user_id": entry.user_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "changes": entry.changes,
        "note": entry.note,
    }


@blp.route("/accounts/<int:account_id>/contacts")
class AccountContacts(MethodView):
    def get(self, account_id: int) -> Any:
        """Contacts at the account"""
        account = get_scoped(Account, account_id, what="account")
        require(current_user(), "contacts.read")
        return jsonify({"items": [service.contact_json(c) for c in account.contacts]})

    @blp.doc(requestBody=body_doc(ContactWriteSchema))
    def post(self, account_id: int) -> Any:
        """Add a contact (phone normalised to E.164 in the outlet's country)"""
        user = current_user()
        account = get_scoped(Account, account_id, what="account")
        require(user, "contacts.write")
        contact = Contact(org_id=user.org_id, account_id=account.id)
        service.save_contact(db.session, user, contact, load_body(ContactWriteSchema), account.outlet.country)
        return created(service.contact_json(contact))


@blp.route("/contacts/<int:contact_id>")
class ContactDetail(MethodView):
    def get(self, contact_id: int) -> Any:
        """One contact"""
        contact = get_scoped(Contact, contact_id, what="contact")
        require(current_user(), "contacts.read")
        return jsonify(service.contact_json(contact))

    @blp.doc(requestBody=body_doc(ContactWriteSchema, "Any subset of the fields"))
    def patch(self, contact_id: int) -> Any:
        """Change a contact"""
        user = current_user()
        contact = get_scoped(Contact, contact_id, what="contact")
        require(user, "contacts.write")
        data = load_body(ContactWriteSchema, partial=True)
        service.save_contact(db.session, user, contact, data, contact.account.outlet.country)
        return jsonify(service.contact_json(contact))

    @blp.response(204)
    def delete(self, contact_id: int) -> Any:
        """Delete a contact"""
        delete_scoped(Contact, contact_id, what="contact", permission="contacts.write")
        return Response(status=204)


@blp.route("/contacts/<int:contact_id>/gdpr-export")
class ContactExport(MethodView):
    def get(self, contact_id: int) -> Any:
        """Everything held about a contact (GDPR access request)"""
        user = current_user()
        contact = get_scoped(Contact, contact_id, what="contact")
        require(user, "contacts.gdpr")
        audit.record(
            db.session,
            org_id=user.org_id,
            action="export",
            object_type="contact",
            object_id=contact.id,
            note="GDPR export",
        )
        response = jsonify(service.gdpr_export(db.session, contact))
        response.headers["Content-Disposition"] = f'attachment; filename="contact-{contact.id}.json"'
        return response


@blp.route("/contacts/<int:contact_id>/erase")
class ContactErase(MethodView):
    def post(self, contact_id: int) -> Any:
        """Erase a contact's personal data (GDPR); the account's history is kept"""
        user = current_user()
        contact = get_scoped(Contact, contact_id, what="contact")
        require(user, "contacts.gdpr")
        service.erase_contact(db.session, contact)
        return jsonify(service.contact_json(contact))
