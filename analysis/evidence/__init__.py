"""Evidence: strength of evidence (Maryland SMS), findings, value for money, disclosure control."""

from .disclosure import (
    DisclosureError,
    check_table,
    is_disclosive,
    round_to_base,
    suppress,
    suppress_count,
    suppression_mask,
)
from .findings import Finding, findings_table, save_findings, write_json_atomic
from .sms import DESIGN_LEVELS, SMS_LEVELS, describe_level, sms_level

__all__ = [
    "DESIGN_LEVELS",
    "SMS_LEVELS",
    "DisclosureError",
    "Finding",
    "check_table",
    "describe_level",
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
