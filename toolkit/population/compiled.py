"""Where the compiled kernels are cached: a folder per version of their sources.

numba keys a cached function by its own file: the ensemble's year loop (``ensemble.py``) compiles the engine
step of ``ccm.py`` and the selection of ``selection.py`` into itself, so after a change in either its cached
kernel in ``__pycache__`` would still run the old code. Imported before any kernel is defined, this module points
numba's cache at :func:`toolkit.io.cache.kernel_cache_dir` of the three sources (in the model cache, outside the
work tree), unless ``NUMBA_CACHE_DIR`` names a folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import numba

from toolkit.io.cache import kernel_cache_dir

SOURCES = tuple(Path(__file__).with_name(name) for name in ("ccm.py", "selection.py", "ensemble.py"))
"""The files whose kernels call one another."""

if not os.environ.get("NUMBA_CACHE_DIR", "").strip():
    numba.config.CACHE_DIR = str(kernel_cache_dir(SOURCES, numba.__version__))

__all__ = ["SOURCES"]
