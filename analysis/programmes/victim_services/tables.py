"""Victim services: analysis tables built from the loaded data, and the tables the report shows.

- :func:`emulated_trial`: the target trial each police-recorded crime starts (eligibility,
  support within the grace period, outcomes, time to the next incident from the landmark);
- :func:`reach` and :func:`capacity`: referrals, contact, engagement and caseload against
  the published benchmarks;
- :func:`monthly_service`: the monthly series around the service change;
- :func:`closed_cases`: the exits, with the exit measures (missing where not asked);
- ``*_display``: the same, safe to publish (small counts suppressed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...data.codes import CHARGE_OUTCOME, PENDING_OUTCOME, VICTIM_WITHDRAWAL_OUTCOME
from ...data.contracts.victim_services import NOT_RECORDED
from ...evidence.disclosure import suppress

#: Covariates the supported and unsupported victims are matched on (risk and history at
#: the date of the crime).
MATCH_COVARIATES = ("risk_medium", "risk_high", "risk_not_recorded", "prior_incidents", "sexual")

#: Characteristics reach is broken down by (``"not recorded"`` kept as its own group).
BREAKDOWNS = ("area", "age_band", "sex", "ethnicity")

#: Published benchmarks (SafeLives): referrals a year per full-time IDVA, and MARAC
#: cases a year per 10,000 adult women.
REFERRALS_PER_IDVA = 100
MARAC_PER_10000_WOMEN = 40


def emulated_trial(
    offences: pd.DataFrame,
    cases: pd.DataFrame,
    incidents: pd.DataFrame,
    *,
    support_window_days: int,
    follow_up_days: int,
    extract_date: pd.Timestamp,
) -> pd.DataFrame:
    """One row per eligible crime: the target trial it starts, with outcomes.

    The trial starts on the date of the crime. Eligible: the victim had no case with a
    victim service before it (not already supported) and the grace period has passed by
    the extract date. Strategy: "support" means a case referred within
    ``support_window_days`` of the crime; everyone else is the comparison, including
    victims referred later (they had not been supported at the landmark; their days from
    the landmark to that referral are ``later_referral_days``). Repeat victimisation is
    timed from the landmark (crime + grace period), so that no supported victim's time
    before referral counts as supported time (immortal time); ``horizon_days`` is the
    follow-up each crime could have had.

    Examples
    --------
    >>> offences = pd.DataFrame({"crime_id": ["c1", "c2"], "victim_id": ["a", "b"],
    ...     "offence_date": pd.to_datetime(["2025-01-01", "2025-02-01"]),
    ...     "offence_type": ["domestic_abuse", "sexual_offence"],
    ...     "dash_risk": ["high", "standard"], "prior_incidents": [2, 0],
    ...     "outcome_code": [16, 0]})
    >>> cases = pd.DataFrame({"victim_id": ["a"], "referral_date": pd.to_datetime(["2025-01-05"])})
    >>> incidents = pd.DataFrame({"victim_id": ["a"],
    ...     "incident_date": pd.to_datetime(["2025-03-01"])})
    >>> trial = emulated_trial(offences, cases, incidents, support_window_days=28,
    ...     follow_up_days=365, extract_date=pd.Timestamp("2025-12-31"))
    >>> trial[["supported", "withdrawn", "finalised", "repeat_days", "repeat"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'supported': 1, 'withdrawn': 1, 'finalised': True, 'repeat_days': 31, 'repeat': 1},
     {'supported': 0, 'withdrawn': 0, 'finalised': False, 'repeat_days': 305, 'repeat': 0}]
    """
    window = pd.Timedelta(days=support_window_days)
    crimes = offences.copy()
    referrals = cases[["victim_id", "referral_date"]].merge(
        crimes[["crime_id", "victim_id", "offence_date"]], on="victim_id"
    )
    before = referrals[referrals["referral_date"] < referrals["offence_date"]]
    within = referrals[
        (referrals["referral_date"] >= referrals["offence_date"])
        & (referrals["referral_date"] < referrals["offence_date"] + window)
    ]
    after_landmark = referrals[referrals["referral_date"] >= referrals["offence_date"] + window]
    first_later = after_landmark.groupby("crime_id")["referral_date"].min()
    crimes["already_supported"] = crimes["crime_id"].isin(before["crime_id"])
    crimes["supported"] = crimes["crime_id"].isin(within["crime_id"]).astype(int)
    crimes["landmark"] = crimes["offence_date"] + window
    crimes = crimes[~crimes["already_supported"] & (crimes["landmark"] <= extract_date)].copy()

    risk = crimes["dash_risk"].astype(str)
    crimes["risk_medium"] = (risk == "medium").astype(int)
    crimes["risk_high"] = (risk == "high").astype(int)
    crimes["risk_not_recorded"] = (risk == NOT_RECORDED).astype(int)
    crimes["sexual"] = (crimes["offence_type"] == "sexual_offence").astype(int)
    code = crimes["outcome_code"].astype(int)
    crimes["finalised"] = code != PENDING_OUTCOME
    crimes["withdrawn"] = (code == VICTIM_WITHDRAWAL_OUTCOME).astype(int)
    crimes["charged"] = (code == CHARGE_OUTCOME).astype(int)

    later = incidents[["victim_id", "incident_date"]].merge(
        crimes[["crime_id", "victim_id", "landmark"]], on="victim_id"
    )
    later = later[later["incident_date"] >= later["landmark"]]
    first = later.groupby("crime_id")["incident_date"].min()
    # reindex, not map: with no later incident at all, map would try to cast to float.
    next_incident = pd.Series(
        pd.to_datetime(first.reindex(crimes["crime_id"]).to_numpy()), index=crimes.index
    )
    horizon = np.minimum((extract_date - crimes["landmark"]).dt.days.to_numpy(), follow_up_days)
    days = (next_incident - crimes["landmark"]).dt.days
    crimes["repeat"] = (days.notna() & (days <= horizon)).astype(int)
    crimes["repeat_days"] = np.where(crimes["repeat"] == 1, days, horizon).astype(int)
    crimes["horizon_days"] = horizon.astype(int)
    # A comparison victim referred after the grace period: days from the landmark to that
    # referral (NaN: none), so the repeat design can stop following them there.
    later_referral = pd.Series(
        pd.to_datetime(first_later.reindex(crimes["crime_id"]).to_numpy()), index=crimes.index
    )
    crimes["later_referral_days"] = (later_referral - crimes["landmark"]).dt.days.astype(float)
    return crimes.drop(columns=["already_supported"]).reset_index(drop=True)


def closed_cases(cases: pd.DataFrame, service_change: pd.Timestamp) -> pd.DataFrame:
    """Closed cases, with ``after_change`` (referred on or after the service change)."""
    closed = cases[cases["exit_date"].notna()].copy()
    closed["after_change"] = (closed["referral_date"] >= service_change).astype(int)
    for measure in ("abuse_ceased", "risk_reduced", "cope_recover", "satisfied"):
        closed[measure] = closed[measure].astype("Float64")
    return closed.reset_index(drop=True)


def _reach_rows(frame: pd.DataFrame) -> dict[str, float]:
    reached = frame["first_contact_date"].notna()
    days = (frame["first_contact_date"] - frame["referral_date"]).dt.days
    return {
        "referrals": len(frame),
        "reached": int(reached.sum()),
        "engaged": int((frame["contacts"] >= 2).sum()),
        "median days to first contact": float(days[reached].median()) if reached.any() else None,
    }


def reach(cases: pd.DataFrame, by: str) -> pd.DataFrame:
    """Referrals, victims reached, engaged (two or more contacts) and median days to first contact.

    Missing characteristics are already ``"not recorded"`` in the contract, so they stay a
    group of their own; the table ends with a total row.
    """
    rows = [{by: str(level), **_reach_rows(group)} for level, group in cases.groupby(by)]
    rows.append({by: "Total", **_reach_rows(cases)})
    return pd.DataFrame(rows)


def reach_display(table: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """:func:`reach` safe to publish: small counts suppressed, and their medians hidden.

    A median needs at least ``threshold`` people behind it, like a count.
    """
    by = table.columns[0]
    shown = table.set_index(by)
    median = shown.pop("median days to first contact")
    published = suppress(shown, threshold=threshold, total_row="Total")
    published["median days to first contact"] = [
        f"{value:.0f}" if reached >= threshold and pd.notna(value) else "-"
        for value, reached in zip(median, shown["reached"], strict=True)
    ]
    return published


def capacity(
    cases: pd.DataFrame,
    *,
    extract_date: pd.Timestamp,
    adviser_fte: float,
    adult_women: int,
) -> pd.DataFrame:
    """Caseload per full-time IDVA and MARAC volume in the last 12 months, against benchmarks."""
    year = cases[cases["referral_date"] > extract_date - pd.DateOffset(years=1)]
    idva = int((year["service"] == "IDVA").sum())
    marac = int(year["marac_referral"].sum())
    return pd.DataFrame(
        [
            {
                "measure": "IDVA referrals a year per full-time adviser",
                "Dorset": idva / adviser_fte,
                "benchmark": float(REFERRALS_PER_IDVA),
            },
            {
                "measure": "MARAC cases a year per 10,000 adult women",
                "Dorset": marac / adult_women * 10_000,
                "benchmark": float(MARAC_PER_10000_WOMEN),
            },
        ]
    ).set_index("measure")


#: The referral mix the monthly series are standardised to: MARAC cases (high risk,
#: contacted sooner, engaging less) against the rest.
MIX_COLUMN = "marac_referral"


def _mix_adjusted(frame: pd.DataFrame, column: str) -> pd.Series:
    """Monthly mean of ``column`` standardised to the whole period's referral mix.

    The mean within each kind of referral (:data:`MIX_COLUMN`) each month, weighted by
    that kind's share of all referrals; a month without one kind has no value. A change
    in the mix (more MARAC cases after the service change) then moves the series only
    through the change within each kind.

    Examples
    --------
    >>> frame = pd.DataFrame({"month": [1, 1, 2, 2, 2, 2], "marac_referral": [0, 1, 0, 1, 1, 1],
    ...     "days": [6.0, 2.0, 6.0, 2.0, 2.0, 2.0]})
    >>> _mix_adjusted(frame, "days").round(3).tolist()
    [3.333, 3.333]
    """
    weights = frame[MIX_COLUMN].value_counts(normalize=True)
    cells = frame.groupby(["month", MIX_COLUMN])[column].mean().unstack(MIX_COLUMN)
    # reindex, not [ ]: a boolean column index would be read as a mask.
    return (cells.reindex(columns=weights.index) * weights).sum(axis=1, min_count=len(weights))


def monthly_service(
    cases: pd.DataFrame, trial: pd.DataFrame, *, extract_date: pd.Timestamp
) -> pd.DataFrame:
    """Monthly series around the service change, one row per month of referral.

    Mean days to first contact, share engaged (of referrals) and share withdrawing
    (outcome 16, of supported victims' finalised crimes, by month of the crime), and the
    share of referrals that are MARAC cases (``marac_pct``, the referral mix); the first
    two also standardised to the period's referral mix (``*_mix_adjusted``,
    :func:`_mix_adjusted`), which the interrupted time series read.

    The last month is left out when it is incomplete (referrals in it have had less time to
    be contacted).
    """
    frame = cases.assign(
        month=cases["referral_date"].dt.to_period("M").dt.to_timestamp(),
        days=(cases["first_contact_date"] - cases["referral_date"]).dt.days,
        engaged=(cases["contacts"] >= 2) * 100.0,
    )
    supported = trial[(trial["supported"] == 1) & trial["finalised"]]
    withdrawal = (
        supported.assign(month=supported["offence_date"].dt.to_period("M").dt.to_timestamp())
        .groupby("month")["withdrawn"]
        .mean()
        .mul(100)
        .rename("withdrawal_pct")
    )
    series = frame.groupby("month").agg(
        referrals=("case_id", "size"),
        mean_days_to_contact=("days", "mean"),
        engaged_pct=("engaged", "mean"),
        marac_pct=(MIX_COLUMN, "mean"),
    )
    series["marac_pct"] *= 100
    series["mean_days_to_contact_mix_adjusted"] = _mix_adjusted(frame, "days")
    series["engaged_pct_mix_adjusted"] = _mix_adjusted(frame, "engaged")
    series = series.join(withdrawal, how="left").reset_index()
    last_full = (extract_date + pd.Timedelta(days=1)).to_period("M").to_timestamp()
    return series[series["month"] < last_full].reset_index(drop=True)
