"""Danish by default, English on request; dates as d.m.åååå in Europe/Copenhagen.

Translations are kept as .po files in web/translations; the .mo files are compiled from them when the
app starts (if missing or older), so no build step is needed and no binary file is committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_babel import Babel, format_date, format_datetime, get_locale
from flask_babel import gettext as _

TRANSLATIONS = Path(__file__).parent / "translations"
LANGUAGES = {"da": "Dansk", "en": "English"}
DEFAULT_LANGUAGE = "da"
TIMEZONE = "Europe/Copenhagen"
DATE_PATTERN = "d.M.yyyy"

log = logging.getLogger("turnus.web")


Catalogue = Mapping[str, Callable[[Mapping[str, Any]], str]]  # reason code -> text from readable params


def catalogue_text(catalogue: Catalogue, reason: str | None,
                   readable: Callable[[], Mapping[str, Any]]) -> str | None:
    """The text a catalogue (refusals, audit findings, modeller findings) has for ``reason``, formatted with
    ``readable()``; None if it has none, or if the params do not fit it: the caller then shows its fallback,
    since a wrong or missing param must never turn a message into a server error."""
    message = catalogue.get(reason or "")
    if message is None:
        return None
    try:
        return message(readable())
    except (KeyError, ValueError, TypeError):
        log.warning("message %r could not be formatted with its params", reason)
        return None


def compile_translations(folder: Path = TRANSLATIONS) -> list[Path]:
    """Compile every messages.po whose .mo is missing or older; returns the files written."""
    written = []
    for po_path in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        try:
            tmp = mo_path.with_suffix(".mo.tmp")
            with tmp.open("wb") as out:
                write_mo(out, catalog, use_fuzzy=False)
            tmp.replace(mo_path)
            written.append(mo_path)
        except OSError as err:  # a read-only install: the translations must have been compiled at build time
            log.warning("cannot compile %s: %s", po_path, err)
    return written


def select_locale() -> str:
    lang = session.get("lang") if request else None
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def init_i18n(app: Flask) -> None:
    compile_translations()
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", TIMEZONE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters["day"] = show_date
    app.jinja_env.filters["when"] = show_datetime
    app.jinja_env.filters["week"] = week_label
    app.jinja_env.globals["languages"] = LANGUAGES
    app.jinja_env.globals["current_language"] = lambda: str(get_locale() or DEFAULT_LANGUAGE)


def as_date(value: date | datetime | str | None) -> date | datetime | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def show_date(value: date | datetime | str | None) -> str:
    """d.m.yyyy (a datetime is first put in Copenhagen time); anything unreadable is shown as is."""
    parsed = as_date(value)
    if parsed is None:
        return "" if value is None else str(value)
    return format_date(parsed, DATE_PATTERN)


def show_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_datetime(value, _("d.M.yyyy 'at' HH:mm"))


def week_label(value: date | datetime | str | None) -> str:
    """ "uge 18" / "week 18": the ISO week of a date."""
    parsed = as_date(value)
    if parsed is None:
        return ""
    if isinstance(parsed, datetime):
        parsed = as_date(show_iso(parsed))
    assert isinstance(parsed, date)
    return _("week %(number)s", number=parsed.isocalendar().week)


def show_iso(value: datetime) -> str:
    """The Copenhagen calendar date of an instant, as ISO."""
    from flask_babel import to_user_timezone

    return to_user_timezone(value).date().isoformat()


def count_of(value: object) -> int:
    """A count for ngettext's choice of form ("1 sag", "2 sager"); one that is not a number takes the plural."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 2
