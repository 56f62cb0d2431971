"""Data quality: what a merge of two outlets changed, so that it can be undone.

Revision ID: 20261125_0010
Revises: 20261125_0009
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "20261125_0010"
down_revision = "20261125_0009"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("outlet_merges") as batch:
        batch.add_column(sa.Column("undo", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outlet_merges") as batch:
        batch.drop_column("undo")
