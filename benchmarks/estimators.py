"""Estimator cases: this package's estimators against the established implementations.

Each pair fits the same model to the same data: ``did`` against linearmodels'
PanelOLS (two-way effects, clustered by unit), ``cox`` against lifelines'
CoxPHFitter (Efron ties, weekly durations so ties are many), ``match``/``ipw``
against the same pipeline written with scikit-learn (logistic propensity score, then a
nearest-neighbour search on its logit, or odds weights), and
``its`` against a plain statsmodels GLM.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

PERIODS = 50
TREATED_FOR_MATCHING = 10_000


def _panel(rows: int, balanced: bool, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    units = max(rows // PERIODS, 2)
    unit = np.repeat(np.arange(units), PERIODS)
    time = np.tile(np.arange(PERIODS), units)
    treated_unit = rng.random(units) < 0.4
    start = rng.integers(10, 40, units)
    treatment = (treated_unit[unit] & (time >= start[unit])).astype(float)
    alpha = rng.normal(0, 1, units)[unit]
    gamma = np.sin(np.arange(PERIODS) / 5)[time]
    y = 1.0 + alpha + gamma + 0.3 * treatment + rng.normal(0, 1, unit.size)
    frame = pd.DataFrame({"unit": unit, "time": time, "treated": treatment, "y": y})
    if not balanced:
        frame = frame.loc[rng.random(len(frame)) > 0.2].reset_index(drop=True)
    return frame


def _survival(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.integers(0, 2, rows).astype(float)
    x2 = rng.normal(0, 1, rows)
    hazard = 0.02 * np.exp(-0.4 * x1 + 0.3 * x2)
    days = rng.exponential(1 / hazard)
    censor = rng.uniform(0, 365, rows)
    weeks = np.ceil(np.minimum(days, censor) / 7)  # weekly data: many tied times
    return pd.DataFrame({"weeks": weeks, "event": (days <= censor).astype(int), "x1": x1, "x2": x2})


def _matching(controls: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = controls + TREATED_FOR_MATCHING
    treated = np.zeros(n, dtype=int)
    treated[:TREATED_FOR_MATCHING] = 1
    age = rng.normal(35 + 3 * treated, 10)
    prior = rng.poisson(1 + treated)
    y = 0.5 * treated + 0.02 * age + 0.3 * prior + rng.normal(0, 1, n)
    return pd.DataFrame({"treated": treated, "age": age, "prior": prior, "y": y})


def _series(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    months = pd.date_range("1900-01-01", periods=rows, freq="MS") if rows <= 2000 else None
    t = np.arange(rows)
    post = (t >= rows // 2).astype(float)
    mu = np.exp(3 + 0.2 * np.sin(2 * np.pi * t / 12) - 0.2 * post)
    frame = pd.DataFrame({"t": t, "post": post, "y": rng.poisson(mu)})
    frame["sin1"] = np.sin(2 * np.pi * t / 12)
    frame["cos1"] = np.cos(2 * np.pi * t / 12)
    if months is not None:
        frame["month"] = months
    return frame


def prepare(case: str, size: int) -> dict[str, Any]:
    """Build the data for one case (outside the timed region)."""
    family = case.split(":")[0]
    if family in ("did", "panelols"):
        return {"data": _panel(size, balanced=not case.endswith("unbalanced"))}
    if family in ("cox", "lifelines"):
        return {"data": _survival(size)}
    if family in ("match", "ipw", "sklearn_match", "sklearn_ipw"):
        return {"data": _matching(size)}
    if family in ("its", "glm"):
        return {"data": _series(size)}
    raise KeyError(case)


#: Libraries each case imports: loaded before the clock starts, so times are fits only.
_LIBRARIES = {
    "did": "analysis.methods",
    "cox": "analysis.methods",
    "match": "analysis.methods",
    "ipw": "analysis.methods",
    "its": "analysis.methods",
    "panelols": "linearmodels.panel",
    "lifelines": "lifelines",
    "sklearn_match": "sklearn.neighbors",
    "sklearn_ipw": "sklearn.linear_model",
    "glm": "statsmodels.api",
}


def warm(case: str) -> None:
    """Import the case's library (outside the timed region)."""
    import importlib

    importlib.import_module(_LIBRARIES[case.split(":")[0]])


def _did(p: dict) -> dict:
    from analysis.methods import did

    res = did(p["data"], outcome="y", treatment="treated", unit="unit", time="time")
    return {"coef": res.effect, "se": res.se}


def _panelols(p: dict) -> dict:
    from linearmodels.panel import PanelOLS

    data = p["data"].set_index(["unit", "time"])
    model = PanelOLS(data["y"], data[["treated"]], entity_effects=True, time_effects=True)
    res = model.fit(cov_type="clustered", cluster_entity=True)
    return {"coef": float(res.params["treated"]), "se": float(res.std_errors["treated"])}


def _cox(p: dict) -> dict:
    from analysis.methods import cox

    res = cox(p["data"], duration="weeks", event="event", covariates=["x1", "x2"])
    return {"coef": float(res.table["coef"].iloc[0])}


def _lifelines(p: dict) -> dict:
    from lifelines import CoxPHFitter

    fitter = CoxPHFitter().fit(p["data"], duration_col="weeks", event_col="event")
    return {"coef": float(fitter.params_["x1"])}


def _match(p: dict) -> dict:
    from analysis.methods import match

    res = match(p["data"], outcome="y", treatment="treated", covariates=["age", "prior"])
    return {"effect": res.effect}


def _ipw(p: dict) -> dict:
    from analysis.methods import ipw

    res = ipw(p["data"], outcome="y", treatment="treated", covariates=["age", "prior"])
    return {"effect": res.effect}


def _sklearn_score(data: pd.DataFrame) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    X = data[["age", "prior"]].to_numpy()
    model = LogisticRegression(penalty=None, max_iter=200).fit(X, data["treated"])
    return model.decision_function(X)  # the logit of the score


def _sklearn_match(p: dict) -> dict:
    """What an analyst writes with scikit-learn: logistic score, 1-NN on its logit, ATT."""
    from sklearn.neighbors import NearestNeighbors

    data = p["data"]
    logit = _sklearn_score(data).reshape(-1, 1)
    treated = data["treated"].to_numpy() == 1
    nn = NearestNeighbors(n_neighbors=1).fit(logit[~treated])
    _, idx = nn.kneighbors(logit[treated])
    y = data["y"].to_numpy()
    return {"effect": float(np.mean(y[treated] - y[~treated][idx[:, 0]]))}


def _sklearn_ipw(p: dict) -> dict:
    """Logistic score with scikit-learn, ATT by odds weights on the controls (Hajek)."""
    data = p["data"]
    odds = np.exp(_sklearn_score(data))
    treated = data["treated"].to_numpy() == 1
    y = data["y"].to_numpy()
    w = odds[~treated]
    return {"effect": float(y[treated].mean() - np.sum(w * y[~treated]) / w.sum())}


def _its(p: dict) -> dict:
    from analysis.methods import its

    data = p["data"]
    if "month" not in data:
        return {"skipped": "ITS takes month-start dates; series longer than 2,000 months skipped"}
    res = its(
        data,
        outcome="y",
        time="month",
        intervention=data["month"].iloc[len(data) // 2],
        harmonics=1,
    )
    return {"effect": res.effect}


def _glm(p: dict) -> dict:
    import statsmodels.api as sm

    data = p["data"]
    X = sm.add_constant(data[["t", "post", "sin1", "cos1"]])
    res = sm.GLM(data["y"], X, family=sm.families.Poisson()).fit(scale="X2")
    return {"effect": float(np.exp(res.params["post"]))}


CASES = {
    "did": _did,
    "panelols": _panelols,
    "did:unbalanced": _did,
    "panelols:unbalanced": _panelols,
    "cox": _cox,
    "lifelines": _lifelines,
    "match": _match,
    "ipw": _ipw,
    "sklearn_match": _sklearn_match,
    "sklearn_ipw": _sklearn_ipw,
    "its": _its,
    "glm": _glm,
}

#: (ours, reference) pairs, and the sizes each is measured at.
PAIRS = [
    ("did", "panelols", (10_000, 100_000, 1_000_000)),
    ("did:unbalanced", "panelols:unbalanced", (10_000, 100_000, 1_000_000)),
    ("cox", "lifelines", (10_000, 100_000)),
    ("match", "sklearn_match", (10_000, 100_000, 1_000_000)),
    ("ipw", "sklearn_ipw", (10_000, 100_000, 1_000_000)),
    ("its", "glm", (120, 600, 1_200)),
]
