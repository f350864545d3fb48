"""Combating Drugs Partnership (From Harm to Hope): the programme's analysis, in the usual parts.

Dorset's partnership delivers the national drug strategy across Bournemouth, Christchurch and
Poole and Dorset, with new treatment funding from April 2022. Parts:

- ``tables``: the analysis and display tables built from the loaded data;
- ``designs``: the programme's designs over :mod:`analysis.methods`;
- ``evaluation``: ``Parameters``, ``Evaluation`` and ``evaluate(data, params)``;
- ``findings``: the questions, the headline and ``build_findings(evaluation)``;
- ``narrative``: every sentence whose wording depends on a result.
"""

TITLE = "Combating Drugs Partnership (From Harm to Hope)"
ORDER = 70
