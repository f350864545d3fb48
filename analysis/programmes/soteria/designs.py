"""Op Soteria Bluestone: the within-Dorset designs, over :mod:`analysis.methods`.

All compare cohorts of crimes by when they were reported, each followed from its report
with crimes still open censored (never counted as "not charged"):

- before/after on cohorts (Maryland SMS 1): the cumulative incidence of each end within the
  follow-up, crimes reported from adoption against those reported before, and the
  cause-specific hazard ratio of charge. National trends are not removed.
- the specialist RASSO team against other teams, before and after (difference-in-
  differences on cohorts): SMS 3 only if the two were moving together before adoption
  (checked on the pre-adoption years), otherwise SMS 2.

Across forces, on the Home Office outcomes table (period charge shares per force and
quarter, :func:`across_forces`):

- staggered difference-in-differences over the adoption waves, forces not yet adopting as
  comparisons; with every force adopted in the end, it measures the earlier waves' change;
- a synthetic control of Dorset from forces not yet adopting over its post-adoption
  quarters, made only where the adoption table leaves such forces;
- the charge share of forces that adopted a year or more before Dorset, across Dorset's
  adoption: a step there is a national change, not Soteria's.

Two more checks of the before/after headline use Dorset's own extract: a placebo adoption a
year early (:func:`placebo_a_year_early`) and a step in reports at adoption
(:func:`reports_step`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from ...errors import ConfigError, EstimationError
from ...methods import cause_specific_cox, cumulative_incidence, staggered_did, synthetic_control
from ...methods.competing_risks import CumulativeIncidence
from ...methods.staggered import pre_period_shift
from ...results import Estimate


def before_after_cif(ends: pd.DataFrame, cause: str, followup_days: float) -> CumulativeIncidence:
    """Difference in the cumulative incidence of ``cause`` within the follow-up, after - before.

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> from analysis.programmes.soteria.tables import adult_rape, crime_ends
    >>> synth = generate("soteria", seed=1, scale=0.5)
    >>> ends = crime_ends(synth.tables["crimes"], synth.extract_date, pd.Timestamp("2023-07-01"))
    >>> before_after_cif(adult_rape(ends), "charge", 365).scale
    'difference'
    """
    return cumulative_incidence(
        ends,
        duration="days",
        event="end",
        cause=cause,
        censored="open",
        group="period",
        reference="before",
        at=followup_days,
    )


def charge_hazard_ratio(ends: pd.DataFrame) -> Estimate:
    """Cause-specific hazard ratio of charge, after against before (other ends censor)."""
    return cause_specific_cox(
        ends, duration="days", event="end", cause="charge", censored="open", covariates=["after"]
    )


@dataclass(frozen=True)
class TeamComparison:
    """The specialist-team difference-in-differences and its pre-adoption check.

    Attributes
    ----------
    estimate : Estimate
        (after - before) of the specialist team minus (after - before) of other teams, in
        the share charged within the follow-up.
    cells : DataFrame
        CIF and standard error per team and period.
    pre_trend_p : float or None
        Test that the specialist-minus-other gap was the same in every pre-adoption year
        of report (None with fewer than two such years).
    pre_gaps : DataFrame
        The gap per pre-adoption year of report.
    """

    estimate: Estimate
    cells: pd.DataFrame
    pre_trend_p: float | None
    pre_gaps: pd.DataFrame

    @property
    def parallel_before(self) -> bool:
        """Whether the pre-adoption gaps are compatible with parallel trends (p >= 0.05)."""
        return self.pre_trend_p is not None and self.pre_trend_p >= 0.05


def _cif(frame: pd.DataFrame, followup_days: float) -> tuple[float, float, int]:
    result = cumulative_incidence(
        frame, duration="days", event="end", cause="charge", censored="open", at=followup_days
    )
    return result.effect, float(result.se or 0.0), result.n


def team_difference_in_differences(ends: pd.DataFrame, followup_days: float) -> TeamComparison:
    """Specialist RASSO team against other teams, before and after adoption, on cohorts."""
    z = stats.norm.ppf(0.975)
    rows = []
    for team in ("specialist_rasso", "other"):
        for period in ("before", "after"):
            inside = ends[(ends["team"] == team) & (ends["period"] == period)]
            cif, se, n = _cif(inside, followup_days)
            rows.append({"team": team, "period": period, "crimes": n, "cif": cif, "se": se})
    cells = pd.DataFrame(rows).set_index(["team", "period"])
    effect = (
        cells.loc[("specialist_rasso", "after"), "cif"]
        - cells.loc[("specialist_rasso", "before"), "cif"]
        - cells.loc[("other", "after"), "cif"]
        + cells.loc[("other", "before"), "cif"]
    )
    se = math.sqrt(float((cells["se"] ** 2).sum()))
    # Pre-trends: the gap per financial year of report before adoption, tested for equality.
    before = ends[ends["period"] == "before"]
    start = before["report_date"]
    fiscal = np.where(start.dt.month >= 4, start.dt.year, start.dt.year - 1)
    gaps = []
    for year in sorted(set(fiscal)):
        cohort = before[fiscal == year]
        specialist = cohort[cohort["team"] == "specialist_rasso"]
        other = cohort[cohort["team"] == "other"]
        if min(len(specialist), len(other)) < 20:
            continue
        (cif_s, se_s, _), (cif_o, se_o, _) = (
            _cif(specialist, followup_days),
            _cif(other, followup_days),
        )
        gaps.append(
            {
                "year": f"{year}/{(year + 1) % 100:02d}",
                "gap": cif_s - cif_o,
                "se": math.hypot(se_s, se_o),
            }
        )
    pre_gaps = pd.DataFrame(gaps, columns=["year", "gap", "se"]).set_index("year")
    pre_trend_p = None
    usable = pre_gaps[pre_gaps["se"] > 0]
    if len(usable) >= 2:
        weights = 1 / usable["se"] ** 2
        pooled = float((weights * usable["gap"]).sum() / weights.sum())
        statistic = float((weights * (usable["gap"] - pooled) ** 2).sum())
        pre_trend_p = float(stats.chi2.sf(statistic, len(usable) - 1))
    estimate = Estimate(
        effect=float(effect),
        ci_low=float(effect - z * se),
        ci_high=float(effect + z * se),
        p_value=float(2 * stats.norm.sf(abs(effect) / se)) if se > 0 else None,
        n=int(cells["crimes"].sum()),
        scale="difference",
        method="difference-in-differences of Aalen-Johansen cumulative incidences (cohorts)",
        estimand=(
            f"change in the share of adult rape charged within {followup_days:g} days for the "
            "specialist team, minus the change for other teams"
        ),
        se=se,
        assumptions=(
            "Without Soteria the specialist team's share charged would have changed as other "
            "teams' did (parallel trends, checked on the pre-adoption years).",
            "Cases were not moved between teams because of their prospects.",
        ),
        diagnostics={"pre_trend_p_value": pre_trend_p, "pre_years": len(usable)},
        outcome="charge",
    )
    return TeamComparison(estimate, cells, pre_trend_p, pre_gaps)


# ---- Across forces: the Home Office outcomes table and the adoption waves -----------------

#: Quarters just before adoption in which a dip (forces chosen after a bad spell) would show.
DIP_WINDOW_QUARTERS = 4
#: Earlier quarters the dip window is compared with.
DIP_REFERENCE_QUARTERS = 8
#: Quarters either side of Dorset's adoption in which earlier adopters' charge share is
#: checked for a national change.
SHIFT_WINDOW_QUARTERS = 8
#: A force joins the national-change check if it adopted at least this many quarters
#: before Dorset (its own change is then over before the window opens).
SHIFT_SETTLED_QUARTERS = 2
#: Smallest change in monthly reports at adoption, beyond their trend, that counts as a
#: change in recording (a rate ratio this far from 1, with an interval excluding 1).
RECORDING_STEP = 0.10


@dataclass(frozen=True)
class AcrossForces:
    """The across-forces designs on the Home Office outcomes table.

    Attributes
    ----------
    forces : tables.ForcePanel
    window : DataFrame
        The staggered panel: quarters before the last wave adopts, that wave's forces as
        not-yet-adopted comparisons throughout, cohorts of one force left out.
    staggered : Estimate or None
        Staggered difference-in-differences (Callaway and Sant'Anna, not-yet-adopted forces
        as comparisons) of the adult rape charge share; None with ``staggered_reason``.
    cohorts : DataFrame
        Forces per adoption cohort in ``window`` (quarter and forces).
    dip : Estimate or None
        Mean level of the four quarters before adoption against the eight before them
        (:func:`analysis.methods.staggered.pre_period_shift`).
    anticipation : Estimate or None
        The staggered estimate with a year's anticipation allowed (base period a year
        before adoption): a dip or an early response moves the headline estimate away from it.
    synthetic : Estimate or None
        Synthetic control of Dorset's charge share from forces not yet adopting over its
        post-adoption quarters; None with ``synthetic_reason``. With few quarters its 95%
        conformal interval may have no bounds (:attr:`synthetic_bounded`).
    donors : tuple of str
        The synthetic control's donor pool.
    national_shift : Estimate or None
        Change in the charge share of forces that had adopted a year or more before Dorset,
        from the quarters before Dorset's adoption to those after it (trend removed).
    """

    forces: Any
    window: pd.DataFrame
    staggered: Estimate | None
    staggered_reason: str
    cohorts: pd.DataFrame
    dip: Estimate | None
    anticipation: Estimate | None
    synthetic: Estimate | None
    synthetic_reason: str
    donors: tuple[str, ...]
    national_shift: Estimate | None
    national_shift_reason: str

    @property
    def synthetic_bounded(self) -> bool:
        """Whether the synthetic control exists and its interval has finite bounds."""
        est = self.synthetic
        return est is not None and bool(np.isfinite(est.ci_low) and np.isfinite(est.ci_high))


def staggered_window(panel: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The panel the staggered design can use, and its cohorts.

    Every force adopted in the end, so after the last wave adopts no force is left to
    compare with: the window ends the quarter before, and that wave's forces are the
    not-yet-adopted comparisons throughout it. A cohort of a single force is left out: the
    influence-function standard error has no spread within it to estimate, so its effect
    would look far more certain than it is.

    Examples
    --------
    >>> panel = pd.DataFrame({"force": list("aabbcc"), "quarter": pd.PeriodIndex(
    ...     ["2021Q1", "2021Q2"] * 3, freq="Q"), "adoption_quarter": pd.PeriodIndex(
    ...     ["2021Q2"] * 2 + ["2021Q3"] * 4, freq="Q"), "first_treated": [1, 1, 2, 2, 2, 2]})
    >>> window, cohorts = staggered_window(panel)
    >>> sorted(set(window["force"])), cohorts.empty  # force a, a cohort of one, left out
    (['b', 'c'], True)
    """
    last = panel["adoption_quarter"].max()
    window = panel[panel["quarter"] < last].copy()
    window["first_treated"] = window["first_treated"].astype(float)
    window.loc[window["adoption_quarter"] >= last, "first_treated"] = np.nan
    sizes = window.dropna(subset=["first_treated"]).groupby("adoption_quarter")["force"].nunique()
    lone = sizes.index[sizes < 2]
    window = window[~window["adoption_quarter"].isin(lone)].reset_index(drop=True)
    cohorts = (
        window.dropna(subset=["first_treated"])
        .groupby("adoption_quarter")["force"]
        .agg(lambda forces: ", ".join(sorted(set(forces))))
        .rename("forces")
        .reset_index()
    )
    return window, cohorts


def staggered_charge_share(
    window: pd.DataFrame, *, anticipation: int = 0, n_boot: int = 0
) -> Estimate:
    """Staggered difference-in-differences of the charge share over the adoption waves.

    The interval is the estimate plus or minus Student's t (degrees of freedom: adopting
    forces minus cohorts) times the influence-function standard error.
    """
    estimate = staggered_did(
        window,
        outcome="charge_share",
        unit="force",
        time="period",
        first_treated="first_treated",
        control="not_yet",
        n_boot=n_boot,
        anticipation=anticipation,
    )
    # Few adopting forces: the influence-function standard error is asymptotic and too
    # small with a handful of treated forces (simulated coverage 70-85% with eight), so
    # the interval uses Student's t with one degree of freedom per adopting force beyond
    # one per cohort, as for a cluster-robust error with few clusters.
    treated = int(window.dropna(subset=["first_treated"])["force"].nunique())
    cohorts = int(window["first_treated"].dropna().nunique())
    df = max(treated - cohorts, 1)
    half = float(stats.t.ppf(0.975, df)) * float(estimate.se)
    return replace(
        estimate,
        ci_low=estimate.effect - half,
        ci_high=estimate.effect + half,
        p_value=float(2 * stats.t.sf(abs(estimate.effect) / estimate.se, df)),
        estimand=(
            "average change in the share of adult rape outcomes that were charges, in forces "
            "of the earlier waves after they adopted, against forces not yet adopting"
        ),
        outcome="charge share",
        diagnostics={**estimate.diagnostics, "t_degrees_of_freedom": df},
    )


def dorset_synthetic_control(
    panel: pd.DataFrame, dorset_quarter: pd.Period
) -> tuple[Estimate | None, str, tuple[str, ...]]:
    """Synthetic control of Dorset's charge share from forces not yet adopting.

    Donors are the forces adopting after Dorset's adoption quarter; the post-period runs
    from that quarter to the quarter before the first donor adopts, so no donor is ever
    treated. Returns the estimate (or None), the reason it could not be made, and the donors.
    """
    donors = tuple(
        sorted(set(panel.loc[panel["adoption_quarter"] > dorset_quarter, "force"]) - {"Dorset"})
    )
    if "Dorset" not in set(panel["force"]):
        return None, "the outcomes table has no rows for Dorset", donors
    if len(donors) < 2:
        return (
            None,
            (
                f"by the adoption table every other force had adopted by {dorset_quarter} "
                "(the quarter Dorset adopted), so no force is left to build Dorset's "
                "comparison from after adoption"
            ),
            donors,
        )
    end = panel.loc[panel["force"].isin(donors), "adoption_quarter"].min()
    inside = panel[panel["force"].isin([*donors, "Dorset"]) & (panel["quarter"] < end)].copy()
    inside["time"] = inside["quarter"].dt.start_time
    try:
        estimate = synthetic_control(
            inside,
            unit="force",
            time="time",
            outcome="charge_share",
            treated_unit="Dorset",
            treatment_time=dorset_quarter.start_time,
            donors=list(donors),
        )
    except (EstimationError, ConfigError) as error:
        return None, str(error), donors
    return (
        replace(
            estimate,
            estimand=(
                "Dorset's share of adult rape outcomes that were charges after adoption, minus "
                "that of a weighted combination of forces not yet adopting"
            ),
            outcome="charge share",
        ),
        "",
        donors,
    )


def synthetic_control_series(estimate: Estimate) -> Estimate:
    """Dorset's series and its synthetic counterfactual, in the shape :func:`plot_its` draws."""
    gaps = estimate.details["gaps"]
    post = gaps["post"].astype(bool)
    # An unbounded period interval (too few quarters for the conformal test) draws no band.
    bounded = post & np.isfinite(gaps["ci_low"]) & np.isfinite(gaps["ci_high"])
    low = gaps["synthetic"].where(~bounded, gaps["treated"] - gaps["ci_high"])
    high = gaps["synthetic"].where(~bounded, gaps["treated"] - gaps["ci_low"])
    fitted = pd.DataFrame(
        {
            "time": pd.to_datetime(gaps["time"]),
            "observed": gaps["treated"],
            "fitted": gaps["treated"],
            "counterfactual": gaps["synthetic"],
            "counterfactual_low": low,
            "counterfactual_high": high,
        }
    )
    intervention = fitted.loc[post.to_numpy(), "time"].min()
    return replace(estimate, details={"fitted": fitted, "intervention": intervention})


def national_shift(panel: pd.DataFrame, dorset_quarter: pd.Period) -> tuple[Estimate | None, str]:
    """Change in earlier adopters' charge share at Dorset's adoption: a national change.

    Forces that adopted at least :data:`SHIFT_SETTLED_QUARTERS` before Dorset were already
    running the model on both sides of Dorset's adoption, so a step in their charge share
    then is not Soteria's: it is what the country was doing. Least squares over the
    :data:`SHIFT_WINDOW_QUARTERS` quarters either side, with a force effect and a common
    linear trend, each force-quarter weighted by its outcomes (a share of many outcomes is
    less noisy), heteroskedasticity-robust (HC1) standard error.

    Examples
    --------
    >>> rows = [(f, q, 0.05 + 0.001 * i + 0.02 * (i >= 8)) for f in "abc"
    ...         for i, q in enumerate(pd.period_range("2021Q1", periods=16, freq="Q"))]
    >>> panel = pd.DataFrame(rows, columns=["force", "quarter", "charge_share"])
    >>> panel["adoption_quarter"] = pd.Period("2019Q1", "Q")
    >>> est, _ = national_shift(panel, pd.Period("2023Q1", "Q"))
    >>> round(est.effect, 3)
    0.02
    """
    settled = panel["adoption_quarter"] <= dorset_quarter - SHIFT_SETTLED_QUARTERS
    offset = (panel["quarter"] - dorset_quarter).map(lambda delta: delta.n)
    inside = panel[
        settled
        & (panel["force"] != "Dorset")
        & offset.between(-SHIFT_WINDOW_QUARTERS, SHIFT_WINDOW_QUARTERS - 1)
        & (panel["quarter"] > panel["adoption_quarter"])
    ].assign(offset=offset)
    forces = sorted(set(inside["force"]))
    if len(forces) < 2 or not (inside["offset"] >= 0).any() or not (inside["offset"] < 0).any():
        return None, (
            f"fewer than two forces had adopted {SHIFT_SETTLED_QUARTERS} or more quarters "
            f"before Dorset with quarters either side of {dorset_quarter}"
        )
    design = pd.get_dummies(inside["force"], dtype=float)
    design["trend"] = inside["offset"].astype(float)
    design["after"] = (inside["offset"] >= 0).astype(float)
    weights = inside["outcomes"].astype(float) if "outcomes" in inside else None
    fit = sm.WLS(
        inside["charge_share"].astype(float), design, weights=1.0 if weights is None else weights
    ).fit(cov_type="HC1")
    effect, se = float(fit.params["after"]), float(fit.bse["after"])
    z = stats.norm.ppf(0.975)
    estimate = Estimate(
        effect=effect,
        ci_low=effect - z * se,
        ci_high=effect + z * se,
        p_value=float(fit.pvalues["after"]),
        n=len(inside),
        scale="difference",
        method="segmented regression of earlier adopters' charge share (force effects, trend)",
        estimand=(
            "step in the share of adult rape outcomes that were charges, at Dorset's adoption, "
            "in forces that had adopted a year or more before"
        ),
        se=se,
        outcome="charge share",
        diagnostics={"forces": len(forces)},
    )
    return estimate, ""


def across_forces(
    outcomes: pd.DataFrame, adoption: pd.DataFrame, dorset_adoption: pd.Timestamp
) -> AcrossForces:
    """Every across-forces design on the Home Office outcomes table.

    Examples
    --------
    >>> from analysis.data import load_reference
    >>> from analysis.synthetic import generate
    >>> synth = generate("soteria", seed=1, scale=0.5)
    >>> result = across_forces(synth.tables["force_outcomes"],
    ...                        load_reference("soteria_adoption"), pd.Timestamp("2023-07-01"))
    >>> result.staggered.scale, result.synthetic is None
    ('difference', True)
    """
    from . import tables

    forces = tables.force_panel(outcomes, adoption, dorset_adoption)
    window, cohorts = staggered_window(forces.panel)
    staggered = dip = anticipation = None
    staggered_reason = ""
    if cohorts.empty:
        staggered_reason = "no adoption wave of two or more forces had forces left to compare with"
    else:
        try:
            staggered = staggered_charge_share(window)
            dip = pre_period_shift(
                staggered, window=DIP_WINDOW_QUARTERS, reference=DIP_REFERENCE_QUARTERS
            )
            anticipation = staggered_charge_share(window, anticipation=DIP_WINDOW_QUARTERS)
        except (EstimationError, ConfigError) as error:
            staggered, dip, anticipation = None, None, None
            staggered_reason = str(error)
    synthetic, synthetic_reason, donors = dorset_synthetic_control(
        forces.panel, forces.dorset_quarter
    )
    shift, shift_reason = national_shift(forces.panel, forces.dorset_quarter)
    return AcrossForces(
        forces=forces,
        window=window,
        staggered=staggered,
        staggered_reason=staggered_reason,
        cohorts=cohorts,
        dip=dip,
        anticipation=anticipation,
        synthetic=synthetic,
        synthetic_reason=synthetic_reason,
        donors=donors,
        national_shift=shift,
        national_shift_reason=shift_reason,
    )


# ---- Within Dorset: what could make the before/after headline wrong ------------------------


def placebo_a_year_early(ends: pd.DataFrame, adoption: pd.Timestamp, followup_days: float):
    """Before/after at a date a year before adoption, on reports made before adoption only.

    Without Soteria the reports of the year before adoption should end as earlier ones did;
    a difference means the series was already moving (a trend, or a dip that drew the force
    into the programme), which the headline would take for Soteria's effect.
    """
    before = ends[ends["after"] == 0].copy()
    fake = adoption - pd.Timedelta(days=365)
    before["period"] = np.where(before["report_date"] >= fake, "after", "before")
    if before["period"].nunique() < 2:
        return None
    try:
        return before_after_cif(before, "charge", followup_days)
    except (EstimationError, ConfigError):
        return None


def reports_step(crimes: pd.DataFrame, adoption: pd.Timestamp, extract_date: pd.Timestamp):
    """Change in monthly adult rape reports at adoption, beyond their trend (quasi-Poisson).

    A step at adoption means the cohorts after it hold different cases (a change in what is
    recorded as a crime), so the before/after comparison is not like for like.

    Examples
    --------
    >>> days = pd.date_range("2020-04-01", "2025-03-31", freq="D")
    >>> crimes = pd.DataFrame({"offence": "adult_rape", "report_date": days[::2]})
    >>> est = reports_step(crimes, pd.Timestamp("2023-07-01"), pd.Timestamp("2025-03-31"))
    >>> est.scale, abs(est.effect - 1) < 0.05
    ('rate ratio', True)
    """
    adult = crimes.loc[crimes["offence"] == "adult_rape", "report_date"]
    months = pd.period_range(adult.min(), extract_date, freq="M")
    # The last month may be part-taken: only whole months are counted.
    if extract_date < months[-1].end_time.normalize():
        months = months[:-1]
    counts = adult.dt.to_period("M").value_counts().reindex(months, fill_value=0)
    step = (months >= adoption.to_period("M")).astype(float)
    if step.min() == step.max():
        return None
    design = pd.DataFrame(
        {"const": 1.0, "trend": np.arange(len(months)) / 12.0, "after": step}, index=months
    )
    fit = sm.GLM(counts.astype(float), design, family=sm.families.Poisson()).fit(scale="X2")
    coef, se = float(fit.params["after"]), float(fit.bse["after"])
    z = stats.norm.ppf(0.975)
    return Estimate(
        effect=math.exp(coef),
        ci_low=math.exp(coef - z * se),
        ci_high=math.exp(coef + z * se),
        p_value=float(fit.pvalues["after"]),
        n=int(counts.sum()),
        scale="rate ratio",
        method="quasi-Poisson regression of monthly reports on a trend and a step",
        estimand="monthly adult rape reports from adoption over those the trend implies",
        se=se,
        outcome="reports",
    )
