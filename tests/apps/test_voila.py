"""The explorer served by Voilà, driven from headless Chromium: the page loads offline, a slider moves a figure.

Needs the ``playwright`` Python package and Chromium at /usr/bin/chromium (no browser download). Voilà
binds to 127.0.0.1 on a free port and is stopped at the end; every request that is not to that
server is blocked, so the page must work without a network.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import playwright.sync_api as playwright  # a test dependency: never skipped
import pytest

from toolkit.cli import start_voila

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGE_TIMEOUT_MS = 90_000
TFR_LABEL = "Syntyvyys"
EXPLORER_FIGURES = 10  # the figure widgets of toolkit.explorer.Explorer
PYRAMID_TITLE = "Väestö iän ja sukupuolen mukaan"

# JavaScript read of the pyramid's data: the sum of the edited scenario's bars (traces 2 and 3), or null
_PYRAMID_BARS = f"""() => {{
    const plot = [...document.querySelectorAll('.js-plotly-plot')]
        .find(gd => gd.layout && gd.layout.title && gd.layout.title.text.includes('{PYRAMID_TITLE}'));
    if (!plot || plot.data.length < 4) return null;
    const total = trace => Array.from(trace.x).reduce((sum, x) => sum + Math.abs(x), 0);
    return total(plot.data[2]) + total(plot.data[3]);
}}"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(url: str, process: subprocess.Popen, seconds: float = 60.0) -> None:
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
    if not CHROMIUM.exists() and os.environ.get("CI") != "true":  # in CI a missing browser fails the test
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    blocked: list[str] = []
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context()

        def offline(route):
            if route.request.url.startswith(server):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", offline)
        tab = context.new_page()
        tab.set_default_timeout(PAGE_TIMEOUT_MS)
        tab.goto(server)
        tab.blocked = blocked
        yield tab
        browser.close()


def test_page_loads_without_code_and_draws_the_figures(page):
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 6")
    page.wait_for_function(f"() => ({_PYRAMID_BARS})() > 0")
    assert page.locator(".widget-slider", has_text=TFR_LABEL).count() == 1
    assert "from_environment" not in page.inner_text("body")  # the code cell's source is not shown
    assert "Traceback" not in page.content()


def test_slider_moved_in_the_browser_changes_the_pyramid(page):
    page.wait_for_function(f"() => ({_PYRAMID_BARS})() > 0")
    # every figure drawn, then a moment for the widgets to finish syncing: a lever moved in the first seconds
    # after the figures appear can reach the kernel before the figure widgets' front ends listen (issue 16)
    page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot').length >= {EXPLORER_FIGURES}")
    page.wait_for_timeout(5000)
    before = page.evaluate(_PYRAMID_BARS)
    readout = page.locator(".widget-slider", has_text=TFR_LABEL).locator(".widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("2.4")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => ({_PYRAMID_BARS})() > {before} * 1.02")
    assert page.evaluate(_PYRAMID_BARS) > before * 1.02
    # nothing the page runs came from outside (Voilà's page may still ask a CDN for an icon font)
    scripts = [url for url in page.blocked if urllib.parse.urlparse(url).path.endswith((".js", ".mjs"))]
    assert not scripts, scripts
