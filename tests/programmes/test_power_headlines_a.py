"""Operation Focus's and Op Soteria Bluestone's headline-only power paths answer for the headline.

``test_power.py`` checks that each fast path's numbers equal those of the whole evaluation's
finding with the same label; these check that the finding is the programme's headline: the
analysis plan's primary outcome and design for Operation Focus, the primary question
written down before the data for Soteria.
"""

import sys

import pytest

from analysis.data import load
from analysis.programmes.power import FAST_PATHS, _one_headline_run, headline_design
from analysis.programmes.registry import get_programme

TASK_SEED, TASK_SCALE = 3, 0.5


def _findings_and_fast_label(slug):
    # Loaded as the slow path loads (pseudonymised identifiers), generated as the fast path
    # generates: the same seed and scale.
    programme = get_programme(slug)
    data = load(slug, source="synthetic", seed=TASK_SEED, scale=TASK_SCALE)
    module = sys.modules[programme.evaluate.__module__]
    findings = programme.build_findings(programme.evaluate(data, module.Parameters()))
    (fast,) = _one_headline_run((slug, TASK_SEED, TASK_SCALE, "friendly"))
    return findings, fast["finding"]


def _meant_as_headline(finding):
    # A headline demoted (underpowered, or a failed check) keeps a note saying why.
    return finding.headline or finding.headline_note.startswith("Not a headline")


@pytest.mark.parametrize("slug", ["op_focus", "soteria"])
def test_both_programmes_offer_the_fast_path(slug):
    assert slug in FAST_PATHS


def test_operation_focus_fast_path_is_the_plans_primary_outcome_and_design():
    from analysis.programmes.op_focus.findings import analysis_plan

    plan = analysis_plan()
    findings, label = _findings_and_fast_label("op_focus")
    (finding,) = [f for f in findings if f.label == label]
    assert headline_design("op_focus") == plan.design == finding.design
    assert finding.question == plan.question
    assert _meant_as_headline(finding)


def test_soteria_fast_path_is_the_one_headline_the_primary_question():
    from analysis.programmes.soteria import findings as soteria_findings

    findings, label = _findings_and_fast_label("soteria")
    (headline,) = [f for f in findings if _meant_as_headline(f)]
    assert headline.label == label
    assert headline.question == soteria_findings.QUESTION
    assert headline.design == headline_design("soteria")
