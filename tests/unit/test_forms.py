"""FormSchema.validate: coercion per type, constraints, unknown/readonly fields, drafts, error collection."""

from __future__ import annotations

from typing import Any

import pytest

from engine.errors import FieldError, FormInvalid
from engine.forms import FormField, FormSchema, Option

HOURS = FormField("hours", "long", "Hours per week", min=0, max=60, required=True)
NAME = FormField("name", "string", "Name", minlength=2, maxlength=5)
OK = FormField("ok", "boolean", "Approved")
DAY = FormField("day", "date", "First day", min="2027-01-01", max="2027-12-31")
KIND = FormField("kind", "enum", "Kind", options=(Option("vac", "Vacation"), Option("sick", "Sick leave")))
REF = FormField("ref", "string", "Reference", default="A-1", readonly=True)
SCHEMA = FormSchema((HOURS, NAME, OK, DAY, KIND, REF))


def errors_of(schema: FormSchema, submission: dict[str, Any], **kw: Any) -> list[FieldError]:
    with pytest.raises(FormInvalid) as info:
        schema.validate(submission, **kw)
    return info.value.errors


def one(field: FormField, value: Any) -> Any:
    return FormSchema((field,)).validate({field.id: value})[field.id]


def one_error(field: FormField, value: Any) -> FieldError:
    (error,) = errors_of(FormSchema((field,)), {field.id: value})
    return error


@pytest.mark.parametrize("raw, expected", [(12, 12), ("12", 12), (" 7 ", 7), ("-3", -3), (0, 0)])
def test_long_coerces_ints_and_numeric_strings(raw: Any, expected: int) -> None:
    assert one(FormField("n", "long", "N"), raw) == expected


@pytest.mark.parametrize("raw", [1.5, "1.5", "abc", True, False, [1], "1e3"])
def test_long_refuses_fractions_text_and_booleans(raw: Any) -> None:
    error = one_error(FormField("n", "long", "Count"), raw)
    assert (error.code, error.message) == ("type", "Count must be a whole number")


@pytest.mark.parametrize(
    "raw, expected",
    [(True, True), (False, False), ("true", True), ("false", False), ("on", True), ("1", True),
     ("0", False), ("TRUE", True), (1, True), (0, False)],
)
def test_boolean_coercion(raw: Any, expected: bool) -> None:
    assert one(OK, raw) is expected


def test_absent_checkbox_is_false() -> None:
    assert FormSchema((OK,)).validate({}) == {"ok": False}


@pytest.mark.parametrize("raw", ["maybe", 2, 0.5])
def test_boolean_refuses_other_values(raw: Any) -> None:
    assert one_error(OK, raw).code == "type"


@pytest.mark.parametrize(
    "raw, expected",
    [("2027-05-01", "2027-05-01"), ("1.5.2027", "2027-05-01"), ("01.05.2027", "2027-05-01"),
     ("31.12.2027", "2027-12-31")],
)
def test_date_accepts_iso_and_danish(raw: str, expected: str) -> None:
    assert one(DAY, raw) == expected


@pytest.mark.parametrize("raw", ["2027-02-30", "30.2.2027", "2027/05/01", "May 1", 20270501])
def test_date_refuses_impossible_or_foreign_formats(raw: Any) -> None:
    error = one_error(DAY, raw)
    assert error.code == "type" and error.message.startswith("First day must be")


def test_enum_accepts_option_ids_only() -> None:
    assert one(KIND, "sick") == "sick"
    error = one_error(KIND, "Sick leave")
    assert error.code == "enum"
    assert error.message == "Kind must be one of: Vacation, Sick leave"
    assert error.params == {"options": ["vac", "sick"]}


def test_string_is_kept_as_typed_and_must_be_text() -> None:
    assert one(FormField("s", "string", "S"), "  spaced ") == "  spaced "
    assert one_error(FormField("s", "string", "S"), 5).code == "type"


def test_custom_type_is_validated_as_string() -> None:
    assert one(FormField("s", "email", "Mail", maxlength=3), "abc") == "abc"
    assert one_error(FormField("s", "email", "Mail", maxlength=3), "abcd").code == "maxlength"


def test_min_and_max_on_numbers_name_the_label() -> None:
    low = one_error(HOURS, "-1")
    assert (low.code, low.message, low.params) == ("min", "Hours per week must be at least 0", {"min": 0})
    high = one_error(HOURS, 61)
    assert (high.code, high.message) == ("max", "Hours per week must be at most 60")
    assert one(HOURS, 60) == 60


def test_min_and_max_on_dates() -> None:
    assert one_error(DAY, "31.12.2026").message == "First day must be on or after 2027-01-01"
    assert one_error(DAY, "2028-01-01").code == "max"


def test_minlength_and_maxlength() -> None:
    assert one_error(NAME, "A").message == "Name must be at least 2 characters"
    assert one_error(NAME, "Abcdef").message == "Name must be at most 5 characters"
    assert one(NAME, "Abc") == "Abc"


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_required_means_present_and_not_blank(raw: Any) -> None:
    field = FormField("who", "string", "Who", required=True)
    error = one_error(field, raw)
    assert (error.code, error.message) == ("required", "Who is required")


def test_empty_string_of_optional_field_is_none() -> None:
    assert FormSchema((NAME, DAY)).validate({"name": "", "day": ""}) == {"name": None, "day": None}


def test_unknown_fields_are_refused_and_never_returned() -> None:
    errors = errors_of(FormSchema((NAME,)), {"name": "Ann", "is_admin": True})
    assert [(e.field, e.code) for e in errors] == [("is_admin", "unknown")]


def test_readonly_field_may_be_resent_unchanged_but_not_changed() -> None:
    schema = FormSchema((REF, NAME))
    assert schema.validate({"ref": "A-1", "name": "Ann"}) == {"name": "Ann"}
    assert schema.validate({"name": "Ann"}) == {"name": "Ann"}
    (error,) = errors_of(schema, {"ref": "B-2", "name": "Ann"})
    assert (error.field, error.code, error.message) == ("ref", "readonly", "Reference cannot be changed")


def test_readonly_without_default_accepts_only_blank() -> None:
    field = FormField("summary", "string", "Summary", readonly=True)
    assert FormSchema((field,)).validate({"summary": ""}) == {}
    assert one_error(field, "edited").code == "readonly"
    assert hash(FormSchema((field, FormField("w", "string", "W", properties={"a": "b"}))))


def test_readonly_typed_default_compares_after_coercion() -> None:
    field = FormField("n", "long", "N", default=5, readonly=True)
    assert FormSchema((field,)).validate({"n": "5"}) == {}
    assert one_error(field, "6").code == "readonly"


def test_partial_skips_required_but_not_types() -> None:
    assert SCHEMA.validate({"name": "Ann"}, partial=True)["hours"] is None
    errors = errors_of(SCHEMA, {"hours": "many"}, partial=True)
    assert [e.code for e in errors] == ["type"]


def test_all_errors_are_collected_together() -> None:
    errors = errors_of(
        SCHEMA,
        {"name": "A", "ok": "perhaps", "day": "2027-02-30", "kind": "x", "ref": "changed", "extra": 1},
    )
    assert sorted((e.field, e.code) for e in errors) == [
        ("day", "type"), ("extra", "unknown"), ("hours", "required"), ("kind", "enum"),
        ("name", "minlength"), ("ok", "type"), ("ref", "readonly"),
    ]
    assert "Hours per week is required" in str(FormInvalid(errors))


def test_full_result_is_typed_and_has_every_writable_field() -> None:
    result = SCHEMA.validate({"hours": "37", "name": "Ann", "ok": "on", "day": "1.5.2027", "kind": "vac"})
    assert result == {"hours": 37, "name": "Ann", "ok": True, "day": "2027-05-01", "kind": "vac"}


def test_json_round_trip() -> None:
    field = FormField("w", "string", "W", properties={"widget": "textarea"}, maxlength=9)
    schema = FormSchema((*SCHEMA.fields, field))
    assert FormSchema.from_dict(schema.to_dict()) == schema
    assert schema.to_dict()["fields"][4]["options"] == [
        {"id": "vac", "label": "Vacation"}, {"id": "sick", "label": "Sick leave"},
    ]


@pytest.mark.parametrize("raw", ["9" * 5000, 10**30, -(2**63), str(2**63)])
def test_long_refuses_numbers_beyond_64_bits_with_a_field_message(raw: Any) -> None:
    error = one_error(FormField("n", "long", "Count"), raw)
    assert error.field == "n" and "between" in error.message


def test_long_accepts_the_64_bit_extremes() -> None:
    assert one(FormField("n", "long", "N"), str(2**63 - 1)) == 2**63 - 1
    assert one(FormField("n", "long", "N"), -(2**63 - 1)) == -(2**63 - 1)
