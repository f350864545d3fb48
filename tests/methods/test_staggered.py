"""Tests for analysis.methods.staggered (Callaway and Sant'Anna group-time effects)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.errors import ConfigError, EstimationError
from analysis.methods._inference import wald_test
from analysis.methods.did import did
from analysis.methods.staggered import _uniform_critical_value, staggered_did
from tests.methods.coverage_study import (
    StaggeredDesign,
    coverage,
    record,
    simulate_staggered_panel,
)

# ----------------------------------------------------------------- published R `did` output
# ATT(g,t) of R's did package on mpdta (att_gt(yname="lemp", tname="year",
# idname="countyreal", gname="first.treat", xformla=~1), never-treated comparison), as
# printed in the package README and vignette; and its pre-test p-value 0.16812.
MPDTA_ATT_GT = {
    (2004, 2004): -0.0105,
    (2004, 2005): -0.0704,
    (2004, 2006): -0.1373,
    (2004, 2007): -0.1008,
    (2006, 2004): 0.0065,
    (2006, 2005): -0.0028,
    (2006, 2006): -0.0046,
    (2006, 2007): -0.0412,
    (2007, 2004): 0.0305,
    (2007, 2005): -0.0027,
    (2007, 2006): -0.0311,
    (2007, 2007): -0.0261,
}
# aggte(type="dynamic") event-time effects and aggte(type="simple") overall ATT.
MPDTA_DYNAMIC = {
    -3: 0.0305,
    -2: -0.0006,
    -1: -0.0245,
    0: -0.0199,
    1: -0.0510,
    2: -0.1373,
    3: -0.1008,
}
MPDTA_SIMPLE = -0.0400


def _load_mpdta() -> pd.DataFrame:
    """mpdta as published with R's did package (see tests/methods/data/README.md)."""
    mpdta = pd.read_csv(Path(__file__).parent / "data" / "mpdta.csv")
    assert mpdta.shape == (2500, 6)
    return mpdta


def test_matches_published_r_did_results_on_mpdta():
    mpdta = _load_mpdta()
    mpdta["first_treat"] = mpdta["first.treat"].replace(0, np.nan)
    est = staggered_did(
        mpdta, outcome="lemp", unit="countyreal", time="year", first_treated="first_treat"
    )
    table = est.table.set_index(["group", "time"])["att"]
    for cell, published in MPDTA_ATT_GT.items():
        assert table[cell] == pytest.approx(published, abs=5e-5)
    dynamic = est.details["dynamic"].set_index("rel_time")["coef"]
    for e, published in MPDTA_DYNAMIC.items():
        assert dynamic[e] == pytest.approx(published, abs=5e-5)
    assert est.effect == pytest.approx(MPDTA_SIMPLE, abs=5e-5)
    assert est.diagnostics["pretrend_p_value_cells"] == pytest.approx(0.16812, abs=5e-6)
    assert 0.010 < est.se < 0.014  # R's bootstrap standard error is about 0.012


# ----------------------------------------------------------------- independent computations
def test_single_cohort_equals_hand_computed_two_by_two():
    data = simulate_staggered_panel(
        5, StaggeredDesign(n_periods=6, cohorts=((3.0, 30, 2.0, 0.5),), n_never=45)
    )
    est = staggered_did(data, outcome="y", unit="unit", time="period", first_treated="first")
    wide = data.pivot(index="unit", columns="period", values="y")
    treated = data.groupby("unit")["first"].first().notna()
    for t in range(6):
        base = 2 if t >= 3 else t - 1
        if base < 0:
            continue
        change = wide[t] - wide[base]
        by_hand = change[treated].mean() - change[~treated].mean()
        se_by_hand = np.sqrt(
            change[treated].var(ddof=0) / treated.sum()
            + change[~treated].var(ddof=0) / (~treated).sum()
        )
        row = est.table.set_index("time").loc[t]
        assert row["att"] == pytest.approx(by_hand, rel=1e-10)
        assert row["se"] == pytest.approx(se_by_hand, rel=1e-10)
    post = est.table[est.table["post"]]
    assert est.effect == pytest.approx(post["att"].mean(), rel=1e-10)


def test_homogeneous_effects_agree_with_twfe():
    design = StaggeredDesign(
        cohorts=((2.0, 60, 1.5, 0.0), (4.0, 60, 1.5, 0.0), (6.0, 60, 1.5, 0.0)), n_never=60
    )
    data = simulate_staggered_panel(6, design)
    cs = staggered_did(data, outcome="y", unit="unit", time="period", first_treated="first")
    twfe = did(data, outcome="y", treatment="treated", unit="unit", time="period")
    assert cs.effect == pytest.approx(1.5, abs=3 * cs.se)
    assert twfe.effect == pytest.approx(cs.effect, abs=0.1)


def test_twfe_is_biased_under_heterogeneous_staggered_effects_but_cs_is_not():
    design = StaggeredDesign()
    truth = design.simple_att()
    cs_estimates, twfe_estimates = [], []
    for seed in range(20):
        data = simulate_staggered_panel(seed, design)
        cs_estimates.append(
            staggered_did(
                data, outcome="y", unit="unit", time="period", first_treated="first", n_boot=0
            ).effect
        )
        twfe_estimates.append(
            did(data, outcome="y", treatment="treated", unit="unit", time="period").effect
        )
    cs_bias = np.mean(cs_estimates) - truth
    twfe_bias = np.mean(twfe_estimates) - truth
    cs_sd = np.std(cs_estimates, ddof=1) / np.sqrt(20)
    assert abs(cs_bias) < 3 * cs_sd + 0.02
    assert twfe_bias < -0.4  # two-way fixed effects understates the growing effects badly


def _simple_att(seed: int, control: str = "never") -> tuple[float, float, float]:
    est = staggered_did(
        simulate_staggered_panel(seed),
        outcome="y",
        unit="unit",
        time="period",
        first_treated="first",
        control=control,
        n_boot=0,
    )
    return est.effect, est.ci_low, est.ci_high


@pytest.mark.parametrize("control", ["never", "not_yet"])
def test_interval_coverage_with_serial_correlation(control):
    result = coverage(
        lambda s: _simple_att(s, control), truth=StaggeredDesign().simple_att(), seeds=range(120)
    )
    assert abs(result["bias"]) < 0.05
    assert 0.88 <= result["coverage"] <= 0.99


def test_dynamic_effects_bands_and_pretrend():
    design = StaggeredDesign()
    est = staggered_did(
        simulate_staggered_panel(3, design),
        outcome="y",
        unit="unit",
        time="period",
        first_treated="first",
        n_boot=499,
        seed=1,
    )
    dynamic = est.details["dynamic"]
    assert {"rel_time", "coef", "se", "ci_low", "ci_high"} <= set(dynamic.columns)
    # True event-time effect: cohort-size-weighted average of the cohorts exposed that long.
    for _, row in dynamic.iterrows():
        e = row["rel_time"]
        cells = [
            (units, level + slope * e)
            for first, units, level, slope in design.cohorts
            if 0 <= e < design.n_periods - first
        ]
        truth = sum(u * v for u, v in cells) / sum(u for u, _ in cells) if e >= 0 else 0.0
        assert row["coef"] == pytest.approx(truth, abs=4 * row["se"] + 1e-9)
    assert (
        dynamic["band_high"] - dynamic["band_low"] > dynamic["ci_high"] - dynamic["ci_low"]
    ).all()
    assert est.diagnostics["pretrend_p_value"] > 0.001
    assert 0 < est.diagnostics["uniform_critical_value"] < 4
    json.dumps(est.to_dict(), allow_nan=False)


def test_month_dates_and_not_yet_control_without_never_treated():
    design = StaggeredDesign(n_never=0)
    data = simulate_staggered_panel(8, design)
    months = pd.date_range("2024-01-01", periods=design.n_periods, freq="MS")
    dated = data.assign(
        period=months[data["period"]],
        first=data["first"].map(lambda f: months[int(f)] if np.isfinite(f) else pd.NaT),
    )
    with pytest.raises(EstimationError, match="control='not_yet'"):
        staggered_did(dated, outcome="y", unit="unit", time="period", first_treated="first")
    est = staggered_did(
        dated, outcome="y", unit="unit", time="period", first_treated="first", control="not_yet"
    )
    assert est.table["group"].iloc[0] == "2024-03-01"
    assert any("no comparison units" in w for w in est.warnings)  # last cohort's late cells
    json.dumps(est.to_dict(), allow_nan=False)


# ----------------------------------------------------------------- against the definition
def _reference_staggered(
    data: pd.DataFrame,
    *,
    control: str = "never",
    anticipation: int = 0,
    n_boot: int = 0,
    seed: int = 0,
) -> dict:
    """Callaway and Sant'Anna written out cell by cell from their definition.

    Every unit's influence function on every ATT(g,t) is built in full (units x cells),
    and the aggregations add R did's ``wif()`` for the estimated cohort shares as R
    writes it (units x cells). ``staggered_did`` holds the same quantities as class
    means and scatter matrices; this is what it must equal. Integer periods, the
    columns ``unit, period, first, y``; the same dropping rules as the estimator.
    """
    wide = data.pivot(index="unit", columns="period", values="y")
    first = data.groupby("unit")["first"].first().reindex(wide.index).to_numpy()
    complete = wide.notna().all(axis=1).to_numpy()
    periods = wide.columns.to_numpy()
    y, first = wide.to_numpy()[complete], first[complete]
    first = np.where(first > periods[-1], np.nan, first)  # treated after the window
    keep = ~(first <= periods[0])  # already treated: dropped
    y, first = y[keep], first[keep]
    group = np.array([np.inf if np.isnan(f) else float(np.searchsorted(periods, f)) for f in first])
    n, n_periods = y.shape
    cohorts = np.unique(group[np.isfinite(group)])
    att, psi, cells = [], [], []
    for g in cohorts:
        treated = group == g
        for t in range(1, n_periods):
            base = int(g) - 1 - anticipation if t >= g else t - 1
            if base < 0:
                continue
            if control == "never":
                comparison = np.isinf(group)
            else:
                comparison = (group > max(t, base) + anticipation) & ~treated
            if not comparison.any():
                continue
            change = y[:, t] - y[:, base]
            mean_t, mean_c = change[treated].mean(), change[comparison].mean()
            att.append(mean_t - mean_c)
            psi.append(
                n * treated * (change - mean_t) / treated.sum()
                - n * comparison * (change - mean_c) / comparison.sum()
            )
            cells.append((g, t))
    att, psi = np.array(att), np.column_stack(psi)
    cell_group = np.array([g for g, _ in cells])
    event_time = np.array([periods[t] - periods[int(g)] for g, t in cells])
    post = event_time >= 0
    share = np.array([(group == g).mean() for g in cell_group])

    def weighted(keepers: np.ndarray) -> tuple[float, np.ndarray]:
        pg = share[keepers]
        member = (group[:, None] == cell_group[keepers][None, :]).astype(float)
        wif = (member - pg) / pg.sum() - np.outer((member - pg).sum(axis=1), pg / pg.sum() ** 2)
        influence = psi[:, keepers] @ (pg / pg.sum()) + wif @ att[keepers]
        return float(pg @ att[keepers] / pg.sum()), influence

    def se_of(influence: np.ndarray) -> float:
        return float(np.sqrt((influence**2).sum()) / n)

    effect, effect_if = weighted(post)
    event_times = np.unique(event_time)
    dynamic = [weighted(event_time == e) for e in event_times]
    dyn_coef = np.array([c for c, _ in dynamic])
    dyn_if = np.column_stack([i for _, i in dynamic])
    dyn_vcov = dyn_if.T @ dyn_if / n**2
    dyn_se = np.sqrt(np.diag(dyn_vcov))
    by_group = [
        (att[(cell_group == g) & post].mean(), se_of(psi[:, (cell_group == g) & post].mean(axis=1)))
        for g in cohorts
        if ((cell_group == g) & post).any()
    ]
    critical = None
    if n_boot:
        # The multiplier bootstrap of the sup-t statistic with rng.choice's draws.
        rng = np.random.default_rng(seed)
        draws = rng.choice(np.array([-1.0, 1.0]), size=(n_boot, n))
        maxima = np.abs(draws @ dyn_if / n / dyn_se).max(axis=1)
        critical = float(np.quantile(maxima, 0.95))
    pre_events = event_times < 0
    return {
        "att": att,
        "se": np.sqrt((psi**2).sum(axis=0)) / n,
        "effect": effect,
        "effect_se": se_of(effect_if),
        "dynamic": dyn_coef,
        "dynamic_se": dyn_se,
        "dynamic_vcov": dyn_vcov,
        "group": np.array(by_group),
        "pre_cells_cov": psi[:, ~post].T @ psi[:, ~post] / n**2,
        "pre_cells_att": att[~post],
        "dynamic_average_se": se_of(dyn_if[:, ~pre_events].mean(axis=1)),
        "critical": critical,
    }


def _reference_panels():
    """Panels covering each rule: comparisons, anticipation, dropped and late units."""
    unbalanced = simulate_staggered_panel(21).drop(index=[0, 1, 50, 333])
    unbalanced.loc[unbalanced["unit"] < 3, "first"] = 0.0  # already treated: dropped
    unbalanced.loc[unbalanced["unit"].between(100, 102), "first"] = 50.0  # after the window
    many = StaggeredDesign(
        n_periods=14,
        cohorts=tuple((float(f), 15, 0.3 * f, 0.1) for f in range(2, 13, 2)),
        n_never=10,
    )
    # Unit effects a thousand times the noise: the class moments must not lose digits.
    large_levels = simulate_staggered_panel(24)
    large_levels["y"] += 1e3 * large_levels["unit"].map(np.sin)
    return [
        ("never", simulate_staggered_panel(20), {}),
        ("not_yet", simulate_staggered_panel(20), {"control": "not_yet"}),
        ("anticipation", simulate_staggered_panel(22), {"anticipation": 1}),
        (
            "anticipation_not_yet",
            simulate_staggered_panel(22),
            {"anticipation": 2, "control": "not_yet"},
        ),
        ("unbalanced_early_late", unbalanced, {}),
        (
            "no_never_treated",
            simulate_staggered_panel(23, StaggeredDesign(n_never=0)),
            {"control": "not_yet"},
        ),
        ("six_cohorts_not_yet", simulate_staggered_panel(25, many), {"control": "not_yet"}),
        ("large_unit_levels", large_levels, {}),
    ]


@pytest.mark.parametrize(
    ("data", "options"),
    [pytest.param(data, options, id=name) for name, data, options in _reference_panels()],
)
def test_class_moments_equal_the_cell_by_cell_definition(data, options):
    """ATT(g,t), standard errors, aggregates, covariances and the band to 1e-10."""
    est = staggered_did(
        data,
        outcome="y",
        unit="unit",
        time="period",
        first_treated="first",
        n_boot=199,
        seed=4,
        **options,
    )
    ref = _reference_staggered(data, n_boot=199, seed=4, **options)
    tol = {"rel": 1e-10, "abs": 1e-12}
    assert est.table["att"].to_numpy() == pytest.approx(ref["att"], **tol)
    assert est.table["se"].to_numpy() == pytest.approx(ref["se"], **tol)
    assert est.effect == pytest.approx(ref["effect"], **tol)
    assert est.se == pytest.approx(ref["effect_se"], **tol)
    dynamic = est.details["dynamic"]
    assert dynamic["coef"].to_numpy() == pytest.approx(ref["dynamic"], **tol)
    assert dynamic["se"].to_numpy() == pytest.approx(ref["dynamic_se"], **tol)
    vcov = est.details["dynamic_vcov"].to_numpy()
    assert vcov.ravel() == pytest.approx(ref["dynamic_vcov"].ravel(), rel=1e-10, abs=1e-14)
    by_group = est.details["by_group"][["coef", "se"]].to_numpy()
    assert by_group.ravel() == pytest.approx(ref["group"].ravel(), **tol)
    assert est.diagnostics["dynamic_average_se"] == pytest.approx(ref["dynamic_average_se"], **tol)
    assert est.diagnostics["uniform_critical_value"] == pytest.approx(ref["critical"], **tol)
    wald, rank = wald_test(ref["pre_cells_att"], ref["pre_cells_cov"])
    assert stats.chi2.sf(wald, rank) == pytest.approx(
        est.diagnostics["pretrend_p_value_cells"], rel=1e-8
    )


def test_ids_periods_and_dates_of_any_kind_give_the_same_estimate():
    """Sparse or text unit ids, gaps between periods and month dates change nothing.

    Whole-number ids in a short range take a presence table, others a sort; the
    bootstrap draws follow the sorted units, so even the band is the same.
    """
    data = simulate_staggered_panel(26)
    options = {"outcome": "y", "time": "period", "first_treated": "first", "n_boot": 99}
    plain = staggered_did(data, unit="unit", **options)
    sparse = staggered_did(data.assign(unit=data["unit"] * 10**9), unit="unit", **options)
    text = staggered_did(
        data.assign(unit=data["unit"].map("u{:04d}".format)), unit="unit", **options
    )
    gaps = staggered_did(
        data.assign(period=2000 + 2 * data["period"], first=2000 + 2 * data["first"]),
        unit="unit",
        **options,
    )
    months = pd.date_range("2020-01-01", periods=8, freq="MS")
    dated = staggered_did(
        data.assign(
            period=months[data["period"]],
            first=data["first"].map(lambda f: months[int(f)] if np.isfinite(f) else pd.NaT),
        ),
        unit="unit",
        **options,
    )
    far = staggered_did(
        data.assign(period=data["period"] * 10**12, first=data["first"] * 10**12),
        unit="unit",
        **options,
    )
    shuffled = staggered_did(data.sample(frac=1, random_state=1), unit="unit", **options)
    for other in (sparse, text, gaps, far, dated, shuffled):
        assert other.table["att"].to_numpy() == pytest.approx(plain.table["att"], rel=1e-12)
        assert other.table["se"].to_numpy() == pytest.approx(plain.table["se"], rel=1e-12)
        assert other.effect == pytest.approx(plain.effect, rel=1e-12)
        assert other.diagnostics["uniform_critical_value"] == pytest.approx(
            plain.diagnostics["uniform_critical_value"], rel=1e-12
        )
    assert gaps.table["group"].iloc[0] == 2004 and dated.table["group"].iloc[0] == "2020-03-01"


def test_bootstrap_chunks_draw_one_stream():
    """However the draws are chunked, the band is that of one rng.choice draw of them all."""
    rng = np.random.default_rng(8)
    influence = rng.normal(size=(501, 7)) / 501
    se = np.sqrt((influence**2).sum(axis=0))
    draws = np.random.default_rng(3).choice(np.array([-1.0, 1.0]), size=(999, 501))
    maxima = np.abs(draws @ influence / se).max(axis=1)
    expected = float(np.quantile(maxima, 0.95))
    for chunk in (None, 1, 37, 200, 999):
        critical = _uniform_critical_value(influence, se, 0.95, 999, 3, chunk=chunk)
        assert critical == pytest.approx(expected, rel=1e-12)


def test_not_yet_comparisons_grow_as_cohorts_wait():
    """With not-yet-treated comparisons a cell's comparison holds every later cohort."""
    data = simulate_staggered_panel(27)
    est = staggered_did(
        data,
        outcome="y",
        unit="unit",
        time="period",
        first_treated="first",
        control="not_yet",
        n_boot=0,
    )
    sizes = data.groupby("unit")["first"].first().fillna(np.inf).value_counts()
    for row in est.table.itertuples():
        base = row.group - 1 if row.time >= row.group else row.time - 1
        later = sizes[(sizes.index > max(row.time, base)) & (sizes.index != row.group)].sum()
        assert row.n_control == later
        assert row.n_treated == sizes[row.group]


# ----------------------------------------------------------------- edge cases
@pytest.fixture
def panel() -> pd.DataFrame:
    return simulate_staggered_panel(9)


def test_no_treated_units_is_an_error(panel):
    with pytest.raises(EstimationError, match="no unit is treated"):
        staggered_did(
            panel.assign(first=np.nan),
            outcome="y",
            unit="unit",
            time="period",
            first_treated="first",
        )


def test_unbalanced_units_are_dropped_with_warning(panel):
    est = staggered_did(
        panel.drop(index=[0, 1, 50]),
        outcome="y",
        unit="unit",
        time="period",
        first_treated="first",
        n_boot=0,
    )
    assert est.n == 158
    assert any("2 unit(s) not observed in every period" in w for w in est.warnings)


def test_always_treated_and_late_units_are_handled(panel):
    data = panel.copy()
    data.loc[data["unit"] < 3, "first"] = 0.0
    data.loc[data["unit"].between(100, 102), "first"] = 50.0
    est = staggered_did(
        data, outcome="y", unit="unit", time="period", first_treated="first", n_boot=0
    )
    assert any("already treated in the first period" in w for w in est.warnings)
    assert any("after the last period count as never" in w for w in est.warnings)
    first_by_unit = data.groupby("unit")["first"].first()
    expected_never = int(first_by_unit.isna().sum() + (first_by_unit == 50.0).sum())
    assert est.diagnostics["n_never_treated"] == expected_never
    assert est.n == data["unit"].nunique() - 3


def test_duplicate_rows_and_bad_control(panel):
    with pytest.raises(EstimationError, match="more than one row"):
        staggered_did(
            pd.concat([panel, panel.head(2)]),
            outcome="y",
            unit="unit",
            time="period",
            first_treated="first",
        )
    with pytest.raises(ConfigError, match="control"):
        staggered_did(
            panel, outcome="y", unit="unit", time="period", first_treated="first", control="later"
        )


def test_missing_outcome_is_named(panel):
    broken = panel.copy()
    broken.loc[12, "y"] = np.nan
    with pytest.raises(EstimationError, match=r"'y' has 1 missing.*rows 12"):
        staggered_did(broken, outcome="y", unit="unit", time="period", first_treated="first")


@pytest.mark.slow
def test_full_coverage_study():
    result = coverage(
        _simple_att, truth=StaggeredDesign().simple_att(), seeds=range(30_000, 31_000)
    )
    record("staggered_simple_att_ar1", result)
    assert 0.93 <= result["coverage"] <= 0.97
