"""The schema. Alembic migrations in engine/store/migrations must match it (a test checks)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# The per-element statistics tables live in a module of their own (this one is long enough), in the same
# MetaData; importing them here means whoever reads the schema from this module sees them too.
from engine.store.meta import metadata
from engine.store.stats_tables import (  # noqa: F401
    element_case_seen,
    element_counts,
    element_duration_buckets,
    element_durations,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (naive storage) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


TS = UTCDateTime()

users = Table(
    "users",
    metadata,
    Column("name", String(100), primary_key=True),  # the id's key: lower-case (engine.identity.key_of)
    Column("login", String(100)),  # the id as written ("aUser"); NULL on rows from before issue 25 (= name)
    Column("display_name", String(200), nullable=False),
    Column("email", String(320)),
    Column("password_hash", String(300)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", TS, nullable=False),
    Column("language", String(5)),  # da | en for mails; unset means Danish
    Column("last_sign_in_at", TS),  # set by every new web session; shown in the operator's console
    # Who vouches for the user (issue 25): NULL for a local account, "oidc" or "saml" for one the directory
    # made; such a user has no password, and its groups and roles are replaced at every sign-in.
    Column("directory", String(10)),
    Column("subject", String(255)),  # the directory's own id for them ("sub"), for back-channel logout
)

groups = Table(
    "groups",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("display_name", String(200), nullable=False),
)

memberships = Table(
    "memberships",
    metadata,
    Column("user_name", String(100), ForeignKey("users.name"), primary_key=True),
    Column("group_name", String(100), ForeignKey("groups.name"), primary_key=True),
)

user_roles = Table(
    "user_roles",
    metadata,
    Column("user_name", String(100), ForeignKey("users.name"), primary_key=True),
    Column("role", String(40), primary_key=True),
)

definitions = Table(
    "definitions",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("latest_version", Integer, nullable=False),
)

definition_versions = Table(
    "definition_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), ForeignKey("definitions.key"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("name", String(300), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("spec_json", Text, nullable=False),
    Column("meta_json", Text, nullable=False),
    Column("warnings_json", Text, nullable=False),
    Column("deployed_by", String(100), nullable=False),
    Column("deployed_at", TS, nullable=False),
    UniqueConstraint("key", "version"),
)

definition_files = Table(
    "definition_files",
    metadata,
    Column("version_id", Integer, ForeignKey("definition_versions.id"), primary_key=True),
    Column("file_name", String(300), primary_key=True),
    Column("content", LargeBinary, nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("version_id", Integer, ForeignKey("definition_versions.id"), nullable=False),
    Column("key", String(200), nullable=False, index=True),
    Column("status", String(20), nullable=False, index=True),  # running | completed | cancelled
    Column("title", String(300), nullable=False),
    Column("business_key", String(200), index=True),  # messages correlate by it
    Column("started_by", String(100), nullable=False, index=True),
    Column("started_at", TS, nullable=False),
    Column("ended_at", TS),
    Column("end_event", String(200)),
    Column("next_timer_at", TS, index=True),
    Column("next_timer_name", String(300)),  # the BPMN name of that timer, so "waiting on" can say what it waits for
    Column("incident_json", Text),  # set while the case is stuck on a failed script/expression
    # The case data as live.case_data() gives it, as JSON, written by every command that runs the workflow, so
    # reading a case needs no restore. NULL: written before migration 0008, or not plain JSON (then restored).
    Column("data_json", Text),
    Column("row_version", Integer, nullable=False),
    Column("last_event_seq", Integer, nullable=False),
    Column("last_event_hash", String(64), nullable=False),
    # The auditors' search: newest first, paginated (and by definition version); statistics per version.
    Index("ix_cases_started_at_id", "started_at", "id"),
    Index("ix_cases_version_id_started_at", "version_id", "started_at"),
)

# The live SpiffWorkflow state, one row per task so a save writes only what changed.
case_state = Table(
    "case_state",
    metadata,
    Column("case_id", String(36), ForeignKey("cases.id"), primary_key=True),
    Column("header_json", Text, nullable=False),
)

case_state_tasks = Table(
    "case_state_tasks",
    metadata,
    Column("case_id", String(36), ForeignKey("cases.id"), primary_key=True),
    Column("task_id", String(36), primary_key=True),
    Column("body_json", Text, nullable=False),
)

# What each running case waits for from outside: a message or a signal caught by an element. Correlation and
# broadcast read only this, never the workflows (kept in line by every command's commit).
event_subscriptions = Table(
    "event_subscriptions",
    metadata,
    Column("case_id", String(36), ForeignKey("cases.id"), primary_key=True),
    Column("kind", String(10), primary_key=True),  # message | signal
    Column("name", String(200), primary_key=True),
    Column("element_id", String(200), primary_key=True),
    Index("ix_event_subscriptions_kind_name", "kind", "name"),
)

# The inbox projection: read without loading any workflow.
tasks = Table(
    "tasks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False, index=True),
    Column("element_id", String(200), nullable=False),
    Column("name", String(300), nullable=False),
    Column("lane", String(200)),
    Column("state", String(20), nullable=False),  # open | completed | cancelled
    # A copy of the case's title (fixed at its start), so sorting a list by it reads no case rows.
    Column("case_title", String(300)),
    Column("assignee", String(100), index=True),
    Column("candidate_users", Text, nullable=False),  # JSON list, for display
    Column("candidate_groups", Text, nullable=False),  # JSON list, for display
    Column("due_at", TS),
    Column("follow_up_at", TS),
    Column("priority", Integer, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("completed_at", TS),
    Column("completed_by", String(100), index=True),  # the auditors' search by participant
    # The due time until the overdue sweep has looked at this task once (then NULL): the sweep reads only the
    # index range up to now, so its cost does not grow with the tasks that were checked already.
    Column("overdue_check_at", TS, index=True),
    Index("ix_tasks_state_assignee", "state", "assignee"),
    Index("ix_tasks_state_element_id", "state", "element_id"),  # search by current step (id or name)
    Index("ix_tasks_state_name", "state", "name"),
    # The inbox: open tasks in its order, covering counts, the candidate probe and the page's ids (issue 11).
    Index("ix_tasks_inbox_order", "state", "due_at", "priority", "created_at", "id", "case_id"),
    # One case's tasks in a state, of given steps (duty rules: who completed the earlier steps; a command's open
    # rows). Without statistics SQLite read every completed task of the step in every case through
    # ix_tasks_state_element_id: 26 ms of the task page at 100,000 cases. ix_tasks_case_id stays: with it gone,
    # SQLite chose ix_tasks_assignee for "this case, this assignee".
    Index("ix_tasks_case_state_element", "case_id", "state", "element_id"),
)

task_candidates = Table(
    "task_candidates",
    metadata,
    Column("task_id", String(36), ForeignKey("tasks.id"), primary_key=True),
    Column("kind", String(5), primary_key=True),  # user | group
    Column("name", String(100), primary_key=True),
    Index("ix_task_candidates_kind_name", "kind", "name"),
)

# The candidates of open tasks only (engine/cases/relations.py): a group list is one index range.
open_candidates = Table(
    "open_candidates",
    metadata,
    Column("task_id", String(36), ForeignKey("tasks.id"), primary_key=True),
    Column("kind", String(5), primary_key=True),  # user | group
    Column("name", String(100), primary_key=True),
    Index("ix_open_candidates_kind_name_task_id", "kind", "name", "task_id"),
)

# Who takes part in each case (engine/cases/relations.py): access checks and My cases read it by index.
case_participants = Table(
    "case_participants",
    metadata,
    Column("case_id", String(36), ForeignKey("cases.id"), primary_key=True),
    Column("kind", String(5), primary_key=True),  # user | group
    Column("name", String(100), primary_key=True),
    Column("started_at", TS, nullable=False),  # the case's, so someone's newest cases come from the index
    Index("ix_case_participants_kind_name_started_at", "kind", "name", "started_at", "case_id"),
)

case_events = Table(
    "case_events",
    metadata,
    Column("case_id", String(36), ForeignKey("cases.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("at", TS, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("element_id", String(200)),
    Column("task_id", String(36)),
    Column("payload_json", Text, nullable=False),
    Column("version_id", Integer, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # Per-element statistics of a definition version, answered from the index alone.
    Index("ix_case_events_version_id_element_id_kind_case_id", "version_id", "element_id", "kind", "case_id"),
)

access_log = Table(
    "access_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", TS, nullable=False, index=True),
    Column("actor", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("object", String(200), nullable=False),
    Column("purpose", String(200), nullable=False),
    Column("subject", String(100), index=True),  # whose personal data was touched, if a person's
)

task_drafts = Table(
    "task_drafts",
    metadata,
    Column("task_id", String(36), ForeignKey("tasks.id"), primary_key=True),
    Column("user_name", String(100), primary_key=True),
    Column("data_json", Text, nullable=False),
    Column("saved_at", TS, nullable=False),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), ForeignKey("cases.id"), index=True),
    Column("task_id", String(36)),
    Column("file_name", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", String(100), nullable=False),
    Column("uploaded_at", TS, nullable=False),
)

# Signed-in web sessions. The cookie carries a random token; only its SHA-256 is stored, so a copy of this
# table signs nobody in. Signing out deletes the row, which ends the session on the server.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_name", String(100), nullable=False, index=True),
    Column("created_at", TS, nullable=False),
    Column("last_seen_at", TS, nullable=False),
    # The provider's session id ("sid" in the ID token), so its back-channel logout can end this session.
    Column("directory_sid", String(255), index=True),
)

# Fixed-window counters of the `limits` library (sign-in throttling), shared by every web process.
rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),  # epoch seconds, as `limits` reports them
)

# Notifications, written in the transaction of the event that causes them and sent after commit
# (engine/notify). One row per recipient; a row is never sent twice unless a sender died between the SMTP
# server's acceptance and the commit of "sent" (then it goes again with the same Message-ID).
outbox = Table(
    "outbox",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(30), nullable=False),  # see engine/notify/kinds.py
    Column("recipient", String(100), nullable=False, index=True),
    Column("case_id", String(36)),
    Column("task_id", String(36)),
    Column("payload_json", Text, nullable=False),
    Column("created_at", TS, nullable=False),
    # pending | sending | sent | failed | skipped (kind switched off, no address) | held (for the digest) | digested
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", TS),
    Column("claim_token", String(36)),
    Column("claimed_at", TS),
    Column("sent_at", TS),
    Column("transport", String(10)),  # smtp | log
    Column("subject", String(300)),
    Column("body", Text),
    Column("last_error", Text),
    Column("dedup_key", String(200), unique=True),  # one digest per user and day
    Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
)

# Per user and kind: "now" (the default when no row), "digest" (once a day) or "off".
notification_prefs = Table(
    "notification_prefs",
    metadata,
    Column("user_name", String(100), ForeignKey("users.name"), primary_key=True),
    Column("kind", String(30), primary_key=True),
    Column("mode", String(10), nullable=False),
)

# One row per timer loop (a `turnus worker` process or the thread inside `turnus serve`): the operator's console,
# /readyz and /metrics read when each last did a round. A loop deletes its row when it stops cleanly.
worker_heartbeats = Table(
    "worker_heartbeats",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(10), nullable=False),  # worker | thread
    Column("host", String(200), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", TS, nullable=False),
    Column("last_beat_at", TS, nullable=False, index=True),
    Column("work_last_minute", Integer, nullable=False),  # timers fired, notices, digests, mails in the last 60 s
)

# Bearer tokens of the HTTP API (/api/v1): only the SHA-256 of the token is kept, so the table leaks nothing.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_name", String(100), ForeignKey("users.name"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scopes", String(300), nullable=False),  # space-separated, e.g. "cases:read tasks:write"
    Column("created_at", TS, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("expires_at", TS),
    Column("last_used_at", TS),
    Column("revoked_at", TS),
    Column("revoked_by", String(100)),
)

# Idempotency-Key of the API's POSTs: per user, the first response is replayed for 24 hours.
api_idempotency = Table(
    "api_idempotency",
    metadata,
    Column("user_name", String(100), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),  # method, path and body
    Column("status", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("location", String(300)),
    Column("created_at", TS, nullable=False, index=True),
)

# A definition an administrator has suspended (issue 24): no new cases of any of its versions — by hand, by
# message or signal — while running cases go on. Resuming deletes the row; both are in admin_log.
definition_suspensions = Table(
    "definition_suspensions",
    metadata,
    Column("key", String(200), ForeignKey("definitions.key"), primary_key=True),
    Column("suspended_by", String(100), nullable=False),
    Column("suspended_at", TS, nullable=False),
    Column("reason", Text, nullable=False),
)

# The operator's console's own audit trail (issue 24): every change an administrator makes that is not a case
# event — suspending a definition, users, groups, roles, resent or discarded mail. Append-only, like
# case_events; auditors read it beside the access log (`Engine.admin_log`).
admin_log = Table(
    "admin_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", TS, nullable=False, index=True),
    Column("actor", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("object", String(300), nullable=False),  # e.g. "definition:review", "user:rita"
    Column("reason", Text, nullable=False),
    Column("details_json", Text, nullable=False),
)

# Webhook subscriptions (issue 23): an administrator's URL and the event kinds it wants. The secret is kept as
# given out (``whsec_…``) because the sender signs with it; it is shown once, at creation, and never listed.
webhooks = Table(
    "webhooks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("url", String(2000), nullable=False),
    Column("events", String(300), nullable=False),  # space-separated, e.g. "case.started task.created"
    Column("secret", String(100), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("removed_by", String(100)),
    Column("removed_at", TS),
)

# One row per subscription and case event, written in the event's transaction (engine/webhooks/outbox.py) and
# posted after commit (engine/webhooks/delivery.py). The id (``msg_…``) is the Standard Webhooks webhook-id:
# it stays the same on every retry so a receiver can drop a second copy.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("webhook_id", String(36), ForeignKey("webhooks.id"), nullable=False, index=True),
    Column("event", String(30), nullable=False),
    Column("case_id", String(36)),
    Column("event_seq", Integer, nullable=False),  # the case event's number: posted in the case's order
    Column("body", Text, nullable=False),  # the exact bytes signed and sent (UTF-8 JSON)
    Column("created_at", TS, nullable=False),
    Column("status", String(10), nullable=False),  # pending | sending | delivered | failed | discarded
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", TS),
    Column("claim_token", String(36)),
    Column("claimed_at", TS),
    Column("delivered_at", TS),
    Column("last_error", Text),
    Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
)

# External tasks (issue 23): one row per service task instance with camunda:type="external" a case waits at, kept in
# line with the workflow by every command's commit (engine.cases.external), so nothing reached is ever lost and a
# worker's fetch reads only this table. A row stays after the task ends (state completed | cancelled), so a late
# worker is told what became of it.
external_tasks = Table(
    "external_tasks",
    metadata,
    Column("id", String(36), primary_key=True),  # the SpiffWorkflow task id
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False, index=True),
    Column("element_id", String(200), nullable=False),
    Column("element_name", String(300), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("state", String(20), nullable=False),  # open | completed | cancelled
    Column("worker_id", String(200)),  # who holds the lock (NULL: nobody)
    Column("lock_expires_at", TS),
    Column("retries", Integer),  # NULL until a worker reports a failure; 0: an incident on the case
    Column("error_message", Text),
    Column("error_details", Text),
    Column("next_fetch_at", TS),  # after a failure with a retry timeout: not fetched before
    Column("data_json", Text, nullable=False),  # the instance's data, as the worker receives it
    Column("created_at", TS, nullable=False),
    Column("ended_at", TS),
    Column("ended_by", String(100)),
    # A fetch: the open tasks of some topics, oldest first.
    Index("ix_external_tasks_topic_state_created", "topic", "state", "created_at"),
)
