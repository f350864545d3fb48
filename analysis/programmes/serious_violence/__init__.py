"""Serious Violence Duty and the case for a Violence Reduction Unit, in the shared parts.

What has changed since the Duty (January 2023), where violence concentrates, and whether a
Dorset Violence Reduction Unit could be evaluated and would pay. Parts:

- ``tables``: the analysis and display tables built from the loaded data;
- ``designs``: the programme's designs over :mod:`analysis.methods`;
- ``evaluation``: ``Parameters``, ``Evaluation`` and ``evaluate(data, params)``;
- ``findings``: the questions, the headline and ``build_findings(evaluation)``;
- ``narrative``: every sentence whose wording depends on a result.
"""

TITLE = "Serious Violence Duty and the case for a Violence Reduction Unit"
ORDER = 80
