"""Visits, follow-up tasks, and the log that makes offline sync exactly-once.

A visit and every change a phone sends carry the phone's UUID, so a change that
arrives twice is recognised and answered with its stored result.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.accounts.models import Account
from server.auth.models import JSONType, utcnow
from server.db import db


class VisitStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    MISSED = "missed"
    CANCELLED = "cancelled"


class VisitSource(enum.StrEnum):
    PLAN = "plan"  # from a published route plan
    MANUAL = "manual"  # planned by hand
    UNPLANNED = "unplanned"  # the rep just went in


OUTCOMES = ("order_taken", "no_order", "survey_only", "store_closed", "contact_absent", "other")


class Visit(db.Model):
    __tablename__ = "visits"
    __table_args__ = (UniqueConstraint("org_id", "uuid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    uuid: Mapped[str] = mapped_column(String(36))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    source: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default=VisitStatus.PLANNED.value)
    planned_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    #: Planned start as minutes after midnight (local time of the outlet), and duration.
    planned_start_min: Mapped[int | None] = mapped_column(Integer)
    planned_duration_min: Mapped[int | None] = mapped_column(Integer)
    route_plan_id: Mapped[int | None] = mapped_column(Integer, index=True)
    sequence: Mapped[int | None] = mapped_column(Integer)
    check_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    check_in_client_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    check_in_lat: Mapped[float | None] = mapped_column(Float)
    check_in_lon: Mapped[float | None] = mapped_column(Float)
    check_in_accuracy_m: Mapped[float | None] = mapped_column(Float)
    check_in_distance_m: Mapped[float | None] = mapped_column(Float)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    flag_reason: Mapped[str | None] = mapped_column(String(200))
    check_out_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    check_out_client_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    check_out_lat: Mapped[float | None] = mapped_column(Float)
    check_out_lon: Mapped[float | None] = mapped_column(Float)
    check_out_accuracy_m: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, index=True
    )

    account: Mapped[Account] = relationship(lazy="joined")


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class Task(db.Model):
    """A follow-up: "bring the listing contract", "call back the store manager"."""

    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("org_id", "uuid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    uuid: Mapped[str] = mapped_column(String(36))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="SET NULL"))
    assigned_to_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=TaskStatus.OPEN.value)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, index=True
    )


class SyncChange(db.Model):
    """Every change received from a phone, by its UUID: the exactly-once ledger.

    ``body_hash`` tells a repeat of the same change (answered with ``result``) from a
    different change that reuses a UUID (rejected).
    """

    __tablename__ = "sync_changes"
    __table_args__ = (UniqueConstraint("org_id", "uuid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    uuid: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(40))
    body_hash: Mapped[str] = mapped_column(String(64))
    client_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(10))  # applied | rejected
    result: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class Tombstone(db.Model):
    """A deleted object a phone may still hold: the pull tells it to forget it."""

    __tablename__ = "tombstones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    deleted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
