"""Every setting of Turnus, declared once, read from the environment.

Defaults run on one machine with no set-up (SQLite file under ./instance). Each setting is
documented here and nowhere else; README.md points to this file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    # SQLAlchemy URL of the database. SQLite (WAL mode) by default; for PostgreSQL use
    # postgresql+psycopg://user@host:5432/dbname.
    database_url: str = field(
        default_factory=lambda: _env("TURNUS_DATABASE_URL", "sqlite:///instance/turnus.db")
    )
    # Wall-clock seconds one script or expression may run before the case goes into an incident.
    sandbox_timeout: float = field(default_factory=lambda: float(_env("TURNUS_SANDBOX_TIMEOUT", "2")))
    # Address-space limit of a sandbox worker process, in MiB (stops memory bombs).
    sandbox_memory_mb: int = field(default_factory=lambda: int(_env("TURNUS_SANDBOX_MEMORY_MB", "512")))
    # Number of pre-forked sandbox worker processes per engine process.
    sandbox_workers: int = field(default_factory=lambda: int(_env("TURNUS_SANDBOX_WORKERS", "2")))
    # Largest BPMN/DMN file accepted by deploy, in bytes.
    max_definition_bytes: int = field(
        default_factory=lambda: int(_env("TURNUS_MAX_DEFINITION_BYTES", str(5 * 1024 * 1024)))
    )
    # Work budget of one command (engine/runtime/budget.py): task state changes it may cause, and wall
    # seconds it may run. Past either, the command is rolled back and the case gets an incident. A rotation
    # command takes a few hundred steps; the write lock is held at most about this long.
    work_max_steps: int = field(default_factory=lambda: int(_env("TURNUS_WORK_MAX_STEPS", "20000")))
    work_max_seconds: float = field(default_factory=lambda: float(_env("TURNUS_WORK_MAX_SECONDS", "5")))
    # Seconds a command waits for a lock another command holds (SQLite busy timeout, PostgreSQL lock_timeout)
    # before it gives up with "busy, try again" (exit 1, HTTP 503): longer than the work budget, so a
    # command queued behind a runaway still runs once the runaway is stopped.
    lock_wait_seconds: float = field(default_factory=lambda: float(_env("TURNUS_LOCK_WAIT_SECONDS", "30")))
    # How often a command retries after an optimistic-lock conflict on a case it did not lose.
    conflict_retries: int = field(default_factory=lambda: int(_env("TURNUS_CONFLICT_RETRIES", "8")))
    # File holding the secret that signs chain-head digests (`turnus audit digest`). Keep it outside the
    # database and out of the database user's reach; unset, digest commands refuse to run.
    audit_key_file: str | None = field(default_factory=lambda: os.environ.get("TURNUS_AUDIT_KEY_FILE") or None)
    # IANA time zone in which zone-less date-times are read: due and follow-up dates of user tasks (a plain
    # date means the end of that day there) and computed timer dates without an offset.
    time_zone: str = field(default_factory=lambda: _env("TURNUS_TIME_ZONE", "Europe/Copenhagen"))
    # Days an access-log entry is kept; older ones are deleted by the timer thread / `turnus audit
    # purge-access-log` (about six months by default, common Danish public-sector practice).
    access_log_retention_days: int = field(
        default_factory=lambda: int(_env("TURNUS_ACCESS_LOG_RETENTION_DAYS", "183"))
    )


def load_settings() -> Settings:
    return Settings()


@lru_cache(maxsize=8)
def _zone_named(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_zone() -> ZoneInfo:
    """The zone in which zone-less date-times are read (``time_zone``, TURNUS_TIME_ZONE)."""
    return _zone_named(load_settings().time_zone)
