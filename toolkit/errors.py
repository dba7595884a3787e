"""Error types shared by the whole toolkit.

`InputError` is a problem with what the user gave us (a file, a value, an id): the CLI prints its
message on one line and exits with code 2, without a traceback and without writing any output.
Anything else is a bug and exits with code 1 and a traceback.
"""

from __future__ import annotations


class InputError(Exception):
    """A bad input: the message names what was wrong, where, and what is allowed."""


class DataError(InputError):
    """A base-data file failed validation.

    Parameters
    ----------
    path : the file (str or Path)
    message : what is wrong and what is allowed
    row : 1-based line number in the file (the header is line 1), if one row is at fault
    column : the column name, if one column is at fault
    """

    def __init__(self, path, message: str, *, row: int | None = None, column: str | None = None):
        self.path = str(path)
        self.row = row
        self.column = column
        where = self.path
        if row is not None:
            where += f", line {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP turned into an exception (by ``forum``), so that cleanups run as on Ctrl-C.

    Parameters
    ----------
    signum : the signal's number
    """

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(f"signal {signum}")


class ToolkitWarning(UserWarning):
    """Warnings raised by the toolkit itself (tests turn them into errors)."""
