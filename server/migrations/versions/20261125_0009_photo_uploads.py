"""Resumable photo uploads: the pieces received so far.

Revision ID: 20261125_0009
Revises: 20261125_0008
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "20261125_0009"
down_revision = "20261125_0008"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "photo_uploads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "org_id", sa.Integer, sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("fields", JSON, nullable=False),
        sa.Column("received", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("org_id", "uuid", name="uq_photo_uploads_org_id_uuid"),
    )


def downgrade() -> None:
    op.drop_table("photo_uploads")
