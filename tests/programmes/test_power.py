"""Design-stage power by simulation from a programme's generator (python -m analysis power)."""

import math

import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.programmes import power
from analysis.programmes.power import (
    FAST_PATHS,
    _one_headline_run,
    _one_run,
    headline_design,
    simulate_power,
)


@pytest.fixture(scope="module")
def lsavi_power():
    calls = []
    table = simulate_power(
        "lsavi", replications=2, scale=0.5, jobs=1, progress=lambda *a: calls.append(a)
    )
    return table, calls


def test_every_finding_but_the_checks_gets_power_coverage_and_mde(lsavi_power):
    table, calls = lsavi_power
    assert calls == [(1, 2), (2, 2)]
    assert set(table.columns) >= {"design", "planted", "power", "coverage", "mde_80", "runs"}
    assert (table["runs"] == 2).all()
    assert table["power"].between(0, 1).all()
    headline = table.loc["Violence and vulnerability incidents per premises-month (staggered DiD)"]
    assert headline["planted"] < 0 and headline["mde_80"] > 0


def test_coverage_is_blank_where_nothing_was_planted(lsavi_power):
    table, _ = lsavi_power
    assert all(math.isnan(c) for c in table.loc[table["planted"].isna(), "coverage"])


def test_power_needs_two_replications_and_a_known_programme():
    with pytest.raises(ConfigError, match="at least 2"):
        simulate_power("lsavi", replications=1)
    with pytest.raises(ConfigError, match="unknown programme"):
        simulate_power("no_such_programme", replications=2)


# ----------------------------------------------------------------------------- fast path
HEADLINE_COLUMNS = ["design", "scale", "planted", "power", "coverage", "mde_80", "mean_estimate"]


def test_the_fast_path_gives_the_slow_paths_headline_summary(lsavi_power):
    table, _ = lsavi_power
    fast = simulate_power("lsavi", replications=2, scale=0.5, jobs=1, headline_only=True)
    assert len(fast) == 1 and fast["design"].iloc[0] == headline_design("lsavi")
    slow = table.loc[fast.index, HEADLINE_COLUMNS]
    pd.testing.assert_frame_equal(fast[HEADLINE_COLUMNS], slow, check_exact=False, rtol=1e-12)


@pytest.mark.parametrize("slug", sorted(FAST_PATHS))
def test_the_fast_path_reproduces_each_replications_headline_estimate(slug):
    # The same seed through the whole evaluation and through the headline's estimator alone:
    # the same tables reach the same estimator, so the numbers agree to rounding, not merely
    # within Monte Carlo error.
    task = (slug, 3, 0.5, "friendly")
    (fast,) = _one_headline_run(task)
    (slow,) = [row for row in _one_run(task) if row["finding"] == fast["finding"]]
    assert fast["design"] == slow["design"] and fast["scale"] == slow["scale"]
    assert fast["significant"] == slow["significant"]
    for column in ("truth", "effect", "ci_low", "ci_high", "mde"):
        assert fast[column] == pytest.approx(slow[column], rel=1e-12, abs=1e-12), column


def test_the_fast_path_refuses_a_programme_without_one(monkeypatch):
    monkeypatch.setattr(power, "FAST_PATHS", ("lsavi",))
    with pytest.raises(ConfigError, match="no headline-only fast path"):
        simulate_power("combating_drugs", replications=2, headline_only=True)


def test_a_programme_offers_the_fast_path_with_a_headline_module():
    assert {"lsavi", "combating_drugs", "serious_violence"} <= set(FAST_PATHS)
    assert headline_design("serious_violence") == "synthetic_control"


def test_the_fast_path_in_a_pool_gives_what_one_process_gives():
    # Workers run with one BLAS thread each; the estimates must not move with that.
    one = simulate_power("combating_drugs", replications=4, jobs=1, headline_only=True)
    two = simulate_power("combating_drugs", replications=4, jobs=2, headline_only=True)
    pd.testing.assert_frame_equal(one, two, check_exact=False, rtol=1e-10)


def test_the_command_takes_the_fast_path_and_says_which_work_it_ran(capsys):
    from analysis.cli import main

    assert main(["power", "combating_drugs", "-r", "2", "-j", "1", "--headline-only"]) == 0
    captured = capsys.readouterr()
    assert "the headline's estimator alone" in captured.err
    assert "Adults in structured treatment, against comparable authorities" in captured.out
