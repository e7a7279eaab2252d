"""Auditors' tools on a real database: exports that round-trip, XES that validates and reads back, a signed
digest that finds recomputed chains and deleted cases, the live-state check, the access log and its retention."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select, update

from engine.audit import event_hash, export
from engine.audit.search import CaseFilter
from engine.clock import FixedClock
from engine.config import Settings
from engine.errors import Forbidden, InvalidInput
from engine.service import Engine
from engine.store.tables import case_events, case_state_tasks, cases, tasks
from tests.helpers.support import REQUEST, erase_case

XSD = Path(__file__).resolve().parents[1] / "fixtures" / "xes" / "xes-ieee-1849.xsd"


@pytest.fixture
def keyed(review: Engine, tmp_path: Path) -> Engine:
    key = tmp_path / "audit.key"
    key.write_bytes(b"k" * 32)
    review.settings = Settings(database_url=review.settings.database_url, audit_key_file=str(key))
    return review


def _case(engine: Engine, title: str = "New chairs") -> str:
    cid = engine.start("review", "rita", {**REQUEST, "title": title})
    [task] = [t for t in engine.tasks_for("ralf") if t.case_id == cid]
    engine.claim(task.id, "ralf")
    engine.complete(task.id, "ralf", {"decision": "approve", "reason": "Fits the budget"})
    return cid


def _recompute_chain(engine: Engine, case_id: str, seq: int, new_payload: str) -> None:
    """What an attacker with write access does: edit one event, recompute every later hash, re-anchor."""
    with engine.db.begin() as conn:
        rows = list(conn.execute(select(case_events).where(case_events.c.case_id == case_id)
                                 .order_by(case_events.c.seq)))
        prev = rows[0].prev_hash
        for r in rows:
            payload = new_payload if r.seq == seq else r.payload_json
            h = event_hash(prev, r.case_id, r.seq, r.at, r.actor, r.kind, r.element_id, r.task_id, payload,
                           r.version_id)
            conn.execute(update(case_events).where(case_events.c.case_id == case_id, case_events.c.seq == r.seq)
                         .values(payload_json=payload, prev_hash=prev, hash=h))
            prev = h
        conn.execute(update(cases).where(cases.c.id == case_id).values(last_event_hash=prev))


def test_json_export_round_trips_to_the_same_events_and_detects_edits(review: Engine) -> None:
    cid = _case(review)
    text = review.export_case(cid, "audrey", "json")
    case, events = export.load_json(text)
    with review.db.connect() as conn:
        stored = [dict(r._mapping) for r in conn.execute(select(case_events).where(case_events.c.case_id == cid)
                                                         .order_by(case_events.c.seq))]
    assert events == stored
    assert export.verify_events(case, events) is None
    assert case["definition"]["key"] == "review" and case["definition"]["version"] == 1
    doc = json.loads(text)
    doc["events"][2]["actor"] = "mallory"
    case2, events2 = export.load_json(json.dumps(doc))
    failure = export.verify_events(case2, events2)
    assert failure is not None and failure.seq == 3
    with pytest.raises(InvalidInput, match="Not a Turnus case export"):
        export.load_json('{"format": "other"}')


def test_csv_has_one_row_per_event(review: Engine) -> None:
    cid = _case(review)
    lines = review.export_case(cid, "audrey", "csv").strip().splitlines()
    assert lines[0].startswith("case_id,seq,at_utc,actor,kind")
    assert len(lines) - 1 == len(review.history(cid, None))
    assert any(",ralf,task_completed," in line for line in lines)


def test_xes_validates_against_the_schema_and_pm4py_reads_it_back(review: Engine, tmp_path: Path) -> None:
    first, second = _case(review, "One"), _case(review, "Two")
    out = io.BytesIO()
    assert review.export_xes(out, "audrey", key="review") == 2
    doc = etree.fromstring(out.getvalue())
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(doc), schema.error_log
    path = tmp_path / "log.xes"
    path.write_bytes(out.getvalue())
    pm4py = pytest.importorskip("pm4py")
    log = pm4py.read_xes(str(path))
    assert set(log["case:concept:name"]) == {first, second}
    one = log[log["case:concept:name"] == first]
    per_case = len([e for e in review.history(first, None) if e.kind in (
        "task_created", "task_completed", "gateway_taken", "end_reached", "case_started", "timer_fired",
        "decision_evaluated", "script_run")])
    assert len(one) == per_case
    done = one[one["lifecycle:transition"] == "complete"]
    assert "ralf" in set(done["org:resource"])


def test_verify_finds_an_edited_event(review: Engine) -> None:
    cid = _case(review)
    with review.db.begin() as conn:
        conn.execute(update(case_events).where(case_events.c.case_id == cid, case_events.c.seq == 2)
                     .values(actor="mallory"))
    [failure] = review.verify(cid)
    assert failure.seq == 2 and "changed" in failure.problem


def test_digest_finds_a_recomputed_chain_and_a_deleted_case(keyed: Engine) -> None:
    kept, rewritten, deleted = _case(keyed, "Kept"), _case(keyed, "Rewritten"), _case(keyed, "Deleted")
    text = json.dumps(keyed.make_digest())
    assert keyed.verify_against(text) == []
    _recompute_chain(keyed, rewritten, 2, '{"forged":true}')
    with keyed.db.begin() as conn:
        erase_case(conn, deleted)
    assert keyed.verify() == [], "the chain alone cannot see these"
    failures = {f.case_id: f for f in keyed.verify_against(text)}
    assert set(failures) == {rewritten, deleted}
    assert "rewritten" in failures[rewritten].problem
    assert "deleted" in failures[deleted].problem
    assert kept not in failures
    forged = json.loads(text)
    forged["heads"].pop(deleted)
    with pytest.raises(InvalidInput, match="signature does not match"):
        keyed.verify_against(json.dumps(forged))


def test_digest_refuses_without_a_key(review: Engine) -> None:
    review.settings = Settings(database_url=review.settings.database_url, audit_key_file=None)
    with pytest.raises(InvalidInput, match="TURNUS_AUDIT_KEY_FILE"):
        review.make_digest()


def test_live_state_check_finds_an_edited_decision_and_a_reassigned_task(review: Engine) -> None:
    cid = _case(review)
    other = review.start("review", "rita", {**REQUEST, "title": "Desks"})
    assert review.check_live_state() == []
    with review.db.begin() as conn:
        for r in conn.execute(select(case_state_tasks).where(case_state_tasks.c.case_id == cid)).all():
            if '"Fits the budget"' in r.body_json:
                conn.execute(update(case_state_tasks).where(case_state_tasks.c.case_id == cid,
                                                            case_state_tasks.c.task_id == r.task_id)
                             .values(body_json=r.body_json.replace("Fits the budget", "Too expensive")))
        conn.execute(update(tasks).where(tasks.c.case_id == other).values(assignee="olga"))
    problems = review.check_live_state()
    assert any(cid in p and "'reason'" in p and "Too expensive" in p for p in problems), problems
    assert any(other in p and "olga" in p for p in problems), problems
    assert review.verify() == [], "the chain is untouched: only the live-state check sees this"


def test_reads_searches_and_exports_are_logged_and_expire(review: Engine, clock: FixedClock) -> None:
    cid = _case(review)
    review.case(cid, "audrey", purpose="internal audit 2027")
    hits, total = review.audit_search("audrey", CaseFilter(participant="ralf"), purpose="internal audit 2027")
    assert total == 1 and hits[0].id == cid
    review.export_case(cid, "audrey", "json", purpose="internal audit 2027")
    review.export_xes(io.BytesIO(), "audrey", purpose="process mining 2027")
    entries, _ = review.access_log("audrey", actor="audrey")
    actions = {e.action for e in entries}
    assert {"read_case", "search_cases", "export_case_json", "export_xes"} <= actions
    assert all(e.purpose for e in entries)
    assert [e.subject for e in entries if e.action == "export_case_json"] == ["rita"]
    about = review.my_data("rita")["accesses"]
    assert {"read_case", "export_case_json"} <= {a["action"] for a in about}
    assert all("audrey" not in json.dumps(a, default=str) for a in about), "no colleague's name"
    clock.set(clock.now() + timedelta(days=184))
    events_before = len(review.history(cid, None))
    assert review.purge_access_log() >= 4
    entries, _ = review.access_log(None, actor="audrey")
    assert entries == []
    purges, _ = review.access_log(None, action="purge_access_log")
    assert len(purges) == 1 and "retention of 183 days" in purges[0].purpose
    assert len(review.history(cid, None)) == events_before, "retention never touches case history"


def test_only_auditors_and_admins_search_export_and_read_the_access_log(review: Engine) -> None:
    cid = _case(review)
    for call in (lambda: review.audit_search("rita", CaseFilter()), lambda: review.export_case(cid, "ralf"),
                 lambda: review.access_log("rita"), lambda: review.export_xes(io.BytesIO(), "olga")):
        with pytest.raises(Forbidden):
            call()
    assert review.audit_search("admin", CaseFilter(text="chair"))[1] == 1


def test_search_filters_and_paginates_in_the_database(review: Engine, clock: FixedClock) -> None:
    ids = []
    for i in range(7):
        clock.set(clock.now() + timedelta(days=1))
        ids.append(review.start("review", "rita", {**REQUEST, "title": f"Case {i} 100%_done"}))
    page1, total = review.audit_search("audrey", CaseFilter(status="running", key="review", version=1),
                                       page=1, page_size=3)
    page3, _ = review.audit_search("audrey", CaseFilter(status="running"), page=3, page_size=3)
    assert total == 7 and [h.id for h in page1] == ids[::-1][:3] and [h.id for h in page3] == [ids[0]]
    assert review.audit_search("audrey", CaseFilter(text="100%_"))[1] == 7
    assert review.audit_search("audrey", CaseFilter(text="x%"))[1] == 0
    step = page1[0].open_steps[0]
    assert review.audit_search("audrey", CaseFilter(step=step))[1] == 7
    assert review.audit_search("audrey", CaseFilter(step="no such step"))[1] == 0
    assert review.audit_search("audrey", CaseFilter(status="completed"))[1] == 0


def test_search_by_participant_pages_newest_first_alone_and_with_other_filters(review: Engine,
                                                                                clock: FixedClock) -> None:
    ids = []
    for i in range(5):
        clock.set(clock.now() + timedelta(days=1))
        ids.append(review.start("review", "rita", {**REQUEST, "title": f"Case {i}"}))
    review.start("review", "olga", {**REQUEST, "title": "Not Rita's"})
    task = next(t for t in review.case(ids[1], None).open_tasks)
    review.claim(task.id, "ralf")
    review.complete(task.id, "ralf", {"decision": "reject"})  # case 1 is completed
    pages = [review.audit_search("audrey", CaseFilter(participant="rita"), page=n, page_size=2) for n in (1, 2, 3)]
    assert [total for _, total in pages] == [5, 5, 5]
    assert [h.id for hits, _ in pages for h in hits] == ids[::-1]
    running, total = review.audit_search("audrey", CaseFilter(participant="rita", status="running"), page_size=2)
    assert total == 4 and [h.id for h in running] == [ids[4], ids[3]]
    done, total = review.audit_search("audrey", CaseFilter(participant="ralf", status="completed"))
    assert total == 1 and [h.id for h in done] == [ids[1]]
    assert review.audit_search("audrey", CaseFilter(participant="nobody"))[1] == 0
