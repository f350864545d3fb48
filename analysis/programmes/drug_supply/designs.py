"""Operation Viper and Operation Scorpion: the designs, over :mod:`analysis.methods`.

- Scorpion (weekly, from the force's dated extract): :func:`scorpion_event_study`, a
  stacked event study over the surge weeks, targeted neighbourhoods against clean controls
  (no surge in the window, not in the buffer ring); :func:`before_after`, the naive
  comparison of the weeks after a surge with the weeks just before it.
- Viper (monthly, police.uk counts): :func:`viper_its`, Dorset against the other forces by
  comparative interrupted time series; :func:`viper_synthetic_control`, Dorset against a
  weighted combination of the other forces (log counts, each force's pre-Viper mean
  removed, so that forces of any size can be donors).
- Displacement: :func:`displacement`, the weighted displacement quotient pooled over the
  rounds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ...methods import comparative_its, stacked_event_study, synthetic_control
from ...methods.displacement import weighted_displacement_quotient
from ...results import Estimate


def scorpion_event_study(
    panel: pd.DataFrame,
    surge_table: pd.DataFrame,
    *,
    pre_weeks: int,
    selection_weeks: int,
    post_weeks: int,
    exposed: dict | None,
    outcome: str = "harms",
) -> Estimate:
    """Stacked event study of weekly counts around Scorpion's surge weeks.

    Parameters
    ----------
    panel : DataFrame
        ``neighbourhood, week, crimes`` (:func:`.tables.weekly_panel`).
    surge_table : DataFrame
        ``surge_week, neighbourhood`` (:func:`.tables.surges`).
    pre_weeks, selection_weeks, post_weeks : int
        Weeks before the surge in the comparison; the most recent of them left out (the
        weeks in which the targets may have been chosen for a spike); weeks from the surge
        week on over which the effect is averaged.
    exposed : dict or None
        Surge week -> neighbourhoods that are no clean controls (the buffer ring's); None
        uses every untargeted neighbourhood.
    """
    events = surge_table.rename(columns={"surge_week": "week"})[["neighbourhood", "week"]]
    return stacked_event_study(
        panel.rename(columns={"crimes": outcome}),
        unit="neighbourhood",
        time="week",
        outcome=outcome,
        events=events,
        leads=pre_weeks,
        lags=post_weeks - 1,
        exclude_before=selection_weeks,
        exclude_controls=exposed,
    )


def before_after(
    panel: pd.DataFrame, surge_table: pd.DataFrame, *, selection_weeks: int, post_weeks: int
) -> Estimate:
    """Naive: targeted neighbourhoods' weekly mean after each surge minus just before it.

    No comparison: whatever else changed (season, a spike that passes) is read as the
    surge's effect. A t interval over the targeted neighbourhood-rounds.
    """
    changes = []
    for _, row in surge_table.iterrows():
        series = panel[panel["neighbourhood"] == row["neighbourhood"]].set_index("week")["crimes"]
        offset = (series.index - row["surge_week"]).days // 7
        after = series[(offset >= 0) & (offset < post_weeks)].mean()
        before = series[(offset >= -selection_weeks) & (offset < 0)].mean()
        changes.append(after - before)
    values = np.asarray(changes, dtype=float)
    n = len(values)
    mean = float(values.mean())
    se = float(values.std(ddof=1) / np.sqrt(n))
    crit = float(stats.t.ppf(0.975, n - 1))
    p_value = float(2 * stats.t.sf(abs(mean / se), n - 1)) if se > 0 else float("nan")
    return Estimate(
        effect=mean,
        ci_low=mean - crit * se,
        ci_high=mean + crit * se,
        p_value=p_value,
        n=n,
        scale="difference",
        method="before/after of targeted neighbourhoods (no comparison)",
        estimand=(
            f"mean weekly harms in the {post_weeks} weeks from the surge minus the "
            f"{selection_weeks} weeks before it, targeted neighbourhoods"
        ),
        se=se,
        assumptions=("Nothing but the surge changed harms between the two periods.",),
        diagnostics={"n_neighbourhood_rounds": n},
    )


def viper_its(
    panel: pd.DataFrame,
    *,
    force_name: str,
    start: pd.Timestamp,
    harmonics: int,
    outcome: str = "crimes",
) -> Estimate:
    """Comparative interrupted time series: Dorset's step at Viper's start against other forces.

    ``outcome`` names what ``crimes`` counts, for the estimate's wording.
    """
    return comparative_its(
        panel.rename(columns={"crimes": outcome}),
        outcome=outcome,
        time="month",
        series="force",
        treated_series=force_name,
        intervention=start,
        harmonics=harmonics,
    )


def viper_synthetic_control(
    panel: pd.DataFrame, *, force_name: str, start: pd.Timestamp, outcome: str = "crimes"
) -> Estimate:
    """Synthetic control of Dorset's log monthly counts (each force's pre-Viper mean removed).

    The gap on the log scale is turned into a rate ratio, ``exp(gap)``, with the conformal
    interval's ends transformed the same way.
    """
    frame = panel.assign(log_crimes=np.log(panel["crimes"].clip(lower=0.5)))
    pre_mean = frame[frame["month"] < start].groupby("force")["log_crimes"].mean()
    frame["log_crimes"] -= frame["force"].map(pre_mean)
    fit = synthetic_control(
        frame,
        unit="force",
        time="month",
        outcome="log_crimes",
        treated_unit=force_name,
        treatment_time=start,
        in_space_placebos=True,
        period_intervals=False,
    )
    return fit.with_updates(
        effect=float(np.exp(fit.effect)),
        ci_low=float(np.exp(fit.ci_low)),
        ci_high=float(np.exp(fit.ci_high)),
        scale="rate ratio",
        se=None,
        estimand=(
            f"{force_name}'s monthly {outcome} from Viper's start over its synthetic "
            "control's (geometric mean over the months)"
        ),
        outcome=outcome,
    )


def in_time_placebo(
    panel: pd.DataFrame,
    *,
    force_name: str,
    start: pd.Timestamp,
    harmonics: int,
    months_earlier: int,
    outcome: str = "crimes",
) -> Estimate:
    """The comparative time series with a fake start ``months_earlier``, on pre-Viper months."""
    fake = start - pd.DateOffset(months=months_earlier)
    before = panel[panel["month"] < start]
    return viper_its(
        before, force_name=force_name, start=fake, harmonics=harmonics, outcome=outcome
    )


def displacement(counts: pd.DataFrame, *, dispersion: float) -> Estimate:
    """Weighted displacement quotient pooled over the rounds (the ``all rounds`` row)."""
    pooled = counts.loc["all rounds"]
    return weighted_displacement_quotient(
        pooled["target_before"],
        pooled["target_after"],
        pooled["buffer_before"],
        pooled["buffer_after"],
        pooled["control_before"],
        pooled["control_after"],
        dispersion=dispersion,
    )
