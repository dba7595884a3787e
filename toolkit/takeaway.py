"""Numbers to take away: the data behind a pack's figures, and the tables of a run, as tidy tables.

:func:`figure_tables` turns the figures of an executed forum notebook (their plotly JSON) into one
:class:`~toolkit.io.tables.Table` per figure: one row per plotted point, with the series (the legend entry), the
point's category or year and its value, headed by the figure's own axis titles (which carry the units) in the pack's
language; an animated figure (the pyramid) gets a column for its frame (the year). A Sankey diagram becomes its flows
(from, to, value). A trace that only redraws another's numbers (``meta: {"repeats": …}``, the pyramid's outline of
the baseline) is left out.
Figures without data (the scenario cards) are left out: their numbers are in the pack's table.

:func:`dataset_tables` does the same for the dataset of ``forum project`` or ``forum skills``: one table per
variable, one row per cell, the dimensions and the variable's name and unit in the chosen language.

:func:`write_pack_data` writes a pack's tables into its folder: ``data/<nn>-<topic>.csv`` and one workbook;
:func:`write_run_workbook` writes the workbook of ``forum project|skills --out FILE.xlsx``.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from toolkit.io.results import check_finite, check_output_path
from toolkit.io.tables import Table, file_stem, write_csv, write_workbook
from toolkit.text import t
from toolkit.version import __version__

DATA_DIR = "data"
"""The folder of a pack's CSV files."""
WORKBOOK = {"fi": "luvut.xlsx", "sv": "siffror.xlsx", "en": "numbers.xlsx"}
"""The workbook's file name in a pack folder, by the pack's language."""
_TAG = re.compile(r"<[^>]+>")


def plain(text) -> str:
    """A plotly label as plain text: tags removed (``<br>`` becomes a space), entities decoded."""
    if isinstance(text, Mapping):
        text = text.get("text")
    if not text:
        return ""
    return " ".join(html.unescape(_TAG.sub(" ", str(text))).split())


def values(array) -> list:
    """A plotly data array as a list: plain lists as they are, plotly's typed arrays (``bdata``) decoded."""
    if array is None:
        return []
    if isinstance(array, Mapping) and "bdata" in array:
        data = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        if "shape" in array:
            shape = [int(size) for size in str(array["shape"]).split(",")]
            data = data.reshape(shape)
        return data.tolist()
    if isinstance(array, str | int | float):
        return [array]
    return list(array)


def _cell(value):
    """A value for a table cell: finite numbers rounded to 6 significant digits, NaN as empty, text as text."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        if not math.isfinite(value):
            return ""
        if abs(value) < 1e-9:  # rounding noise of a difference (a balance of exactly zero)
            return 0
        rounded = float(f"{value:.6g}")
        return int(rounded) if rounded.is_integer() and abs(rounded) < 1e15 else rounded
    return plain(value)


def _number_or_text(value):
    """A frame's name as a number where it is one (a year), else as text."""
    text = str(value or "")
    return int(text) if text.isdigit() else text


def _axis_title(layout: Mapping, axis: str) -> str:
    """The title of axis ``x``, ``x2``, ``y``… of a layout."""
    key = axis[0] + "axis" + axis[1:]
    return plain(layout.get(key, {}).get("title"))


def _trace_points(trace: Mapping) -> tuple[list, list, bool]:
    """(categories, values, horizontal) of a scatter or bar trace; the values are the ``customdata`` where the
    hover text shows them instead of the plotted positions (the pyramid's men are plotted to the left)."""
    horizontal = trace.get("orientation") == "h"
    x, y = values(trace.get("x")), values(trace.get("y"))
    if not x and y:
        x = list(range(len(y)))
    if not y and x:
        y = list(range(len(x)))
    categories, numbers = (y, x) if horizontal else (x, y)
    shown = values(trace.get("customdata"))
    if "%{customdata" in str(trace.get("hovertemplate", "")) and len(shown) == len(numbers) and all(
            isinstance(value, int | float) for value in shown):
        numbers = shown
    return categories, numbers, horizontal


_EXTRA = re.compile(r"<extra>(.*?)</extra>", re.DOTALL)


def _series(trace: Mapping) -> str:
    """The series of a trace as its hover box names it (``<extra>`` text without placeholders), else its name."""
    extra = _EXTRA.search(str(trace.get("hovertemplate") or ""))
    if extra and extra.group(1).strip() and "%{" not in extra.group(1):
        return plain(extra.group(1))
    return plain(trace.get("name")) or plain(trace.get("legendgroup"))


def _band(categories: list, numbers: list) -> tuple[list, list, list] | None:
    """A band drawn as one closed outline (``fill: toself``, the categories there and back): (categories, one
    edge, the other edge) in the forward order, or ``None`` if the trace is not such an outline."""
    half = len(categories) // 2
    if half == 0 or len(categories) != 2 * half or categories[:half] != categories[half:][::-1]:
        return None
    return categories[:half], numbers[:half], numbers[half:][::-1]


def _repeats(trace: Mapping) -> bool:
    """True for a trace that redraws another's numbers (its ``meta`` has ``repeats``: the pyramid's outline of the
    baseline over every scenario's bars); a table would only repeat them."""
    meta = trace.get("meta")
    return isinstance(meta, Mapping) and "repeats" in meta


def _trace_rows(trace: Mapping, lang: str) -> tuple[list[tuple], bool]:
    """(rows of (series, category, value), horizontal) of one scatter or bar trace; a band outline gives two
    series, its lower and its upper edge."""
    categories, numbers, horizontal = _trace_points(trace)
    series = _series(trace)
    band = _band(categories, numbers) if trace.get("fill") == "toself" else None
    if band is None:
        return [(series, category, value) for category, value in zip(categories, numbers, strict=False)], horizontal
    forward, first, second = band
    finite = [(a, b) for a, b in zip(first, second, strict=True) if _finite(a) and _finite(b)]
    lower_first = sum(a for a, _ in finite) <= sum(b for _, b in finite)
    lower, upper = (first, second) if lower_first else (second, first)
    rows = [(f"{series} – {t('takeaway.lower', lang)}", category, value) for category, value in zip(forward, lower,
                                                                                                     strict=True)]
    rows += [(f"{series} – {t('takeaway.upper', lang)}", category, value) for category, value in zip(forward, upper,
                                                                                                      strict=True)]
    return rows, horizontal


def _finite(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _sankey_table(trace: Mapping, name: str, title: str, lang: str, notes) -> Table:
    labels = [plain(label) for label in values(trace.get("node", {}).get("label"))]
    link = trace.get("link", {})
    rows = [(labels[int(source)], labels[int(target)], _cell(value)) for source, target, value in
            zip(values(link.get("source")), values(link.get("target")), values(link.get("value")), strict=False)]
    columns = [t("takeaway.flow_from", lang), t("takeaway.flow_to", lang), t("takeaway.value", lang)]
    return Table(name=name, title=title, columns=columns, rows=rows, notes=notes)


def figure_table(figure: Mapping, number: int, lang: str, source: str) -> Table | None:
    """The tidy table of one figure (plotly JSON), or ``None`` for a figure without data points."""
    layout = figure.get("layout", {})
    title = plain(layout.get("title")) or f"{t('takeaway.figure', lang)} {number}"
    name = f"{number:02d} {title}"
    notes = [t("takeaway.source", lang, source=source)]
    data = list(figure.get("data", []))
    if any(trace.get("type") == "sankey" for trace in data):
        trace = next(trace for trace in data if trace.get("type") == "sankey")
        return _sankey_table(trace, name, title, lang, notes)
    frames = [frame for frame in figure.get("frames", []) if frame.get("data")]
    sources = [(_cell(_number_or_text(frame.get("name"))), frame) for frame in frames] if frames else [("", figure)]
    rows, horizontal, first = [], False, None
    for frame_name, holder in sources:
        indices = holder.get("traces")
        for index, trace in enumerate(holder.get("data", [])):
            position = indices[index] if indices and index < len(indices) else index
            merged = {**(data[position] if position < len(data) else {}), **trace}  # a frame changes some keys
            if merged.get("type", "scatter") not in ("scatter", "scattergl", "bar") or _repeats(merged):
                continue
            first = merged if first is None else first
            points, _ = _trace_rows(merged, lang)
            rows += [((frame_name,) if frames else ()) + (series, _cell(category), _cell(value))
                     for series, category, value in points if _finite(value)]
    if not rows:
        return None
    trace = first or {}
    horizontal = trace.get("orientation") == "h"
    x_axis, y_axis = trace.get("xaxis", "x"), trace.get("yaxis", "y")
    category_title, value_title = _axis_title(layout, x_axis), _axis_title(layout, y_axis)
    if horizontal:
        category_title, value_title = value_title, category_title
    columns = [t("takeaway.series", lang), category_title or t("takeaway.category", lang),
               value_title or t("takeaway.value", lang)]
    if frames:
        slider = (layout.get("sliders") or [{}])[0]
        prefix = plain(slider.get("currentvalue", {}).get("prefix")).rstrip(": ")
        columns.insert(0, prefix or t("takeaway.frame", lang))
    if value_title:
        notes.insert(0, t("takeaway.unit", lang, unit=value_title))
    return Table(name=name, title=title, columns=columns, rows=rows, notes=notes, series=1 if frames else 0)


def figure_tables(figures: Iterable[Mapping], lang: str, source: str) -> list[Table]:
    """One table per figure with data points, numbered in the order of the page."""
    tables = []
    for figure in figures:
        table = figure_table(figure, len(tables) + 1, lang, source)
        if table is not None:
            tables.append(table)
    return tables


def dataset_tables(ds: xr.Dataset, lang: str, source: str) -> list[Table]:
    """One tidy table per data variable of a run's dataset: its dimensions, then its value.

    Headers come from the text catalogue (``takeaway.dim.<name>``, ``takeaway.var.<name>`` and, for the variable's
    ``units`` attribute, ``takeaway.units.<units>``).
    """
    tables = []
    for variable in ds.data_vars:
        array = ds[variable]
        if not array.dims:
            continue
        title = _label("var", str(variable), lang)
        unit = array.attrs.get("units") or array.attrs.get("unit")
        unit = _label("units", str(unit), lang) if unit else None
        notes = ([t("takeaway.unit", lang, unit=unit)] if unit else []) + [t("takeaway.source", lang, source=source)]
        frame = array.to_dataframe(name="value").reset_index()[[*array.dims, "value"]]
        columns = [_label("dim", str(dim), lang) for dim in array.dims] + [
            f"{title} ({unit})" if unit else title]
        rows = [tuple(_cell(value) for value in row) for row in frame.itertuples(index=False, name=None)]
        tables.append(Table(name=title, title=title, columns=columns, rows=rows, notes=notes))
    return tables


def _label(kind: str, name: str, lang: str) -> str:
    """The catalogue's ``takeaway.<kind>.<name>`` (a dimension, variable or unit of a run's dataset)."""
    return t(f"takeaway.{kind}.{name}", lang)


def widen(table: Table) -> Table:
    """``table`` with a column per series: its ``series`` column spread over the columns, its last column (the
    value, whose header names the unit, kept in the notes) in the cells; rows in the order their keys first
    appear. A spreadsheet reader's layout of a figure's numbers, with a fraction of the tidy form's cells. A table
    without a series column is returned as it is."""
    if table.series is None:
        return table
    names: dict = {}
    cells: dict[tuple, dict] = {}
    for row in table.rows:
        rest = list(row[:-1])
        name = rest.pop(table.series) or table.columns[-1]
        names.setdefault(name, None)
        cells.setdefault(tuple(rest), {})[name] = row[-1]
    keys = [column for index, column in enumerate(table.columns[:-1]) if index != table.series]
    rows = [(*key, *(values.get(name, "") for name in names)) for key, values in cells.items()]
    notes = list(table.notes)
    value = table.columns[-1]
    if not any(value in note for note in notes):
        notes.insert(0, value)
    return Table(name=table.name, title=table.title, columns=[*keys, *names], rows=rows, notes=notes)


def write_pack_data(folder: Path, tables: Sequence[Table], lang: str) -> dict[str, list[str]]:
    """Write each table as ``data/<nn>-<topic>.csv`` (tidy) and all of them as one workbook into ``folder`` (a sheet
    per figure, a column per series: :func:`widen`).

    Returns the written files relative to ``folder``: ``{"csv": [...], "workbook": [...]}``.
    """
    folder = Path(folder)
    written = {"csv": [], "workbook": []}
    for table in tables:
        relative = f"{DATA_DIR}/{file_stem(table.name)}.csv"
        write_csv(folder / relative, table)
        written["csv"].append(relative)
    if tables:
        write_workbook(folder / WORKBOOK[lang], [widen(table) for table in tables])
        written["workbook"].append(WORKBOOK[lang])
    return written


def write_run_workbook(ds: xr.Dataset, path, lang: str) -> Path:
    """Write a run's dataset as one workbook (a sheet per variable, headers in ``lang``), atomically, after the
    checks of :func:`toolkit.io.results.write_dataset` (a known suffix, finite values)."""
    path = check_output_path(path)
    check_finite(ds, path)
    write_workbook(path, dataset_tables(ds, lang, t("takeaway.source_text", lang, version=__version__)))
    return path
