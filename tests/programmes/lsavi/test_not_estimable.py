"""A ratio-scale estimate that cannot be made leaves the report whole and says why."""

from __future__ import annotations

import dataclasses
import math

import pytest

from analysis.errors import EstimationError
from analysis.programmes.lsavi import designs, findings, narrative
from analysis.programmes.lsavi.evaluation import Parameters, evaluate, ratio_scale_or_reason

#: The message ``poisson_etwfe`` raises when its fit does not converge.
NOT_CONVERGED = (
    "poisson_etwfe: the Poisson fit did not converge. Fix: check for cohorts or periods "
    "with no events."
)


def test_a_real_failure_of_the_poisson_fit_is_returned_with_its_message(panel):
    # No violence anywhere: poisson_etwfe itself refuses, with its own message.
    estimate, note = ratio_scale_or_reason(panel.assign(violence_vulnerability=0), leads=6)
    assert estimate is None
    assert note.startswith("poisson_etwfe: need treated units and never-treated units")


def test_a_fit_that_is_made_has_no_note(panel):
    estimate, note = ratio_scale_or_reason(panel, leads=6)
    assert estimate is not None and estimate.scale == "rate ratio"
    assert note == ""


@pytest.fixture(scope="module")
def unconverged(data):
    """The evaluation when the ratio scale's Poisson fit does not converge."""

    def fail(*args, **kwargs):
        raise EstimationError(NOT_CONVERGED)

    # Patched only while this evaluation runs, so the package's shared one is untouched.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(designs, "ratio_scale_effect", fail)
        return evaluate(data, Parameters(bootstrap_draws=49))


def test_the_evaluation_completes_with_the_ratio_scale_not_estimable(unconverged, evaluation):
    assert unconverged.ratio_scale is None
    assert unconverged.ratio_scale_note == NOT_CONVERGED
    assert math.isnan(unconverged.ratio_scale_mde)
    # Everything else is as before: the headline does not depend on the ratio scale.
    assert unconverged.headline == evaluation.headline
    assert unconverged.checks.equals(evaluation.checks)


def test_the_ratio_finding_is_left_out_and_the_rest_kept(unconverged, evaluation):
    usual = findings.build_findings(evaluation)
    without = findings.build_findings(unconverged)
    assert [f.question for f in without] == [
        f.question for f in usual if f.question != findings.RATIO_QUESTION
    ]
    headline = findings.headline_finding(without)
    assert headline.estimate == findings.headline_finding(usual).estimate
    assert "ratio" not in findings.design_checks(unconverged)


@pytest.mark.parametrize(
    ("count_p", "verdict"),
    [
        (0.4, "consistent with parallel trends before sign-up."),
        (0.01, "**evidence of different trends before sign-up**: treat the headline"),
    ],
)
def test_the_scale_paragraph_says_why_in_every_branch(unconverged, count_p, verdict):
    count = unconverged.headline.with_updates(diagnostics={"pretrend_p_value": count_p})
    text = narrative.scale_paragraph(dataclasses.replace(unconverged, headline=count))
    assert text.startswith("**Both scales.** The ratio scale")
    assert "**not estimable**" in text
    assert NOT_CONVERGED.rstrip(".") in text
    assert verdict in text
