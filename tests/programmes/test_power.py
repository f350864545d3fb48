"""Design-stage power by simulation from a programme's generator (python -m analysis power)."""

import math

import pytest

from analysis.errors import ConfigError
from analysis.programmes.power import simulate_power


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
