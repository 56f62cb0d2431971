"""Each organization's private overlay on outlets: accounts, contacts, territories.

Everything here carries ``org_id`` and is read only through server.tenancy.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.models import JSONType, utcnow
from server.db import db
from server.outlets.models import Outlet


class AccountStatus(enum.StrEnum):
    PROSPECT = "prospect"
    CUSTOMER = "customer"
    LOST = "lost"
    NOT_A_TARGET = "not_a_target"


class AccountClass(enum.StrEnum):
    A = "A"
    B = "B"
    C = "C"


class FieldType(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    CHOICE = "choice"
    DATE = "date"


class Account(db.Model):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("org_id", "outlet_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=AccountStatus.PROSPECT.value)
    account_class: Mapped[str | None] = mapped_column(String(1))
    visit_every_weeks: Mapped[int | None] = mapped_column(Integer)
    assigned_rep_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    distributor: Mapped[str | None] = mapped_column(String(200))
    custom: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: Per field, the (phone's) time of the value held: offline edits merge field by field.
    field_clock: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    notes: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_visit_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: last_visit_at + visit_every_weeks, kept by set_visit_due(); NULL: never visited or no frequency.
    visit_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    outlet: Mapped[Outlet] = relationship(lazy="joined")
    contacts: Mapped[list[Contact]] = relationship(back_populates="account", lazy="select", order_by="Contact.id")

    __mapper_args__ = {"version_id_col": version}

    def set_visit_due(self) -> None:
        if self.last_visit_at is None or not self.visit_every_weeks:
            self.visit_due_at = None
        else:
            self.visit_due_at = self.last_visit_at + dt.timedelta(weeks=self.visit_every_weeks)


class Contact(db.Model):
    """A person at an account: private personal data (GDPR)."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    email: Mapped[str | None] = mapped_column(String(254))
    preferred_language: Mapped[str | None] = mapped_column(String(10))
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    consent_note: Mapped[str | None] = mapped_column(String(300))
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    account: Mapped[Account] = relationship(back_populates="contacts")


class CustomFieldDefinition(db.Model):
    __tablename__ = "custom_field_definitions"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(10))
    choices: Mapped[list[str] | None] = mapped_column(JSONType)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Territory(db.Model):
    __tablename__ = "territories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    geom: Mapped[object] = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False))
    color: Mapped[str | None] = mapped_column(String(9))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class TerritoryRep(db.Model):
    __tablename__ = "territory_reps"

    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
