"""Writing files atomically: a complete new file or the old one, never a half-written file.

Every file the toolkit writes goes through :func:`atomic_write` (or :func:`replace_all` for a set of files that
must change together): the content is written to a temporary file in the target's folder, which is then renamed
over the target. A failure leaves the old file and removes the temporary one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from toolkit.errors import InputError


def temporary_beside(path: Path) -> Path:
    """A new, empty temporary file in the folder of ``path`` (hidden, named after it)."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    os.close(handle)
    return Path(name)


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path`` and rename it over ``path`` on success.

    Raises
    ------
    InputError
        If the folder cannot be written (the message names the file and the reason); nothing is changed.
    """
    path = Path(path)
    try:
        tmp = temporary_beside(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the output ({exc.strerror or exc})") from None
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write the output ({exc.strerror or exc})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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
