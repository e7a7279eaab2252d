"""Persistence: SQLAlchemy Core tables, database set-up, Alembic migrations, unit of work."""
