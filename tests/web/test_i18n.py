"""Every UI string is translatable and translated; dates read d.m.åååå in Copenhagen with ISO weeks."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import Flask

from web.i18n import show_date, show_datetime, week_label

WEB = Path(__file__).resolve().parents[2] / "web"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]


def _extracted() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(WEB), METHODS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog(lang: str) -> dict[str, object]:
    with (WEB / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {(m.id[0] if isinstance(m.id, tuple) else m.id): m.string for m in read_po(handle) if m.id}


def test_every_string_has_a_danish_translation() -> None:
    danish = _catalog("da")
    missing = sorted(m for m in _extracted() if not danish.get(m) or danish[m] in ("", ("", "")))
    assert not missing, f"add these to web/translations/da/LC_MESSAGES/messages.po: {missing}"


def test_english_catalog_knows_every_string() -> None:
    english = _catalog("en")
    assert not sorted(m for m in _extracted() if m not in english)


def test_templates_hard_code_no_text() -> None:
    """Outside Jinja tags, templates hold only markup and punctuation: words go through _()."""
    for path in sorted((WEB / "templates").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", text, flags=re.S)
        text = re.sub(r"<[^>]*>", "", text, flags=re.S)
        text = re.sub(r'[\w-]+="[^"]*"', "", text)  # attributes written by macros outside a tag
        words = re.findall(r"[A-Za-zÆØÅæøå]{2,}", text)
        assert not words, f"{path.name} has text outside _(): {words[:10]}"


def test_dates_in_danish_form(app: Flask) -> None:
    with app.test_request_context("/"):
        assert show_date("2027-05-01") == "1.5.2027"
        assert show_date(date(2027, 12, 24)) == "24.12.2027"
        # 23:30 UTC on 30 April is already 1 May in Copenhagen (summer time, +02:00)
        assert show_date(datetime(2027, 4, 30, 23, 30, tzinfo=UTC)) == "1.5.2027"
        assert show_datetime(datetime(2027, 4, 30, 23, 30, tzinfo=UTC)) == "1.5.2027 kl. 01.30"
        assert week_label("2027-05-03") == "uge 18"
        assert week_label("2027-01-01") == "uge 53"  # ISO weeks: 1 January 2027 is in week 53 of 2026
        assert show_date(None) == "" and show_date("not a date") == "not a date"


def test_a_catalogue_text_falls_back_rather_than_fail_on_an_unknown_reason_or_params_that_do_not_fit() -> None:
    from web.i18n import catalogue_text

    catalogue = {"late": lambda p: "{task} is late".format(**p)}
    assert catalogue_text(catalogue, "late", lambda: {"task": "Godkend"}) == "Godkend is late"
    assert catalogue_text(catalogue, "unknown", lambda: {"task": "Godkend"}) is None
    assert catalogue_text(catalogue, None, lambda: {}) is None
    assert catalogue_text(catalogue, "late", lambda: {}) is None  # the param is missing: the caller's fallback

    def broken() -> dict[str, str]:
        raise KeyError("have")  # making params readable failed, e.g. a finding without its "have"

    assert catalogue_text(catalogue, "late", broken) is None
