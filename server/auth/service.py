"""Login, tokens, sessions, invitations and password resets.

Secrets (tokens, one-time links) are random 32-byte strings shown once; the
database keeps only their SHA-256. Passwords are hashed with argon2id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from server.auth.models import AuthToken, LoginFailure, OneTimeLink, User, utcnow
from server.errors import Problem

_hasher = PasswordHasher()
# A real hash to verify against when the email is unknown, so timing does not tell.
_DUMMY_HASH = _hasher.hash("not-a-password-" + secrets.token_hex(8))

MIN_PASSWORD_LENGTH = 10
FAILURE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 30
LINK_LIFETIME = dt.timedelta(days=7)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str, field: str = "password") -> None:
    from server.errors import field_error

    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise field_error(field, f"must have at least {MIN_PASSWORD_LENGTH} characters", "body")
    if len(password) > 512:
        raise field_error(field, "must have at most 512 characters", "body")


def verify_password(user: User | None, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _as_aware(value: dt.datetime) -> dt.datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they are stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class IssuedToken:
    secret: str
    token: AuthToken


def issue_token(session: Session, user: User, *, kind: str, ttl: dt.timedelta, user_agent: str | None) -> IssuedToken:
    secret = secrets.token_urlsafe(32)
    token = AuthToken(
        user_id=user.id,
        kind=kind,
        token_hash=hash_secret(secret),
        expires_at=utcnow() + ttl,
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(token)
    session.flush()
    return IssuedToken(secret, token)


def _throttle(session: Session, email: str, ip: str) -> None:
    since = utcnow() - FAILURE_WINDOW
    by_email = session.execute(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.email == email, LoginFailure.at >= since)
    ).scalar_one()
    by_ip = session.execute(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.ip == ip, LoginFailure.at >= since)
    ).scalar_one()
    if by_email >= MAX_FAILURES_PER_EMAIL or by_ip >= MAX_FAILURES_PER_IP:
        raise Problem(
            "rate-limited",
            "Too many failed logins; wait 15 minutes and try again.",
            headers={"Retry-After": str(int(FAILURE_WINDOW.total_seconds()))},
        )


def login(
    session: Session, *, email: str, password: str, ip: str, kind: str, ttl: dt.timedelta, user_agent: str | None
) -> IssuedToken:
    """Check the credentials and issue a token.

    :raise Problem: 401 for a wrong email or password (the same answer for both),
        429 after too many failures for this email or address.
    """
    email = email.strip().lower()
    session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - dt.timedelta(days=1)))
    _throttle(session, email, ip)
    user = session.execute(select(User).where(func.lower(User.email) == email)).scalar_one_or_none()
    if not verify_password(user, password) or user is None or not user.active:
        session.add(LoginFailure(email=email, ip=ip))
        session.commit()  # the failure must count even though the request fails
        raise Problem("unauthorized", "Wrong email or password.")
    if _hasher.check_needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    user.last_login_at = utcnow()
    return issue_token(session, user, kind=kind, ttl=ttl, user_agent=user_agent)


def authenticate(session: Session, secret: str, kind: str | None = None) -> AuthToken | None:
    """The live token for ``secret`` (not revoked, not expired, user active), or None."""
    token = session.execute(select(AuthToken).where(AuthToken.token_hash == hash_secret(secret))).scalar_one_or_none()
    if token is None or token.revoked_at is not None or (kind and token.kind != kind):
        return None
    if _as_aware(token.expires_at) <= utcnow() or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or _as_aware(token.last_used_at) < now - dt.timedelta(minutes=5):
        token.last_used_at = now  # at most one write per token every five minutes
    return token


def revoke(session: Session, token: AuthToken) -> None:
    token.revoked_at = utcnow()


def revoke_all(session: Session, user: User, *, except_token_id: int | None = None) -> int:
    query = update(AuthToken).where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None))
    if except_token_id is not None:
        query = query.where(AuthToken.id != except_token_id)
    return session.execute(query.values(revoked_at=utcnow())).rowcount or 0


def set_password(session: Session, user: User, password: str) -> None:
    """Change a password; every existing token of the user stops working."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    revoke_all(session, user)


def create_link(session: Session, user: User, purpose: str, created_by: User | None) -> str:
    """An invitation or reset link secret (shown once)."""
    secret = secrets.token_urlsafe(32)
    session.add(
        OneTimeLink(
            user_id=user.id,
            purpose=purpose,
            token_hash=hash_secret(secret),
            created_by_id=created_by.id if created_by else None,
            expires_at=utcnow() + LINK_LIFETIME,
        )
    )
    session.flush()
    return secret


def use_link(session: Session, secret: str, password: str) -> User:
    """Set the password through a one-time link. :raise Problem: 404 if unknown, used or expired."""
    link = session.execute(
        select(OneTimeLink).where(OneTimeLink.token_hash == hash_secret(secret))
    ).scalar_one_or_none()
    if link is None or link.used_at is not None or _as_aware(link.expires_at) <= utcnow():
        raise Problem("not-found", "This link is unknown, was already used or has expired; ask an admin for a new one.")
    check_password_strength(password)
    link.used_at = utcnow()
    link.user.active = True
    set_password(session, link.user, password)
    return link.user
