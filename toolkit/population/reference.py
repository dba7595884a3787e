"""Our baseline beside Statistics Finland's 2024 projection: why the two differ, component by component.

The official file holds populations only (region × year × sex × age), not its births, deaths or migration.
Its components are therefore read from it as follows (for years after our base year ``b`` up to ``year``):

* **fertility**: births B(t) = P(0, t) / s₀ with s₀ our survival of the newborn to 31 December; the implied
  TFR(t) = B(t) / Σ_a W(a, t) f(a), W the mean female population of the year by age and f the national
  fertility age pattern of our model (sums to 1);
* **migration**: the official's net migration is its population change minus its births plus the deaths that
  our death rates give on its population (by sex and age, taken from our baseline run): the residual method.
  The official's own mortality therefore cannot be separated from its migration with the shipped data.

Swap one assumption at a time in our deterministic baseline: the TFR path set to the official's implied mean
TFR, or the net migration raised by the mean yearly difference between the official's implied and our net
migration (``additional_net_migration``, persons, from the first projected year, region by region — these are
international migrants, so the national total moves too). The difference ours − official in ``year`` is then

    jump-off (the official's projected base year against the observed one)
    + fertility (ours − ours with the official's TFR) + migration (ours − ours with its migration)
    + mortality and interaction (the remainder).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.errors import InputError
from toolkit.io.inputs import PopulationInputs, load_population_inputs
from toolkit.io.params import load_official_projection
from toolkit.population.jumpoff import national_patterns
from toolkit.population.project import project_population
from toolkit.regions import maakunnat
from toolkit.scenarios import LeverOverrides, MigrationPath, TfrPath, load_scenario
from toolkit.text import number, t

COMPONENTS = ("migration", "fertility", "mortality")
NEWBORN_SURVIVAL = 0.998  # births surviving to 31 December of their year (Finland: infant mortality ~2 per 1,000)


def implied_official_components(official: np.ndarray, ours_population: np.ndarray, ours_deaths: np.ndarray,
                                fertility_shape: np.ndarray) -> dict[str, np.ndarray]:
    """The official's implied TFR and net migration per year from its populations.

    Parameters
    ----------
    official : (R, Y, 2, A) official population, years b … year (b our base year) [persons]
    ours_population, ours_deaths : (R, Y, 2, A) our baseline's population and deaths of the same years
    fertility_shape : (A,) our fertility age pattern (share of the TFR at each age)

    Returns
    -------
    ``tfr`` (R, Y−1) [children per woman] and ``net_migration`` (R, Y−1) [persons per year].
    """
    births = official[:, 1:, :, 0].sum(-1) / NEWBORN_SURVIVAL
    women = 0.5 * (official[:, :-1, 0] + official[:, 1:, 0])
    tfr = births / (women @ fertility_shape)
    rates = np.divide(ours_deaths[:, 1:], ours_population[:, :-1], out=np.zeros_like(ours_deaths[:, 1:]),
                      where=ours_population[:, :-1] > 0)
    deaths = (rates * official[:, :-1]).sum((-1, -2))
    change = official[:, 1:].sum((-1, -2)) - official[:, :-1].sum((-1, -2))
    return {"tfr": tfr, "net_migration": change - births + deaths}


def decompose_official_difference(year: int = 2040, *, official=None,
                                  inputs: PopulationInputs | None = None) -> pd.DataFrame:
    """Our baseline's difference from the official projection in ``year``, by component, for the 19 maakunnat.

    ``official``: the official population (region_code, year, sex, age) (default: params/data's file);
    ``inputs``: the model's tables (default: params/data).
    Columns: ``region_code``, ``region``, ``ours``, ``official``, ``difference`` (ours − official) and
    ``difference_percent``, ``jump_off``, ``migration``, ``fertility``, ``mortality`` (the remainder,
    interaction included) [persons], ``official_tfr``/``our_tfr`` (means), ``official_net_migration`` /
    ``our_net_migration`` [persons a year, means] and ``main`` (the component with the largest absolute share).
    """
    official = load_official_projection() if official is None else official
    inputs = load_population_inputs() if inputs is None else inputs
    base = inputs.latest_base_year
    last = int(official["year"].max())
    if not base < year <= last:
        raise InputError(f"year {year}: the comparison needs a year in {base + 1}..{last} (our base year {base}, the "
                         f"official projection to {last})")
    regions = maakunnat()
    codes = [r.code for r in regions]
    years = np.arange(base, year + 1)
    off = official.sel(region_code=codes, year=years, sex=["F", "M"]).transpose(
        "region_code", "year", "sex", "age").values.astype(float)
    baseline = load_scenario("baseline")
    ours = project_population(regions, [baseline], horizon=year, base_year=base, inputs=inputs).isel(scenario=0)
    pop = ours["population"].transpose("region", "year", "sex", "age").values
    deaths = np.nan_to_num(ours["deaths"].transpose("region", "year", "sex", "age").values)
    implied = implied_official_components(off, pop, deaths, national_patterns(inputs, base).fertility)
    our_migration = ours["net_migration"].sum(["sex", "age"]).transpose("region", "year").values[:, 1:]
    our_tfr = ours["tfr"].transpose("region", "year").values[:, 1:]

    official_tfr = implied["tfr"].mean(1)
    extra = implied["net_migration"].mean(1) - our_migration.mean(1)
    fertility_swap = baseline.model_copy(update={"id": "official-fertility", "regions": {
        r.id: LeverOverrides(tfr=TfrPath(target=float(np.clip(official_tfr[i], 0.5, 4.0)), year=base + 1))
        for i, r in enumerate(regions)}})
    migration_swap = baseline.model_copy(update={"id": "official-migration", "regions": {
        r.id: LeverOverrides(additional_net_migration=MigrationPath(change=float(np.clip(extra[i], -1e5, 1e5)),
                                                                   year=base + 1, unit="persons"))
        for i, r in enumerate(regions)}})
    swaps = project_population(regions, [fertility_swap, migration_swap], horizon=year, base_year=base,
                               inputs=inputs)
    totals = swaps["population"].sel(year=year).sum(["sex", "age"]).transpose("region", "scenario").values
    ours_total = pop[:, -1].sum((-1, -2))
    official_total = off[:, -1].sum((-1, -2))
    observed_base = inputs.population.sel(region_code=codes, year=base).sum(["sex", "age"]).values
    jump_off = observed_base - off[:, 0].sum((-1, -2))
    frame = pd.DataFrame({
        "region_code": codes, "region": [r.name["en"] for r in regions],
        "ours": ours_total, "official": official_total, "difference": ours_total - official_total,
        "jump_off": jump_off, "fertility": ours_total - totals[:, 0], "migration": ours_total - totals[:, 1],
        "official_tfr": official_tfr, "our_tfr": our_tfr.mean(1),
        "official_net_migration": implied["net_migration"].mean(1), "our_net_migration": our_migration.mean(1)})
    frame["mortality"] = frame["difference"] - frame["jump_off"] - frame["fertility"] - frame["migration"]
    frame["difference_percent"] = 100.0 * frame["difference"] / frame["official"]
    frame["main"] = frame[list(COMPONENTS)].abs().idxmax(axis=1)
    return frame


def decomposition_sentences(table: pd.DataFrame, lang: str = "en", *, year: int = 2040,
                            names: dict[str, str] | None = None) -> dict[str, str]:
    """One sentence per region: "X differs from the official projection … mainly because of migration: …"."""
    out = {}
    for row in table.itertuples():
        signed = {c: _signed(getattr(row, c), lang) for c in COMPONENTS}
        detail = t("decomposition_detail", lang, migration=signed["migration"], fertility=signed["fertility"],
                   mortality=signed["mortality"], jump_off=_signed(row.jump_off, lang),
                   ours_net=number(round(row.our_net_migration, -1), lang),
                   official_net=number(round(row.official_net_migration, -1), lang),
                   ours_tfr=number(row.our_tfr, lang, decimals=2),
                   official_tfr=number(row.official_tfr, lang, decimals=2))
        out[row.region_code] = t("decomposition_sentence", lang, region=(names or {}).get(row.region_code, row.region),
                                 year=year, difference=_signed(row.difference, lang),
                                 percent=number(row.difference_percent, lang, decimals=1),
                                 component=t(f"component_{row.main}", lang), detail=detail)
    return out


def _signed(value: float, lang: str) -> str:
    text = number(round(float(value), -1), lang)
    return text if value < 0 else "+" + text


def decomposition_markdown(table: pd.DataFrame) -> str:
    header = ["region", "ours", "official", "difference", "%", "jump-off", "migration", "fertility",
              "mortality + interaction", "TFR ours / official", "net migration ours / official (a year)", "main"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in table.itertuples():
        lines.append("| " + " | ".join([
            r.region, f"{r.ours:,.0f}", f"{r.official:,.0f}", f"{r.difference:+,.0f}", f"{r.difference_percent:+.1f}",
            f"{r.jump_off:+,.0f}", f"{r.migration:+,.0f}", f"{r.fertility:+,.0f}", f"{r.mortality:+,.0f}",
            f"{r.our_tfr:.2f} / {r.official_tfr:.2f}", f"{r.our_net_migration:,.0f} / {r.official_net_migration:,.0f}",
            r.main]) + " |")
    return "\n".join(lines)


__all__ = ["COMPONENTS", "decompose_official_difference", "decomposition_markdown", "decomposition_sentences",
           "implied_official_components"]
