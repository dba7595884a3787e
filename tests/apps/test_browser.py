"""A rendered pack in headless Chromium: every figure drawn and non-empty, no JS errors, no network, index links
resolve, the pyramid keeps its bars through play and a slider move, and no legend, axis title, slider, button or
title overlaps another at 1280×800 and 1920×1080. With ``CI=true`` a missing Chromium fails."""

from __future__ import annotations

import pytest

from tests.apps.browser import ARGS, CHROMIUM, DRAWN, OVERLAPS, SIZES, drawn, need_chromium, pyramid_bars
from toolkit import batch

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("forum")
    report = batch.render(["raahe"], ["baseline", "vitality"], lang="fi", horizon=2030, jobs=1, out=out,
                          progress=False)
    assert report.failed == []
    return out


@pytest.fixture(scope="module")
def browser():
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


def visit(browser, url: str, action=None, viewport=SIZES[0]) -> dict:
    """Open ``url`` (and run ``action`` on the page); the JS errors and the non-file requests seen."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    errors, remote = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("request", lambda request: None if request.url.startswith(("file:", "data:", "blob:", "about:"))
            else remote.append(request.url))
    page.goto(url, wait_until="load")
    result = action(page) if action else None
    page.close()
    return {"errors": errors, "remote": remote, "result": result}


def test_index_links_resolve_to_the_pack(browser, pack):
    def follow(page):
        links = page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
        page.click("a[href]")
        page.wait_for_load_state("load")
        return links, page.url, page.title()

    seen = visit(browser, (pack / "index.html").as_uri(), follow)
    links, landed, title = seen["result"]
    assert links == [(pack / "raahe" / "index.html").as_uri()]
    assert landed == links[0] and title.startswith("Raahe")
    assert seen["errors"] == [] and seen["remote"] == []


def test_every_figure_is_drawn_without_errors_or_network(browser, pack):
    def figures(page):
        page.wait_for_function(
            "() => [...document.querySelectorAll('.plotly-graph-div')].every(div => div.querySelector('.main-svg'))",
            timeout=30_000,
        )
        return page.evaluate(
            "() => ({divs: document.querySelectorAll('.plotly-graph-div').length,"
            " drawn: document.querySelectorAll('.plotly-graph-div .main-svg').length > 0,"
            " text: document.body.innerText})"
        ) | {"graphs": page.evaluate(DRAWN)}

    seen = visit(browser, (pack / "raahe" / "index.html").as_uri(), figures)
    result = seen["result"]
    assert result["divs"] >= 9 and result["drawn"]
    assert all(drawn(graph) for graph in result["graphs"]), result["graphs"]
    assert sum(graph["traces"] == 0 for graph in result["graphs"]) <= 2  # the two cards; every other figure has data
    assert "Mitä tämä merkitsee työlle ja osaamiselle" in result["text"] and "Lähde: Tilastokeskus" in result["text"]
    assert "def say" not in result["text"]
    assert seen["errors"] == [] and seen["remote"] == []


def test_a_script_in_a_narrative_shows_as_text(browser, tmp_path):
    evil = tmp_path / "evil.yaml"
    evil.write_text((batch.scenarios_dir() / "vitality.yaml").read_text(encoding="utf-8")
                    .replace("id: vitality", "id: evil")
                    .replace("en: Vitality", "en: \"<script>window.pwned = 1</script>Evil\""), encoding="utf-8")
    out = tmp_path / "out"
    assert batch.render(["kainuu"], ["baseline", str(evil)], lang="en", horizon=2030, jobs=1, out=out,
                        progress=False).failed == []

    def check(page):
        page.wait_for_function("() => document.querySelectorAll('.plotly-graph-div .main-svg').length > 0")
        return page.evaluate("() => ({pwned: window.pwned === 1, text: document.body.innerText})")

    seen = visit(browser, (out / "kainuu" / "index.html").as_uri(), check)
    assert not seen["result"]["pwned"] and "<script>window.pwned = 1</script>Evil" in seen["result"]["text"]
    assert seen["errors"] == [] and seen["remote"] == []


_PYRAMID = "document.querySelectorAll('.plotly-graph-div')[0]"


def test_the_pyramid_keeps_its_bars_through_play_and_does_not_play_by_itself(browser, pack):
    def play(page):
        page.wait_for_function(f"() => {_PYRAMID}.querySelectorAll('.bars path').length > 0")
        page.wait_for_timeout(1500)
        at_load = page.evaluate(f"() => [{_PYRAMID}.querySelectorAll('.bars path').length, "
                                f"{_PYRAMID}.layout.sliders[0].active]")
        page.locator(".plotly-graph-div").first.get_by_text("Toista").click()
        page.wait_for_timeout(4000)
        played = page.evaluate(f"() => [{_PYRAMID}.querySelectorAll('.bars path').length, "
                               f"{_PYRAMID}.querySelectorAll('.scatterlayer .trace').length]")
        return at_load, played

    seen = visit(browser, (pack / "raahe" / "index.html").as_uri(), play)
    (bars_at_load, active), (bars_played, lines) = seen["result"]
    assert active == 0  # still at the base year: no autoplay
    assert bars_at_load > 100 and bars_played == bars_at_load  # 101 ages x shown sexes, still bars
    assert lines == 2  # the baseline's outline only
    assert not seen["errors"] and not seen["remote"]


def test_the_pyramid_keeps_its_bars_after_a_slider_move(browser, pack):
    def move(page):
        page.wait_for_function(f"() => {_PYRAMID}.querySelectorAll('.bars path').length > 0")
        before = page.evaluate(pyramid_bars(_PYRAMID))
        page.locator(".plotly-graph-div").first.locator(".slider-rail-rect").scroll_into_view_if_needed()
        rail = page.locator(".plotly-graph-div").first.locator(".slider-rail-rect").bounding_box()
        page.mouse.click(rail["x"] + rail["width"] * 0.95, rail["y"] + rail["height"] / 2)
        page.wait_for_function(f"() => {_PYRAMID}.layout.sliders[0].active > 0")
        page.wait_for_timeout(1500)
        after = page.evaluate(pyramid_bars(_PYRAMID))
        return before, after, page.evaluate(f"() => {_PYRAMID}.layout.sliders[0].active")

    seen = visit(browser, (pack / "raahe" / "index.html").as_uri(), move)
    before, after, active = seen["result"]
    assert active > 0 and after == before and after[0] > 100
    assert not seen["errors"] and not seen["remote"]


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_no_legend_title_slider_or_button_overlaps_another(browser, pack, size):
    def overlaps(page):
        page.wait_for_function(
            "() => [...document.querySelectorAll('.plotly-graph-div')].every(div => div.querySelector('.main-svg'))",
            timeout=30_000,
        )
        return page.evaluate(OVERLAPS)

    seen = visit(browser, (pack / "raahe" / "index.html").as_uri(), overlaps, viewport=size)
    assert seen["result"] == []
    assert not seen["errors"] and not seen["remote"]
