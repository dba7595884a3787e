"""Numbers to take away: tidy CSV files and one Excel workbook (a sheet per topic), written atomically.

A :class:`Table` is one topic: a title, the header row (already in the reader's language), the rows, and the notes
that go with it (units, source). :func:`write_csv` writes its header and rows as one tidy CSV file (UTF-8 with a
byte-order mark, so that spreadsheet programs read the Finnish and Swedish letters); :func:`write_workbook` writes
every table as a sheet of one ``.xlsx`` file (XlsxWriter): the title in the first row, the notes under it, an empty
row, then the header and the rows, with the header row frozen. A table longer than a sheet is refused before
anything is written.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

from toolkit.errors import InputError
from toolkit.io.files import atomic_write

EXCEL_ROWS = 1_048_576
"""Rows of an Excel sheet."""
SHEET_NAME_LENGTH = 31
"""Excel's limit on a sheet's name [characters]."""
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FILE_FORBIDDEN = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Table:
    """One topic of the numbers: what a sheet or a CSV file holds.

    Attributes
    ----------
    name : short name of the topic (the sheet's name, shortened to Excel's 31 characters)
    title : the topic's title, in the reader's language
    columns : the header row
    rows : the data rows, one value per column (numbers stay numbers)
    notes : lines shown under the title in the workbook: units, the source
    series : the column that names each row's series (for a layout with a column per series), if any
    """

    name: str
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence]
    notes: Sequence[str] = field(default_factory=tuple)
    series: int | None = None

    def __post_init__(self):
        width = len(self.columns)
        bad = next((index for index, row in enumerate(self.rows) if len(row) != width), None)
        if bad is not None:
            raise ValueError(f"table {self.name!r}: row {bad} has {len(self.rows[bad])} values, not {width}")


FILE_STEM_LENGTH = 60


def file_stem(text: str) -> str:
    """A plain file name made of ``text``: lower-case ASCII letters, digits and hyphens, at most
    :data:`FILE_STEM_LENGTH` characters, cut after the last whole word that fits (a first word longer than that
    is cut where the limit falls)."""
    translated = text.lower().translate(str.maketrans({"ä": "a", "ö": "o", "å": "a", "é": "e", "ü": "u"}))
    stem = _FILE_FORBIDDEN.sub("-", translated).strip("-")
    if len(stem) > FILE_STEM_LENGTH:
        head = stem[:FILE_STEM_LENGTH + 1]  # a hyphen just after the limit ends a whole word
        stem = head[:head.rfind("-")] if "-" in head else stem[:FILE_STEM_LENGTH]
    return stem.strip("-") or "table"


def sheet_names(tables: Sequence[Table]) -> list[str]:
    """Each table's sheet name: Excel's forbidden characters removed, at most 31 characters, unique."""
    names: list[str] = []
    for table in tables:
        base = " ".join(_SHEET_FORBIDDEN.sub(" ", table.name).split()) or "Sheet"
        name, number = _shortened(base, SHEET_NAME_LENGTH), 2
        while name.lower() in {existing.lower() for existing in names}:
            suffix = f" ({number})"
            name, number = _shortened(base, SHEET_NAME_LENGTH - len(suffix)) + suffix, number + 1
        names.append(name)
    return names


def _shortened(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else cut after its last whole word that fits, with "…"
    (a word longer than the limit is cut where the limit falls)."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    words = cut[:cut.rfind(" ")] if " " in cut.strip() else cut
    return words.rstrip(" ,;:-–(") + "…"


def _csv_text(table: Table, tmp: Path) -> None:
    with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.columns)
        writer.writerows(table.rows)


def write_csv(path: Path, table: Table) -> None:
    """Write ``table`` as one tidy CSV file (header row, then the rows) to ``path``, atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: _csv_text(table, tmp))


def write_workbook(path: Path, tables: Sequence[Table]) -> None:
    """Write every table as a sheet of one Excel workbook at ``path``, atomically.

    Raises
    ------
    InputError
        If the file cannot be written or a table has more rows than a sheet holds (nothing is changed);
        ``ValueError`` if there is no table.
    """
    if not tables:
        raise ValueError("a workbook needs at least one table")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    too_long = [table.name for table in tables if len(table.rows) + len(table.notes) + 3 > EXCEL_ROWS]
    if too_long:
        raise InputError(f"{path}: {', '.join(too_long)} has more rows than a workbook sheet holds "
                         f"({EXCEL_ROWS:,}); write .nc or .csv, or select fewer regions or scenarios")
    atomic_write(path, lambda tmp: _workbook(tmp, tables))


WORKBOOK_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}
"""XlsxWriter's options: rows streamed to disk, and text always written as text (a name beginning with "=" never
becomes a formula, nor "www…" a link)."""


def _workbook(tmp: Path, tables: Sequence[Table]) -> None:
    """Write the workbook to ``tmp`` with XlsxWriter (a pack's workbook in about three quarters of the time that
    openpyxl's streamed mode takes)."""
    book = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
    title, bold = book.add_format({"bold": True, "font_size": 13}), book.add_format({"bold": True})
    for table, name in zip(tables, sheet_names(tables), strict=True):
        sheet = book.add_worksheet(name)
        for index, column in enumerate(table.columns):
            width = max([len(str(column))] + [len(str(row[index])) for row in table.rows[:200]])
            sheet.set_column(index, index, min(48, width + 2))
        sheet.write_string(0, 0, str(table.title), title)
        for row, note in enumerate(table.notes, start=1):
            sheet.write_string(row, 0, str(note))
        header = len(table.notes) + 2
        sheet.write_row(header, 0, [str(column) for column in table.columns], bold)
        sheet.freeze_panes(header + 1, 0)
        for row, values in enumerate(table.rows, start=header + 1):
            sheet.write_row(row, 0, values)
    book.close()
