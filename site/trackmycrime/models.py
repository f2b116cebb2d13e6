"""The schema: every table TrackMyCrime stores, in one place."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from sqlalchemy import BigInteger, DateTime, Index, Text, TypeDecorator, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from .case_versions import CASE_ROW_TABLES, NOT_SHOWN, make_triggers


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _Stored(Protocol):
    id: int | None


def saved_id(row: _Stored) -> int:
    """The primary key of a row that has been read from or flushed to the database."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has not been saved yet")
    return row.id


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone, so we store naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


def _when(*, nullable: bool = True, index: bool = False, default_now: bool = False) -> Any:
    if default_now:
        return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=index)
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _text(*, nullable: bool = False, default: str | None = "") -> Any:
    return Field(default=default, sa_type=Text, nullable=nullable)


# ---------------------------------------------------------------- forces and officers


class Force(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True, index=True)
    name: str = Field(max_length=200)
    crime_ref_pattern: str = Field(default=r"[A-Z0-9][A-Z0-9/\-]{3,39}", max_length=300)
    non_emergency_phone: str = Field(default="101", max_length=40)
    contact_email: str = Field(default="", max_length=254)
    website: str = Field(default="", max_length=300)
    support_services_json: str = _text(default="[]")
    retention_days: int = Field(default=730)
    unread_reminder_days: int = Field(default=3)
    # How often a party may use "Ask for an update" (issue 12).
    update_request_interval_days: int = Field(default=7)
    # Portal eligibility (issue 12): RMS offence codes offered the portal (none listed: every
    # offence), and codes never offered it (e.g. sexual or domestic abuse offences), one per line.
    portal_offence_codes: str = _text()
    portal_excluded_offence_codes: str = _text()
    # Languages (issue 20): those the force writes standard updates in, space-separated; and,
    # for Welsh forces, every email in Welsh and English with the Welsh first.
    languages: str = Field(default="en", max_length=40)
    welsh_first: bool = False
    # Alert floods (issue 16): at most one alert of a kind to a person in this many minutes.
    alert_window_minutes: int = Field(default=60)
    # Invitations by text carry a code and the site's name, not a link, unless the force allows one
    # (texts without links are harder for scammers to imitate).
    links_in_texts: bool = False
    created_at: dt.datetime = _when(default_now=True)


class OfficerRole:
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    ALL = (OFFICER, SUPERVISOR, ADMIN)


class OfficerAlerts:
    """How often an officer is emailed a digest of what victims sent them (issue 21)."""

    IMMEDIATE = "immediate"
    HOURLY = "hourly"
    DAILY = "daily"
    NONE = "none"
    ALL = (IMMEDIATE, HOURLY, DAILY, NONE)
    # The least time between two digests.
    GAP_MINUTES = {IMMEDIATE: 0, HOURLY: 60, DAILY: 24 * 60}


class Officer(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("force_id", "email", name="uq_officer_force_email"),
        UniqueConstraint("force_id", "shoulder_number", name="uq_officer_force_shoulder"),
    )

    id: int | None = Field(default=None, primary_key=True)
    force_id: int = Field(foreign_key="force.id", index=True)
    email: str = Field(max_length=254, index=True)
    name: str = Field(max_length=200)
    shoulder_number: str | None = Field(default=None, max_length=20)
    role: str = Field(default=OfficerRole.OFFICER, max_length=20)
    team: str = Field(default="", max_length=100)
    # None until the officer has a password: an officer created by the records system has none,
    # and no password verifies against it (auth/passwords.py).
    password_hash: str | None = Field(default=None, max_length=200)
    totp_secret: str | None = Field(default=None, max_length=64)
    # Set when an admin chose the password: the officer must replace it before anything else.
    must_change_password: bool = False
    disabled_at: dt.datetime | None = _when()
    failed_sign_ins: int = Field(default=0)
    locked_until: dt.datetime | None = _when()
    last_sign_in_at: dt.datetime | None = _when()
    alert_frequency: str = Field(default=OfficerAlerts.HOURLY, max_length=10)
    created_at: dt.datetime = _when(default_now=True)


class ForceSso(SQLModel, table=True):
    """A force's single sign-on (OpenID Connect) settings, set by `tmc force sso`.

    The client secret is not here: only the path of a file holding it (or the environment's
    TMC_SSO_CLIENT_SECRET_<CODE>), so a copy of the database does not carry it."""

    __tablename__ = "force_sso"

    id: int | None = Field(default=None, primary_key=True)
    force_id: int = Field(foreign_key="force.id", unique=True)
    issuer: str = Field(max_length=300)
    client_id: str = Field(max_length=200)
    client_secret_file: str = Field(default="", max_length=500)
    # Only ID tokens whose `tid` claim is this (Microsoft Entra ID's tenant id), when set.
    tenant: str = Field(default="", max_length=100)
    email_claim: str = Field(default="email", max_length=100)
    # "GROUP=ROLE" lines: a member of GROUP (in the `groups` claim) gets ROLE.
    group_roles: str = _text()
    create_accounts: bool = False
    # The provider always asks for a second factor, so ours is not asked for again.
    provider_enforces_mfa: bool = False
    updated_at: dt.datetime = _when(default_now=True)


class ApiKey(SQLModel, table=True):
    """A records-system key: only a SHA-256 of the (high-entropy) key is kept."""

    id: int | None = Field(default=None, primary_key=True)
    force_id: int = Field(foreign_key="force.id", index=True)
    label: str = Field(default="", max_length=100)
    # Which agency's system holds the key (issue 22): named beside what it sends, e.g. hearings.
    agency: str = Field(default="police", max_length=30)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: dt.datetime = _when(default_now=True)
    last_used_at: dt.datetime | None = _when()
    revoked_at: dt.datetime | None = _when()


# ---------------------------------------------------------------- crimes and parties


class Crime(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("force_id", "reference_key", name="uq_crime_force_reference"),
        Index("ix_crime_force_oic", "force_id", "officer_in_charge_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    force_id: int = Field(foreign_key="force.id")
    reference: str = Field(max_length=40)
    # The reference without case, spaces or separators: what sign-in and look-ups match on.
    reference_key: str = Field(max_length=40)
    offence: str = Field(max_length=200)
    offence_code: str = Field(default="", max_length=40)
    status: str = Field(default="recorded", max_length=40)
    reported_at: dt.datetime = _when(nullable=False)
    officer_in_charge_id: int | None = Field(default=None, foreign_key="officer.id")
    closed_at: dt.datetime | None = _when()
    # Set by `tmc retention run` once parties' personal data and messages have been removed.
    personal_data_removed_at: dt.datetime | None = _when()
    created_at: dt.datetime = _when(default_now=True)
    updated_at: dt.datetime = _when(default_now=True)
    # Moved on by the database whenever a row of the case is written (case_versions.py); never
    # set by the application.
    case_version: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})


class PartyRole:
    VICTIM = "victim"
    WITNESS = "witness"
    ALL = (VICTIM, WITNESS)
    # A trusted helper (issue 21): a person on the case only to follow it for the party they help.
    HELPER = "helper"


class HelperRelationship:
    """Who a trusted helper is to the party they help (issue 21)."""

    PARENT_OF_CHILD_UNDER_12 = "parent"
    CARER = "carer"
    ADVOCATE = "advocate"
    ISVA = "isva"
    IDVA = "idva"
    ALL = (PARENT_OF_CHILD_UNDER_12, CARER, ADVOCATE, ISVA, IDVA)


class AlertChannel:
    EMAIL = "email"
    SMS = "sms"
    BOTH = "both"
    NONE = "none"
    ALL = (EMAIL, SMS, BOTH, NONE)


class Party(SQLModel, table=True):
    """A victim or witness of one crime, and their portal account once they register."""

    __table_args__ = (UniqueConstraint("crime_id", "rms_party_id", name="uq_party_crime_rms_id"),)

    id: int | None = Field(default=None, primary_key=True)
    crime_id: int = Field(foreign_key="crime.id", index=True)
    rms_party_id: str = Field(max_length=64)
    role: str = Field(default=PartyRole.VICTIM, max_length=20)
    forenames: str = Field(default="", max_length=100)
    surname: str = Field(max_length=100)
    # Lower case, accents removed, spaces trimmed: what sign-in matches on.
    surname_key: str = Field(max_length=100)
    date_of_birth: dt.date | None = None
    email: str = Field(default="", max_length=254)
    mobile: str = Field(default="", max_length=32)
    # Postal address lines from the records system, one a line: letters for those with no email or mobile.
    address: str = _text()
    preferred_language: str = Field(default="en", max_length=8)
    enhanced_rights: bool = False
    contact_consent: bool = True
    alert_channel: str = Field(default=AlertChannel.EMAIL, max_length=10)
    update_interval_days: int = Field(default=28)
    password_hash: str | None = Field(default=None, max_length=200)
    registered_at: dt.datetime | None = _when()
    invited_at: dt.datetime | None = _when()
    registration_code_hash: str | None = Field(default=None, max_length=200)
    # A keyed fingerprint of the code (auth/links.py), so that checking a code finds its one
    # holder and verifies one hash, however many codes the crime has.
    registration_code_lookup: str | None = Field(default=None, max_length=64, index=True)
    registration_code_expires_at: dt.datetime | None = _when()
    failed_sign_ins: int = Field(default=0)
    locked_until: dt.datetime | None = _when()
    last_sign_in_at: dt.datetime | None = _when()
    opted_out_at: dt.datetime | None = _when()
    account_deleted_at: dt.datetime | None = _when()
    created_at: dt.datetime = _when(default_now=True)
    updated_at: dt.datetime = _when(default_now=True)
    # Portal eligibility (issue 12): flagged by the records system; such a party is never invited
    # or alerted (an alert could reach the suspect) unless an officer records a reason to offer it.
    shares_address_with_suspect: bool = False
    portal_override_reason: str = _text()
    portal_override_at: dt.datetime | None = _when()
    portal_override_by_id: int | None = Field(default=None, foreign_key="officer.id")
    # Whether any property item recorded on the crime is theirs to see (issue 11): kept by the
    # ingest API so that every victim page can offer the property link without a query.
    has_property: bool = False
    # A trusted helper (issue 21) is a party row of its own (their own surname, date of birth,
    # contact and password) that helps the party named here; None for victims and witnesses.
    helps_party_id: int | None = Field(default=None, foreign_key="party.id", index=True)
    helper_relationship: str = Field(default="", max_length=10)
    # "officer" or "party": who added the helper.
    helper_added_by: str = Field(default="", max_length=10)


# ---------------------------------------------------------------- what parties read


class Audience:
    ALL = "all"
    VICTIMS = "victims"
    PARTY = "party"


class CaseUpdate(SQLModel, table=True):
    """An update on a crime, from the records system or an officer, for some or all parties."""

    __tablename__ = "case_update"
    __table_args__ = (
        UniqueConstraint("crime_id", "rms_update_id", name="uq_update_crime_rms_id"),
        Index("ix_case_update_crime_occurred", "crime_id", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    crime_id: int = Field(foreign_key="crime.id")
    rms_update_id: str | None = Field(default=None, max_length=64)
    status: str | None = Field(default=None, max_length=40)
    text: str = _text()
    audience: str = Field(default=Audience.ALL, max_length=10)
    party_id: int | None = Field(default=None, foreign_key="party.id")
    author_officer_id: int | None = Field(default=None, foreign_key="officer.id")
    occurred_at: dt.datetime = _when(nullable=False)
    created_at: dt.datetime = _when(default_now=True)
    # The crime's status before this update changed it: withdrawing the update puts it back.
    status_before: str | None = Field(default=None, max_length=40)
    # When an officer last corrected the text (the earlier texts are UpdateCorrection rows).
    corrected_at: dt.datetime | None = _when()
    # Withdrawn by an officer before its alert was sent: nobody sees it or is told by it.
    withdrawn_at: dt.datetime | None = _when()
    withdrawn_by_id: int | None = Field(default=None, foreign_key="officer.id")
    # A case event other than a status (issue 22), e.g. "hearing_moved", and the hearing it is about.
    event: str | None = Field(default=None, max_length=40)
    hearing_id: int | None = Field(default=None, foreign_key="hearing.id")
    # Who it comes from: an Agency code ("police" for officers and the police records system).
    agency: str = Field(default="police", max_length=30)


class UpdateCorrection(SQLModel, table=True):
    """An officer corrected an update's text: what it said before, who changed it and when."""

    __tablename__ = "update_correction"

    id: int | None = Field(default=None, primary_key=True)
    update_id: int = Field(foreign_key="case_update.id", index=True)
    officer_id: int | None = Field(default=None, foreign_key="officer.id")
    previous_text: str = _text()
    corrected_at: dt.datetime = _when(default_now=True)


class Agency:
    """The agencies whose systems may send to the ingest API (an API key is labelled with one)."""

    POLICE = "police"
    WITNESS_CARE_UNIT = "witness_care_unit"
    CPS = "cps"
    ALL = (POLICE, WITNESS_CARE_UNIT, CPS)


class HearingType:
    ALL = ("first_appearance", "plea", "trial", "sentencing", "appeal", "other")


class HearingStatus:
    LISTED = "listed"
    MOVED = "moved"
    VACATED = "vacated"
    CONCLUDED = "concluded"
    ALL = (LISTED, MOVED, VACATED, CONCLUDED)
    UPCOMING = (LISTED, MOVED)


class Hearing(SQLModel, table=True):
    """A court hearing of a crime's case, from the police records system or a Witness Care Unit."""

    __table_args__ = (UniqueConstraint("crime_id", "rms_hearing_id", name="uq_hearing_crime_rms_id"),)

    id: int | None = Field(default=None, primary_key=True)
    crime_id: int = Field(foreign_key="crime.id", index=True)
    rms_hearing_id: str = Field(max_length=64)
    court_name: str = Field(max_length=200)
    court_address: str = Field(default="", max_length=500)
    starts_at: dt.datetime = _when(nullable=False)
    hearing_type: str = Field(max_length=20)
    status: str = Field(default=HearingStatus.LISTED, max_length=12)
    outcome: str = _text()
    # The rms_party_id of each witness who must attend, as a JSON list.
    parties_required_json: str = _text(default="[]")
    agency: str = Field(default=Agency.POLICE, max_length=30)
    created_at: dt.datetime = _when(default_now=True)
    updated_at: dt.datetime = _when(default_now=True)


class DecisionKind:
    CHARGED = "charged"
    NO_FURTHER_ACTION = "no_further_action"
    OUT_OF_COURT_RESOLUTION = "out_of_court_resolution"
    ALL = (CHARGED, NO_FURTHER_ACTION, OUT_OF_COURT_RESOLUTION)
    # Decisions not to charge: the victim may ask for them to be reviewed (Victims' Right to Review).
    REVIEWABLE = (NO_FURTHER_ACTION, OUT_OF_COURT_RESOLUTION)


class Decision(SQLModel, table=True):
    """A charging decision by the police or the CPS, with the reason as given (issue 22)."""

    __table_args__ = (UniqueConstraint("crime_id", "rms_decision_id", name="uq_decision_crime_rms_id"),)

    id: int | None = Field(default=None, primary_key=True)
    crime_id: int = Field(foreign_key="crime.id", index=True)
    rms_decision_id: str = Field(max_length=64)
    decision: str = Field(max_length=30)
    reason: str = _text()
    decided_at: dt.datetime = _when(nullable=False)
    agency: str = Field(default="police", max_length=30)
    created_at: dt.datetime = _when(default_now=True)


class ReviewRequest(SQLModel, table=True):
    """A victim asked for a decision not to charge to be reviewed (Victims' Right to Review)."""

    __tablename__ = "review_request"
    __table_args__ = (UniqueConstraint("decision_id", "party_id", name="uq_review_request_decision_party"),)

    id: int | None = Field(default=None, primary_key=True)
    crime_id: int = Field(foreign_key="crime.id", index=True)
    decision_id: int = Field(foreign_key="decision.id")
    party_id: int = Field(foreign_key="party.id")
    reason: str = _text()
    requested_at: dt.datetime = _when(default_now=True)
    # received, then the outcome an officer records: upheld (decision stands) or overturned.
    status: str = Field(default="received", max_length=12)


class PersonalStatement(SQLModel, table=True):
    """A victim's Victim Personal Statement (Victims' Code Right 7): the offer, their words, where it stands.

    The draft is the victim's own until they send it: officers see only that one exists. What they
    sent is kept apart from any later draft, so the officers always read what was sent.
    """

    __tablename__ = "personal_statement"

    id: int | None = Field(default=None, primary_key=True)
    crime_id: int = Field(foreign_key="crime.id", index=True)
    party_id: int = Field(foreign_key="party.id", unique=True)
    offered_at: dt.datetime | None = _when()
    offered_by_id: int | None = Field(default=None, foreign_key="officer.id")
    draft: str = _text()
    draft_saved_at: dt.datetime | None = _when()
    sent_text: str = _text()
    first_sent_at: dt.datetime | None = _when()
    sent_at: dt.datetime | None = _when()
    in_person_at: dt.datetime | None = _when()


class HandoverState:
    APPLIED = "applied"
    # The records system named another officer soon after a change made in the portal: a supervisor decides.
    HELD = "held"
    KEPT = "kept"  # a held change a supervisor chose not to apply


class Handover(SQLModel, table=True):
    """A change of officer in charge, with the note the new officer reads first (issue 22)."""

    __table_args__ = (Index("ix_handover_crime_created", "crime_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    crime_id: int = Field(foreign_key="crime.id")
    from_officer_id: int | None = Field(default=None, foreign_key="officer.id")
    to_officer_id: int | None = Field(default=None, foreign_key="officer.id")
    note: str = _text()
    # The officer who made the change in the portal; none when the records system made it.
    by_officer_id: int | None = Field(default=None, foreign_key="officer.id")
    source: str = Field(default="portal", max_length=10)
    state: str = Field(default=HandoverState.APPLIED, max_length=10)
    created_at: dt.datetime = _when(default_now=True)
    resolved_at: dt.datetime | None = _when()
    resolved_by_id: int | None = Field(default=None, foreign_key="officer.id")


class MessageDirection:
    FROM_PARTY = "from_party"
    TO_PARTY = "to_party"


class Message(SQLModel, table=True):
    """One message in the thread between a party and the officers of their crime."""

    __table_args__ = (Index("ix_message_party_created", "party_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    crime_id: int = Field(foreign_key="crime.id", index=True)
    party_id: int = Field(foreign_key="party.id")
    direction: str = Field(max_length=12)
    officer_id: int | None = Field(default=None, foreign_key="officer.id")
    body: str = _text()
    created_at: dt.datetime = _when(default_now=True)
    read_at: dt.datetime | None = _when()
    # A party's addition or correction to one item of property (issue 11).
    property_item_id: int | None = Field(default=None, foreign_key="property_item.id")
    # Written by the party's trusted helper (issue 21), not the party themselves.
    helper_id: int | None = Field(default=None, foreign_key="party.id")


class Feedback(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    crime_id: int = Field(foreign_key="crime.id", index=True)
    party_id: int | None = Field(default=None, foreign_key="party.id")
    rating: int
    comment: str = _text()
    created_at: dt.datetime = _when(default_now=True)


# ---------------------------------------------------------------- notifications


class OutboxStatus:
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"
    # Not sent because it no longer applied (account deleted, already registered): not a failure.
    CANCELLED = "cancelled"


class OutboxMessage(SQLModel, table=True):
    """An alert to send, written in the same transaction as the change that causes it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    force_id: int = Field(foreign_key="force.id", index=True)
    kind: str = Field(max_length=40)
    channel: str = Field(max_length=10)
    party_id: int | None = Field(default=None, foreign_key="party.id", index=True)
    officer_id: int | None = Field(default=None, foreign_key="officer.id")
    recipient: str = Field(max_length=254)
    # Template variables as JSON: never the offence, update text, message body or date of birth.
    context_json: str = _text(default="{}")
    # At most one row per cause, e.g. "update:17:party:4:email"; repeats are refused by the database.
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    status: str = Field(default=OutboxStatus.PENDING, max_length=10)
    attempts: int = Field(default=0)
    next_attempt_at: dt.datetime = _when(default_now=True)
    claimed_until: dt.datetime | None = _when()
    last_error: str = _text()
    provider_reference: str = Field(default="", max_length=200)
    created_at: dt.datetime = _when(default_now=True)
    sent_at: dt.datetime | None = _when()


class WorkerCount(SQLModel, table=True):
    """What the alert workers did, counted since the database was made (issue 23's worker counters).

    One row per (what happened, channel), added to by every worker on every machine, so that
    `/metrics` shows the whole fleet's totals wherever it is scraped.
    """

    __tablename__ = "worker_count"

    # sent, failed, retried, cancelled, held, lease_taken_over
    name: str = Field(primary_key=True, max_length=30)
    channel: str = Field(primary_key=True, max_length=10)
    value: int = Field(default=0, sa_type=BigInteger)


class ReceivedTextStatus:
    # Matched to exactly one party: it is in their thread as a message.
    MATCHED = "matched"
    # No party, or more than one, has that number: waiting in the force's queue for a person to route.
    UNMATCHED = "unmatched"
    ROUTED = "routed"


class ReceivedText(SQLModel, table=True):
    """A text message sent to the force's number (issue 21), as the gateway received it."""

    __tablename__ = "received_text"

    id: int | None = Field(default=None, primary_key=True)
    # The gateway's id for the text: each is stored once, however many workers poll.
    provider_id: str = Field(max_length=64, unique=True)
    from_number: str = Field(max_length=32)
    content: str = _text()
    received_at: dt.datetime = _when(nullable=False)
    status: str = Field(default=ReceivedTextStatus.UNMATCHED, max_length=10, index=True)
    # The force whose queue an unmatched text waits in (None: no party of any force has that number).
    force_id: int | None = Field(default=None, foreign_key="force.id", index=True)
    party_id: int | None = Field(default=None, foreign_key="party.id")
    message_id: int | None = Field(default=None, foreign_key="message.id")
    routed_by_id: int | None = Field(default=None, foreign_key="officer.id")
    routed_at: dt.datetime | None = _when()
    created_at: dt.datetime = _when(default_now=True)


# ---------------------------------------------------------------- sign-in and audit


class WebSession(SQLModel, table=True):
    """A signed-in browser; the cookie carries only a signed random id, we keep its hash."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    party_id: int | None = Field(default=None, foreign_key="party.id", index=True)
    officer_id: int | None = Field(default=None, foreign_key="officer.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: dt.datetime = _when(default_now=True)
    last_seen_at: dt.datetime = _when(default_now=True)
    expires_at: dt.datetime = _when(nullable=False)
    ended_at: dt.datetime | None = _when()
    ip_address: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)
    # Signed in with the force's identity provider (single sign-on): when its ID token expires the
    # provider is asked again (refresh token, encrypted), and the session ends if it refuses.
    sso_force_id: int | None = Field(default=None, foreign_key="force.id")
    sso_subject: str = Field(default="", max_length=255)
    sso_expires_at: dt.datetime | None = _when()
    sso_refresh_token: str = _text()
    # The provider said the officer used a second factor (`amr` has "mfa").
    sso_mfa: bool = False


class Throttle(SQLModel, table=True):
    """Counts attempts per key (an account or a client address) in a time window."""

    key: str = Field(primary_key=True, max_length=200)
    window_started_at: dt.datetime = _when(nullable=False)
    attempts: int = Field(default=0)


class AuditEvent(SQLModel, table=True):
    """Who viewed or changed personal data, when and from where (DPA 2018 s.62)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_force_at", "force_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = _when(default_now=True)
    force_id: int | None = Field(default=None, foreign_key="force.id")
    actor_kind: str = Field(max_length=20)
    actor_id: int | None = None
    action: str = Field(max_length=60)
    crime_id: int | None = Field(default=None, index=True)
    party_id: int | None = None
    ip_address: str = Field(default="", max_length=64)
    detail: str = _text()


# ---------------------------------------------------------------- Victims' Code


class Entitlement(SQLModel, table=True):
    """Something a party is owed under the Victims' Code (to be told of an event), and by when.

    Rows are kept in step with a crime's history by victims_code.refresh_entitlements(); the
    officer inbox and the party's case page read them.
    """

    __table_args__ = (
        UniqueConstraint("party_id", "event", "event_key", name="uq_entitlement_party_event"),
        Index("ix_entitlement_force_due", "force_id", "met_at", "due_at"),
        Index("ix_entitlement_party_due", "party_id", "met_at", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    force_id: int = Field(foreign_key="force.id")
    crime_id: int = Field(foreign_key="crime.id", index=True)
    party_id: int = Field(foreign_key="party.id")
    # A status code from statuses.py, "regular_contact" or "update_requested".
    event: str = Field(max_length=40)
    # What makes this entitlement distinct, e.g. the causing update's id or the contact period.
    event_key: str = Field(max_length=64)
    event_at: dt.datetime = _when(nullable=False)
    due_at: dt.datetime = _when(nullable=False)
    met_at: dt.datetime | None = _when()
    # What told the party: "update" or "message" (through the portal), or an OutsideContact
    # method: "phone", "in_person" or "letter".
    met_by: str = Field(default="", max_length=20)
    enhanced_rights: bool = False


class ContactMethod:
    """How an officer told a party something outside the portal (issues 18 and 21)."""

    PHONE = "phone"
    IN_PERSON = "in_person"
    LETTER = "letter"
    ALL = (PHONE, IN_PERSON, LETTER)


class OutsideContact(SQLModel, table=True):
    """An officer told a party about their case by phone, in person or by letter, and noted it.

    It counts as telling them under the Victims' Code (victims_code.entitlements), whether or
    not they use the portal.
    """

    __tablename__ = "outside_contact"
    __table_args__ = (Index("ix_outside_contact_party_told", "party_id", "told_at"),)

    id: int | None = Field(default=None, primary_key=True)
    crime_id: int = Field(foreign_key="crime.id", index=True)
    party_id: int = Field(foreign_key="party.id")
    officer_id: int | None = Field(default=None, foreign_key="officer.id")
    method: str = Field(max_length=12)
    note: str = _text()
    told_at: dt.datetime = _when(nullable=False)
    recorded_at: dt.datetime = _when(default_now=True)


# ---------------------------------------------------------------- update requests (issue 12)


class UpdateRequest(SQLModel, table=True):
    """A party pressed "Ask for an update"; its deadline is the Entitlement of event "update_requested"."""

    __tablename__ = "update_request"
    __table_args__ = (Index("ix_update_request_party_requested", "party_id", "requested_at"),)

    id: int | None = Field(default=None, primary_key=True)
    crime_id: int = Field(foreign_key="crime.id", index=True)
    party_id: int = Field(foreign_key="party.id")
    note: str = _text()
    requested_at: dt.datetime = _when(default_now=True)
    entitlement_id: int | None = Field(default=None, foreign_key="entitlement.id")


# ---------------------------------------------------------------- agreed contact (issue 11)


class ContactAgreement(SQLModel, table=True):
    """How often and by what means a party agreed to be kept informed, and when (Victims' Code Right 6)."""

    __tablename__ = "contact_agreement"
    __table_args__ = (Index("ix_contact_agreement_party_agreed", "party_id", "agreed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    party_id: int = Field(foreign_key="party.id")
    interval_days: int
    channel: str = Field(max_length=10)
    agreed_at: dt.datetime = _when(default_now=True)
    # "party" when they chose it themselves, "officer" when an officer recorded it for them.
    agreed_by: str = Field(default="party", max_length=10)


# ---------------------------------------------------------------- read receipts (issue 11)


class UpdateRead(SQLModel, table=True):
    """When a party first saw an update on their case page; no row means not read yet."""

    __tablename__ = "update_read"
    __table_args__ = (UniqueConstraint("update_id", "party_id", name="uq_update_read_update_party"),)

    id: int | None = Field(default=None, primary_key=True)
    update_id: int = Field(foreign_key="case_update.id")
    party_id: int = Field(foreign_key="party.id", index=True)
    first_read_at: dt.datetime = _when(default_now=True)


# ---------------------------------------------------------------- property (issue 11)


class PropertyState:
    MISSING = "missing"
    DAMAGED = "damaged"
    RECOVERED = "recovered"
    RETURNED = "returned"
    ALL = (MISSING, DAMAGED, RECOVERED, RETURNED)


class PropertyItem(SQLModel, table=True):
    """Property recorded against a crime by the records system: stolen, lost or damaged."""

    __tablename__ = "property_item"
    __table_args__ = (UniqueConstraint("crime_id", "rms_item_id", name="uq_property_crime_rms_id"),)

    id: int | None = Field(default=None, primary_key=True)
    crime_id: int = Field(foreign_key="crime.id", index=True)
    rms_item_id: str = Field(max_length=64)
    description: str = Field(max_length=500)
    category: str = Field(default="", max_length=100)
    state: str = Field(default=PropertyState.MISSING, max_length=12)
    value_pence: int | None = None
    # The victim it belongs to; none when it is the crime's victims' in common.
    owner_party_id: int | None = Field(default=None, foreign_key="party.id")
    state_changed_at: dt.datetime = _when(default_now=True)
    created_at: dt.datetime = _when(default_now=True)
    updated_at: dt.datetime = _when(default_now=True)


# ---------------------------------------------------------------- performance (issue 9)

# The officer inbox (and the count in every officer page's navigation) looks for recent
# reassignments in the whole audit log; without this index PostgreSQL reads all of it: 93 ms and
# 12,000 buffers at a million crimes (bench/explain/officer_inbox.txt).
Index("ix_audit_action_at", AuditEvent.action, AuditEvent.at)  # type: ignore[arg-type]


@event.listens_for(SQLModel.metadata, "after_create")
def _make_case_version_triggers(metadata: Any, connection: Any, **_kw: Any) -> None:
    """create_all makes the triggers too (the migrations make them on a database that is upgraded);
    a party's update moves the version only when a column the pages show changed."""
    shown = [column.name for column in Party.__table__.columns if column.name not in NOT_SHOWN]  # type: ignore[attr-defined]
    make_triggers(connection, CASE_ROW_TABLES, {"party": shown})


__all__ = [
    "Entitlement",
    "ApiKey",
    "AuditEvent",
    "CaseUpdate",
    "ContactAgreement",
    "Crime",
    "Decision",
    "Feedback",
    "Force",
    "Handover",
    "Hearing",
    "Message",
    "Officer",
    "OutboxMessage",
    "OutsideContact",
    "Party",
    "ReviewRequest",
    "Throttle",
    "UpdateCorrection",
    "UpdateRead",
    "UpdateRequest",
    "WebSession",
    "utcnow",
]
