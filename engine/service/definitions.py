"""The Engine's process-owner commands: validate without deploying, versions, diffs and case migration.

The catalog (its diffs) and migration import the workflow library; each method imports what it uses, so the
other commands, which import this module through ``Engine``, do without it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from engine import identity
from engine.cases.incidents import IncidentRaised
from engine.cases.versions import DeployResult, deploy_bundles
from engine.errors import (
    DefinitionInvalid,
    Forbidden,
    Problem,
    TurnusError,
)
from engine.identity import User
from engine.service.base import EngineCore

if TYPE_CHECKING:
    from engine.cases import catalog, migration
    from engine.definitions.diff import VersionDiff

logger = logging.getLogger(__name__)

class _DryRun(Exception):
    """Raised inside a dry run's transaction so that it rolls back; carries the would-be result."""

    def __init__(self, result: migration.MigrationResult):
        self.result = result


class DefinitionCommands(EngineCore):
    """One capability of the ``Engine`` facade (engine/service/facade.py).
    Kept apart so the composition root stays small; every method is still one transaction."""

    def deploy_files(self, files: Mapping[str, bytes], actor: str) -> list[DeployResult]:
        from engine.definitions import load_bundles

        bundles = load_bundles(files)  # parse and lint before touching the database
        return self._write(lambda conn, now: self._deploy(conn, now, bundles, actor))

    def deploy_paths(self, paths: Sequence[Path | str], actor: str) -> list[DeployResult]:
        from engine.definitions import load_paths

        bundles = load_paths([Path(p) for p in paths])
        return self._write(lambda conn, now: self._deploy(conn, now, bundles, actor))

    def _deploy(self, conn: Connection, now: datetime, bundles: list[Any], actor: str) -> list[DeployResult]:
        if actor != "system" and not identity.may_deploy(self._user(conn, actor)):
            raise Forbidden(f"{actor} may not deploy definitions (needs the process-owner or admin role)",
                            reason="process_owner_only")
        return deploy_bundles(conn, bundles, actor, now)

    def validate_files(self, files: Mapping[str, bytes], actor: str) -> tuple[list[str], list[Problem]]:
        """(keys that would deploy, every finding) of a deploy, without deploying anything."""
        from engine.definitions import load_bundles

        self._require_owner(actor)
        try:
            bundles = load_bundles(files)
        except DefinitionInvalid as err:
            return [], list(err.problems)
        return [b.key for b in bundles], [w for b in bundles for w in b.warnings]

    def _require_owner(self, actor: str) -> User:
        user = self._read(lambda conn: self._user(conn, actor))
        if not identity.may_deploy(user):
            raise Forbidden(f"{actor} may not work on definitions (needs the process-owner or admin role)",
                            reason="process_owner_only")
        return user

    def definition_overview(self, actor: str) -> list[catalog.DefinitionOverview]:
        from engine.cases import catalog

        self._require_owner(actor)
        return self._read(catalog.overview)

    def versions_of(self, key: str) -> list[catalog.VersionSummary]:
        from engine.cases import catalog

        return self._read(lambda conn: catalog.versions(conn, key))

    def version_files(self, key: str, version: int | None, actor: str) -> dict[str, bytes]:
        from engine.cases import catalog

        self._require_owner(actor)
        return self._read(lambda conn: catalog.files(conn, key, version))

    def version_diff(self, key: str, old: int, new: int) -> VersionDiff:
        from engine.cases import catalog

        return self._read(lambda conn: catalog.diff(conn, key, old, new))

    def migrate(self, key: str, to_version: int, actor: str, *, from_version: int | None = None,
                case_ids: Sequence[str] = (), dry_run: bool = False) -> list[migration.MigrationResult]:
        """Move running cases of ``key`` to ``to_version``, each in its own transaction; a dry run
        runs the same steps and rolls every one of them back."""
        from engine.cases import catalog, migration

        self._require_owner(actor)

        def targets(conn: Connection) -> tuple[migration.VersionInfo, list[str]]:
            target = self.versions.get(conn, catalog.version_id(conn, key, to_version))
            return target, migration.candidates(conn, key, target.id, from_version, list(case_ids))
        target, found = self._read(targets)
        results = [migration.MigrationResult(c, False, "not a running case of this definition on another "
                                             "version", code="not_a_candidate") for c in case_ids if c not in found]
        for case_id in found:
            def run(conn: Connection, now: datetime, cid: str = case_id) -> migration.MigrationResult:
                result = migration.migrate_case(self._ctx(conn, now), actor, cid, target)
                if dry_run:
                    raise _DryRun(result)
                return result
            try:
                results.append(self._write(run))
            except _DryRun as done:
                results.append(done.result)
            except migration.Refused as refused:
                results.append(migration.MigrationResult(case_id, False, str(refused), code=refused.code,
                                                         params=refused.params))
            except TurnusError as err:
                results.append(migration.MigrationResult(case_id, False, str(err), code=err.reason or "",
                                                         params=err.params))
            except IncidentRaised as err:
                results.append(migration.MigrationResult(case_id, False, str(err), code="incident_raised"))
            except Exception as err:  # the library failed on this case's state: refuse it, keep going
                logger.exception("migration of case %s to %s v%s failed", case_id, key, to_version)
                results.append(migration.MigrationResult(
                    case_id, False, f"the case's state could not be moved ({type(err).__name__}); it is unchanged",
                    code="state_unmovable"))
        return results
