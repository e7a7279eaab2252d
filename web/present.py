"""How values, statuses and errors read to a person, in the chosen language."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import markdown
import nh3
from flask import Flask
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from engine.errors import FieldError
from engine.forms import CoercionError, FormField, parse_date
from web.deps import display_name, group_names, person_or_group
from web.i18n import count_of, show_date, show_datetime, week_label

_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "code", "pre", "blockquote",
         "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td"}


def instructions(text: str) -> Markup:
    """BPMN documentation: Markdown rendered, then sanitised (no scripts, styles, handlers, images)."""
    if not text or not text.strip():
        return Markup("")
    html = markdown.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    # Headings inside instructions start below the page's own h1/h2 so the outline stays sensible.
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    clean = nh3.clean(html, tags=_TAGS, attributes={"a": {"href", "title"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(clean)


_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}"


def linkify(text: Any) -> Markup:
    """Plain text with its http(s) addresses made links: the text is escaped first, only http/https become
    links, and every link opens without handing this page to the target (rel="noopener noreferrer")."""
    raw = "" if text is None else str(text)
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(raw):
        url = match.group(0)
        while url and url[-1] in _TRAILING:  # "see https://x.dk/a." links the address, not the full stop
            url = url[:-1]
        end = match.start() + len(url)
        out.append(str(escape(raw[pos:match.start()])))
        href = escape(url)
        out.append(f'<a href="{href}" rel="noopener noreferrer">{href}</a>')
        pos = end
    out.append(str(escape(raw[pos:])))
    return Markup("".join(out))


def status_label(status: str) -> str:
    return {"running": _("In progress"), "completed": _("Finished"), "cancelled": _("Cancelled")}.get(status, status)


def task_holders(assignee: str | None, groups: Sequence[str], users: Sequence[str]) -> str:
    """Who a task waits on, as people read it: the assignee, or the candidate groups' and users' names."""
    if assignee:
        return display_name(assignee)
    names = group_names()
    return ", ".join([names.get(g, g) for g in groups] + [display_name(u) for u in users]) or "–"


def holders_text(who: str) -> str:
    """The same from a stored "a, b" list (My cases), each part a user or a group."""
    return ", ".join(person_or_group(part.strip()) for part in who.split(",")) if who else "–"


def timer_wait(name: str | None, at: datetime | None) -> str:
    """What a case with no open task waits for, and when: "Startdato 1.3.2027 kl. 08.00"."""
    if at is None:
        return ""
    return f"{name or _('A date')} {show_datetime(at)}"


def ended_text(status: str, ended_at: datetime | None) -> str:
    """ "Finished 3.4.2027" for a case that has ended."""
    if status == "running" or ended_at is None:
        return ""
    return _("%(status)s %(date)s", status=status_label(status), date=show_date(ended_at))


def yes_no(value: Any) -> str:
    return _("Yes") if value else _("No")


def iso_date(value: Any) -> str | None:
    """An ISO date for a stored date value (ISO or d.m.yyyy), or None."""
    if value in (None, ""):
        return None
    try:
        return parse_date(value).isoformat()
    except CoercionError:
        return None


def format_value(f: FormField | None, value: Any, files: Mapping[str, Any] | None = None) -> str:
    """A recorded value as text: option labels, Ja/Nej, d.m.yyyy (uge N), display names."""
    if value is None or value == "":
        return "–"
    if f is None:
        if isinstance(value, bool):
            return yes_no(value)
        return value if isinstance(value, str) else _json_text(value)
    widget = f.properties.get("widget")
    if f.type == "boolean":
        return yes_no(value)
    if f.type == "enum":
        return next((o.label or o.id for o in f.options if o.id == value), str(value))
    if f.type == "date":
        iso = iso_date(value)
        return f"{show_date(iso)} ({week_label(iso)})" if iso else str(value)
    if widget == "user":
        return display_name(str(value))
    if widget == "file" and files is not None:
        item = files.get(str(value))
        return item.file_name if item else _("(file not available)")
    return str(value)


def _json_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _bound(f: FormField, value: Any) -> str:
    if f.type == "date":
        return show_date(iso_date(value))
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def field_error(f: FormField | None, err: FieldError) -> str:
    """The engine's field error in the user's language, chosen by its code."""
    label = f.display if f else err.field
    params = dict(err.params or {})
    code = err.code
    if code == "required":
        return _("%(label)s must be filled in.", label=label)
    if code == "type":
        kind = params.get("type") or (f.type if f else "string")
        if kind == "long":
            return _("%(label)s must be a whole number, e.g. 12.", label=label)
        if kind == "date":
            return _("%(label)s must be a real date, e.g. 1.5.2027.", label=label)
        if kind == "boolean":
            return _("%(label)s must be yes or no.", label=label)
        return _("%(label)s must be text.", label=label)
    if code == "enum":
        return _("Choose one of the options for %(label)s.", label=label)
    if code == "not_before":
        return _("%(label)s cannot be before %(other)s.", label=label, other=params.get("other", ""))
    if code == "required_if":
        return _("%(label)s must be filled in when %(other)s has this answer.", label=label,
                 other=params.get("other", ""))
    if code == "user_self":
        return _("%(label)s cannot be yourself: choose someone independent of you.", label=label)
    if code in ("user_not_member", "user_unknown"):
        return _("Choose %(label)s from the list: that person cannot be chosen here.", label=label)
    if code in ("min", "max") and f is not None:
        bound = _bound(f, params.get(code, f.min if code == "min" else f.max))
        if f.type == "date":
            if code == "min":
                return _("%(label)s must be %(date)s or later.", label=label, date=bound)
            return _("%(label)s must be %(date)s or earlier.", label=label, date=bound)
        if code == "min":
            return _("%(label)s must be at least %(number)s.", label=label, number=bound)
        return _("%(label)s must be at most %(number)s.", label=label, number=bound)
    if code == "minlength":
        n = params.get("minlength", f.minlength if f else "")
        return ngettext("%(label)s must have at least %(count)s character.",
                        "%(label)s must have at least %(count)s characters.", count_of(n), label=label, count=n)
    if code == "maxlength":
        n = params.get("maxlength", f.maxlength if f else "")
        return ngettext("%(label)s can have at most %(count)s character.",
                        "%(label)s can have at most %(count)s characters.", count_of(n), label=label, count=n)
    if code == "readonly":
        return _("%(label)s cannot be changed.", label=label)
    if code == "unknown":
        return _("%(label)s is not a field of this form.", label=label)
    if code == "file_type":
        return _("%(label)s: this type of file is not allowed. Use PDF, an image, an Office document or text.",
                 label=label)
    if code == "file_size":
        return _("%(label)s: the file is too large (at most %(mb)s MB).", label=label, mb=params.get("mb", ""))
    if code == "file_missing":
        return _("%(label)s: the file is no longer available; choose it again.", label=label)
    return _("%(label)s is not valid.", label=label)


def field_hint(f: FormField, max_upload_mb: int) -> str:
    parts: list[str] = []
    widget = f.properties.get("widget")
    if f.type == "long":
        if f.min is not None and f.max is not None:
            parts.append(_("A whole number from %(min)s to %(max)s.", min=_bound(f, f.min), max=_bound(f, f.max)))
        elif f.min is not None:
            parts.append(_("A whole number, at least %(min)s.", min=_bound(f, f.min)))
        elif f.max is not None:
            parts.append(_("A whole number, at most %(max)s.", max=_bound(f, f.max)))
        else:
            parts.append(_("A whole number."))
    elif f.type == "date":
        if f.min is not None:
            parts.append(_("At the earliest %(date)s.", date=_bound(f, f.min)))
        if f.max is not None:
            parts.append(_("At the latest %(date)s.", date=_bound(f, f.max)))
    elif widget == "file":
        parts.append(_("PDF, image, Office document or text; at most %(mb)s MB.", mb=max_upload_mb))
    elif f.type == "string" and widget != "user":
        if f.minlength is not None:
            parts.append(ngettext("At least %(num)s character.", "At least %(num)s characters.", f.minlength))
        if f.maxlength is not None:
            parts.append(ngettext("At most %(num)s character.", "At most %(num)s characters.", f.maxlength))
    if f.properties.get("web:hint"):  # set by the web itself (a start variable's "One per line.")
        parts.append(f.properties["web:hint"])
    return " ".join(parts)


DEFAULT_PRIORITY = 50  # Camunda's default; a task at it shows no priority at all


def priority_words(priority: int | None) -> str:
    """camunda:priority as a word a participant understands ("" for the default)."""
    if priority is None or priority == DEFAULT_PRIORITY:
        return ""
    if priority >= 80:
        return _("Urgent")
    if priority > DEFAULT_PRIORITY:
        return _("High")
    return _("Low")


def init_filters(app: Flask) -> None:
    """The template filters built on this module (web.i18n registers the date ones it builds on)."""
    app.jinja_env.filters["priority"] = priority_words
    app.jinja_env.filters["linkify"] = linkify
