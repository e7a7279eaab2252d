"""Shared fixtures: databases (SQLite always, PostgreSQL when TURNUS_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Every reuse of a cached spec also compares its full serialized form (engine/runtime/spec_cache.py); set
# before any engine module is imported, and inherited by the servers and commands the tests start.
os.environ["TURNUS_SPEC_CHECK_AUDIT"] = "1"

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TURNUS_TEST_POSTGRES_URL")
# CI lays a copy of the project's shared/ folder beside the clone; TURNUS_SHARED points elsewhere.
SHARED = Path(os.environ.get("TURNUS_SHARED", ROOT.parent / "shared"))
MIWG = SHARED / "corpora" / "miwg"


def miwg_files() -> list[Path]:
    """The MIWG reference diagrams, or a skip that says how to get them (a failure where CI expects them)."""
    files = sorted(MIWG.glob("*.bpmn"))
    if files:
        return files
    message = (f"MIWG corpus not found at {MIWG}: put a copy of the project's shared/ folder beside this clone, "
               "or set TURNUS_SHARED=/path/to/shared")
    if os.environ.get("TURNUS_REQUIRE_CORPUS"):  # set by .ci/run: there a missing corpus is a broken set-up
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)


@pytest.fixture(autouse=True)
def _spec_mutations_all_seen() -> Iterator[None]:
    """Fail a test whose run mutated a shared spec in a way the spec cache's snapshot did not see, or reused a
    live workflow that was not what the database holds (engine/cases/live_cache.py)."""
    yield
    cache = sys.modules.get("engine.runtime.spec_cache")
    if cache is not None:  # reuses are audited by sample; what this thread still holds is audited now
        from engine.runtime.state import REGISTRY

        cache.audit_cached(REGISTRY)
    if cache is not None and cache.missed:
        missed, cache.missed[:] = list(cache.missed), []
        pytest.fail(f"a spec was mutated where spec_cache.snapshot does not look: {missed}")
    kept = sys.modules.get("engine.cases.live_cache")
    if kept is not None and kept.missed:
        missed, kept.missed[:] = list(kept.missed), []
        pytest.fail(f"a kept live workflow differed from the case's stored state: {missed}")


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@pytest.fixture(params=_backends())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'turnus.db'}"
        return
    yield from _pg_schema()


_TEMPLATE: list[Path] = []  # this test process's SQLite database migrated to the head revision


def migrated(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """``db_url`` with the schema at the head revision, for fixtures that create an Engine on it anyway.

    A new SQLite file is a copy of one migrated once per test process (running the migrations cost ~0.1 s
    per test); ``Engine.create`` then finds the schema current and migrates nothing. A new PostgreSQL schema is
    filled from pg_dump's dump of one migrated once per test process (~0.3 s a test otherwise). Both copies are
    made by every migration run from empty, so tests/integration/test_loops_and_schema.py still compares
    migrated tables with the tables in code."""
    if not db_url.startswith("sqlite:///"):
        _pg_from_template(db_url)
        return db_url
    target = Path(db_url.removeprefix("sqlite:///"))
    if target.exists():
        return db_url
    if not _TEMPLATE:
        from engine.service import Engine

        template = tmp_path_factory.mktemp("schema") / "head.db"
        Engine.create(f"sqlite:///{template}").close()  # closing checkpoints the WAL into the file
        _TEMPLATE.append(template)
    shutil.copyfile(_TEMPLATE[0], target)
    return db_url


def _conninfo(url: Any) -> str:
    """psycopg's connection string for a SQLAlchemy URL of the test database (no password: trust auth)."""
    return f"host={url.host} port={url.port or 5432} user={url.username} dbname={url.database}"


_PG_HEAD: list[tuple[str, str] | None] = []  # (the name it was dumped under, pg_dump's SQL) or None: not available


def _pg_head_sql() -> tuple[str, str] | None:
    """A schema migrated to head by ``Engine.create``, as pg_dump writes it (once per test process)."""
    if _PG_HEAD:
        return _PG_HEAD[0]
    import psycopg
    from sqlalchemy.engine import make_url

    from engine.service import Engine

    url = make_url(PG_URL)
    name = f"turnus_head_{os.getpid()}_{uuid.uuid4().hex[:8]}"  # distinctive: replaced by the test's schema name
    conninfo = _conninfo(url)
    result: tuple[str, str] | None = None
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{name}"')
        try:
            Engine.create(url.update_query_dict({"options": f"-csearch_path={name}"})
                          .render_as_string(hide_password=False)).close()
            dump = subprocess.run(["pg_dump", "--schema", name, "--inserts", "--no-owner", "--no-privileges",
                                   "-h", str(url.host), "-p", str(url.port or 5432), "-U", str(url.username),
                                   str(url.database)], capture_output=True, text=True, timeout=60)
            if dump.returncode == 0:
                # psql's meta-commands (\restrict) and the schema's own creation are not for a server.
                lines = [line for line in dump.stdout.splitlines()
                         if not line.startswith("\\") and not line.startswith("CREATE SCHEMA")]
                result = (name, "\n".join(lines))
        except (OSError, subprocess.SubprocessError):
            result = None
        finally:
            admin.execute(f'DROP SCHEMA "{name}" CASCADE')
    _PG_HEAD.append(result)
    return result


def _pg_from_template(db_url: str) -> None:
    """Fill the test's empty PostgreSQL schema from the dump of a migrated one, in one transaction; without
    pg_dump, or if that fails, the schema stays empty and ``Engine.create`` migrates it (~0.3 s a test)."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    options = str(url.query.get("options", ""))
    if not options.startswith("-csearch_path=t_") or (head := _pg_head_sql()) is None:
        return
    schema = options.removeprefix("-csearch_path=")
    conninfo = _conninfo(url)
    with psycopg.connect(conninfo) as conn:
        try:
            conn.execute(head[1].replace(head[0], schema))  # no parameters: sent as one simple query
            conn.commit()
        except psycopg.Error:
            conn.rollback()


def _pg_schema() -> Iterator[str]:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    conninfo = _conninfo(url)
    try:
        admin = psycopg.connect(conninfo, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as err:  # CI asked for PostgreSQL: failing beats skipping
        pytest.fail(f"TURNUS_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {err}")
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
