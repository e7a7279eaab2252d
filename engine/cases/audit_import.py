"""`turnus audit import`: a JSON export loaded into another database, with the same events.

The case comes back as history: its row, its events exactly as exported (so the chain verifies and a new
export is identical), and the definition versions they name, under the same ids (the event hashes cover the
version id). It has no live workflow state, so it can be read, verified and exported, never worked on.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, text, update

from engine.audit import access, dump_payload, stats
from engine.audit.chain import verify_case
from engine.audit.export import load_document, verify_events
from engine.cases import relations
from engine.cases.versions import _meta_of
from engine.definitions.bundle import load_bundles
from engine.errors import Conflict, InvalidInput
from engine.store.tables import case_events, cases, definition_files, definition_versions, definitions


def _files(item: dict[str, Any]) -> dict[str, bytes]:
    try:
        return {str(name): base64.b64decode(data, validate=True) for name, data in (item.get("files") or {}).items()}
    except (binascii.Error, TypeError, AttributeError) as err:
        raise InvalidInput(f"Definition version {item.get('version_id')}: a file is not base64 ({err})") from None


def _ensure_version(conn: Connection, item: dict[str, Any]) -> bool:
    """The version under the exported id: already here (same content) or created; True if created."""
    try:
        vid, key, version, digest = int(item["version_id"]), str(item["key"]), int(item["version"]), \
            str(item["content_hash"])
    except (KeyError, TypeError, ValueError):
        raise InvalidInput("A definition in the export is incomplete (version_id, key, version, content_hash)") \
            from None
    here = conn.execute(select(definition_versions).where(definition_versions.c.id == vid)).first()
    if here is not None:
        if (here.key, here.version, here.content_hash) != (key, version, digest):
            raise Conflict(f"This database holds {here.key} version {here.version} under definition id {vid}, not "
                           f"{key} version {version}: import into an empty database (turnus --db URL init)")
        return False
    clash = conn.execute(select(definition_versions.c.id).where(definition_versions.c.key == key,
                                                                definition_versions.c.version == version)).first()
    if clash is not None:
        raise Conflict(f"{key} version {version} is here under id {clash.id}, the export has id {vid}: "
                       "import into an empty database")
    files = _files(item)
    if not files:
        raise InvalidInput(f"The export carries no files for {key} version {version} (exported before "
                           "`audit import` existed?): export the case again")
    bundle = next((b for b in load_bundles(files) if b.key == key), None)
    if bundle is None or bundle.content_hash != digest:
        raise InvalidInput(f"The files of {key} version {version} do not match its content hash")
    latest = conn.execute(select(definitions.c.latest_version).where(definitions.c.key == key)).scalar()
    if latest is None:
        conn.execute(insert(definitions).values(key=key, name=bundle.name, latest_version=version))
    elif version > latest:
        conn.execute(update(definitions).where(definitions.c.key == key).values(latest_version=version))
    conn.execute(insert(definition_versions).values(
        id=vid, key=key, version=version, name=str(item.get("name") or bundle.name), content_hash=digest,
        spec_json=bundle.spec_json, meta_json=dump_payload(_meta_of(bundle)),
        warnings_json=json.dumps([str(w) for w in bundle.warnings]), deployed_by=str(item["deployed_by"]),
        deployed_at=datetime.fromisoformat(item["deployed_at"])))
    for name, content in sorted(bundle.files.items()):
        conn.execute(insert(definition_files).values(version_id=vid, file_name=name, content=content))
    return True


def import_case(conn: Connection, raw: str | bytes, actor: str, now: datetime) -> tuple[str, int]:
    """Verify the export's chain, then write its case, events and definition versions; (case id, events)."""
    doc, events = load_document(raw)
    case = doc["case"]
    failure = verify_events(case, events)
    if failure:
        raise InvalidInput(f"The export's chain is broken, nothing was imported: {failure}")
    case_id = str(case["id"])
    if conn.execute(select(cases.c.id).where(cases.c.id == case_id)).first() is not None:
        raise Conflict(f"Case {case_id} is already in this database: nothing was imported")
    created = [_ensure_version(conn, item) for item in doc.get("definitions") or []]
    known = {int(item["version_id"]) for item in doc.get("definitions") or []}
    named = {int(case["definition"]["version_id"])} | {int(e["version_id"]) for e in events}
    if not named <= known:
        raise InvalidInput(f"The export lacks definition versions {sorted(named - known)}: export the case again")
    if any(created) and conn.dialect.name == "postgresql":  # explicit ids: move the id sequence past them
        conn.execute(text("SELECT setval(pg_get_serial_sequence('definition_versions', 'id'), "
                          "(SELECT max(id) FROM definition_versions))"))
    ended = case.get("ended_at")
    conn.execute(insert(cases).values(
        id=case_id, version_id=int(case["definition"]["version_id"]), key=str(case["key"]),
        status=str(case["status"]), title=str(case["title"]), business_key=case.get("business_key"),
        started_by=str(case["started_by"]), started_at=datetime.fromisoformat(case["started_at"]),
        ended_at=datetime.fromisoformat(ended) if ended else None, end_event=case.get("end_event"),
        next_timer_at=None, incident_json=None, row_version=int(case["last_event_seq"]),
        last_event_seq=int(case["last_event_seq"]), last_event_hash=str(case["last_event_hash"])))
    if events:
        conn.execute(insert(case_events), events)
        stats.record(conn, events)  # the statistics count imported history too (no tasks, so no durations)
    # History only, no tasks: the starter is who takes part (as engine.cases.relations computes it).
    relations.add_participants(conn, case_id, datetime.fromisoformat(case["started_at"]),
                               users=[str(case["started_by"])])
    failure = verify_case(conn, case_id)  # what was written, read back: the same check as `audit verify`
    if failure:
        raise InvalidInput(f"The imported history does not verify, nothing was imported: {failure}")
    access.log(conn, actor, "import_case", case_id, "audit import", str(case["started_by"]), now)
    n = conn.execute(select(func.count()).select_from(case_events).where(case_events.c.case_id == case_id))
    return case_id, int(n.scalar_one())
