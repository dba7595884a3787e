"""The evidence behind the 0-14 bands: how large the fertility fall after 2010 was against the data before it.

Four tables, written as Markdown (a section of ``docs/methods-selection.md``, see
``tools/write_methods_selection.py``):

1. the largest 5- and 10-year TFR changes before 2010 (the country since 1950, the regions since 1990) against
   the changes from 2010 on;
2. the country's log TFR forecast by a held level and by drift extrapolations, scored over the origins before
   the fall (1955..2010-h) and over 2011-2015 (root mean square error);
2b. the damped trend of the baseline's TFR by damping (origins 1960..2010-h and 2011..2024), and fertility by
   age following its own trends against the damped trend of the total;
3. the TFR band of the calibration at 5 and 10 years from every origin 2011-2015 (the regional errors since 2000
   alone, and with the national part measured over the history since 1950) against the realised change;
4. the error of the baseline's 0-14 (deterministic, the 19 regions) split into the births after the origin
   (ages 0-4 at 5 years) and the children already born, and the same with the TFR path that was later observed
   (a diagnosis that reads the future: not a forecast).

Usage::

    python tools/fertility_evidence.py            # prints the section
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pandas as pd

from toolkit.io.inputs import PopulationInputs, load_population_inputs
from toolkit.population import project as engine
from toolkit.population.assumptions import SeriesPaths
from toolkit.population.tfr_evidence import (
    age_trend_scores,
    band_widths,
    damping_scores,
    drift_scores,
    largest_changes,
)
from toolkit.regions import maakunnat
from toolkit.scenarios import TrendPath, load_scenario

ORIGINS = range(2011, 2016)


def _table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


def child_decomposition(inputs: PopulationInputs) -> pd.DataFrame:
    """The baseline's deterministic error of the 0-14 (19 regions, % of observed and persons) split into ages
    0-4 and 5-14, and the same with the regions' later observed TFR path (a diagnosis that reads the future)."""
    regions = maakunnat()
    codes = [r.code for r in regions]
    observed = inputs.population.sel(region_code=codes).sum("sex")
    last = int(inputs.tfr["year"].max())
    base = load_scenario("baseline")
    observed_tfr_scenario = base.model_copy(update={"id": "observed-tfr", "levers": base.levers.model_copy(
        update={"tfr": TrendPath(from_trend=True)})})

    def observed_tfr(cut: PopulationInputs, code: str, origin: int) -> SeriesPaths:
        years = np.arange(origin + 1, origin + 101)
        values = inputs.tfr.sel(region_code=code, year=years[years <= last]).values
        values = np.concatenate([values, np.full(years.size - values.size, values[-1])])
        return SeriesPaths(years, values, np.zeros(years.size))

    groups = {"0-4": slice(0, 4), "5-14": slice(5, 14), "0-14": slice(0, 14), "total": slice(0, None)}
    rows = []
    for origin in ORIGINS:
        for model, scenario in (("baseline", base), ("observed TFR (diagnosis)", observed_tfr_scenario)):
            patch = mock.patch.object(engine, "tfr_trend", observed_tfr) if model != "baseline" else \
                mock.patch.object(engine, "tfr_trend", engine.tfr_trend)
            with patch:
                ds = engine.project_population(regions, [scenario], horizon=min(origin + 10, last), base_year=origin,
                                               inputs=inputs)
            population = ds.population.isel(scenario=0).sum("sex")
            for h in (5, 10):
                if origin + h > last:
                    continue
                for group, ages in groups.items():
                    projected = population.sel(year=origin + h, age=ages).sum("age").values
                    seen = observed.sel(year=origin + h, age=ages).sum("age").values
                    rows.append({"model": model, "origin": origin, "years ahead": h, "ages": group,
                                 "bias %": float(np.mean(100 * (projected - seen) / seen)),
                                 "MAPE %": float(np.mean(100 * np.abs(projected - seen) / seen)),
                                 "persons": float((projected - seen).sum())})
    return pd.DataFrame(rows)


def markdown(inputs: PopulationInputs | None = None) -> str:
    """The section of docs/methods-selection.md."""
    inputs = load_population_inputs() if inputs is None else inputs
    changes, scores, bands, children = (largest_changes(inputs), drift_scores(inputs), band_widths(inputs),
                                        child_decomposition(inputs))
    dampings, by_age = damping_scores(inputs), age_trend_scores(inputs)
    mean = children.groupby(["model", "years ahead", "ages"], sort=False)[["bias %", "MAPE %", "persons"]].mean()
    origin_2015 = children[(children.origin == 2015) & (children["years ahead"] == 10) & (children.ages == "total")]
    n = "regional errors since 2000"
    w = "with the national history"
    return "\n".join([
        "## 1b. The 0–14 miss: where it comes from and how large the fall was",
        "",
        "Generated by `tools/fertility_evidence.py`. **Where the 0–14 error is** (the baseline's deterministic "
        "run from every origin 2011–2015, mean over the origins; the 19 regions; persons summed over them): the "
        "births after the origin (ages 0–4 at 5 years) against the children already born (5–14 at 5 years: "
        "their ageing, deaths and migration), and the same run with the TFR path that was later observed (a "
        "diagnosis that reads the future, not a forecast):",
        "",
        _table(["model", "years ahead", "ages", "bias %", "MAPE %", "persons (19 regions)"],
               ([m, h, a, f"{r['bias %']:+.2f}", f"{r['MAPE %']:.2f}", f"{r['persons']:+,.0f}"]
                for (m, h, a), r in mean.iterrows())),
        "",
        "With the observed TFR path, the 2015-based 2025 regional totals have MAPE "
        + ", ".join(f"{r['MAPE %']:.2f} % (bias {r['bias %']:+.2f} %)" for _, r in
                    origin_2015[origin_2015.model != "baseline"].iterrows())
        + " against " + ", ".join(f"{r['MAPE %']:.2f} % (bias {r['bias %']:+.2f} %)" for _, r in
                                  origin_2015[origin_2015.model == "baseline"].iterrows())
        + " with the baseline's TFR: the overprojected births offset part of the underprojected migration.",
        "",
        "**How large the fall was** against the data before it (TFR; log changes are relative changes):",
        "",
        _table(["years", "period", "largest national fall", "national log change", "largest national rise (log)",
                "regional log change: most negative", "regional log change: mean"],
               ([r["years"], r["period"] + f" (country from {r['national first year']}, regions from 1990)",
                 r["largest national fall"], f"{r['national log change']:+.3f}",
                 f"{r['largest national rise (log)']:+.3f}", f"{r['regional log change: most negative']:+.3f}",
                 f"{r['regional log change: mean']:+.3f}"] for _, r in changes.iterrows())),
        "",
        "**Could a trend model have seen it?** The country's log TFR, root mean square error of a held level and "
        "of drift extrapolations (the slope of the last 5 or 10 years, fitted at each origin):",
        "",
        _table(["origins", "years ahead", "cases", "held", "drift 5 years", "drift 10 years",
                "drift 5 years, damped 0.8"],
               ([r["origins"], r["years ahead"], r["cases"], f"{r['held']:.3f}", f"{r['drift 5 years']:.3f}",
                 f"{r['drift 10 years']:.3f}", f"{r['drift 5 years, damped 0.8']:.3f}"]
                for _, r in scores.iterrows())),
        "",
        "**The baseline's damped trend** (the TFR of the base year times exp(s·Σ damping^j, j = 1..k) k years ahead, "
        "s the yearly change of the country's log TFR over the 5 years to the base year): the country's log TFR, "
        "root mean square error at 1–10 years ahead and its mean over the horizons relative to a held level "
        "(damping 0). The damping 0.6 of the baseline is the one with the lowest error over the origins "
        "1960–2010 (the data up to 2010, before the evaluation period of section 1); the origins from 2011 are "
        "shown beside it, not used to choose:",
        "",
        _table(["origins", "damping", "RMSE 5 years", "RMSE 10 years", "mean RMSE 1–10 years", "relative to held"],
               ([r["origins"], f"{r['damping']:g}", f"{r['rmse h5']:.3f}", f"{r['rmse h10']:.3f}",
                 f"{r['mean rmse']:.4f}", f"{r['relative to held']:.3f}"] for _, r in dampings.iterrows())),
        "",
        "**Fertility by age** (a cohort-aware model in its period form, Myrskylä, Goldstein and Cheng 2013: each "
        "single age's log rate continued by the baseline's damped trend (0.6) of its last 5 years, the TFR their sum; "
        "UN WPP estimates by age 2000–2021, so the origins start in 2005) against the damped trend of the total "
        "and a held level; root mean square error of the country's log TFR:",
        "",
        _table(["origins", "years ahead", "cases", "held", "damped trend of the total", "damped trends by age"],
               ([r["origins"], r["years ahead"], r["cases"], f"{r['held']:.3f}",
                 f"{r['damped trend of the total']:.3f}", f"{r['damped trends by age']:.3f}"]
                for _, r in by_age.iterrows())),
        "",
        "The trends by age forecast the TFR no better than the trend of the total, from the origins before the "
        "fall and during it; the baseline keeps the total's.",
        "",
        "**How wide the TFR band was** (log sd of the held TFR at the horizon; z = realised national change / "
        "sd; the regions' share inside the band):",
        "",
        _table(["origin", "years ahead", "national change", "mean over 1..h", f"sd, {n}", "z", "regions in 80 / 95 %",
                f"sd, {w}", "z", "regions in 80 / 95 %"],
               ([int(r["origin"]), int(r["years ahead"]), f"{r['national change']:+.3f}",
                 f"{r['mean over 1..h']:+.3f}", f"{r[f'sd, {n}']:.3f}", f"{r[f'national z, {n}']:+.1f}",
                 f"{r[f'regions in 80 %, {n}']:.0%} / {r[f'regions in 95 %, {n}']:.0%}", f"{r[f'sd, {w}']:.3f}",
                 f"{r[f'national z, {w}']:+.1f}",
                 f"{r[f'regions in 80 %, {w}']:.0%} / {r[f'regions in 95 %, {w}']:.0%}"]
                for _, r in bands.iterrows())),
        "",
    ])


if __name__ == "__main__":
    print(markdown())
