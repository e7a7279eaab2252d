"""The rotation's duty rules and cross-field rules, walked through the service layer."""

from __future__ import annotations

import pytest

from engine.errors import Forbidden, FormInvalid
from tests.helpers.rotation import DRAFT, EMPLOYEE, MANAGER, SECRETARY, Rotation


def test_the_employee_cannot_be_her_own_manager(rotation: Rotation) -> None:
    with pytest.raises(FormInvalid) as err:
        Rotation(rotation.engine, rotation.clock).start(manager=EMPLOYEE)
    assert {e.field: e.code for e in err.value.errors} == {"manager": "user_self"}
    with pytest.raises(FormInvalid) as err:
        Rotation(rotation.engine, rotation.clock).start(manager=SECRETARY)  # not in group leder
    assert {e.field: e.code for e in err.value.errors} == {"manager": "user_not_member"}


def test_the_manager_cannot_hand_the_approval_to_the_employee(rotation: Rotation) -> None:
    rotation.theme_approved()
    rotation.do("draft_agreement", DRAFT)
    [approval] = rotation.tasks("approve_agreement_manager")
    with pytest.raises(Forbidden, match="they started this case"):
        rotation.engine.assign(approval.id, MANAGER, EMPLOYEE)
    assert rotation.tasks("approve_agreement_manager")[0].assignee == MANAGER


def test_the_secretariat_cannot_hand_the_qualification_to_the_proposer(rotation: Rotation) -> None:
    [task] = rotation.tasks("qualify_theme")
    rotation.engine.claim(task.id, SECRETARY)
    with pytest.raises(Forbidden):
        rotation.engine.assign(task.id, SECRETARY, EMPLOYEE)


def test_an_agreement_ending_before_it_starts_is_refused(rotation: Rotation) -> None:
    rotation.theme_approved()
    with pytest.raises(FormInvalid) as err:
        rotation.do("draft_agreement", {**DRAFT, "end_date": "2027-02-01"})
    assert {e.field: e.code for e in err.value.errors} == {"end_date": "not_before"}
    assert rotation.open() == ["draft_agreement"]  # nothing was sent to the approvers


def test_extend_without_a_new_end_date_is_refused(rotation: Rotation) -> None:
    rotation.in_period()
    rotation.at("2027-06-16T08:30+02:00")
    with pytest.raises(FormInvalid) as err:
        rotation.do("decide_extension", extension_decision="extend", extension_reason="Mere tid.")
    assert {e.field: e.code for e in err.value.errors} == {"extension_end_date": "required_if"}
    with pytest.raises(FormInvalid) as err:
        rotation.do("decide_extension", extension_decision="extend", extension_end_date="2027-05-01",
                    extension_reason="Mere tid.")
    assert {e.field: e.code for e in err.value.errors} == {"extension_end_date": "not_before"}
    assert "decide_extension" in rotation.open()
