"""Signals and a full disk: a signal at any moment and a disk that fills leave the old file or the complete new one,
never a temporary; `forum render` stops its workers and kernels and says what it replaced (subprocess tests)."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import numpy as np
import psutil
import pytest
import xarray as xr

from toolkit.errors import InputError
from toolkit.io.files import atomic_write, remove_stale_temporaries
from toolkit.io.results import write_dataset

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _dataset(n: int = 1000) -> xr.Dataset:
    return xr.Dataset({"population": (("year", "age"), np.random.default_rng(0).random((n, 101)))},
                      coords={"year": np.arange(2000, 2000 + n), "age": np.arange(101)})


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# ---------------------------------------------------------------------------------------------- full disk

@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs (root only); skipped where it cannot be mounted."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.parametrize("suffix", [".nc", ".csv"])
def test_full_disk_is_refused_before_writing_and_keeps_the_old_file(small_disk, suffix):
    target = small_disk / f"run{suffix}"
    target.write_bytes(b"old")
    with pytest.raises(InputError, match=r"disk has .* MB free"):
        write_dataset(_dataset(3000), target)  # about 2.4 MB of values
    assert target.read_bytes() == b"old" and _leftovers(small_disk) == []


@pytest.mark.parametrize("suffix", [".nc", ".csv"])
def test_disk_that_fills_during_the_write_is_a_clean_error(small_disk, monkeypatch, suffix):
    """The free-space check passes (a racing writer), the disk fills for real (ENOSPC): an InputError, no
    segfault, no temporary file, the old file kept."""
    import shutil

    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**12, 0, 10**12))
    target = small_disk / f"run{suffix}"
    target.write_bytes(b"old")
    with pytest.raises(InputError, match="No space left on device"):
        write_dataset(_dataset(3000), target)
    assert target.read_bytes() == b"old" and _leftovers(small_disk) == []


@pytest.mark.parametrize("failure", [errno.ENOSPC, errno.EIO, errno.EDQUOT])
def test_fault_injecting_writer_leaves_no_temporary(tmp_path, failure):
    target = tmp_path / "run.nc"
    target.write_bytes(b"old")

    def write(tmp):
        tmp.write_bytes(b"partial")
        raise OSError(failure, os.strerror(failure))

    with pytest.raises(InputError, match=os.strerror(failure)):
        atomic_write(target, write)
    assert target.read_bytes() == b"old" and _leftovers(tmp_path) == []


def test_stale_temporaries_are_removed_at_start_live_ones_kept(tmp_path):
    target = tmp_path / "run.nc"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = [tmp_path / f".run.nc.p{dead}.abc.tmp", tmp_path / ".run.nc.q1w2e3.tmp",
             tmp_path / f".run.nc.p{dead}.x.tmp"]
    for path in stale[:2]:
        path.write_bytes(b"x" * 100)
    stale[2].mkdir()
    live = tmp_path / f".run.nc.p{os.getpid()}.zzz.tmp"
    live.write_bytes(b"mine")
    other = tmp_path / ".other.nc.p1.abc.tmp"
    other.write_bytes(b"not ours")
    write_dataset(_dataset(3), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, live.name, other.name])
    assert remove_stale_temporaries(target) == []


# ---------------------------------------------------------------------------------------------- signals

PROJECT = ["-m", "toolkit.cli", "project", "--region", "kainuu", "--scenario", "baseline", "--horizon", "2125",
           "--draws", "300", "--no-quantiles", "--jobs", "1"]


# moments from the projection (about 6-11 s after the start) into the ~200 MB write (about 11-13 s)
@pytest.mark.parametrize(("signum", "delay"), [(signal.SIGTERM, 7.0), (signal.SIGINT, 9.0), (signal.SIGTERM, 10.5),
                                               (signal.SIGHUP, 11.5)])
def test_signal_during_a_run_or_its_write_leaves_no_temporary(tmp_path, signum, delay):
    """Whatever the moment: the old file or the complete new one, no temporary, an honest message."""
    target = tmp_path / "run.nc"
    target.write_bytes(b"old")
    process = subprocess.Popen([sys.executable, *PROJECT, "--out", str(target)], env=ENV, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    process.send_signal(signum)
    out, err = process.communicate(timeout=120)
    assert "Traceback" not in err, err
    assert _leftovers(tmp_path) == []
    if process.returncode == -signum:  # killed while importing (nothing done) or after `forum` returned
        assert target.read_bytes() == b"old" or xr.open_dataset(target, engine="h5netcdf").sizes["draw"] == 300
    elif process.returncode == 0:  # finished before the signal: the complete new file
        assert xr.open_dataset(target, engine="h5netcdf").sizes["draw"] == 300
    else:
        assert process.returncode == 128 + signum, (process.returncode, err)
        assert err.count("\n") == 1 and f"interrupted ({signal.Signals(signum).name})" in err
        replaced = target.read_bytes() != b"old"
        assert ("was replaced" in err) == replaced and ("was not replaced" in err) == (not replaced)
        if replaced:
            assert xr.open_dataset(target, engine="h5netcdf").sizes["draw"] == 300


SLOW_NOTEBOOK = """\
import time
region = "x"
time.sleep(120)
"""


def _slow_notebook(path: Path) -> Path:
    cell = nbformat.v4.new_code_cell(SLOW_NOTEBOOK)
    cell.metadata["tags"] = ["parameters"]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}}
    nbformat.write(notebook, path)
    return path


RENDER_SCRIPT = textwrap.dedent("""\
    import sys
    from pathlib import Path
    from toolkit import batch

    if __name__ == "__main__":  # the spawned workers import this file too
        notebook, out = Path(sys.argv[1]), Path(sys.argv[2])
        tasks = [batch.AreaTask(region=name, parameters={"region": name, "lang": "en"}, out=out, notebook=notebook)
                 for name in ("alpha", "beta", "gamma")]
        try:
            batch.run_tasks(tasks, jobs=2, progress=False)
        except batch.RenderInterrupted as stop:
            print(f"forum: {stop}", file=sys.stderr)
            sys.exit(128 + stop.signum)
""")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_every_render_worker_and_kernel(tmp_path, signum):
    out = tmp_path / "packs"
    out.mkdir()
    (out / "alpha").mkdir()
    (out / "alpha" / "index.html").write_text("earlier pack")
    stale = out / ".beta.0123abcd.tmp"  # left by a render that was killed before staging names had a pid
    stale.mkdir()
    script = tmp_path / "render.py"
    script.write_text(RENDER_SCRIPT)
    # started with SIGINT ignored, as a background job of a shell script is: the signal must still stop it
    process = subprocess.Popen([sys.executable, str(script), str(_slow_notebook(tmp_path / "slow.ipynb")), str(out)],
                               env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    parent = psutil.Process(process.pid)
    deadline = time.monotonic() + 90
    kernels = []
    while time.monotonic() < deadline and len(kernels) < 2:  # both workers have started their kernels
        time.sleep(0.5)
        kernels = [p for p in parent.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
    assert len(kernels) == 2, "the kernels did not start"
    descendants = parent.children(recursive=True)
    assert not stale.exists()  # cleaned at the start
    process.send_signal(signum)
    try:
        _, err = process.communicate(timeout=90)
    finally:  # a stop that hangs fails the test and leaves nothing running
        for child in [*descendants, parent] if process.poll() is None else []:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
    assert process.returncode == 128 + signum, err
    assert "Traceback" not in err and "replaced no pack" in err and "alpha, beta, gamma" in err, err
    gone, alive = psutil.wait_procs(descendants, timeout=15)
    assert not alive, [p.cmdline() for p in alive]  # no worker, kernel or resource tracker left running
    # no staging folder, the earlier pack kept; the shared scripts are written first, each file whole (atomically)
    assert sorted(p.name for p in out.iterdir()) in (["alpha"], ["alpha", "assets"])
    assert not list(out.glob("assets/**/*.tmp*")) and not list(out.glob("assets/**/.*"))
    assert (out / "alpha" / "index.html").read_text() == "earlier pack"
