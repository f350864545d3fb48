"""Evidence: strength of evidence (Maryland SMS), findings, value for money, disclosure control.

Each name is imported from its module on first use: the scorecard reads the SMS
levels without importing pandas, which findings and disclosure control need.

A programme's ``build_findings`` earns its ratings, keeps underpowered results
out of the headlines and adjusts its secondary findings in a few lines::

    from analysis.evidence import Finding, adjust_families, demote_underpowered
    from analysis.evidence.checks import placebo_check, standard_checks

    primary = Finding(question, rd, "regression_discontinuity", headline=True,
                      mde=mde(rd), expected_effect=plan.expected_effect,
                      checks=[*standard_checks(rd), placebo_check(placebo)])
    secondary = [Finding(q, est, design, family="victim outcomes") for q, est in ...]
    checks = [Finding("Placebo threshold", placebo, "regression_discontinuity",
                      role="check")]
    findings = adjust_families(demote_underpowered([primary, *secondary, *checks]))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import exports

if TYPE_CHECKING:
    from .checks import (
        balance_check,
        density_check,
        first_stage_check,
        negative_control_check,
        overlap_check,
        placebo_check,
        pretrend_check,
        standard_checks,
    )
    from .disclosure import (
        DisclosureError,
        check_table,
        is_disclosive,
        round_to_base,
        suppress,
        suppress_count,
        suppression_mask,
    )
    from .findings import (
        Finding,
        demote_underpowered,
        design_comparison,
        findings_table,
        save_findings,
        write_json_atomic,
    )
    from .multiplicity import adjust_families, adjust_p_values
    from .plan import AnalysisPlan, programme_plan, read_analysis_plan
    from .sms import DESIGN_LEVELS, SMS_LEVELS, Check, describe_level, earned_level, sms_level

#: Public name -> the module of this package that defines it.
_HOMES = {
    "AnalysisPlan": "plan",
    "Check": "sms",
    "adjust_families": "multiplicity",
    "adjust_p_values": "multiplicity",
    "balance_check": "checks",
    "demote_underpowered": "findings",
    "density_check": "checks",
    "earned_level": "sms",
    "first_stage_check": "checks",
    "negative_control_check": "checks",
    "overlap_check": "checks",
    "placebo_check": "checks",
    "pretrend_check": "checks",
    "programme_plan": "plan",
    "read_analysis_plan": "plan",
    "standard_checks": "checks",
    "DESIGN_LEVELS": "sms",
    "SMS_LEVELS": "sms",
    "DisclosureError": "disclosure",
    "Finding": "findings",
    "check_table": "disclosure",
    "describe_level": "sms",
    "design_comparison": "findings",
    "findings_table": "findings",
    "is_disclosive": "disclosure",
    "round_to_base": "disclosure",
    "save_findings": "findings",
    "sms_level": "sms",
    "suppress": "disclosure",
    "suppress_count": "disclosure",
    "suppression_mask": "disclosure",
    "write_json_atomic": "findings",
}

__all__ = [
    "AnalysisPlan",
    "Check",
    "DESIGN_LEVELS",
    "DisclosureError",
    "Finding",
    "SMS_LEVELS",
    "adjust_families",
    "adjust_p_values",
    "balance_check",
    "check_table",
    "demote_underpowered",
    "density_check",
    "describe_level",
    "design_comparison",
    "earned_level",
    "findings_table",
    "first_stage_check",
    "is_disclosive",
    "negative_control_check",
    "overlap_check",
    "placebo_check",
    "pretrend_check",
    "programme_plan",
    "read_analysis_plan",
    "round_to_base",
    "save_findings",
    "sms_level",
    "standard_checks",
    "suppress",
    "suppress_count",
    "suppression_mask",
    "write_json_atomic",
]


__getattr__, __dir__ = exports(__name__, _HOMES)
