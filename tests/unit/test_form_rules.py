"""Cross-field rules declared on form fields: end not before start, required when another field has a value."""

from __future__ import annotations

import pytest

from engine import form_rules
from engine.errors import FormInvalid
from engine.forms import FormField, FormSchema, Option

FORM = FormSchema((
    FormField("start", "date", "Start"),
    FormField("end", "date", "End", properties={"turnus:notBefore": "start"}),
    FormField("decision", "enum", "Decision", options=(Option("finish", "Finish"), Option("extend", "Extend"))),
    FormField("new_end", "date", "New end", properties={"turnus:requiredIf": "decision=extend",
                                                        "turnus:notBefore": "current_end"}),
    FormField("current_end", "date", "Current end", readonly=True),
))


def codes(values: dict, context: dict | None = None) -> dict[str, str]:
    with pytest.raises(FormInvalid) as err:
        form_rules.check(FORM, values, context)
    return {e.field: e.code for e in err.value.errors}


def test_an_end_before_its_start_is_refused_next_to_the_end() -> None:
    assert codes({"start": "2027-03-01", "end": "2027-02-28"}) == {"end": "not_before"}
    form_rules.check(FORM, {"start": "2027-03-01", "end": "2027-03-01"})  # same day is fine


def test_extend_needs_a_new_end_date_and_finish_does_not() -> None:
    assert codes({"decision": "extend", "new_end": None}) == {"new_end": "required_if"}
    form_rules.check(FORM, {"decision": "finish", "new_end": None})


def test_the_other_value_may_come_from_the_case() -> None:
    assert codes({"decision": "extend", "new_end": "2027-05-01"}, {"current_end": "2027-06-30"}) == {
        "new_end": "not_before"}
    form_rules.check(FORM, {"decision": "extend", "new_end": "2027-08-01"}, {"current_end": "2027-06-30"})


def test_lint_names_rules_that_point_nowhere() -> None:
    bad = FormSchema((FormField("a", "date", "A", properties={"turnus:notBefore": "zz"}),
                      FormField("b", "string", "B", properties={"turnus:requiredIf": "qq=1"})))
    found = form_rules.problems(bad)
    assert any("'zz' is not one" in p for p in found) and any("names 'qq'" in p for p in found)
    assert form_rules.problems(FORM) == []
