"""Operation Viper and Operation Scorpion (drug supply), in the parts every programme shares.

Operation Viper is Dorset Police's own drug-supply operation; Operation Scorpion is the
South West region's series of one-week surges. Parts:

- ``tables``: the analysis and display tables built from the loaded data;
- ``designs``: the programme's designs over :mod:`analysis.methods`;
- ``evaluation``: ``Parameters``, ``Evaluation`` and ``evaluate(data, params)``;
- ``findings``: the questions, the headline and ``build_findings(evaluation)``;
- ``narrative``: every sentence whose wording depends on a result.
"""

TITLE = "Operation Viper and Operation Scorpion (drug supply)"
ORDER = 60
