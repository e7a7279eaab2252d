"""Exports of a case's history: JSON (complete: every stored column, so a reader can recompute the chain),
CSV (one row per event), and reading a JSON export back with its chain checked."""

from __future__ import annotations

import base64
import csv
import io
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from engine.audit.chain import GENESIS, VerifyFailure, event_hash
from engine.errors import InvalidInput, NotFound
from engine.store.tables import case_events, cases, definition_files, definition_versions

FORMAT = "turnus-case-export"
FORMAT_VERSION = 1
EVENT_COLUMNS = ("case_id", "seq", "at", "actor", "kind", "element_id", "task_id", "payload_json", "version_id",
                 "prev_hash", "hash")
MAX_IMPORT_BYTES = 50 * 1024 * 1024


def case_document(conn: Connection, case_id: str, element_names: dict[str, str]) -> dict[str, Any]:
    row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
    if row is None:
        raise NotFound(f"No case {case_id!r}")
    ver = conn.execute(select(definition_versions).where(definition_versions.c.id == row.version_id)).first()
    events: list[dict[str, Any]] = []
    for ev in conn.execute(select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.seq)):
        item = {c: getattr(ev, c) for c in EVENT_COLUMNS}
        item["at"] = ev.at.isoformat(timespec="microseconds")
        item["element_name"] = element_names.get(ev.element_id or "")
        events.append(item)
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "case": {
            "id": row.id, "key": row.key, "title": row.title, "status": row.status, "started_by": row.started_by,
            "started_at": row.started_at.isoformat(), "ended_at": row.ended_at.isoformat() if row.ended_at else None,
            "end_event": row.end_event, "business_key": row.business_key,
            "last_event_seq": row.last_event_seq, "last_event_hash": row.last_event_hash,
            "definition": {"version_id": ver.id, "key": ver.key, "version": ver.version, "name": ver.name,
                           "content_hash": ver.content_hash, "deployed_by": ver.deployed_by,
                           "deployed_at": ver.deployed_at.isoformat()},
        },
        "events": events,
        # Every definition version the events name, with its files: what `audit import` needs to rebuild the
        # case's history in another database with the same version ids (the event hashes cover them).
        "definitions": _definitions(conn, {row.version_id} | {e["version_id"] for e in events}),
    }


def _definitions(conn: Connection, version_ids: set[int]) -> list[dict[str, Any]]:
    out = []
    for ver in conn.execute(select(definition_versions).where(definition_versions.c.id.in_(sorted(version_ids)))
                            .order_by(definition_versions.c.id)):
        files = conn.execute(select(definition_files).where(definition_files.c.version_id == ver.id)
                             .order_by(definition_files.c.file_name))
        out.append({"version_id": ver.id, "key": ver.key, "version": ver.version, "name": ver.name,
                    "content_hash": ver.content_hash, "deployed_by": ver.deployed_by,
                    "deployed_at": ver.deployed_at.isoformat(timespec="microseconds"),
                    "files": {f.file_name: base64.b64encode(bytes(f.content)).decode("ascii") for f in files}})
    return out


def to_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False)


def without_definitions(doc: dict[str, Any]) -> dict[str, Any]:
    """The export without the definition files (most of its size): the chain still verifies from the events
    alone; only `audit import` needs the files, and refuses such a document saying so."""
    return {k: v for k, v in doc.items() if k != "definitions"}


def json_sizes(doc: dict[str, Any]) -> tuple[int, int]:
    """Bytes of the JSON export, with and without the definition files."""
    return len(to_json(doc).encode()), len(to_json(without_definitions(doc)).encode())


def load_json(text: str | bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(case, events) from a JSON export, events with the exact stored values (``at`` as datetime)."""
    doc, events = load_document(text)
    return doc["case"], events


def load_document(text: str | bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The whole export document, and its events with the exact stored values."""
    if len(text) > MAX_IMPORT_BYTES:
        raise InvalidInput(f"The export is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InvalidInput(f"Not a JSON export: {err}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InvalidInput(f"Not a Turnus case export (expected \"format\": \"{FORMAT}\")")
    if doc.get("format_version") != FORMAT_VERSION:
        raise InvalidInput(f"Export format version {doc.get('format_version')!r} is not {FORMAT_VERSION}")
    events = []
    for i, raw in enumerate(doc.get("events") or []):
        try:
            item = {c: raw[c] for c in EVENT_COLUMNS}
            item["at"] = datetime.fromisoformat(raw["at"])
        except (KeyError, TypeError, ValueError) as err:
            raise InvalidInput(f"Event number {i + 1} of the export is incomplete or malformed ({err})") from None
        events.append(item)
    if not isinstance(doc.get("case"), dict):
        raise InvalidInput("The export has no case")
    return doc, events


def verify_events(case: dict[str, Any], events: list[dict[str, Any]]) -> VerifyFailure | None:
    """The chain check on exported events alone: an export can be verified away from the database."""
    prev, expected = GENESIS, 1
    case_id = str(case.get("id"))
    for ev in events:
        if ev["seq"] != expected or ev["case_id"] != case_id:
            return VerifyFailure(case_id, expected, f"event {expected} is missing or out of order")
        if ev["prev_hash"] != prev:
            return VerifyFailure(case_id, ev["seq"], "does not follow the event before it")
        digest = event_hash(prev, ev["case_id"], ev["seq"], ev["at"], ev["actor"], ev["kind"], ev["element_id"],
                            ev["task_id"], ev["payload_json"], ev["version_id"])
        if digest != ev["hash"]:
            return VerifyFailure(case_id, ev["seq"], f"content was changed (kind {ev['kind']!r})")
        prev, expected = ev["hash"], expected + 1
    if expected - 1 != case.get("last_event_seq") or prev != case.get("last_event_hash"):
        return VerifyFailure(case_id, expected - 1 or None, "the export does not end where the case recorded")
    return None


CSV_HEADER = ["case_id", "seq", "at_utc", "actor", "kind", "element_id", "element_name", "task_id",
              "definition_version_id", "payload", "prev_hash", "hash"]


# A spreadsheet runs a cell that starts like a formula (OWASP "CSV injection"). Such text cells get a leading
# apostrophe, which spreadsheets show as text and hide; numbers are written as they are.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(doc: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for ev in doc["events"]:
        writer.writerow([csv_cell(v) for v in (
            ev["case_id"], ev["seq"], ev["at"], ev["actor"], ev["kind"], ev["element_id"] or "",
            ev["element_name"] or "", ev["task_id"] or "", ev["version_id"], ev["payload_json"],
            ev["prev_hash"], ev["hash"])])
    return out.getvalue()
