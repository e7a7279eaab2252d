"""Read models for process owners: every version of a definition, its cases, its files, what changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from engine.definitions.diff import VersionDiff, version_diff
from engine.errors import NotFound
from engine.store.tables import cases, definition_files, definition_versions, definitions


@dataclass(frozen=True)
class VersionSummary:
    key: str
    name: str
    version: int
    version_id: int
    content_hash: str
    deployed_by: str
    deployed_at: datetime
    running: int
    finished: int  # completed or cancelled


@dataclass(frozen=True)
class DefinitionOverview:
    key: str
    name: str
    latest_version: int
    versions: list[VersionSummary]


def _counts(conn: Connection, key: str | None = None) -> dict[int, tuple[int, int]]:
    query = select(cases.c.version_id, cases.c.status, func.count()).group_by(cases.c.version_id, cases.c.status)
    if key is not None:
        query = query.where(cases.c.key == key)
    out: dict[int, list[int]] = {}
    for version_id, status, n in conn.execute(query):
        slot = out.setdefault(version_id, [0, 0])
        slot[0 if status == "running" else 1] += n
    return {k: (v[0], v[1]) for k, v in out.items()}


def _summaries(conn: Connection, key: str | None) -> list[VersionSummary]:
    counts = _counts(conn, key)
    query = select(definition_versions.c.id, definition_versions.c.key, definition_versions.c.name,
                   definition_versions.c.version, definition_versions.c.content_hash,
                   definition_versions.c.deployed_by, definition_versions.c.deployed_at)
    if key is not None:
        query = query.where(definition_versions.c.key == key)
    rows = conn.execute(query.order_by(definition_versions.c.key, definition_versions.c.version.desc()))
    return [VersionSummary(r.key, r.name, r.version, r.id, r.content_hash, r.deployed_by, r.deployed_at,
                           *counts.get(r.id, (0, 0))) for r in rows]


def overview(conn: Connection) -> list[DefinitionOverview]:
    """Every definition with all its versions (newest first) and their case counts."""
    by_key: dict[str, list[VersionSummary]] = {}
    for s in _summaries(conn, None):
        by_key.setdefault(s.key, []).append(s)
    defs = conn.execute(select(definitions).order_by(definitions.c.name, definitions.c.key)).all()
    return [DefinitionOverview(d.key, d.name, d.latest_version, by_key.get(d.key, [])) for d in defs]


def versions(conn: Connection, key: str) -> list[VersionSummary]:
    found = _summaries(conn, key)
    if not found:
        raise NotFound(f"No process definition with key {key!r}")
    return found


def version_id(conn: Connection, key: str, version: int | None) -> int:
    """The id of ``key`` version ``version`` (the latest when None)."""
    query = select(definition_versions.c.id).where(definition_versions.c.key == key)
    if version is None:
        query = query.join(definitions, definitions.c.key == definition_versions.c.key).where(
            definition_versions.c.version == definitions.c.latest_version)
    else:
        query = query.where(definition_versions.c.version == version)
    found = conn.execute(query).scalar()
    if found is None:
        raise NotFound(f"{key!r} has no version {version}" if version is not None else f"No definition {key!r}")
    return found


def files(conn: Connection, key: str, version: int | None) -> dict[str, bytes]:
    """The files a version was deployed from, by name (what Download and the modeller open)."""
    vid = version_id(conn, key, version)
    rows = conn.execute(select(definition_files.c.file_name, definition_files.c.content)
                        .where(definition_files.c.version_id == vid).order_by(definition_files.c.file_name))
    return {r.file_name: bytes(r.content) for r in rows}


def diff(conn: Connection, key: str, old: int, new: int) -> VersionDiff:
    rows = {r.version: r for r in conn.execute(
        select(definition_versions.c.version, definition_versions.c.spec_json, definition_versions.c.meta_json)
        .where(definition_versions.c.key == key, definition_versions.c.version.in_([old, new])))}
    for v in (old, new):
        if v not in rows:
            raise NotFound(f"{key!r} has no version {v}")
    return version_diff(rows[old].spec_json, rows[old].meta_json, rows[new].spec_json, rows[new].meta_json)
