"""`turnus worker`: a process that fires timers and sends mail (TURNUS_TIMERS=workers; issue 13)."""

from __future__ import annotations

import signal

import click

from engine.cli.common import Ctx


@click.command(epilog="\b\nExample:\n  TURNUS_DATABASE_URL=postgresql+psycopg://turnus@db/turnus turnus worker")
@click.option("--once", is_flag=True, help="Do one round (timers, overdue, digests, mail) and exit.")
@click.option("--max-sleep", type=click.FloatRange(0.1), default=None,
              help="Longest sleep between rounds in seconds (default TURNUS_WORKER_MAX_SLEEP).")
@click.pass_obj
def worker(obj: Ctx, once: bool, max_sleep: float | None) -> None:
    """Fire due timers and send the outbox until stopped (SIGTERM or Ctrl+C stop it cleanly).

    Run any number, on any machine: each due case and each mail is claimed by one of them (row locks with
    SKIP LOCKED on PostgreSQL), and a worker that is killed loses nothing. It sleeps until the earliest due
    time and wakes early when a command creates an earlier timer or a mail (LISTEN/NOTIFY on PostgreSQL).
    """
    from engine.worker import TimerLoop, waiter_for

    engine = obj.engine()
    loop = TimerLoop(engine, max_sleep or engine.settings.worker_max_sleep)
    if once:
        done = loop.tick()
        click.echo(", ".join(f"{k} {v}" for k, v in done.items()))
        return
    loop.waiter = waiter_for(engine)
    signal.signal(signal.SIGTERM, lambda *_: loop.stop())
    click.echo(f"worker running on {engine.db.dialect.name} (SIGTERM or Ctrl+C stops it)", err=True)
    try:
        loop.run()
    except KeyboardInterrupt:
        pass
    finally:
        loop.waiter.close()
    click.echo("worker stopped", err=True)


COMMANDS = [worker]
