"""Segregation of duties and read-only roles, enforced by the engine whatever the client sends."""

from __future__ import annotations

import pytest

from engine.definitions import load_bundles
from engine.errors import Conflict, DefinitionInvalid, Forbidden, FormInvalid, InvalidInput
from engine.service import Engine
from tests.helpers.support import PROCESSES


@pytest.fixture
def duties(engine: Engine) -> Engine:
    engine.deploy_paths([PROCESSES / "duties.bpmn"], actor="system")
    engine.add_user("maja", groups=["managers", "reviewers"], display_name="Maja Manager")  # may request too
    engine.add_user("mads", groups=["managers"])
    engine.add_user("rolf", groups=["reviewers", "managers"])
    engine.add_user("olga")
    engine.add_user("admin", roles=["admin"])
    engine.add_user("audrey", roles=["auditor"], groups=["reviewers", "managers"])
    return engine


def _open(engine: Engine, case_id: str, element_id: str) -> str:
    view = engine.case(case_id, None)
    return next(t.id for t in view.open_tasks if t.element_id == element_id)


def _field_codes(err: pytest.ExceptionInfo[FormInvalid]) -> dict[str, str]:
    return {e.field: e.code for e in err.value.errors}


def test_a_user_field_offers_only_members_and_never_the_requester(duties: Engine) -> None:
    with pytest.raises(FormInvalid) as self_pick:
        duties.start("duties", "maja", {"title": "T", "approver": "maja"})
    assert _field_codes(self_pick) == {"approver": "user_self"}
    with pytest.raises(FormInvalid) as outsider:
        duties.start("duties", "maja", {"title": "T", "approver": "olga"})
    assert _field_codes(outsider) == {"approver": "user_not_member"}
    with pytest.raises(FormInvalid) as auditor:
        duties.start("duties", "maja", {"title": "T", "approver": "audrey"})
    assert _field_codes(auditor) == {"approver": "user_not_member"}
    with pytest.raises(FormInvalid) as nobody:
        duties.start("duties", "maja", {"title": "T", "approver": "nobody"})
    assert _field_codes(nobody) == {"approver": "user_unknown"}
    assert duties.cases_for("maja") == []  # refused starts changed nothing
    assert duties.start("duties", "maja", {"title": "T", "approver": "mads"})


def test_the_requester_cannot_claim_their_own_check(duties: Engine) -> None:
    case_id = duties.start("duties", "maja", {"title": "T", "approver": "mads"})
    task = _open(duties, case_id, "check")
    with pytest.raises(Forbidden, match="You started this case"):
        duties.claim(task, "maja")
    with pytest.raises(Forbidden, match="You started this case"):
        duties.complete(task, "maja", {"checked": True})
    with pytest.raises(Forbidden, match="You started this case"):
        duties.save_draft(task, "maja", {"checked": True})
    duties.claim(task, "rolf")
    with pytest.raises(Forbidden, match="cannot be handed to Maja Manager: they started this case"):
        duties.assign(task, "rolf", "maja")
    with pytest.raises(Forbidden, match="not among those who may work"):
        duties.assign(task, "rolf", "mads")  # not a reviewer
    assert duties.task(task, "rolf").assignee == "rolf"  # refusals changed nothing


def test_whoever_checked_may_not_also_approve(duties: Engine) -> None:
    case_id = duties.start("duties", "maja", {"title": "T", "approver": "mads"})
    check = _open(duties, case_id, "check")
    duties.claim(check, "rolf")
    duties.complete(check, "rolf", {"checked": True})
    approve = _open(duties, case_id, "approve")
    with pytest.raises(Forbidden, match="cannot be handed to rolf: they did an earlier step"):
        duties.assign(approve, "mads", "rolf")
    with pytest.raises(Forbidden, match="cannot be handed to Maja Manager: they started this case"):
        duties.assign(approve, "mads", "maja")
    with pytest.raises(Forbidden, match="read-only role"):
        duties.assign(approve, "mads", "audrey")
    duties.assign(approve, "mads", "olga")  # a task with no candidates may go to anyone not barred
    with pytest.raises(Forbidden):
        duties.assign(approve, "admin", "rolf")  # not even an administrator may hand it to a barred user
    duties.complete(approve, "olga", {"approved": True})
    assert duties.case(case_id, None).status == "completed"


def test_an_assignee_who_is_barred_cannot_complete(duties: Engine) -> None:
    """The data named an approver the rule bars (here: the checker); the engine still refuses."""
    case_id = duties.start("duties", "maja", {"title": "T", "approver": "rolf"})
    check = _open(duties, case_id, "check")
    duties.claim(check, "rolf")
    duties.complete(check, "rolf", {"checked": True})
    approve = _open(duties, case_id, "approve")
    with pytest.raises(Forbidden, match="earlier step of this case"):
        duties.complete(approve, "rolf", {"approved": True})
    duties.assign(approve, "admin", "mads")
    duties.complete(approve, "mads", {"approved": True})


def test_a_task_with_no_candidates_cannot_be_given_back(duties: Engine) -> None:
    case_id = duties.start("duties", "maja", {"title": "T", "approver": "mads"})
    check = _open(duties, case_id, "check")
    duties.claim(check, "rolf")
    duties.complete(check, "rolf", {"checked": True})
    approve = _open(duties, case_id, "approve")
    with pytest.raises(Conflict, match="no group or candidates to give it back to"):
        duties.release(approve, "mads")
    assert duties.tasks_for("mads")[0].id == approve


@pytest.mark.parametrize("command", ["start", "comment", "claim", "release", "assign", "assign_to", "complete",
                                     "draft", "cancel", "retry", "attach"])
def test_a_read_only_role_changes_nothing(duties: Engine, command: str) -> None:
    from engine import attachments

    case_id = duties.start("duties", "maja", {"title": "T", "approver": "mads"})
    check = _open(duties, case_id, "check")
    if command in ("release", "assign"):
        duties.claim(check, "rolf")
    before = [e.kind for e in duties.history(case_id, None)]
    run = {
        "start": lambda: duties.start("duties", "audrey", {"title": "T", "approver": "mads"}),
        "comment": lambda: duties.comment(case_id, "audrey", "looks fine"),
        "claim": lambda: duties.claim(check, "audrey"),
        "release": lambda: duties.release(check, "audrey"),
        "assign": lambda: duties.assign(check, "audrey", "maja"),
        "assign_to": lambda: duties.assign(check, "maja", "audrey"),
        "complete": lambda: duties.complete(check, "audrey", {"checked": True}),
        "draft": lambda: duties.save_draft(check, "audrey", {"checked": True}),
        "cancel": lambda: duties.cancel(case_id, "audrey", "no"),
        "retry": lambda: duties.retry(case_id, "audrey"),
        "attach": lambda: attachments.store(duties, "audrey", "a.txt", b"hello", task_id=check),
    }[command]
    with pytest.raises((Forbidden, InvalidInput)):
        run()
    assert [e.kind for e in duties.history(case_id, None)] == before
    assert [c.started_by for c in duties.cases_for("maja")] == ["maja"]  # no case started by the auditor


def test_lint_refuses_unknown_rules_and_unknown_tasks() -> None:
    xml = (PROCESSES / "duties.bpmn").read_bytes()
    bad = xml.replace(b'value="initiator, completerOf:check"', b'value="boss, completerOf:nowhere"')
    with pytest.raises(DefinitionInvalid) as err:
        load_bundles({"duties.bpmn": bad})
    text = "\n".join(str(p) for p in err.value.problems)
    assert "turnus:notBy 'boss': unknown rule" in text
    assert "turnus:notBy 'completerOf:nowhere': there is no user task with id 'nowhere'" in text
