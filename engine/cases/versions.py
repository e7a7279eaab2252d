"""Definition versions: deploy bundles, and read them back (cached: a version never changes)."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from engine.audit import dump_payload
from engine.errors import NotFound
from engine.forms import FormSchema
from engine.store.tables import definition_files, definition_versions, definitions


@dataclass(frozen=True)
class DeployResult:
    key: str
    version: int
    status: str  # new | unchanged
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskMeta:
    element_id: str
    name: str
    lane: str | None
    documentation: str
    raw: Mapping[str, Any]  # assignee, candidate_users, candidate_groups, due_date, follow_up_date, priority
    form: FormSchema
    duty_rules: tuple[str, ...] = ()  # turnus:notBy rules, enforced by engine.identity
    closes_by: str | None = None  # an interrupting boundary timer's name: the task is optional


@dataclass(frozen=True)
class VersionInfo:
    id: int
    key: str
    version: int
    name: str
    spec_json: str
    start_form: FormSchema
    initiator_variable: str | None
    user_tasks: Mapping[str, TaskMeta]
    element_names: Mapping[str, str]
    deployed_by: str
    deployed_at: datetime
    starter_users: frozenset[str] = frozenset()
    starter_groups: frozenset[str] = frozenset()
    element_phases: Mapping[str, str] = field(default_factory=dict)  # element id -> its phase's name
    start_variables: FormSchema = field(default_factory=FormSchema)  # turnus:startVariable declarations


def _meta_of(bundle: Any) -> dict[str, Any]:
    """Flatten a bundle's process metadata into JSON; user tasks of all processes by element id."""
    top = bundle.processes[bundle.key]
    user_tasks: dict[str, Any] = {}
    names: dict[str, str] = {}
    for proc in bundle.processes.values():
        names.update(proc.element_names)
        for eid, ut in proc.user_tasks.items():
            user_tasks[eid] = {
                "name": ut.name, "lane": ut.lane, "documentation": ut.documentation,
                "assignee": ut.assignee, "candidate_users": list(ut.candidate_users),
                "candidate_groups": list(ut.candidate_groups), "due_date": ut.due_date,
                "follow_up_date": ut.follow_up_date, "priority": ut.priority, "form": ut.form.to_dict(),
                "duty_rules": list(ut.duty_rules), "closes_by": ut.closes_by,
            }
    return {"start_form": top.start_form.to_dict(), "initiator_variable": top.initiator_variable,
            "user_tasks": user_tasks, "element_names": names, "element_phases": dict(top.element_phases),
            "starter_users": list(top.starter_users), "starter_groups": list(top.starter_groups),
            "start_variables": top.start_variables.to_dict()}


def deploy_bundles(conn: Connection, bundles: list[Any], actor: str, now: datetime) -> list[DeployResult]:
    results = []
    for bundle in bundles:
        latest = conn.execute(
            select(definition_versions.c.id, definition_versions.c.version, definition_versions.c.content_hash)
            .where(definition_versions.c.key == bundle.key)
            .order_by(definition_versions.c.version.desc()).limit(1)
        ).first()
        warnings = tuple(str(w) for w in bundle.warnings)
        if latest is not None and (latest.content_hash == bundle.content_hash
                                   or _same_meaning(conn, latest.id, bundle.files)):
            results.append(DeployResult(bundle.key, latest.version, "unchanged", warnings))
            continue
        version = 1 if latest is None else latest.version + 1
        if latest is None:
            conn.execute(insert(definitions).values(key=bundle.key, name=bundle.name, latest_version=version))
        else:
            conn.execute(update(definitions).where(definitions.c.key == bundle.key)
                         .values(name=bundle.name, latest_version=version))
        version_id = conn.execute(
            insert(definition_versions).values(
                key=bundle.key, version=version, name=bundle.name, content_hash=bundle.content_hash,
                spec_json=bundle.spec_json, meta_json=dump_payload(_meta_of(bundle)),
                warnings_json=json.dumps(list(warnings)), deployed_by=actor, deployed_at=now,
            )
        ).inserted_primary_key[0]
        for file_name, content in sorted(bundle.files.items()):
            conn.execute(insert(definition_files).values(version_id=version_id, file_name=file_name,
                                                         content=content))
        results.append(DeployResult(bundle.key, version, "new", warnings))
    return results


def _same_meaning(conn: Connection, version_id: int, files: Mapping[str, bytes]) -> bool:
    """Whether the stored version's files say what these say (see engine.definitions.canonical)."""
    # imported here: the definitions package loads the workflow library, which readers of versions do without
    from engine.definitions.canonical import canonical_hash

    stored = {r.file_name: bytes(r.content) for r in conn.execute(
        select(definition_files.c.file_name, definition_files.c.content)
        .where(definition_files.c.version_id == version_id))}
    return stored.keys() == files.keys() and canonical_hash(stored) == canonical_hash(files)


class VersionCache:
    """Versions are immutable, so a parsed copy of each is kept for the life of the process."""

    def __init__(self) -> None:
        self._by_id: dict[int, VersionInfo] = {}
        self._lock = threading.Lock()

    def get(self, conn: Connection, version_id: int) -> VersionInfo:
        info = self._by_id.get(version_id)
        if info is None:
            row = conn.execute(select(definition_versions).where(definition_versions.c.id == version_id)).first()
            if row is None:
                raise NotFound(f"Definition version {version_id} does not exist")
            info = _info(row)
            with self._lock:
                self._by_id[version_id] = info
        return info

    def latest(self, conn: Connection, key: str) -> VersionInfo:
        row = conn.execute(
            select(definition_versions.c.id).join(definitions, definitions.c.key == definition_versions.c.key)
            .where(definition_versions.c.key == key, definition_versions.c.version == definitions.c.latest_version)
        ).first()
        if row is None:
            known = conn.execute(select(definitions.c.key).order_by(definitions.c.key)).scalars().all()
            hint = f" Deployed: {', '.join(known)}." if known else " Nothing is deployed yet: run turnus deploy."
            raise NotFound(f"No process definition with key {key!r}.{hint}")
        return self.get(conn, row.id)


def _info(row: Any) -> VersionInfo:
    meta = json.loads(row.meta_json)
    tasks = {
        eid: TaskMeta(eid, t["name"], t["lane"], t["documentation"],
                      {k: t[k] for k in ("assignee", "candidate_users", "candidate_groups", "due_date",
                                         "follow_up_date", "priority")},
                      FormSchema.from_dict(t["form"]), tuple(t.get("duty_rules", ())), t.get("closes_by"))
        for eid, t in meta["user_tasks"].items()
    }
    return VersionInfo(
        id=row.id, key=row.key, version=row.version, name=row.name, spec_json=row.spec_json,
        start_form=FormSchema.from_dict(meta["start_form"]), initiator_variable=meta["initiator_variable"],
        user_tasks=tasks, element_names=meta["element_names"], deployed_by=row.deployed_by,
        deployed_at=row.deployed_at, starter_users=frozenset(meta.get("starter_users", ())),
        starter_groups=frozenset(meta.get("starter_groups", ())),
        element_phases=meta.get("element_phases", {}),
        start_variables=FormSchema.from_dict(meta.get("start_variables", {})),  # absent before issue 12
    )
