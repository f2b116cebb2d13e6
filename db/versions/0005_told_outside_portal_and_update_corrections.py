"""told outside the portal; corrected and withdrawn updates

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-03 22:40:00

Issue 18 and issue 21 item 5: an officer records how they told a party outside the portal
(outside_contact). Issue 16 item 11: an update's earlier texts (update_correction), when it was
corrected or withdrawn, and the status it replaced (so withdrawing it can put the status back).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import trackmycrime.models

revision: str = "0005"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outside_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crime_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("told_at", trackmycrime.models.UTCDateTime(), nullable=False),
        sa.Column("recorded_at", trackmycrime.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["crime_id"], ["crime.id"]),
        sa.ForeignKeyConstraint(["officer_id"], ["officer.id"]),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outside_contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outside_contact_crime_id"), ["crime_id"], unique=False)
        batch_op.create_index("ix_outside_contact_party_told", ["party_id", "told_at"], unique=False)

    op.create_table(
        "update_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("previous_text", sa.Text(), nullable=False),
        sa.Column("corrected_at", trackmycrime.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["officer_id"], ["officer.id"]),
        sa.ForeignKeyConstraint(["update_id"], ["case_update.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("update_correction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_update_correction_update_id"), ["update_id"], unique=False)

    with op.batch_alter_table("case_update", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status_before", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
        batch_op.add_column(sa.Column("corrected_at", trackmycrime.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_at", trackmycrime.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_case_update_withdrawn_by_id_officer", "officer", ["withdrawn_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("case_update", schema=None) as batch_op:
        batch_op.drop_constraint("fk_case_update_withdrawn_by_id_officer", type_="foreignkey")
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("corrected_at")
        batch_op.drop_column("status_before")

    with op.batch_alter_table("update_correction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_update_correction_update_id"))
    op.drop_table("update_correction")

    with op.batch_alter_table("outside_contact", schema=None) as batch_op:
        batch_op.drop_index("ix_outside_contact_party_told")
        batch_op.drop_index(batch_op.f("ix_outside_contact_crime_id"))
    op.drop_table("outside_contact")
