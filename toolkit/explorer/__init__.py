"""The live explorer for analysts (JupyterLab) and facilitators (Voilà): :class:`Explorer`.

* :mod:`toolkit.explorer.levers` — sliders <-> scenario levers;
* :mod:`toolkit.explorer.runs` — the cached runs of the shipped scenarios;
* :mod:`toolkit.explorer.writer` — the edited levers saved as a scenario file;
* :mod:`toolkit.explorer.app` — the widgets and figures, wired together.
"""

from toolkit.explorer.app import CURRENT, Explorer

__all__ = ["CURRENT", "Explorer"]
