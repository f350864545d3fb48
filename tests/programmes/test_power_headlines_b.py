"""The headline-only power paths of perpetrator_programmes, victim_services and drug_supply.

``test_power.py`` checks that each fast path's estimate equals the whole evaluation's finding
of the same label; these check that the finding is the report's headline, so a change of
headline in a programme's findings fails here until its ``headline`` module follows.
"""

import importlib
import sys

import pytest

from analysis.data import load
from analysis.programmes.power import FAST_PATHS, headline_design
from analysis.programmes.registry import get_programme
from analysis.synthetic import generate

PROGRAMMES = ["perpetrator_programmes", "victim_services", "drug_supply"]


def _meant_headline(findings):
    # A headline demoted for want of power keeps its place in the report as the one meant.
    return next(f for f in findings if f.headline or f.headline_note)


@pytest.mark.parametrize("slug", PROGRAMMES)
def test_each_fast_path_answers_for_the_reports_headline(slug):
    assert slug in FAST_PATHS
    programme = get_programme(slug)
    module = sys.modules[programme.evaluate.__module__]
    data = load(slug, source="synthetic", seed=3, scale=0.5)
    findings = programme.build_findings(programme.evaluate(data, module.Parameters()))
    meant = _meant_headline(findings)
    headline = importlib.import_module(f"analysis.programmes.{slug}.headline")
    label, estimate, truth = headline.headline_replication(generate(slug, seed=3, scale=0.5))
    assert label == meant.label
    assert headline_design(slug) == meant.design
    assert estimate.scale == meant.estimate.scale
    assert truth is not None and truth == pytest.approx(meant.truth, rel=1e-12)
