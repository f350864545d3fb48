"""Op Soteria Bluestone: the within-Dorset designs, over :mod:`analysis.methods`.

All compare cohorts of crimes by when they were reported, each followed from its report
with crimes still open censored (never counted as "not charged"):

- before/after on cohorts (Maryland SMS 1): the cumulative incidence of each end within the
  follow-up, crimes reported from adoption against those reported before, and the
  cause-specific hazard ratio of charge. National trends are not removed.
- the specialist RASSO team against other teams, before and after (difference-in-
  differences on cohorts): SMS 3 only if the two were moving together before adoption
  (checked on the pre-adoption years), otherwise SMS 2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ...methods import cause_specific_cox, cumulative_incidence
from ...methods.competing_risks import CumulativeIncidence
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
