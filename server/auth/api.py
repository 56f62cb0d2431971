"""Login, logout, the current user, tokens and one-time links: /api/v1/auth.

POST   /api/v1/auth/login             email + password -> bearer token (or cookie session)
POST   /api/v1/auth/logout            revoke the token or session in use
GET    /api/v1/auth/me                the current user, organization and permissions
POST   /api/v1/auth/password          change one's password (every token is revoked)
POST   /api/v1/auth/accept            set a password through an invitation or reset link
GET    /api/v1/auth/tokens            one's tokens and sessions
DELETE /api/v1/auth/tokens/{id}       revoke one of them
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from flask import current_app, jsonify, request
from flask.views import MethodView
from sqlalchemy import select

from server.api import Blueprint
from server.auth import service
from server.auth.middleware import CSRF_COOKIE, SESSION_COOKIE
from server.auth.models import AuthToken, User
from server.auth.permissions import permissions_of
from server.auth.schemas import AcceptLinkSchema, LoginSchema, PasswordChangeSchema, TokenResponseSchema
from server.db import db
from server.errors import Problem, field_error
from server.http import body_doc, load_body
from server.tenancy import current_user

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Login, tokens and sessions")


@blp.route("/login")
class Login(MethodView):
    public = True

    @blp.doc(requestBody=body_doc(LoginSchema))
    @blp.response(200, TokenResponseSchema)
    def post(self) -> Any:
        """Log in

        With `cookie: true` a browser session starts (HttpOnly cookie; send the returned
        `csrf_token` as `X-CSRF-Token` on writes); otherwise a bearer token is returned.
        Five failures for an email within 15 minutes block it for 15 minutes.
        """
        data = load_body(LoginSchema)
        settings = current_app.config["RAYON"]
        kind = "session" if data["cookie"] else "bearer"
        hours = settings.session_ttl_hours if kind == "session" else settings.token_ttl_hours
        issued = service.login(
            db.session,
            email=data["email"],
            password=data["password"],
            ip=request.remote_addr or "?",
            kind=kind,
            ttl=dt.timedelta(hours=hours),
            user_agent=request.headers.get("User-Agent"),
        )
        user = issued.token.user
        body: dict[str, Any] = {
            "token_type": "Bearer" if kind == "bearer" else "session",
            "expires_at": issued.token.expires_at.isoformat(),
            "user": user_json(user),
        }
        if kind == "bearer":
            body["access_token"] = issued.secret
            return jsonify(body)
        csrf = secrets.token_urlsafe(24)
        body["csrf_token"] = csrf
        response = jsonify(body)
        secure = settings.secure_cookies if settings.secure_cookies is not None else request.is_secure
        max_age = hours * 3600
        response.set_cookie(
            SESSION_COOKIE, issued.secret, max_age=max_age, httponly=True, secure=secure, samesite="Lax", path="/"
        )
        response.set_cookie(
            CSRF_COOKIE, csrf, max_age=max_age, httponly=False, secure=secure, samesite="Strict", path="/"
        )
        return response


@blp.route("/logout")
class Logout(MethodView):
    @blp.response(204)
    def post(self) -> Any:
        """Log out: the token or session in use stops working"""
        from flask import g

        service.revoke(db.session, g.token)
        response = current_app.response_class(status=204)
        response.delete_cookie(SESSION_COOKIE, path="/")
        response.delete_cookie(CSRF_COOKIE, path="/")
        return response


@blp.route("/me")
class Me(MethodView):
    def get(self) -> Any:
        """The current user, their organization and what they may do"""
        user = current_user()
        org = user.organization
        return jsonify(
            {
                "user": user_json(user),
                "organization": {"id": org.id, "name": org.name, "slug": org.slug},
                "permissions": permissions_of(user),
            }
        )


@blp.route("/password")
class PasswordChange(MethodView):
    @blp.doc(requestBody=body_doc(PasswordChangeSchema))
    @blp.response(204)
    def post(self) -> Any:
        """Change one's password; every token and session of the user is revoked"""
        data = load_body(PasswordChangeSchema)
        user = current_user()
        if not service.verify_password(user, data["current_password"]):
            raise field_error("current_password", "is not your current password", "body")
        service.set_password(db.session, user, data["new_password"])
        return current_app.response_class(status=204)


@blp.route("/accept")
class AcceptLink(MethodView):
    public = True

    @blp.doc(requestBody=body_doc(AcceptLinkSchema))
    def post(self) -> Any:
        """Set a password with an invitation or password-reset link"""
        data = load_body(AcceptLinkSchema)
        user = service.use_link(db.session, data["token"], data["password"])
        return jsonify({"email": user.email, "message": "Password set; log in with it."})


@blp.route("/tokens")
class Tokens(MethodView):
    def get(self) -> Any:
        """One's live tokens and sessions"""
        from flask import g

        user = current_user()
        tokens = db.session.execute(
            select(AuthToken).where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None)).order_by(AuthToken.id)
        ).scalars()
        return jsonify(
            {
                "items": [
                    {
                        "id": t.id,
                        "kind": t.kind,
                        "created_at": t.created_at.isoformat(),
                        "expires_at": t.expires_at.isoformat(),
                        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                        "user_agent": t.user_agent,
                        "current": t.id == g.token.id,
                    }
                    for t in tokens
                ]
            }
        )


@blp.route("/tokens/<int:token_id>")
class TokenDetail(MethodView):
    @blp.response(204)
    def delete(self, token_id: int) -> Any:
        """Revoke one of one's tokens or sessions"""
        token = db.session.get(AuthToken, token_id)
        if token is None or token.user_id != current_user().id or token.revoked_at is not None:
            raise Problem("not-found", f"There is no token {token_id}.")
        service.revoke(db.session, token)
        return current_app.response_class(status=204)


def user_json(user: User) -> dict[str, Any]:
    home = None
    if user.home_lat is not None and user.home_lon is not None:
        home = {"lat": user.home_lat, "lon": user.home_lon, "address": user.home_address}
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "manager_id": user.manager_id,
        "home": home,
        "locale": user.locale,
        "active": user.active,
        "org_id": user.org_id,
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
    }
