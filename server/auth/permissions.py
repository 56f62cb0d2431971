"""What each role may do: one table of named permissions, checked in one function.

Visibility (which objects a user can see at all) is server.tenancy's job; a user who
cannot see an object gets 404, never 403, so existence does not leak. This table
answers the second question: may a user who sees an object act on it?
"""

from __future__ import annotations

from server.auth.models import Role, User
from server.errors import Problem

R, M, H, A = Role.REP, Role.MANAGER, Role.HQ, Role.ADMIN

PERMISSIONS: dict[str, frozenset[Role]] = {
    # Public reference data (login required).
    "outlets.read": frozenset({R, M, H, A}),
    "outlets.create_private": frozenset({M, A}),
    # Accounts: reps read theirs; managers manage their team's; HQ reads all and exports.
    "accounts.read": frozenset({R, M, H, A}),
    "accounts.write": frozenset({M, A}),
    "accounts.export": frozenset({M, H, A}),
    "accounts.history": frozenset({M, H, A}),
    # Contacts: reps keep the people at their own accounts up to date.
    "contacts.read": frozenset({R, M, H, A}),
    "contacts.write": frozenset({R, M, A}),
    "contacts.gdpr": frozenset({M, A}),
    "territories.read": frozenset({R, M, H, A}),
    "territories.write": frozenset({M, A}),
    "users.read": frozenset({M, H, A}),
    "users.write": frozenset({A}),
    "organization.read": frozenset({R, M, H, A}),
    "organization.write": frozenset({A}),
    "custom_fields.write": frozenset({A}),
    "audit.read": frozenset({M, H, A}),
    # Visits: reps record their own; managers plan for their team and see flagged check-ins.
    "visits.read": frozenset({R, M, H, A}),
    "visits.record": frozenset({R, M, A}),
    "visits.plan": frozenset({M, A}),
    "tasks.write": frozenset({R, M, A}),
    "sync.use": frozenset({R, M, A}),
    # Catalog and forms: HQ and admins configure them; everyone in the field reads them.
    "catalog.read": frozenset({R, M, H, A}),
    "catalog.write": frozenset({H, A}),
    "forms.read": frozenset({R, M, H, A}),
    "forms.write": frozenset({H, A}),
    # Survey responses and photos: who visits submits; reading is by role (own, team, all).
    "responses.read": frozenset({R, M, H, A}),
    "responses.write": frozenset({R, M, A}),
    "photos.write": frozenset({R, M, A}),
    # Analytics: everyone reads KPIs within their visibility (rep: own, manager: team, HQ: all);
    # raw data exports as for accounts; HQ and admins configure the KPIs.
    "analytics.read": frozenset({R, M, H, A}),
    "analytics.export": frozenset({M, H, A}),
    "analytics.configure": frozenset({H, A}),
    # Data quality: any rep corrects public outlet facts (two brands or a moderator decide);
    # confirming facts in store; the organization's quality view; duplicates of its outlets.
    "corrections.read": frozenset({R, M, H, A}),
    "corrections.propose": frozenset({R, M, A}),
    "outlets.verify": frozenset({R, M, A}),
    "duplicates.read": frozenset({R, M, H, A}),
    "duplicates.merge": frozenset({M, A}),
    "quality.read": frozenset({M, H, A}),
}


def allowed(user: User, permission: str) -> bool:
    return Role(user.role) in PERMISSIONS[permission]


def require(user: User, permission: str) -> None:
    """:raise Problem: 403 ``forbidden`` naming the role and the action."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if not allowed(user, permission):
        raise Problem("forbidden", f"A {user.role} may not {permission.replace('.', ': ').replace('_', ' ')}.")


def permissions_of(user: User) -> list[str]:
    return sorted(p for p in PERMISSIONS if allowed(user, p))
