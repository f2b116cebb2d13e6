"""trusted helpers: a party row that helps another party of the crime, and messages a helper wrote

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.add_column(sa.Column("helps_party_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "helper_relationship",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "helper_added_by", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default=""
            )
        )
        batch_op.create_index(batch_op.f("ix_party_helps_party_id"), ["helps_party_id"], unique=False)
        batch_op.create_foreign_key("fk_party_helps_party_id", "party", ["helps_party_id"], ["id"])
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("helper_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_message_helper_id", "party", ["helper_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_constraint("fk_message_helper_id", type_="foreignkey")
        batch_op.drop_column("helper_id")
    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.drop_constraint("fk_party_helps_party_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_party_helps_party_id"))
        batch_op.drop_column("helper_added_by")
        batch_op.drop_column("helper_relationship")
        batch_op.drop_column("helps_party_id")
