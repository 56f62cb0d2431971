"""Organizations, users, tokens, audit log; accounts, contacts, custom fields, territories.

Revision ID: 20261125_0002
Revises: 20261125_0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import JSONB

revision = "20261125_0002"
down_revision = "20261125_0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _org() -> sa.Column:
    return sa.Column(
        "org_id", sa.Integer, sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("slug", sa.String(60), nullable=False, unique=True),
        sa.Column("settings", JSON, nullable=False, server_default="{}"),
        _ts("created_at", False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("manager_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), index=True),
        sa.Column("password_hash", sa.String(200)),
        sa.Column("home_lat", sa.Float),
        sa.Column("home_lon", sa.Float),
        sa.Column("home_address", sa.String(300)),
        sa.Column("locale", sa.String(10)),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        _ts("created_at", False),
        _ts("password_changed_at"),
        _ts("last_login_at"),
        sa.CheckConstraint("role IN ('rep','manager','hq','admin')", name="ck_users_role"),
    )
    op.create_table(
        "auth_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        _ts("created_at", False),
        _ts("expires_at", False),
        _ts("revoked_at"),
        _ts("last_used_at"),
        sa.Column("user_agent", sa.String(300)),
    )
    op.create_table(
        "one_time_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("purpose", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_by_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        _ts("created_at", False),
        _ts("expires_at", False),
        _ts("used_at"),
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, index=True),
        sa.Column("ip", sa.String(64), nullable=False, index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("object_type", sa.String(40), nullable=False),
        sa.Column("object_id", sa.Integer, nullable=False),
        sa.Column("changes", JSON, nullable=False),
        sa.Column("request_id", sa.String(40)),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_audit_log_object", "audit_log", ["org_id", "object_type", "object_id"])

    # SQLite cannot add (nor later drop) a column with a foreign key in place; the
    # reference is kept by the application there, by the database on PostgreSQL.
    owner = [] if sqlite else [sa.ForeignKey("organizations.id", ondelete="CASCADE")]
    op.add_column("outlets", sa.Column("org_id", sa.Integer, *owner))
    # Partial: private outlets are few; "org_id IS NULL" (public) must not pick this index.
    private = sa.text("org_id IS NOT NULL")
    op.create_index("ix_outlets_org_id", "outlets", ["org_id"], postgresql_where=private, sqlite_where=private)
    if not sqlite:
        # Relevance order with a text filter, answered from the index alone (no table visits
        # for the rows it skips): see server.outlets.service.plan_search.
        op.execute("CREATE INDEX ix_outlets_rank_search ON outlets (rank_key, id) INCLUDE (org_id, search_vector)")

    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column("outlet_id", sa.Integer, sa.ForeignKey("outlets.id"), nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("account_class", sa.String(1)),
        sa.Column("visit_every_weeks", sa.Integer),
        sa.Column("assigned_rep_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), index=True),
        sa.Column("distributor", sa.String(200)),
        sa.Column("custom", JSON, nullable=False),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("field_clock", JSON, nullable=False, server_default="{}"),
        sa.Column("notes", sa.Text),
        _ts("status_changed_at"),
        _ts("last_visit_at"),
        sa.Column("visit_due_at", sa.DateTime(timezone=True), index=True),
        _ts("created_at", False),
        _ts("updated_at", False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("org_id", "outlet_id", name="uq_accounts_org_id_outlet_id"),
        sa.CheckConstraint("status IN ('prospect','customer','lost','not_a_target')", name="ck_accounts_status"),
        sa.CheckConstraint("account_class IS NULL OR account_class IN ('A','B','C')", name="ck_accounts_class"),
        sa.CheckConstraint(
            "visit_every_weeks IS NULL OR visit_every_weeks BETWEEN 1 AND 52", name="ck_accounts_visit_every_weeks"
        ),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column(
            "account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("name", sa.String(200)),
        sa.Column("role", sa.String(100)),
        sa.Column("phone", sa.String(20)),
        sa.Column("email", sa.String(254)),
        sa.Column("preferred_language", sa.String(10)),
        sa.Column("consent", sa.Boolean, nullable=False, server_default=sa.false()),
        _ts("consent_at"),
        sa.Column("consent_note", sa.String(300)),
        _ts("erased_at"),
        _ts("created_at", False),
        _ts("updated_at", False),
    )
    op.create_table(
        "custom_field_definitions",
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("type", sa.String(10), nullable=False),
        sa.Column("choices", JSON),
        sa.Column("required", sa.Boolean, nullable=False, server_default=sa.false()),
        _ts("created_at", False),
        sa.UniqueConstraint("org_id", "key", name="uq_custom_field_definitions_org_id_key"),
    )
    territory_columns = [
        sa.Column("id", sa.Integer, primary_key=True),
        _org(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("color", sa.String(9)),
        _ts("created_at", False),
        _ts("updated_at", False),
    ]
    if sqlite:
        op.create_table("territories", *territory_columns)
        op.execute("SELECT AddGeometryColumn('territories', 'geom', 4326, 'MULTIPOLYGON', 'XY', 1)")
        op.execute("SELECT CreateSpatialIndex('territories', 'geom')")
    else:
        op.create_table(
            "territories",
            *territory_columns,
            sa.Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
        )
        op.execute("CREATE INDEX ix_territories_geom ON territories USING gist (geom)")
    op.create_table(
        "territory_reps",
        sa.Column("territory_id", sa.Integer, sa.ForeignKey("territories.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.drop_table("territory_reps")
    if sqlite:
        op.execute("SELECT DisableSpatialIndex('territories', 'geom')")
        op.execute("DROP TABLE IF EXISTS idx_territories_geom")
        op.execute("SELECT DiscardGeometryColumn('territories', 'geom')")
    op.drop_table("territories")
    for table in ("custom_field_definitions", "contacts", "accounts"):
        op.drop_table(table)
    if not sqlite:
        op.execute("DROP INDEX ix_outlets_rank_search")
    op.drop_index("ix_outlets_org_id", "outlets")
    if sqlite:
        op.execute("ALTER TABLE outlets DROP COLUMN org_id")
    else:
        op.drop_column("outlets", "org_id")
    op.drop_index("ix_audit_log_object", "audit_log")
    for table in ("audit_log", "login_failures", "one_time_links", "auth_tokens", "users", "organizations"):
        op.drop_table(table)
