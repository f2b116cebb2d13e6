"""The audit log's vocabulary: every action name, `thing.what_happened`, in one place.

Every audit.record call names its action with one of these constants. Rows written before the names
were made one style (issue 19) keep their stored names; the audit log and its export read them
through LEGACY_NAMES, so a filter on a name finds the old rows too.
"""

from __future__ import annotations

# Victims and witnesses.
PARTY_REGISTER = "party.register"
PARTY_SIGN_IN = "party.sign_in"
PARTY_SIGN_IN_FAILED = "party.sign_in_failed"
PARTY_SIGN_IN_LOCKED = "party.sign_in_locked"
PARTY_SIGN_OUT_EVERYWHERE = "party.sign_out_everywhere"
PARTY_PASSWORD_RESET_REQUEST = "party.password_reset_request"
PARTY_PASSWORD_RESET = "party.password_reset"
PARTY_ALERT_PREFERENCES = "party.alert_preferences"
PARTY_OPT_OUT = "party.opt_out"
PARTY_OPT_IN = "party.opt_in"
PARTY_DELETE_ACCOUNT = "party.delete_account"
PARTY_FEEDBACK = "party.feedback"
PARTY_UPDATE_REQUEST = "party.update_request"
PARTY_INVITE = "party.invite"
PARTY_REGISTRATION_CODE = "party.registration_code"
PARTY_PORTAL_OVERRIDE = "party.portal_override"
PARTY_TOLD_OUTSIDE_PORTAL = "party.told_outside_portal"
PARTY_CREATE = "party.create"
PARTY_UPDATE = "party.update"

# Messages.
MESSAGE_SEND = "message.send"
MESSAGE_MARK_READ = "message.mark_read"
RECEIVED_TEXT_ROUTE = "received_text.route"

# Crimes and what happens in them.
CRIME_VIEW = "crime.view"
CRIME_READ = "crime.read"
CRIME_UPSERT = "crime.upsert"
CRIME_REASSIGN = "crime.reassign"
CRIME_OFFICER_CONFLICT_SETTLED = "crime.officer_conflict_settled"
CRIME_UPDATE_POSTED = "crime.update_posted"
CRIME_UPDATE_CORRECTED = "crime.update_corrected"
CRIME_UPDATE_WITHDRAWN = "crime.update_withdrawn"
UPDATE_ADD = "update.add"
PROPERTY_STATE_CHANGED = "property.state_changed"
HEARING_PUT = "hearing.put"
DECISION_PUT = "decision.put"
DECISION_REVIEW_REQUEST = "decision.review_request"

# Officers.
OFFICER_SIGN_IN = "officer.sign_in"
OFFICER_SIGN_IN_FAILED = "officer.sign_in_failed"
OFFICER_SIGN_IN_LOCKED = "officer.sign_in_locked"
OFFICER_CODE_FAILED = "officer.code_failed"
OFFICER_SSO_SIGN_IN = "officer.sso_sign_in"
OFFICER_SSO_REFUSED = "officer.sso_refused"
OFFICER_SSO_ROLE_CHANGED = "officer.sso_role_changed"
OFFICER_SSO_SESSION_ENDED = "officer.sso_session_ended"
OFFICER_PASSWORD_CHANGE = "officer.password_change"
OFFICER_PASSWORD_CHECK_FAILED = "officer.password_check_failed"
OFFICER_ALERT_FREQUENCY = "officer.alert_frequency"
OFFICER_TWO_FACTOR_ON = "officer.two_factor_on"
OFFICER_TWO_FACTOR_OFF = "officer.two_factor_off"
OFFICER_TWO_FACTOR_OFF_FAILED = "officer.two_factor_off_failed"
OFFICER_CREATE = "officer.create"
OFFICER_UPDATE = "officer.update"
OFFICER_PASSWORD_RESET = "officer.password_reset"
OFFICER_TWO_FACTOR_RESET = "officer.two_factor_reset"
OFFICER_DISABLE = "officer.disable"
OFFICER_ENABLE = "officer.enable"

# The force and its records.
FORCE_SETTINGS = "force.settings"
API_KEY_CREATE = "api_key.create"
API_KEY_REVOKE = "api_key.revoke"
AUDIT_EXPORT = "audit.export"
COMPLIANCE_EXPORT = "compliance.export"
RETENTION_REMOVE = "retention.remove"

# The Victim Personal Statement (issue 22): the officer's offer, the party's draft, sending, asking in person.
PERSONAL_STATEMENT_OFFER = "personal_statement.offer"
PERSONAL_STATEMENT_SAVE_DRAFT = "personal_statement.save_draft"
PERSONAL_STATEMENT_SEND = "personal_statement.send"
PERSONAL_STATEMENT_ASK_IN_PERSON = "personal_statement.ask_in_person"

# Trusted helpers (issue 21): added and removed by the victim or an officer; each page a helper opens.
HELPER_ADD = "helper.add"
HELPER_REMOVE = "helper.remove"
HELPER_VIEW = "helper.view"
RETENTION_REMOVE_UNMATCHED_TEXTS = "retention.remove_unmatched_texts"

# Names stored before the vocabulary was one style, and what they are now.
LEGACY_NAMES: dict[str, str] = {
    "party_registered": PARTY_REGISTER,
    "party_signed_in": PARTY_SIGN_IN,
    "party_sign_in_failed": PARTY_SIGN_IN_FAILED,
    "party_sign_in_locked": PARTY_SIGN_IN_LOCKED,
    "party_signed_out_everywhere": PARTY_SIGN_OUT_EVERYWHERE,
    "party_asked_for_password_reset": PARTY_PASSWORD_RESET_REQUEST,
    "party_reset_password": PARTY_PASSWORD_RESET,
    "party_changed_alerts": PARTY_ALERT_PREFERENCES,
    "party_opted_out": PARTY_OPT_OUT,
    "party_opted_in": PARTY_OPT_IN,
    "party_deleted_account": PARTY_DELETE_ACCOUNT,
    "party_gave_feedback": PARTY_FEEDBACK,
    "party_asked_for_update": PARTY_UPDATE_REQUEST,
    "party_asked_for_review": DECISION_REVIEW_REQUEST,
    "party_sent_message": MESSAGE_SEND,
}


def current_name(stored: str) -> str:
    """The action as the vocabulary names it now, for a row written under an older name."""
    return LEGACY_NAMES.get(stored, stored)


def stored_names(action: str) -> list[str]:
    """Every name a row of this action may be stored under: its own and any older ones."""
    return [action, *(old for old, new in LEGACY_NAMES.items() if new == action)]
