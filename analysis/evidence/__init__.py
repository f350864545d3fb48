"""Evidence: strength of evidence (Maryland SMS), findings, value for money, disclosure control."""

from .findings import Finding, findings_table, save_findings, write_json_atomic
from .sms import DESIGN_LEVELS, SMS_LEVELS, describe_level, sms_level

__all__ = [
    "DESIGN_LEVELS",
    "SMS_LEVELS",
    "Finding",
    "describe_level",
    "findings_table",
    "save_findings",
    "sms_level",
    "write_json_atomic",
]
