"""Op Soteria Bluestone: analysis and display tables from the RASSO extract.

Every crime is followed from its report (:func:`crime_ends`): how it ended (charge, victim
withdrawal, evidential difficulties, no suspect identified, another closure) or that it is
still open at the extract date (censored), after how many days, and whether it was reported
before or after adoption. The cohort and period rates, the stage timeliness, the ISVA
referral rates and the monthly charge counts the report shows are built from it, with
small counts suppressed in the display copies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...evidence.disclosure import suppress

#: How each Home Office outcome code ends a RASSO crime (0 and blank: still open).
END_OF_CODE: dict[int, str] = {
    0: "open",
    1: "charge",
    14: "withdrawal",
    16: "withdrawal",
    15: "evidential",
    18: "no_suspect",
}

#: Ends other than those above (codes 9, 10, 12, 13, 21...).
OTHER_END = "other_closure"

#: Ends in the order the report shows them.
ENDS: tuple[str, ...] = ("charge", "withdrawal", "evidential", "no_suspect", OTHER_END)

#: Words for each end in tables and sentences.
END_LABELS: dict[str, str] = {
    "charge": "charge or summons (1)",
    "withdrawal": "victim does not support (14, 16)",
    "evidential": "evidential difficulties, victim supports (15)",
    "no_suspect": "no suspect identified (18)",
    OTHER_END: "other closure",
}

#: Days after report within which withdrawal counts as early.
EARLY_DAYS = 30


def crime_ends(
    crimes: pd.DataFrame, extract_date: pd.Timestamp, adoption_date: pd.Timestamp
) -> pd.DataFrame:
    """One row per crime: how and when it ended, followed from its report.

    Parameters
    ----------
    crimes : DataFrame
        The ``crimes`` table as loaded.
    extract_date : Timestamp
        Date the extract was taken: open crimes are censored there.
    adoption_date : Timestamp
        Crimes reported on or after it are in the ``after`` cohort.

    Returns
    -------
    DataFrame
        The crime's ``offence``, ``team``, ``report_date``, ``outcome_code`` (blank read
        as 0), ``end`` (one of :data:`ENDS` or ``"open"``), ``days`` (report to outcome,
        or to the extract date while open), ``after`` (0/1) and ``period`` ("before" or
        "after").

    Examples
    --------
    >>> crimes = pd.DataFrame({
    ...     "offence": ["adult_rape"] * 3, "team": ["other"] * 3,
    ...     "report_date": pd.to_datetime(["2023-01-01", "2023-08-01", "2024-01-01"]),
    ...     "outcome_date": pd.to_datetime(["2023-03-02", None, "2024-01-31"]),
    ...     "outcome_code": pd.array([16, 0, 1], dtype="Int64"),
    ... })
    >>> ends = crime_ends(crimes, pd.Timestamp("2024-03-31"), pd.Timestamp("2023-07-01"))
    >>> ends["end"].tolist(), ends["days"].tolist(), ends["period"].tolist()
    (['withdrawal', 'open', 'charge'], [60, 243, 30], ['before', 'after', 'after'])
    """
    code = crimes["outcome_code"].fillna(0).astype(int)
    end = code.map(END_OF_CODE).fillna(OTHER_END)
    # A finalised code without an outcome date cannot be timed: it is treated as open.
    closed_on = crimes["outcome_date"].where(end != "open")
    stop = closed_on.fillna(extract_date)
    end = end.where(closed_on.notna() | (end == "open"), "open")
    after = (crimes["report_date"] >= adoption_date).astype(int)
    return pd.DataFrame(
        {
            "offence": crimes["offence"].to_numpy(),
            "team": crimes["team"].to_numpy(),
            "report_date": crimes["report_date"].to_numpy(),
            "outcome_code": code.to_numpy(),
            "end": end.to_numpy(),
            "days": (stop - crimes["report_date"]).dt.days.to_numpy(),
            "after": after.to_numpy(),
            "period": np.where(after == 1, "after", "before"),
        }
    )


def adult_rape(ends: pd.DataFrame) -> pd.DataFrame:
    """The adult rape crimes of :func:`crime_ends` (the headline population)."""
    return ends[ends["offence"] == "adult_rape"].reset_index(drop=True)


def cohort_and_period_rates(crimes: pd.DataFrame, ends: pd.DataFrame) -> pd.DataFrame:
    """Adult rape charge rates per financial year two ways: by cohort of report and by period.

    The cohort rate follows the crimes reported in a year (charged so far out of those
    reported, with the number still open); the period rate divides the charges assigned in
    a year by the outcomes assigned in it, whatever year the crimes were reported in, as
    published tables do; the third column divides those charges by the crimes reported in
    the year, the figure that falls when reports rise. Years, not quarters: a few charges a
    month leave most quarterly counts below the suppression threshold.

    Examples
    --------
    >>> crimes = pd.DataFrame({
    ...     "offence": ["adult_rape"] * 3, "team": ["other"] * 3,
    ...     "report_date": pd.to_datetime(["2023-01-05", "2023-02-01", "2023-04-03"]),
    ...     "outcome_date": pd.to_datetime(["2023-04-20", None, "2023-05-01"]),
    ...     "outcome_code": pd.array([1, 0, 15], dtype="Int64"),
    ... })
    >>> ends = crime_ends(crimes, pd.Timestamp("2023-06-30"), pd.Timestamp("2023-04-01"))
    >>> cohort_and_period_rates(crimes, ends)["reported"].to_dict()
    {'2022/23': 2, '2023/24': 1}
    """
    adult = crimes["offence"] == "adult_rape"
    # Financial years end in March: "Y-MAR" periods are labelled by the year they end in.
    report_quarter = crimes.loc[adult, "report_date"].dt.to_period("Y-MAR")
    outcome_quarter = crimes.loc[adult, "outcome_date"].dt.to_period("Y-MAR")
    charged = ends.loc[adult.to_numpy(), "end"].to_numpy() == "charge"
    is_open = ends.loc[adult.to_numpy(), "end"].to_numpy() == "open"
    cohort = pd.DataFrame(
        {"quarter": report_quarter.to_numpy(), "charged": charged, "open": is_open}
    ).groupby("quarter")
    period = pd.DataFrame(
        {"quarter": outcome_quarter.to_numpy(), "charged": charged, "finalised": ~is_open}
    ).dropna(subset=["quarter"])
    period = period[period["finalised"]].groupby("quarter")
    table = pd.DataFrame(
        {
            "reported": cohort.size(),
            "charged_so_far": cohort["charged"].sum(),
            "still_open": cohort["open"].sum(),
        }
    )
    table["outcomes_assigned"] = period.size().reindex(table.index, fill_value=0)
    table["charges_assigned"] = period["charged"].sum().reindex(table.index, fill_value=0)
    table = table.astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["cohort_rate"] = table["charged_so_far"] / table["reported"]
        table["period_rate"] = table["charges_assigned"] / table["outcomes_assigned"]
        table["charges_per_report"] = table["charges_assigned"] / table["reported"]
    table.index = [f"{p.year - 1}/{p.year % 100:02d}" for p in table.index]
    table.index.name = "financial_year"
    return table


def rates_display(rates: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """:func:`cohort_and_period_rates` safe to publish (rates of suppressed counts hidden)."""
    return suppress(
        rates,
        columns=[
            "reported",
            "charged_so_far",
            "still_open",
            "outcomes_assigned",
            "charges_assigned",
        ],
        threshold=threshold,
        # No row or column of this table is the sum of others (other ends are not shown),
        # so a suppressed cell cannot be recovered and secondary suppression is not needed.
        secondary=False,
        total_row=None,
        total_column=None,
        derived={
            "cohort_rate": ["charged_so_far", "reported"],
            "period_rate": ["charges_assigned", "outcomes_assigned"],
            "charges_per_report": ["charges_assigned", "reported"],
        },
    )


def monthly_charges(crimes: pd.DataFrame) -> pd.DataFrame:
    """Adult rape charges per calendar month (by charge date), zero months included."""
    adult = crimes[(crimes["offence"] == "adult_rape") & crimes["charge_date"].notna()]
    counts = adult["charge_date"].dt.to_period("M").value_counts()
    months = pd.period_range(crimes["report_date"].min(), crimes["report_date"].max(), freq="M")
    return pd.DataFrame({"charges": counts.reindex(months, fill_value=0).astype(int)})


def stage_timeliness(crimes: pd.DataFrame, ends: pd.DataFrame) -> pd.DataFrame:
    """Median days from report to each stage, by period, among crimes reaching it.

    Medians of completed stages only: a median of days to charge among crimes charged so
    far is shorter for recent cohorts simply because long cases are still open, which is
    why the headline uses the cumulative incidence instead.
    """
    stages = {
        "recorded": "recorded_date",
        "suspect identified": "suspect_identified_date",
        "referred to the CPS": "cps_referral_date",
        "charged": "charge_date",
        "outcome assigned": "outcome_date",
    }
    rows = []
    for period in ("before", "after"):
        inside = (ends["period"] == period).to_numpy()
        for stage, column in stages.items():
            days = (crimes.loc[inside, column] - crimes.loc[inside, "report_date"]).dt.days
            days = days.dropna()
            rows.append(
                {
                    "period": period,
                    "stage": stage,
                    "crimes": int(days.size),
                    "median_days": float(days.median()) if days.size else np.nan,
                }
            )
    table = pd.DataFrame(rows).pivot(index="stage", columns="period")
    table.columns = [f"{what}_{period}" for what, period in table.columns]
    return table.reindex(list(stages))[
        ["crimes_before", "median_days_before", "crimes_after", "median_days_after"]
    ]


def timeliness_display(table: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """:func:`stage_timeliness` safe to publish (medians of small groups hidden)."""
    return suppress(
        table.astype({"crimes_before": int, "crimes_after": int}),
        columns=["crimes_before", "crimes_after"],
        threshold=threshold,
        total_row=None,
        derived={
            "median_days_before": "crimes_before",
            "median_days_after": "crimes_after",
        },
    )


def isva_referrals(crimes: pd.DataFrame, ends: pd.DataFrame, by: str) -> pd.DataFrame:
    """Victims referred to an ISVA, by ``by`` (age band, relationship) and period."""
    frame = pd.DataFrame(
        {
            by: crimes[by].to_numpy(),
            "period": ends["period"].to_numpy(),
            "referred": crimes["isva_referral"].to_numpy(),
        }
    )
    grouped = frame.groupby([by, "period"])["referred"]
    table = pd.DataFrame({"crimes": grouped.size(), "referred": grouped.sum()}).unstack("period")
    table = table.fillna(0).astype(int)
    table.columns = [f"{what}_{period}" for what, period in table.columns]
    table = table[["crimes_before", "referred_before", "crimes_after", "referred_after"]]
    table["share_before"] = table["referred_before"] / table["crimes_before"]
    table["share_after"] = table["referred_after"] / table["crimes_after"]
    return table


def isva_display(table: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """:func:`isva_referrals` safe to publish."""
    return suppress(
        table,
        columns=["crimes_before", "referred_before", "crimes_after", "referred_after"],
        threshold=threshold,
        total_row=None,
        derived={
            "share_before": ["referred_before", "crimes_before"],
            "share_after": ["referred_after", "crimes_after"],
        },
    )


def withdrawal_timing(ends: pd.DataFrame) -> pd.DataFrame:
    """Recorded withdrawals (14, 16) of adult rape, and how many came within 30 days."""
    adult = adult_rape(ends)
    withdrawn = adult[adult["end"] == "withdrawal"]
    early = (withdrawn["days"] <= EARLY_DAYS).groupby(withdrawn["period"])
    table = pd.DataFrame({"withdrawals": early.size(), "within_30_days": early.sum()})
    return table.reindex(["before", "after"], fill_value=0).astype(int)


#: Home Office offence codes of adult rape (female and male victims aged 16 and over).
ADULT_RAPE_CODES: tuple[str, ...] = ("19C", "19F")

#: Force names the Home Office tables write differently from the adoption reference table.
FORCE_NAME_ALIASES: dict[str, str] = {"London, City of": "City of London"}


@dataclass(frozen=True)
class ForcePanel:
    """Adult rape charge share per force and quarter, with each force's adoption quarter.

    Attributes
    ----------
    panel : DataFrame
        One row per force and calendar quarter: ``force``, ``quarter`` (Period),
        ``period`` (0, 1, ... over the quarters), ``outcomes`` and ``charges`` assigned,
        ``charge_share`` (charges / outcomes), ``wave``, ``adoption_quarter`` and
        ``first_treated`` (the period of the adoption quarter).
    dorset_quarter : Period
        The quarter containing Dorset's adoption date: its first treated quarter.
    dropped : tuple of str
        Names in the table that are not territorial forces of the adoption table (national
        fraud reporting bodies, transport police), left out.
    """

    panel: pd.DataFrame
    dorset_quarter: pd.Period
    dropped: tuple[str, ...] = ()

    def quarter_period(self, quarter: pd.Period) -> int:
        """The ``period`` number of a calendar quarter."""
        return int((quarter - self.panel["quarter"].min()).n)


def force_panel(
    outcomes: pd.DataFrame, adoption: pd.DataFrame, dorset_adoption: pd.Timestamp
) -> ForcePanel:
    """Adult rape charge share per force and quarter from the Home Office outcomes table.

    The share is the period rate the published tables give: charge/summons outcomes (type
    1) over every outcome assigned in the quarter, for adult rape (:data:`ADULT_RAPE_CODES`).
    A force's first treated quarter is the one containing its adoption date, so a quarter
    adopted part-way through counts as adopted and a comparison force is never part-treated.

    Parameters
    ----------
    outcomes : DataFrame
        The ``force_outcomes`` table, or :func:`analysis.data.public.read_crime_outcomes`.
    adoption : DataFrame
        The ``soteria_adoption`` reference table (``force``, ``wave``, ``adoption_date``).
    dorset_adoption : Timestamp
        Dorset's adoption date (the programme's parameter, which replaces the table's).

    Examples
    --------
    >>> from analysis.data import load_reference
    >>> from analysis.synthetic import generate
    >>> synth = generate("soteria", seed=1, scale=0.3)
    >>> result = force_panel(synth.tables["force_outcomes"], load_reference("soteria_adoption"),
    ...                      pd.Timestamp("2023-07-01"))
    >>> result.panel["force"].nunique(), str(result.dorset_quarter)
    (43, '2023Q3')
    """
    from ...data.public import calendar_quarter

    code = outcomes["offence_code"].astype(str).str.strip()
    adult = outcomes[code.isin(ADULT_RAPE_CODES)]
    force = adult["force_name"].astype(str).str.strip().replace(FORCE_NAME_ALIASES)
    outcome_type = adult["outcome_type"].astype(str).str.strip().str.lstrip("0")
    frame = pd.DataFrame(
        {
            "force": force.to_numpy(),
            "quarter": calendar_quarter(
                adult["financial_year"], adult["financial_quarter"]
            ).to_numpy(),
            "outcomes": adult["force_outcomes"].astype(float).to_numpy(),
            "charges": np.where(outcome_type == "1", adult["force_outcomes"].astype(float), 0.0),
        }
    )
    known = set(adoption["force"])
    dropped = tuple(sorted(set(frame["force"]) - known))
    frame = frame[frame["force"].isin(known)]
    panel = frame.groupby(["force", "quarter"], as_index=False)[["outcomes", "charges"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        panel["charge_share"] = panel["charges"] / panel["outcomes"]
    # A quarter with no outcomes has no share: the force is left out of the balanced panel.
    panel = panel[panel["outcomes"] > 0]
    dates = adoption.set_index("force")["adoption_date"].copy()
    dates.loc["Dorset"] = dorset_adoption
    adopted = pd.Series(pd.PeriodIndex(pd.to_datetime(dates), freq="Q"), index=dates.index)
    panel["wave"] = panel["force"].map(adoption.set_index("force")["wave"].astype(str))
    panel["adoption_quarter"] = panel["force"].map(adopted)
    first = panel["quarter"].min()
    panel["period"] = (panel["quarter"] - first).map(lambda offset: offset.n).astype(int)
    panel["first_treated"] = (panel["adoption_quarter"] - first).map(lambda offset: offset.n)
    panel = panel.sort_values(["force", "quarter"]).reset_index(drop=True)
    return ForcePanel(panel, pd.Timestamp(dorset_adoption).to_period("Q"), dropped)
