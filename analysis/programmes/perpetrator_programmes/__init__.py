"""Domestic-abuse perpetrator programmes: Drive, Up2U and practitioner training.

Drive (high-harm, high-risk perpetrators: case management plus disruption) and Up2U
(assessment-led one-to-one sessions for standard and medium risk) serve different risk
levels, so each is evaluated against its own comparison pool: DA perpetrators of the same
risk levels known to police in the same period who were never referred. Practitioner
training is evaluated on its own (knowledge scores before and after), and the whole
continuation funding on its value for money.

Parts:

- ``tables``: person outcomes, cohorts, person-quarter panels, the referral funnel and
  attrition, costs by year, data quality, and the display tables (suppressed);
- ``designs``: naive, same-risk, matched and weighted 12-month reoffending; time to first
  reoffence; harm difference-in-differences and before/after; the training change;
- ``evaluation``: ``Parameters``, ``Evaluation`` and ``evaluate(data, params)``, value
  for money included;
- ``findings``: the questions, the headline, truth keys, caveats and ``build_findings``;
- ``narrative``: every sentence whose wording depends on a result.
"""

TITLE = "Domestic-abuse perpetrator programmes (Drive, Up2U and practitioner training)"
ORDER = 20
