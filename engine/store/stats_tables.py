"""Counters behind the auditors' per-element statistics, kept in each event's transaction (engine/audit/stats.py).

Derived data: every row can be recomputed from ``case_events`` and ``tasks`` (migration 0019 does so), which is
why there are no foreign keys — a tamperer's deleted case leaves counters behind that `turnus audit live` finds.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table

from engine.store.meta import metadata

# Per element of a definition version: how often it ran and in how many cases (events of the kinds in
# engine/audit/stats.py RAN, under the event's version).
element_counts = Table(
    "element_counts",
    metadata,
    Column("version_id", Integer, primary_key=True),
    Column("element_id", String(200), primary_key=True),
    Column("runs", Integer, nullable=False),
    Column("cases", Integer, nullable=False),
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
# moves them, as the statistics always counted them), with its bucket: the whole seconds' number of digits and
# first two digits (engine/audit/stats.py bucket_of), so buckets rise with the time.
element_durations = Table(
    "element_durations",
    metadata,
    Column("task_id", String(36), primary_key=True),
    Column("version_id", Integer, nullable=False),
    Column("element_id", String(200), nullable=False),
    Column("bucket", Integer, nullable=False),
    Column("seconds", Float, nullable=False),
    Index("ix_element_durations_version_id_element_id_bucket_seconds", "version_id", "element_id", "bucket",
          "seconds"),
)

# How many durations each bucket holds. A rank (the median's, the 90th percentile's) is found by adding up an
# element's few hundred bucket counts, then read at an offset inside one bucket: a walk of a few hundred index
# entries, where an OFFSET over all of them walked half of every completion (and on PostgreSQL, until a vacuum
# had marked the pages all-visible, fetched each one from the table: 255 ms at 100,000 cases).
element_duration_buckets = Table(
    "element_duration_buckets",
    metadata,
    Column("version_id", Integer, primary_key=True),
    Column("element_id", String(200), primary_key=True),
    Column("bucket", Integer, primary_key=True),
    Column("tasks", Integer, nullable=False),
)
