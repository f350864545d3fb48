"""Estimators, one family per module, each returning :class:`analysis.results.Estimate`.

- ``did``: two-way fixed-effects difference-in-differences (absorbed effects, clustered,
  robust or wild-cluster-bootstrap inference).
- ``event_study``: dynamic effects around treatment with a joint pre-trend test.
- ``staggered``: group-time effects robust to staggered adoption (``staggered_did``).
- ``its``: interrupted time series (segmented GLM with seasonality).
- ``comparative_its``: a treated series against comparison series (shared seasonality and
  step, treated-by-post rate ratio).
- ``synthetic_control``: one treated area against a weighted donor pool (Abadie et al.),
  optionally ridge-augmented, with conformal and placebo inference.
- ``stacked_event_study``: repeated events (surge weeks), one sub-experiment per event
  date with its own clean controls, stacked (Cengiz et al. 2019).
- ``synthetic_did``: synthetic difference-in-differences (Arkhangelsky et al. 2021) for
  block or staggered adoption, with placebo or jackknife standard errors.
- ``control_limits``: statistical process control (c-, u- and p-chart limits, signals).
- ``displacement``: displacement or diffusion of benefits around a target area (the
  weighted displacement quotient of Bowers and Johnson 2003, total net effect).
- ``funnel``: comparing areas fairly: funnel plot control limits (exact, or as public
  health indicator tools draw them, with overdispersion adjustment) and empirical-Bayes
  shrinkage of small-area rates.
- ``propensity``: propensity scores, inverse probability weighting, matching, balance.
- ``survival``: Kaplan-Meier, log-rank and Cox regression.
- ``competing_risks``: cumulative incidence with competing ends (Aalen-Johansen) and
  cause-specific Cox regression.
- ``rdd``: local polynomial regression discontinuity, sharp and fuzzy (``fuzzy_rdd``).
- ``rates``: proportions, differences and ratios of proportions and rates.
- ``paired``: mean change of one group measured twice (before/after).
- ``meta_analysis``: DerSimonian-Laird random-effects pooling of published effects.
- ``power``: minimum detectable effects, by formula or from an achieved standard error.
- ``bounds``: worst/best case and Lee (2009) bounds when outcomes go missing.
- ``sensitivity``: sensitivity to unmeasured confounding (E-values; Rosenbaum bounds for
  matched pairs).

The functions are imported here eagerly: several share their module's name
(``did``, ``its``, ``rdd``, ``event_study``), and binding the function once, at
package import, keeps ``analysis.methods.did`` the function however the
modules are imported later.
"""

from .bounds import lee_bounds, worst_best_bounds
from .comparative_its import comparative_its
from .competing_risks import cause_specific_cox, cumulative_incidence
from .control_limits import control_limits
from .did import did
from .displacement import total_net_effect, weighted_displacement_quotient
from .event_study import event_study
from .funnel import funnel_limit_curve, funnel_limits, shrink_rates
from .its import its
from .meta_analysis import random_effects_meta, se_from_interval, se_from_p_value
from .paired import paired_difference
from .power import mde, mde_from_standard_error, minimum_detectable_effect
from .propensity import balance, ipw, match, propensity_score
from .rates import compare_proportions, proportion, rate_ratio
from .rdd import fuzzy_rdd, rdd
from .sensitivity import (
    e_value,
    e_value_risk_difference,
    rosenbaum_binary,
    rosenbaum_binary_counts,
    rosenbaum_wilcoxon,
)
from .stacked_event_study import stacked_event_study
from .staggered import staggered_did
from .survival import cox, kaplan_meier
from .synthetic_control import synthetic_control
from .synthetic_did import synthetic_did

__all__ = [
    "balance",
    "comparative_its",
    "cause_specific_cox",
    "compare_proportions",
    "control_limits",
    "cox",
    "cumulative_incidence",
    "did",
    "e_value",
    "e_value_risk_difference",
    "event_study",
    "funnel_limit_curve",
    "funnel_limits",
    "fuzzy_rdd",
    "ipw",
    "its",
    "kaplan_meier",
    "lee_bounds",
    "match",
    "mde",
    "mde_from_standard_error",
    "minimum_detectable_effect",
    "random_effects_meta",
    "se_from_interval",
    "se_from_p_value",
    "paired_difference",
    "propensity_score",
    "proportion",
    "rate_ratio",
    "rdd",
    "rosenbaum_binary",
    "rosenbaum_binary_counts",
    "rosenbaum_wilcoxon",
    "shrink_rates",
    "stacked_event_study",
    "staggered_did",
    "synthetic_control",
    "synthetic_did",
    "total_net_effect",
    "weighted_displacement_quotient",
    "worst_best_bounds",
]
