"""The case data kept in ``cases.data_json`` is the stored workflow's, and readers use it (issue 11).

Reading a case (its page, `turnus case show`) no longer restores the workflow when the column is written;
every command that runs the workflow writes it in its own transaction, and `case verify` compares it with
the restored state.
"""

from __future__ import annotations

import json

from sqlalchemy import select, update

from engine.cases import live
from engine.service import Engine
from engine.store.tables import cases
from tests.helpers.support import REQUEST


def _column(engine: Engine, case_id: str) -> str | None:
    with engine.db.connect() as conn:
        return conn.execute(select(cases.c.data_json).where(cases.c.id == case_id)).scalar_one()


def _restored_data(engine: Engine, case_id: str) -> dict[str, object]:
    with engine.db.connect() as conn:
        row = conn.execute(select(cases).where(cases.c.id == case_id)).one()
        return live.case_data(live.load(conn, row, engine.versions.get(conn, row.version_id), row.started_at).wf)


def _set_column(engine: Engine, case_id: str, value: str | None) -> None:
    with engine.db.begin() as conn:  # behind the engine's back
        conn.execute(update(cases).where(cases.c.id == case_id).values(data_json=value))


def test_every_command_writes_the_data_readers_see(review: Engine) -> None:
    case_id = review.start("review", "rita", REQUEST)
    assert json.loads(_column(review, case_id) or "null") == _restored_data(review, case_id)
    assert review.case(case_id, "rita").data["title"] == "New chairs"
    task = next(t.id for t in review.case(case_id, None).open_tasks if t.element_id == "review_task")
    review.complete(task, "ralf", {"decision": "approve"})
    after = _restored_data(review, case_id)
    assert after["decision"] == "approve"
    assert json.loads(_column(review, case_id) or "null") == after == review.case(case_id, "rita").data
    review.set_data(case_id, "admin", {"amount": 250}, "Wrong amount on the request")
    assert review.case(case_id, "rita").data["amount"] == 250 == _restored_data(review, case_id)["amount"]
    review.cancel(case_id, "admin", "withdrawn")
    assert json.loads(_column(review, case_id) or "null") == _restored_data(review, case_id)
    assert review.verify(case_id) == []


def test_a_case_written_before_the_column_is_read_from_its_state_and_written_by_its_next_command(
        review: Engine) -> None:
    case_id = review.start("review", "rita", REQUEST)
    _set_column(review, case_id, None)  # as migration 0008 leaves every existing case
    assert review.case(case_id, "rita").data == _restored_data(review, case_id)
    assert review.verify(case_id) == []
    task = next(t.id for t in review.case(case_id, None).open_tasks if t.element_id == "review_task")
    review.complete(task, "ralf", {"decision": "reject"})
    assert json.loads(_column(review, case_id) or "null")["decision"] == "reject"


def test_verify_names_a_column_that_differs_from_the_state(review: Engine) -> None:
    case_id = review.start("review", "rita", REQUEST)
    forged = {**_restored_data(review, case_id), "amount": 1}
    _set_column(review, case_id, json.dumps(forged, sort_keys=True))
    assert review.case(case_id, "rita").data["amount"] == 1  # what a reader would be shown...
    assert [f.reason for f in review.check_live_state(case_id)] == ["case_data_projection_differs"]  # ...is caught


def test_data_json_will_not_hold_what_json_would_give_back_changed(review: Engine) -> None:
    case_id = review.start("review", "rita", REQUEST)
    with review.db.connect() as conn:
        row = conn.execute(select(cases).where(cases.c.id == case_id)).one()
        wf = live.load(conn, row, review.versions.get(conn, row.version_id), row.started_at).wf
    assert live.data_json(live.case_data(wf)) is not None
    ready = next(t for t in wf.get_tasks() if t.task_spec.name == "review_task")
    for odd in ((1, 2), {1: "a"}, float("nan")):  # a tuple, a number as a key, NaN
        ready.data["odd"] = odd
        assert live.data_json(live.case_data(wf)) is None, odd
