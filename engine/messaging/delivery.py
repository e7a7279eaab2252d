"""Delivering one message or signal to one case, starting a case by one, and passing a thrown signal on.

Each function runs inside the caller's transaction (engine/service/messaging.py opens one per command).
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from engine.audit import GENESIS, EventWriter
from engine.cases import deployments, live, subscriptions
from engine.cases.commands import Ctx, case_title
from engine.cases.versions import VersionCache, VersionInfo
from engine.identity import User
from engine.runtime import events as rt_events
from engine.runtime import state as st
from engine.runtime import workflow as rt
from engine.runtime.scripting import attach_script_engine
from engine.store.tables import cases

from .starts import started_by

MAX_RELAY_DEPTH = 20  # a signal thrown by a case a signal reached, and so on: a model's ping-pong ends here
_depth: ContextVar[int] = ContextVar("turnus_relay_depth", default=0)


def deliver(ctx: Ctx, case_id: str, kind: str, name: str, data: dict[str, Any], actor: str,
            source: str | None = None) -> list[str]:
    """Deliver to one running case; returns the elements that caught (empty: it no longer waits)."""
    row = ctx.conn.execute(select(cases).where(cases.c.id == case_id).with_for_update()).first()
    if row is None or row.status != "running":
        return []
    version = ctx.cache.get(ctx.conn, row.version_id)
    lc = live.load(ctx.conn, row, version, ctx.now)
    lc.cache = ctx.cache
    caught = rt_events.deliver(lc.wf, kind, name, data, ctx.now)
    if not caught:
        return []
    for element_id in caught:
        lc.events.add(f"{kind}_received", actor, element_id=element_id, name=name, data=data,
                      **({"from_case": source} if source else {}))
    rt.advance(lc.wf, ctx.now)
    if row.incident_json and not live.holds_incident(lc):  # an error nothing caught stays an incident
        lc.events.add("incident_resolved", actor, by=f"{kind}_received")
    live.commit(lc)
    return caught


def start_by(ctx: Ctx, user: User, version: VersionInfo, kind: str, name: str, data: dict[str, Any],
             business_key: str | None = None, source: str | None = None) -> str:
    """A new case of ``version``, started by its message or signal start event with ``data``."""
    deployments.require_startable(ctx.conn, version.key, version.name)
    case_id = str(uuid.uuid4())
    ctx.conn.execute(insert(cases).values(
        id=case_id, version_id=version.id, key=version.key, status="running",
        title=case_title(data, version.name), business_key=business_key, started_by=user.name,
        started_at=ctx.now, row_version=0, last_event_seq=0, last_event_hash=GENESIS))
    wf = st.new_workflow(version.spec_json)
    attach_script_engine(wf)
    events = EventWriter(ctx.conn, case_id, version.id, 0, GENESIS, ctx.now)
    lc = live.LiveCase(ctx.conn, None, version, wf, events, ctx.now, cache=ctx.cache)
    events.add("case_started", user.name, key=version.key, version=version.version, version_id=version.id,
               data={}, by=kind, event=name, **({"from_case": source} if source else {}))
    rt.advance(wf, ctx.now)  # the start event now waits for the event that starts the case
    caught = rt_events.deliver(wf, kind, name, data, ctx.now)
    for element_id in caught:
        events.add(f"{kind}_received", user.name, element_id=element_id, name=name, data=data)
    rt.advance(wf, ctx.now)
    live.commit(lc)
    return case_id


def relay(conn: Connection, now: datetime, cache: VersionCache | None, source_case: str,
          thrown: list[tuple[str, str]]) -> None:
    """Pass signals a case threw on to every other case waiting for them, and start the processes they
    start, in the throwing command's transaction (``live.commit`` calls it through the relay that the service
    layer puts on the transaction; the work budget bounds it)."""
    depth = _depth.get()
    if depth >= MAX_RELAY_DEPTH:
        return
    ctx = Ctx(conn, now, cache or VersionCache())
    system = User(name="system", display_name="system")
    token = _depth.set(depth + 1)
    try:
        for name, _element in thrown:
            for case_id in subscriptions.waiting_cases(conn, "signal", name):
                if case_id != source_case:
                    deliver(ctx, case_id, "signal", name, {}, "system", source=source_case)
            for version in started_by(conn, ctx.cache, "signal", name):
                start_by(ctx, system, version, "signal", name, {}, source=source_case)
    finally:
        _depth.reset(token)
