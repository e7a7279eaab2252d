"""What an auditor reads: the timeline with field labels, option texts and d.m.yyyy dates (the variable id
beside the label), the access log's actions in words. On the shipped rotation, in Danish and English, axe-clean."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Visit
from tests.helpers.diagrams import axe, needs_rotation, serve, signed_in, words

pytestmark = needs_rotation

PROPOSAL = {"theme_title": "Revisorens testtema", "problem_description": "Erfaringerne er ikke skrevet ned.",
            "local_relevance": "Nye ledere starter forfra.", "expected_product": "En håndbog",
            "network_type": "laering", "scope": "medium", "urgency": "normal", "manager": "lars"}
ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    yield from serve(tmp_path_factory.mktemp("audit-words"))


@pytest.fixture(scope="module")
def case_id(server: tuple[str, Any]) -> str:
    return server[1].start("netvaerksturnus", "emma", PROPOSAL)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_timeline_speaks_in_labels_options_and_danish_dates(browser: Any, server: tuple[str, Any],
                                                                case_id: str, lang: str) -> None:
    base, _engine = server
    t = words(lang)
    visit = Visit()
    context, page, errors = signed_in(browser, base, "revisor", lang)
    page.goto(f"/audit/cases/{case_id}")
    timeline = page.locator(".timeline")
    started = timeline.locator(".timeline__item").first
    # A field's label (the process's own, Danish), its option's text, and its id beside it for the technical reader.
    row = started.locator(".timeline__details div", has_text="Netværkstype")
    assert row.locator("dd").inner_text() == "Læring"
    assert row.locator("dt code").inner_text() == "network_type"
    assert started.locator(".timeline__details div", has_text="Omfang").locator("dd").inner_text() == "Mellem"
    text = timeline.inner_text()
    assert "laering" not in text.replace("network_type", "")
    # Dates as d.m.yyyy, never ISO: "Frist 17.12.2026".
    due = timeline.locator(".timeline__details div", has_text=t("Frist", "Due")).first.locator("dd").inner_text()
    assert re.fullmatch(r"\d{1,2}\.\d{1,2}\.20\d\d", due), due
    assert not ISO_DATE.search(text), ISO_DATE.findall(text)
    axe(page, visit)

    page.goto("/audit/access-log")
    what = page.locator("table tbody td:nth-child(3)").all_inner_texts()
    assert t("Læste sagen", "Read the case") in what and t("Læste sagens historik", "Read the case's history") in what
    assert not [w for w in what if re.fullmatch(r"[a-z]+(_[a-z]+)+", w)], what
    axe(page, visit)
    context.close()
    assert not visit.violations, visit.violations
    assert not errors, errors


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_json_export_states_its_size_and_can_leave_the_definition_out(browser: Any, server: tuple[str, Any],
                                                                         case_id: str, lang: str,
                                                                         tmp_path: Path) -> None:
    base, _engine = server
    visit = Visit()
    context, page, errors = signed_in(browser, base, "revisor", lang, accept_downloads=True)
    page.goto(f"/audit/cases/{case_id}")
    sizes = {}
    for link in ("export-json", "export-json-lean"):
        label = page.locator(f"#{link}").inner_text()
        stated = re.search(r"(\d+(?:[.,]\d)?) kB", label)
        assert stated, label
        with page.expect_download() as download:
            page.locator(f"#{link}").click()
        path = tmp_path / f"{link}.json"
        download.value.save_as(path)
        size = path.stat().st_size
        assert abs(float(stated.group(1).replace(",", ".")) * 1000 - size) <= max(50, size * 0.01), (label, size)
        sizes[link] = size
        done = subprocess.run([sys.executable, "-m", "engine.cli", "audit", "check-export", str(path)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and done.stdout.startswith("intact"), done.stderr
    assert sizes["export-json-lean"] * 5 < sizes["export-json"]
    assert "definitions" not in json.loads((tmp_path / "export-json-lean.json").read_text())
    assert ("uden procesdefinitionen" if lang == "da" else "without the process definition") in page.locator(
        "#export-json-lean").inner_text()
    axe(page, visit)
    context.close()
    assert not visit.violations, visit.violations
    assert not errors, errors
