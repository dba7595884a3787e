"""`toolkit.batch`: validation before anything runs, offline pages, retries, fault isolation, index, manifest."""

from __future__ import annotations

import json
import re
import types
from pathlib import Path

import pytest

from toolkit import batch, pages
from toolkit.errors import InputError
from toolkit.text import number

SMALL = {"horizon": 2030, "lang": "en"}
SCENARIOS = ["baseline", "vitality"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"regions": ["atlantis"]}, "unknown region 'atlantis'"),
        ({"regions": ["../../etc"]}, "unknown region '../../etc'"),
        ({"lang": "de"}, "language 'de': unknown language"),
        ({"scenarios": ["no-such-future"]}, "unknown scenario 'no-such-future'"),
        ({"jobs": 0}, "jobs 0"),
        ({"horizon": 2020}, "horizon"),
    ],
)
def test_bad_input_is_refused_before_anything_is_written(tmp_path, kwargs, message):
    out = tmp_path / "packs"
    arguments = {"regions": ["kainuu"], "scenarios": None, **kwargs}
    with pytest.raises(InputError, match=re.escape(message)):
        batch.render(arguments.pop("regions"), arguments.pop("scenarios"), out=out, **arguments)
    assert not out.exists()


def test_output_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        batch.render(["kainuu"], None, out=target)


@pytest.mark.parametrize(("jobs", "cpus", "threads"), [(1, 2, 2), (2, 2, 1), (4, 2, 1), (2, 8, 4), (3, 8, 2)])
def test_kernels_share_the_cores_out(jobs, cpus, threads):
    assert batch.kernel_threads(jobs, cpus) == threads


def test_a_worker_kernel_starts_with_its_share_of_blas_threads(tmp_path, monkeypatch):
    started, sent = [], []

    class Client:
        def wait_for_ready(self, timeout):
            pass

        def start_channels(self, **channels):
            pass

        def execute(self, code, **kwargs):
            sent.append(code)
            return {"content": {"status": "ok"}}

        def stop_channels(self):
            pass

    class Manager:
        def __init__(self, kernel_name):
            self.kernel_name = kernel_name

        def start_kernel(self, **kwargs):
            started.append(kwargs)

        def client(self):
            return Client()

        def is_alive(self):
            return True

        def shutdown_kernel(self, now):
            pass

        def close_clients(self):
            pass

    monkeypatch.setattr(batch, "_KernelManager", Manager)
    monkeypatch.setitem(batch._WORKER, "threads", 3)
    try:
        batch._kernel(tmp_path)
    finally:
        batch._stop_kernel()
    (kwargs,) = started
    assert all(kwargs["env"][name] == "3" for name in batch.BLAS_THREAD_VARIABLES)
    assert kwargs["env"]["PATH"] and kwargs["cwd"] == str(tmp_path)
    assert sent == [batch.WARM_UP] and "import gc, toolkit.pack" in sent[0] and "gc.freeze()" in sent[0]


@pytest.mark.slow
def test_a_kernel_client_is_ready_with_nothing_left_to_read(tmp_path):
    """The client's readiness is both channels answering for its kernel-info request: afterwards no message of
    that request is left on the output channel, and code runs."""
    from queue import Empty

    km = batch._KernelManager(kernel_name=batch.KERNEL_NAME)
    km.start_kernel(cwd=str(tmp_path))
    try:
        kc = km.client()
        assert isinstance(kc, batch._Client)
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        with pytest.raises(Empty):
            kc.iopub_channel.get_msg(timeout=0.5)
        reply = kc.execute("import gc; x = gc.get_freeze_count()", reply=True, timeout=30)
        assert reply["content"]["status"] == "ok"
    finally:
        km.close_clients()
        km.shutdown_kernel(now=True)


@pytest.mark.slow
def test_a_worker_kernel_runs_area_after_area_and_closes_each_client(tmp_path):
    """The second notebook runs in the first one's kernel, emptied (no reply to the reset used to cost a 60 s
    wait and a new kernel), and no client of a finished notebook stays open."""
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('region = "none"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import os\nprint(region, 'left' in dir(), os.environ['OPENBLAS_NUM_THREADS'])\n"
                                  "left = 1"),
    ], metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})
    path = tmp_path / "tiny.ipynb"
    nbformat.write(notebook, path)
    printed, managers = [], []
    try:
        for region in ("kainuu", "raahe"):
            executed = tmp_path / f"{region}.ipynb"
            task = batch.AreaTask(region, {"region": region}, tmp_path, notebook=path)
            batch._execute_notebook(task, executed, tmp_path)
            printed.append(nbformat.read(executed, as_version=4).cells[-1].outputs[0]["text"].strip())
            managers.append(batch._KERNEL["km"])
            assert managers[-1].made == []
    finally:
        batch._stop_kernel()
    assert printed == ["kainuu False 1", "raahe False 1"]
    assert managers[0] is managers[1]


def test_plan_defaults_to_the_nine_forum_areas_and_all_scenarios(tmp_path):
    from toolkit.regions import forum_regions
    from toolkit.scenarios import available_scenarios

    tasks = batch.plan(None, None, lang="sv", out=tmp_path, all_regions=False, horizon=2040)
    assert [task.region for task in tasks] == [area.id for area in forum_regions()] and len(tasks) == 9
    assert tasks[0].parameters == {"region": tasks[0].region, "scenarios": available_scenarios(), "horizon": 2040,
                                   "draws": 0, "seed": 0, "lang": "sv"}
    assert len(batch.plan(None, None, lang="fi", out=tmp_path, all_regions=True, horizon=2040)) == 23


def test_scenario_files_are_passed_by_absolute_path(tmp_path, monkeypatch):
    own = tmp_path / "own.yaml"
    own.write_text(Path(batch.scenarios_dir() / "vitality.yaml").read_text().replace("id: vitality", "id: own"))
    monkeypatch.chdir(tmp_path)
    assert batch.scenario_parameters(["baseline", "own.yaml"]) == ["baseline", str(own.resolve())]


def test_remote_references_catch_scripts_styles_and_fonts_but_not_links_or_text():
    page = """<html><head>
    <script src="https://cdn.example.org/require.js"></script>
    <link rel="stylesheet" href="//fonts.example.org/css">
    <style>@font-face { src: url("https://fonts.example.org/a.woff2") }</style>
    <script>var ns = "http://www.w3.org/2000/svg";</script>
    </head><body><a href="https://stat.fi">Statistics Finland</a><img src="data:image/png;base64,AA"></body></html>"""
    found = pages.remote_references(page)
    assert len(found) == 3
    assert "require.js" in found[0] and "fonts.example.org/css" in found[1] and "url(" in found[2]
    assert pages.remote_references('<a href="http://x">x</a><script>"https://x"</script>') == []


def _fake_notebook(path: Path, status: str) -> None:
    import nbformat

    cell = nbformat.v4.new_code_cell("1")
    cell.metadata["papermill"] = {"status": status}
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)


@pytest.mark.parametrize(("failure", "status", "calls"), [
    ("kernel", "pending", 2),  # the kernel died before any cell: retried once
    ("kernel", "running", 1),  # died while a cell ran: not a start failure, never retried
    ("notebook", "failed", 1),  # a notebook error is never retried
])
def test_only_kernel_start_failures_are_retried_once(tmp_path, failure, status, calls):
    from papermill.exceptions import PapermillExecutionError

    executed = tmp_path / "run.ipynb"
    attempts = []

    def run():
        attempts.append(1)
        _fake_notebook(executed, status)
        if failure == "kernel":
            raise RuntimeError("Kernel died before replying to kernel_info")
        raise PapermillExecutionError(0, 1, "x", "ValueError", "bad", [])

    with pytest.raises((RuntimeError, PapermillExecutionError)):
        batch.execute_with_retry(run, executed)
    assert len(attempts) == calls


def test_retry_succeeds_when_the_second_start_works(tmp_path):
    attempts = []

    def run():
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("Kernel didn't respond in 60 seconds")

    batch.execute_with_retry(run, tmp_path / "never-written.ipynb")
    assert len(attempts) == 2


def test_index_escapes_names_and_notes_estimates_and_failures():
    headline = {"base_year": 2025, "horizon": 2030, "estimated": True, "base_population": 12345.4,
                "reference": "baseline", "names": {"baseline": "<script>x</script>", "other": "Other"},
                "scenarios": {"baseline": {"total": 12000.0, "change_percent": -2.8},
                              "other": {"total": 13000.0, "change_percent": 5.3}}}
    manifest = {"updated_at": "2025-01-01T00:00:00+00:00", "areas": {
        "raahe": {"status": "failed", "pack": "raahe/index.html", "headline": headline},
        "kainuu": {"status": "failed", "pack": None, "headline": None},
        "../evil": {"status": "ok", "pack": "../evil/index.html", "headline": headline},
    }}
    page = pages.index_page(manifest, "fi")
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt; 2030" in page
    assert '<a href="raahe/index.html">' in page and "evil" not in page
    assert number(12345.4, "fi") in page and f"{number(-2.8, 'fi', 1)} %" in page
    assert f"{number(12000, 'fi')} – {number(13000, 'fi')}" in page
    assert "lähtöväestö arvioitu" in page and "uusin ajo epäonnistui" in page
    assert "ajo epäonnistui, ei aineistoa" in page
    assert pages.remote_references(page) == []


# ------------------------------------------------------------------------------------------ end to end


@pytest.fixture(scope="module")
def first_render(tmp_path_factory):
    out = tmp_path_factory.mktemp("forum")
    # one job: the second area runs in the first one's kernel (reset), which must answer (attempts == 1)
    report = batch.render(["kainuu", "raahe"], SCENARIOS, jobs=1, out=out, progress=False, **SMALL)
    return out, report


@pytest.mark.slow
def test_render_writes_offline_packs_index_and_manifest(first_render):
    out, report = first_render
    assert report.failed == [] and "2 of 2 forum packs" in report.summary()
    manifest = json.loads((out / "manifest.json").read_text())
    for region in ("kainuu", "raahe"):
        entry = manifest["areas"][region]
        assert entry["status"] == "ok" and entry["seconds"] > 0 and entry["attempts"] == 1
        assert entry["parameters"]["region"] == region and entry["parameters"]["scenarios"] == SCENARIOS
        assert entry["toolkit_version"] and "population.csv" in entry["data_provenance"]
        assert set(entry["scenario_hashes"]) == set(SCENARIOS)
        page = (out / entry["pack"]).read_text()
        assert pages.remote_references(page) == []
        # the only script it loads is the folder's shared plotly.js; everything else is inline
        assert re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"([^\"]+)\"", page) == ["../assets/plotly-forum.min.js"]
        assert (out / "assets" / "plotly-forum.min.js").stat().st_size > 500_000
        slides = (out / region / "slides.html").read_text()
        assert pages.remote_references(slides) == [] and "../assets/reveal/dist/reveal.js" in slides
        csv_files = sorted((out / region / "data").glob("*.csv"))
        assert len(csv_files) >= 9 and (out / region / "numbers.xlsx").stat().st_size > 5_000
        assert all(f'href="data/{path.name}"' in page for path in csv_files) and 'href="numbers.xlsx"' in page
        assert page.count("Plotly.newPlot") >= 9 and page.count("<script") >= 10
        assert len(page.encode()) == entry["page_bytes"] < batch.MAX_PAGE_BYTES
        assert "def say" not in page and "import toolkit" not in page  # no code cells
        assert (out / region / "forum.ipynb").exists()
    assert manifest["areas"]["raahe"]["headline"]["estimated"] and not manifest["areas"]["kainuu"]["headline"][
        "estimated"]
    index = (out / "index.html").read_text()
    links = re.findall(r'<a href="([^"]+)"', index)
    assert sorted(links) == ["kainuu/index.html", "raahe/index.html"]
    assert all((out / link).is_file() for link in links)
    assert not list(out.glob(".*.tmp"))  # no staging folders left


@pytest.mark.slow
def test_one_failing_area_leaves_the_others_and_its_earlier_pack(first_render):
    out, _ = first_render
    good_page = (out / "raahe" / "index.html").read_bytes()
    before = json.loads((out / "manifest.json").read_text())["areas"]["raahe"]
    tasks = batch.plan(["kainuu", "raahe"], SCENARIOS, out=out, all_regions=False, **SMALL)
    broken = batch.AreaTask("raahe", {**tasks[1].parameters, "lang": "xx"}, out)  # a notebook error
    report = batch.run_tasks([tasks[0], broken], jobs=2, progress=False)
    assert report.failed == ["raahe"] and "FAILED raahe: InputError" in report.summary()
    assert (out / "raahe" / "index.html").read_bytes() == good_page
    assert (out / "failed" / "raahe.ipynb").exists() and (out / "failed" / "raahe.log").exists()
    entry = json.loads((out / "manifest.json").read_text())["areas"]["raahe"]
    assert entry["status"] == "failed" and entry["attempts"] == 1 and "xx" in entry["error"]
    assert entry["pack"] == "raahe/index.html" and entry["headline"] == before["headline"]
    assert entry["executed_notebook"] == "failed/raahe.ipynb"
    assert report.results[0].status == "ok" and (out / "kainuu" / "index.html").exists()
    assert "The latest run failed; an earlier pack is shown".lower() in (out / "index.html").read_text().lower()


@pytest.mark.slow
def test_a_kernel_that_cannot_start_is_retried_once(tmp_path, monkeypatch):
    kernels = tmp_path / "jupyter" / "kernels" / batch.KERNEL_NAME
    kernels.mkdir(parents=True)
    spec = {"argv": ["python", "-c", "import sys; sys.exit(3)", "{connection_file}"], "display_name": "broken",
            "language": "python"}
    (kernels / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setattr(batch, "START_TIMEOUT", 20)
    tasks = batch.plan(["kainuu"], ["baseline"], out=tmp_path / "out", all_regions=False, **SMALL)
    report = batch.run_tasks(tasks, jobs=1, progress=False)
    (result,) = report.results
    assert result.status == "failed" and result.attempts == 2
    assert not (tmp_path / "out" / "kainuu").exists()


@pytest.mark.slow
def test_the_municipal_level_renders_every_municipality_on_a_dask_cluster(tmp_path):
    """`forum render --level municipality` plans a pack for each of the 309 municipalities; one of them is
    rendered here on a Dask cluster (rendering costs seconds per pack)."""
    distributed = pytest.importorskip("distributed")
    from toolkit.regions import areas

    tasks = batch.plan(None, ["baseline"], out=tmp_path, all_regions=False, level="municipality", **SMALL)
    municipalities = areas("municipality")
    assert len(tasks) == len(municipalities) == 309
    assert [task.parameters["region"] for task in tasks] == [area.id for area in municipalities]
    chosen = [task for task in tasks if task.parameters["region"] == "kajaani"]
    assert len(chosen) == 1
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,  # in-process: no sockets
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        report = batch.run_tasks(chosen, client=client, progress=False)
    assert report.failed == [], report.summary()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert set(manifest["areas"]) == {task.region for task in chosen}
    for task in chosen:
        page = (tmp_path / task.region / "index.html").read_text()
        assert pages.remote_references(page) == [] and page.count("Plotly.newPlot") >= 5


def test_a_worker_with_several_threads_renders_one_pack_at_a_time(monkeypatch):
    """A worker's kernel belongs to its process: two renders in one process at once would share it and hang."""
    distributed = pytest.importorskip("distributed")
    import threading
    import time as clock

    active, most, lock = [0], [0], threading.Lock()

    def fake_render(task):
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        clock.sleep(0.2)
        with lock:
            active[0] -= 1
        return batch.AreaResult(task.region, "ok", 0.2, 1, {})

    monkeypatch.setattr(batch, "render_area", fake_render)
    tasks = [types.SimpleNamespace(region=f"area-{i}") for i in range(4)]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=3, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        results = batch._run_on_cluster(tasks, client, show=False)
    assert [r.region for r in results] == [t.region for t in tasks] and {r.status for r in results} == {"ok"}
    assert most[0] == 1
