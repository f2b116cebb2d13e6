"""officers without a password have none (NULL), not an empty string

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 22:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.alter_column(
            "password_hash", existing_type=sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
        )
    op.execute(sa.text("UPDATE officer SET password_hash = NULL WHERE password_hash = ''"))


def downgrade() -> None:
    op.execute(sa.text("UPDATE officer SET password_hash = '' WHERE password_hash IS NULL"))
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.alter_column(
            "password_hash", existing_type=sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False
        )
