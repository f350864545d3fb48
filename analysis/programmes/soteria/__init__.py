"""Op Soteria Bluestone: rape and serious sexual offence investigation in Dorset.

Dorset adopted the national operating model for investigating rape and serious sexual
offences (date: the ``adoption_date`` parameter). The report asks whether adult rape reports
now end in charge more often and sooner, with fewer victims withdrawing, following each
crime from its report with open cases censored and closures as competing ends. The
programme's parts:

- ``tables``: the analysis and display tables built from the loaded data;
- ``designs``: the programme's designs over :mod:`analysis.methods`;
- ``evaluation``: ``Parameters``, ``Evaluation`` and ``evaluate(data, params)``;
- ``findings``: the questions, the headline and ``build_findings(evaluation)``;
- ``narrative``: every sentence whose wording depends on a result.
"""

TITLE = "Op Soteria Bluestone (rape and serious sexual offence investigation)"
ORDER = 40
