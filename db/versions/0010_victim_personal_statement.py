"""victim personal statement: the offer, the victim's draft and what they sent, or asking to make it in person

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trackmycrime.models

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "personal_statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crime_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("offered_at", trackmycrime.models.UTCDateTime(), nullable=True),
        sa.Column("offered_by_id", sa.Integer(), nullable=True),
        sa.Column("draft", sa.Text(), nullable=False),
        sa.Column("draft_saved_at", trackmycrime.models.UTCDateTime(), nullable=True),
        sa.Column("sent_text", sa.Text(), nullable=False),
        sa.Column("first_sent_at", trackmycrime.models.UTCDateTime(), nullable=True),
        sa.Column("sent_at", trackmycrime.models.UTCDateTime(), nullable=True),
        sa.Column("in_person_at", trackmycrime.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["crime_id"], ["crime.id"]),
        sa.ForeignKeyConstraint(["offered_by_id"], ["officer.id"]),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("party_id"),
    )
    with op.batch_alter_table("personal_statement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personal_statement_crime_id"), ["crime_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("personal_statement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personal_statement_crime_id"))
    op.drop_table("personal_statement")
