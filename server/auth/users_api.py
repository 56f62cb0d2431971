"""Users of the organization: /api/v1/users (admins manage, managers and HQ read).

GET   /api/v1/users                        list (filters: role, manager_id, q)
POST  /api/v1/users                        invite: creates the user and a one-time link
GET   /api/v1/users/{id}                   one user
PATCH /api/v1/users/{id}                   change name, role, manager, home, locale, active
POST  /api/v1/users/{id}/password-reset    a new one-time link; the user's tokens are revoked
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.views import MethodView
from marshmallow import RAISE
from sqlalchemy import func, or_, select

from server.api import Blueprint
from server.auth import service
from server.auth.api import user_json
from server.auth.models import Role, User
from server.auth.permissions import require
from server.auth.schemas import UserListQuerySchema, UserWriteSchema
from server.db import db
from server.errors import Problem, field_error
from server.http import body_doc, load_body
from server.tenancy import current_user, get_scoped, scoped

blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="Users, roles and invitations")


@blp.route("")
class Users(MethodView):
    @blp.arguments(UserListQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """Users of the organization"""
        require(current_user(), "users.read")
        query = scoped(User)
        if "role" in args:
            query = query.where(User.role == args["role"])
        if "manager_id" in args:
            get_scoped(User, args["manager_id"], what="user")
            query = query.where(User.manager_id == args["manager_id"])
        if args.get("q"):
            pattern = f"%{args['q'].lower()}%"
            query = query.where(or_(func.lower(User.name).like(pattern), func.lower(User.email).like(pattern)))
        users = db.session.execute(query.order_by(User.id).limit(args["limit"]).offset(args["offset"])).scalars()
        return jsonify({"items": [user_json(u) for u in users]})

    @blp.doc(requestBody=body_doc(UserWriteSchema))
    def post(self) -> Any:
        """Invite a user

        Creates the user without a password and returns a one-time link (valid 7 days)
        with which they set it. Send the link to the person; it is shown only once.
        """
        admin = current_user()
        require(admin, "users.write")
        data = load_body(UserWriteSchema)
        email = data["email"].strip().lower()
        if db.session.execute(select(User.id).where(func.lower(User.email) == email)).first():
            raise Problem(
                "conflict",
                f"A user with the email {email} exists already.",
                errors=[{"field": "email", "in": "body", "message": "already in use"}],
            )
        user = User(org_id=admin.org_id, email=email, name=data["name"], role=data["role"], active=True)
        _apply(user, data, admin)
        db.session.add(user)
        db.session.flush()
        secret = service.create_link(db.session, user, "invite", admin)
        body = user_json(user)
        body["invitation"] = {"token": secret, "url": f"/invite/{secret}", "expires_in_days": 7}
        response = jsonify(body)
        response.status_code = 201
        return response


@blp.route("/<int:user_id>")
class UserDetail(MethodView):
    def get(self, user_id: int) -> Any:
        """One user"""
        user = get_scoped(User, user_id, what="user")
        me = current_user()
        if user.id != me.id:
            require(me, "users.read")
        return jsonify(user_json(user))

    @blp.doc(requestBody=body_doc(UserWriteSchema, "Any subset of the fields"))
    def patch(self, user_id: int) -> Any:
        """Change a user (admins)"""
        admin = current_user()
        user = get_scoped(User, user_id, what="user")
        require(admin, "users.write")
        data = load_body(UserWriteSchema, partial=True)
        if "email" in data and data["email"].strip().lower() != user.email:
            email = data["email"].strip().lower()
            if db.session.execute(select(User.id).where(func.lower(User.email) == email)).first():
                raise Problem("conflict", f"A user with the email {email} exists already.")
            user.email = email
        for key in ("name", "role"):
            if key in data:
                setattr(user, key, data[key])
        if user.id == admin.id and data.get("role", Role.ADMIN) != Role.ADMIN:
            raise field_error("role", "you cannot take away your own admin role", "body")
        _apply(user, data, admin)
        if data.get("active") is False:
            if user.id == admin.id:
                raise field_error("active", "you cannot deactivate yourself", "body")
            service.revoke_all(db.session, user)
        return jsonify(user_json(user))


@blp.route("/<int:user_id>/password-reset")
class PasswordReset(MethodView):
    def post(self, user_id: int) -> Any:
        """Reset a user's password: a new one-time link; their tokens stop working"""
        admin = current_user()
        user = get_scoped(User, user_id, what="user")
        require(admin, "users.write")
        service.revoke_all(db.session, user)
        user.password_hash = None
        secret = service.create_link(db.session, user, "reset", admin)
        return jsonify({"token": secret, "url": f"/invite/{secret}", "expires_in_days": 7})


def _apply(user: User, data: dict[str, Any], admin: User) -> None:
    if "manager_id" in data:
        manager_id = data["manager_id"]
        if manager_id is not None:
            try:
                manager = get_scoped(User, manager_id, what="user", user=admin)
            except Problem:
                raise field_error("manager_id", f"there is no user {manager_id}", "body") from None
            if manager.role not in (Role.MANAGER, Role.ADMIN, Role.HQ) or manager.id == user.id:
                raise field_error("manager_id", "must be a manager, HQ or admin other than the user", "body")
        user.manager_id = manager_id
    if "home" in data:
        home = data["home"]
        user.home_lat, user.home_lon = (home["lat"], home["lon"]) if home else (None, None)
        user.home_address = home.get("address") if home else None
    if "locale" in data:
        user.locale = data["locale"]
    if "active" in data:
        user.active = data["active"]
