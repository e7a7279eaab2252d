"""Notifications: an outbox written in the transaction of the event that causes it, sent after commit.

``outbox`` writes rows (and wakes the senders), ``recipients`` decides who is told about what (through
engine.identity's policy), ``sender`` claims, sends and marks rows, ``sweeps`` finds overdue tasks and builds
daily digests, ``render`` writes the mails in the recipient's language.
"""
