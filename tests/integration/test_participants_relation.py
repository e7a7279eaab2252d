"""The open-candidates and case-participants relations agree with the tasks after every command (issue 11).

The group list, My cases and who may read a case are read from these relations; each test checks both the
relation (``relations.disagreements``, the check `case verify` runs) and what a person sees.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from sqlalchemy import delete, insert, select, update

from engine.audit.search import CaseFilter
from engine.cases import queries, relations
from engine.clock import FixedClock
from engine.service import Engine
from engine.store import schema
from engine.store.tables import case_participants, open_candidates, tasks
from tests.helpers.support import PROCESSES, REQUEST


def _agrees(engine: Engine, case_id: str) -> None:
    with engine.db.connect() as conn:
        assert relations.disagreements(conn, case_id) == []


def _my_cases(engine: Engine, who: str, **kw: Any) -> list[str]:
    return [c.id for c in engine.cases_for(who, **kw)]


def _group_list(engine: Engine, who: str) -> list[str]:
    return [t.id for t in engine.inbox(who, view="group").tasks]


def _review_task(engine: Engine, case_id: str) -> str:
    return next(t.id for t in engine.case(case_id, None).open_tasks if t.element_id == "review_task")


def test_claim_release_assign_complete_and_cancel_keep_both_relations_true(review: Engine) -> None:
    case_id = review.start("review", "rita", REQUEST)
    task = _review_task(review, case_id)
    _agrees(review, case_id)
    assert _group_list(review, "ralf") == [task] and _group_list(review, "rosa") == [task]
    assert _my_cases(review, "ralf") == [case_id] and _my_cases(review, "olga") == []
    for step in (lambda: review.claim(task, "ralf"), lambda: review.release(task, "ralf"),
                 lambda: review.assign(task, "admin", "rosa"), lambda: review.assign(task, "admin", "ralf")):
        step()
        _agrees(review, case_id)  # e.g. rosa stops being a participant as a person once the task is ralf's
        assert _group_list(review, "rosa") == [task]  # claimed or not, the group still sees its task
    review.complete(task, "ralf", {"decision": "approve"})
    _agrees(review, case_id)
    assert _group_list(review, "rosa") == [] and _group_list(review, "ralf") == []
    assert _my_cases(review, "ralf") == [case_id]  # ralf did a step: still his case
    ack = next(t.id for t in review.case(case_id, None).open_tasks)
    assert [t.id for t in review.inbox("rita", view="mine").tasks] == [ack]
    review.cancel(case_id, "admin", "withdrawn")
    _agrees(review, case_id)
    assert review.inbox("rita").counts == {"mine": 0, "group": 0}
    assert _my_cases(review, "rita") == [case_id] and _my_cases(review, "rosa") == [case_id]


def test_a_migration_moves_the_group_list_and_my_cases_to_the_new_candidates(review: Engine) -> None:
    review.add_user("paula", roles=["process-owner"])
    review.add_user("anna", groups=["approvers"])
    case_id = review.start("review", "rita", REQUEST)
    task = _review_task(review, case_id)
    review.claim(task, "ralf")
    v2 = (PROCESSES / "review.bpmn").read_bytes().replace(b'camunda:candidateGroups="reviewers"',
                                                          b'camunda:candidateGroups="approvers"')
    assert [r.status for r in review.deploy_files({"review.bpmn": v2}, "paula")] == ["new"]
    review.migrate("review", 2, "paula")
    _agrees(review, case_id)
    assert _group_list(review, "anna") == [task] and _group_list(review, "rosa") == []
    assert _my_cases(review, "anna") == [case_id]
    assert _my_cases(review, "rosa") == []  # the reviewers group no longer takes part
    assert _my_cases(review, "ralf") == [case_id]  # his claim stays across the migration


def test_my_cases_are_the_newest_of_a_status_for_people_in_many_and_in_few(review: Engine,
                                                                         clock: FixedClock) -> None:
    started = []
    for n in range(6):
        clock.set(clock.now() + timedelta(minutes=1))
        started.append(review.start("review", "rita" if n % 2 else "olga", {**REQUEST, "title": f"Case {n}"}))
    review.cancel(started[0], "admin", "no")
    review.cancel(started[3], "admin", "no")
    newest = list(reversed(started))
    with review.db.connect() as conn:
        def mine(who: str, **kw: Any) -> list[str]:
            return [c.id for c in queries.cases_for(conn, review.user(who), **kw)]

        assert mine("ralf", limit=3) == newest[:3]  # every case, through the reviewers group
        assert mine("ralf", status="cancelled") == [started[3], started[0]]
        assert mine("rita") == [started[5], started[3], started[1]]  # only the ones she started
        assert mine("rita", status="cancelled", limit=1) == [started[3]]
        assert mine("olga", status="running") == [started[4], started[2]]


def _relation_rows(engine: Engine) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    with engine.db.connect() as conn:
        return ({tuple(r) for r in conn.execute(select(case_participants))},
                {tuple(r) for r in conn.execute(select(open_candidates))})


def test_the_schema_migration_fills_both_relations_from_existing_cases(review: Engine) -> None:
    done = review.start("review", "rita", REQUEST)
    review.complete(_review_task(review, done), "rosa", {"decision": "approve"})
    waiting = review.start("review", "rita", REQUEST)
    review.claim(_review_task(review, waiting), "ralf")
    kept = _relation_rows(review)
    assert kept[0] and kept[1]
    cfg = schema.alembic_config(review.db)
    command.downgrade(cfg, "0006_read_indexes")  # the schema before the relations existed
    command.upgrade(cfg, "head")
    assert _relation_rows(review) == kept
    with review.db.connect() as conn:  # and every task carries its case's title again, to sort by it
        assert set(conn.execute(select(tasks.c.case_title)).scalars()) == {REQUEST["title"]}
    _agrees(review, done)
    _agrees(review, waiting)


def test_the_auditors_participant_search_reads_the_relation(review: Engine) -> None:
    claimed = review.start("review", "rita", REQUEST)
    review.claim(_review_task(review, claimed), "ralf")
    done = review.start("review", "olga", REQUEST)
    review.complete(_review_task(review, done), "rosa", {"decision": "reject"})
    released = review.start("review", "olga", REQUEST)
    task = _review_task(review, released)
    review.claim(task, "ralf")
    review.release(task, "ralf")

    def found(who: str) -> set[str]:
        hits, total = review.audit_search("audrey", CaseFilter(participant=who), purpose="test")
        assert total == len(hits)
        return {h.id for h in hits}

    assert found("rita") == {claimed}  # started it
    assert found("ralf") == {claimed}  # holds its task; the claim he gave back ties him to nothing
    assert found("rosa") == {done}  # completed a step
    assert found("olga") == {done, released}
    assert found("nobody") == set()


def test_verify_names_each_relation_that_disagrees_with_the_tasks(review: Engine) -> None:
    case_id = review.start("review", "rita", REQUEST)
    task = _review_task(review, case_id)
    with review.db.begin() as conn:  # edited behind the engine's back
        conn.execute(delete(open_candidates).where(open_candidates.c.task_id == task))
        conn.execute(insert(open_candidates).values(task_id=task, kind="user", name="olga"))
        conn.execute(delete(case_participants).where(case_participants.c.case_id == case_id,
                                                     case_participants.c.name == "rita"))
        conn.execute(insert(case_participants).values(case_id=case_id, kind="user", name="olga",
                                                      started_at=datetime(2027, 1, 4, tzinfo=UTC)))
        conn.execute(update(tasks).where(tasks.c.id == task).values(case_title="Forged"))
    found = {f.reason for f in review.check_live_state(case_id)}
    assert found == {"participant_missing", "participant_extra", "open_candidate_missing", "open_candidate_extra",
                     "task_title_differs"}
    assert _group_list(review, "olga") == [task] and _group_list(review, "ralf") == []  # what verify warns of
