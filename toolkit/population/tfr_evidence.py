"""The evidence behind the baseline's TFR and its band: how large the fertility fall after 2010 was against the
data before it, what trend models would have forecast, and how wide the calibrated band was.

Published in docs/methods-selection.md (section 1b, ``tools/fertility_evidence.py``) and the methods notebook:

* :func:`largest_changes`: the largest 5- and 10-year TFR changes before 2010 and from 2010 on;
* :func:`drift_scores`: held level against drift extrapolations of the country's log TFR;
* :func:`damping_scores`: the baseline's damped trend (:class:`~toolkit.scenarios.DampedTrendPath`) by damping,
  over the origins 1960–2010 (where its damping is chosen) and from 2011 on;
* :func:`age_trend_scores`: fertility by age following its own trends (the period form of a cohort-aware
  model) against the damped trend of the total;
* :func:`band_widths`: the TFR band of the calibration from every origin 2011–2015 against the realised change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.io.inputs import PopulationInputs
from toolkit.nomenclature import COUNTRY_CODE
from toolkit.population.calibration import calibration, empirical_sd, lever_errors
from toolkit.scenarios import damped_sum

FALL_START = 2010  # the national TFR peaked at 1.87 in 2010


def largest_changes(inputs: PopulationInputs) -> pd.DataFrame:
    """The largest falls and rises of the TFR over k = 5 and 10 years, before and from 2010 [log and level]."""
    national = inputs.tfr_national_history
    regional = inputs.tfr.to_series().unstack("year").drop(index=COUNTRY_CODE)
    rows = []
    for k in (5, 10):
        change = national.shift(-k) - national  # from year y to y + k
        log_change = np.log(national).shift(-k) - np.log(national)
        regional_log = np.log(regional).T.shift(-k) - np.log(regional).T  # (year, region)
        for label, before in (("before 2010", True), ("from 2010", False)):
            end = change.index + k
            chosen = (end <= FALL_START) if before else ((change.index >= FALL_START) & (end <= national.index.max()))
            fall = change[chosen].idxmin()
            years = regional_log.index.to_numpy()
            rchosen = (years + k <= FALL_START) if before else ((years >= FALL_START) & (years + k <= years.max()))
            values = regional_log[rchosen].stack()
            rows.append({"years": k, "period": label, "national first year": int(change[chosen].dropna().index.min()),
                         "largest national fall": f"{national[fall]:.2f} → {national[fall + k]:.2f} "
                                                  f"({fall}–{fall + k})",
                         "national log change": log_change[fall], "largest national rise (log)":
                         log_change[chosen].max(), "regional log change: most negative": values.min(),
                         "regional log change: mean": values.mean()})
    return pd.DataFrame(rows)


def drift_scores(inputs: PopulationInputs) -> pd.DataFrame:
    """RMSE of the country's log TFR h = 5, 10 years ahead: held level, the last 5 or 10 years' linear drift,
    and the 5-year drift damped by 0.8 a year, over the origins 1955..2010 − h and 2011..2015."""
    log = np.log(inputs.tfr_national_history)

    def forecast(origin, h, window, damping):
        if window == 0:
            return log[origin]
        past = log.loc[origin - window:origin]
        slope = np.polyfit(past.index.to_numpy(float), past.to_numpy(), 1)[0]
        return log[origin] + slope * sum(damping ** j for j in range(1, h + 1))

    models = {"held": (0, 1.0), "drift 5 years": (5, 1.0), "drift 10 years": (10, 1.0),
              "drift 5 years, damped 0.8": (5, 0.8)}
    rows = []
    for label, origins in (("1955..2010-h (before the fall)", lambda h: range(1955, FALL_START - h + 1)),
                           ("2011..2015", lambda h: [o for o in range(2011, 2016) if o + h <= int(log.index.max())])):
        for h in (5, 10):
            chosen = list(origins(h))
            row = {"origins": label, "years ahead": h, "cases": len(chosen)}
            for name, (window, damping) in models.items():
                errors = [log[o + h] - forecast(o, h, window, damping) for o in chosen]
                row[name] = float(np.sqrt(np.mean(np.square(errors))))
            rows.append(row)
    return pd.DataFrame(rows)


DAMPINGS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)


def damped_trend_forecast(log: pd.Series, origin: int, ahead, window: int, damping: float) -> np.ndarray:
    """The damped trend of the baseline's TFR (:class:`~toolkit.scenarios.DampedTrendPath`) on the series ``log``
    (log values by year): the value at ``origin`` plus the yearly change over the ``window`` years to it times
    Σ damping^j, j = 1..k, for each k of ``ahead``."""
    slope = (log[origin] - log[origin - window]) / window
    return log[origin] + slope * damped_sum(damping, ahead)


def damping_scores(inputs: PopulationInputs, window: int = 5, dampings=DAMPINGS) -> pd.DataFrame:
    """The country's log TFR forecast by the damped trend of the last ``window`` years: root mean square error at
    1..10 years ahead, mean over the horizons, relative to a held level (damping 0), for each damping; over the
    origins 1960..2010-h (before the evaluation period, the data up to 2010) and 2011..2024 (the data up to the
    last year)."""
    log = np.log(inputs.tfr_national_history)
    last = int(log.index.max())
    rows = []
    for label, first, end in (("1960..2010-h", 1960, FALL_START), (f"2011..{last - 1}", FALL_START + 1, last)):
        rmse = {}
        for damping in dampings:
            by_h = []
            for h in range(1, 11):
                origins = [o for o in range(first, end - h + 1) if o - window >= int(log.index.min())]
                errors = [log[o + h] - damped_trend_forecast(log, o, [h], window, damping)[0] for o in origins]
                by_h.append(np.sqrt(np.mean(np.square(errors))))
            rmse[damping] = np.asarray(by_h)
        for damping in dampings:
            rows.append({"origins": label, "damping": damping, "rmse h5": rmse[damping][4],
                         "rmse h10": rmse[damping][9], "mean rmse": rmse[damping].mean(),
                         "relative to held": rmse[damping].mean() / rmse[0.0].mean()})
    return pd.DataFrame(rows)


def age_trend_scores(inputs: PopulationInputs, window: int = 5, damping: float = 0.6) -> pd.DataFrame:
    """Fertility by age following its own trends against the damped trend of the total (the country, UN WPP
    estimates by single age, ``asfr_national``): each age's log rate continued by the damped trend of its last
    ``window`` years (the period form of the cohort method of Myrskylä, Goldstein and Cheng 2013), the TFR their
    sum; root mean square error of the log TFR 3 and 5 years ahead over the origins before and after 2010."""
    asfr = inputs.asfr_national
    asfr = asfr.where(asfr["status"] == "estimate", drop=True).to_pandas()
    log_total = np.log(asfr.sum(axis=1))
    log_rates = np.log(asfr.clip(lower=1e-6))
    first, last = int(asfr.index.min()) + window, int(asfr.index.max())
    rows = []
    for origins in (range(first, FALL_START + 1), range(FALL_START + 1, last)):
        for h in (3, 5):
            chosen = [o for o in origins if o + h <= last]
            if not chosen:
                continue
            errors = {"held": [], "damped trend of the total": [], "damped trends by age": []}
            for o in chosen:
                seen = log_total[o + h]
                errors["held"].append(seen - log_total[o])
                errors["damped trend of the total"].append(
                    seen - damped_trend_forecast(log_total, o, [h], window, damping)[0])
                by_age = [damped_trend_forecast(log_rates[a], o, [h], window, damping)[0] for a in log_rates.columns]
                errors["damped trends by age"].append(seen - np.log(np.exp(by_age).sum()))
            rows.append({"origins": f"{chosen[0]}..{chosen[-1]}", "years ahead": h, "cases": len(chosen),
                         **{name: float(np.sqrt(np.mean(np.square(e)))) for name, e in errors.items()}})
    return pd.DataFrame(rows)


def band_widths(inputs: PopulationInputs, origins=range(2011, 2016)) -> pd.DataFrame:
    """Per origin and horizon: the realised change of the country's log TFR (and its mean over the years 1..h,
    which the births follow), the TFR band's log sd from the regional errors since 2000 alone and with the
    national history, and the share of regions whose realised change lies inside the 80 / 95 % band."""
    log = np.log(inputs.tfr.to_series().unstack("year"))
    regions = [c for c in log.index if c != COUNTRY_CODE]
    rows = []
    for origin in origins:
        cal = calibration(inputs, origin)
        regional_only, _ = empirical_sd(lever_errors(inputs, origin), "tfr_held")
        for h in (5, 10):
            if origin + h > int(log.columns.max()):
                continue
            national = log.loc[COUNTRY_CODE, origin + h] - log.loc[COUNTRY_CODE, origin]
            mean_path = log.loc[COUNTRY_CODE, origin + 1:origin + h].mean() - log.loc[COUNTRY_CODE, origin]
            change = log.loc[regions, origin + h] - log.loc[regions, origin]
            row = {"origin": origin, "years ahead": h, "national change": national, "mean over 1..h": mean_path}
            for name, sd in (("regional errors since 2000", regional_only[h - 1]),
                             ("with the national history", cal.tfr_held_sd[h - 1])):
                z = np.abs(change / sd)
                row.update({f"sd, {name}": sd, f"national z, {name}": national / sd,
                            f"regions in 80 %, {name}": float(np.mean(z < 1.2816)),
                            f"regions in 95 %, {name}": float(np.mean(z < 1.96))})
            rows.append(row)
    return pd.DataFrame(rows)


__all__ = ["DAMPINGS", "FALL_START", "age_trend_scores", "band_widths", "damped_trend_forecast", "damping_scores",
           "drift_scores", "largest_changes"]
