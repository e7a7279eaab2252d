"""`turnus audit …`: the chain check, exports, the signed digest, the live-state check, the access log.

Added to the root group by engine/cli/main.py.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from engine.cli.common import Ctx, example, when
from engine.errors import InvalidInput


@click.group()
def audit() -> None:
    """Audit trail checks."""


@audit.command("verify", epilog=example("turnus audit verify CASE_ID"))
@click.argument("case_id", required=False)
@click.option("--against", "against", type=click.Path(path_type=Path), default=None,
              help="A signed digest (`turnus audit digest`): also find rewritten chains and deleted cases.")
@click.pass_obj
def audit_verify(obj: Ctx, case_id: str | None, against: Path | None) -> None:
    """Exit 0 if the history is intact; otherwise non-zero and the first bad event."""
    if against is not None:
        try:
            text = against.read_bytes()
        except OSError as err:
            raise InvalidInput(f"Cannot read the digest {against}: {err.strerror}") from None
        failures = obj.engine().verify_against(text)
    else:
        failures = obj.engine().verify(case_id)
    if failures:
        click.echo(f"TAMPERED: {failures[0]}", err=True)
        for more in failures[1:]:
            click.echo(f"TAMPERED: {more}", err=True)
        sys.exit(1)
    click.echo("intact")



def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--since {value!r} is not a date (YYYY-MM-DD) or ISO 8601 date-time") from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


@audit.command("export", epilog="\b\nExample:\n  turnus audit export CASE_ID --format csv")
@click.argument("case_id", required=False)
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xes"]), default="json")
@click.option("--definition", "key", default=None, help="xes: only cases of this process key.")
@click.option("--since", default=None, help="xes: only cases started on or after this date (UTC).")
@click.option("--purpose", default="audit export", help="Why (written to the access log).")
@click.option("--without-definition", "lean", is_flag=True,
              help="json: leave out the definition files (most of the size); check-export still verifies it.")
@click.pass_obj
def audit_export(obj: Ctx, case_id: str | None, fmt: str, key: str | None, since: str | None, purpose: str,
                 lean: bool) -> None:
    """One case's history as JSON or CSV, or a selection's events as XES, to stdout."""
    engine = obj.engine()
    if lean and fmt != "json":
        raise InvalidInput("--without-definition applies to --format json only")
    if fmt == "xes":
        if case_id:
            raise InvalidInput("--format xes exports a selection: use --definition/--since, not a case id")
        engine.export_xes(sys.stdout.buffer, None, key=key, since=_since(since), purpose=purpose)
        return
    if not case_id:
        raise InvalidInput(f"--format {fmt} needs a CASE id")
    body = engine.export_case(case_id, None, fmt, purpose=purpose)
    if lean:
        from engine.audit import export  # here, not at the top: it pulls in SQLAlchemy, which `--help` does not need

        body = export.to_json(export.without_definitions(json.loads(body)))
    click.echo(body, nl=False)


@audit.command("check-export", epilog="\b\nExample:\n  turnus audit check-export case.json")
@click.argument("path", type=click.Path(path_type=Path))
def audit_check_export(path: Path) -> None:
    """Recompute the chain of a JSON export away from the database: exit 0 intact, 1 otherwise."""
    try:
        text = path.read_bytes()
    except OSError as err:
        raise InvalidInput(f"Cannot read {path}: {err.strerror}") from None
    from engine.audit import export  # here, not at the top: it pulls in SQLAlchemy, which `--help` does not need

    case, events = export.load_json(text)
    failure = export.verify_events(case, events)
    if failure:
        click.echo(f"TAMPERED: {failure}", err=True)
        sys.exit(1)
    click.echo(f"intact ({len(events)} events)")


@audit.command("import", epilog="\b\nExample:\n  turnus audit import case.json")
@click.argument("path", type=click.Path(path_type=Path))
@click.pass_obj
def audit_import(obj: Ctx, path: Path) -> None:
    """Load a JSON export (chain checked first) into this database: the same events, readable and verifiable."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InvalidInput(f"Cannot read {path}: {err.strerror}") from None
    case_id, n = obj.engine().import_case(raw)
    click.echo(f"{case_id} imported ({n} events)")


@audit.command("digest", epilog="\b\nExample:\n  turnus audit digest > digest.json")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None, help="Write here instead of stdout.")
@click.pass_obj
def audit_digest(obj: Ctx, out: Path | None) -> None:
    """A signed digest of every case's chain head (key: TURNUS_AUDIT_KEY_FILE). Keep it off the database host."""
    text = json.dumps(obj.engine().make_digest(), indent=1, sort_keys=True)
    if out is None:
        click.echo(text)
        return
    try:
        out.write_text(text + "\n", encoding="utf-8")
    except OSError as err:
        raise InvalidInput(f"Cannot write {out}: {err.strerror}") from None
    click.echo(f"digest written to {out}")


@audit.command("live", epilog="\b\nExample:\n  turnus audit live CASE_ID")
@click.argument("case_id", required=False)
@click.pass_obj
def audit_live(obj: Ctx, case_id: str | None) -> None:
    """Check that each case's stored state agrees with its events: exit 0 consistent, 1 otherwise."""
    problems = obj.engine().check_live_state(case_id)
    for p in problems:
        click.echo(f"INCONSISTENT: {p}", err=True)
    if problems:
        sys.exit(1)
    click.echo("consistent")


@audit.command("access-log", epilog="\b\nExample:\n  turnus audit access-log --as revisor")
@click.option("--actor", default=None)
@click.option("--subject", default=None, help="Whose data.")
@click.option("--since", default=None)
@click.option("--page", default=1, type=click.IntRange(1, 100_000))
@click.pass_obj
def audit_access_log(obj: Ctx, actor: str | None, subject: str | None, since: str | None, page: int) -> None:
    """Who read, searched or exported whose data (newest first, 50 a page)."""
    entries, total = obj.engine().access_log(None, actor=actor, subject=subject, since=_since(since), page=page)
    for e in entries:
        click.echo(f"{when(e.at)}\t{e.actor}\t{e.action}\t{e.object}\t{e.subject or '-'}\t{e.purpose}")
    click.echo(f"{total} entries", err=True)


@audit.command("purge-access-log", epilog="\b\nExample:\n  turnus audit purge-access-log")
@click.pass_obj
def audit_purge(obj: Ctx) -> None:
    """Delete access-log entries older than TURNUS_ACCESS_LOG_RETENTION_DAYS (run daily from cron)."""
    click.echo(f"{obj.engine().purge_access_log()} entries deleted")


COMMANDS = [audit]
