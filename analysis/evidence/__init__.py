"""Evidence: strength of evidence (Maryland SMS), findings, value for money, disclosure control.

Each name is imported from its module on first use: the scorecard reads the SMS
levels without importing pandas, which findings and disclosure control need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import exports

if TYPE_CHECKING:
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
        design_comparison,
        findings_table,
        save_findings,
        write_json_atomic,
    )
    from .sms import DESIGN_LEVELS, SMS_LEVELS, describe_level, sms_level

#: Public name -> the module of this package that defines it.
_HOMES = {
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
    "DESIGN_LEVELS",
    "DisclosureError",
    "Finding",
    "SMS_LEVELS",
    "check_table",
    "describe_level",
    "design_comparison",
    "findings_table",
    "is_disclosive",
    "round_to_base",
    "save_findings",
    "sms_level",
    "suppress",
    "suppress_count",
    "suppression_mask",
    "write_json_atomic",
]


__getattr__, __dir__ = exports(__name__, _HOMES)
