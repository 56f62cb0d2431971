"""Data quality: where public facts came from, proposals to correct them, duplicates, imports.

Public (shared by every organization) and private (one organization's) data are kept in
separate tables here, so a private value can never be stored where another brand reads:

* public: ``outlet_source_records`` (the last OpenStreetMap version of an outlet),
  ``osm_imports``, ``outlet_flags``, ``outlet_fact_sources``, ``outlet_change_notices``,
  ``corrections`` and ``correction_votes`` (who proposed is stored but never shown to
  another organization), ``duplicate_pairs`` between public outlets, ``outlet_merges``;
* private (``org_id``, read through server.tenancy): customer-list imports, their rows and
  saved column mappings, the brand's external customer ids, acknowledged notices, the
  weekly quality snapshots, and duplicate pairs that involve a private outlet.

``contacts.last_verified_at`` is added by this feature's migration; the contact model is
not changed, :data:`contacts_table` reads and writes that one column.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.auth.models import JSONType, utcnow
from server.db import db

#: The one column of ``contacts`` this feature owns (see the module docstring).
contacts_table = Table(
    "contacts",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer),
    Column("account_id", Integer),
    Column("name", String(200)),
    Column("phone", String(20)),
    Column("email", String(254)),
    Column("erased_at", DateTime(timezone=True)),
    Column("last_verified_at", Date),
)


class OsmImport(db.Model):
    """One run of the OpenStreetMap importer, with its summary."""

    __tablename__ = "osm_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(300))
    file_kind: Mapped[str] = mapped_column(String(10))  # pbf | xml | overpass
    min_lon: Mapped[float | None] = mapped_column(Float)
    min_lat: Mapped[float | None] = mapped_column(Float)
    max_lon: Mapped[float | None] = mapped_column(Float)
    max_lat: Mapped[float | None] = mapped_column(Float)
    metadata_trusted: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    summary: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class OutletSourceRecord(db.Model):
    """What the last import of an outlet's source said: OSM version, content, values."""

    __tablename__ = "outlet_source_records"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(String(30))
    source_id: Mapped[str] = mapped_column(String(100))
    #: The element's version when the file's metadata can be trusted, else NULL.
    version: Mapped[int | None] = mapped_column(Integer)
    element_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    content_hash: Mapped[str] = mapped_column(String(64))
    #: The outlet fields as that import read them (a later import changes only what OSM changed).
    imported: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("osm_imports.id", ondelete="SET NULL"))
    #: Closed because an import of its area no longer had it (a later import may reopen it).
    closed_by_import: Mapped[bool] = mapped_column(Boolean, default=False)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OutletFlag(db.Model):
    """Something wrong with a public fact that is kept as it is (e.g. unreadable opening hours)."""

    __tablename__ = "outlet_flags"

    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id", ondelete="CASCADE"), primary_key=True)
    flag: Mapped[str] = mapped_column(String(40), primary_key=True)
    detail: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OutletFactSource(db.Model):
    """Where one public fact of an outlet came from and when it was last confirmed.

    Without a row, a fact comes from the outlet's own ``source`` and ``last_verified_at``.
    """

    __tablename__ = "outlet_fact_sources"

    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id", ondelete="CASCADE"), primary_key=True)
    field: Mapped[str] = mapped_column(String(30), primary_key=True)
    source: Mapped[str] = mapped_column(String(40))  # osm | seed | correction | moderator | verification
    source_ref: Mapped[str | None] = mapped_column(String(100))
    verified_at: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NoticeKind(enum.StrEnum):
    CLOSED = "closed"
    REOPENED = "reopened"
    MOVED = "moved"
    RENAMED = "renamed"
    MERGED = "merged"


class OutletChangeNotice(db.Model):
    """A public outlet changed in a way brands with an account there must know (to-do lists)."""

    __tablename__ = "outlet_change_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    source: Mapped[str] = mapped_column(String(40))  # correction | osm-import | merge
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class NoticeAck(db.Model):
    """An organization has dealt with a notice (it leaves that organization's to-do list)."""

    __tablename__ = "outlet_change_acks"

    notice_id: Mapped[int] = mapped_column(ForeignKey("outlet_change_notices.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CorrectionKind(enum.StrEnum):
    CLOSED = "closed"
    REOPENED = "reopened"
    MOVED = "moved"
    RENAMED = "renamed"
    OPENING_HOURS = "opening_hours"
    CONTACT = "contact"  # the store's public phone and website
    FORMAT = "format"
    NEW_OUTLET = "new_outlet"
    VERIFIED = "verified"  # everything is still right (only refreshes last_verified_at)


class CorrectionStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


class Correction(db.Model):
    """A proposed change to public outlet facts. Only public fields exist in ``values``."""

    __tablename__ = "corrections"
    __table_args__ = (Index("ix_corrections_outlet_status", "outlet_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: NULL for a new outlet until it is accepted (then the outlet it created).
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    values: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Canonical JSON of kind + values: identical proposals are one proposal.
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(12), default=CorrectionStatus.PENDING.value, index=True)
    #: Never shown to another organization.
    proposer_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    proposer_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    via: Mapped[str] = mapped_column(String(10), default="api")  # api | sync
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: organizations (confirmed by two brands) | moderator | superseded
    decided_by: Mapped[str | None] = mapped_column(String(20))
    moderator_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CorrectionVote(db.Model):
    __tablename__ = "correction_votes"
    __table_args__ = (UniqueConstraint("correction_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    correction_id: Mapped[int] = mapped_column(ForeignKey("corrections.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    vote: Mapped[str] = mapped_column(String(8))  # confirm | reject
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlatformModerator(db.Model):
    """A platform-level role, outside every organization: moderates public reference data.

    Granted by whoever runs the installation (``rayon quality moderator add EMAIL``), never
    by an organization's admin: the users API cannot reach this table.
    """

    __tablename__ = "platform_moderators"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str | None] = mapped_column(String(300))


class DuplicatePair(db.Model):
    """Two outlets that look like one store. ``org_id`` is set when one of them is private."""

    __tablename__ = "duplicate_pairs"
    __table_args__ = (UniqueConstraint("outlet_a_id", "outlet_b_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Plain ids (no foreign key): a merge deletes one of the two and keeps the pair as its record.
    outlet_a_id: Mapped[int] = mapped_column(Integer, index=True)
    outlet_b_id: Mapped[int] = mapped_column(Integer, index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)  # open | merged | dismissed
    found_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class OutletMerge(db.Model):
    """An outlet merged into another: what it was, so a later import does not bring it back."""

    __tablename__ = "outlet_merges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kept_outlet_id: Mapped[int] = mapped_column(Integer, index=True)
    merged_outlet_id: Mapped[int] = mapped_column(Integer, index=True)
    merged_source: Mapped[str] = mapped_column(String(30))
    merged_source_id: Mapped[str] = mapped_column(String(100))
    #: The merged outlet's public fields (private outlets: NULL for other organizations' eyes).
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Set when the merged outlet was private: the merge is that organization's business only.
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    pair_id: Mapped[int | None] = mapped_column(Integer)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Everything the merge changed (rows deleted, references moved, gaps filled), for undo.
    #: Never shown through the API: it holds the merged outlet's and accounts' private rows.
    undo: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class ImportMapping(db.Model):
    """A saved column mapping for customer lists (per organization)."""

    __tablename__ = "customer_import_mappings"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: {target field: column header in the file}
    columns: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    #: Values for every row when the file has no such column (country, banner, format, status).
    defaults: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class CustomerImport(db.Model):
    """One customer list: matched (dry run), then applied."""

    __tablename__ = "customer_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    file_name: Mapped[str | None] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    encoding: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="matching")  # matching | ready | applied | failed
    columns: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    defaults: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    summary: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    error: Mapped[str | None] = mapped_column(String(500))
    job_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    applied_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CustomerImportRow(db.Model):
    __tablename__ = "customer_import_rows"
    __table_args__ = (Index("ix_customer_import_rows_import", "import_id", "row_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("customer_imports.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    raw: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    values: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    notes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    outcome: Mapped[str] = mapped_column(String(10))  # matched | ambiguous | new
    method: Mapped[str | None] = mapped_column(String(20))  # external_id | address | similarity | chosen
    score: Mapped[float | None] = mapped_column(Float)
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id", ondelete="SET NULL"))
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    #: What a person chose for an ambiguous row: outlet | new | skip
    resolution: Mapped[str | None] = mapped_column(String(10))
    #: After apply: created | existing | skipped (with the reason in notes)
    applied: Mapped[str | None] = mapped_column(String(10))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))


class AccountExternalId(db.Model):
    """A brand's own customer number for one of its accounts (exact matching on re-import)."""

    __tablename__ = "account_external_ids"
    __table_args__ = (UniqueConstraint("org_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(100))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QualitySnapshot(db.Model):
    """An organization's data-quality figures for one week (the trend of the quality view)."""

    __tablename__ = "quality_snapshots"
    __table_args__ = (UniqueConstraint("org_id", "week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    week: Mapped[dt.date] = mapped_column(Date)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
