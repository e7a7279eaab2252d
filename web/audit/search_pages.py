"""Search across cases and per-version element statistics."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import render_template, request
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from engine.audit.search import STATUSES, CaseFilter
from web.audit.blueprint import auditor_required, bp
from web.audit.heat import METRICS, heat_map, labels
from web.deps import engine, user
from web.present import status_label

LOCAL = ZoneInfo("Europe/Copenhagen")
PAGE_SIZE = 25


def _day(name: str, errors: list[str]) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("“%(value)s” is not a date: write it as yyyy-mm-dd.", value=raw[:40]))
        return None


def _int(name: str, errors: list[str], default: int | None = None, low: int = 1, high: int = 100_000) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        errors.append(_("“%(value)s” is not a whole number from %(low)s to %(high)s.", value=raw[:40], low=low,
                        high=high))
        return default
    return int(raw)


def _midnight(d: date | None) -> datetime | None:
    return datetime.combine(d, time(), LOCAL).astimezone(UTC) if d else None


@bp.route("/")
@auditor_required
def search() -> Any:
    errors: list[str] = []
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    defs = engine().definitions()
    key = request.args.get("key", "")
    key = key if key in {d.key for d in defs} else ""
    day_from, day_to = _day("from", errors), _day("to", errors)
    version = _int("version", errors)
    page = _int("page", errors, 1) or 1
    purpose = request.args.get("purpose", "").strip()[:200] or _("audit")
    f = CaseFilter(status=status or None, key=key or None, version=version, started_from=_midnight(day_from),
                   started_before=_midnight(day_to + timedelta(days=1)) if day_to else None,
                   participant=request.args.get("participant", "").strip()[:100] or None,
                   step=request.args.get("step", "").strip()[:200] or None,
                   text=request.args.get("q", "").strip()[:200] or None)
    hits, total = engine().audit_search(user().name, f, page=page, page_size=PAGE_SIZE, purpose=purpose)
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("audit/search.html", hits=hits, total=total, page=page, pages=pages, args=args,
                           errors=errors, statuses=STATUSES, status=status, defs=defs, key=key,
                           status_label=status_label), 400 if errors else 200


@bp.route("/statistics/<id:key>")
@auditor_required
def statistics(key: str) -> Any:
    errors: list[str] = []
    version = _int("version", errors)
    by = request.args.get("by", "cases")
    by = by if by in METRICS else "cases"
    info, stats = engine().element_stats(user().name, key, version)
    names = dict(info.element_names)
    top = max((s.cases for s in stats), default=0)
    classes, bands = heat_map(stats, by)
    shown = (lambda v: str(round(v))) if by == "cases" else _duration
    return render_template("audit/statistics.html", info=info, stats=stats, names=names, top=top,
                           errors=errors, duration=_duration, by=by, bands=bands, shown=shown,
                           heat={"classes": classes, "labels": labels(stats, by, _duration)})


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 3600:
        return _("%(n)s min", n=round(seconds / 60))
    if seconds < 86400 * 2:
        return _("%(n)s h", n=round(seconds / 3600, 1))
    days = round(seconds / 86400, 1)
    # a fraction takes the plural ("1,5 dage"); ngettext wants a whole number
    return ngettext("%(n)s day", "%(n)s days", int(days) if days.is_integer() else 2, n=format_decimal(days))
