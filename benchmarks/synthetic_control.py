"""Synthetic control cases: :func:`analysis.methods.synthetic_control` against pysyncon.

Both sides solve the same programme, the outcome-only synthetic control: donor weights on
the simplex minimising the squared pre-period gap. pysyncon divides each predictor (here
each pre-period outcome) by its standard deviation across the units in the fit, so its
``custom_V`` is set to those variances, which undoes the scaling; its nested search over V
is not used (with lagged outcomes as the only predictors there is nothing for it to weigh).

- ``prop99``: California's Proposition 99 (Abadie, Diamond and Hainmueller 2010; the public
  panel under ``tests/methods/data``), 38 donors and 31 years, with every in-space placebo.
- ``placebos``: a simulated panel of ``size`` units (one treated) over 60 periods (48
  before treatment), every in-space placebo: the size #17 asks for is 43 units.

Each case returns the treated unit's donor weights, the average post-period gap and the
placebo p-value (the share of units whose post/pre RMSPE ratio is at least the treated
unit's), so the harness can report how closely the two agree. pysyncon's placebo loop runs
in one worker process (``max_workers=1``), as ours runs in one process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PROP99_FILE = Path(__file__).resolve().parents[1] / "tests" / "methods" / "data"
PROP99_FILE = PROP99_FILE / "california_prop99.csv"
N_PRE, N_POST = 48, 12


def _simulated_panel(n_units: int, seed: int = 0) -> pd.DataFrame:
    """Two-factor panel; the treated unit is a convex mix of donors plus noise, effect -2."""
    rng = np.random.default_rng(seed)
    periods = N_PRE + N_POST
    factors = np.column_stack(
        [np.sin(np.arange(periods) / 6), np.linspace(-1, 1, periods) ** 2]
    ) + rng.normal(0, 0.1, (periods, 2))
    loadings = rng.normal(0, 1, (n_units - 1, 2))
    donors = 10 + factors @ loadings.T + rng.normal(0, 0.3, (periods, n_units - 1))
    mix = rng.dirichlet(np.ones(n_units - 1) * 0.3)
    treated = donors @ mix + rng.normal(0, 0.3, periods)
    treated[N_PRE:] -= 2.0
    wide = pd.DataFrame(donors, columns=[f"D{j:02d}" for j in range(n_units - 1)])
    wide["T"] = treated
    wide["period"] = np.arange(periods)
    return wide.melt(id_vars="period", var_name="area", value_name="y")


def prepare(case: str, size: int) -> dict[str, Any]:
    """Build the data for one case (outside the timed region)."""
    setting = case.split(":")[1]
    if setting == "prop99":
        return {
            "data": pd.read_csv(PROP99_FILE),
            "unit": "State",
            "time": "Year",
            "outcome": "PacksPerCapita",
            "treated": "California",
            "start": 1989,
        }
    if setting == "placebos":
        return {
            "data": _simulated_panel(size),
            "unit": "area",
            "time": "period",
            "outcome": "y",
            "treated": "T",
            "start": N_PRE,
        }
    raise KeyError(case)


def warm(case: str) -> None:
    """Import the case's library (outside the timed region)."""
    if case.startswith("pysyncon"):
        import pysyncon  # noqa: F401
    else:
        import analysis.methods.synthetic_control  # noqa: F401


def _ours(p: dict) -> dict:
    from analysis.methods.synthetic_control import synthetic_control

    est = synthetic_control(
        p["data"],
        unit=p["unit"],
        time=p["time"],
        outcome=p["outcome"],
        treated_unit=p["treated"],
        treatment_time=p["start"],
        placebo_time=False,
        period_intervals=False,
    )
    weights = est.details["weights"]
    return {
        "effect": est.effect,
        "p_value": est.diagnostics["placebo_p_value"],
        "weights": {str(k): float(v) for k, v in weights.items()},
        "placebos": len(est.details["placebos"]),
    }


def _pysyncon(p: dict) -> dict:
    from pysyncon import Dataprep, Synth
    from pysyncon.utils import PlaceboTest

    data, unit, time, outcome = p["data"], p["unit"], p["time"], p["outcome"]
    times = sorted(data[time].unique())
    pre = [t for t in times if t < p["start"]]
    donors = [u for u in data[unit].unique() if u != p["treated"]]
    prep = Dataprep(
        foo=data,
        predictors=[],
        predictors_op="mean",
        time_predictors_prior=pre,
        special_predictors=[(outcome, [t], "mean") for t in pre],
        dependent=outcome,
        unit_variable=unit,
        time_variable=time,
        treatment_identifier=p["treated"],
        controls_identifier=donors,
        time_optimize_ssr=pre,
    )
    wide = data.pivot(index=time, columns=unit, values=outcome).loc[pre]
    # V = each row's variance across the units of that fit undoes pysyncon's scaling: the
    # placebo fits use the donors only, the treated unit's fit every unit.
    v_donors = wide[donors].std(axis=1).to_numpy() ** 2
    v_all = wide.std(axis=1).to_numpy() ** 2
    placebo = PlaceboTest()
    placebo.fit(
        dataprep=prep, scm=Synth(), scm_options={"custom_V": v_donors}, max_workers=1, verbose=False
    )
    treated_fit = Synth()
    treated_fit.fit(dataprep=prep, custom_V=v_all)
    placebo.treated_path, placebo.treated_gap = PlaceboTest._single_placebo(
        dataprep=prep, scm=treated_fit, scm_options={"custom_V": v_all}
    )
    gaps = pd.concat([placebo.treated_gap, placebo.gaps], axis=1)
    post = gaps.index >= p["start"]
    # The ratio of post- to pre-period RMSPE, ranked as ours is (the treated unit among all).
    # pysyncon's own pvalue() counts the treatment period in both windows.
    ratio = np.sqrt((gaps[post] ** 2).mean() / (gaps[~post] ** 2).mean())
    treated_ratio = ratio[p["treated"]]
    return {
        "effect": float(placebo.treated_gap[post].mean()),
        "p_value": float((ratio >= treated_ratio).mean()),
        "weights": dict(zip(map(str, donors), map(float, treated_fit.W), strict=True)),
        "placebos": len(ratio),
    }


CASES = {
    "synthetic_control:prop99": _ours,
    "pysyncon:prop99": _pysyncon,
    "synthetic_control:placebos": _ours,
    "pysyncon:placebos": _pysyncon,
}

#: (ours, reference) pairs, and the sizes (units) each is measured at.
PAIRS = [
    ("synthetic_control:prop99", "pysyncon:prop99", (39,)),
    ("synthetic_control:placebos", "pysyncon:placebos", (43,)),
]
#: --quick: the simulated case alone at a tiny size (pysyncon takes minutes on Prop 99).
QUICK_PAIRS = [("synthetic_control:placebos", "pysyncon:placebos", (6,))]


def weights_difference(ours: dict, reference: dict) -> float:
    """Largest absolute difference between two sets of donor weights."""
    names = set(ours) | set(reference)
    return max(abs(ours.get(n, 0.0) - reference.get(n, 0.0)) for n in names)
