"""Exact quantiles over Monte Carlo draws by histogram selection (compiled).

``np.quantile(values, q)`` with its default linear interpolation reads the order statistics at ranks
⌊q(n−1)⌋ and ⌊q(n−1)⌋ + 1. Sorting all n values to read fourteen ranks does far more work than needed; here a
vector of draws is binned into about n/4 equal-width bins between its minimum and maximum, one walk over the
cumulative counts finds the bins that hold the wanted ranks, and only the values in those bins (a handful
each, for the smooth distributions of an ensemble) are gathered and sorted. These are the order statistics a
full sort gives, so the quantiles are the numbers of ``np.quantile``, to the last bit; only the time depends on
the shape of the distribution (tied values share a bin, which is then sorted in full).
"""

from __future__ import annotations

import numba
import numpy as np

from toolkit.population import compiled  # noqa: F401  (numba's cache folder, before any kernel)


def plan(quantiles, draws: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What to select for ``quantiles`` of ``draws`` values (numpy's linear method).

    Returns ``ranks``, the sorted distinct ranks to select, and for each quantile the places in ``ranks`` of
    its lower and upper neighbour and the interpolation weight: q(n−1) = lower + weight.
    """
    position = np.asarray(quantiles, dtype=float) * (draws - 1)
    lower = np.floor(position).astype(np.int64)
    upper = np.minimum(lower + 1, draws - 1)
    ranks = np.unique(np.concatenate([lower, upper]))
    return ranks, np.searchsorted(ranks, lower), np.searchsorted(ranks, upper), position - lower


@numba.njit(cache=True)
def workspace(draws: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Work space of :func:`order_statistics` for vectors of ``draws`` values: counts and slots per bin (about
    four values per bin: a short walk over the bins, a few values to sort per rank), a bin index and a
    scratch entry per value."""
    bins = max(draws // 4, 1)
    return (np.empty(bins, dtype=np.int32), np.full(bins, -1, dtype=np.int64), np.empty(draws, dtype=np.int32),
            np.empty(draws))


@numba.njit(cache=True, nogil=True, error_model="numpy")
def order_statistics(values, ranks, out, counts, slot, index, scratch):  # pragma: no cover - compiled
    """Write the order statistics of ``values`` (n,) at ``ranks`` (sorted, distinct) into ``out``.

    The rest is work space (:func:`workspace`; ``slot`` all −1 on entry and on return).
    """
    n = values.size
    low, high = _value_range(values)
    if high == low:  # all equal
        out[:] = low
        return
    bins = counts.size
    _bin_index(values, low, bins / (high - low), bins - 1, index)
    counts[:] = 0
    for i in range(n):
        counts[index[i]] += 1
    # one walk over the cumulative counts: the bin of each wanted rank and the rank of that bin's first value
    wanted = ranks.size
    rank_bin = np.empty(wanted, dtype=np.int64)
    rank_first = np.empty(wanted, dtype=np.int64)
    j = 0
    below = 0
    for b in range(bins):
        above = below + counts[b]
        while j < wanted and ranks[j] < above:
            rank_bin[j] = b
            rank_first[j] = below
            j += 1
        if j == wanted:
            break
        below = above
    # a segment of scratch for each of these bins, in rank order
    start = np.empty(wanted, dtype=np.int64)
    end = np.empty(wanted, dtype=np.int64)
    used = 0
    filled = 0
    for j in range(wanted):
        b = rank_bin[j]
        if slot[b] < 0:
            slot[b] = used
            start[used] = filled
            end[used] = filled
            filled += counts[b]
            used += 1
    for i in range(n):
        m = slot[index[i]]
        if m >= 0:
            scratch[end[m]] = values[i]
            end[m] += 1
    for m in range(used):
        segment = scratch[start[m]:end[m]]
        if segment.size <= 16:  # the usual case, a few values: insertion sort
            for i in range(1, segment.size):
                v = segment[i]
                k = i - 1
                while k >= 0 and segment[k] > v:
                    segment[k + 1] = segment[k]
                    k -= 1
                segment[k + 1] = v
        else:
            segment.sort()
    for j in range(wanted):
        out[j] = scratch[start[slot[rank_bin[j]]] + ranks[j] - rank_first[j]]
    for j in range(wanted):
        slot[rank_bin[j]] = -1


@numba.njit(cache=True, nogil=True, fastmath=True)
def _value_range(values):  # pragma: no cover - compiled
    """Minimum and maximum, in four independent lanes: one running minimum is a chain of dependent comparisons
    (2.3 µs for 1,000 values), four chains overlap (0.5 µs). There is no NaN to order."""
    n = values.size
    low0 = low1 = low2 = low3 = np.inf
    high0 = high1 = high2 = high3 = -np.inf
    i = 0
    while i + 4 <= n:
        a, b, c, d = values[i], values[i + 1], values[i + 2], values[i + 3]
        low0, low1, low2, low3 = min(low0, a), min(low1, b), min(low2, c), min(low3, d)
        high0, high1, high2, high3 = max(high0, a), max(high1, b), max(high2, c), max(high3, d)
        i += 4
    low, high = min(min(low0, low1), min(low2, low3)), max(max(high0, high1), max(high2, high3))
    while i < n:
        low, high = min(low, values[i]), max(high, values[i])
        i += 1
    return low, high


@numba.njit(cache=True, nogil=True, fastmath=True)
def _bin_index(values, low, scale, top, index):  # pragma: no cover - compiled
    """The bin of every value, in a loop of its own so that it runs in SIMD lanes (the counting cannot)."""
    for i in range(values.size):
        b = int((values[i] - low) * scale)
        index[i] = b if b < top else top


@numba.njit(cache=True, nogil=True)
def interpolate(ordered, lower, upper, weight, out):  # pragma: no cover - compiled
    """Quantiles from the order statistics ``ordered`` at the places (lower, upper, weight) of :func:`plan`."""
    for k in range(out.size):
        below = ordered[lower[k]]
        above = ordered[upper[k]]
        step = above - below
        # numpy's linear interpolation, from the nearer neighbour (the same numbers to the last bit)
        if weight[k] >= 0.5:
            out[k] = above - step * (1 - weight[k])
        else:
            out[k] = below + step * weight[k]


def quantiles_last_axis(values: np.ndarray, quantiles) -> np.ndarray:
    """Quantiles over the last axis of ``values`` (…, n) → (…, Q); the numbers of ``np.quantile``."""
    values = np.ascontiguousarray(values, dtype=float)
    n = values.shape[-1]
    ranks, lower, upper, weight = plan(quantiles, n)
    flat = values.reshape(-1, n)
    out = np.empty((flat.shape[0], lower.size))
    _select_rows(flat, ranks, lower, upper, weight, out)
    return out.reshape(values.shape[:-1] + (lower.size,))


@numba.njit(cache=True, nogil=True)
def _select_rows(flat, ranks, lower, upper, weight, out):  # pragma: no cover - compiled
    counts, slot, index, scratch = workspace(flat.shape[1])
    ordered = np.empty(ranks.size)
    for r in range(flat.shape[0]):
        order_statistics(flat[r], ranks, ordered, counts, slot, index, scratch)
        interpolate(ordered, lower, upper, weight, out[r])
