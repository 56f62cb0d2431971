"""Reference outlets with spatial and full-text indexes, on PostGIS and SpatiaLite.

Revision ID: 20261125_0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "20261125_0001"
down_revision = None
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("banner", sa.String(100)),
        sa.Column("group_name", sa.String(100)),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("sales_area_m2", sa.Integer),
        sa.Column("street", sa.String(200)),
        sa.Column("house_number", sa.String(20)),
        sa.Column("postcode", sa.String(12)),
        sa.Column("city", sa.String(120)),
        sa.Column("region", sa.String(120)),
        sa.Column("region_code", sa.String(8)),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("opening_hours", sa.String(500)),
        sa.Column("phone", sa.String(40)),
        sa.Column("website", sa.String(300)),
        sa.Column("status", sa.String(20), nullable=False, server_default="open"),
        sa.Column("source", sa.String(30), nullable=False),
        sa.Column("source_id", sa.String(100), nullable=False),
        sa.Column("last_verified_at", sa.Date),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("rank_key", sa.Integer, nullable=False, server_default="0"),
        sa.Column("search_text", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("source", "source_id", name="uq_outlets_source_source_id"),
        sa.CheckConstraint(
            "format IN ('hypermarket','supermarket','discount','convenience','drugstore',"
            "'cash_and_carry','specialist')",
            name="ck_outlets_format",
        ),
        sa.CheckConstraint("status IN ('open','closed','unverified')", name="ck_outlets_status"),
    ]


_PLAIN_INDEXES = ["banner", "format", "country", "postcode", "city", "region_code", "status"]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        op.create_table(
            "outlets",
            *_columns(),
            sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        )
        op.execute("CREATE INDEX ix_outlets_geom ON outlets USING gist (geom)")
        # Radius search and nearest-first ordering on the sphere (see server.dialects).
        op.execute("CREATE INDEX ix_outlets_geog ON outlets USING gist ((geom::geography))")
        # A stored tsvector: checking a row is then a lookup, not a re-parse of its text,
        # which is what makes relevance-ordered scans with a text filter cheap.
        op.execute(
            "ALTER TABLE outlets ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED"
        )
        op.execute("CREATE INDEX ix_outlets_search_vector ON outlets USING gin (search_vector)")
    else:
        has_metadata = bind.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name = 'spatial_ref_sys'"
        ).scalar()
        if not has_metadata:
            # Inside the migration's transaction: the 1 (own transaction) variant would nest.
            op.execute("SELECT InitSpatialMetadata()")
        op.create_table("outlets", *_columns())
        op.execute("SELECT AddGeometryColumn('outlets', 'geom', 4326, 'POINT', 'XY', 1)")
        op.execute("SELECT CreateSpatialIndex('outlets', 'geom')")
        op.execute(
            "CREATE VIRTUAL TABLE outlets_fts USING fts5("
            "search_text, content='outlets', content_rowid='id', prefix='2 3')"
        )
        op.execute(
            "CREATE TRIGGER outlets_fts_insert AFTER INSERT ON outlets BEGIN "
            "INSERT INTO outlets_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
        )
        op.execute(
            "CREATE TRIGGER outlets_fts_delete AFTER DELETE ON outlets BEGIN "
            "INSERT INTO outlets_fts(outlets_fts, rowid, search_text) "
            "VALUES ('delete', old.id, old.search_text); END"
        )
        op.execute(
            "CREATE TRIGGER outlets_fts_update AFTER UPDATE OF search_text ON outlets BEGIN "
            "INSERT INTO outlets_fts(outlets_fts, rowid, search_text) "
            "VALUES ('delete', old.id, old.search_text); "
            "INSERT INTO outlets_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
        )
    for column in _PLAIN_INDEXES:
        op.create_index(f"ix_outlets_{column}", "outlets", [column])
    op.create_index("ix_outlets_rank_key", "outlets", ["rank_key", "id"])


def downgrade() -> None:
    bind = op.get_bind()
    op.drop_index("ix_outlets_rank_key", "outlets")
    for column in _PLAIN_INDEXES:
        op.drop_index(f"ix_outlets_{column}", "outlets")
    if bind.dialect.name == "postgresql":
        op.drop_table("outlets")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS outlets_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS outlets_fts")
        op.execute("SELECT DisableSpatialIndex('outlets', 'geom')")
        op.execute("DROP TABLE IF EXISTS idx_outlets_geom")
        op.execute("SELECT DiscardGeometryColumn('outlets', 'geom')")
        op.drop_table("outlets")
