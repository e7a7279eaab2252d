"""Webhooks (issue 23 item 7): administrators subscribe a URL to kinds of case events; each event writes one
delivery per matching subscription into an outbox in the event's own transaction, and the timer loop posts it
after commit, signed as the Standard Webhooks specification describes, retried with back-off.

Below engine.audit (whose event writer calls ``outbox.enqueue_events``) and above engine.store.
"""
