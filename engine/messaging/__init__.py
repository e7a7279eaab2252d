"""Messages and signals from outside a case (issue 12).

- A **message** goes to one case: by case id, or by business key; with neither (or when no case with that
  key waits for it) it starts a new case of the process whose start event is that message. Its data is
  merged into the case data at the element that catches it (intermediate catch event, boundary event,
  receive task, event-based gateway, message start event).
- A **signal** goes to every case waiting for it, and starts a case of every process whose start event is
  that signal. A signal throw event inside a process reaches the other cases in the same transaction.

Every running case's waits are kept in ``event_subscriptions`` by each command's commit, so neither
correlation nor a broadcast ever loads a case that does not wait for the event.
"""
