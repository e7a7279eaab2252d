"""The modeller's own live server (a fresh database per module), sign-in and axe check, shared by the modeller's
browser tests."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from engine.demo import DEMO_PASSWORD
from tests.e2e.conftest import AXE_TAGS, ROOT, Visit


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    from werkzeug.serving import make_server

    from engine.demo import seed
    from engine.service import Engine
    from web import create_app
    from web.settings import WebSettings

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
