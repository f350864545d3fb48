"""Multiple testing: Holm and Benjamini-Hochberg against statsmodels, and families of findings."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from analysis.errors import ConfigError
from analysis.evidence.findings import Finding, save_findings
from analysis.evidence.multiplicity import (
    adjust_families,
    adjust_p_values,
    benjamini_hochberg,
    holm,
)
from analysis.results import Estimate

REFERENCE = {"holm": "holm", "bh": "fdr_bh"}


@pytest.mark.parametrize("method", ["holm", "bh"])
@pytest.mark.parametrize("seed", range(20))
def test_agrees_with_statsmodels_on_random_families(method, seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 60))
    # A mixture of true effects (small p) and nulls (uniform p), as in a real report.
    p = np.where(rng.random(m) < 0.3, rng.beta(0.3, 8, m), rng.random(m))
    expected = multipletests(p, method=REFERENCE[method])[1]
    np.testing.assert_allclose(adjust_p_values(p, method), expected, rtol=0, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from([0.0, 0.01, 0.05, 0.5, 1.0]), st.floats(0, 1)),
        min_size=1,
        max_size=40,
    )
)
def test_agrees_with_statsmodels_with_ties_and_bounds(p):
    for method, reference in REFERENCE.items():
        expected = multipletests(np.array(p), method=reference)[1]
        np.testing.assert_allclose(adjust_p_values(p, method), expected, rtol=0, atol=1e-12)


def test_textbook_values():
    # Holm: sorted 0.01, 0.03, 0.04, 0.5 times 4, 3, 2, 1 -> 0.04, 0.09, 0.08 -> 0.09, 0.5.
    assert holm([0.01, 0.04, 0.03, 0.5]) == pytest.approx([0.04, 0.09, 0.09, 0.5])
    # BH: times 4/1, 4/2, 4/3, 4/4 -> 0.04, 0.06, 0.0533, 0.5; running minimum from the top.
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.5]) == pytest.approx(
        [0.04, 0.16 / 3, 0.16 / 3, 0.5]
    )
    assert holm([]) == [] and holm([0.3]) == [0.3]


@pytest.mark.parametrize("bad", [-0.1, 1.2, float("nan")])
def test_p_values_outside_zero_one_are_refused(bad):
    with pytest.raises(ConfigError, match="p-value 2"):
        holm([0.1, bad])


def test_unknown_method_is_refused():
    with pytest.raises(ConfigError, match="unknown multiple-testing method"):
        adjust_p_values([0.1], "bonferroni-ish")


def finding(p, name, family="", role="finding", headline=False):
    est = Estimate(0.1, 0.0, 0.2, p, 100, "difference", "m", name)
    return Finding(
        name, est, "difference_in_differences", family=family, role=role, headline=headline
    )


def test_families_are_adjusted_separately_and_others_left_alone(tmp_path):
    findings = [
        finding(0.001, "primary", headline=True),
        finding(0.01, "a", "victims"),
        finding(0.04, "b", "victims"),
        finding(0.03, "c", "harm"),
        finding(0.02, "placebo", "victims", role="check"),
        finding(None, "no p", "victims"),
    ]
    adjusted = adjust_families(findings, "holm")
    assert [f.question for f in adjusted] == [f.question for f in findings]
    assert adjusted[0] is findings[0] and adjusted[4] is findings[4] and adjusted[5] is findings[5]
    assert [adjusted[1].adjusted_p_value, adjusted[2].adjusted_p_value] == pytest.approx(
        [0.02, 0.04]
    )
    assert adjusted[3].adjusted_p_value == pytest.approx(0.03)  # a family of one
    assert adjusted[1].p_adjustment == "Holm"
    record = save_findings(tmp_path / "f.json", programme="toy", findings=adjusted)
    written = json.loads((tmp_path / "f.json").read_text())
    assert written == record
    assert written["findings"][1]["adjusted_p_value"] == pytest.approx(0.02)
    assert written["findings"][1]["family"] == "victims"
    assert written["findings"][4]["role"] == "check"
    assert written["findings"][4]["adjusted_p_value"] is None


def test_bh_names_itself_and_a_headline_cannot_join_a_family():
    adjusted = adjust_families([finding(0.01, "a", "x"), finding(0.04, "b", "x")], "bh")
    assert {f.p_adjustment for f in adjusted} == {"Benjamini-Hochberg"}
    with pytest.raises(ConfigError, match="primary finding is judged on its own"):
        adjust_families([finding(0.01, "a", "x", headline=True)])
