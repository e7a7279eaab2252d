"""Counters behind the auditors' per-element statistics, kept in each event's transaction (engine/audit/stats.py).

Derived data: every row can be recomputed from ``case_events`` and ``tasks`` (migration 0019 does so), which is
why there are no foreign keys — a tamperer's deleted case leaves counters behind that `turnus audit live` finds.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table

from engine.store.meta import metadata

# Per element of a definition version: how often it ran and in how many cases (events of the kinds in
# engine/audit/stats.py RAN, under the event's version), and how many completed user tasks element_durations holds.
element_counts = Table(
    "element_counts",
    metadata,
    Column("version_id", Integer, primary_key=True),
    Column("element_id", String(200), primary_key=True),
    Column("runs", Integer, nullable=False),
    Column("cases", Integer, nullable=False),
    Column("timed", Integer, nullable=False),
)

# Which cases have passed an element under a version: a case counts once in element_counts.cases however often
# it runs the element. The version is part of the key because a migrated case counts under both versions.
element_case_seen = Table(
    "element_case_seen",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("version_id", Integer, primary_key=True),
    Column("element_id", String(200), primary_key=True),
)

# Every completed user task's time from creation to completion, under its case's current version (a migration
# moves them, as the statistics always counted them). Ordered by the index, the median and the 90th percentile
# are two OFFSET reads of one index range, not a sort of every completion.
element_durations = Table(
    "element_durations",
    metadata,
    Column("task_id", String(36), primary_key=True),
    Column("version_id", Integer, nullable=False),
    Column("element_id", String(200), nullable=False),
    Column("seconds", Float, nullable=False),
    Index("ix_element_durations_version_id_element_id_seconds", "version_id", "element_id", "seconds"),
)
