"""The Engine's webhooks (issue 23 item 7): administrators add, list and remove subscriptions and act on
failed deliveries (each change in the administrators' log); the timer loop posts the due deliveries.

The HTTP sender (urllib) is imported by the timer-loop step that uses it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from engine.audit import admin_log
from engine.service.admin import _reason, _require_admin
from engine.service.base import EngineCore
from engine.webhooks import queue, subscriptions
from engine.webhooks.subscriptions import Webhook


@dataclass(frozen=True)
class WebhookReport:
    delivered: int = 0
    retrying: int = 0
    given_up: int = 0


class WebhookCommands(EngineCore):
    """One capability of the ``Engine`` facade (engine/service/facade.py)."""

    def add_webhook(self, url: str, events: Iterable[str], actor: str) -> tuple[Webhook, str]:
        """Subscribe ``url`` to ``events``; returns the subscription and its secret (shown this once)."""
        def run(conn: Connection, now: datetime) -> tuple[Webhook, str]:
            _require_admin(self._user(conn, actor))
            hook, secret = subscriptions.add(conn, url, events, actor, now)
            admin_log.write(conn, now, actor, "webhook_added", f"webhook:{hook.id}", "", url=hook.url,
                            events=list(hook.events))
            return hook, secret
        return self._write(run)

    def webhooks(self, actor: str, *, include_removed: bool = False) -> list[Webhook]:
        def run(conn: Connection) -> list[Webhook]:
            _require_admin(self._user(conn, actor))
            return subscriptions.listed(conn, include_removed=include_removed)
        return self._read(run)

    def remove_webhook(self, hook_id: str, actor: str) -> Webhook:
        """Stop sending to a subscription; its waiting deliveries are discarded."""
        def run(conn: Connection, now: datetime) -> Webhook:
            _require_admin(self._user(conn, actor))
            hook = subscriptions.remove(conn, hook_id, actor, now)
            admin_log.write(conn, now, actor, "webhook_removed", f"webhook:{hook.id}", "", url=hook.url)
            return hook
        return self._write(run)

    def webhook_deliveries(self, actor: str, *, failed_only: bool = False,
                           waiting_only: bool = False) -> list[queue.Delivery]:
        """Deliveries, newest first: all, the failed ones, or those still waiting or failed (the console's)."""
        def run(conn: Connection) -> list[queue.Delivery]:
            _require_admin(self._user(conn, actor))
            return queue.listed(conn, failed_only=failed_only, waiting_only=waiting_only)
        return self._read(run)

    def resend_webhook(self, delivery_id: str, actor: str, reason: str) -> None:
        why = _reason(reason)

        def run(conn: Connection, now: datetime) -> None:
            _require_admin(self._user(conn, actor))
            queue.resend(conn, delivery_id, now)
            admin_log.write(conn, now, actor, "webhook_resent", f"webhook_delivery:{delivery_id}", why)
        self._write(run)

    def discard_webhook(self, delivery_id: str, actor: str, reason: str) -> None:
        why = _reason(reason)

        def run(conn: Connection, now: datetime) -> None:
            _require_admin(self._user(conn, actor))
            queue.discard(conn, delivery_id)
            admin_log.write(conn, now, actor, "webhook_discarded", f"webhook_delivery:{delivery_id}", why)
        self._write(run)

    def deliver_webhooks(self, limit: int = 200) -> WebhookReport:
        """Post the due deliveries (at most ``limit`` this round): each claimed in a short transaction, posted with
        none open, its outcome recorded in another."""
        from engine.webhooks import delivery

        delivered = retrying = given_up = done = 0
        while done < limit:
            take = min(delivery.BATCH, limit - done)
            batch = self._write(lambda conn, now, n=take: delivery.claim(conn, now, self.settings, n))
            for claimed in batch:
                error = delivery.post(claimed, int(self.clock.now().timestamp()),
                                      self.settings.webhook_timeout_seconds)
                if error is None:
                    self._write(lambda conn, now, c=claimed: delivery.mark_delivered(conn, c, now))
                    delivered += 1
                elif self._write(lambda conn, now, c=claimed, e=error:
                                 delivery.mark_failed(conn, c, now, e, self.settings)):
                    given_up += 1
                else:
                    retrying += 1
            done += len(batch)
            if len(batch) < delivery.BATCH:
                break
        return WebhookReport(delivered, retrying, given_up)
