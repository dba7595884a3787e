"""Writing files atomically: a complete new file or the old one, never a half-written file.

Every file the toolkit writes goes through :func:`atomic_write` (or :func:`replace_all` for a set of files that
must change together): the content is written to a temporary file in the target's folder, which is then renamed
over the target. A failure leaves the old file and removes the temporary one.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from toolkit.errors import InputError

FREE_SPACE_MARGIN = 1.2
"""Free space a write needs, relative to the bytes it expects to write [1]."""
_TEMP_PID = re.compile(r"\.p(\d+)\.[^.]*\.tmp$")


def temporary_beside(path: Path) -> Path:
    """A new, empty temporary file in the folder of ``path`` (hidden, named after it and this process:
    ``.<name>.p<pid>.<random>.tmp``, so that a later run can tell a stale one from a live one)."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.p{os.getpid()}.", suffix=".tmp", dir=path.parent or ".")
    os.close(handle)
    return Path(name)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid != 0


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove temporary files (or folders) of ``path`` left by a process that no longer runs (a kill, a power
    cut): ``.<name>.p<pid>.*.tmp`` whose pid is gone, and the older ``.<name>.<random>.tmp`` without a pid."""
    path = Path(path)
    removed = []
    folder = path.parent if str(path.parent) else Path(".")
    try:
        candidates = list(folder.glob(f".{glob_escape(path.name)}.*.tmp"))
    except OSError:
        return removed
    for candidate in candidates:
        match = _TEMP_PID.search(candidate.name)
        if match and _alive(int(match.group(1))):
            continue
        try:
            if candidate.is_dir():
                shutil.rmtree(candidate)
            else:
                candidate.unlink()
            removed.append(candidate)
        except OSError:
            pass
    return removed


def glob_escape(name: str) -> str:
    """``name`` with glob's special characters escaped."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def check_free_space(path: Path, expected_bytes: int) -> None:
    """Refuse a write of about ``expected_bytes`` into the folder of ``path`` that the disk cannot hold."""
    folder = Path(path).parent if str(Path(path).parent) else Path(".")
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return
    need = int(expected_bytes * FREE_SPACE_MARGIN)
    if need > free:
        raise InputError(f"{path}: the output needs about {need / 1e6:,.0f} MB but the disk has "
                         f"{free / 1e6:,.0f} MB free; free some space or write elsewhere; nothing was changed")


def atomic_write(path: Path, write: Callable[[Path], None], expected_bytes: int | None = None) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path`` and rename it over ``path`` on success.

    Stale temporaries of ``path`` from killed runs are removed first; with ``expected_bytes``, a disk that cannot
    hold the file is refused before anything is written (:func:`check_free_space`). A signal that raises
    (SIGINT, and SIGTERM under ``forum``) removes the temporary file too.

    Raises
    ------
    InputError
        If the folder cannot be written (the message names the file and the reason); nothing is changed.
    """
    path = Path(path)
    remove_stale_temporaries(path)
    try:
        tmp = temporary_beside(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the output ({exc.strerror or exc})") from None
    try:
        if expected_bytes is not None:
            check_free_space(path, expected_bytes)
        write(tmp)
        os.chmod(tmp, 0o644)
        with _signals_held():  # the rename is not interrupted: either the old file or the new one, and we know
            os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write the output ({exc.strerror or exc})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


_HELD = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


@contextlib.contextmanager
def _signals_held():
    """Hold SIGINT, SIGTERM and SIGHUP for the block; they are delivered (and raise) right after it."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically, creating its folder if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline=""))


def replace_all(outputs: Mapping[Path, str]) -> list[Path]:
    """Write every text to a temporary file first, then move them all into place.

    Raises
    ------
    InputError
        If any file cannot be written; then no file was changed.
    """
    temps: dict[Path, Path] = {}
    try:
        for path, text in outputs.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            temps[path] = temporary_beside(path)
            temps[path].write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
        raise InputError(f"cannot write {path}: {exc}; nothing was changed") from exc
    for path, temp in temps.items():
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    return list(temps)
