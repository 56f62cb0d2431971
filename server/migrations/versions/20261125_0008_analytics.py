"""Analytics: facts per response x product and per response, rollups, segments, list history.

Revision ID: 20261125_0008
Revises: 20261125_0007
Create Date: 2026-11-25

The facts of responses stored before this migration are built by ``rayon analytics rebuild`` (or on
the first analytics request of the organization). Products already on a list count as listed since
always.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "20261125_0008"
down_revision = "20261125_0007"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")

SHELF_MEASURES = {
    "n_obs": False,
    "n_present": False,
    "w_obs": True,
    "w_present": True,
    "n_fac": False,
    "s_fac": False,
    "n_oos": False,
    "s_oos": False,
    "n_price": False,
    "s_price": False,
    "s_price2": False,
    "n_pi": False,
    "s_pi": False,
    "n_promo": False,
    "s_promo": False,
    "n_ms": False,
    "s_ms": False,
    "n_pp": False,
    "s_pp": False,
}
RESPONSE_MEASURES = {
    "n_resp": False,
    "n_pos": False,
    "s_pos": False,
    "n_place": False,
    "s_place": False,
    "n_prun": False,
    "s_prun": False,
    "n_score": False,
    "s_score": False,
}


def _org(fk: bool = True) -> sa.Column:
    if fk:
        return sa.Column("org_id", sa.Integer, sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False)
    return sa.Column("org_id", sa.Integer, nullable=False)


def _measures(measures: dict[str, bool]) -> list[sa.Column]:
    return [
        sa.Column(name, sa.Float if is_float else sa.BigInteger, nullable=False, server_default="0")
        for name, is_float in measures.items()
    ]


def _dims() -> list[sa.Column]:
    return [
        sa.Column("org_id", sa.Integer, nullable=False),
        sa.Column("outlet_id", sa.Integer, nullable=False),
        sa.Column("account_id", sa.Integer),
        sa.Column("rep_id", sa.Integer),
        sa.Column("territory_id", sa.Integer),
        sa.Column("segment_id", sa.Integer, nullable=False),
        sa.Column("form_id", sa.Integer, nullable=False),
        sa.Column("form_version_id", sa.Integer, nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("week", sa.Date, nullable=False),
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("weight", sa.Float),
    ]


def _flags() -> list[sa.Column]:
    return [
        sa.Column(name, sa.Boolean, nullable=False, server_default=sa.false())
        for name in ("latest_d", "latest_w", "latest_m")
    ]


def upgrade() -> None:
    op.create_table(
        "analytics_settings",
        sa.Column("org_id", sa.Integer, sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("config", JSON, nullable=False),
        sa.Column("built_checksum", sa.String(64)),
        sa.Column("built_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("territory_watermark", sa.String(200)),
    )
    op.create_table(
        "analytics_segments",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("region_code", sa.String(8), nullable=False),
        sa.Column("region", sa.String(120), nullable=False),
        sa.Column("banner", sa.String(100), nullable=False),
        sa.Column("group_name", sa.String(100), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("account_class", sa.String(1), nullable=False),
        sa.UniqueConstraint(
            "org_id",
            "country",
            "region_code",
            "banner",
            "group_name",
            "format",
            "account_class",
            name="uq_analytics_seg",
        ),
    )
    op.create_table(
        "analytics_shelf_facts",
        sa.Column(
            "response_id",
            sa.Integer,
            sa.ForeignKey("survey_responses.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("product_id", sa.Integer, primary_key=True, autoincrement=False),
        *_dims(),
        sa.Column("own", sa.SmallInteger, nullable=False),
        sa.Column("present", sa.SmallInteger),
        sa.Column("facings", sa.Integer),
        sa.Column("price_minor", sa.Integer),
        sa.Column("promo", sa.SmallInteger),
        sa.Column("oos", sa.SmallInteger),
        sa.Column("price_index_bp", sa.Integer),
        sa.Column("must_stock", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("promo_planned", sa.SmallInteger, nullable=False, server_default="0"),
        *_flags(),
    )
    op.create_index("ix_analytics_shelf_outlet", "analytics_shelf_facts", ["org_id", "outlet_id", "product_id", "day"])
    op.create_index("ix_analytics_shelf_day", "analytics_shelf_facts", ["org_id", "day"])
    op.create_index("ix_analytics_shelf_rep", "analytics_shelf_facts", ["org_id", "rep_id", "day"])
    op.create_index("ix_analytics_shelf_territory", "analytics_shelf_facts", ["org_id", "territory_id", "day"])
    op.create_index("ix_analytics_shelf_account", "analytics_shelf_facts", ["org_id", "account_id"])
    op.create_table(
        "analytics_response_facts",
        sa.Column(
            "response_id",
            sa.Integer,
            sa.ForeignKey("survey_responses.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        *_dims(),
        sa.Column("pos_any", sa.SmallInteger),
        sa.Column("pos_ok", sa.SmallInteger),
        sa.Column("promo_running", sa.SmallInteger),
        sa.Column("score_bp", sa.Integer),
        *_flags(),
    )
    op.create_index("ix_analytics_resp_outlet", "analytics_response_facts", ["org_id", "outlet_id", "form_id", "day"])
    op.create_index("ix_analytics_resp_day", "analytics_response_facts", ["org_id", "day"])
    op.create_index("ix_analytics_resp_rep", "analytics_response_facts", ["org_id", "rep_id", "day"])
    op.create_table(
        "analytics_shelf_rollup",
        sa.Column("org_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("grain", sa.String(1), primary_key=True),
        sa.Column("bucket", sa.Date, primary_key=True),
        sa.Column("segment_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("product_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("form_version_id", sa.Integer, primary_key=True, autoincrement=False),
        *_measures(SHELF_MEASURES),
    )
    op.create_table(
        "analytics_response_rollup",
        sa.Column("org_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("grain", sa.String(1), primary_key=True),
        sa.Column("bucket", sa.Date, primary_key=True),
        sa.Column("segment_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("form_version_id", sa.Integer, primary_key=True, autoincrement=False),
        *_measures(RESPONSE_MEASURES),
    )
    op.create_table(
        "analytics_list_membership",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column("list_id", sa.Integer, sa.ForeignKey("product_lists.id", ondelete="CASCADE"), nullable=False),
        sa.Column("product_id", sa.Integer, sa.ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
        sa.Column("listed_from", sa.DateTime(timezone=True)),
        sa.Column("listed_to", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_analytics_list_membership", "analytics_list_membership", ["org_id", "list_id", "product_id"])
    op.execute(
        "INSERT INTO analytics_list_membership (org_id, list_id, product_id) "
        "SELECT org_id, list_id, product_id FROM product_list_items"
    )
    op.create_table(
        "analytics_account_territory",
        sa.Column(
            "account_id",
            sa.Integer,
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("org_id", sa.Integer, nullable=False),
        sa.Column("territory_id", sa.Integer),
    )
    op.create_index("ix_analytics_account_territory", "analytics_account_territory", ["org_id", "territory_id"])


def downgrade() -> None:
    for table in (
        "analytics_account_territory",
        "analytics_list_membership",
        "analytics_response_rollup",
        "analytics_shelf_rollup",
        "analytics_response_facts",
        "analytics_shelf_facts",
        "analytics_segments",
        "analytics_settings",
    ):
        op.drop_table(table)
