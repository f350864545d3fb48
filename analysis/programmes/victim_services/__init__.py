"""Victim services: the programme's analysis, in the parts every programme shares.

The £261,000 for Independent Sexual Violence Advisers (ISVAs), domestic abuse advisers,
trauma counselling and behaviour-change courses, and the move to a pan-Dorset Independent
Domestic Violence Adviser (IDVA) service. Parts:


- ``tables``: the analysis and display tables built from the loaded data;
- ``designs``: the programme's designs over :mod:`analysis.methods`;
- ``evaluation``: ``Parameters``, ``Evaluation`` and ``evaluate(data, params)``;
- ``findings``: the questions, the headline and ``build_findings(evaluation)``;
- ``narrative``: every sentence whose wording depends on a result.
"""

TITLE = "Victim services (ISVAs, domestic abuse advisers, counselling; pan-Dorset IDVA service)"
ORDER = 50
