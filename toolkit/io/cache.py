"""The on-disk cache of fitted models (trend fits, tightness forecasts): arrays keyed by what they depend on."""

from __future__ import annotations

import contextlib
import hashlib
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np


def cache_dir() -> Path:
    """Folder of the on-disk cache of fitted models (``FORUM_CACHE_DIR``, else the user's cache folder).

    An empty variable counts as unset; a relative one is made absolute against the working folder. Commands
    that start notebook kernels (which run in ``notebooks/``) hand them the absolute folder through
    :func:`cache_environment`, so the command and its kernels share one cache and neither fills the work tree.
    """
    chosen = os.environ.get("FORUM_CACHE_DIR", "").strip()
    if chosen:
        return Path(chosen).expanduser().absolute()
    home = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(home).expanduser().absolute() / "futures-forum" / "trends"


def kernel_cache_dir(sources, version: str) -> Path:
    """Folder of the compiled kernels built from ``sources`` (paths of Python files) with numba ``version``:
    :func:`cache_dir`/numba/<sha256 of the sources and the version>, so that a change in any of the files
    starts a folder of its own (numba keys a cached function by its own file only, not by the files of the
    functions it inlines)."""
    digest = hashlib.sha256(version.encode())
    for source in sources:
        digest.update(Path(source).read_bytes())
    return cache_dir() / "numba" / digest.hexdigest()[:16]


def cache_environment() -> dict[str, str]:
    """The environment entry that gives a child process (a notebook kernel, Voila) this process's cache."""
    return {"FORUM_CACHE_DIR": str(cache_dir())}


def disk_cached(name: str, key: str, compute) -> dict[str, np.ndarray]:
    """Arrays computed once per ``key`` and kept in :func:`cache_dir` (``<name>-<sha256 of key>.npz``).

    ``key`` must hold everything the result depends on (inputs' hashes, model specification, library
    versions), so that a changed input is recomputed, never read stale. A missing, unreadable or read-only
    cache only makes the call slower; files are written to a temporary name and renamed.
    """
    path = cache_dir() / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:20]}.npz"
    try:
        with np.load(path) as stored:
            return {item: stored[item] for item in stored.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error):  # absent, truncated, foreign
        pass
    except Exception:  # noqa: BLE001 - any other damage of a cache file only makes the run slower
        pass
    arrays = {item: np.asarray(value) for item, value in compute().items()}
    partial = path.with_name(f".{path.stem}.{os.getpid()}.npz")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(partial, **arrays)
        os.replace(partial, path)
    except OSError:  # a read-only or full cache folder: no partial file is left behind
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return arrays
