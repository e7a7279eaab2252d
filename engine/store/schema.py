"""Create or upgrade the schema with Alembic (the migrations live beside this file)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(db: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection_engine"] = db
    return cfg


def current_revision(db: Engine) -> str | None:
    with db.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Engine) -> str:
    """Bring the database to the newest revision; returns it. Safe to run again."""
    cfg = alembic_config(db)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    if current_revision(db) != head:
        command.upgrade(cfg, "head")
    return head or ""
