"""Catalog (products, product lists) and surveys (forms, versions, responses, photos).

Revision ID: 20261125_0003
Revises: 20261125_0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "20261125_0003"
down_revision = "20261125_0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _org() -> sa.Column:
    return sa.Column(
        "org_id", sa.Integer, sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )


def _user(name: str, index: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), index=index)


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column("gtin", sa.String(14), nullable=False),
        sa.Column("brand", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(100)),
        sa.Column("size", sa.String(40)),
        sa.Column("own", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("list_price_minor", sa.Integer),
        sa.Column("currency", sa.String(3), nullable=False, server_default="EUR"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        _ts("created_at", False),
        _ts("updated_at", False),
        sa.UniqueConstraint("org_id", "gtin", name="uq_products_org_id_gtin"),
        sa.CheckConstraint("list_price_minor IS NULL OR list_price_minor >= 0", name="ck_products_price"),
    )
    op.create_table(
        "product_lists",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text),
        _ts("created_at", False),
        _ts("updated_at", False),
        sa.UniqueConstraint("org_id", "key", name="uq_product_lists_org_id_key"),
    )
    op.create_table(
        "product_list_items",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column(
            "list_id", sa.Integer, sa.ForeignKey("product_lists.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column(
            "product_id", sa.Integer, sa.ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("reference", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("list_id", "product_id", name="uq_product_list_items_list_id_product_id"),
    )
    op.create_table(
        "forms",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("targeting", JSON, nullable=False),
        sa.Column("current_version_id", sa.Integer),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("template_key", sa.String(60)),
        _ts("created_at", False),
        _ts("updated_at", False),
        sa.UniqueConstraint("org_id", "key", name="uq_forms_org_id_key"),
    )
    op.create_table(
        "form_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column("form_id", sa.Integer, sa.ForeignKey("forms.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("definition", JSON, nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("note", sa.String(300)),
        _user("created_by_id"),
        _ts("created_at", False),
        sa.UniqueConstraint("form_id", "version", name="uq_form_versions_form_id_version"),
    )
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("form_id", sa.Integer, sa.ForeignKey("forms.id"), nullable=False),
        sa.Column("form_version_id", sa.Integer, sa.ForeignKey("form_versions.id"), nullable=False, index=True),
        sa.Column("outlet_id", sa.Integer, sa.ForeignKey("outlets.id"), nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True),
        sa.Column("visit_uuid", sa.String(36), index=True),
        _user("rep_id"),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("computed", JSON, nullable=False),
        sa.Column("products", JSON, nullable=False),
        sa.Column("warnings", JSON, nullable=False),
        _ts("started_at"),
        _ts("completed_at", False),
        _ts("received_at", False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("locale", sa.String(10)),
        sa.UniqueConstraint("org_id", "uuid", name="uq_survey_responses_org_id_uuid"),
    )
    op.create_index("ix_survey_responses_org_outlet", "survey_responses", ["org_id", "outlet_id"])
    op.create_index("ix_survey_responses_org_rep_completed", "survey_responses", ["org_id", "rep_id", "completed_at"])
    op.create_index("ix_survey_responses_org_form_completed", "survey_responses", ["org_id", "form_id", "completed_at"])
    op.create_table(
        "survey_response_photos",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column(
            "response_id",
            sa.Integer,
            sa.ForeignKey("survey_responses.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("photo_uuid", sa.String(36), nullable=False),
        sa.Column("question", sa.String(60), nullable=False),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_survey_response_photos_org_uuid", "survey_response_photos", ["org_id", "photo_uuid"])
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column("uuid", sa.String(36), nullable=False),
        _user("uploaded_by_id", index=True),
        sa.Column("original_format", sa.String(10), nullable=False),
        sa.Column("original_bytes", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("stored_bytes", sa.Integer, nullable=False),
        sa.Column("storage_key", sa.String(200), nullable=False),
        sa.Column("thumbnail_key", sa.String(200), nullable=False),
        _ts("taken_at"),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("taken_at_source", sa.String(10), nullable=False, server_default="none"),
        sa.Column("position_source", sa.String(10), nullable=False, server_default="none"),
        sa.Column("response_uuid", sa.String(36)),
        _ts("created_at", False),
        sa.UniqueConstraint("org_id", "uuid", name="uq_photos_org_id_uuid"),
        sa.CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="ck_photos_lat"),
        sa.CheckConstraint("lon IS NULL OR (lon BETWEEN -180 AND 180)", name="ck_photos_lon"),
    )


def downgrade() -> None:
    op.drop_table("photos")
    op.drop_index("ix_survey_response_photos_org_uuid", "survey_response_photos")
    op.drop_table("survey_response_photos")
    for name in (
        "ix_survey_responses_org_form_completed",
        "ix_survey_responses_org_rep_completed",
        "ix_survey_responses_org_outlet",
    ):
        op.drop_index(name, "survey_responses")
    for table in ("survey_responses", "form_versions", "forms", "product_list_items", "product_lists", "products"):
        op.drop_table(table)
