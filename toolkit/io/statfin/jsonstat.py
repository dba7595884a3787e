"""JSON-stat 2.0 datasets (the PxWeb ``json-stat2`` response) as tidy pandas tables."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from toolkit.errors import InputError

# --------------------------------------------------------------------------------------------------
# JSON-stat 2.0
# --------------------------------------------------------------------------------------------------

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
    """
    if doc.get("class") != "dataset" or "id" not in doc or "size" not in doc:
        raise InputError("JSON-stat: expected a dataset with 'id' and 'size' (version 2.0)")
    ids, sizes = list(doc["id"]), [int(n) for n in doc["size"]]
    categories = [_category_codes(doc["dimension"][dim], dim, n) for dim, n in zip(ids, sizes, strict=True)]
    n_cells = int(np.prod(sizes, dtype=np.int64))
    frame = pd.MultiIndex.from_product(categories, names=ids).to_frame(index=False)
    frame["value"] = _cell_array(doc.get("value"), n_cells, float, "value")
    frame["status"] = _cell_array(doc.get("status"), n_cells, object, "status")
    if labels:
        for position, dim in enumerate(ids):
            label = doc["dimension"][dim]["category"].get("label", {})
            frame.insert(2 * position + 1, f"{dim}_label", frame[dim].map(lambda c, lab=label: lab.get(c, c)))
    return frame


def _category_codes(dimension: Mapping, dim: str, size: int) -> list[str]:
    category = dimension.get("category", {})
    index = category.get("index")
    if index is None:  # allowed for a single category: the label's key is the code
        codes = list(category.get("label", {}))
    elif isinstance(index, Mapping):
        codes = sorted(index, key=index.__getitem__)
    else:
        codes = list(index)
    if len(codes) != size:
        raise InputError(f"JSON-stat: dimension '{dim}' has {len(codes)} categories but size {size}")
    return [str(code) for code in codes]


def _cell_array(cells, n_cells: int, dtype, name: str) -> np.ndarray:
    """Dense array of `n_cells` from a JSON-stat list, sparse dict (position → cell) or single value."""
    fill = np.nan if dtype is float else None
    out = np.full(n_cells, fill, dtype=dtype)
    if cells is None:
        return out
    if isinstance(cells, Mapping):
        positions = np.array([int(key) for key in cells], dtype=np.int64)
        if positions.size and (positions.min() < 0 or positions.max() >= n_cells):
            raise InputError(f"JSON-stat: '{name}' has a position outside 0..{n_cells - 1}")
        out[positions] = [fill if cell is None else cell for cell in cells.values()]
    elif isinstance(cells, list):
        if len(cells) != n_cells:
            raise InputError(f"JSON-stat: '{name}' has {len(cells)} cells, the sizes give {n_cells}")
        out[:] = [fill if cell is None else cell for cell in cells]
    else:  # one status for every cell
        out[:] = cells
    return out

