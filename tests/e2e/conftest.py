"""A live Turnus server on 127.0.0.1 (fresh SQLite, demo users, processes/ deployed) and Debian's Chromium.

Playwright's own browser download does not work here: set TURNUS_CHROMIUM (default /usr/bin/chromium).
axe-core comes from npm (`npm ci` installs node_modules/axe-core); it is injected into every page as an
init script, which the page's CSP does not govern, so the app's own CSP stays on during the test.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("TURNUS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
LIVE_ENGINE: list[Any] = []  # the live server's engine, for tests that set up data behind the browser


def _process_folder() -> Path:
    """The rotation process when it is there; otherwise the small review example."""
    if (ROOT / "processes" / "netvaerksturnus.bpmn").exists():
        return ROOT / "processes"
    return ROOT / "tests" / "integration" / "processes"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from werkzeug.serving import make_server

    from engine.demo import seed
    from engine.service import Engine
    from web import create_app
    from web.settings import WebSettings

    folder = tmp_path_factory.mktemp("live")
    engine = Engine.create(f"sqlite:///{folder / 'e2e.db'}")
    seed(engine)
    LIVE_ENGINE[:] = [engine]
    engine.deploy_paths([_process_folder()], "system")
    settings = WebSettings(secret_key="e2e-secret", instance_dir=folder / "instance", cookie_secure=False,
                           timer_interval=0)
    app = create_app(engine, settings=settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        engine.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (or set TURNUS_CHROMIUM)")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` in the repository root")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """Problems seen while a person used the app: axe findings, CSP violations, failed requests."""

    violations: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    minor: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)


AXE_RUN = "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})"


def check_page(page: Any, visit: Visit) -> None:
    """Run axe-core on the current page; collect serious and critical violations."""
    from playwright.sync_api import Error as PlaywrightError

    page.wait_for_load_state("load")
    try:
        result = page.evaluate(AXE_RUN, AXE_TAGS)
    except PlaywrightError as err:
        # A click's navigation may begin after the click returned: axe then ran on a document being replaced.
        if "documentElement" not in str(err) and "context was destroyed" not in str(err):
            raise
        page.wait_for_load_state("load")
        result = page.evaluate(AXE_RUN, AXE_TAGS)
    title = page.title()
    assert result["passes"], f"axe-core checked nothing on {title!r}"
    visit.checked.append(title)
    visit.minor.extend(f"{title}: {v['id']} ({v['impact']})" for v in result["violations"]
                       if v["impact"] not in ("serious", "critical"))
    for v in result["violations"]:
        if v["impact"] in ("serious", "critical"):
            targets = [", ".join(n["target"]) for n in v["nodes"]][:3]
            visit.violations.append(f"{title}: {v['id']} ({v['impact']}): {v['help']} at {targets}")


@pytest.fixture
def person(browser: Any, live_server: str) -> Iterator[Any]:
    """person() -> (page, visit): a fresh browser context in Danish, with axe-core loaded on every page."""
    contexts = []
    visit = Visit()

    def make() -> tuple[Any, Visit]:
        context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen", base_url=live_server)
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda m: visit.console.append(m.text) if m.type == "error" else None)
        contexts.append(context)
        return page, visit

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def modeller_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    from werkzeug.serving import make_server

    from engine.demo import seed
    from engine.service import Engine
    from web import create_app
    from web.settings import WebSettings

    """A server of the modeller's own (a fresh database per module): its tests deploy new versions."""
    folder = tmp_path_factory.mktemp("modeller")
    engine = Engine.create(f"sqlite:///{folder / 'e2e.db'}")
    seed(engine)
    engine.deploy_paths([ROOT / "processes"], "system")
    app = create_app(engine, settings=WebSettings(secret_key="e2e", instance_dir=folder / "instance",
                                                  cookie_secure=False, timer_interval=0))
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}", engine
    finally:
        srv.shutdown()
        engine.close()
