"""Combating Drugs Partnership: the designs, over :mod:`analysis.methods`, weakest first.

- :func:`progress_against_targets`: the latest published figure against each partnership
  target, with the interval chance alone would put around it (descriptive);
- :func:`control_chart`: statistical process control limits from the years before the
  funding (:func:`analysis.methods.control_limits`);
- :func:`funnel` and :func:`shrunken_rates`: Dorset's authorities among every authority in
  England, with empirical-Bayes shrinkage;
- :func:`funding_effect`: a comparative interrupted time series from the start of the new
  funding, the partnership against comparable authorities
  (:func:`analysis.methods.comparative_its`), with its checks: a placebo start a year
  earlier (:func:`placebo_effect`), whether the comparators themselves changed at the start
  (:func:`comparators_check`) and whether the publisher noted a recording change
  (:func:`recording_check`);
- :func:`deaths_before_after` and :func:`deaths_detectability`: what the pooled drug-death
  figures can and cannot show yet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ...errors import EstimationError
from ...evidence.checks import placebo_check as _placebo_check
from ...evidence.sms import Check
from ...methods import (
    comparative_its,
    control_limits,
    funnel_limits,
    its,
    minimum_detectable_effect,
    rate_ratio,
    shrink_rates,
)
from ...results import Estimate, format_number, format_p_value
from . import tables

#: Significance level of the design checks.
ALPHA = 0.05


def funding_effect(
    panel: pd.DataFrame,
    funding_start: pd.Timestamp,
    *,
    outcome: str = "the indicator",
) -> Estimate:
    """Rate ratio of the partnership's indicator after the funding, against comparable areas.

    A negative binomial comparative interrupted time series on yearly counts with the
    population (or people at risk) as offset: each series keeps its own level and trend,
    the comparators' shared change at the start is taken out, and no seasonality (years).
    """
    estimate = comparative_its(
        panel,
        outcome="count",
        time="time",
        series="series",
        treated_series=tables.PARTNERSHIP,
        intervention=funding_start,
        offset="denominator",
        family="negativebinomial",
        harmonics=0,
    )
    return estimate.with_updates(
        outcome=outcome,
        estimand=(
            f"ratio of {outcome} in Dorset's two authorities after the funding began "
            f"({funding_start:%B %Y}) to what their own trend predicts, net of the change in "
            f"{estimate.n - 1} comparable authorities at the same time"
        ),
    )


def placebo_effect(
    panel: pd.DataFrame, funding_start: pd.Timestamp, *, years_earlier: int = 1
) -> Estimate:
    """The same design at a start ``years_earlier`` before the funding, on pre-funding years only.

    A bounce-back from a bad year (regression to the mean) or a change already under way
    shows here as an "effect" before anything was funded.
    """
    before = panel[panel["time"] < funding_start]
    fake = funding_start - pd.DateOffset(years=years_earlier)
    return funding_effect(before, fake, outcome="the indicator (placebo start)")


def placebo_check(placebo: Estimate) -> Check:
    """The placebo start shows no effect (fails when its interval excludes a ratio of 1)."""
    return _placebo_check(placebo, what="placebo start a year earlier")


def comparators_check(estimate: Estimate) -> Check:
    """Whether the comparators themselves changed when the funding began.

    The comparative design takes the comparators' change at the start (its shared ``post``
    term) as what would have happened to Dorset anyway. If they changed clearly, they were
    probably treated too (the same national funding reached them): the estimate is then
    Dorset's difference from authorities that had the programme, not the programme's
    effect, and the rating falls to at most SMS 2.
    """
    row = estimate.table.loc["post"]
    ratio, p_value = float(row["ratio"]), float(row["p_value"])
    low, high = math.exp(row["ci_low"]), math.exp(row["ci_high"])
    changed = p_value < ALPHA
    return Check(
        "comparators unchanged at the start of the funding",
        not changed,
        f"comparable authorities' own change at the start: ratio {format_number(ratio)} (95% CI "
        f"{format_number(low)} to {format_number(high)}), p {_p_words(p_value)}"
        + (
            ": they changed too, so they may have received the same funding and the estimate "
            "is Dorset's difference from them, not the funding's effect"
            if changed
            else ""
        ),
        lowers_to=2,
    )


def recording_check(
    indicators: pd.DataFrame, key: str, codes: list[str], since: pd.Timestamp
) -> Check:
    """Whether the publisher noted a recording or definition change in Dorset's series."""
    rows = tables.indicator_rows(indicators, key, codes)
    rows = rows[rows["start"] >= since - pd.DateOffset(years=3)]
    notes = rows["value_note"].dropna().astype(str)
    notes = notes[notes.str.strip() != ""]
    if notes.empty:
        return Check("no recording change noted", True, "no value notes on Dorset's rows")
    periods = sorted(set(rows.loc[notes.index, "time_period"]))
    return Check(
        "no recording change noted",
        False,
        f"the publisher notes '{notes.iloc[0]}' on {', '.join(periods)}: part of any change "
        "may be a change of definition",
        lowers_to=2,
    )


def _p_words(p_value: float) -> str:
    text = format_p_value(p_value)
    return text if text.startswith("<") else f"= {text}"


# --------------------------------------------------------------------------- targets
def progress_against_targets(
    indicators: pd.DataFrame, targets: list[tables.Target]
) -> pd.DataFrame:
    """Each target beside the published figure, with the interval chance alone gives it.

    A count target (people in treatment) is compared with the published count, whose 95%
    interval is the exact Poisson one (the count as one year's draw from the underlying
    level); a percentage target with the published value and its own 95% limits.
    ``verdict`` says whether the figure is above or below the target beyond that chance, or
    within it.
    """
    rows = []
    for target in targets:
        found = tables.indicator_rows(indicators, target.indicator, [target.area_code])
        found = found[found["time_period"] == target.period]
        if found.empty or pd.isna(found["count"].iloc[0]):
            rows.append(
                {"indicator": target.indicator, "area": target.area_code, "period": target.period,
                 "target": target.value, "published": np.nan, "ci_low": np.nan,
                 "ci_high": np.nan, "verdict": "not yet published"}
            )  # fmt: skip
            continue
        row = found.iloc[0]
        percentage = target.indicator in ("completions", "continuity_of_care")
        if percentage:
            figure, low, high = row["value"], row["lower_ci_95"], row["upper_ci_95"]
        else:
            figure = row["count"]
            low = stats.chi2.ppf(0.025, 2 * figure) / 2 if figure > 0 else 0.0
            high = stats.chi2.ppf(0.975, 2 * (figure + 1)) / 2
        if low > target.value:
            verdict = "above target beyond chance"
        elif high < target.value:
            verdict = "below target beyond chance"
        else:
            verdict = "within chance of the target"
        rows.append(
            {"indicator": target.indicator, "area": str(row["area_name"]),
             "period": target.period, "target": target.value, "published": float(figure),
             "ci_low": float(low), "ci_high": float(high), "verdict": verdict}
        )  # fmt: skip
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- trends
def control_chart(
    series: pd.DataFrame,
    *,
    observed: str,
    time: str,
    chart: str,
    baseline_end: pd.Timestamp,
    denominator: str | None = None,
) -> pd.DataFrame:
    """Control limits from the periods before the funding (Laney-widened when overdispersed)."""
    return control_limits(
        series,
        observed=observed,
        time=time,
        chart=chart,
        denominator=denominator,
        baseline_end=baseline_end,
        overdispersed=True,
    )


# --------------------------------------------------------------------------- funnels
def funnel(areas: pd.DataFrame, statistic: str) -> pd.DataFrame:
    """Every authority against the England value, random-effects (additive) limits."""
    return funnel_limits(
        areas.assign(area=areas["area_name"].astype(str)),
        area="area",
        observed="count",
        denominator="denominator",
        statistic=statistic,
        overdispersion="additive",
    )


def shrunken_rates(areas: pd.DataFrame) -> pd.DataFrame:
    """Empirical-Bayes rates of every authority (marginal likelihood prior)."""
    return shrink_rates(
        areas.assign(area=areas["area_name"].astype(str)),
        area="area",
        observed="count",
        exposure="denominator",
    )


# --------------------------------------------------------------------------- deaths
@dataclass(frozen=True)
class DeathsDetectability:
    """What the pooled drug-death figures can show.

    Attributes
    ----------
    baseline_deaths : float
        Deaths in the non-overlapping pooled periods before the funding.
    baseline_years : int
        Years they cover.
    deaths_per_year : float
        Deaths a year in the last pooled period before the funding.
    mde_now : float or None
        The fall (rate ratio below 1) the latest pooled period could detect against the
        baseline with 80% power; None when no post-funding period is published.
    years_needed : int or None
        Years of post-funding deaths, after the lag, before ``expected_ratio`` could be
        detected against the baseline; None when no length of follow-up would do.
    limit_ratio : float
        The fall detectable with unlimited follow-up (the baseline's own noise).
    expected_ratio : float
        The fall the partnership hopes for.
    lag_years : float
        Years before the funding could change deaths.
    """

    baseline_deaths: float
    baseline_years: int
    deaths_per_year: float
    mde_now: float | None
    years_needed: int | None
    limit_ratio: float
    expected_ratio: float
    lag_years: float


def _pooled_periods(series: pd.DataFrame, funding_start: pd.Timestamp) -> tuple[int, int | None]:
    """The last pooled period wholly before the funding, and the latest after it (or None).

    Positions in ``series``; the later period does not overlap the earlier one.
    """
    ends = series["start"].dt.year + 2
    before = np.flatnonzero(ends.to_numpy() < funding_start.year)
    if not len(before):
        raise EstimationError(
            "no pooled drug-death period ends before the funding began: a before/after "
            "comparison needs one"
        )
    base = int(before[-1])
    base_end = int(ends.iloc[base])
    after = np.flatnonzero(series["start"].dt.year.to_numpy() > base_end)
    return base, (int(after[-1]) if len(after) else None)


def deaths_before_after(series: pd.DataFrame, funding_start: pd.Timestamp) -> Estimate | None:
    """Rate ratio of the latest pooled period to the last one before the funding (SMS 1).

    The two periods do not overlap; None when no such later period is published yet.
    """
    base, latest = _pooled_periods(series, funding_start)
    if latest is None:
        return None
    post, pre = series.iloc[latest], series.iloc[base]
    estimate = rate_ratio(
        int(post["count"]), float(post["denominator"]), int(pre["count"]),
        float(pre["denominator"]),
    )  # fmt: skip
    return estimate.with_updates(
        outcome="drug deaths",
        estimand=(
            f"ratio of Dorset's drug-death rate in {post['time_period']} to {pre['time_period']} "
            "(pooled periods as published; before/after, no comparison)"
        ),
        method="before/after rate ratio (exact Poisson)",
    )


def deaths_detectability(
    series: pd.DataFrame,
    funding_start: pd.Timestamp,
    *,
    expected_ratio: float,
    lag_years: float,
    max_years: int = 40,
) -> DeathsDetectability:
    """How small a fall in deaths the data can detect now, and how many years until they can.

    ``mde_now`` is the fall the before/after comparison (:func:`deaths_before_after`) could
    detect with 80% power (:func:`~analysis.methods.minimum_detectable_effect` ``("rates")``).
    For the future, the baseline is every pooled period before the funding that does not
    overlap another (``"2013 - 15"``, ``"2016 - 18"``, ``"2019 - 21"``: nine years of deaths);
    a post-funding period of ``T`` years then detects a rate ratio of
    ``minimum_detectable_effect("rates", ...)``, and ``years_needed`` is the smallest ``T`` at
    which that reaches ``expected_ratio``, plus the lag before any effect could begin. Even
    with unlimited follow-up the baseline's own noise leaves a floor, ``limit_ratio``.
    """
    if not 0 < expected_ratio < 1:
        raise EstimationError(
            f"expected_deaths_ratio must be a fall, a rate ratio between 0 and 1, got "
            f"{expected_ratio!r}"
        )
    base, latest = _pooled_periods(series, funding_start)
    starts = series["start"].dt.year.to_numpy()
    chosen = [base]
    while True:
        earlier = np.flatnonzero(starts == starts[chosen[-1]] - 3)
        if not len(earlier):
            break
        chosen.append(int(earlier[0]))
    baseline = series.iloc[chosen]
    deaths, exposure = float(baseline["count"].sum()), float(baseline["denominator"].sum())
    rate = deaths / exposure
    per_year = float(series.iloc[base]["denominator"]) / 3

    def detectable(years: float) -> float:
        return minimum_detectable_effect(
            "rates", baseline_rate=rate, exposure1=per_year * years, exposure0=exposure
        )

    mde_now = None
    if latest is not None:
        pre = series.iloc[base]
        mde_now = minimum_detectable_effect(
            "rates",
            baseline_rate=float(pre["count"]) / float(pre["denominator"]),
            exposure1=float(series.iloc[latest]["denominator"]),
            exposure0=float(pre["denominator"]),
        )
    needed = None
    for years in range(1, max_years + 1):
        # A detectable fall at least as small as the hoped-for one: its ratio is nearer 1.
        if detectable(years) >= expected_ratio:
            needed = int(math.ceil(lag_years)) + years
            break
    return DeathsDetectability(
        baseline_deaths=deaths,
        baseline_years=3 * len(chosen),
        deaths_per_year=float(series.iloc[base]["count"]) / 3,
        mde_now=mde_now,
        years_needed=needed,
        limit_ratio=detectable(100_000),
        expected_ratio=expected_ratio,
        lag_years=lag_years,
    )


def own_trend_change(series: pd.DataFrame, funding_start: pd.Timestamp) -> Estimate:
    """The partnership's indicator after the funding against its own trend alone (SMS 2).

    An interrupted time series of the yearly counts (quasi-Poisson, population offset, no
    seasonality) with no comparison: the reading that still holds if the comparable
    authorities received the same funding, and that takes anything else that changed at
    the start for the funding.
    """
    frame = series.rename(columns={"start": "time"})[["time", "count", "denominator"]]
    return its(
        frame,
        outcome="count",
        time="time",
        intervention=funding_start,
        offset="denominator",
        family="quasipoisson",
        harmonics=0,
    ).with_updates(
        outcome="adults in structured treatment",
        estimand=(
            "ratio of adults in structured treatment in Dorset's two authorities after the "
            f"funding began ({funding_start:%B %Y}) to what their own trend predicts (no "
            "comparison)"
        ),
    )


# --------------------------------------------------------------------------- offending
def offending_change(monthly: pd.DataFrame, funding_start: pd.Timestamp) -> Estimate:
    """Interrupted time series of monthly drug-related acquisitive crime (SMS 2, no comparison)."""
    return its(
        monthly,
        outcome="offences",
        time="month",
        intervention=funding_start,
        family="quasipoisson",
        harmonics=2,
    ).with_updates(outcome="drug-related acquisitive crime")
