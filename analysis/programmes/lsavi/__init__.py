"""lSaVI (licensing Security and Vulnerability Initiative): the programme's analysis.

lSaVI is a one-year pilot of an online security-and-vulnerability self-assessment
tool for alcohol licence holders. Premises signed up at different times during
the pilot year, so the impact design is a staggered difference-in-differences on
a premises-by-month panel, beside an interrupted time series of county
night-time-economy violence, uptake and engagement, self-assessment scores and
value for money. The parts:

- ``tables``: the premises-month panel, assessment histories, process and
  data-quality tables, and the display-ready tables (disclosure control applied);
- ``designs``: the estimates (staggered, two-way fixed effects, naive, placebo,
  interrupted time series, score change, value for money) over ``analysis.methods``;
- ``evaluation``: ``Parameters``, ``Evaluation`` and ``evaluate(data, params)``;
- ``findings``: the questions, the headline, planted-truth keys, caveats and
  ``build_findings(evaluation)``;
- ``narrative``: every sentence whose wording depends on a result.
"""

TITLE = "lSaVI (licensing Security and Vulnerability Initiative)"
ORDER = 30
