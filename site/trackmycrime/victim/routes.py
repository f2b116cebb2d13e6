"""Routes of the victim area, mounted by app.py. No victim URL carries a crime or party id."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from . import (
    ask_for_update,
    case,
    feedback,
    hearings,
    password_reset,
    personal_statement,
    preferences,
    property,
    quick_exit,
    registration,
    reviews,
    rights,
    sign_in,
    support,
    trusted_helpers,
)

routes: list[BaseRoute] = [
    Route("/sign-in", sign_in.show_sign_in, methods=["GET"], name="victim_sign_in"),
    Route("/sign-in", sign_in.sign_in, methods=["POST"], name="victim_sign_in_post"),
    Route("/sign-out", sign_in.sign_out, methods=["POST"], name="victim_sign_out"),
    Route(
        "/sign-out-everywhere",
        sign_in.sign_out_everywhere,
        methods=["POST"],
        name="victim_sign_out_everywhere",
    ),
    Route("/leave", quick_exit.leave_by_link, methods=["GET"], name="quick_exit"),
    Route("/leave", quick_exit.leave_in_background, methods=["POST"], name="quick_exit_post"),
    Route("/signed-out", sign_in.signed_out, methods=["GET"], name="victim_signed_out"),
    Route("/keep-alive", sign_in.keep_alive, methods=["POST"], name="victim_keep_alive"),
    Route("/register", registration.show_code_form, methods=["GET"], name="victim_register"),
    Route("/register", registration.check_code, methods=["POST"], name="victim_register_post"),
    Route(
        "/register/confirm", registration.confirm_details, methods=["POST"], name="victim_register_confirm"
    ),
    Route(
        "/register/password", registration.choose_password, methods=["POST"], name="victim_register_password"
    ),
    Route("/register/{token}", registration.open_invitation, methods=["GET"], name="victim_invitation"),
    Route("/case", case.case_page, methods=["GET"], name="victim_case"),
    Route("/case/activity", case.case_activity, methods=["GET"], name="victim_case_activity"),
    Route("/case/timeline", case.case_timeline, methods=["GET"], name="victim_case_timeline"),
    Route("/case/messages", case.send_message, methods=["POST"], name="victim_send_message"),
    Route(
        "/case/ask-for-update",
        ask_for_update.ask_for_update,
        methods=["POST"],
        name="victim_ask_for_update",
    ),
    Route(
        "/case/hearings/{hearing_id}.ics",
        hearings.hearing_calendar,
        methods=["GET"],
        name="victim_hearing_calendar",
    ),
    Route(
        "/case/decisions/{decision_id}/review",
        reviews.review_form,
        methods=["GET"],
        name="victim_review_form",
    ),
    Route(
        "/case/decisions/{decision_id}/review",
        reviews.ask_for_review,
        methods=["POST"],
        name="victim_review_form_post",
    ),
    Route(
        "/case/personal-statement",
        personal_statement.statement_page,
        methods=["GET"],
        name="victim_personal_statement",
    ),
    Route(
        "/case/personal-statement",
        personal_statement.save_or_send,
        methods=["POST"],
        name="victim_personal_statement_post",
    ),
    Route(
        "/case/personal-statement/in-person",
        personal_statement.ask_in_person,
        methods=["POST"],
        name="victim_personal_statement_in_person",
    ),
    Route("/property", property.property_page, methods=["GET"], name="victim_property"),
    Route(
        "/property/{item_id}/messages",
        property.tell_officer,
        methods=["POST"],
        name="victim_property_message",
    ),
    Route("/rights", rights.rights_page, methods=["GET"], name="victim_rights"),
    Route("/support", support.support_page, methods=["GET"], name="victim_support"),
    Route("/preferences", preferences.show_preferences, methods=["GET"], name="victim_preferences"),
    Route("/preferences", preferences.save_preferences, methods=["POST"], name="victim_preferences_post"),
    Route("/opt-out", preferences.show_opt_out, methods=["GET"], name="victim_opt_out"),
    Route("/opt-out", preferences.opt_out, methods=["POST"], name="victim_opt_out_post"),
    Route("/opt-in", preferences.opt_in, methods=["POST"], name="victim_opt_in"),
    Route("/helpers", trusted_helpers.show_helpers, methods=["GET"], name="victim_helpers"),
    Route("/helpers", trusted_helpers.add_helper, methods=["POST"], name="victim_helpers_post"),
    Route(
        "/helpers/remove",
        trusted_helpers.remove_helper,
        methods=["POST"],
        name="victim_remove_helper",
    ),
    Route("/delete-account", preferences.show_delete_account, methods=["GET"], name="victim_delete_account"),
    Route("/delete-account", preferences.delete_account, methods=["POST"], name="victim_delete_account_post"),
    Route("/account-deleted", preferences.account_deleted, methods=["GET"], name="victim_account_deleted"),
    Route(
        "/forgotten-password",
        password_reset.show_request_form,
        methods=["GET"],
        name="victim_forgotten_password",
    ),
    Route(
        "/forgotten-password",
        password_reset.request_reset,
        methods=["POST"],
        name="victim_forgotten_password_post",
    ),
    Route(
        "/forgotten-password/sent", password_reset.reset_requested, methods=["GET"], name="victim_reset_sent"
    ),
    Route(
        "/reset-password/{token}", password_reset.show_new_password_form, methods=["GET"], name="victim_reset"
    ),
    Route(
        "/reset-password/{token}", password_reset.set_new_password, methods=["POST"], name="victim_reset_post"
    ),
    Route("/feedback", feedback.show_feedback_form, methods=["GET"], name="victim_feedback"),
    Route("/feedback", feedback.give_feedback, methods=["POST"], name="victim_feedback_post"),
    Route("/feedback/thank-you", feedback.thank_you, methods=["GET"], name="victim_feedback_thank_you"),
]
