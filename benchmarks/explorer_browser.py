"""Time a lever move as the forum feels it: the explorer served by Voilà, driven in headless Chromium.

Run: ``.venv/bin/python benchmarks/explorer_browser.py [REGION] [--moves-per-lever N] [--checkout PATH]``. Starts
``forum present`` (of this checkout, or of the one at PATH: an older version to compare) on a free port of 127.0.0.1
(every request to anything else is blocked and counted), opens the page in headless Chromium
(``/usr/bin/chromium``), waits until every figure in view is drawn, then moves each lever slider in turn by typing a
value into its readout and pressing Enter. Which figures depend on a move comes from the same moves made first in
this process on an :class:`~toolkit.explorer.Explorer` without a kernel, whose times are printed next to the
browser's (the model runs and the figures' JSON, no page).

The figures below the pyramid stand in tabs; the moves open the tabs in turn (move *k* with tab *k* mod the number
of tabs). A move is timed from the key press to the moment the last figure that depends on the lever shows its new
values, over the figures a user can see: the pyramid and the open tab's figures (and, separately, over those on the
screen when the key was pressed: typing scrolls the readout into view). After each move the next tab is opened,
timed from the click to the moment its figures that depend on the move show their new values. A page without tabs
(an older version) is one group of figures.

How "shows the new values" is seen: on every frame (``requestAnimationFrame``) each watched plotly graph's data is
read; a graph counts as updated at the first frame where its data differ from before the move. This reads the page
only through plotly.js graphs (``.js-plotly-plot`` with the figure's ``data-name``). The run ends with SIGTERM to
``forum present``. A move whose figures have not all changed after ``TIMEOUT_S`` counts as a failure (a frozen
figure). Target: p95 ≤ 150 ms on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

import toolkit
from toolkit.explorer import Explorer

CHROMIUM = "/usr/bin/chromium"
LEVERS = ("tfr", "e0_F", "e0_M", "extra_migration", "participation_55-64", "participation_65-74",
          "retirement_age_shift", "industry_growth")
"""The lever sliders in the order they stand on the page."""
ORDER = ("pyramid", "population", "15-64", "dependency", "balance", "openings", "occupations", "education",
         "occupation_balance", "tightness")
"""The figures in the order they stand on the page."""
TIMEOUT_S = 15.0
PAGE_TIMEOUT_MS = 300_000

# Installed once the page is drawn. arm(names): a signature of each named graph's data; from the key press (or the
# click on a tab) on, each frame notes the first time a graph's data differ from its signature.
_WATCH = """() => {
  const graph = name => document.querySelector(`.js-plotly-plot[data-name="${name}"]`);
  const signature = gd => gd ? JSON.stringify((gd.data || []).map(trace => [trace.x, trace.y, trace.value,
                                                                              trace.text])) : null;
  const watch = window.forumWatch = {names: [], before: {}, seen: {}, changedAt: {}, start: null};
  watch.arm = names => {
    Object.assign(watch, {names, before: {}, seen: {}, changedAt: {}, start: null, onScreen: {}});
    names.forEach(name => {
      const gd = graph(name), box = gd && gd.getBoundingClientRect();
      watch.before[name] = signature(gd);
      watch.seen[name] = gd && gd.data;
      watch.onScreen[name] = !!box && box.bottom > 0 && box.top < innerHeight;
    });
  };
  const tick = now => {
    if (watch.start !== null) watch.names.forEach(name => {
      if (name in watch.changedAt) return;
      const gd = graph(name);
      if (!gd || gd.data === watch.seen[name]) return;
      watch.seen[name] = gd.data;
      if (signature(gd) !== watch.before[name]) watch.changedAt[name] = performance.now();
    });
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  document.addEventListener('keydown', event => {
    if (event.key === 'Enter' && watch.start === null) watch.start = performance.now();
  }, true);
  document.addEventListener('pointerdown', event => {
    if (event.target.closest('.lm-TabBar-tab') && watch.start === null) watch.start = performance.now();
  }, true);
  return document.querySelectorAll('.forum-figure').length;
}"""
_GROUPS = """() => {
  const names = root => [...root.querySelectorAll('.forum-figure-data')].map(data => data.dataset.name);
  const panels = [...document.querySelectorAll('.widget-tab-contents > .lm-Widget')];
  const inTabs = new Set(panels.flatMap(names));
  return [names(document).filter(name => !inTabs.has(name)), panels.map(names)];
}"""
"""[the figures outside the tabs, [each tab's figures]]"""
_SETTLED = """() => [...document.querySelectorAll('.forum-plot')].filter(plot => plot.getClientRects().length)
                   .every(plot => plot.dataset.drawn === plot.dataset.version)"""
_TIMES = """() => { const w = window.forumWatch, at = name => w.changedAt[name] - w.start;
  const seen = w.names.filter(name => w.onScreen[name]);
  return [Math.max(...w.names.map(at)), seen.length ? Math.max(...seen.map(at)) : null]; }"""
_WAIT = "() => window.forumWatch.names.every(name => name in window.forumWatch.changedAt)"
_MISSING = "() => window.forumWatch.names.filter(name => !(name in window.forumWatch.changedAt))"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(url: str, seconds: float = 600.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "favicon.ico", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"Voilà did not answer at {url}")


def _moves(explorer: Explorer, per_lever: int) -> list[tuple[int, str, float]]:
    """(slider index, slider name, value): each lever moved ``per_lever`` times to points on its step grid."""
    moves = []
    for round_ in range(per_lever):
        for index, name in enumerate(LEVERS):
            slider = explorer.sliders[name]
            share = (0.15, 0.85, 0.3, 0.7, 0.45, 0.95, 0.05)[round_ % 7]
            value = slider.min + round((slider.max - slider.min) * share / slider.step) * slider.step
            if abs(value - slider.value) < slider.step / 2:
                value = slider.min + round((slider.max - slider.min) * (1 - share) / slider.step) * slider.step
            moves.append((index, name, round(value, 6)))
            slider.value = value  # the in-process explorer follows, so the next move starts where the page is
    return moves


def in_process(region: str, moves: list[tuple[int, str, float]]) -> tuple[list[float], list[set[str]]]:
    """Each move made on a kernel-less explorer: the time of the whole lever change [ms] and the figures it changed."""
    explorer = Explorer(region, debounce=0)
    times, changed = [], []
    for _, name, value in moves:
        versions = {key: view.version for key, view in explorer.views.items()}
        started = time.perf_counter()
        explorer.sliders[name].value = value
        times.append((time.perf_counter() - started) * 1000.0)
        changed.append({key for key, view in explorer.views.items() if view.version != versions[key]})
    return times, changed


def in_browser(region: str, moves, changed, checkout: Path, log=subprocess.DEVNULL,
               viewport: tuple[int, int] = (1280, 800)) -> dict:
    """The moves made in Chromium on the Voilà page; times [ms], failures, blocked requests, console errors."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    command = [sys.executable, "-m", "toolkit.cli", "present", "--region", region, "--port", str(port)]
    process = subprocess.Popen(command,
                               cwd=checkout, env={**os.environ, "PYTHONPATH": str(checkout)},
                               stdout=subprocess.DEVNULL, stderr=log)
    blocked, errors, times, frozen, screen, switches = [], [], [], [], [], []
    by_tab: dict[int, list[float]] = {}

    def timed(page, names) -> list | None:
        try:
            page.wait_for_function(_WAIT, timeout=TIMEOUT_S * 1000, polling=50)
        except Exception:  # noqa: BLE001 - a figure that never changed: counted, the run goes on
            frozen.append(page.evaluate(_MISSING))
            return None
        return page.evaluate(_TIMES)

    try:
        _wait_until_serving(url)
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context(viewport=dict(zip(("width", "height"), viewport, strict=True)))
            context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url)
                          else (blocked.append(route.request.url), route.abort()))
            page = context.new_page()
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            page.on("pageerror", lambda error: errors.append(str(error)))
            loaded = time.perf_counter()
            page.goto(url)
            page.wait_for_function(f"() => document.querySelectorAll('.forum-figure').length >= {len(ORDER)}")
            page.wait_for_function(f"() => document.querySelectorAll('.forum-plot').length > 0 && ({_SETTLED})()")
            ready = time.perf_counter() - loaded
            page.wait_for_timeout(1000)
            assert page.evaluate(_WATCH) == len(ORDER)
            outside, tabs = page.evaluate(_GROUPS)
            tabs = tabs or [[]]
            buttons = page.locator(".lm-TabBar-tab")
            readouts = page.locator(".widget-slider .widget-readout")
            for number, ((index, _, value), expected) in enumerate(zip(moves, changed, strict=True)):
                tab = number % len(tabs)
                if len(tabs) > 1:
                    buttons.nth(tab).click()
                    page.wait_for_function(_SETTLED)
                    page.wait_for_timeout(300)
                shown = [name for name in ORDER if name in expected and (name in outside or name in tabs[tab])]
                readouts.nth(index).click()
                page.keyboard.press("Control+A")
                page.keyboard.type(f"{value:g}")
                page.evaluate("names => window.forumWatch.arm(names)", shown)  # as scrolled when Enter is pressed
                page.keyboard.press("Enter")
                result = timed(page, shown)
                if result is not None:
                    times.append(result[0])
                    by_tab.setdefault(tab, []).append(result[0])
                    if result[1] is not None:
                        screen.append(result[1])
                page.wait_for_timeout(300)  # the kernel idle again before the next move
                following = (tab + 1) % len(tabs)
                hidden = [name for name in tabs[following] if name in expected] if len(tabs) > 1 else []
                if hidden:  # the next tab opened: its figures drawn with the move's numbers
                    page.evaluate("names => window.forumWatch.arm(names)", hidden)
                    buttons.nth(following).click()
                    result = timed(page, hidden)
                    if result is not None:
                        switches.append(result[0])
                    page.wait_for_timeout(300)
            browser.close()
    finally:
        process.send_signal(signal.SIGTERM)  # forum present stops Voilà and its kernels
        process.wait(timeout=60)
    return {"times": times, "screen": screen, "switches": switches, "frozen": frozen, "blocked": blocked,
            "errors": errors, "ready": ready, "tabs": len(tabs), "by_tab": by_tab}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("region", nargs="?", default="kainuu")
    parser.add_argument("--moves-per-lever", type=int, default=5)
    parser.add_argument("--checkout", type=Path, default=Path(toolkit.__file__).resolve().parents[1],
                        help="the checkout whose `forum present` serves the page (default: this one)")
    parser.add_argument("--viewport", default="1280x800", help="the page's size in pixels (default 1280x800)")
    args = parser.parse_args()
    viewport = tuple(int(side) for side in args.viewport.split("x"))
    moves = _moves(Explorer(args.region, debounce=0), args.moves_per_lever)
    process_times, changed = in_process(args.region, moves)
    seen = in_browser(args.region, moves, changed, args.checkout.resolve(), viewport=viewport)
    browser_times = seen["times"]
    print(f"explorer in the browser, {args.region}, {len(moves)} lever moves of {len(LEVERS)} levers [ms], "
          f"page served from {args.checkout} at {args.viewport}; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    print(f"  page ready (the figures in view drawn) {seen['ready']:.1f} s after the request; "
          f"{seen['tabs']} tab(s) of figures below the pyramid")
    for name, values in (("in process (model + figures)", process_times),
                         ("in Chromium, pyramid + open tab", browser_times),
                         ("in Chromium, figures on the screen", seen["screen"]),
                         ("in Chromium, opening the next tab", seen["switches"])):
        values = [value for value in values if np.isfinite(value)]
        if values:
            print(f"  {name:<36} median {np.median(values):7.1f}   p95 {np.percentile(values, 95):7.1f}"
                  f"   max {np.max(values):7.1f}   n {len(values)}")
    for tab, values in sorted(seen["by_tab"].items()):
        values = [value for value in values if np.isfinite(value)]
        if values and seen["tabs"] > 1:
            print(f"    with tab {tab + 1} open{'':<20} median {np.median(values):7.1f}   p95 "
                  f"{np.percentile(values, 95):7.1f}   max {np.max(values):7.1f}   n {len(values)}")
    print(f"  moves with a figure that never changed: {len(seen['frozen'])}"
          + (f" (figures {sorted({name for lost in seen['frozen'] for name in lost})})" if seen["frozen"] else ""))
    print(f"  requests outside the server: {len(seen['blocked'])}; page errors: {len(seen['errors'])}")


if __name__ == "__main__":
    main()
