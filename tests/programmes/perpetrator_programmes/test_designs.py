"""Perpetrator programmes' designs: the paired training change and the designs' samples.

The paired difference is checked against the t interval worked out independently
(scipy); the designs' samples against what the methods were asked for.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.errors import ConfigError, EstimationError
from analysis.methods.paired import paired_difference
from analysis.programmes.perpetrator_programmes import designs


def test_paired_difference_matches_the_t_interval():
    rng = np.random.default_rng(4)
    before = rng.normal(50, 10, 40)
    after = before + rng.normal(5, 4, 40)
    frame = pd.DataFrame({"pre": before, "post": after})
    frame.loc[3, "post"] = np.nan
    est = paired_difference(frame, before="pre", after="post")
    diff = (after - before)[np.arange(40) != 3]
    half = stats.t.ppf(0.975, diff.size - 1) * diff.std(ddof=1) / math.sqrt(diff.size)
    assert est.effect == pytest.approx(diff.mean())
    assert (est.ci_low, est.ci_high) == pytest.approx((diff.mean() - half, diff.mean() + half))
    assert est.n == 39 and est.diagnostics["n_incomplete"] == 1
    assert any("lack one" in w for w in est.warnings)


def test_paired_difference_errors():
    with pytest.raises(EstimationError, match="fewer than two"):
        paired_difference(pd.DataFrame({"x": [1.0], "y": [2.0]}), before="x", after="y")
    with pytest.raises(ConfigError, match="not in the data"):
        paired_difference(pd.DataFrame({"x": [1.0]}), before="x", after="z")
    with pytest.raises(EstimationError, match="same amount"):
        paired_difference(
            pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [2.0, 3.0, 4.0]}), before="x", after="y"
        )


def test_training_change_is_the_paired_difference_relabelled():
    scores = pd.DataFrame({"score_before": [50.0, 60.0, 55.0], "score_after": [58.0, 61.0, 65.0]})
    est = designs.training_change(scores)
    assert est.effect == pytest.approx(19 / 3)
    assert est.outcome == "knowledge score"
    assert est.estimand.startswith("mean change in practitioners' knowledge score")


def test_designs_share_the_matched_sample(evaluation):
    for name in evaluation.programmes:
        reoffending = evaluation.reoffending[name]
        matched = reoffending.matched.details["matched"]
        # 1:1 without replacement: as many comparison people as participants.
        assert (matched["treated"] == 1).sum() == (matched["treated"] == 0).sum()
        # The harm panel holds exactly the matched people, four quarters either side.
        panel = evaluation.panels[name]
        assert set(panel["person_id"]) == set(matched["person_id"])
        assert panel.groupby("person_id").size().eq(8).all()
        # Survival matches everyone with follow-up, recent starters included.
        survival = evaluation.survival[name].sample
        assert len(survival) >= len(matched)
        assert evaluation.survival[name].hazard_ratio.scale == "hazard ratio"
        labels = [label for label, _ in reoffending.as_rows()]
        assert labels[2] == "Propensity-matched"


def test_before_after_is_the_participants_paired_change():
    panel = pd.DataFrame(
        {
            "person_id": ["a"] * 4 + ["b"] * 4 + ["c"] * 4,
            "treated": [1] * 8 + [0] * 4,
            "post": [0, 0, 1, 1] * 3,
            "harm": [4.0, 6.0, 1.0, 1.0, 2.0, 2.0, 3.0, 5.0, 9.0, 9.0, 0.0, 0.0],
        }
    )
    est = designs.before_after(panel, outcome="harm", label="harm")
    # a: 5 -> 1 (-4); b: 2 -> 4 (+2); c is comparison and left out.
    assert est.effect == pytest.approx(-1.0)
    assert est.n == 2
    assert "participants only" in est.estimand
