"""Perpetrator programmes: the analysis tables derived from the loaded data.

- :func:`person_outcomes`: one row per person with the index date (start of the
  programme for participants, identification for the comparison pool), follow-up,
  first DA reoffence, 12-month reoffending (complete windows only) and covariates;
- :func:`programme_cohort`: a programme's participants beside its eligible comparison
  pool, with what was excluded and why;
- :func:`person_period_panel`: harm and offences per person-quarter before and after;
- :func:`funnel_counts`, :func:`attrition_table` and
  :func:`completion_by_prior_incidents`: referral -> start -> completion;
- :func:`costs_by_year` and :func:`costed_year`: spending and the costed year's starters;
- :func:`data_quality_table`: rows, dates and blanks per input table;
- the display tables the report shows, with small counts suppressed
  (:func:`exclusions_table`, :func:`published_attrition_table`,
  :func:`training_by_role`, :func:`reoffending_table`, :func:`harm_table`,
  :func:`spending_table`).

Index dates and the wait before the start: participants are followed from their start
date, comparison people from their identification. The year before identification is
the "before" period for both, so the wait between identification and start is in
neither period (offences in it are not attributed to the programme).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...data.contracts.perpetrator_programmes import STARTED_STATUSES
from ...errors import ConfigError, EstimationError
from ...evidence.disclosure import suppress
from ...results import Estimate, format_number

logger = logging.getLogger(__name__)

#: Programmes evaluated, with the DASH risk levels each serves (its eligibility).
RISK_LEVELS: dict[str, tuple[str, ...]] = {
    "Drive": ("high",),
    "Up2U": ("standard", "medium"),
}

#: Areas counted as urban (the Bournemouth-Poole conurbation and Weymouth): a covariate.
URBAN_AREAS: tuple[str, ...] = ("Bournemouth", "Poole", "Weymouth and Portland")

#: Age bands as covariates: 35-44 is the reference; 16-17 joins 18-24 (too few alone).
AGE_COVARIATES: dict[str, tuple[str, ...]] = {
    "age_under_25": ("16-17", "18-24"),
    "age_25_34": ("25-34",),
    "age_45_54": ("45-54",),
    "age_55_plus": ("55+",),
}

#: Quarters after the index date in the person-period panel (the follow-up year).
QUARTERS_AFTER = 4

#: Missing-indicator covariate: 1 where the age band is blank (its dummies are then all 0).
AGE_NOT_RECORDED = "age_not_recorded"

#: Covariates of the propensity and Cox models (DASH medium only varies within Up2U; the
#: age-not-recorded indicator only where some age bands are blank: a constant is dropped).
BASE_COVARIATES: tuple[str, ...] = (
    "marac",
    "prior_da_incidents",
    *AGE_COVARIATES,
    AGE_NOT_RECORDED,
    "urban",
)

#: The group of people whose characteristic is blank or "not stated": its own group.
NOT_RECORDED = "not recorded"
#: Characteristics the effect is broken down by ("for whom"), with the report's words.
FOR_WHOM: dict[str, str] = {"sex": "sex", "age_band": "age band", "ethnicity": "ethnicity"}


def recorded_group(values: pd.Series) -> pd.Series:
    """A characteristic as analysed: blanks and "not stated" become one group, "not recorded".

    Examples
    --------
    >>> recorded_group(pd.Series(["Black", None, "not stated"])).tolist()
    ['Black', 'not recorded', 'not recorded']
    """
    labels = values.astype("string").fillna(NOT_RECORDED)
    return labels.mask(labels.str.lower().eq("not stated"), NOT_RECORDED).astype(str)


def is_recorded(table: pd.DataFrame, column: str) -> bool:
    """Whether the extract carries ``column`` with at least one value recorded.

    Examples
    --------
    >>> is_recorded(pd.DataFrame({"sex": [None, "not stated"]}), "sex")
    False
    """
    if column not in table.columns:
        return False
    return bool(recorded_group(table[column]).ne(NOT_RECORDED).any())


def not_recorded(people: pd.DataFrame, *, columns: Mapping[str, str] = FOR_WHOM) -> pd.DataFrame:
    """How many people have each characteristic not recorded, and how the analysis treats them.

    Age band is a covariate of the propensity and Cox models: a blank one is
    carried by a missing indicator (:data:`AGE_NOT_RECORDED`) rather than the
    person being dropped (complete case). Sex and ethnicity are in no model.

    Returns
    -------
    DataFrame
        One row per characteristic (its words): ``people``, ``not_recorded``
        (blank or "not stated"; everyone when the extract lacks the column) and
        ``handling``.

    Examples
    --------
    >>> frame = pd.DataFrame({"age_band": ["25-34", None], "sex": ["male", "female"]})
    >>> table = not_recorded(frame)
    >>> int(table.loc["age band", "not_recorded"]), table.loc["ethnicity", "handling"]
    (1, 'not in the extract: no breakdown possible')
    """
    rows = {}
    for column, words in columns.items():
        if not is_recorded(people, column):
            count, handling = len(people), "not in the extract: no breakdown possible"
        else:
            count = int(recorded_group(people[column]).eq(NOT_RECORDED).sum())
            handling = f"kept as its own group ('{NOT_RECORDED}')"
            if column == "age_band":
                handling += (
                    "; in the matching and Cox models a missing indicator, so no one is dropped"
                )
            else:
                handling += "; in no model, so no one is dropped"
        rows[words] = {"people": len(people), "not_recorded": count, "handling": handling}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "characteristic"
    return table.astype({"people": "int64", "not_recorded": "int64"})


def covariates_for(programme: str, risk_levels: Sequence[str] | None = None) -> list[str]:
    """Covariates for a programme's propensity and Cox models.

    DASH medium (against standard) is a covariate only when the comparison pool holds
    both levels.

    Examples
    --------
    >>> covariates_for("Up2U")[-1]
    'dash_medium'
    >>> "dash_medium" in covariates_for("Drive")
    False
    """
    levels = _risk_levels(programme, risk_levels)
    extra = ["dash_medium"] if "medium" in levels and len(levels) > 1 else []
    return [*BASE_COVARIATES, *extra]


def _risk_levels(programme: str, risk_levels: Sequence[str] | None = None) -> tuple[str, ...]:
    if risk_levels is not None:
        return tuple(risk_levels)
    if programme not in RISK_LEVELS:
        raise ConfigError(
            f"unknown programme '{programme}'; choose one of: {', '.join(RISK_LEVELS)}"
        )
    return RISK_LEVELS[programme]


# ---------------------------------------------------------------------------- outcomes
def person_outcomes(
    people: pd.DataFrame,
    offences: pd.DataFrame,
    *,
    extract_date: pd.Timestamp,
    followup_days: int = 365,
    urban_areas: Sequence[str] = URBAN_AREAS,
) -> pd.DataFrame:
    """One row per person: index date, follow-up, first DA reoffence and covariates.

    Parameters
    ----------
    people, offences : pandas.DataFrame
        The ``people`` and ``offences`` tables as loaded.
    extract_date : pandas.Timestamp
        Date the extract was taken: follow-up is censored there.
    followup_days : int, default 365
        Length of the reoffending window.
    urban_areas : sequence of str
        Areas counted as urban (a covariate).

    Returns
    -------
    pandas.DataFrame
        The people columns plus: ``started`` (status ongoing, completed or
        dropped_out), ``index_date`` (start date if started, else identified
        date), ``followup_complete`` (index date + ``followup_days`` on or before
        the extract date), ``duration`` (days from the index date to the first DA
        crime dated after it, or to the extract date), ``event`` (1 if that crime
        exists), ``reoffended`` (1/0 within ``followup_days``; NaN when the window
        is incomplete), ``reoffended_pct`` (x100), and the numeric covariates
        ``marac``, ``urban``, ``dash_medium``, the age dummies of
        :data:`AGE_COVARIATES` and :data:`AGE_NOT_RECORDED`.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["a", "b"], "status": ["completed", "not_referred"],
    ...     "identified_date": pd.to_datetime(["2023-01-01", "2023-02-01"]),
    ...     "start_date": pd.to_datetime(["2023-02-01", None]), "marac_flag": [True, False],
    ...     "prior_da_incidents": [3, 1], "age_band": ["25-34", "55+"],
    ...     "area": ["Poole", "Purbeck"], "dash_risk": ["high", "medium"]})
    >>> offences = pd.DataFrame({"person_id": ["a", "b"], "da_flag": [True, True],
    ...     "offence_date": pd.to_datetime(["2023-06-01", "2023-02-01"])})
    >>> out = person_outcomes(people, offences, extract_date=pd.Timestamp("2025-01-01"))
    >>> out[["duration", "event", "reoffended"]].to_numpy().tolist()
    [[120.0, 1.0, 1.0], [700.0, 0.0, 0.0]]
    """
    extract_date = pd.Timestamp(extract_date)
    if followup_days <= 0:
        raise ConfigError(f"followup_days must be a positive number of days, got {followup_days}")
    out = people.copy()
    out["started"] = out["status"].isin(STARTED_STATUSES).to_numpy()
    out["index_date"] = out["start_date"].where(out["started"], out["identified_date"])
    out["followup_complete"] = (
        out["index_date"] + pd.Timedelta(days=followup_days) <= extract_date
    ).to_numpy()

    da = offences.loc[offences["da_flag"].astype(bool), ["person_id", "offence_date"]]
    da = da.merge(out[["person_id", "index_date"]], on="person_id", how="inner")
    after = da[da["offence_date"] > da["index_date"]]
    first = after.groupby("person_id")["offence_date"].min()
    first_reoffence = out["person_id"].map(first)
    days_to = (first_reoffence - out["index_date"]).dt.days
    out["event"] = first_reoffence.notna().astype(float).to_numpy()
    out["duration"] = days_to.where(
        first_reoffence.notna(), (extract_date - out["index_date"]).dt.days
    ).astype(float)
    within = (days_to <= followup_days).fillna(False).astype(float)
    out["reoffended"] = within.where(out["followup_complete"], np.nan)
    out["reoffended_pct"] = 100 * out["reoffended"]

    out["marac"] = out["marac_flag"].astype(float)
    out["prior_da_incidents"] = out["prior_da_incidents"].astype(float)
    out["urban"] = out["area"].isin(list(urban_areas)).astype(float)
    out["dash_medium"] = out["dash_risk"].eq("medium").astype(float)
    for name, bands in AGE_COVARIATES.items():
        out[name] = out["age_band"].isin(bands).astype(float)
    # Missing-indicator method: a blank age band is its own category, not the reference one.
    out[AGE_NOT_RECORDED] = out["age_band"].isna().astype(float)
    return out


@dataclass(frozen=True)
class Cohort:
    """A programme's participants beside its eligible comparison pool.

    Attributes
    ----------
    programme : str
        "Drive" or "Up2U".
    table : pandas.DataFrame
        One row per person kept, from :func:`person_outcomes`, with ``treated``
        (1 participant, 0 comparison).
    covariates : list of str
        Propensity and Cox model covariates.
    exclusions : pandas.DataFrame
        What was left out and why (``reason``, ``people``).
    risk_levels : tuple of str
        DASH levels the comparison pool was drawn from.
    """

    programme: str
    table: pd.DataFrame
    covariates: list[str]
    exclusions: pd.DataFrame
    risk_levels: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> pd.DataFrame:
        """People whose reoffending window is complete at the extract date."""
        return self.table[self.table["followup_complete"]]


def programme_cohort(
    outcomes: pd.DataFrame,
    programme: str,
    *,
    risk_levels: Sequence[str] | None = None,
    covariates: Sequence[str] | None = None,
) -> Cohort:
    """Participants of one programme and its comparison pool, with exclusions counted.

    Participants are the programme's starters (status ongoing, completed or
    dropped_out). The comparison pool is everyone never referred to any programme
    whose DASH risk level is one the programme serves. People referred who never
    started, starters at another risk level and anyone with no follow-up (index date
    on the extract date) are left out and counted.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        From :func:`person_outcomes`.
    programme : str
        "Drive" or "Up2U".
    risk_levels : sequence of str, optional
        DASH levels of the comparison pool (default :data:`RISK_LEVELS`).
    covariates : sequence of str, optional
        Model covariates (default :func:`covariates_for`).

    Returns
    -------
    Cohort
    """
    levels = _risk_levels(programme, risk_levels)
    in_programme = outcomes["programme"].eq(programme)
    eligible = outcomes["dash_risk"].isin(list(levels))
    treated = in_programme & outcomes["started"]
    comparison = outcomes["programme"].eq("none") & eligible
    no_followup = outcomes["duration"] <= 0
    reasons = {
        "referred, never started (or awaiting a start)": int((in_programme & ~treated).sum()),
        "started, DASH level outside the programme's": int((treated & ~eligible).sum()),
        "no follow-up (index date on the extract date)": int(
            (((treated & eligible) | comparison) & no_followup).sum()
        ),
    }
    keep = ((treated & eligible) | comparison) & ~no_followup
    table = outcomes[keep].copy()
    table["treated"] = treated[keep].astype(int).to_numpy()
    covs = list(covariates) if covariates is not None else covariates_for(programme, levels)
    varying = [c for c in covs if table[c].nunique() > 1]
    if len(varying) < len(covs):
        logger.info(
            "covariates constant in the %s cohort dropped: %s",
            programme,
            sorted(set(covs) - set(varying)),
        )
    if table["treated"].sum() == 0:
        raise EstimationError(
            f"no {programme} participant (status ongoing, completed or dropped_out) is in the "
            "people table: check the programme and status columns."
        )
    if (table["treated"] == 0).sum() == 0:
        raise EstimationError(
            f"no comparison people (programme 'none', DASH {', '.join(levels)}) for {programme}."
        )
    incomplete = table[~table["followup_complete"]]
    reasons_12 = {
        "window incomplete at the extract date: participants": int(incomplete["treated"].sum()),
        "window incomplete at the extract date: comparison": int(
            (incomplete["treated"] == 0).sum()
        ),
    }
    exclusions = pd.DataFrame(
        [{"analysis": "all", "reason": k, "people": v} for k, v in reasons.items()]
        + [
            {"analysis": "12-month outcomes", "reason": k, "people": v}
            for k, v in reasons_12.items()
        ]
    )
    return Cohort(programme, table, varying, exclusions, levels)


# ---------------------------------------------------------------------------- harm panel
def person_period_panel(
    cohort_table: pd.DataFrame,
    offences: pd.DataFrame,
    *,
    harm_weights: Mapping[str, float],
    followup_days: int = 365,
    periods_before: int = 4,
    periods_after: int = 4,
) -> pd.DataFrame:
    """Offences and harm per person and period (quarter) before and after the index date.

    "Before" periods count back from the identification date (the quarter ending
    on it is period -1); "after" periods count forward from the index date (period
    0 starts the day after it). Each period is ``followup_days / periods_after``
    days long. People must have complete follow-up.

    Parameters
    ----------
    cohort_table : pandas.DataFrame
        Rows of :class:`Cohort` (``person_id``, ``treated``, ``identified_date``,
        ``index_date``), complete follow-up.
    offences : pandas.DataFrame
        The offences table.
    harm_weights : mapping of str to float
        Harm (Crime Harm Index days) per offence group.
    followup_days : int
        Length of the after window.
    periods_before, periods_after : int
        Periods on each side.

    Returns
    -------
    pandas.DataFrame
        One row per person and period: ``person_id``, ``period`` (``-periods_before``
        to ``periods_after - 1``), ``treated``, ``post``, ``treat_post``,
        ``first_treated`` (0 for participants, NaN otherwise), ``da_offences``,
        ``non_da_offences``, ``harm`` (of DA crimes).

    Examples
    --------
    >>> cohort = pd.DataFrame({"person_id": ["a"], "treated": [1],
    ...     "identified_date": pd.to_datetime(["2023-01-01"]),
    ...     "index_date": pd.to_datetime(["2023-02-01"])})
    >>> offences = pd.DataFrame({"person_id": ["a", "a"], "da_flag": [True, True],
    ...     "offence_group": ["rape", "public_order"],
    ...     "offence_date": pd.to_datetime(["2023-01-01", "2023-02-02"])})
    >>> panel = person_period_panel(cohort, offences, harm_weights={"rape": 2555,
    ...     "public_order": 7.5}, periods_before=2, periods_after=2)
    >>> panel[["period", "harm"]].to_numpy().tolist()
    [[-2.0, 0.0], [-1.0, 2555.0], [0.0, 7.5], [1.0, 0.0]]
    """
    if periods_before < 1 or periods_after < 1:
        raise ConfigError("periods_before and periods_after must be at least 1")
    missing = sorted(set(offences["offence_group"].unique()) - set(harm_weights))
    if missing:
        raise ConfigError(
            f"harm weights are missing offence group(s) {missing}: add them to the harm "
            "weights (data/reference) or to the notebook's harm weight overrides"
        )
    length = followup_days / periods_after
    people = cohort_table[["person_id", "treated", "identified_date", "index_date"]]
    merged = offences.merge(people, on="person_id", how="inner")
    before_days = (merged["identified_date"] - merged["offence_date"]).dt.days.to_numpy()
    after_days = (merged["offence_date"] - merged["index_date"]).dt.days.to_numpy()
    period = np.full(len(merged), np.nan)
    is_before = before_days >= 0
    period[is_before] = -(np.floor(before_days[is_before] / length) + 1)
    is_after = after_days > 0
    period[is_after] = np.ceil(after_days[is_after] / length) - 1
    merged["period"] = period
    inside = (period >= -periods_before) & (period <= periods_after - 1)
    merged = merged[inside]
    da = merged["da_flag"].astype(bool)
    merged = merged.assign(
        da_offences=da.astype(float),
        non_da_offences=(~da).astype(float),
        harm=np.where(da, merged["offence_group"].map(dict(harm_weights)).astype(float), 0.0),
    )
    sums = merged.groupby(["person_id", "period"])[["da_offences", "non_da_offences", "harm"]].sum()
    grid = pd.MultiIndex.from_product(
        [people["person_id"].to_numpy(), np.arange(-periods_before, periods_after, dtype=float)],
        names=["person_id", "period"],
    )
    panel = sums.reindex(grid, fill_value=0.0).reset_index()
    treated = panel["person_id"].map(people.set_index("person_id")["treated"])
    panel["treated"] = treated.astype(int).to_numpy()
    panel["post"] = (panel["period"] >= 0).astype(int)
    panel["treat_post"] = panel["treated"] * panel["post"]
    panel["first_treated"] = np.where(panel["treated"] == 1, 0.0, np.nan)
    return panel


# ---------------------------------------------------------------------------- process
def funnel_counts(people: pd.DataFrame, programme: str) -> dict[str, int]:
    """Referral -> start -> completion counts for one programme.

    Examples
    --------
    >>> people = pd.DataFrame({"programme": ["Drive"] * 4,
    ...     "status": ["not_started", "completed", "dropped_out", "ongoing"]})
    >>> funnel_counts(people, "Drive")
    {'Referred': 4, 'Started': 3, 'Finished (completed or left)': 2, 'Completed': 1}
    """
    rows = people[people["programme"].eq(programme)]
    status = rows["status"]
    return {
        "Referred": int(len(rows)),
        "Started": int(status.isin(STARTED_STATUSES).sum()),
        "Finished (completed or left)": int(status.isin(("completed", "dropped_out")).sum()),
        "Completed": int(status.eq("completed").sum()),
    }


def attrition_table(people: pd.DataFrame, programme: str, by: str) -> pd.DataFrame:
    """Who drops out: referral, start and completion counts by a grouping column.

    Parameters
    ----------
    people : pandas.DataFrame
        The people table.
    programme : str
    by : str
        Column to group by (``dash_risk``, ``area``, ``age_band``).

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``referred``, ``started``, ``finished`` (completed or
        dropped out), ``completed`` (counts), and ``start_rate`` (started / referred,
        among referrals no longer awaiting a start) and ``completion_rate``
        (completed / finished), as percentages. Suppress small counts before
        publishing (:func:`analysis.evidence.disclosure.suppress`).

    Examples
    --------
    >>> people = pd.DataFrame({"programme": ["Drive"] * 3, "area": ["Poole"] * 3,
    ...     "status": ["not_started", "completed", "dropped_out"]})
    >>> table = attrition_table(people, "Drive", "area")
    >>> table.loc["Poole", ["referred", "started", "finished", "completed"]].tolist()
    [3, 2, 2, 1]
    >>> table.loc["Poole", ["start_rate", "completion_rate"]].tolist()
    [66.7, 50.0]
    """
    rows = people[people["programme"].eq(programme)]
    status = rows["status"]
    groups = rows[by]
    if groups.isna().any():
        # Blanks would vanish from a groupby: they are a group of their own.
        groups = recorded_group(groups)
    flags = pd.DataFrame(
        {
            by: groups,
            "referred": 1,
            "decided": (~status.eq("referred")).astype(int),
            "started": status.isin(STARTED_STATUSES).astype(int),
            "finished": status.isin(("completed", "dropped_out")).astype(int),
            "completed": status.eq("completed").astype(int),
        }
    )
    table = flags.groupby(by).sum().astype("int64")
    table["start_rate"] = (
        100 * table["started"] / table["decided"].where(table["decided"] > 0)
    ).round(1)
    table["completion_rate"] = (
        100 * table["completed"] / table["finished"].where(table["finished"] > 0)
    ).round(1)
    return table.drop(columns="decided")


# ---------------------------------------------------------------------------- costs and VfM
def financial_year_bounds(financial_year: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a UK financial year written ``YYYY/YY``.

    Examples
    --------
    >>> financial_year_bounds("2024/25")
    (Timestamp('2024-04-01 00:00:00'), Timestamp('2025-03-31 00:00:00'))
    """
    text = str(financial_year).strip()
    try:
        first = int(text[:4])
        ok = len(text) == 7 and text[4] == "/" and (first + 1) % 100 == int(text[5:])
    except ValueError:
        ok = False
    if not ok:
        raise ConfigError(f"financial year must be written YYYY/YY (e.g. 2024/25), got {text!r}")
    return pd.Timestamp(first, 4, 1), pd.Timestamp(first + 1, 3, 31)


def costs_by_year(costs: pd.DataFrame) -> pd.DataFrame:
    """Spending as a programme x financial-year table with totals.

    Examples
    --------
    >>> costs = pd.DataFrame({"programme": ["Drive", "Up2U"],
    ...     "financial_year": ["2024/25", "2024/25"], "cost_gbp": [170000.0, 80000.0]})
    >>> float(costs_by_year(costs).loc["Total", "2024/25"])
    250000.0
    """
    table = costs.pivot_table(
        index="programme",
        columns="financial_year",
        values="cost_gbp",
        aggfunc="sum",
        fill_value=0.0,
    )
    table.loc["Total"] = table.sum()
    table["All years"] = table.sum(axis=1)
    table.columns.name = None
    return table


@dataclass(frozen=True)
class CostedYear:
    """Costs and participants of one financial year, per programme component."""

    financial_year: str
    costs: dict[str, float]
    participants: dict[str, int]
    completers: dict[str, int]

    @property
    def total_cost(self) -> float:
        """Spending on every component in the year."""
        return float(sum(self.costs.values()))


def costed_year(
    people: pd.DataFrame,
    costs: pd.DataFrame,
    *,
    financial_year: str,
    price_year: str | None = None,
) -> CostedYear:
    """Spending and participants (starters, and completers among them) in one financial year.

    Parameters
    ----------
    people, costs : pandas.DataFrame
        The ``people`` and ``programme_costs`` tables.
    financial_year : str
        The costed year (``YYYY/YY``).
    price_year : str, optional
        Uprate the year's cash spending to this financial year's prices with the GDP
        deflator (:func:`analysis.data.uprate`); default: cash prices.

    Returns
    -------
    CostedYear
        Participants are the people who started in the year; completers are those of
        them who completed by the extract date.
    """
    first, last = financial_year_bounds(financial_year)
    year_costs = costs[costs["financial_year"].astype(str).str.strip().eq(financial_year)]
    if year_costs.empty:
        known = ", ".join(sorted(costs["financial_year"].astype(str).unique()))
        raise ConfigError(
            f"programme_costs has no row for financial year {financial_year}; years present: "
            f"{known}. Set the notebook's costed_year to one of them."
        )
    spent = year_costs.groupby("programme")["cost_gbp"].sum().astype(float).to_dict()
    if price_year:
        from ...data import uprate

        spent = {k: float(uprate(v, financial_year, price_year)) for k, v in spent.items()}
    starters = people[people["start_date"].between(first, last)]
    participants = {p: int(starters["programme"].eq(p).sum()) for p in RISK_LEVELS}
    completers = {
        p: int((starters["programme"].eq(p) & starters["status"].eq("completed")).sum())
        for p in RISK_LEVELS
    }
    return CostedYear(financial_year, spent, participants, completers)


def data_quality_table(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows, date coverage and missing values per input table.

    Returns
    -------
    pandas.DataFrame
        Indexed by table: ``rows``, ``first_date``, ``last_date`` (of its main date
        column) and ``missing`` (blank cells, with the columns holding them).
    """
    date_columns = {
        "people": "identified_date",
        "offences": "offence_date",
        "training_scores": "training_date",
    }
    rows = []
    for name, frame in tables.items():
        column = date_columns.get(name)
        blanks = frame.isna().sum()
        blanks = blanks[blanks > 0]
        rows.append(
            {
                "table": name,
                "rows": int(len(frame)),
                "first_date": frame[column].min().date() if column else None,
                "last_date": frame[column].max().date() if column else None,
                "missing": "; ".join(f"{c}: {n:,}" for c, n in blanks.items()) or "none",
            }
        )
    return pd.DataFrame(rows).set_index("table")


# ---------------------------------------------------------------------------- display tables
def exclusions_table(cohorts: Mapping[str, Cohort], *, threshold: int) -> pd.DataFrame:
    """Who each programme's analyses leave out and why, programmes side by side, suppressed.

    Parameters
    ----------
    cohorts : mapping of str to Cohort
        Programme -> its cohort (:func:`programme_cohort`).
    threshold : int
        Smallest count that may be published.

    Returns
    -------
    pandas.DataFrame
        ``analysis``, ``reason`` and one column of people per programme.
    """
    counts = pd.concat(
        {
            name: cohort.exclusions.set_index(["analysis", "reason"])["people"]
            for name, cohort in cohorts.items()
        },
        axis=1,
    ).reset_index()
    return suppress(
        counts,
        columns=list(cohorts),
        threshold=threshold,
        secondary=False,
        total_row=None,
        total_column=None,
    )


def incomplete_participants(cohort: Cohort) -> int:
    """Participants whose 12-month window had not closed by the extract date."""
    participants = cohort.table.loc[cohort.table["treated"] == 1, "followup_complete"]
    return int((~participants).sum())


def published_attrition_table(
    people: pd.DataFrame, programme: str, by: str, *, threshold: int
) -> pd.DataFrame:
    """:func:`attrition_table` with small counts (and the rates derived from them) suppressed."""
    return suppress(
        attrition_table(people, programme, by),
        columns=["referred", "started", "finished", "completed"],
        threshold=threshold,
        known_totals="columns",
        derived={
            "start_rate": ["started", "referred"],
            "completion_rate": ["completed", "finished"],
        },
    )


#: Groupings of the attrition tables, with the words the report uses for them.
ATTRITION_GROUPS: tuple[tuple[str, str], ...] = (
    ("dash_risk", "DASH risk"),
    ("age_band", "age band"),
    ("area", "area"),
)

#: Prior DA incidents from which a person counts as having "many" (four or more).
MANY_PRIOR_INCIDENTS = 4


@dataclass(frozen=True)
class CompletionByPriorIncidents:
    """Completion among people who finished, split by DA incidents before referral.

    ``rate_few`` and ``rate_many`` are None when either group is below the
    suppression threshold (too few to compare without disclosing).
    """

    programme: str
    people_many: int
    people_few: int
    rate_few: float | None
    rate_many: float | None

    @property
    def comparable(self) -> bool:
        """Whether both groups were large enough to publish their rates."""
        return self.rate_few is not None and self.rate_many is not None


def completion_by_prior_incidents(
    people: pd.DataFrame, programme: str, *, threshold: int
) -> CompletionByPriorIncidents:
    """Share completing among those who finished, by fewer than four or four or more incidents.

    Examples
    --------
    >>> people = pd.DataFrame({"programme": ["Drive"] * 4,
    ...     "status": ["completed", "dropped_out", "completed", "completed"],
    ...     "prior_da_incidents": [5, 6, 1, 0]})
    >>> split = completion_by_prior_incidents(people, "Drive", threshold=2)
    >>> split.rate_few, split.rate_many
    (1.0, 0.5)
    >>> completion_by_prior_incidents(people, "Drive", threshold=3).comparable
    False
    """
    finished = people[
        people["programme"].eq(programme) & people["status"].isin(["completed", "dropped_out"])
    ]
    many = finished["prior_da_incidents"] >= MANY_PRIOR_INCIDENTS
    count_many, count_few = int(many.sum()), int((~many).sum())
    if min(count_many, count_few) < threshold:
        return CompletionByPriorIncidents(programme, count_many, count_few, None, None)
    completed = finished["status"].eq("completed")
    return CompletionByPriorIncidents(
        programme,
        count_many,
        count_few,
        float(completed[~many].mean()),
        float(completed[many].mean()),
    )


def training_by_role(scores: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """Practitioners trained, questionnaires returned and mean score change by role, suppressed.

    Examples
    --------
    >>> scores = pd.DataFrame({"role": ["police"] * 12, "score_before": [50.0] * 12,
    ...     "score_after": [55.0] * 11 + [None]})
    >>> training_by_role(scores, threshold=10).loc["police"].tolist()
    [12, 11, 5.0]
    """
    change = scores["score_after"] - scores["score_before"]
    table = (
        pd.DataFrame({"role": scores["role"], "change": change})
        .groupby("role")
        .agg(
            practitioners=("change", "size"),
            returned=("change", "count"),
            mean_change=("change", "mean"),
        )
        .round({"mean_change": 1})
    )
    return suppress(
        table,
        columns=["practitioners", "returned"],
        threshold=threshold,
        known_totals="columns",
        derived={"mean_change": "returned"},
    )


def reoffending_table(rows: Sequence[tuple[str, Estimate, str]]) -> pd.DataFrame:
    """The 12-month reoffending designs as a table: one row per programme and design.

    Parameters
    ----------
    rows : sequence of (label, Estimate, programme)
        As the forest plot takes them.
    """
    return pd.DataFrame(
        [
            {
                "programme": name,
                "design": label,
                "difference (pp)": round(est.effect, 1),
                "95% CI": f"{est.ci_low:.1f} to {est.ci_high:.1f}",
                "people": est.n,
            }
            for label, est, name in rows
        ]
    )


def harm_table(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The harm and offending designs as a table, numbers written as the prose writes them.

    Parameters
    ----------
    rows : sequence of mapping
        One per programme and design, with ``programme``, ``label``, ``estimate``
        (:class:`~analysis.results.Estimate`), ``mde`` and ``sms_level``.
    """
    return pd.DataFrame(
        [
            {
                "programme": row["programme"],
                "outcome and design": row["label"],
                "effect per person-quarter": format_number(row["estimate"].effect),
                "95% CI": f"{format_number(row['estimate'].ci_low)} to "
                f"{format_number(row['estimate'].ci_high)}",
                "MDE": format_number(row["mde"]),
                "SMS": row["sms_level"],
            }
            for row in rows
        ]
    )


def spending_table(costs: pd.DataFrame) -> pd.DataFrame:
    """:func:`costs_by_year` with every amount written in pounds (cash prices)."""
    from ...evidence import vfm

    return costs_by_year(costs).map(vfm.format_gbp)


def cash_spending(costs: pd.DataFrame, financial_year: str) -> float:
    """Cash spending on every line in one financial year (as the costs table states it)."""
    return float(costs.loc[costs["financial_year"].eq(financial_year), "cost_gbp"].sum())
