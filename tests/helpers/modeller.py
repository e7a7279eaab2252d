"""The modeller's own live server (a fresh database per module), sign-in and axe check, shared by the modeller's
browser tests."""

from __future__ import annotations

import re
from typing import Any

from engine.demo import DEMO_PASSWORD
from tests.e2e.conftest import AXE_TAGS, Visit


def axe(page: Any, visit: Visit) -> None:
    """axe-core on the page, the diagram canvas excluded (toolbar, panel, findings are checked)."""
    result = page.evaluate("(tags) => axe.run({exclude: [['#canvas']]}, {runOnly: {type: 'tag', values: tags}})",
                           AXE_TAGS)
    title = page.title()
    assert result["passes"], title
    visit.checked.append(title)
    for v in result["violations"]:
        if v["impact"] in ("serious", "critical"):
            visit.violations.append(f"{title}: {v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes']][:3]}")


def sign_in(page: Any, name: str) -> None:
    page.goto("/login")
    page.get_by_label("Brugernavn").fill(name)
    page.get_by_label("Adgangskode").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(r"/tasks"))
