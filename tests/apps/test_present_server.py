"""`forum present`'s Voilà server: Host header checked, a cap on kernels, and every stop signal ends Voilà and its
kernels (a subprocess on 127.0.0.1; nothing leaves the machine)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from toolkit.cli import voila_command
from toolkit.explorer.server import CULL_IDLE_SECONDS, MAX_KERNELS

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str = "/", host: str | None = None, timeout: float = 180) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request("GET", path, headers={"Host": host or f"127.0.0.1:{port}"})
    status = connection.getresponse().status
    connection.close()
    return status


def _wait_until_serving(port: int, process: subprocess.Popen, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"Voilà exited with code {process.returncode}"
        try:
            _get(port, "/favicon.ico", timeout=2)  # static: starts no kernel
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("Voilà did not answer")


def _kernels(process: subprocess.Popen) -> list[psutil.Process]:
    return [p for p in psutil.Process(process.pid).children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]


def test_voila_command_caps_kernels_culls_idle_ones_and_binds_loopback():
    argv, _ = voila_command("kainuu", 8866)
    assert argv[1:3] == ["-m", "toolkit.explorer.server"] and "--Voila.ip=127.0.0.1" in argv
    assert f"--CappedKernelManager.max_kernels={MAX_KERNELS}" in argv
    assert f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_SECONDS}" in argv
    assert "--MappingKernelManager.cull_connected=False" in argv


def test_host_header_kernel_cap_and_sighup(tmp_path):
    port = _free_port()
    argv, env = voila_command("kainuu", port, save_dir=tmp_path)
    argv = [arg for arg in argv if not arg.startswith("--CappedKernelManager.max_kernels")]
    argv.append("--CappedKernelManager.max_kernels=1")
    env["PYTHONPATH"] = str(ROOT)
    process = subprocess.Popen(argv, env=env, cwd=ROOT / "notebooks", stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        _wait_until_serving(port, process)
        for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example", "attacker.localhost.net"):
            assert _get(port, "/", host) == 403, host  # DNS rebinding: a foreign Host is refused, no kernel
            assert _get(port, "/api/kernels", host) == 403, host
        assert _kernels(process) == []
        assert _get(port, "/", f"localhost:{port}") == 200  # one page, one kernel
        assert len(_kernels(process)) == 1
        assert _get(port, "/") in (500, 503)  # the cap: no second kernel
        assert len(_kernels(process)) == 1
        family = psutil.Process(process.pid).children(recursive=True)
        process.send_signal(signal.SIGHUP)
        process.wait(timeout=60)
        _, alive = psutil.wait_procs(family, timeout=15)
        assert not alive, [p.cmdline() for p in alive]
    finally:
        if process.poll() is None:
            process.kill()


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_forum_present_stops_voila_and_its_kernels(signum):
    port = _free_port()
    # started with SIGINT ignored, as a background job of a shell script is: the signal must still stop it
    forum = subprocess.Popen([sys.executable, "-m", "toolkit.cli", "present", "--port", str(port)],
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, preexec_fn=_ignore_sigint)
    family: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                _get(port, "/favicon.ico", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        assert _get(port, "/") == 200
        family = psutil.Process(forum.pid).children(recursive=True)
        assert any("ipykernel" in " ".join(p.cmdline()) for p in family)
        forum.send_signal(signum)
        _, err = forum.communicate(timeout=60)
        assert "Traceback" not in err
        _, alive = psutil.wait_procs(family, timeout=15)
        assert not alive, [p.cmdline() for p in alive]
    finally:  # a failed test leaves no server behind: Voilà and its kernels are killed with forum present
        for process in [*family, psutil.Process(forum.pid)] if forum.poll() is None else family:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
