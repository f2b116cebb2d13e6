"""reach every victim: alert window, links in texts

Revision ID: 0007
Revises: 0001
Create Date: 2026-12-03 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("force") as batch:
        batch.add_column(sa.Column("alert_window_minutes", sa.Integer(), nullable=False, server_default="60"))
        batch.add_column(sa.Column("links_in_texts", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("force") as batch:
        batch.drop_column("links_in_texts")
        batch.drop_column("alert_window_minutes")
