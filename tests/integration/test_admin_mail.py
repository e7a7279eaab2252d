"""Mail in the operator's console: pending and failed mail with its error; resend and discard with a reason in
the administrators' log; a mail already dealt with is refused, not changed twice."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.notify.outbox import enqueue
from engine.service import Engine
from engine.store.tables import outbox


def test_failed_mail_resent_then_discarded(engine: Engine) -> None:
    engine.add_user("rita")
    engine.add_user("admin", roles=["admin"])
    engine.add_user("audrey", roles=["auditor"])
    with engine.db.begin() as conn:  # a mail the sender gave up on after its retries
        mail_id = enqueue(conn, "task_assigned", "rita", engine.clock.now(), status="failed")
        conn.execute(update(outbox).where(outbox.c.id == mail_id).values(
            attempts=5, last_error="550 mailbox unavailable"))
    [row] = engine.mail_queue("admin")
    assert (row.id, row.status, row.attempts, row.last_error) == (mail_id, "failed", 5, "550 mailbox unavailable")
    with pytest.raises(Forbidden):
        engine.mail_queue("rita")
    with pytest.raises(InvalidInput):
        engine.resend_mail(mail_id, "admin", "")
    engine.resend_mail(mail_id, "admin", "Address fixed")
    [row] = engine.mail_queue("admin")
    assert row.status == "pending" and row.attempts == 0
    engine.discard_mail(mail_id, "admin", "Not needed any more")
    assert engine.mail_queue("admin") == []
    with pytest.raises(Conflict) as err:
        engine.resend_mail(mail_id, "admin", "too late")
    assert err.value.reason == "mail_moved"
    with pytest.raises(NotFound):
        engine.discard_mail("nope", "admin", "typo")
    assert [(e.action, e.reason) for e in engine.admin_log("audrey", "mail:")] == [
        ("mail_discarded", "Not needed any more"), ("mail_resent", "Address fixed")]
