"""The engine's refusals in the reader's language, chosen by the error's reason code and its params.

The engine's own text (``str(err)``) is English for logs and the command line; a participant reads these.
A refusal without a known reason gets no detail rather than English under a Danish heading.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from engine.errors import TurnusError
from web.deps import display_name
from web.i18n import Catalogue, catalogue_text, count_of, show_datetime

# reason -> message; each gets the error's params with people's names already made readable
_MESSAGES: Catalogue = {
    "read_only": lambda p: _("Your role is read-only: you can read cases, but not change anything."),
    "not_starter": lambda p: _("You may not start '%(process)s': it is open to other groups.", **p),
    "duty_initiator": lambda p: _("You started this case, so you may not do '%(task)s': someone independent "
                                  "of the request must do it.", **p),
    "duty_completer": lambda p: _("You did an earlier step of this case that '%(task)s' must be independent "
                                  "of, so someone else must do it.", **p),
    "assigned_to_other": lambda p: _("'%(task)s' is assigned to %(user)s, not to you.", **p),
    "not_candidate": lambda p: _("You are not among those who may work on '%(task)s'.", **p),
    "release_not_yours": lambda p: _("'%(task)s' is taken by %(user)s; only they or an administrator can give "
                                     "it back.", **p),
    "assign_not_allowed": lambda p: _("You may not hand over '%(task)s'.", **p),
    "receiver_read_only": lambda p: _("%(user)s has a read-only role and cannot be given '%(task)s'.", **p),
    "receiver_duty_initiator": lambda p: _("'%(task)s' cannot be handed to %(user)s: they started this case.",
                                           **p),
    "receiver_duty_completer": lambda p: _("'%(task)s' cannot be handed to %(user)s: they did an earlier step "
                                           "this task must be independent of.", **p),
    "receiver_not_candidate": lambda p: _("%(user)s is not among those who may work on '%(task)s'.", **p),
    "not_participant": lambda p: _("You do not take part in this case."),
    "task_not_visible": lambda p: _("This task is not yours to see."),
    "admin_only": lambda p: _("Only an administrator may do this."),
    "auditor_only": lambda p: _("Only an auditor or an administrator may do this."),
    "process_owner_only": lambda p: _("Only a process owner or an administrator may work on processes."),
    "no_files_here": lambda p: _("You may not add files to this task."),
    "file_not_yours": lambda p: _("This file is not yours to see."),
    "file_remove_not_yours": lambda p: _("Only the person who added the file, or an administrator, may remove it."),
    "already_completed": lambda p: _("'%(task)s' was already completed by %(user)s, %(at)s.", **p),
    "not_open": lambda p: _("'%(task)s' is no longer open.", **p),
    "task_cancelled": lambda p: _("'%(task)s' was cancelled: the case moved on without it.", **p),
    "task_cancelled_by": lambda p: _("'%(task)s' was cancelled when %(user)s completed '%(other)s'.", **p),
    "case_closed": lambda p: _("The case has ended; nothing more can be done in it."),
    "not_ready": lambda p: _("'%(task)s' cannot be completed yet.", **p),
    "already_yours": lambda p: _("You already have '%(task)s'.", **p),
    "already_claimed": lambda p: _("'%(task)s' has already been taken by %(user)s.", **p),
    "not_claimed": lambda p: _("'%(task)s' is not taken by anyone.", **p),
    "no_candidates": lambda p: _("'%(task)s' has no group to give it back to: hand it to a colleague instead.",
                                 **p),
    "already_assigned": lambda p: _("'%(task)s' is already with %(user)s.", **p),
    "no_such_user": lambda p: _("There is no user %(user)s to hand the task to.", **p),
    "kept_changing": lambda p: _("The case kept changing while this ran. Nothing was changed; please try again."),
    "file_race": lambda p: _("The case changed while the file was added; please add it again."),
    "comment_empty": lambda p: _("Write a comment before you send it."),
    "comment_too_long": lambda p: _("A comment can have at most %(count)s characters.", **p),
    "cancel_reason": lambda p: _("Give a reason for cancelling the case."),
    "set_data_empty": lambda p: _("Give the data to set."),
    "set_data_name": lambda p: _("“%(name)s” is not a variable name (letters, digits and _, not starting with _ "
                                 "or a digit).", **p),
    "set_data_json": lambda p: _("The data must be plain values: text, numbers, yes/no, lists."),
    "set_data_too_large": lambda p: _("The data can be at most %(count)s bytes.", **p),
    "set_data_reason": lambda p: _("Give a reason for changing the case data."),
    "set_data_reason_long": lambda p: _("A reason can have at most %(count)s characters.", **p),
    # the HTTP API (issue 23)
    "no_token": lambda p: _("Send a token: Authorization: Bearer TOKEN (made with `turnus tokens add` or on "
                            "your settings page)."),
    "bad_token": lambda p: _("The token is unknown, revoked or expired, or its user is disabled."),
    "throttled": lambda p: ngettext("Too many failed attempts; try again in %(seconds)s second.",
                                    "Too many failed attempts; try again in %(seconds)s seconds.",
                                    count_of(p.get("seconds")), **p),
    "missing_scope": lambda p: _("The token lacks the scope %(scope)s.", **p),
    "unknown_scope": lambda p: _("Unknown scope %(scope)s; the scopes are %(scopes)s.", **p),
    "token_not_yours": lambda p: _("You can make tokens only for yourself."),
    "no_such_token": lambda p: _("There is no such token."),
    "token_expiry": lambda p: _("A token expires after 1 to 3650 days."),
    "idempotency_reused": lambda p: _("This Idempotency-Key was already used for another request; use a new key."),
    "malformed_json": lambda p: _("The body is not valid JSON."),
    "body_invalid": lambda p: _("The body does not fit this operation; see errors."),
    "query_invalid": lambda p: _("A query parameter is not valid; see errors."),
    "form_invalid": lambda p: _("Some fields are not valid; see errors."),
    "etag_mismatch": lambda p: _("The task changed since you read it; read it again and retry."),
    "bad_cursor": lambda p: _("The cursor is not one this API gave out; start from the first page."),
    "no_route": lambda p: _("There is no such operation; see /api/v1/openapi.json."),
    "wrong_method": lambda p: _("This operation does not take that method; see /api/v1/openapi.json."),
    "too_large": lambda p: _("The request is too large."),
    "not_acceptable": lambda p: _("This operation answers in JSON only."),
    "unsupported_media_type": lambda p: _("Send the body as application/json."),
    "busy": lambda p: _("Nothing was changed. Please try again in a few seconds."),
    "incident": lambda p: _("A rule in the process failed, so nothing was changed. An administrator has been told."),
    "internal": lambda p: _("This is an error in Turnus, not something you did. Try again; if it persists, tell "
                            "support."),
    "bad_request": lambda p: _("Something in what was sent is not valid."),
    "events_not_allowed": lambda p: _("Only an administrator or a system account (role integration) may send "
                                      "messages and signals."),
    # external tasks (web/api/external_tasks.py)
    "no_external_task": lambda p: _("There is no such external task."),
    "external_task_closed": lambda p: _("This external task was completed: there is nothing more to do with it.")
    if p.get("state") == "completed" else _("This external task was cancelled (the case no longer waits for it): "
                                            "there is nothing more to do with it."),
    "external_task_not_held": lambda p: _("Worker %(worker)s does not hold this external task (its lock expired or "
                                          "another worker has it). Nothing was changed; fetch it again.", **p),
    "data_key_invalid": lambda p: _("Data key %(key)s is not a variable name (letters, digits and _; it may not start "
                                    "with _ or a digit).", **p),
    "data_too_large": lambda p: _("The data is larger than %(count)s bytes.", **p),
    "external_field": lambda p: _("Give the %(field)s (1 to %(count)s characters).", **p),
    "external_duration": lambda p: _("%(field)s must be a whole number of milliseconds up to %(count)s.", **p),
    "external_no_topic": lambda p: _("Name at least one topic to fetch."),
    "external_max_tasks": lambda p: _("max_tasks must be from 1 to %(count)s.", **p),
    "external_retries": lambda p: _("retries must be from 0 to %(count)s.", **p),
    "external_not_allowed": lambda p: _("Only an administrator or a system account (role integration) may work "
                                        "external tasks."),
    # the operator's console (web/admin)
    "no_case": lambda p: _("There is no such case."),
    "incident_gone": lambda p: _("This case has no open incident any more: another administrator has already "
                                 "dealt with it. Nothing was changed."),
    "incident_changed": lambda p: _("The incident changed since you opened it (it was retried and failed again). "
                                    "Nothing was changed; read it again before you act."),
    "incident_not_retriable": lambda p: _("This incident cannot be retried: the case never got started. Cancel "
                                          "the case instead."),
    "incident_uncaught_error": lambda p: _("Nothing in this version of the process catches the error %(code)s "
                                           "thrown at %(element)s: retrying would throw it again. Cancel the case "
                                           "instead.", **p),
    "admin_reason": lambda p: _("Give a reason: it is written into the case history."),
    "admin_reason_long": lambda p: _("A reason can have at most %(count)s characters.", **p),
    "admin_data_json": lambda p: _('Write the corrected data as a JSON object, e.g. {"divisor": 4}.'),
    "definition_suspended": lambda p: _("No new cases of '%(process)s' can be started now: %(user)s has "
                                        "suspended it (%(why)s). Cases already running go on; ask an "
                                        "administrator when it opens again.", **p),
    "already_suspended": lambda p: _("'%(process)s' is already suspended.", **p),
    "not_suspended": lambda p: _("'%(process)s' is not suspended.", **p),
    "no_definition": lambda p: _("There is no process with the key %(key)s.", **p),
    "user_already_active": lambda p: _("%(user)s is already active.", **p),
    "user_already_disabled": lambda p: _("%(user)s is already disabled.", **p),
    "disable_self": lambda p: _("You cannot disable yourself: another administrator must do it."),
    "user_exists": lambda p: _("There is already a user named %(user)s: open them from the list to change them.",
                               **p),
    "user_unchanged": lambda p: _("Nothing to change: %(user)s already has this name, e-mail, groups and roles.",
                                  **p),
    "unadmin_self": lambda p: _("You cannot take away your own administrator role: another administrator must "
                                "do it."),
    "display_name_missing": lambda p: _("Give the user's name as colleagues should see it."),
    "display_name_long": lambda p: _("A name can have at most %(count)s characters.", **p),
    "email_invalid": lambda p: _("%(email)s is not an e-mail address.", **p),
    "unknown_role": lambda p: _("There is no role called %(role)s.", **p),
    "name_invalid": lambda p: _("%(name)s cannot be used as an id: use letters, digits, '.', '_', '-' or '@', "
                                "starting with a letter or digit.", **p),
    "password_short": lambda p: _("A password must have at least %(count)s characters.", **p),
    "no_mail": lambda p: _("There is no such mail."),
    "mail_moved": lambda p: _("The mail was dealt with meanwhile (by the sender or another administrator). "
                              "Nothing was changed."),
    # webhooks (issue 23 item 7)
    "webhook_url": lambda p: _("A webhook address must start with http:// or https:// and name a host."),
    "webhook_url_long": lambda p: _("A webhook address can have at most %(count)s characters.", **p),
    "webhook_url_credentials": lambda p: _("A webhook address may not hold a user name or password: the "
                                           "signature shows the receiver that Turnus sent it."),
    "webhook_no_events": lambda p: _("Choose at least one kind of event: %(kinds)s.", **p),
    "webhook_unknown_event": lambda p: _("There is no event kind %(kind)s; the kinds are %(kinds)s.", **p),
    "no_webhook": lambda p: _("There is no such webhook."),
    "no_delivery": lambda p: _("There is no such webhook delivery."),
    "delivery_moved": lambda p: _("The delivery was dealt with meanwhile (by the sender or another "
                                  "administrator). Nothing was changed."),
    "webhook_removed": lambda p: _("Its webhook has been removed, so there is nowhere to send it. Discard it "
                                   "instead."),
}


def _readable(params: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in params.items()}
    if isinstance(out.get("user"), str):
        out["user"] = display_name(out["user"])
    if "at" in out:
        out["at"] = show_datetime(out["at"]) if out["at"] else ""
    for key in ("task", "process", "user"):
        out.setdefault(key, "")
    return out


def refusal_text(err: TurnusError) -> str:
    """The refusal in the reader's language; "" when the engine gave no reason this catalogue knows."""
    return catalogue_text(_MESSAGES, err.reason, lambda: _readable(err.params)) or ""
