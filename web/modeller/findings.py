"""Modeller findings in the reader's language: the engine's Problem carries an English message (logs, the
CLI) plus a reason code and params; this catalogue says the same in the UI language (cf. web/audit/findings.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import format_number, get_locale, ngettext
from flask_babel import gettext as _

from engine.errors import Problem
from web.i18n import Catalogue, catalogue_text, count_of

# Params are ids, file names, variable names, expressions or compiler output: shown verbatim, never translated.
_MESSAGES: Catalogue = {
    "xml_not_well_formed": lambda p: _("The file is not well-formed XML."),
    "file_empty": lambda p: _("The file is empty."),
    "not_bpmn_or_dmn": lambda p: _("This is not a BPMN 2.0 or DMN file: the root element is %(root)s.", **p),
    "doctype_refused": lambda p: _("DOCTYPE declarations are not allowed, because they can read files on the "
                                   "server. Remove the <!DOCTYPE ...> line: BPMN and DMN files never need one."),
    "file_too_large": lambda p: _("The file is %(size)s bytes; the limit is %(limit)s bytes.", **p),
    "file_over_limit": lambda p: _("The file is larger than the limit of %(limit)s bytes.", **p),
    "schema_invalid": lambda p: _("The file does not follow the %(schema)s schema.", **p),
    "schema_more_errors": lambda p: ngettext("... and %(count)s more schema error.",
                                             "... and %(count)s more schema errors.", count_of(p.get("count")), **p),
    "folder_empty": lambda p: _("There are no .bpmn or .dmn files in this folder."),
    "file_name_twice": lambda p: _("Two files are named %(name)s; rename one of them.", **p),
    "path_missing": lambda p: _("The file cannot be read: it does not exist."),
    "path_not_file": lambda p: _("The file cannot be read: it is not a regular file."),
    "file_unreadable": lambda p: _("The file cannot be read."),
    "no_files": lambda p: _("No BPMN or DMN files were sent."),
    "lint_crashed": lambda p: _("Turnus could not check this file; please report this."),
    "no_bpmn_file": lambda p: _("There is no BPMN file among the files: a DMN decision needs a process that uses "
                                "it."),
    "process_id_missing": lambda p: _("The process has no id. Give it one: it is the key of the definition."),
    "process_id_twice": lambda p: _("The process id %(id)s is also used in %(other)s.", **p),
    "decision_id_twice": lambda p: _("The decision id %(id)s is also used in %(other)s.", **p),
    "parser_refused": lambda p: _("The BPMN engine refused the definition."),
    "process_too_long": lambda p: _("The process is too long for the BPMN parser (a chain of several hundred "
                                    "elements). Split it into subprocesses or called processes."),
    "engine_could_not_load": lambda p: _("The BPMN engine could not load this definition."),
    "no_executable_process": lambda p: _("There is no executable process in this file. Mark the process as "
                                         "executable (Camunda Modeler: 'Executable' in the process properties)."),
    "data_store_unsupported": lambda p: _("Data stores are not supported: keep the data in the case."),
    "compensation_handler_missing": lambda p: _("This compensation boundary event is linked to no compensation "
                                                "handler: draw an association to an activity marked "
                                                "isForCompensation in the same scope."),
    "compensation_ref_unknown": lambda p: _("activityRef %(ref)s names no activity of this scope with a compensation "
                                            "handler (or subprocess with one inside), so nothing would be "
                                            "compensated.", **p),
    "manual_task_unsupported": lambda p: _("Manual tasks are not supported (Camunda passes through them; Turnus "
                                           "would wait for someone). Use a user task or a plain task."),
    "service_task_unsupported": lambda p: _("Service tasks run only as external tasks: set "
                                            "camunda:type=\"external\" and a camunda:topic that a worker fetches "
                                            "(a Java implementation would not run), or use a script task."),
    "external_topic": lambda p: _("An external service task needs a camunda:topic: a fixed name of 1 to 200 "
                                  "characters (no ${...} expression) that its workers fetch."),
    "complex_gateway_unsupported": lambda p: _("Complex gateways are not supported: use exclusive, inclusive or "
                                               "parallel gateways."),
    "start_time_cycle": lambda p: _("A timeCycle on the process's start event repeats inside one case instead of "
                                    "starting new cases. Start cases from outside, or use a cycle timer inside the "
                                    "process."),
    "initiator_not_name": lambda p: _("camunda:initiator %(name)s must be a variable name.", **p),
    "extension_ignored": lambda p: _("camunda:%(extension)s is not run by Turnus; use a script task instead.", **p),
    "call_mapping_ignored": lambda p: _("camunda:%(mapping)s variable mappings are ignored: a call activity "
                                        "passes all case data in and all of it back out.", **p),
    "implementation_unsupported": lambda p: _("%(attrs)s is not supported: Java and external-worker "
                                              "implementations do not run in Turnus.", **p),
    "condition_ignored": lambda p: _("The condition on the flow leaving %(source)s (%(kind)s) would be "
                                     "ignored: put an exclusive gateway in front of it.", **p),
    "assignment_expression": lambda p: _("camunda:%(attr)s: %(value)s is not allowed. Write a fixed value or "
                                         "a reference to case data, ${name} or ${name.attr} (Camunda "
                                         "expressions are not evaluated).", **p),
    "date_invalid": lambda p: _("camunda:%(attr)s %(value)s is not a valid date, date-time with a UTC offset "
                                "or duration (for example 2027-01-01, 2027-01-01T09:00:00+01:00 or P14D).", **p),
    "priority_invalid": lambda p: _("camunda:priority %(value)s must be a whole number or ${name}.", **p),
    "people_entry_unreadable": lambda p: _("The potentialOwner/humanPerformer entry %(entry)s is not a name, "
                                           "user(NAME), group(NAME) or ${name}: write it as one of those.", **p),
    "nobody_can_work": lambda p: _("Nobody can work on this user task. Set camunda:assignee, "
                                   "camunda:candidateUsers or camunda:candidateGroups (or BPMN potentialOwner), or "
                                   "put the task in a named lane."),
    "form_key_ignored": lambda p: _("camunda:formKey / formRef is ignored: Turnus shows the fields of "
                                    "camunda:formData (there are none here)."),
    "decision_ref_missing": lambda p: _("The business rule task has no camunda:decisionRef naming a DMN decision."),
    "decision_unknown": lambda p: _("camunda:decisionRef %(ref)s names no decision in the deployed DMN files "
                                    "(decisions found: %(known)s).", **p),
    "decision_result_variable": lambda p: _("camunda:resultVariable is ignored: the decision's outputs are written "
                                            "into the case data under their output names."),
    "case_ref_unsupported": lambda p: _("Calling a CMMN case (camunda:caseRef) is not supported."),
    "called_element_missing": lambda p: _("The call activity has no calledElement naming the process to call."),
    "called_element_unknown": lambda p: _("calledElement %(called)s names no process in the deployed files.", **p),
    "called_element_not_executable": lambda p: _("calledElement %(called)s names a process that is not "
                                                 "executable.", **p),
    "event_definition_ref": lambda p: _("Event definitions referenced with eventDefinitionRef are ignored: define "
                                        "the event inside the event."),
    "event_startEvent_conditional": lambda p: _("Conditional start events are not supported on a process (they "
                                                "are never evaluated before a case exists, so the process would "
                                                "never start). Use one in an event subprocess, a conditional "
                                                "boundary event, or a message start event."),
    "event_any_link": lambda p: _("Link events are intermediate events only: use an intermediate link throw "
                                  "event and an intermediate link catch event."),
    "no_start_event": lambda p: _("The process has no start event, so a case would have nowhere to begin: add a "
                                  "start event."),
    "link_unnamed": lambda p: _("This link event has no name. Give the link throw event and the link catch event "
                                "it continues at the same name."),
    "link_catch_twice": lambda p: _("Two link catch events are named %(name)s in one scope, so a link throw would "
                                    "not know where to go. Rename one of them.", **p),
    "link_target_missing": lambda p: _("There is no link catch event named %(name)s in the same scope, so the flow "
                                       "would stop here. Add one (links do not cross subprocess borders).", **p),
    "start_code_outside_event_subprocess": lambda p: _("%(kind)s start events belong in an event subprocess (a "
                                                       "subprocess with triggeredByEvent=\"true\"): only there is "
                                                       "something thrown to them.", **p),
    "error_start_not_interrupting": lambda p: _("An error start event always interrupts its scope (BPMN). Remove "
                                                "isInterrupting=\"false\", or catch an escalation instead."),
    "event_any_compensate": lambda p: _("Compensation events are throw, end or boundary events only: use a "
                                        "compensation boundary event with a handler, and an intermediate or end "
                                        "event that throws compensation."),
    "event_startEvent_compensate": lambda p: _("Compensation event subprocesses are not supported: undo with "
                                               "compensation boundary events and their handlers (isForCompensation) "
                                               "instead."),
    "event_unsupported": lambda p: _("%(kind)s %(event)s events are not supported (the event definition would "
                                     "be ignored).", **p),
    "code_empty": lambda p: _("The %(what)s is empty.", **p),
    "code_invalid": lambda p: _("The %(what)s is not valid Python.", **p),
    "code_camunda_el": lambda p: _("The %(what)s is a Camunda EL expression, but expressions in Turnus are "
                                   "Python: write %(python)s instead of %(source)s.", **p),
    "code_indented": lambda p: _("The %(what)s is indented: the text runs exactly as written, so remove the "
                                 "spaces in front of it.", **p),
    "script_format_unsupported": lambda p: _("The script format %(format)s is not supported: scripts are "
                                             "Python.", **p),
    "script_resource_unsupported": lambda p: _("External scripts (camunda:resource) are not supported; write the "
                                               "script in the task."),
    "script_result_variable": lambda p: _("camunda:resultVariable is ignored; assign the variable inside the "
                                          "script instead."),
    "script_missing": lambda p: _("The script task has no script."),
    "condition_language_unsupported": lambda p: _("The language %(language)s of the %(what)s is not "
                                                  "supported: conditions are Python expressions.", **p),
    "condition_resource_unsupported": lambda p: _("External scripts (camunda:resource) are not supported for "
                                                  "the %(what)s.", **p),
    "timer_missing": lambda p: _("The timer event has no timeDate, timeDuration or timeCycle."),
    "timer_unquoted": lambda p: _("%(kind)s %(value)s is not a Python expression: timer expressions are "
                                  "Python, so put the ISO value in quotes, e.g. \"%(value)s\".", **p),
    "timer_not_string": lambda p: _("%(kind)s must be an ISO 8601 text, not %(value)s.", **p),
    "timer_invalid": lambda p: _("%(kind)s %(value)s is not a valid ISO 8601 value with a UTC offset (e.g. "
                                 "2027-01-01T09:00:00+01:00, P14D or R3/PT10M).", **p),
    "cycle_period_zero": lambda p: _("timeCycle %(value)s repeats with a period of zero: it would fire again "
                                     "at once, forever. Give it a period such as \"R/P1D\".", **p),
    "cycle_period_short": lambda p: _("timeCycle %(value)s repeats every %(seconds)s seconds: each repetition "
                                      "is a command of its own, and a workflow for people rarely needs less "
                                      "than minutes.", **p),
    "loop_data_input_ignored": lambda p: _("loopDataInputRef / inputDataItem are not read: use camunda:collection "
                                           "and camunda:elementVariable."),
    "multi_instance_count_missing": lambda p: _("Multi-instance needs a loopCardinality or a camunda:collection."),
    "cardinality_unbounded": lambda p: _("loopCardinality %(name)s comes from case data with no upper limit: "
                                         "give the field that sets it a maximum (camunda:validation).", **p),
    "collection_not_name": lambda p: _("camunda:collection %(value)s must name a list in the case data, e.g. "
                                       "reviewers (not an expression).", **p),
    "element_variable_not_name": lambda p: _("camunda:elementVariable %(value)s must be a variable name.", **p),
    "loop_maximum_invalid": lambda p: _("loopMaximum %(value)s must be a whole number.", **p),
    "loop_unbounded": lambda p: _("A standard loop needs a loopCondition or a loopMaximum."),
    "loop_never_ends": lambda p: _("The loopCondition %(value)s is always true and there is no loopMaximum: "
                                   "the loop would never end.", **p),
    "dmn_no_decision": lambda p: _("The DMN file has no decision."),
    "dmn_several_decisions": lambda p: _("Only one decision per DMN file is supported; split %(ids)s into "
                                         "separate files.", **p),
    "dmn_no_table": lambda p: _("The decision has no decision table (literal expressions are not supported)."),
    "dmn_input_empty": lambda p: _("The input has no expression."),
    "dmn_output_name": lambda p: _("The output name %(name)s must be a variable name (letters, digits and _; "
                                   "dots for nested values).", **p),
    "dmn_rule_cells": lambda p: _("Rule %(rule)s has %(inputs_found)s input and %(outputs_found)s output "
                                  "cells; the table has %(inputs)s inputs and %(outputs)s outputs.", **p),
    "dmn_hit_policy_not_enforced": lambda p: _("The hit policy %(policy)s is not enforced: when several rules "
                                               "match, the first one wins (as with FIRST).", **p),
    "dmn_aggregation_unsupported": lambda p: _("COLLECT with aggregation %(aggregation)s is not supported "
                                               "(outputs are collected into lists, never aggregated).", **p),
    "dmn_hit_policy_unsupported": lambda p: _("The hit policy %(policy)s is not supported: use FIRST, UNIQUE "
                                              "or COLLECT.", **p),
    "dmn_language_unsupported": lambda p: _("The expression language %(language)s is not supported: DMN cells "
                                            "are Python expressions.", **p),
    "dmn_cell_needs_space": lambda p: _("Rule %(rule)s, input cell %(cell)s: start the cell with a space, "
                                        "because it is appended to the input expression.", **p),
    "dmn_cell_invalid": lambda p: _("Rule %(rule)s, input cell %(cell)s is not a valid Python test.", **p),
    "duty_rule_unknown": lambda p: _("turnus:notBy %(rule)s is an unknown rule: use 'initiator' (not the "
                                     "person who started the case) or 'completerOf:TASK_ID' (not the person "
                                     "who completed that user task).", **p),
    "duty_task_unknown": lambda p: _("turnus:notBy %(rule)s: there is no user task with the id %(task)s in "
                                     "this process. Give the id of the user task whose performer may not also "
                                     "do this one.", **p),
    "duty_field_not_user": lambda p: _("Form field %(field)s: %(property)s only applies to a field with the "
                                       "property widget=user.", **p),
    "duty_member_of_empty": lambda p: _("Form field %(field)s: %(property)s needs one or more group names or "
                                        "role:NAME, separated by commas.", **p),
    "duty_field_rule_unknown": lambda p: _("Form field %(field)s: %(property)s %(rule)s is not supported on a "
                                           "field (use 'initiator').", **p),
    "no_incoming_flow": lambda p: _("%(label)s has no incoming sequence flow, so it would never run. Connect "
                                    "it to the flow, or remove it.", **p),
    "gateway_no_outgoing": lambda p: _("The gateway %(label)s has no outgoing sequence flow: a case reaching "
                                       "it would stop with an error. Add the flows it chooses between (or an "
                                       "end event after it).", **p),
    "loop_through_split": lambda p: _("Sequence flows loop back to before the split %(label)s, so each pass "
                                      "would start its branches again and the case could end without reaching "
                                      "its end event. Model the repetition as a loop activity: put the split "
                                      "and its branches in a subprocess with standardLoopCharacteristics (or "
                                      "use multi-instance).", **p),
    "flow_cycle": lambda p: _("Sequence flows loop back through %(elements)s: every pass makes the case "
                              "heavier, and the engine stalls after about 250 passes. Model the repetition as "
                              "a loop activity (standardLoopCharacteristics on a subprocess or call activity) "
                              "or as multi-instance.", **p),
    "start_variable_syntax": lambda p: _("turnus:startVariable %(value)s: write it as NAME:TYPE, e.g. "
                                         "assignee:string or reviewers:list<string>.", **p),
    "start_variable_name": lambda p: _("turnus:startVariable %(value)s: %(name)s is not a variable name "
                                       "(letters, digits and _; it may not start with _ or a digit).", **p),
    "start_variable_type": lambda p: _("turnus:startVariable %(value)s: unknown type %(kind)s; use string, "
                                       "long, boolean, date or list<TYPE>.", **p),
    "start_variable_twice": lambda p: _("turnus:startVariable %(value)s: %(name)s is declared twice (as a "
                                        "start form field or another start variable); declare it once.", **p),
    "form_field_id_invalid": lambda p: _("The form field id %(field)s cannot be used as a name in the case "
                                         "data: use letters, digits and _, starting with a letter.", **p),
    "form_field_twice": lambda p: _("The form field %(field)s is declared twice.", **p),
    # form fields (engine/definitions/camunda.py, engine/form_rules.py)
    "form_enum_no_values": lambda p: _("Form field %(field)s: an enum field needs at least one camunda:value.", **p),
    "form_enum_value_no_id": lambda p: _("Form field %(field)s: every camunda:value needs an id.", **p),
    "form_min_above_max": lambda p: _("Form field %(field)s: min %(min)s is greater than max %(max)s.", **p),
    "form_constraint_text_only": lambda p: _("Form field %(field)s: %(constraint)s only applies to text "
                                             "fields.", **p),
    "form_constraint_whole_number": lambda p: _("Form field %(field)s: %(constraint)s needs a whole number as "
                                                "config, not %(config)s.", **p),
    "form_constraint_number": lambda p: _("Form field %(field)s: %(constraint)s needs a number as config, not "
                                          "%(config)s.", **p),
    "form_constraint_date": lambda p: _("Form field %(field)s: %(constraint)s needs a date (YYYY-MM-DD) as "
                                        "config, not %(config)s.", **p),
    "form_constraint_number_only": lambda p: _("Form field %(field)s: %(constraint)s only applies to long and "
                                               "date fields.", **p),
    "form_constraint_unknown": lambda p: _("Form field %(field)s: the constraint %(constraint)s is not "
                                           "supported (use required, readonly, min, max, minlength or "
                                           "maxlength).", **p),
    "form_default_expression": lambda p: _("Form field %(field)s: the defaultValue %(value)s is not allowed. "
                                           "Write a fixed value or a reference to case data, ${name} or "
                                           "${name.attr}.", **p),
    "form_default_invalid": lambda p: _("Form field %(field)s: the defaultValue %(value)s does not fit the "
                                        "field.", **p),
    "form_required_if_unknown": lambda p: _("Form field %(field)s: %(property)s names %(other)s, which is not "
                                            "a field of this form.", **p),
    "form_not_before_not_date": lambda p: _("Form field %(field)s: %(property)s compares two date fields of "
                                            "this form (%(other)s is not one).", **p),
}

# The fixed English words the engine uses to name the code it checked (expressions.code_problems's "what");
# any other "what" (timeDate, loopCondition ...) is a BPMN attribute name and stays as written.
_WHATS: dict[str, Callable[[], str]] = {
    "script": lambda: _("script"),
    "condition": lambda: _("condition"),
    "message payload": lambda: _("message payload"),
    "input expression": lambda: _("input expression"),
}
_NUMBERS = ("size", "limit")  # byte counts: grouped the reader's way (1.048.576 in Danish)


def _readable(reason: str, params: Mapping[str, Any]) -> dict[str, Any]:
    # never empty: flask_babel only %-formats with variables, and a missing one must raise (-> fallback)
    out: dict[str, Any] = {"reason": reason, **{k: "" if v is None else v for k, v in params.items()}}
    for key in _NUMBERS:
        if isinstance(params.get(key), int):
            out[key] = format_number(params[key])
    what = params.get("what")
    if params.get("rule") is not None and isinstance(what, str) and what.startswith("rule "):  # a DMN cell
        out["what"] = _("rule %(rule)s, output cell", rule=params["rule"])
    elif isinstance(what, str) and what in _WHATS:
        out["what"] = _WHATS[what]()
    if "known" in params and not params["known"]:
        out["known"] = _("none")
    return out


def finding_parts(problem: Problem) -> tuple[str, str]:
    """(the finding in the reader's language, the original technical message or ""): a page shows the
    first as the finding and keeps the second (lxml's, the XSD validator's, the parser's or the compiler's own
    words) in a details element, so the sentence stays one clear sentence in the page's language."""
    text = catalogue_text(_MESSAGES, problem.reason, lambda: _readable(problem.reason, problem.params))
    if text is None:  # a finding this catalogue does not know: the engine's English goes into the details
        if str(get_locale()) == "en":
            return problem.message, ""
        return _("Turnus found a problem it cannot describe in this language; the details say what."), \
            problem.message
    detail = problem.params.get("detail") if problem.params else None
    return text, str(detail) if detail else ""


def finding_text(problem: Problem) -> str:
    """The problem's message in the reader's language; the engine's English message when the catalogue does
    not know the reason or its params do not fit (a finding must never turn into a server error)."""
    text = catalogue_text(_MESSAGES, problem.reason, lambda: _readable(problem.reason, problem.params))
    return problem.message if text is None else text


def reasons() -> frozenset[str]:
    """Every reason the catalogue translates (for the tests)."""
    return frozenset(_MESSAGES)
