"""Events of a selection of cases as XES (IEEE 1849-2016) for process-mining tools.

One trace per case (concept:name = case id); one XES event per step: a user task's creation is its
``start`` and its completion its ``complete``; automatic steps (gateways, timers, decisions, scripts, end
events) are ``complete``. Written as a stream, so a large selection never sits in memory whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from lxml import etree
from sqlalchemy import Connection, select

from engine.store.tables import case_events, cases

_LIFECYCLE = {"task_created": "start", "task_completed": "complete", "gateway_taken": "complete",
              "timer_fired": "complete", "decision_evaluated": "complete", "script_run": "complete",
              "end_reached": "complete", "case_started": "complete"}
BATCH = 500
NS = "http://www.xes-standard.org/"


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _cases(conn: Connection, key: str | None, since: datetime | None) -> Iterator[Any]:
    query = select(cases.c.id, cases.c.key, cases.c.version_id, cases.c.title, cases.c.status)
    if key:
        query = query.where(cases.c.key == key)
    if since:
        query = query.where(cases.c.started_at >= since)
    yield from conn.execute(query.order_by(cases.c.started_at, cases.c.id))


def _attr(xf: Any, tag: str, key: str, value: str) -> None:
    xf.write(etree.Element(_q(tag), key=key, value=value, nsmap={None: NS}))


def write_xes(conn: Connection, out: IO[bytes], names_of: Any, *, key: str | None = None,
              since: datetime | None = None) -> int:
    """Write the XES log to ``out``; ``names_of(version_id)`` gives element names. Returns the trace count."""
    count = 0
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(_q("log"), {"xes.version": "1.0", "xes.features": ""}, nsmap={None: NS}):
            for name, prefix, uri in (("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
                                      ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
                                      ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
                                      ("Time", "time", "http://www.xes-standard.org/time.xesext")):
                xf.write(etree.Element(_q("extension"), name=name, prefix=prefix, uri=uri, nsmap={None: NS}))
            with xf.element(_q("global"), scope="trace"):
                _attr(xf, "string", "concept:name", "__INVALID__")
            with xf.element(_q("global"), scope="event"):
                _attr(xf, "string", "concept:name", "__INVALID__")
                _attr(xf, "string", "lifecycle:transition", "complete")
            xf.write(etree.Element(_q("classifier"), name="Activity", keys="concept:name", nsmap={None: NS}))
            _attr(xf, "string", "concept:name", "Turnus export" + (f" of {key}" if key else ""))
            for case in _cases(conn, key, since):
                names = names_of(case.version_id)
                with xf.element(_q("trace")):
                    _attr(xf, "string", "concept:name", case.id)
                    _attr(xf, "string", "turnus:process", case.key)
                    _attr(xf, "string", "turnus:status", case.status)
                    rows = conn.execute(select(case_events.c.at, case_events.c.actor, case_events.c.kind,
                                               case_events.c.element_id, case_events.c.seq)
                                        .where(case_events.c.case_id == case.id,
                                               case_events.c.kind.in_(list(_LIFECYCLE)))
                                        .order_by(case_events.c.seq))
                    for ev in rows:
                        activity = names.get(ev.element_id or "") or ev.element_id or ev.kind
                        with xf.element(_q("event")):
                            _attr(xf, "string", "concept:name", activity)
                            _attr(xf, "string", "lifecycle:transition", _LIFECYCLE[ev.kind])
                            _attr(xf, "string", "org:resource", ev.actor)
                            _attr(xf, "date", "time:timestamp", ev.at.isoformat(timespec="milliseconds"))
                            _attr(xf, "int", "turnus:seq", str(ev.seq))
                            _attr(xf, "string", "turnus:kind", ev.kind)
                count += 1
                if count % BATCH == 0:
                    xf.flush()
    return count
