"""A pack printed and presented in headless Chromium: an A4 handout without controls, and slides moved by keys.

Both from ``file://`` with zero network requests and no console errors. One small Swedish pack for the module.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from toolkit import batch, pages
from toolkit.regions import get_region

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
A4_HEIGHT = 1123  # [CSS px] 297 mm at 96 px per inch
DRAWN = "() => [...document.querySelectorAll('.plotly-graph-div')].every(div => div.querySelector('.main-svg'))"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists() and os.environ.get("CI") != "true",
                       reason="Debian chromium is not installed at /usr/bin/chromium (in CI the test fails instead)"),
]


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("forum")
    report = batch.render(["raahe"], ["baseline", "vitality"], lang="sv", horizon=2030, draws=20, jobs=1, out=out,
                          progress=False)
    assert report.failed == []
    return out / "raahe"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    seen = {"errors": [], "remote": []}
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on("console", lambda message: seen["errors"].append(message.text) if message.type == "error" else None)
    page.on("request", lambda request: None if request.url.startswith(("file:", "data:", "blob:", "about:"))
            else seen["remote"].append(request.url))
    page.goto(url, wait_until="load")
    return page, seen


def test_the_pack_prints_as_an_a4_handout_without_controls(browser, pack):
    page, seen = _open(browser, (pack / "index.html").as_uri())
    page.wait_for_function(DRAWN, timeout=60_000)
    page.emulate_media(media="print")
    page.wait_for_function(f"() => [...document.querySelectorAll('.plotly-graph-div')].every("
                           f"div => div._fullLayout && div._fullLayout.width === {pages.PRINT_WIDTH})", timeout=30_000)
    shown = page.evaluate("""() => {
        const visible = selector => [...document.querySelectorAll(selector)].filter(
            element => getComputedStyle(element).display !== 'none' && element.getBoundingClientRect().height > 0);
        return {controls: visible('.updatemenu-container, .slider-container, .modebar-container').length,
                links: visible('nav.pack-links').length,
                menus: document.querySelectorAll('.updatemenu-container').length,
                heights: [...document.querySelectorAll('.plotly-graph-div')].map(
                    div => div.getBoundingClientRect().height),
                unbroken: [...document.querySelectorAll('.plotly-graph-div')].every(
                    div => getComputedStyle(div).breakInside === 'avoid'),
                folded: [...document.querySelectorAll('details')].filter(details => !details.open).length};
    }""")
    pdf = page.pdf(format="A4", print_background=True)
    assert shown["menus"] > 0 and shown["controls"] == 0 and shown["links"] == 0  # there were controls; none print
    assert shown["unbroken"] and max(shown["heights"]) < A4_HEIGHT - 100  # each figure fits whole on a page
    assert shown["folded"] == 0  # the folded assumptions print open
    pages_in_pdf = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pdf.startswith(b"%PDF") and pages_in_pdf >= len(shown["heights"]) // 3
    page.emulate_media(media="screen")
    page.wait_for_function("() => [...document.querySelectorAll('.plotly-graph-div')].every("
                           f"div => div._fullLayout.width !== {pages.PRINT_WIDTH})", timeout=30_000)
    page.close()
    assert seen["errors"] == [] and seen["remote"] == []


def test_the_slides_hold_one_figure_each_and_move_with_the_keys(browser, pack):
    page, seen = _open(browser, (pack / "slides.html").as_uri())
    page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
    layout = page.evaluate("""() => {
        const slides = [...document.querySelectorAll('.reveal .slides > section')];
        return {total: Reveal.getTotalSlides(), count: slides.length,
                figures: slides.map(slide => slide.querySelectorAll('.plotly-graph-div').length),
                title: document.title, lang: document.documentElement.lang};
    }""")
    assert layout["total"] == layout["count"] and max(layout["figures"]) == 1  # never two figures on a slide
    name = get_region("raahe").label("sv")
    assert sum(layout["figures"]) >= 12 and layout["lang"] == "sv" and layout["title"].startswith(name)
    first_figure = layout["figures"].index(1)
    for _ in range(first_figure):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => Reveal.getIndices().h === {first_figure}", timeout=10_000)
    drawn = page.evaluate("() => Reveal.getCurrentSlide().querySelector('.plotly-graph-div .main-svg') !== null")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"() => Reveal.getIndices().h === {first_figure - 1}", timeout=10_000)
    page.keyboard.press("End")
    page.wait_for_function(f"() => Reveal.getIndices().h === {layout['total'] - 1}", timeout=10_000)
    page.close()
    assert drawn and seen["errors"] == [] and seen["remote"] == []
