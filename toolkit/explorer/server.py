"""The explorer's Voilà server, hardened for a forum laptop: local Host names only, a cap on kernels, culling.

``forum present`` runs ``python -m toolkit.explorer.server`` (see :func:`toolkit.cli.voila_command`) instead of
``voila`` itself, which serves any ``Host`` header (Voilà sets ``allow_remote_access=True``):

* :class:`ForumVoila` turns jupyter_server's Host check on (``allow_remote_access=False``, ``local_hostnames``
  localhost only, loopback addresses allowed), so a page of another site cannot reach the explorer through DNS
  rebinding; SIGHUP and SIGINT shut the kernels down like SIGTERM does;
* :class:`CappedKernelManager` refuses a kernel beyond :data:`MAX_KERNELS` (HTTP 503), so that requests cannot fill
  the memory with kernels (about 440 MB each);
* the page loads no front-end extension it does not use (:data:`UNUSED_EXTENSIONS`);
* the page comes from the ``forum`` template (:data:`TEMPLATE_ROOT`): Voilà's lab template without its links to a
  CDN, so the page requests nothing from outside the machine;
* kernels of closed pages are culled after :data:`CULL_IDLE_SECONDS` without activity (``cull_connected`` off: an
  open page keeps its kernel).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Integer
from voila.app import Voila

MAX_KERNELS = 4
"""Kernels (open explorer pages) at the same time; each holds about 440 MB."""
CULL_IDLE_SECONDS = 120
"""A kernel that no page is connected to is shut down after this long without activity [s]."""
CULL_INTERVAL_SECONDS = 30
"""How often idle kernels are looked for [s]."""
TEMPLATE = "forum"
"""The Voilà template of the explorer page."""
TEMPLATE_ROOT = Path(__file__).resolve().parent / "jupyter"
"""A Jupyter data folder holding ``voila/templates/forum`` (put first on ``JUPYTER_PATH``)."""
UNUSED_EXTENSIONS = ("@voila-dashboards/jupyterlab-preview", "jupyterlab-plotly", "anywidget")
"""Front-end extensions the explorer page does not load: JupyterLab's Voilà preview button (it needs a newer
JupyterLab than Voilà's page and logs errors), and plotly's and anywidget's (no ``FigureWidget`` in the explorer)."""
LOCAL_HOSTNAMES = ("localhost",)
"""Host names served besides loopback addresses (127.0.0.1, ::1)."""


class CappedKernelManager(AsyncMappingKernelManager):
    """A kernel manager that starts at most ``max_kernels`` kernels at a time."""

    max_kernels = Integer(MAX_KERNELS, config=True, help="most kernels at the same time")

    async def start_kernel(self, *args, **kwargs):
        if len(self.list_kernel_ids()) >= self.max_kernels:
            raise web.HTTPError(503, f"the explorer already has {self.max_kernels} open pages (the most it serves); "
                                     "close one or try again in a few minutes")
        return await super().start_kernel(*args, **kwargs)


class ForumVoila(Voila):
    """Voilà with the Host check on and every stop signal shutting the kernels down."""

    def initialize(self, argv=None):
        paths = os.environ.get("JUPYTER_PATH", "")
        if str(TEMPLATE_ROOT) not in paths.split(os.pathsep):
            os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, (str(TEMPLATE_ROOT), paths)))
        super().initialize(argv)
        if self.voila_configuration.extension_denylist is None:
            self.voila_configuration.extension_denylist = list(UNUSED_EXTENSIONS)
        for signum in (signal.SIGHUP, signal.SIGINT):
            signal.signal(signum, self._handle_signal_stop)

    def init_settings(self):
        settings = super().init_settings()
        settings.update(allow_remote_access=False, local_hostnames=list(LOCAL_HOSTNAMES))
        return settings


IOPUB_TIMEOUT_SECONDS = 120
"""How long Voilà waits for a cell's output after the kernel said the cell is done [s]. nbclient's 4 s drop the
explorer's output (plotly.js, the page script, the widgets) on a busy laptop, and the page then stays empty."""


def server_options() -> list[str]:
    """The command-line options that configure the cap, the culling and the wait for outputs."""
    manager = f"{CappedKernelManager.__module__}.{CappedKernelManager.__name__}"
    return [f"--VoilaConfiguration.multi_kernel_manager_class={manager}", f"--template={TEMPLATE}",
            f"--CappedKernelManager.max_kernels={MAX_KERNELS}",
            f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_SECONDS}",
            f"--MappingKernelManager.cull_interval={CULL_INTERVAL_SECONDS}",
            "--MappingKernelManager.cull_connected=False", f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT_SECONDS}"]


main = ForumVoila.launch_instance

if __name__ == "__main__":  # pragma: no cover - run by `forum present`
    main()
