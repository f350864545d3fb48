"""The analysis plan in a programme's config: schema, validation and fingerprint."""

from __future__ import annotations

import hashlib
import json

import pytest

from analysis.errors import ConfigError
from analysis.evidence.plan import DIAGNOSTICS, read_analysis_plan

CONFIG = """\
programme: op_focus
parameters:
  source: synthetic
analysis_plan:
  registered: 2025-03-01
  primary:
    question: Did Focus raise the charge rate?
    outcome: charge_rate
    design: regression_discontinuity
    expected_effect: 5
  secondary:
    - family: victim outcomes
      outcomes: [withdrawal_rate, time_to_charge]
    - family: reoffending
      outcomes: [harm_reoffending]
      adjustment: bh
  diagnostics: [density, first_stage]
"""


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "op_focus.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_reads_a_plan_from_a_config_file(config):
    plan = read_analysis_plan(config)
    assert (plan.outcome, plan.design, plan.expected_effect) == (
        "charge_rate",
        "regression_discontinuity",
        5.0,
    )
    assert [f.name for f in plan.families] == ["victim outcomes", "reoffending"]
    assert [f.adjustment for f in plan.families] == ["holm", "bh"]
    assert plan.family_of("time_to_charge") == "victim outcomes"
    assert plan.family_of("charge_rate") == ""
    assert plan.diagnostics == ("density", "first_stage")
    assert plan.registered == "2025-03-01"
    assert plan.provenance() == {
        "source": str(config),
        "registered": "2025-03-01",
        "sha256": plan.sha256,
    }


def test_fingerprint_is_sha256_of_the_canonical_block_and_ignores_layout(config, tmp_path):
    plan = read_analysis_plan(config)
    import yaml

    block = yaml.safe_load(CONFIG)["analysis_plan"]
    block["registered"] = "2025-03-01"
    canonical = json.dumps(block, sort_keys=True, separators=(",", ":"))
    assert plan.sha256 == hashlib.sha256(canonical.encode()).hexdigest()
    # Comments and key order do not change it; a changed expected effect does.
    reordered = tmp_path / "reordered.yaml"
    reordered.write_text(
        CONFIG.replace("  diagnostics: [density, first_stage]\n", "")
        .replace("analysis_plan:\n", "analysis_plan:  # fixed before any data\n"
                 "  diagnostics: [density, first_stage]\n"),
        encoding="utf-8",
    )  # fmt: skip
    assert read_analysis_plan(reordered).sha256 == plan.sha256
    changed = tmp_path / "changed.yaml"
    changed.write_text(CONFIG.replace("expected_effect: 5", "expected_effect: 4"))
    assert read_analysis_plan(changed).sha256 != plan.sha256


def test_a_config_without_a_plan_has_none(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("programme: lsavi\nparameters: {}\n")
    assert read_analysis_plan(path) is None


def base(**primary):
    return {"primary": {"question": "q", "outcome": "y", "design": "event_study", **primary}}


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"primary": None}, "'primary' must be a mapping"),
        ({**base(), "extra": 1}, r"unknown key\(s\) \['extra'\]"),
        (base(design="vibes"), "unknown design 'vibes'"),
        (base(expected_effect="big"), "expected_effect must be a number"),
        (base(outcome=""), "'outcome' must be a non-empty string"),
        ({**base(), "secondary": [{"family": "a", "outcomes": []}]}, "non-empty list"),
        ({**base(), "secondary": [{"family": "a", "outcomes": ["y"]}]}, "already the primary"),
        (
            {**base(), "secondary": [{"family": "a", "outcomes": ["z"], "adjustment": "sidak"}]},
            "unknown adjustment 'sidak'",
        ),
        (
            {**base(), "secondary": [{"family": "a", "outcomes": ["z"]}] * 2},
            "listed twice",
        ),
        ({**base(), "diagnostics": ["vibes"]}, "unknown diagnostic 'vibes'"),
    ],
)
def test_invalid_plans_are_refused_with_the_key_named(block, message):
    with pytest.raises(ConfigError, match=message):
        read_analysis_plan(block)


def test_errors_in_a_file_name_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("analysis_plan:\n  primary: {question: q, outcome: y, design: nope}\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: analysis_plan\.primary"):
        read_analysis_plan(path)
    with pytest.raises(ConfigError, match="does not exist"):
        read_analysis_plan(tmp_path / "missing.yaml")
    path.write_text("analysis_plan: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        read_analysis_plan(path)


def test_every_diagnostic_named_has_a_check():
    from analysis.evidence import checks

    for name in DIAGNOSTICS:
        assert hasattr(checks, f"{name}_check"), name


def test_the_config_loader_accepts_a_plan_beside_the_parameters(config):
    from analysis.config import load_config

    loaded = load_config("op_focus", config)
    assert loaded.parameters == {"source": "synthetic"}


def test_the_plan_fingerprint_is_recorded_with_the_findings(config, tmp_path):
    from analysis.evidence.findings import Finding, save_findings
    from analysis.results import Estimate

    plan = read_analysis_plan(config)
    est = Estimate(5.0, 1.0, 9.0, 0.01, 500, "percentage points", "rd", "charge rate")
    finding = Finding(plan.question, est, plan.design, headline=True)
    record = save_findings(
        tmp_path / "f.json", programme="op_focus", findings=[finding], analysis_plan=plan
    )
    assert record["analysis_plan"]["sha256"] == plan.sha256
    without = save_findings(None, programme="op_focus", findings=[finding])
    assert "analysis_plan" not in without
