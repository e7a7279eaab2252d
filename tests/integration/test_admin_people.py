"""Users in the operator's console: a disabled user cannot sign in or act, their sessions end, their open
personal tasks are listed for hand-over; enabling brings them back; both changes in the administrators' log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.service import Engine
from tests.helpers.support import REQUEST


def test_disable_ends_sign_in_and_lists_tasks_to_hand_over(review: Engine) -> None:
    case_id = review.start("review", "rita", REQUEST)
    [task] = [t for t in review.tasks_for("ralf") if t.case_id == case_id]
    review.claim(task.id, "ralf")
    review.add_user("ralf", password_hash="x")
    token = review.open_session("ralf", timedelta(hours=12))
    assert review.session_user(token, timedelta(hours=1), timedelta(hours=12)) == "ralf"
    assert [u.name for u in review.user_search("admin", "ral")] == ["ralf"]
    with pytest.raises(InvalidInput):
        review.set_user_active("ralf", False, "admin", "")
    with pytest.raises(Forbidden):
        review.set_user_active("ralf", False, "rita", "no")
    with pytest.raises(Conflict):
        review.set_user_active("admin", False, "admin", "myself")
    with pytest.raises(NotFound):
        review.set_user_active("ghost", False, "admin", "typo")
    review.set_user_active("ralf", False, "admin", "Left the municipality")
    assert review.password_hash("ralf") is None  # the sign-in finds no password to check
    assert review.session_user(token, timedelta(hours=1), timedelta(hours=12)) is None
    with pytest.raises(NotFound):
        review.claim(task.id, "ralf")
    [row] = review.user_search("admin", "ralf")
    assert not row.active and row.groups == ("reviewers",)
    assert [t.id for t in review.open_personal_tasks("admin", "ralf")] == [task.id]
    review.set_user_active("ralf", True, "admin", "Came back")
    with pytest.raises(Conflict):
        review.set_user_active("ralf", True, "admin", "twice")
    log = review.admin_log("audrey", "user:")
    assert [(e.action, e.reason, e.details["open_tasks"]) for e in log] == [
        ("user_enabled", "Came back", [task.id]), ("user_disabled", "Left the municipality", [task.id])]
