"""Visits, follow-up tasks, the sync ledger and tombstones.

Revision ID: 20261125_0004
Revises: 20261125_0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "20261125_0004"
down_revision = "20261125_0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _ts(name: str, nullable: bool = True, index: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, index=index)


def _org() -> sa.Column:
    return sa.Column(
        "org_id", sa.Integer, sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column(
            "account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("rep_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("planned_date", sa.Date, index=True),
        sa.Column("planned_start_min", sa.Integer),
        sa.Column("planned_duration_min", sa.Integer),
        sa.Column("route_plan_id", sa.Integer, index=True),
        sa.Column("sequence", sa.Integer),
        _ts("check_in_at"),
        _ts("check_in_client_at"),
        sa.Column("check_in_lat", sa.Float),
        sa.Column("check_in_lon", sa.Float),
        sa.Column("check_in_accuracy_m", sa.Float),
        sa.Column("check_in_distance_m", sa.Float),
        sa.Column("flagged", sa.Boolean, nullable=False, server_default=sa.false(), index=True),
        sa.Column("flag_reason", sa.String(200)),
        _ts("check_out_at"),
        _ts("check_out_client_at"),
        sa.Column("check_out_lat", sa.Float),
        sa.Column("check_out_lon", sa.Float),
        sa.Column("check_out_accuracy_m", sa.Float),
        sa.Column("outcome", sa.String(20)),
        sa.Column("notes", sa.Text),
        _ts("created_at", False),
        _ts("updated_at", False, index=True),
        sa.UniqueConstraint("org_id", "uuid", name="uq_visits_org_id_uuid"),
        sa.CheckConstraint("status IN ('planned','in_progress','done','missed','cancelled')", name="ck_visits_status"),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True),
        sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id", ondelete="SET NULL")),
        sa.Column("assigned_to_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("created_by_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("due_date", sa.Date),
        sa.Column("status", sa.String(10), nullable=False),
        _ts("done_at"),
        _ts("created_at", False),
        _ts("updated_at", False, index=True),
        sa.UniqueConstraint("org_id", "uuid", name="uq_tasks_org_id_uuid"),
    )
    op.create_table(
        "sync_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("body_hash", sa.String(64), nullable=False),
        _ts("client_at"),
        _ts("received_at", False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("result", JSON, nullable=False),
        sa.UniqueConstraint("org_id", "uuid", name="uq_sync_changes_org_id_uuid"),
    )
    op.create_table(
        "tombstones",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column("object_type", sa.String(30), nullable=False),
        sa.Column("object_id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, index=True),
        _ts("deleted_at", False, index=True),
    )


def downgrade() -> None:
    for table in ("tombstones", "sync_changes", "tasks", "visits"):
        op.drop_table(table)
