"""Cloning a few real rotation cases into 100,000, for the web and API benchmarks."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select, update

from engine.service import Engine
from engine.store.tables import (
    case_events,
    case_state,
    case_state_tasks,
    cases,
    task_candidates,
    tasks,
)
from tests.helpers.bench import fill_relations

EMPLOYEES = 200


THEME = {"theme_title": "Tema", "problem_description": "p", "local_relevance": "l", "expected_product": "e",
         "network_type": "laering", "scope": "medium", "urgency": "normal", "manager": "lars"}


AGREEMENT = {"agreement_purpose": "a", "agreement_form": "b", "start_date": "2027-05-03", "end_date": "2027-10-29",
             "hours_per_week": 15, "placement": "p", "competence_goals": "c", "deliverable_description": "d",
             "dissemination_role": "r"}


def open_task(engine: Engine, case_id: str) -> str:
    return engine.case(case_id, None).open_tasks[0].id


def templates(engine: Engine) -> dict[str, str]:
    """One real case per phase: waiting on the secretariat, the leadership team, the employee, the approvers."""
    out = {}
    out["qualify"] = engine.start("netvaerksturnus", "emma", THEME)
    out["decide"] = engine.start("netvaerksturnus", "emma", THEME)
    engine.complete(open_task(engine, out["decide"]), "sara",
                    {"qualification_comment": "ok", "qualification_recommendation": "approve"})
    out["draft"] = engine.start("netvaerksturnus", "emma", THEME)
    for case_id in (out["draft"],):
        engine.complete(open_task(engine, case_id), "sara",
                        {"qualification_comment": "ok", "qualification_recommendation": "approve"})
        engine.complete(open_task(engine, case_id), "lene", {"theme_decision": "approved",
                                                             "theme_decision_reason": "godt"})
    out["approve"] = engine.start("netvaerksturnus", "emma", THEME)
    engine.complete(open_task(engine, out["approve"]), "sara",
                    {"qualification_comment": "ok", "qualification_recommendation": "approve"})
    engine.complete(open_task(engine, out["approve"]), "lene", {"theme_decision": "approved",
                                                                "theme_decision_reason": "godt"})
    engine.complete(open_task(engine, out["approve"]), "emma", AGREEMENT)
    return out


def rows(conn: Any, table: Any, case_id: str) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(select(table).where(table.c.case_id == case_id))]


def clone(engine: Engine, template_ids: dict[str, str], total_cases: int, total_events: int, open_cases: int) -> None:
    """Copy the template cases' rows until there are ``total_cases`` cases and ``total_events`` events."""
    with engine.db.begin() as conn:
        source = {}
        for phase, case_id in template_ids.items():
            source[phase] = {
                "case": dict(conn.execute(select(cases).where(cases.c.id == case_id)).first()._mapping),
                "state": rows(conn, case_state, case_id), "state_tasks": rows(conn, case_state_tasks, case_id),
                "tasks": rows(conn, tasks, case_id), "events": rows(conn, case_events, case_id),
                "candidates": [dict(r._mapping) for r in conn.execute(select(task_candidates).where(
                    task_candidates.c.task_id.in_([t.id for t in conn.execute(
                        select(tasks.c.id).where(tasks.c.case_id == case_id))])))],
            }
        existing_events = conn.execute(select(case_events.c.seq)).all()
        to_make = total_cases - len(template_ids)
        per_case, extra = divmod(max(0, total_events - len(existing_events)), max(1, to_make))
        phases = list(source)
        batch: dict[str, list[dict[str, Any]]] = {k: [] for k in ("cases", "state", "state_tasks", "tasks",
                                                                   "events", "candidates")}
        for n in range(to_make):
            src = source[phases[n % len(phases)]]
            running = n < open_cases - len(template_ids)
            employee = f"emp{n % EMPLOYEES:03d}"
            new_id = str(uuid.uuid4())
            # One second apart, older than the templates: cases are started at distinct instants.
            case = {**src["case"], "id": new_id, "started_by": employee, "title": f"Tema nr. {n}",
                    "started_at": src["case"]["started_at"] - timedelta(seconds=n + 1),
                    "status": "running" if running else "completed", "next_timer_at": None}
            batch["cases"].append(case)
            if running:
                batch["state"].extend({**r, "case_id": new_id} for r in src["state"])
                batch["state_tasks"].extend({**r, "case_id": new_id} for r in src["state_tasks"])
            for t in src["tasks"]:
                task_id = str(uuid.uuid4())
                is_open = running and t["state"] == "open"
                assignee = employee if t["assignee"] == "emma" else t["assignee"]
                batch["tasks"].append({**t, "id": task_id, "case_id": new_id, "assignee": assignee,
                                       "case_title": case["title"],
                                       "state": t["state"] if is_open or t["state"] != "open" else "completed",
                                       "completed_by": t["completed_by"] or (None if is_open else assignee)})
                batch["candidates"].extend({**c, "task_id": task_id} for c in src["candidates"]
                                           if c["task_id"] == t["id"])
            wanted = max(1, per_case + (1 if n < extra else 0))
            events = [{**e, "case_id": new_id} for e in src["events"]][:wanted]
            while len(events) < wanted:  # pad with comments up to the wanted number of events
                events.append({**src["events"][-1], "case_id": new_id, "seq": len(events) + 1, "kind": "comment_added",
                               "payload_json": json.dumps({"text": "Statuskommentar"})})
            batch["events"].extend(events)
            if len(batch["cases"]) >= 2000 or n == to_make - 1:
                for key, table in (("cases", cases), ("state", case_state), ("state_tasks", case_state_tasks),
                                   ("tasks", tasks), ("candidates", task_candidates), ("events", case_events)):
                    if batch[key]:
                        conn.execute(insert(table), batch[key])
                    batch[key] = []
        conn.execute(update(cases).where(cases.c.id.in_(list(template_ids.values()))).values(status="running"))
        fill_relations(conn)  # the clones' participants and open candidates, as the commands keep them
