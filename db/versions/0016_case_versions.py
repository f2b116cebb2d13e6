"""case versions: a number on each crime that triggers move on whenever a row of the case is written

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from trackmycrime.case_versions import make_triggers

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As they were at this revision: a later change to either makes its own migration (a test compares
# the triggers the migrations make with those create_all makes).
TABLES = {
    "party": "crime_id",
    "case_update": "crime_id",
    "update_read": "party_id",
    "message": "crime_id",
    "hearing": "crime_id",
    "decision": "crime_id",
    "review_request": "crime_id",
    "property_item": "crime_id",
    "update_request": "crime_id",
    "entitlement": "crime_id",
    "personal_statement": "crime_id",
}
# A party's columns that pages show: a row written with none of these changed (a sign-in's
# bookkeeping) leaves the version as it was.
PARTY_SHOWN = [
    "id", "crime_id", "rms_party_id", "role", "forenames", "surname", "surname_key", "date_of_birth",
    "email", "mobile", "address", "preferred_language", "enhanced_rights", "contact_consent",
    "alert_channel", "update_interval_days", "registered_at", "invited_at",
    "registration_code_expires_at", "opted_out_at", "account_deleted_at", "created_at", "updated_at",
    "shares_address_with_suspect", "portal_override_reason", "portal_override_at",
    "portal_override_by_id", "has_property", "helps_party_id", "helper_relationship", "helper_added_by",
]  # fmt: skip


def upgrade() -> None:
    op.add_column("crime", sa.Column("case_version", sa.BigInteger(), server_default="0", nullable=False))
    make_triggers(op.get_bind(), TABLES, {"party": PARTY_SHOWN})


def downgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        if bind.dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS case_version ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS case_version_shown ON {table}")
        else:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS case_version_{table}_{event}")
    if bind.dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS case_version_by_crime_id()")
        op.execute("DROP FUNCTION IF EXISTS case_version_by_party_id()")
    with op.batch_alter_table("crime") as batch:
        batch.drop_column("case_version")
