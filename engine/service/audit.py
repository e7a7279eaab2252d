"""The Engine's read-only audit queries: search, exports, statistics, digests, the access log, "my data".

The consistency check (which loads workflows), the XES writer (lxml) and the case search are imported inside
the methods that use them: every command imports this module through ``Engine``, few of them audit.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from engine import audit, identity
from engine.audit import access, digest, export, stats
from engine.cases import queries
from engine.errors import (
    Finding,
    Forbidden,
    InvalidInput,
    NotFound,
)
from engine.service.base import EngineCore
from engine.store.tables import cases

if TYPE_CHECKING:
    from engine.audit import search


class AuditQueries(EngineCore):
    """One capability of the ``Engine`` facade (engine/service/facade.py).
    Kept apart so the composition root stays small; every method is still one transaction."""


    def _auditor(self, conn: Connection, actor: str | None) -> str:
        """The actor's name if they may audit; ``None`` is the operator at the command line."""
        if actor is None:
            return "operator"
        if not identity.may_audit(self._user(conn, actor)):
            raise Forbidden("Only an auditor or an administrator may do this", reason="auditor_only")
        return actor

    def audit_search(self, actor: str, f: search.CaseFilter, page: int = 1, page_size: int = 25,
                     purpose: str = "audit") -> tuple[list[search.CaseHit], int]:
        from engine.audit import search

        def run(conn: Connection, now: datetime) -> tuple[list[search.CaseHit], int]:
            who = self._auditor(conn, actor)
            found = search.search_cases(conn, f, page, page_size)
            shown = {k: v for k, v in vars(f).items() if v not in (None, "")}
            access.log(conn, who, "search_cases", json.dumps(shown, default=str, sort_keys=True)[:200], purpose,
                       f.participant, now)
            return found
        return self._write(run)

    def audit_runs(self, case_id: str) -> dict[str, Any]:
        from engine.audit import search

        return self._read(lambda conn: search.case_runs(conn, case_id))

    def export_case(self, case_id: str, actor: str | None, fmt: str = "json", purpose: str = "audit export") -> str:
        if fmt not in ("json", "csv"):
            raise InvalidInput(f"Unknown format {fmt!r}: choose json or csv (xes is for a selection of cases)")

        def run(conn: Connection, now: datetime) -> str:
            who = self._auditor(conn, actor)
            row = self._readable_case(conn, case_id, None)
            names = dict(self.versions.get(conn, row.version_id).element_names)
            doc = export.case_document(conn, case_id, names)
            access.log(conn, who, f"export_case_{fmt}", case_id, purpose, row.started_by, now)
            return export.to_json(doc) if fmt == "json" else export.to_csv(doc)
        return self._write(run)

    def export_sizes(self, case_id: str, actor: str | None) -> tuple[int, int]:
        """Bytes of the case's JSON export with and without the definitions, for the links (reads no case data
        out, so no access-log row)."""
        def run(conn: Connection) -> tuple[int, int]:
            self._auditor(conn, actor)
            row = self._readable_case(conn, case_id, None)
            doc = export.case_document(conn, case_id, dict(self.versions.get(conn, row.version_id).element_names))
            return export.json_sizes(doc)
        return self._read(run)

    def export_xes(self, out: Any, actor: str | None, key: str | None = None, since: datetime | None = None,
                   purpose: str = "process mining") -> int:
        from engine.audit import xes

        def run(conn: Connection, now: datetime) -> int:
            who = self._auditor(conn, actor)
            access.log(conn, who, "export_xes", f"key={key or '*'} since={since.isoformat() if since else '*'}",
                       purpose, None, now)
            return xes.write_xes(conn, out, lambda vid: self.versions.get(conn, vid).element_names,
                                 key=key, since=since)
        return self._write(run)

    def element_stats(self, actor: str | None, key: str, version: int | None = None) -> tuple[Any, list[Any]]:
        def run(conn: Connection) -> tuple[Any, list[Any]]:
            self._auditor(conn, actor)
            info = self.versions.latest(conn, key) if version is None else self.versions.get(
                conn, self._version_id(conn, key, version))
            return info, stats.element_stats(conn, info.id)
        return self._read(run)

    def _version_id(self, conn: Connection, key: str, version: int) -> int:
        from engine.store.tables import definition_versions as dv

        vid = conn.execute(select(dv.c.id).where(dv.c.key == key, dv.c.version == version)).scalar()
        if vid is None:
            raise NotFound(f"No version {version} of {key!r}")
        return int(vid)

    def definition_xml(self, actor: str | None, version_id: int) -> bytes:
        """The BPMN file a case's version was deployed from (for the diagram)."""
        from engine.store.tables import definition_files

        def run(conn: Connection) -> bytes:
            self._auditor(conn, actor)
            for r in conn.execute(select(definition_files).where(definition_files.c.version_id == version_id)
                                  .order_by(definition_files.c.file_name)):
                if r.file_name.lower().endswith(".bpmn"):
                    return bytes(r.content)
            raise NotFound(f"No BPMN file for definition version {version_id}")
        return self._read(run)

    def case_version_id(self, case_id: str) -> int:
        return self._read(lambda conn: self._readable_case(conn, case_id, None).version_id)

    def make_digest(self) -> dict[str, Any]:
        key = digest.load_key(self.settings.audit_key_file)
        return self._read(lambda conn: digest.make_digest(conn, key, self.clock.now()))

    def verify_against(self, digest_text: str | bytes) -> list[audit.VerifyFailure]:
        doc = digest.parse_digest(digest_text, digest.load_key(self.settings.audit_key_file))
        return self._read(lambda conn: digest.check_against(conn, doc) + audit.verify_all(conn))

    def check_live_state(self, case_id: str | None = None) -> list[str]:
        from engine.cases import consistency

        def run(conn: Connection) -> list[str]:
            ids = [case_id] if case_id else [r.id for r in conn.execute(select(cases.c.id).order_by(cases.c.id))]
            found: list[str] = []
            for cid in ids:
                try:
                    found += consistency.check_case(conn, self.versions, cid)
                except Exception as err:  # one case that cannot be checked must not hide the next ones
                    found.append(Finding(f"case {cid}: could not be checked ({type(err).__name__}: {err})",
                                         "state_unrestorable", error=f"{type(err).__name__}: {err}"[:300]))
            if case_id is None:  # the counters sum over every case: a recount, cheap beside replaying each case
                found += stats.counter_disagreements(conn)
            return found
        return self._read(run)

    def access_log(self, reader: str | None, purpose: str = "audit of the access log",
                   **filters: Any) -> tuple[list[access.AccessEntry], int]:
        def run(conn: Connection, now: datetime) -> tuple[list[access.AccessEntry], int]:
            who = self._auditor(conn, reader)
            found = access.search(conn, **filters)
            access.log(conn, who, "search_access_log", json.dumps(
                {k: v for k, v in filters.items() if v}, default=str)[:200], purpose, filters.get("subject"), now)
            return found
        return self._write(run)

    def import_case(self, raw: str | bytes) -> tuple[str, int]:
        """Load a JSON export into this database (the operator at the command line); see engine/cases/audit_import."""
        from engine.cases import audit_import as importer

        return self._write(lambda conn, now: importer.import_case(conn, raw, "operator", now))

    def purge_access_log(self) -> int:
        """Delete access-log entries past the retention period (the deletion is logged)."""
        days = self.settings.access_log_retention_days
        return self._write(lambda conn, now: access.purge(conn, now, days))

    def my_data(self, actor: str) -> dict[str, Any]:
        """A person's own report: their cases and when and why their data was looked at (no names)."""
        def run(conn: Connection) -> dict[str, Any]:
            user = self._user(conn, actor)
            return {"user": user, "cases": queries.cases_for(conn, user, limit=500),
                    "accesses": access.about(conn, actor)}
        return self._read(run)
