"""The ``event_subscriptions`` rows of a case, and the cases waiting for an event."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, delete, insert, select

from engine.store.tables import cases, event_subscriptions

_STORED = select(event_subscriptions.c.kind, event_subscriptions.c.name, event_subscriptions.c.element_id).where(
    event_subscriptions.c.case_id == bindparam("id"))  # built once: every command that runs a workflow reads it


def sync(conn: Connection, case_id: str, current: set[tuple[str, str, str]], *, new: bool = False) -> None:
    """Make the stored rows of ``case_id`` equal ``current`` (kind, name, element id); a ``new`` case has none."""
    rows = [] if new else conn.execute(_STORED, {"id": case_id}).all()
    stored = {(r.kind, r.name, r.element_id) for r in rows}
    for kind, name, element_id in stored - current:
        conn.execute(delete(event_subscriptions).where(
            event_subscriptions.c.case_id == case_id, event_subscriptions.c.kind == kind,
            event_subscriptions.c.name == name, event_subscriptions.c.element_id == element_id))
    added = current - stored
    if added:
        conn.execute(insert(event_subscriptions), [
            {"case_id": case_id, "kind": k, "name": n, "element_id": e} for k, n, e in sorted(added)])


def waiting_cases(conn: Connection, kind: str, name: str, *, case_id: str | None = None,
                  business_key: str | None = None) -> list[str]:
    """Running cases with an element waiting for ``kind`` ``name``, oldest first."""
    query = (select(cases.c.id).distinct().join(event_subscriptions, event_subscriptions.c.case_id == cases.c.id)
             .where(cases.c.status == "running", event_subscriptions.c.kind == kind,
                    event_subscriptions.c.name == name))
    if case_id is not None:
        query = query.where(cases.c.id == case_id)
    if business_key is not None:
        query = query.where(cases.c.business_key == business_key)
    return list(conn.execute(query.order_by(cases.c.id)).scalars())
