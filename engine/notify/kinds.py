"""The kinds of notification and the modes a user can choose for each."""

from __future__ import annotations

TASK_ASSIGNED = "task_assigned"  # a task was given to me (by the model or by a colleague)
TASK_OFFERED = "task_offered"  # a new task is offered to me or to a group of mine
REMINDER = "reminder"  # a task reached from a non-interrupting boundary timer (engine/runtime/workflow.py)
OVERDUE = "overdue"  # an open task of mine passed its due time (once per task)
CASE_FINISHED = "case_finished"  # a case I started completed or was cancelled
DIGEST = "digest"  # the daily summary of the kinds a user chose to get that way

KINDS = (TASK_ASSIGNED, TASK_OFFERED, REMINDER, OVERDUE, CASE_FINISHED)
MODES = ("now", "digest", "off")
LANGUAGES = ("da", "en")
