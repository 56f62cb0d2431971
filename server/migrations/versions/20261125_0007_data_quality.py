"""Data quality: OSM import state, fact sources, corrections, duplicates, customer-list imports.

Revision ID: 20261125_0007
Revises: 20261125_0006
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "20261125_0007"
down_revision = "20261125_0006"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(name: str, table: str, ondelete: str, nullable: bool = True, **kw: object) -> sa.Column:
    return sa.Column(name, sa.Integer, sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable, **kw)


def upgrade() -> None:
    op.add_column("contacts", sa.Column("last_verified_at", sa.Date))

    op.create_table(
        "osm_imports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("file_kind", sa.String(10), nullable=False),
        sa.Column("min_lon", sa.Float),
        sa.Column("min_lat", sa.Float),
        sa.Column("max_lon", sa.Float),
        sa.Column("max_lat", sa.Float),
        sa.Column("metadata_trusted", sa.Boolean, nullable=False, server_default=sa.false()),
        _fk("user_id", "users", "SET NULL"),
        _ts("started_at", False),
        _ts("finished_at"),
        sa.Column("summary", JSON, nullable=False),
    )
    op.create_table(
        "outlet_source_records",
        _fk("outlet_id", "outlets", "CASCADE", False, primary_key=True),
        sa.Column("source", sa.String(30), nullable=False),
        sa.Column("source_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer),
        _ts("element_at"),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("imported", JSON, nullable=False),
        _fk("import_id", "osm_imports", "SET NULL"),
        sa.Column("closed_by_import", sa.Boolean, nullable=False, server_default=sa.false()),
        _ts("seen_at", False),
        sa.UniqueConstraint("source", "source_id", name="uq_outlet_source_records_source_source_id"),
    )
    op.create_table(
        "outlet_flags",
        _fk("outlet_id", "outlets", "CASCADE", False, primary_key=True),
        sa.Column("flag", sa.String(40), primary_key=True),
        sa.Column("detail", sa.String(300)),
        _ts("created_at", False),
    )
    op.create_table(
        "outlet_fact_sources",
        _fk("outlet_id", "outlets", "CASCADE", False, primary_key=True),
        sa.Column("field", sa.String(30), primary_key=True),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("source_ref", sa.String(100)),
        sa.Column("verified_at", sa.Date),
        _ts("updated_at", False),
    )
    op.create_table(
        "outlet_change_notices",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("outlet_id", "outlets", "CASCADE", False, index=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        _ts("created_at", False),
    )
    op.create_index("ix_outlet_change_notices_created_at", "outlet_change_notices", ["created_at"])
    op.create_table(
        "outlet_change_acks",
        _fk("notice_id", "outlet_change_notices", "CASCADE", False, primary_key=True),
        _fk("org_id", "organizations", "CASCADE", False, primary_key=True),
        _fk("user_id", "users", "SET NULL"),
        _ts("at", False),
    )
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("outlet_id", "outlets", "CASCADE"),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("values", JSON, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False, index=True),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        _fk("proposer_user_id", "users", "SET NULL", index=True),
        _fk("proposer_org_id", "organizations", "CASCADE", False, index=True),
        sa.Column("via", sa.String(10), nullable=False),
        _ts("created_at", False),
        _ts("decided_at"),
        sa.Column("decided_by", sa.String(20)),
        _fk("moderator_user_id", "users", "SET NULL"),
        sa.CheckConstraint(
            "status IN ('pending','accepted','rejected','superseded','withdrawn')", name="ck_corrections_status"
        ),
    )
    op.create_index("ix_corrections_outlet_status", "corrections", ["outlet_id", "status"])
    op.create_table(
        "correction_votes",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("correction_id", "corrections", "CASCADE", False, index=True),
        _fk("user_id", "users", "CASCADE", False),
        _fk("org_id", "organizations", "CASCADE", False),
        sa.Column("vote", sa.String(8), nullable=False),
        _ts("at", False),
        sa.UniqueConstraint("correction_id", "user_id", name="uq_correction_votes_correction_id_user_id"),
        sa.CheckConstraint("vote IN ('confirm','reject')", name="ck_correction_votes_vote"),
    )
    op.create_table(
        "platform_moderators",
        _fk("user_id", "users", "CASCADE", False, primary_key=True),
        _ts("granted_at", False),
        sa.Column("note", sa.String(300)),
    )
    op.create_table(
        "duplicate_pairs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("outlet_a_id", sa.Integer, nullable=False, index=True),
        sa.Column("outlet_b_id", sa.Integer, nullable=False, index=True),
        _fk("org_id", "organizations", "CASCADE", index=True),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("distance_m", sa.Float, nullable=False),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("status", sa.String(10), nullable=False, index=True),
        _ts("found_at", False),
        _ts("resolved_at"),
        _fk("resolved_by_id", "users", "SET NULL"),
        sa.UniqueConstraint("outlet_a_id", "outlet_b_id", name="uq_duplicate_pairs_outlet_a_id_outlet_b_id"),
    )
    op.create_table(
        "outlet_merges",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kept_outlet_id", sa.Integer, nullable=False, index=True),
        sa.Column("merged_outlet_id", sa.Integer, nullable=False, index=True),
        sa.Column("merged_source", sa.String(30), nullable=False),
        sa.Column("merged_source_id", sa.String(100), nullable=False),
        sa.Column("snapshot", JSON, nullable=False),
        _fk("org_id", "organizations", "CASCADE"),
        sa.Column("pair_id", sa.Integer),
        _fk("by_user_id", "users", "SET NULL"),
        _ts("at", False),
    )
    op.create_index("ix_outlet_merges_merged_source", "outlet_merges", ["merged_source", "merged_source_id"])
    op.create_table(
        "customer_import_mappings",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("org_id", "organizations", "CASCADE", False, index=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("columns", JSON, nullable=False),
        sa.Column("defaults", JSON, nullable=False),
        _ts("created_at", False),
        _ts("updated_at", False),
        sa.UniqueConstraint("org_id", "name", name="uq_customer_import_mappings_org_id_name"),
    )
    op.create_table(
        "customer_imports",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("org_id", "organizations", "CASCADE", False, index=True),
        _fk("user_id", "users", "SET NULL"),
        sa.Column("file_name", sa.String(300)),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("encoding", sa.String(20)),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("columns", JSON, nullable=False),
        sa.Column("defaults", JSON, nullable=False),
        sa.Column("summary", JSON, nullable=False),
        sa.Column("error", sa.String(500)),
        sa.Column("job_id", sa.Integer),
        _ts("created_at", False),
        _ts("applied_at"),
    )
    op.create_table(
        "customer_import_rows",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("import_id", "customer_imports", "CASCADE", False),
        _fk("org_id", "organizations", "CASCADE", False, index=True),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("raw", JSON, nullable=False),
        sa.Column("values", JSON, nullable=False),
        sa.Column("notes", JSON, nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("method", sa.String(20)),
        sa.Column("score", sa.Float),
        _fk("outlet_id", "outlets", "SET NULL"),
        sa.Column("candidates", JSON, nullable=False),
        sa.Column("resolution", sa.String(10)),
        sa.Column("applied", sa.String(10)),
        _fk("account_id", "accounts", "SET NULL"),
    )
    op.create_index("ix_customer_import_rows_import", "customer_import_rows", ["import_id", "row_number"])
    op.create_table(
        "account_external_ids",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("org_id", "organizations", "CASCADE", False, index=True),
        sa.Column("external_id", sa.String(100), nullable=False),
        _fk("account_id", "accounts", "CASCADE", False, index=True),
        _ts("created_at", False),
        sa.UniqueConstraint("org_id", "external_id", name="uq_account_external_ids_org_id_external_id"),
    )
    op.create_table(
        "quality_snapshots",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("org_id", "organizations", "CASCADE", False, index=True),
        sa.Column("week", sa.Date, nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        _ts("created_at", False),
        sa.UniqueConstraint("org_id", "week", name="uq_quality_snapshots_org_id_week"),
    )


def downgrade() -> None:
    for table in (
        "quality_snapshots",
        "account_external_ids",
        "customer_import_rows",
        "customer_imports",
        "customer_import_mappings",
        "outlet_merges",
        "duplicate_pairs",
        "platform_moderators",
        "correction_votes",
        "corrections",
        "outlet_change_acks",
        "outlet_change_notices",
        "outlet_fact_sources",
        "outlet_flags",
        "outlet_source_records",
        "osm_imports",
    ):
        op.drop_table(table)
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("last_verified_at")
