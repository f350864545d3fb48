"""lSaVI's analysis tables, from the panel to the display-ready tables the report shows.

The premises-month panel, assessment histories, process and data-quality
tables live here. The generic builders they wrap (unit-by-month panels, monthly
series, uptake tables) are in :mod:`analysis.data.panels`; every table a reader
sees passes through :func:`analysis.evidence.disclosure.suppress` here, so the
notebook only displays what this module prepared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...data.codes import AREAS
from ...data.contracts.lsavi import INCIDENT_CATEGORIES, NTE_VIOLENCE, VIOLENCE_VULNERABILITY
from ...data.panels import monthly_counts, months_between, unit_month_panel, uptake_table
from ...evidence.disclosure import suppress
from ...results import Estimate, format_number

#: Outcomes counted in the premises-month panel: name -> incident categories.
PANEL_OUTCOMES: dict[str, tuple[str, ...]] = {
    "violence_vulnerability": VIOLENCE_VULNERABILITY,
    "theft": ("theft",),
    "drugs": ("drugs",),
    "disorder": ("disorder",),
    "nte_violence": NTE_VIOLENCE,
    "all_incidents": INCIDENT_CATEGORIES,
}

#: Plain names of the panel outcomes, for sentences and labels.
OUTCOME_LABELS: dict[str, str] = {
    "violence_vulnerability": "violence and vulnerability incidents",
    "theft": "theft incidents",
    "drugs": "drugs incidents",
    "disorder": "disorder incidents",
    "nte_violence": "night-time-economy violence",
    "all_incidents": "incidents of any kind",
}

#: Premises characteristics carried into the panel (for descriptions and subgroups).
PREMISES_COLUMNS: tuple[str, ...] = ("premises_type", "area", "capacity_band", "late_licence")


def outcome_label(outcome: str) -> str:
    """Plain name of a panel outcome, for sentences and labels.

    Examples
    --------
    >>> outcome_label("theft"), outcome_label("street_drinking")
    ('theft incidents', 'street drinking')
    """
    return OUTCOME_LABELS.get(outcome, outcome.replace("_", " "))


def premises_month_panel(
    premises: pd.DataFrame,
    incidents: pd.DataFrame,
    *,
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
) -> pd.DataFrame:
    """Premises-by-month panel of incident counts with each premises' sign-up cohort.

    A thin wrapper of :func:`unit_month_panel` for the lSaVI tables: one count
    column per outcome in :data:`PANEL_OUTCOMES`, the premises characteristics in
    :data:`PREMISES_COLUMNS`, and the sign-up month as the adoption cohort.
    Street incidents (no premises) are not in the panel; premises that signed up
    after ``end`` count as not signed up within the window.

    Parameters
    ----------
    premises, incidents : DataFrame
        The ``premises`` and ``incidents`` tables as loaded.
    start, end : str or Timestamp
        First and last month of the panel.

    Returns
    -------
    DataFrame
        See :func:`unit_month_panel`.

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.1).tables
    >>> panel = premises_month_panel(tables["premises"], tables["incidents"],
    ...                              start="2023-04-01", end="2026-06-01")
    >>> len(panel) == len(tables["premises"]) * 39
    True
    """
    return unit_month_panel(
        premises,
        incidents,
        unit="premises_id",
        event_date="incident_date",
        start=start,
        end=end,
        outcomes={name: {"category": cats} for name, cats in PANEL_OUTCOMES.items()},
        adoption_date="signup_date",
        keep=PREMISES_COLUMNS,
    )


def assessment_history(self_assessments: pd.DataFrame) -> pd.DataFrame:
    """Each premises' first and latest self-assessment, scored as the mean over domains.

    Parameters
    ----------
    self_assessments : DataFrame
        The ``self_assessments`` table (one row per assessment and domain).

    Returns
    -------
    DataFrame
        One row per premises that assessed: ``premises_id``, ``assessments``
        (how many), ``first_date``, ``latest_date``, ``months_apart``,
        ``first_score``, ``latest_score`` and ``change`` (latest minus first; only
        for premises with two or more assessments, missing otherwise).

    Examples
    --------
    >>> rows = pd.DataFrame({
    ...     "assessment_id": ["A1", "A1", "A2", "A2", "A3"],
    ...     "premises_id": ["P1", "P1", "P1", "P1", "P2"],
    ...     "assessment_date": pd.to_datetime(["2025-04-01"] * 2 + ["2025-07-01"] * 2
    ...                                       + ["2025-05-01"]),
    ...     "domain": ["cctv", "drugs", "cctv", "drugs", "cctv"],
    ...     "score": [50.0, 60.0, 70.0, 70.0, 40.0]})
    >>> assessment_history(rows)[["premises_id", "assessments", "first_score", "change"]]
      premises_id  assessments  first_score  change
    0          P1            2         55.0    15.0
    1          P2            1         40.0     NaN
    """
    per_assessment = (
        self_assessments.groupby(["premises_id", "assessment_id"], sort=False)
        .agg(date=("assessment_date", "first"), score=("score", "mean"))
        .reset_index()
        .sort_values(["premises_id", "date", "assessment_id"], kind="stable")
    )
    grouped = per_assessment.groupby("premises_id", sort=True)
    history = grouped.agg(
        assessments=("assessment_id", "size"),
        first_date=("date", "first"),
        latest_date=("date", "last"),
        first_score=("score", "first"),
        latest_score=("score", "last"),
    ).reset_index()
    history["months_apart"] = (history["latest_date"] - history["first_date"]).dt.days / (
        365.25 / 12
    )
    repeated = history["assessments"] >= 2
    history["change"] = (history["latest_score"] - history["first_score"]).where(repeated)
    return history


def domain_score_changes(self_assessments: pd.DataFrame) -> pd.DataFrame:
    """Mean first and latest score by domain, premises with two or more assessments.

    Parameters
    ----------
    self_assessments : DataFrame
        The ``self_assessments`` table.

    Returns
    -------
    DataFrame
        Indexed by domain: ``premises``, ``first_mean``, ``latest_mean``,
        ``mean_change``.

    Examples
    --------
    >>> rows = pd.DataFrame({
    ...     "assessment_id": ["A1", "A2"], "premises_id": ["P1", "P1"],
    ...     "assessment_date": pd.to_datetime(["2025-04-01", "2025-07-01"]),
    ...     "domain": ["cctv", "cctv"], "score": [50.0, 65.0]})
    >>> domain_score_changes(rows).loc["cctv", "mean_change"]
    np.float64(15.0)
    """
    ordered = self_assessments.sort_values(
        ["premises_id", "domain", "assessment_date"], kind="stable"
    )
    grouped = ordered.groupby(["premises_id", "domain"], sort=True)["score"]
    pairs = pd.DataFrame(
        {"first": grouped.first(), "latest": grouped.last(), "n": grouped.size()}
    ).reset_index()
    pairs = pairs.loc[pairs["n"] >= 2]
    table = pairs.groupby("domain").agg(
        premises=("premises_id", "size"),
        first_mean=("first", "mean"),
        latest_mean=("latest", "mean"),
    )
    table["mean_change"] = table["latest_mean"] - table["first_mean"]
    return table


def engagement_funnel(premises: pd.DataFrame, history: pd.DataFrame) -> dict[str, int]:
    """Licensed premises -> signed up -> first self-assessment -> a repeat assessment.

    Parameters
    ----------
    premises : DataFrame
        The ``premises`` table.
    history : DataFrame
        From :func:`assessment_history`.

    Returns
    -------
    dict of str to int
        Stage -> number of premises, in order.

    Examples
    --------
    >>> premises = pd.DataFrame({"premises_id": ["P1", "P2", "P3"],
    ...                          "signup_date": pd.to_datetime(["2025-05-01", "2025-06-01", None])})
    >>> history = pd.DataFrame({"premises_id": ["P1", "P2"], "assessments": [3, 1]})
    >>> engagement_funnel(premises, history)
    {'Licensed premises': 3, 'Signed up': 2, 'Completed a self-assessment': 2, 'Repeated it': 1}
    """
    signed = premises.loc[premises["signup_date"].notna(), "premises_id"]
    assessed = history.loc[history["premises_id"].isin(signed)]
    return {
        "Licensed premises": len(premises),
        "Signed up": len(signed),
        "Completed a self-assessment": len(assessed),
        "Repeated it": int((assessed["assessments"] >= 2).sum()),
    }


def data_quality_table(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
    pilot_start: str | pd.Timestamp,
    pilot_months: int,
) -> pd.DataFrame:
    """What the extract holds, and what each analysis keeps or leaves out, and why.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The loaded ``premises``, ``self_assessments`` and ``incidents`` tables.
    start, end : str or Timestamp
        First and last month of the analysis window.
    pilot_start : str or Timestamp
        First day of the pilot.
    pilot_months : int
        Length of the pilot in months.

    Returns
    -------
    DataFrame
        Columns ``table``, ``item``, ``rows`` and ``treatment`` (what the analysis
        does with those rows).

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.1).tables
    >>> quality = data_quality_table(tables, start="2023-04-01", end="2026-06-01",
    ...                              pilot_start="2025-04-01", pilot_months=12)
    >>> quality.loc[0, "item"]
    'Licensed premises'
    """
    premises = tables["premises"]
    incidents = tables["incidents"]
    assessments = tables["self_assessments"]
    window_start = pd.Timestamp(start).to_period("M").to_timestamp()
    window_end = pd.Timestamp(end).to_period("M").to_timestamp() + pd.offsets.MonthEnd(0)
    pilot_start = pd.Timestamp(pilot_start)
    pilot_end = pilot_start + pd.DateOffset(months=pilot_months) - pd.Timedelta(days=1)

    signup = premises["signup_date"]
    street = incidents["premises_id"].isna()
    before = incidents["incident_date"] < window_start
    after = incidents["incident_date"] > window_end
    history = assessment_history(assessments)
    rows = [
        ("premises", "Licensed premises", len(premises), "all in the panel"),
        ("premises", "Signed up to lSaVI", int(signup.notna().sum()), "participants"),
        (
            "premises",
            "Signed up outside the pilot year",
            int((signup.notna() & ~signup.between(pilot_start, pilot_end)).sum()),
            "kept; cohort is the sign-up month",
        ),
        ("premises", "Never signed up", int(signup.isna().sum()), "comparison group"),
        ("incidents", "Incidents in the extract", len(incidents), ""),
        (
            "incidents",
            "Street incidents (no premises)",
            int(street.sum()),
            "in the area time series only; not in the premises panel",
        ),
        (
            "incidents",
            "Before the analysis window",
            int(before.sum()),
            "left out of every analysis",
        ),
        (
            "incidents",
            "After the last complete month",
            int(after.sum()),
            "left out: still being recorded at the extract date",
        ),
        (
            "incidents",
            "Premises incidents in the panel",
            int((~street & ~before & ~after).sum()),
            "counted in the premises-month panel",
        ),
        (
            "self_assessments",
            "Assessments (all domains)",
            int(assessments["assessment_id"].nunique()),
            "",
        ),
        (
            "self_assessments",
            "Signed up but never self-assessed",
            int((signup.notna() & ~premises["premises_id"].isin(history["premises_id"])).sum()),
            "participants all the same (the comparison is by sign-up)",
        ),
        (
            "self_assessments",
            "Premises with a single assessment",
            int((history["assessments"] == 1).sum()),
            "left out of the score-change analysis (no second score)",
        ),
        (
            "self_assessments",
            "Assessments without a door-security score",
            int(
                assessments["assessment_id"].nunique()
                - assessments.loc[
                    assessments["domain"] == "door_security", "assessment_id"
                ].nunique()
            ),
            "expected: premises with no door staff skip that domain",
        ),
    ]
    for name, frame in tables.items():
        for column in frame.columns:
            blanks = int(frame[column].isna().sum())
            if blanks:
                rows.append((name, f"Blank {column}", blanks, _BLANK_MEANING.get(column, "")))
    return pd.DataFrame(rows, columns=["table", "item", "rows", "treatment"])


#: What a blank means, for the columns where blanks are allowed.
_BLANK_MEANING = {
    "signup_date": "never signed up (comparison group)",
    "premises_id": "street incident, not linked to a premises",
}


def reach_table(panel: pd.DataFrame, *, pilot_start: str | pd.Timestamp) -> pd.DataFrame:
    """How much of the pre-pilot problem participating premises accounted for.

    Returns
    -------
    DataFrame
        Indexed by outcome: ``at_participants``, ``all``, ``share`` of the incidents in
        the months before the pilot that happened at premises that later signed up.

    Examples
    --------
    >>> panel = pd.DataFrame({"month": pd.to_datetime(["2025-01-01"] * 2),
    ...                       "first_treated": pd.array([5, None], dtype="Int64"),
    ...                       "violence_vulnerability": [3, 1], "theft": [0, 2]})
    >>> reach_table(panel, pilot_start="2025-04-01").loc["violence_vulnerability", "share"]
    np.float64(0.75)
    """
    before = panel.loc[panel["month"] < pd.Timestamp(pilot_start)]
    participant = before["first_treated"].notna()
    rows = {}
    for outcome in [c for c in PANEL_OUTCOMES if c in before.columns]:
        total = int(before[outcome].sum())
        mine = int(before.loc[participant, outcome].sum())
        rows[outcome] = {
            "at_participants": mine,
            "all": total,
            "share": mine / total if total else np.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def selection_table(
    panel: pd.DataFrame,
    *,
    pilot_start: str | pd.Timestamp,
    outcome: str = "violence_vulnerability",
    quarters: bool = True,
) -> pd.DataFrame:
    """Incidents per premises-month before the pilot, by when (or whether) premises signed up.

    Shows selection into the pilot on risk: if participants, and the earliest of
    them most, had more incidents before anyone could sign up, a naive comparison
    is biased.

    Returns
    -------
    DataFrame
        One row per group (sign-up quarter of the pilot, or month, then "never"):
        ``group``, ``premises``, ``premises_months``, ``incidents``, ``rate`` (incidents
        per premises-month).

    Examples
    --------
    >>> panel = pd.DataFrame({"premises_id": ["a", "a", "b", "b"],
    ...                       "month": pd.to_datetime(["2025-01-01", "2025-05-01"] * 2),
    ...                       "cohort": pd.to_datetime(["2025-05-01"] * 2 + [None] * 2),
    ...                       "violence_vulnerability": [3, 0, 1, 1]})
    >>> selection_table(panel, pilot_start="2025-04-01")[["group", "rate"]].values.tolist()
    [['signed up in pilot quarter 1', 3.0], ['never signed up', 1.0]]
    """
    start = pd.Timestamp(pilot_start)
    before = panel.loc[panel["month"] < start]
    months_in = months_between(start, before["cohort"])
    if quarters:
        label = "signed up in pilot quarter " + (months_in // 3 + 1).astype("Int64").astype(str)
    else:
        label = "signed up in pilot month " + (months_in + 1).astype("Int64").astype(str)
    label = label.where(before["cohort"].notna(), "never signed up")
    grouped = before.groupby(label.to_numpy(), sort=False).agg(
        premises=("premises_id", "nunique"),
        premises_months=(outcome, "size"),
        incidents=(outcome, "sum"),
    )
    order = sorted(g for g in grouped.index if g != "never signed up") + ["never signed up"]
    grouped = grouped.reindex([g for g in order if g in grouped.index])
    grouped["rate"] = grouped["incidents"] / grouped["premises_months"]
    return grouped.rename_axis("group").reset_index()


def nte_violence_series(
    incidents: pd.DataFrame,
    *,
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
    by_area: bool = False,
) -> pd.DataFrame:
    """Monthly night-time-economy violence, county-wide or by area (premises and street).

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> incidents = generate("lsavi", seed=1, scale=0.25).tables["incidents"]
    >>> nte_violence_series(incidents, start="2023-04-01", end="2026-06-01").shape
    (39, 2)
    """
    return monthly_counts(
        incidents,
        event_date="incident_date",
        start=start,
        end=end,
        where={"category": NTE_VIOLENCE, "night_time_economy": [True]},
        by="area" if by_area else None,
        levels=AREAS if by_area else None,
    )


def mean_followup_months(panel: pd.DataFrame) -> float:
    """Months the average participant was observed from its sign-up month to the panel's end.

    Examples
    --------
    >>> panel = pd.DataFrame({"premises_id": ["a", "a", "b", "b"], "treated": [1, 1, 0, 1]})
    >>> mean_followup_months(panel)
    np.float64(1.5)
    """
    treated = panel["treated"] == 1
    return panel["treated"].sum() / panel.loc[treated, "premises_id"].nunique()


def repeat_share(funnel: Mapping[str, int]) -> float:
    """Share of premises that completed a self-assessment and went on to repeat it.

    Examples
    --------
    >>> repeat_share({"Completed a self-assessment": 40, "Repeated it": 10})
    0.25
    >>> repeat_share({"Completed a self-assessment": 0, "Repeated it": 0})
    0.0
    """
    return funnel["Repeated it"] / max(funnel["Completed a self-assessment"], 1)


def before_pilot_rate_ratio(selection: pd.DataFrame) -> float:
    """Participants' incidents per premises-month before the pilot over non-participants'.

    Parameters
    ----------
    selection : DataFrame
        From :func:`selection_table`.

    Examples
    --------
    >>> selection = pd.DataFrame({"group": ["signed up in pilot quarter 1", "never signed up"],
    ...                           "premises_months": [10, 40], "incidents": [6, 8],
    ...                           "rate": [0.6, 0.2]})
    >>> float(round(before_pilot_rate_ratio(selection), 6))
    3.0
    """
    joined = selection["group"] != "never signed up"
    participants = (
        selection.loc[joined, "incidents"].sum() / selection.loc[joined, "premises_months"].sum()
    )
    return participants / selection.loc[~joined, "rate"].iloc[0]


# ----------------------------------------------------------------------------- display tables
@dataclass(frozen=True)
class UptakeBreakdown:
    """Uptake by one characteristic of the premises, as the report shows it.

    Attributes
    ----------
    title : str
        What the premises are grouped by, as the report names it ("area").
    column : str
        The ``premises`` column grouped by.
    table : DataFrame
        :func:`analysis.data.panels.uptake_table`'s output (column ``group``).
    display : DataFrame
        Premises and sign-ups by group with small counts suppressed.
    figure_table : DataFrame
        ``table`` with its ``group`` column named ``title``, for the uptake figure.
    """

    title: str
    column: str
    table: pd.DataFrame
    display: pd.DataFrame
    figure_table: pd.DataFrame


#: Characteristics uptake is broken down by: title -> (premises column, groups always listed).
UPTAKE_BREAKDOWNS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "premises type": ("premises_type", None),
    "area": ("area", AREAS),
}


def uptake_breakdowns(premises: pd.DataFrame, *, threshold: int) -> list[UptakeBreakdown]:
    """Uptake (ever signed up) by each of :data:`UPTAKE_BREAKDOWNS`, ready to display.

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> premises = generate("lsavi", seed=1, scale=0.25).tables["premises"]
    >>> [b.title for b in uptake_breakdowns(premises, threshold=10)]
    ['premises type', 'area']
    """
    signed = premises.assign(signed_up=premises["signup_date"].notna())
    breakdowns = []
    for title, (column, levels) in UPTAKE_BREAKDOWNS.items():
        table = uptake_table(signed, adopted="signed_up", by=column, levels=levels)
        shown = table.set_index("group")[["units", "adopted"]].rename(
            columns={"units": "premises", "adopted": "signed up"}
        )
        breakdowns.append(
            UptakeBreakdown(
                title=title,
                column=column,
                table=table,
                display=suppress(shown, threshold=threshold),
                figure_table=table.rename(columns={"group": title}),
            )
        )
    return breakdowns


def highest_uptake_group(table: pd.DataFrame, *, threshold: int) -> str | None:
    """The group with the highest uptake among those whose counts may be published.

    A suppressed group's rate must not be disclosed, so a group counts only when both
    its sign-ups and its premises that did not sign up reach ``threshold``.

    Returns
    -------
    str or None
        The group's name; None when every group is suppressed.

    Examples
    --------
    >>> table = pd.DataFrame({"group": ["pub", "bar", "club"], "units": [100, 50, 12],
    ...                       "adopted": [30, 25, 11], "proportion": [0.3, 0.5, 0.92]})
    >>> highest_uptake_group(table, threshold=10)
    'bar'
    >>> highest_uptake_group(table, threshold=40) is None
    True
    """
    shown = table[
        (table["adopted"] >= threshold) & (table["units"] - table["adopted"] >= threshold)
    ]
    if shown.empty:
        return None
    return str(shown.sort_values("proportion", ascending=False).iloc[0]["group"])


def signup_cohorts(premises: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """Premises signed up by month (the staggered adoption), small counts suppressed.

    Examples
    --------
    >>> premises = pd.DataFrame({"signup_date": pd.to_datetime(
    ...     ["2025-04-03"] * 12 + ["2025-05-09"] * 3 + [None])})
    >>> signup_cohorts(premises, threshold=3)["premises signed up"].to_dict()
    {'2025-04': 12, '2025-05': 3}
    """
    cohorts = (
        premises.loc[premises["signup_date"].notna(), "signup_date"]
        .dt.to_period("M")
        .value_counts()
        .sort_index()
        .rename("premises signed up")
        .rename_axis("month")
        .to_frame()
    )
    cohorts.index = cohorts.index.astype(str)
    return suppress(cohorts, threshold=threshold)


def quality_display(quality: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """:func:`data_quality_table` with small counts suppressed (no secondary suppression).

    Rows of the quality table are not parts of one total, so no count can be
    recovered from the others: primary suppression alone protects them.
    """
    return suppress(quality, columns=["rows"], threshold=threshold, secondary=False)


def selection_display(selection: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """:func:`selection_table` as shown: premises and the rate before the pilot, by group.

    Examples
    --------
    >>> selection = pd.DataFrame({"group": ["never signed up"], "premises": [40],
    ...                           "rate": [0.12345]})
    >>> selection_display(selection, threshold=10).loc["never signed up"].tolist()
    [40, np.float64(0.123)]
    """
    shown = (
        selection.set_index("group")[["premises", "rate"]]
        .round({"rate": 3})
        .rename(columns={"rate": "incidents per premises-month before the pilot"})
    )
    return suppress(shown, columns=["premises"], threshold=threshold)


def checks_table(checks: Sequence[tuple[str, Estimate]]) -> pd.DataFrame:
    """The headline beside the checks that could refute it, one row per estimate.

    Examples
    --------
    >>> est = Estimate(-0.1, -0.2, 0.0, 0.05, 10, "difference", "m", "e")
    >>> checks_table([("Headline", est)]).loc["Headline"].tolist()
    ['-0.1', '-0.2 to 0', '0.05']
    """
    return pd.DataFrame(
        {
            "check": [name for name, _ in checks],
            "effect per premises-month": [format_number(e.effect) for _, e in checks],
            "95% CI": [
                f"{format_number(e.ci_low)} to {format_number(e.ci_high)}" for _, e in checks
            ],
            "p": [format_number(e.p_value, 2) for _, e in checks],
        }
    ).set_index("check")


def area_its_display(by_area: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """The area time series as shown: counts before and after, rate ratio with interval, note.

    Examples
    --------
    >>> by_area = pd.DataFrame({"area": ["Poole"], "events_before": [400], "events_after": [8],
    ...                         "effect": [np.nan], "ci_low": [np.nan], "ci_high": [np.nan],
    ...                         "p_value": [np.nan], "note": ["too few"]})
    >>> area_its_display(by_area, threshold=10).loc["Poole"].tolist()
    [400, '<10', '', 'too few']
    """
    shown = by_area.set_index("area")
    shown["rate ratio (95% CI)"] = [
        ""
        if pd.isna(row.effect)
        else (
            f"{format_number(row.effect)} "
            f"({format_number(row.ci_low)} to {format_number(row.ci_high)})"
        )
        for row in by_area.itertuples()
    ]
    return suppress(
        shown[["events_before", "events_after", "rate ratio (95% CI)", "note"]],
        columns=["events_before", "events_after"],
        threshold=threshold,
        secondary=False,
    )


def domain_display(domains: pd.DataFrame, *, threshold: int) -> pd.DataFrame:
    """:func:`domain_score_changes` as shown: scores to one decimal, small groups suppressed."""
    return suppress(
        domains.round(1).rename(
            columns={
                "first_mean": "first score (mean)",
                "latest_mean": "latest score (mean)",
                "mean_change": "change",
            }
        ),
        columns=["premises"],
        threshold=threshold,
        secondary=False,
    )


def incident_mix_display(mix: pd.DataFrame) -> pd.DataFrame:
    """The mix of incidents averted with their unit costs, as shown (no counts, so no suppression).

    Examples
    --------
    >>> mix = pd.DataFrame({"category": ["theft"], "incidents": [3], "share": [1.0],
    ...                     "unit_cost": [1234.0], "line": ["theft"]})
    >>> incident_mix_display(mix).loc["theft", "share"]
    '100%'
    """
    from ...evidence.vfm import format_gbp

    return (
        mix.assign(
            share=mix["share"].map("{:.0%}".format),
            unit_cost=mix["unit_cost"].map(format_gbp),
        )
        .drop(columns="incidents")
        .set_index("category")
    )
