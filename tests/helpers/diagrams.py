"""Shared by the diagram tests: a live server with the shipped rotation, a signed-in page per language, axe."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from engine.demo import DEMO_PASSWORD
from tests.e2e.conftest import AXE, AXE_TAGS, ROOT, Visit

ROTATION = ROOT / "processes" / "netvaerksturnus.bpmn"
needs_rotation = pytest.mark.skipif(not ROTATION.exists(), reason="the rotation process is not in processes/")
LANGUAGES = ("da", "en")


def serve(folder: Any) -> Iterator[tuple[str, Any]]:
    from werkzeug.serving import make_server

    from engine.demo import seed
    from engine.service import Engine
    from web import create_app
    from web.settings import WebSettings

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


def signed_in(browser: Any, base: str, name: str, lang: str, **options: Any) -> tuple[Any, Any, list[str]]:
    """(context, page, console errors) of `name` signed in, the page in `lang` (Danish is the default)."""
    context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen", base_url=base,
                                  viewport=options.pop("viewport", {"width": 1280, "height": 900}), **options)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/login")
    page.get_by_label("Brugernavn").fill(name)
    page.get_by_label("Adgangskode").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(r"/tasks"))
    if lang == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_selector("html[lang='en']")
    return context, page, errors


def axe(page: Any, visit: Visit, exclude: tuple[str, ...] = ()) -> None:
    """axe-core on the page (optionally without a canvas); serious and critical findings are collected."""
    context = {"exclude": [[s] for s in exclude]} if exclude else None
    result = page.evaluate("([ctx, tags]) => axe.run(ctx || document, {runOnly: {type: 'tag', values: tags}})",
                           [context, AXE_TAGS])
    title = page.title()
    assert result["passes"], title
    visit.checked.append(title)
    for v in result["violations"]:
        if v["impact"] in ("serious", "critical"):
            visit.violations.append(f"{title}: {v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes']][:3]}")


def words(lang: str) -> Callable[[str, str], str]:
    """t(danish, english): the text the page shows in this test's language."""
    return lambda da, en: da if lang == "da" else en


# The on-screen size of an element's label: its font size times the scale the SVG is drawn at, and whether
# the element lies inside the visible diagram.
MEASURE = """([holder, id]) => {
  const box = document.querySelector(holder).getBoundingClientRect();
  const g = document.querySelector(`${holder} g.djs-element[data-element-id="${id}"]`);
  const text = g.querySelector('text');  // an event's label is an element of its own: only the shape is measured
  const px = text ? parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a : null;
  const r = g.getBoundingClientRect();
  const inside = r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
  return {px, inside};
}"""


def keyboard_zoom(page: Any, holder: str, t: Any) -> None:
    """Tab to the diagram, zoom in, out and to the whole diagram, pan: each announced."""
    status = page.locator(f"[data-zoom-for='{holder[1:]}'] .diagram-zoom__status")
    assert status.inner_text() == "Zoom 100 %"
    page.focus(holder)
    page.keyboard.press("+")
    assert status.inner_text() == "Zoom 125 %"
    page.keyboard.press("-")
    page.keyboard.press("-")
    assert status.inner_text() == "Zoom 80 %"
    before = page.evaluate(f"() => document.querySelector('{holder} .viewport').getAttribute('transform')")
    page.keyboard.press("ArrowRight")
    assert status.inner_text() == t("Zoom 80 % (flyttet)", "Zoom 80 % (moved)")
    assert page.evaluate(f"() => document.querySelector('{holder} .viewport').getAttribute('transform')") != before
    page.keyboard.press("0")
    assert t("(hele diagrammet)", "(the whole diagram)") in status.inner_text()
    page.get_by_role("button", name=t("Zoom ind", "Zoom in")).click()
    assert "%" in status.inner_text()
