"""officers without a password have none (NULL); registration codes get a keyed fingerprint

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
    # Reasons for offering the portal were copied into the audit log, which retention never
    # empties; they stay on the party row only.
    op.execute(sa.text("UPDATE audit_event SET detail = '' WHERE action = 'party.portal_override'"))
    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("registration_code_lookup", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_party_registration_code_lookup"), ["registration_code_lookup"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_party_registration_code_lookup"))
        batch_op.drop_column("registration_code_lookup")
    op.execute(sa.text("UPDATE officer SET password_hash = '' WHERE password_hash IS NULL"))
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.alter_column(
            "password_hash", existing_type=sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False
        )
