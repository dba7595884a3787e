"""The explorer served by Voilà, driven from headless Chromium (one server and one page for the module).

Every figure is drawn and shows marks; a lever moved at once after the page is drawn updates every figure that
depends on it (the tightness figure is the same in every scenario), the pyramid keeps its bars after a lever and a
year move; a switch to Swedish reaches every figure; legend, axis titles, menus and titles do not overlap at
1280×800 and 1920×1080; the page makes no request outside the server and logs no error.

Needs the ``playwright`` Python package and Chromium at /usr/bin/chromium (no browser download); with ``CI=true``
a missing Chromium fails. Voilà binds to 127.0.0.1 on a free port and is stopped at the end.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request

import playwright.sync_api as playwright  # a test dependency: never skipped
import pytest

from tests.apps.browser import ARGS, CHROMIUM, DRAWN, OVERLAPS, SIZES, need_chromium, pyramid_bars
from toolkit.cli import start_voila

pytestmark = pytest.mark.slow

PAGE_TIMEOUT_MS = 240_000
FIGURES = ("pyramid", "population", "15-64", "dependency", "balance", "openings", "occupations", "education",
           "occupation_balance", "tightness")
"""The explorer's figures in page order (``data-name`` of each ``.forum-plot``)."""
SAME_IN_EVERY_SCENARIO = {"tightness"}
_PYRAMID = "document.querySelector('.forum-plot[data-name=\"pyramid\"]')"
_STATE = """() => Object.fromEntries([...document.querySelectorAll('.forum-plot')].map(plot => [plot.dataset.name,
    {drawn: plot.dataset.drawn, title: (plot.querySelector('.gtitle') || {}).textContent,
     data: JSON.stringify(plot.data.map(trace => [trace.x, trace.y, trace.value, trace.text, trace.name]))}]))"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(url: str, process: subprocess.Popen, seconds: float = 240.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Voilà exited with code {process.returncode}")
        try:
            urllib.request.urlopen(url + "favicon.ico", timeout=2).close()  # static: starts no kernel
            return
        except urllib.error.HTTPError:  # any HTTP answer means the server is up
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"Voilà did not answer at {url} within {seconds} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_chromium()
    port = _free_port()
    process = start_voila("kainuu", port, save_dir=tmp_path_factory.mktemp("saved"))
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_serving(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def page(server):
    """The explorer page at 1280×800, with every request and console error of the module recorded."""
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
        outside, errors = [], []

        def offline(route):
            if route.request.url.startswith(server):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", offline)
        tab = context.new_page()
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        tab.set_default_timeout(PAGE_TIMEOUT_MS)
        tab.goto(server)
        tab.wait_for_function(f"() => document.querySelectorAll('.forum-plot[data-drawn]').length >= {len(FIGURES)}")
        tab.outside, tab.errors = outside, errors
        yield tab
        browser.close()


def _type_into(page, slider_text: str, value: str) -> None:
    readout = page.locator(".widget-slider", has_text=slider_text).locator(".widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


def _changed(page, before: dict, names) -> None:
    """Wait until each of ``names`` was drawn again with other data than ``before``."""
    page.wait_for_function(f"""([before, names]) => {{
        const now = ({_STATE})();
        return names.every(name => now[name].drawn !== before[name].drawn && now[name].data !== before[name].data);
    }}""", arg=[before, list(names)], timeout=60_000)


def test_every_figure_is_drawn_without_code_errors_or_network(page):
    shown = page.evaluate(DRAWN)
    names = page.evaluate("() => [...document.querySelectorAll('.forum-plot')].map(plot => plot.dataset.name)")
    assert names == list(FIGURES)
    assert len(shown) == len(FIGURES)
    assert all(graph["traces"] > 0 and graph["marks"] > 0 and graph["title"] for graph in shown), shown
    titles = [graph["title"] for graph in shown]
    assert len(set(titles)) == len(titles), titles  # no two figures share a title
    assert page.evaluate(pyramid_bars(_PYRAMID))[0] > 100
    assert "from_environment" not in page.inner_text("body")  # the code cell's source is not shown
    assert "Traceback" not in page.content()
    assert page.outside == [] and page.errors == []


def test_a_lever_moved_at_once_updates_every_figure_and_the_pyramid_keeps_its_bars(page):
    before = page.evaluate(_STATE)
    _type_into(page, "Syntyvyys", "2.4")  # no pause after the page was drawn
    _changed(page, before, [name for name in FIGURES if name not in SAME_IN_EVERY_SCENARIO])
    bars, lines = page.evaluate(pyramid_bars(_PYRAMID))
    assert bars > 100 and lines == 2  # the edited scenario's bars, the baseline's outline (women, men)
    assert "syntyvyys" in page.inner_text("body")  # the status line names the lever in words
    assert "tfr" not in page.inner_text("body")
    before = page.evaluate(_STATE)
    _type_into(page, "Pyramidin vuosi", "2035")
    _changed(page, before, ["pyramid"])
    assert page.evaluate(pyramid_bars(_PYRAMID))[0] > 100
    assert page.outside == [] and page.errors == []


def test_no_overlaps_at_a_laptop_and_a_projector_size(page):
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(1500)  # plotly's responsive redraw
        assert page.evaluate(OVERLAPS) == [], (width, height)
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})


def test_a_switch_to_swedish_reaches_every_figure(page):
    before = page.evaluate(_STATE)
    page.locator(".widget-toggle-button", has_text="sv").click()
    _changed(page, before, FIGURES)
    after = page.evaluate(_STATE)
    assert all(after[name]["title"] != before[name]["title"] for name in FIGURES), after
    assert "Kajanaland" in after["population"]["title"]
    assert page.locator(".widget-slider", has_text="Fruktsamhet").count() == 1
    assert page.evaluate(OVERLAPS) == []
    assert page.outside == [] and page.errors == []
