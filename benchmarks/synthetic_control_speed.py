"""Synthetic control with in-space placebos against pysyncon's Synth and its placebo test.

The panel is a three-factor model (units load differently on common random-walk factors)
with one covariate; the treated unit is the first. Predictors: the covariate and the
outcome in four pre-treatment periods (lagged-outcome predictors, as in Abadie et al.
2010), V chosen by Nelder-Mead from equal importance in both implementations.
``synthetic_control`` runs as an analyst calls it (in-space placebos, conformal interval,
in-time placebo); pysyncon fits the treated unit and then its ``PlaceboTest`` refits every
donor, on one process.

pysyncon's placebo test takes about half an hour at 43 units (45 s a fit) and ran past an
hour at 21 units on a loaded machine, so it is measured at 11 units only; at 21 and 43
units the reference is one pysyncon fit of the treated unit (``pysyncon_one_fit``),
against which ours, with every placebo, is compared: a lower bound on the real ratio.
Agreement: the search over V is not convex, so the treated unit's weights are compared at
pysyncon's V (ours refitted with it, after the clock), against pysyncon's answer and its
solver run to convergence, with the predictor loss each reaches there; and each
implementation's own V by the pre-period error it reaches. With 5 predictors and 42 donors
the predictors can be matched exactly, so at 43 units many weight vectors are optimal and
only the loss can agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

PERIODS = 60
TREATMENT = 40
LAGS = (5, 15, 25, 35)
#: Units at each size; pysyncon's full placebo test only at the sizes listed here.
SIZES = (11, 21, 43)
PLACEBO_SIZES = (11,)


def panel(units: int, seed: int = 0) -> pd.DataFrame:
    """Long panel ``unit, time, y, x`` from a three-factor model."""
    rng = np.random.default_rng(seed)
    factors = np.cumsum(rng.normal(size=(PERIODS, 3)), axis=0)
    loadings = rng.normal(1, 0.5, size=(units, 3))
    y = 50 + factors @ loadings.T + rng.normal(0, 1, (PERIODS, units))
    covariate = loadings[:, 0] + rng.normal(0, 0.2, units)
    return pd.DataFrame(
        {
            "unit": np.repeat([f"u{i:02d}" for i in range(units)], PERIODS),
            "time": np.tile(np.arange(PERIODS), units),
            "y": y.T.ravel(),
            "x": np.repeat(covariate, PERIODS),
        }
    )


def prepare(case: str, size: int) -> dict[str, Any]:
    """The panel (outside the timed region)."""
    return {"data": panel(size)}


def warm(case: str) -> None:
    """Import the case's library (outside the timed region)."""
    import importlib

    importlib.import_module("pysyncon" if case.startswith("pysyncon") else "analysis.methods")


def _ours(p: dict) -> dict:
    from analysis.methods.synthetic_control import synthetic_control

    fit = synthetic_control(
        p["data"],
        unit="unit",
        time="time",
        outcome="y",
        treated_unit="u00",
        treatment_time=TREATMENT,
        predictors=["x"] + [("y", [t]) for t in LAGS],
    )
    return {
        "weights": fit.details["weights"].to_dict(),
        "pre_mspe": fit.diagnostics["pre_rmspe"] ** 2,
    }


def _dataprep(data: pd.DataFrame):
    from pysyncon import Dataprep

    units = sorted(data["unit"].unique())
    return Dataprep(
        foo=data,
        predictors=["x"],
        predictors_op="mean",
        time_predictors_prior=range(0, TREATMENT),
        special_predictors=[("y", [t], "mean") for t in LAGS],
        dependent="y",
        unit_variable="unit",
        time_variable="time",
        treatment_identifier="u00",
        controls_identifier=[u for u in units if u != "u00"],
        time_optimize_ssr=range(0, TREATMENT),
    )


def _pysyncon_fit(p: dict):
    from pysyncon import Synth

    prep = _dataprep(p["data"])
    synth = Synth()
    synth.fit(prep, optim_method="Nelder-Mead", optim_initial="equal")
    return prep, synth


def _pysyncon_result(p: dict, prep, synth) -> dict:
    return {
        "weights": dict(zip(prep.controls_identifier, map(float, synth.W), strict=True)),
        "V": [float(v) for v in synth.V],
        "pre_mspe": float(synth.loss_V),
        "data": p["data"],
    }


def _pysyncon_one_fit(p: dict) -> dict:
    prep, synth = _pysyncon_fit(p)
    return _pysyncon_result(p, prep, synth)


def _pysyncon_placebo(p: dict) -> dict:
    from pysyncon import Synth
    from pysyncon.utils import PlaceboTest

    prep, synth = _pysyncon_fit(p)
    PlaceboTest().fit(
        prep,
        Synth(),
        scm_options={"optim_method": "Nelder-Mead", "optim_initial": "equal"},
        max_workers=1,
        verbose=False,
    )
    return _pysyncon_result(p, prep, synth)


def summarise(case: str, result: dict) -> dict:
    """The treated unit's weights and pre-period fit; for pysyncon, ours at its V too.

    The search over V is not convex: two implementations may stop at different V, so
    the weights are compared where they must agree, at the same V (pysyncon's), and the
    V each chose is compared by the pre-period error it achieves. pysyncon's own inner
    solver (SLSQP) stops at its default tolerance up to about 1e-3 from the optimum of
    this flat programme, so its weights at its V are also recomputed with that solver
    run to convergence, as in ``tests/methods/test_synthetic_control.py``.
    """
    if not case.startswith("pysyncon"):
        return result
    from pysyncon import Synth

    from analysis.methods.synthetic_control import synthetic_control

    data = result.pop("data")
    x_donors, x_treated = _dataprep(data).make_covariate_mats()
    scaled = pd.concat([x_donors, x_treated], axis=1)
    scaled = scaled.divide(scaled.std(axis=1), axis=0)
    converged, _ = Synth.w_optimize(
        V_mat=np.diag(result["V"]),
        X0=scaled.drop(columns="u00").to_numpy(),
        X1=scaled["u00"].to_numpy(),
        qp_options={"maxiter": 10_000, "ftol": 1e-15},
    )
    result["converged_weights"] = dict(zip(x_donors.columns, map(float, converged), strict=True))
    x0 = scaled.drop(columns="u00").to_numpy()
    x1 = scaled["u00"].to_numpy()
    importance = np.asarray(result["V"]) / np.sum(result["V"])

    def predictor_loss(weights: dict) -> float:
        gap = x1 - x0 @ np.array([weights[d] for d in x_donors.columns])
        return float(gap @ (importance * gap))

    at_their_v = synthetic_control(
        data,
        unit="unit",
        time="time",
        outcome="y",
        treated_unit="u00",
        treatment_time=TREATMENT,
        predictors=["x"] + [("y", [t]) for t in LAGS],
        v_weights=result["V"],
        in_space_placebos=False,
        period_intervals=False,
        placebo_time=False,
    )
    result["ours_at_their_v"] = at_their_v.details["weights"].to_dict()
    # Where the predictors can be matched exactly (fewer predictors than donors, inside
    # their hull) many weights reach the minimum, and only this loss can be compared.
    result["predictor_loss"] = {
        "ours": predictor_loss(result["ours_at_their_v"]),
        "pysyncon": predictor_loss(result["weights"]),
        "converged": predictor_loss(result["converged_weights"]),
    }
    return result


CASES = {
    "synthetic_control": _ours,
    "pysyncon_placebo": _pysyncon_placebo,
    "pysyncon_one_fit": _pysyncon_one_fit,
}


def _agreement(ours: dict, reference: dict) -> str:
    donors = sorted(reference["weights"])

    def gap(a: dict, b: dict) -> float:
        return float(max(abs(a[d] - b[d]) for d in donors))

    same_v = gap(reference["ours_at_their_v"], reference["weights"])
    converged = gap(reference["ours_at_their_v"], reference["converged_weights"])
    own_v = gap(ours["weights"], reference["weights"])
    loss = reference["predictor_loss"]
    return (
        f"weights at pysyncon's V: {same_v:.1e} (its SLSQP run to convergence: "
        f"{converged:.1e}); predictor loss there: ours {loss['ours']:.1e}, pysyncon "
        f"{loss['pysyncon']:.1e} ({loss['converged']:.1e} converged); pre-period MSE at "
        f"own V: ours {ours['pre_mspe']:.4g}, pysyncon {reference['pre_mspe']:.4g} "
        f"(weights {own_v:.2f} apart)"
    )


def run(quick: bool, repeat: int, log) -> list[dict]:
    """Bench rows at 11, 21 and 43 units (60 periods), each with the load it ran under.

    The machine may be shared: ``load`` is the one-minute load average before and after
    the size's runs, beside the numbers it qualifies.
    """
    import os

    from . import _runs

    out = []
    for size in SIZES[:1] if quick else SIZES:
        reference = "pysyncon_placebo" if size in PLACEBO_SIZES else "pysyncon_one_fit"
        before = os.getloadavg()[0]
        runs = _runs.compare(
            __name__, "synthetic_control", [reference], size, 1 if quick else repeat, log
        )
        load = f"{before:.1f}-{os.getloadavg()[0]:.1f}"
        for row in _runs.rows("synthetic control", runs, "synthetic_control", size, _agreement):
            out.append({**row, "load": load})
    return out
