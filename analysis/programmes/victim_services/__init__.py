"""Victim services (ISVAs, domestic abuse advisers, counselling; pan-Dorset IDVA service): the programme's analysis, in the parts every programme shares.

- ``tables``: the analysis and display tables built from the loaded data;
- ``designs``: the programme's designs over :mod:`analysis.methods`;
- ``evaluation``: ``Parameters``, ``Evaluation`` and ``evaluate(data, params)``;
- ``findings``: the questions, the headline and ``build_findings(evaluation)``;
- ``narrative``: every sentence whose wording depends on a result.
"""

TITLE = "Victim services (ISVAs, domestic abuse advisers, counselling; pan-Dorset IDVA service)"
ORDER = 40
