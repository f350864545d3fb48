"""Serious violence: the designs, over :mod:`analysis.methods`.

What changed since the Duty (January 2023):

- :func:`duty_its`: Dorset's own series, segmented regression with seasonality (SMS 2: no
  comparison, so anything else that changed at the Duty is read as the Duty);
- :func:`duty_synthetic_control`: Dorset against a weighted mix of forces without a Violence
  Reduction Unit, matched on the whole pre-Duty path (SMS 3). Every force had the Duty, so
  this measures Dorset's departure from similar forces, not the Duty's national effect;
- :func:`comparison_its`: the same segmented regression on the comparison forces pooled, a
  check: a change there at the same date is not Dorset's;
- :func:`recording_shift`: police-recorded violence per hospital admission for assault,
  Dorset against the comparison forces, before and after: a check on recording.

Where violence concentrates: :func:`hotspot_change` (the hot spots chosen on one year,
before/after, naive and net of regression to the mean), :func:`lsoa_funnel`.

Could a VRU be evaluated and would it pay: :func:`vru_synthesis`, :func:`evaluation_power`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ...errors import EstimationError
from ...methods import (
    funnel_limits,
    its,
    minimum_detectable_effect,
    random_effects_meta,
    shrink_rates,
    synthetic_did,
)
from ...results import Estimate
from .tables import DORSET, pooled_comparison_series, top_areas


def duty_its(
    series: pd.DataFrame, *, count: str, time: str, intervention: pd.Timestamp, harmonics: int
) -> Estimate:
    """Step change in Dorset's rate at the Duty, as a rate ratio (quasi-Poisson, population offset).

    Quarterly series take one Fourier pair (the seasons); annual ones none.
    """
    estimate = its(
        series[[time, count, "population"]],
        outcome=count,
        time=time,
        intervention=intervention,
        offset="population",
        family="quasipoisson",
        harmonics=harmonics,
    )
    return estimate.with_updates(
        outcome=count,
        estimand=(
            f"Dorset's {count} rate after the Duty over the rate its pre-Duty trend and seasons "
            "predict (rate ratio)"
        ),
        assumptions=(
            *estimate.assumptions,
            "Nothing else changed Dorset's rate at the Duty: national changes, recording "
            "changes and other programmes would all be read as the Duty.",
        ),
    )


def comparison_its(
    panel: pd.DataFrame, *, count: str, time: str, intervention: pd.Timestamp, harmonics: int
) -> Estimate:
    """The comparison forces' pooled series, the same model: should show no step at the Duty."""
    pooled = pooled_comparison_series(panel, time)
    return duty_its(pooled, count=count, time=time, intervention=intervention, harmonics=harmonics)


def duty_synthetic_control(
    panel: pd.DataFrame, *, time: str, intervention: pd.Timestamp
) -> Estimate:
    """Dorset against a weighted mix of forces without a VRU: the mean post-Duty gap per 100,000.

    Synthetic difference-in-differences (Arkhangelsky et al. 2021): donor weights make the
    comparison forces' pre-Duty path parallel to Dorset's, period weights pick the pre-Duty
    periods most like the post-Duty ones, and the gap is a weighted difference-in-differences.
    Placebo standard errors (each comparison force in turn as if treated). Plain synthetic
    control, matching levels without an intercept, gave conformal intervals about twice as
    wide on Dorset-sized quarterly counts, and cannot be tested at all on a dozen annual
    periods.
    """
    frame = panel.assign(
        treated=((panel["force"] == DORSET) & (panel[time] >= intervention)).astype(int)
    )
    estimate = synthetic_did(frame, outcome="rate", unit="force", time=time, treatment="treated")
    return estimate.with_updates(
        estimand=(
            "mean gap after the Duty between Dorset's rate per 100,000 and its synthetic "
            "control's (forces without a VRU): Dorset's departure from similar forces"
        ),
        assumptions=(
            *estimate.assumptions,
            "Every force had the Duty: the gap is what Dorset did differently from similar "
            "forces without a VRU, not the Duty's national effect.",
            "No comparison force changed its recording, or had a local programme like a "
            "VRU, after the Duty.",
        ),
        details={**estimate.details, "panel": panel, "time": time, "intervention": intervention},
    )


def synthetic_counterfactual(estimate: Estimate) -> Estimate:
    """The synthetic control's path drawn as a counterfactual (for :func:`analysis.plots.plot_its`).

    Dorset's counterfactual each period is the weighted comparison forces plus the
    period-weighted pre-Duty difference, so that the mean post-Duty gap is the estimate; its
    band in the post-Duty periods carries the estimate's interval.
    """
    panel = estimate.details["panel"]
    time = estimate.details["time"]
    intervention = pd.Timestamp(estimate.details["intervention"])
    weights = estimate.details["unit_weights"][intervention]
    period_weights = estimate.details["time_weights"][intervention]
    wide = panel.pivot(index=time, columns="force", values="rate")
    synthetic = wide[weights.index].to_numpy() @ weights.to_numpy()
    dorset = wide[DORSET].to_numpy()
    pre = np.asarray(wide.index < intervention)
    lam = period_weights.reindex(wide.index[pre]).fillna(0).to_numpy()
    offset = float(np.sum(lam * (dorset[pre] - synthetic[pre])) / max(lam.sum(), 1e-12))
    counterfactual = synthetic + offset
    post = ~pre
    low = counterfactual + np.where(post, estimate.effect - estimate.ci_high, 0.0)
    high = counterfactual + np.where(post, estimate.effect - estimate.ci_low, 0.0)
    fitted = pd.DataFrame(
        {
            "time": wide.index,
            "observed": dorset,
            "fitted": dorset,
            "counterfactual": counterfactual,
            "counterfactual_low": low,
            "counterfactual_high": high,
        }
    )
    return estimate.with_updates(
        details={**estimate.details, "fitted": fitted, "intervention": intervention}
    )


def placebo_date(panel: pd.DataFrame, time: str, intervention: pd.Timestamp) -> pd.Timestamp:
    """A fictitious Duty for the placebo designs: two years early, one for an annual series.

    An annual series keeps eight years before the fictitious date (the fewest the time
    series design fits a trend on) only if the placebo is one year early.
    """
    annual = panel[time].dt.month.nunique() == 1
    return intervention - pd.DateOffset(years=1 if annual else 2)


def placebo_synthetic_control(
    panel: pd.DataFrame, *, time: str, intervention: pd.Timestamp
) -> Estimate:
    """The synthetic control at a fictitious Duty (:func:`placebo_date`), on pre-Duty data only."""
    before = panel[panel[time] < intervention]
    return duty_synthetic_control(
        before, time=time, intervention=placebo_date(panel, time, intervention)
    )


def placebo_its(
    series: pd.DataFrame, *, count: str, time: str, intervention: pd.Timestamp, harmonics: int
) -> Estimate:
    """Dorset's time series at a fictitious Duty (:func:`placebo_date`), on pre-Duty data only."""
    before = series[series[time] < intervention]
    return duty_its(
        before,
        count=count,
        time=time,
        intervention=placebo_date(series, time, intervention),
        harmonics=harmonics,
    )


def recording_shift(ratio: pd.DataFrame) -> Estimate:
    """Change in Dorset's police-to-hospital violence ratio, against the comparison forces.

    A two-sample t-test of the yearly differences in log ratio (:func:`.tables.recording_ratio`)
    after against before; the effect is the ratio's multiplicative change (1: recording
    steady). A real change in violence moves both measures; a recording change moves the
    police measure alone.
    """
    before = ratio.loc[~ratio["after"], "difference"].to_numpy()
    after = ratio.loc[ratio["after"], "difference"].to_numpy()
    if len(before) < 2 or len(after) < 1:
        raise EstimationError(
            f"recording check: {len(before)} year(s) before and {len(after)} after with both "
            "police and hospital counts; two before and one after are needed."
        )
    shift = float(after.mean() - before.mean())
    # Pooled-variance t: with two or three years after, their own variance is too unsteady
    # for Welch's test (it rejected a steady ratio about three times too often).
    dof = len(before) + len(after) - 2
    pooled_var = (
        before.var(ddof=1) * (len(before) - 1)
        + (after.var(ddof=1) * (len(after) - 1) if len(after) > 1 else 0.0)
    ) / dof
    se = float(np.sqrt(pooled_var * (1 / len(before) + 1 / len(after))))
    t = stats.t.ppf(0.975, dof)
    p_value = float(2 * stats.t.sf(abs(shift) / se, dof)) if se > 0 else 0.0
    return Estimate(
        effect=float(np.exp(shift)),
        ci_low=float(np.exp(shift - t * se)),
        ci_high=float(np.exp(shift + t * se)),
        p_value=p_value,
        n=len(ratio),
        scale="ratio",
        method="difference in mean log ratio, two-sample t",
        estimand=(
            "change after the Duty in Dorset's police-recorded violence with injury per "
            "hospital admission for assault, relative to the comparison forces"
        ),
        se=se,
        assumptions=("Hospital admissions for assault do not depend on police recording.",),
        diagnostics={"years_before": len(before), "years_after": len(after)},
    )


@dataclass(frozen=True)
class HotspotChange:
    """The hot spots chosen on one year's violence, the next year: naive and net of RTM.

    Parameters
    ----------
    naive : Estimate
        Hot spots' count in the follow-up year over their count in the selection year, over
        the same ratio for the other areas (rate ratio): regression to the mean included.
    adjusted : Estimate
        The same with the baseline taken from years *other than* the one they were chosen
        on: the selection year's chance highs do not enter, so no regression to the mean.
    hotspots : int
        Areas chosen.
    """

    naive: Estimate
    adjusted: Estimate
    hotspots: int


def _ratio_of_ratios(
    counts: pd.DataFrame,
    hot: np.ndarray,
    baseline: list[int],
    follow: int,
    *,
    draws: int,
    seed: int,
    estimand: str,
    method: str,
) -> Estimate:
    base = counts[baseline].to_numpy(dtype=float).mean(axis=1)
    later = counts[follow].to_numpy(dtype=float)

    def statistic(index_hot: np.ndarray, index_rest: np.ndarray) -> float:
        hot_ratio = later[index_hot].sum() / max(base[index_hot].sum(), 1e-9)
        rest_ratio = later[index_rest].sum() / max(base[index_rest].sum(), 1e-9)
        return float(np.log(hot_ratio / rest_ratio))

    hot_index, rest_index = np.flatnonzero(hot), np.flatnonzero(~hot)
    point = statistic(hot_index, rest_index)
    rng = np.random.default_rng(seed)
    boot = np.array(
        [
            statistic(
                rng.choice(hot_index, size=len(hot_index)),
                rng.choice(rest_index, size=len(rest_index)),
            )
            for _ in range(draws)
        ]
    )
    se = float(boot.std(ddof=1))
    p_value = float(2 * stats.norm.sf(abs(point) / se)) if se > 0 else 0.0
    return Estimate(
        effect=float(np.exp(point)),
        ci_low=float(np.exp(point - 1.96 * se)),
        ci_high=float(np.exp(point + 1.96 * se)),
        p_value=p_value,
        n=len(counts),
        scale="rate ratio",
        method=method,
        estimand=estimand,
        se=se,
        assumptions=("Areas' changes are independent of one another (bootstrap over areas).",),
        diagnostics={"hotspots": int(hot.sum()), "bootstrap_draws": draws},
    )


def hotspot_change(
    counts: pd.DataFrame,
    *,
    selection_year: int,
    follow_year: int,
    share: float,
    draws: int = 500,
    seed: int = 0,
) -> HotspotChange:
    """Change in the hot spots chosen on ``selection_year``, beyond the county's change.

    The hot spots are the ``share`` of LSOAs with most violence in ``selection_year``. A
    before/after from that year (naive) shows a fall even where nothing changed, because
    areas chosen for a high year were partly chosen for chance highs (regression to the
    mean). The adjusted estimate measures both years against the years before the
    selection year, which the choice did not see. Intervals: bootstrap over areas.
    """
    years = [int(y) for y in counts.columns]
    baseline = [y for y in years if y < selection_year]
    if selection_year not in years or follow_year not in years or not baseline:
        raise EstimationError(
            f"hot spots: need complete years before {selection_year}, {selection_year} itself "
            f"and {follow_year}; the street data have {years}."
        )
    hot = counts.index.isin(top_areas(counts[selection_year], share))
    naive = _ratio_of_ratios(
        counts,
        hot,
        [selection_year],
        follow_year,
        draws=draws,
        seed=seed,
        method="before/after of areas chosen on the before year (naive)",
        estimand=(
            f"violence in the hot spots chosen on {selection_year}, {follow_year} over "
            f"{selection_year}, relative to the other areas (rate ratio)"
        ),
    )
    adjusted = _ratio_of_ratios(
        counts,
        hot,
        baseline,
        follow_year,
        draws=draws,
        seed=seed,
        method="before/after against years the choice did not see (regression to the mean removed)",
        estimand=(
            f"violence in the hot spots chosen on {selection_year}, {follow_year} over their "
            f"{baseline[0]}-{baseline[-1]} level, relative to the other areas (rate ratio)"
        ),
    )
    return HotspotChange(naive=naive, adjusted=adjusted, hotspots=int(hot.sum()))


def lsoa_funnel(
    counts: pd.DataFrame, lsoas: pd.DataFrame, year: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Funnel limits (overdispersion-adjusted) and empirical-Bayes rates for one year's violence.

    Returns the funnel table (:func:`analysis.methods.funnel_limits`) and the shrunken rates
    (:func:`analysis.methods.shrink_rates`) per resident.
    """
    frame = pd.DataFrame(
        {
            "lsoa": lsoas["lsoa_name"].to_numpy(),
            "violence": counts[year].to_numpy(),
            "residents": lsoas["population"].to_numpy(dtype=float),
        }
    )
    funnel = funnel_limits(
        frame,
        area="lsoa",
        observed="violence",
        denominator="residents",
        statistic="rate",
        overdispersion="multiplicative",
    )
    shrunk = shrink_rates(frame, area="lsoa", observed="violence", exposure="residents")
    return funnel, shrunk


def vru_synthesis(evaluations: pd.DataFrame, outcome: str) -> tuple[Estimate | None, pd.DataFrame]:
    """Random-effects synthesis of the published VRU effects on ``outcome``.

    Only rows with a standard error can be pooled; the table of every row is returned beside
    the pooled estimate (None when no row of the outcome has one).
    """
    rows = evaluations[evaluations["outcome"] == outcome].reset_index(drop=True)
    usable = rows[rows["se"].notna()]
    if usable.empty:
        return None, rows
    pooled = random_effects_meta(
        usable, effect="effect", se="se", study="evaluation", scale="difference"
    )
    return pooled.with_updates(outcome=outcome), rows


@dataclass(frozen=True)
class EvaluationPower:
    """What a Dorset evaluation of a VRU could detect on one admissions measure.

    Parameters
    ----------
    baseline_rate : float
        Dorset's admissions per 100,000 a year (mean of the years observed).
    baseline_count : float
        Dorset's admissions a year.
    population : float
        Dorset's residents.
    pre_years : int
        Years before a VRU would start (the series so far).
    by_years : DataFrame
        ``years_after, mde_rate_ratio, mde_per_100k``: the smallest fall detectable with 80%
        power at 5% (two-sided) after that many years of a VRU.
    target_per_100k : float
        The effect the evaluation should be able to see (per 100,000 a year).
    years_needed : int or None
        The first number of years after which ``target_per_100k`` is detectable (None: not
        within the table's horizon, or not at all).
    """

    baseline_rate: float
    baseline_count: float
    population: float
    pre_years: int
    by_years: pd.DataFrame
    target_per_100k: float
    years_needed: int | None

    @property
    def target_admissions(self) -> float:
        """The target effect in admissions a year."""
        return self.target_per_100k * self.population / 100_000


def evaluation_power(
    series: pd.DataFrame, *, target_per_100k: float, horizon_years: int = 10
) -> EvaluationPower:
    """Smallest fall a Dorset interrupted time series of annual admissions could detect.

    The power of a segmented Poisson regression (:func:`analysis.methods.minimum_detectable_effect`,
    ``"its"``) with the years observed so far as the pre-period, at Dorset's mean count, for
    one to ``horizon_years`` years of a VRU. Admissions vary more than Poisson between years;
    the dispersion is taken from the Dorset series' spread around its own trend (at least 1).
    """
    counts = series["admissions"].to_numpy(dtype=float)
    population = float(series["population"].iloc[-1])
    baseline = float(counts.mean())
    years = np.arange(len(counts))
    fitted = np.exp(np.polyval(np.polyfit(years, np.log(np.maximum(counts, 0.5)), 1), years))
    dispersion = max(float(np.sum((counts - fitted) ** 2 / fitted) / max(len(counts) - 2, 1)), 1.0)
    rows = []
    for after in range(1, horizon_years + 1):
        ratio = minimum_detectable_effect(
            "its",
            n_pre=len(counts),
            n_post=after,
            baseline=baseline,
            harmonics=0,
            dispersion=dispersion,
            direction="decrease",
        )
        rows.append(
            {
                "years_after": after,
                "mde_rate_ratio": ratio,
                "mde_per_100k": (1 - ratio) * baseline / population * 100_000,
            }
        )
    table = pd.DataFrame(rows)
    reachable = table[table["mde_per_100k"] <= target_per_100k]
    return EvaluationPower(
        baseline_rate=baseline / population * 100_000,
        baseline_count=baseline,
        population=population,
        pre_years=len(counts),
        by_years=table,
        target_per_100k=target_per_100k,
        years_needed=None if reachable.empty else int(reachable["years_after"].iloc[0]),
    )
