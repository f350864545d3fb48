"""The discontinuity's sorting check on suspects against rddensity (Cattaneo, Jansson and Ma).

rddensity is the reference implementation of the local-polynomial density test
(test-only dependency). The toolkit's check is McCrary's (2008) binned test with a local
quadratic fit (``analysis.methods.rdd._density_test``), a different estimator of the same
thing, so the two are compared on their verdict at 5%, not their
p-values: on public data with no sorting (US Senate elections, shipped with rdrobust),
on the same data with sorting planted, and on the synthetic suspects the programme uses
(one row per suspect, which is where the test belongs).
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.methods import rdd
from analysis.programmes.op_focus.designs import suspect_density_and_arrest_jump

rddensity = pytest.importorskip("rddensity").rddensity
ALPHA = 0.05


def reference_p_value(running: np.ndarray, cutoff: float) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rddensity warns about its plotting defaults
        return float(rddensity(X=np.asarray(running, dtype=float), c=cutoff).test["p_jk"])


def toolkit_p_value(running: np.ndarray, cutoff: float) -> float:
    frame = pd.DataFrame({"x": running, "y": np.zeros(len(running))})
    frame["y"] = (frame["x"] >= cutoff).astype(float) + np.linspace(0, 1, len(frame))
    return rdd(frame, outcome="y", running="x", cutoff=cutoff).diagnostics["density_p_value"]


@pytest.fixture(scope="module")
def senate_margin() -> np.ndarray:
    import rdrobust

    path = Path(rdrobust.__file__).parent / "data" / "rdrobust_RDsenate.csv"
    return pd.read_csv(path).dropna(subset=["margin", "vote"])["margin"].to_numpy(float)


def test_no_sorting_on_public_data_both_agree(senate_margin):
    ours, reference = toolkit_p_value(senate_margin, 0.0), reference_p_value(senate_margin, 0.0)
    assert ours >= ALPHA and reference >= ALPHA, (ours, reference)


def test_planted_sorting_on_public_data_both_reject(senate_margin):
    rng = np.random.default_rng(7)
    moved = senate_margin.copy()
    # Three in five races lost by under 10 points pushed just over the line.
    lost_narrowly = (moved < 0) & (moved > -10) & (rng.random(moved.size) < 0.6)
    moved[lost_narrowly] = -0.5 * moved[lost_narrowly]
    ours, reference = toolkit_p_value(moved, 0.0), reference_p_value(moved, 0.0)
    assert ours < ALPHA and reference < ALPHA, (ours, reference)


def test_suspect_level_check_agrees_with_rddensity_on_suspects(world, evaluation):
    suspects = world.tables["suspects"].drop_duplicates("suspect_id")
    check = suspect_density_and_arrest_jump(suspects, evaluation.arrests, threshold=240.0)
    assert check.diagnostics["n_suspects"] == len(suspects)
    ours = check.diagnostics["density_p_value"]
    reference = reference_p_value(suspects["harm_score"].to_numpy(float), 240.0)
    assert (ours >= ALPHA) == (reference >= ALPHA), (ours, reference)
