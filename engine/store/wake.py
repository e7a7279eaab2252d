"""Waking the timer thread and the workers when a transaction that gave them work commits (new mail, a webhook
delivery, an earlier timer). Here, below every writer of such work, so the notifiers and the webhooks share it."""

from __future__ import annotations

from sqlalchemy import Connection, text

WAKE_CHANNEL = "turnus_wake"


def wake(conn: Connection) -> None:
    """Ask the timer thread and the workers to look again once this transaction commits.

    On PostgreSQL a NOTIFY is delivered at commit (and dropped on rollback); ``Engine._write`` reads the flag
    after commit to wake the in-process thread.
    """
    if conn.info.get("turnus_wake"):
        return
    conn.info["turnus_wake"] = True
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"NOTIFY {WAKE_CHANNEL}"))
