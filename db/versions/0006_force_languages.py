"""force languages and Welsh first

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("force") as batch:
        batch.add_column(sa.Column("languages", sa.String(length=40), nullable=False, server_default="en"))
        batch.add_column(sa.Column("welsh_first", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("force") as batch:
        batch.drop_column("welsh_first")
        batch.drop_column("languages")
