"""The event kinds a webhook can subscribe to, and the case events (engine/audit) each one is made from."""

from __future__ import annotations

CASE_STARTED = "case.started"
CASE_FINISHED = "case.finished"
TASK_CREATED = "task.created"
TASK_COMPLETED = "task.completed"
INCIDENT_RAISED = "incident.raised"
KINDS = (CASE_STARTED, CASE_FINISHED, TASK_CREATED, TASK_COMPLETED, INCIDENT_RAISED)

# case event kind -> webhook event kind; other case events (gateways, comments, timers...) send nothing
FROM_CASE_EVENT = {
    "case_started": CASE_STARTED,
    "case_completed": CASE_FINISHED,
    "case_cancelled": CASE_FINISHED,
    "task_created": TASK_CREATED,
    "task_completed": TASK_COMPLETED,
    "incident_raised": INCIDENT_RAISED,
}
OUTCOME = {"case_completed": "completed", "case_cancelled": "cancelled"}

# Fields of a case event's payload a webhook body never carries: the case data and form values may hold personal
# data; a receiver that needs them reads the case through the API with a token of its own.
WITHHELD = frozenset({"data", "changes", "version_id"})
