"""reach every victim: alert window, links in texts, texts received, officer digests, party addresses

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import trackmycrime.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("force") as batch:
        batch.add_column(sa.Column("alert_window_minutes", sa.Integer(), nullable=False, server_default="60"))
        batch.add_column(sa.Column("links_in_texts", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("party") as batch:
        batch.add_column(sa.Column("address", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("officer") as batch:
        batch.add_column(
            sa.Column(
                "alert_frequency",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="hourly",
            )
        )
    op.create_table(
        "received_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("from_number", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("received_at", trackmycrime.models.UTCDateTime(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("force_id", sa.Integer(), nullable=True),
        sa.Column("party_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("routed_by_id", sa.Integer(), nullable=True),
        sa.Column("routed_at", trackmycrime.models.UTCDateTime(), nullable=True),
        sa.Column("created_at", trackmycrime.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["force_id"], ["force.id"]),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"]),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"]),
        sa.ForeignKeyConstraint(["routed_by_id"], ["officer.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider_id"),
    )
    with op.batch_alter_table("received_text") as batch:
        batch.create_index(batch.f("ix_received_text_force_id"), ["force_id"], unique=False)
        batch.create_index(batch.f("ix_received_text_status"), ["status"], unique=False)


def downgrade() -> None:
    op.drop_table("received_text")
    with op.batch_alter_table("officer") as batch:
        batch.drop_column("alert_frequency")
    with op.batch_alter_table("party") as batch:
        batch.drop_column("address")
    with op.batch_alter_table("force") as batch:
        batch.drop_column("links_in_texts")
        batch.drop_column("alert_window_minutes")
