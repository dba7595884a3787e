"""The explorer served by Voilà, driven from headless Chromium (one server and one page for the module).

Every figure is drawn and shows marks (a closed tab's figures once the tab is opened); a lever moved at once after
the page is drawn updates every figure that depends on it, in the open tab at once and in a closed tab when it is
opened (the tightness figure is the same in every scenario); the pyramid keeps its bars after a lever and a year
move; a switch to Swedish reaches every figure and tab; legend, axis titles, menus and titles do not overlap at
1280×800 and 1920×1080 in any tab; the page makes no request outside the server and logs no error.

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
TABS = (("population", "15-64", "dependency"), ("balance", "openings", "tightness"),
        ("occupations", "education", "occupation_balance"))
"""The figures of each tab below the pyramid."""
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
        tab.wait_for_function(f"() => document.querySelectorAll('.forum-plot[data-drawn]').length >= "
                              f"{1 + len(TABS[0])}")
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


def _open_tab(page, index: int) -> None:
    """Open the tab of figures ``index`` and wait until its figures are drawn with their latest numbers."""
    page.locator(".forum-tabs .lm-TabBar-tab").nth(index).click()
    page.wait_for_function(f"""() => {list(TABS[index])}.every(name => {{
        const plot = document.querySelector(`.forum-plot[data-name="${{name}}"]`);
        return plot && plot.dataset.drawn === plot.dataset.version && plot.getClientRects().length > 0; }})""")


def test_only_the_open_tab_is_drawn_and_each_tab_draws_when_opened(page):
    shown = {plot for plot in page.evaluate("() => [...document.querySelectorAll('.forum-plot')]"
                                            ".map(plot => plot.dataset.name)")}
    assert shown == {"pyramid", *TABS[0]}  # the closed tabs' figures wait until their tab opens
    for index in (1, 2, 0):
        _open_tab(page, index)
    names = page.evaluate("() => [...document.querySelectorAll('.forum-plot')].map(plot => plot.dataset.name)")
    assert sorted(names) == sorted(FIGURES)


def test_every_figure_is_drawn_without_code_errors_or_network(page):
    for index in (1, 2, 0):  # every tab drawn at least once
        _open_tab(page, index)
    titles = []
    for index in range(len(TABS)):
        _open_tab(page, index)
        shown = [graph for graph in page.evaluate(DRAWN) if graph["title"]]
        visible = page.evaluate("() => [...document.querySelectorAll('.forum-plot')]"
                                ".filter(plot => plot.getClientRects().length).map(plot => plot.dataset.name)")
        assert visible == ["pyramid", *TABS[index]]
        assert all(graph["traces"] > 0 and graph["marks"] > 0 for graph in shown), shown
        titles += [graph["title"] for graph in shown]
    assert len(set(titles)) == len(FIGURES), titles  # every figure has a title, no two share one
    assert page.evaluate(pyramid_bars(_PYRAMID))[0] > 100
    tabs = page.locator(".forum-tabs .lm-TabBar-tab").all_inner_texts()
    assert tabs == ["Väestö", "Työvoima ja työpaikat", "Ammatit ja koulutus"]
    assert "from_environment" not in page.inner_text("body")  # the code cell's source is not shown
    assert "Traceback" not in page.content()
    assert page.outside == [] and page.errors == []


def test_a_lever_moved_at_once_updates_every_figure_and_the_pyramid_keeps_its_bars(page):
    _open_tab(page, 0)
    before = page.evaluate(_STATE)
    _type_into(page, "Syntyvyys", "2.4")  # no pause after the tab was drawn
    _changed(page, before, ["pyramid", *TABS[0]])
    for index in (1, 2):  # a closed tab's figures show the move's numbers once it opens
        _open_tab(page, index)
        _changed(page, before, [name for name in TABS[index] if name not in SAME_IN_EVERY_SCENARIO])
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
        for index in range(len(TABS)):
            _open_tab(page, index)
            page.wait_for_timeout(1500)  # plotly's responsive redraw
            assert page.evaluate(OVERLAPS) == [], (width, height, index)
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})


def test_a_switch_to_swedish_reaches_every_figure(page):
    for index in range(len(TABS)):
        _open_tab(page, index)
    _open_tab(page, 0)
    before = page.evaluate(_STATE)
    page.locator(".widget-toggle-button", has_text="sv").click()
    _changed(page, before, ["pyramid", *TABS[0]])
    for index in (1, 2):
        _open_tab(page, index)
        _changed(page, before, TABS[index])
    after = page.evaluate(_STATE)
    assert all(after[name]["title"] != before[name]["title"] for name in FIGURES), after
    assert "Kajanaland" in after["population"]["title"]
    assert page.locator(".widget-slider", has_text="Fruktsamhet").count() == 1
    assert page.locator(".forum-tabs .lm-TabBar-tab").all_inner_texts() == [
        "Befolkning", "Arbetskraft och jobb", "Yrken och utbildning"]
    assert page.evaluate(OVERLAPS) == []
    assert page.outside == [] and page.errors == []
