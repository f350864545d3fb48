"""Operation Focus: enhanced investigation of the highest-harm VAWG perpetrators.

Operation Focus identifies VAWG perpetrators with a Recency-Frequency-Gravity harm score
and, when they are arrested, gives the investigation extra resource to maximise the chance
of a charge. The evaluation asks whether more arrests ended in a charge, fewer victims
withdrew, charges came sooner and harm-weighted reoffending fell. Its parts:

- the harm score that selects Focus perpetrators (``rfg_harm_score``) lives in
  :mod:`analysis.data.harm_score`, where the synthetic generator uses it too;
- ``tables``: arrests, suspect profiles, comparison pool, follow-up windows, process and
  data-quality tables, and the published (disclosure-controlled) tables;
- ``designs``: before/after, naive comparison, difference-in-differences with its checks,
  the fuzzy regression discontinuity with its checks, survival and matched reoffending;
- ``evaluation``: ``Parameters``, ``Evaluation`` and ``evaluate(data, params)``;
- ``findings``: the questions, headline, truth keys, caveats and ``build_findings``;
- ``narrative``: every sentence of the report whose wording depends on a result.
"""

TITLE = "Operation Focus"
ORDER = 10
