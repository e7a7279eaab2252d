"""Which deployed processes a message or signal starts: the latest version whose start event catches it."""

from __future__ import annotations

import json
from functools import lru_cache

from sqlalchemy import Connection, select

from engine.cases import deployments
from engine.cases.versions import VersionCache, VersionInfo
from engine.store.tables import definitions


@lru_cache(maxsize=512)
def start_events(spec_json: str) -> frozenset[tuple[str, str]]:
    """(kind, name) of the message and signal start events of a top-level process spec."""
    found = set()
    for spec in json.loads(spec_json)["spec"]["task_specs"].values():
        definition = spec.get("event_definition") or {}
        if spec.get("typename") != "StartEvent" or not definition.get("name"):
            continue
        typename = definition.get("typename", "")
        if "Message" in typename:
            found.add(("message", definition["name"]))
        elif "Signal" in typename:
            found.add(("signal", definition["name"]))
    return frozenset(found)


def started_by(conn: Connection, cache: VersionCache, kind: str, name: str) -> list[VersionInfo]:
    keys = conn.execute(select(definitions.c.key).order_by(definitions.c.key)).scalars()
    latest = [cache.latest(conn, key) for key in keys]
    found = [v for v in latest if (kind, name) in start_events(v.spec_json)]
    if kind == "signal":  # a broadcast starts no case of a suspended definition; a message is refused instead
        found = [v for v in found if deployments.suspension(conn, v.key) is None]
    return found
