"""JSON-stat 2.0 datasets (the PxWeb ``json-stat2`` response) as tidy pandas tables.

A reply is checked against the parts of the JSON-stat 2.0 schema this toolkit reads before anything is allocated:
a ``dataset`` object with ``id`` (distinct dimension names), ``size`` (whole numbers ≥ 1, one per id), a
``dimension`` object with each dimension's ``category`` (``index`` list or mapping, or a ``label`` mapping), and
``value``/``status`` as lists, position mappings or (status only) a single text. The declared cube
(the product of ``size``) is capped at :data:`MAX_CELLS` — a reply cannot make the client allocate more than
that, whatever it declares. Every violation is one :class:`~toolkit.errors.InputError` naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from toolkit.errors import InputError

MAX_CELLS = 20_000_000
"""Largest cube [cells] a reply may declare (a table of 11re for every area, year, sex and age has ~1 million)."""
MAX_DIMENSIONS = 16
"""Most dimensions a reply may declare."""


def _bad(field: str, message: str) -> InputError:
    return InputError(f"JSON-stat reply: {field}: {message}")


def _check_structure(doc) -> tuple[list[str], list[int]]:
    """Validate the dataset's shape fields and return its ids and sizes."""
    if not isinstance(doc, Mapping):
        raise _bad("(document)", f"expected a JSON object (a dataset), got {type(doc).__name__}")
    if doc.get("class") != "dataset":
        raise _bad("class", f"expected 'dataset' (JSON-stat 2.0), got {doc.get('class')!r}")
    ids, sizes = doc.get("id"), doc.get("size")
    if not isinstance(ids, list) or not ids or not all(isinstance(dim, str) and dim for dim in ids):
        raise _bad("id", "expected a non-empty list of dimension names (texts)")
    if len(ids) > MAX_DIMENSIONS or len(set(ids)) != len(ids):
        raise _bad("id", f"expected at most {MAX_DIMENSIONS} distinct dimension names, got {len(ids)}")
    if not isinstance(sizes, list) or len(sizes) != len(ids) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sizes):
        raise _bad("size", f"expected {len(ids)} whole numbers ≥ 1 (one per id), got {sizes!r}"[:200])
    cells = math.prod(sizes)
    if cells > MAX_CELLS:
        raise _bad("size", f"the reply declares {cells:,} cells; allowed at most {MAX_CELLS:,}")
    dimension = doc.get("dimension")
    if not isinstance(dimension, Mapping):
        raise _bad("dimension", "expected an object with one entry per id")
    for dim in ids:
        if not isinstance(dimension.get(dim), Mapping) or not isinstance(dimension[dim].get("category"), Mapping):
            raise _bad(f"dimension.{dim}", "expected an object with a 'category' object")
    return ids, sizes


def jsonstat_to_frame(doc: Mapping, *, labels: bool = False) -> pd.DataFrame:
    """Tidy table of a JSON-stat 2.0 dataset.

    Parameters
    ----------
    doc : the parsed JSON-stat document (``class`` ``"dataset"``)
    labels : add a ``<dimension>_label`` column after each dimension's code column

    Returns
    -------
    DataFrame with one column of category codes per dimension (in ``id`` order), ``value`` (float,
    NaN where the dataset has no figure) and ``status`` (None where none is given), one row per cell in
    row-major order of ``id`` and ``size`` (the last dimension varies fastest).

    Raises
    ------
    InputError
        If the reply is not such a dataset (see the module), naming the field.
    """
    ids, sizes = _check_structure(doc)
    categories = [_category_codes(doc["dimension"][dim], dim, n) for dim, n in zip(ids, sizes, strict=True)]
    n_cells = math.prod(sizes)
    values = _cell_array(doc.get("value"), n_cells, float, "value")
    status = _cell_array(doc.get("status"), n_cells, object, "status")
    frame = pd.MultiIndex.from_product(categories, names=ids).to_frame(index=False)
    frame["value"] = values
    frame["status"] = status
    if labels:
        for position, dim in enumerate(ids):
            label = doc["dimension"][dim]["category"].get("label", {})
            if not isinstance(label, Mapping):
                raise _bad(f"dimension.{dim}.category.label", "expected an object of code -> label")
            frame.insert(2 * position + 1, f"{dim}_label", frame[dim].map(lambda c, lab=label: lab.get(c, c)))
    return frame


def _category_codes(dimension: Mapping, dim: str, size: int) -> list[str]:
    category = dimension["category"]
    index = category.get("index")
    field = f"dimension.{dim}.category"
    if index is None:  # allowed for a single category: the label's key is the code
        label = category.get("label")
        if not isinstance(label, Mapping):
            raise _bad(field, "expected an 'index' (list or object) or a 'label' object")
        codes = list(label)
    elif isinstance(index, Mapping):
        if not all(isinstance(p, int) and not isinstance(p, bool) for p in index.values()) or sorted(
                index.values()) != list(range(len(index))):
            raise _bad(f"{field}.index", "expected positions 0..n-1, each once")
        codes = sorted(index, key=index.__getitem__)
    elif isinstance(index, list):
        codes = list(index)
    else:
        raise _bad(f"{field}.index", f"expected a list or an object, got {type(index).__name__}")
    if not all(isinstance(code, str | int) and not isinstance(code, bool) for code in codes):
        raise _bad(f"{field}.index", "expected category codes (texts)")
    if len(codes) != size or len(set(map(str, codes))) != len(codes):
        raise _bad(field, f"dimension '{dim}' has {len(codes)} distinct categories but size {size}")
    return [str(code) for code in codes]


def _cell(cell, dtype, name: str, position: int):
    if cell is None:
        return np.nan if dtype is float else None
    if dtype is float:
        if isinstance(cell, bool) or not isinstance(cell, int | float) or not math.isfinite(cell):
            raise _bad(name, f"cell {position} is {cell!r}; expected a finite number or null")
        return float(cell)
    if not isinstance(cell, str):
        raise _bad(name, f"cell {position} is {cell!r}; expected a text or null")
    return cell


def _cell_array(cells, n_cells: int, dtype, name: str) -> np.ndarray:
    """Dense array of `n_cells` from a JSON-stat list, sparse dict (position → cell) or single value."""
    fill = np.nan if dtype is float else None
    out = np.full(n_cells, fill, dtype=dtype)
    if cells is None:
        return out
    if isinstance(cells, Mapping):
        try:
            positions = np.array([int(key) for key in cells], dtype=np.int64)
        except (TypeError, ValueError):
            raise _bad(name, "expected positions (whole numbers) as keys") from None
        if positions.size and (positions.min() < 0 or positions.max() >= n_cells):
            raise _bad(name, f"a position is outside 0..{n_cells - 1}")
        out[positions] = [_cell(cell, dtype, name, int(p)) for p, cell in zip(positions, cells.values(),
                                                                               strict=True)]
    elif isinstance(cells, list):
        if len(cells) != n_cells:
            raise _bad(name, f"{len(cells)} cells, but the sizes give {n_cells}")
        out[:] = [_cell(cell, dtype, name, i) for i, cell in enumerate(cells)]
    elif dtype is object and isinstance(cells, str):  # one status for every cell
        out[:] = cells
    else:
        raise _bad(name, f"expected a list or an object of cells, got {type(cells).__name__}")
    return out
