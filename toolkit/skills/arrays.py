"""Array plumbing of the skills model: numpy arrays with a fixed axis layout, and their labels.

The model computes on plain numpy arrays whose leading axes are the run's ``region, scenario``
(and ``draw`` or ``quantile``) and whose trailing axes are ``year, sex, age`` (or ``year, industry``);
labels are attached once, when the output Dataset is built. Array functions decorated with
`labelled` also take DataArrays, matched by dimension name.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from toolkit.errors import InputError

CELL = ("year", "sex", "age")


def labelled(*inputs: Sequence[str], output: Sequence[str] = (), names: Sequence[str] = ()):
    """Let a function of numpy arrays (core axes last) also take DataArrays, matched by name.

    Parameters
    ----------
    inputs : core dimensions of each array argument, in the order the function expects them last
    output : core dimensions of each result
    names : variable names of the results, for a function that returns a tuple; called with
        DataArrays it then returns a Dataset

    Returns
    -------
    decorator; with DataArray arguments the function runs through `xr.apply_ufunc` (other
    dimensions broadcast by name), with numpy arguments it is called as it is
    """

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*arrays, **options):
            if not any(isinstance(array, xr.DataArray) for array in arrays):
                return function(*arrays, **options)
            results = xr.apply_ufunc(
                function,
                *arrays,
                kwargs=options,
                input_core_dims=[list(dims) for dims in inputs],
                output_core_dims=[list(output)] * max(len(names), 1),
            )
            return xr.Dataset(dict(zip(names, results, strict=True))) if names else results

        return wrapper

    return decorate


def lagged(values: np.ndarray, lag: int, axis: int, fill: float = np.nan) -> np.ndarray:
    """Values shifted `lag` steps forward along `axis`; the first `lag` positions take `fill`.

    Parameters
    ----------
    values : array [any]
    lag : steps, >= 1
    axis : the axis to shift along (negative: counted from the end)
    fill : value of the positions without a predecessor

    Returns
    -------
    array of the same shape; ``result[..., i, ...] = values[..., i - lag, ...]``
    """
    shifted = np.full_like(values, fill)
    target = [slice(None)] * values.ndim
    source = [slice(None)] * values.ndim
    target[axis], source[axis] = slice(lag, None), slice(None, -lag)
    shifted[tuple(target)] = values[tuple(source)]
    return shifted


@dataclass(frozen=True)
class Grid:
    """The axis layout of a population run: leading dimensions, then ``year, sex, age``.

    Attributes
    ----------
    lead : the leading dimensions in the run's order (``region``, ``scenario``, ``draw``, ...)
    labels : labels of every leading dimension and of ``year``, ``sex`` and ``age``
    coords : the run's coordinates over the leading dimensions and ``year`` (those of the output)
    """

    lead: tuple[str, ...]
    labels: dict[str, np.ndarray]
    coords: dict[str, xr.DataArray]

    @classmethod
    def of(cls, people: xr.DataArray) -> Grid:
        """The layout of a population array (…, year, sex, age)."""
        lead = tuple(dim for dim in people.dims if dim not in CELL)
        kept = {*lead, "year"}
        return cls(
            lead=lead,
            labels={dim: people.indexes[dim] for dim in (*lead, *CELL)},
            coords={name: coord for name, coord in people.coords.items() if set(coord.dims) <= kept},
        )

    @property
    def years(self) -> np.ndarray:
        """The years of the run; the first is the base year."""
        return self.labels["year"].to_numpy()

    def values(self, array: xr.DataArray, *tail: str) -> np.ndarray:
        """The values of `array` laid out on the grid.

        Parameters
        ----------
        array : DataArray over some of the leading dimensions and the `tail` dimensions
        tail : trailing dimensions, in the order wanted

        Returns
        -------
        ndarray with one axis per leading dimension (length 1 where `array` lacks it), then the
        `tail` axes; an array over none of the leading dimensions has only the `tail` axes (it
        broadcasts from the right); labels of grid dimensions in the grid's order

        Raises
        ------
        InputError
            if `array` lacks a label of the grid.
        """
        dims = (*(dim for dim in self.lead if dim in array.dims), *tail)
        values = (array if array.dims == dims else array.transpose(*dims)).values
        for axis, dim in enumerate(dims):
            if dim in self.labels and not array.indexes[dim].equals(self.labels[dim]):
                values = values.take(self._positions(array, dim), axis=axis)
        return self.place(values, dims)

    def place(self, values: np.ndarray, dims: Sequence[str]) -> np.ndarray:
        """An array whose axes are `dims`, laid out on the grid (as `values` does).

        Parameters
        ----------
        values : array with labels already in the grid's order along the leading dimensions
        dims : the dimension of each axis; leading dimensions in any order, then the others

        Returns
        -------
        ndarray with one axis per leading dimension (length 1 where `dims` lacks it), then the other
        axes; only the other axes where `dims` has none of the leading dimensions
        """
        lead = [dim for dim in self.lead if dim in dims]
        if not lead:
            return values
        order = [dims.index(dim) for dim in lead] + [axis for axis, dim in enumerate(dims) if dim not in lead]
        absent = [axis for axis, dim in enumerate(self.lead) if dim not in lead]
        return np.expand_dims(values.transpose(order), absent)

    def _positions(self, array: xr.DataArray, dim: str) -> np.ndarray:
        """Positions of the grid's labels of `dim` in `array`."""
        wanted = self.labels[dim]
        positions = array.indexes[dim].get_indexer(wanted)
        if (positions < 0).any():
            missing = wanted[positions < 0].tolist()
            raise InputError(f"skills inputs: '{array.name}' has no {dim} {missing} of the population run")
        return positions

    def dataset(self, values: dict[str, np.ndarray], tails: dict[str, xr.DataArray]) -> xr.Dataset:
        """A Dataset of arrays laid out as (leading dims, year, [tail]).

        Parameters
        ----------
        values : name -> array (…, year) or (…, year, tail)
        tails : the coordinate of the trailing dimension of each name that has one

        Returns
        -------
        xr.Dataset with the grid's coordinates and those of the tails
        """
        cell = (*self.lead, "year")
        data = {
            name: (cell + tuple(tails[name].dims), array) if name in tails else (cell, array)
            for name, array in values.items()
        }
        coords = {**self.coords, **{coord.name: coord for coord in tails.values()}}
        return xr.Dataset(coords={name: coord.variable for name, coord in coords.items()}).assign(data)
