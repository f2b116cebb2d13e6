"""force single sign-on: a force's OpenID Connect settings, and sessions that hold the ID token's expiry

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 22:21:20.993080
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import trackmycrime.models

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "force_sso",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("force_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("client_secret_file", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("tenant", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("email_claim", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("group_roles", sa.Text(), nullable=False),
        sa.Column("create_accounts", sa.Boolean(), nullable=False),
        sa.Column("provider_enforces_mfa", sa.Boolean(), nullable=False),
        sa.Column("updated_at", trackmycrime.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["force_id"], ["force.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("force_id"),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sso_force_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "sso_subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False, server_default=""
            )
        )
        batch_op.add_column(sa.Column("sso_expires_at", trackmycrime.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("sso_refresh_token", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("sso_mfa", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_foreign_key("fk_web_session_sso_force_id", "force", ["sso_force_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_constraint("fk_web_session_sso_force_id", type_="foreignkey")
        batch_op.drop_column("sso_mfa")
        batch_op.drop_column("sso_refresh_token")
        batch_op.drop_column("sso_expires_at")
        batch_op.drop_column("sso_subject")
        batch_op.drop_column("sso_force_id")
    op.drop_table("force_sso")
