"""Operation Focus analysis tables: arrests, suspect profiles, process and data quality.

Derived from the loaded ``crimes`` and ``suspects`` tables: one row per arrest
for a VAWG crime (:func:`vawg_arrests`), one row per suspect with their
pre-pilot history (:func:`suspect_profiles`), the comparison pool, follow-up
windows for reoffending, process tables (funnel, selection, uptake, drop-out,
outcome mix) and data-quality tables (coverage, blanks, pending outcomes,
exclusions), and the display-ready versions of those the report shows, with
disclosure control applied (:func:`report_tables`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ...errors import ConfigError

#: Offence groups counted as "serious" in suspects' profiles (rape, other sexual, injury).
SERIOUS_GROUPS = ("rape", "other_sexual_offences", "violence_with_injury", "homicide")
#: Prefix of the offence-group indicator columns of :func:`vawg_arrests`.
OFFENCE_PREFIX = "is_"
#: Group labels used in tables and figures.
FOCUS_LABEL = "Focus investigation"
COMPARISON_LABEL = "High-harm comparison"
#: The group of suspects whose characteristic is blank or "not stated": its own group.
NOT_RECORDED = "not recorded"
#: Characteristics the effect is broken down by ("for whom"), with the report's words.
FOR_WHOM: dict[str, str] = {"sex": "sex", "age_band": "age band", "ethnicity": "ethnicity"}


def recorded_group(values: pd.Series) -> pd.Series:
    """A characteristic as analysed: blanks and "not stated" become one group, "not recorded".

    People whose characteristic was not recorded are kept as a group of their own,
    never dropped nor folded into another group.

    Examples
    --------
    >>> recorded_group(pd.Series(["White", None, "not stated"])).tolist()
    ['White', 'not recorded', 'not recorded']
    """
    labels = values.astype("string").fillna(NOT_RECORDED)
    return labels.mask(labels.str.lower().eq("not stated"), NOT_RECORDED).astype(str)


def is_recorded(table: pd.DataFrame, column: str) -> bool:
    """Whether the extract carries ``column`` with at least one value recorded.

    Examples
    --------
    >>> is_recorded(pd.DataFrame({"sex": [None, None]}), "sex")
    False
    """
    if column not in table.columns:
        return False
    return bool(recorded_group(table[column]).ne(NOT_RECORDED).any())


def not_recorded(suspects: pd.DataFrame, *, columns: Mapping[str, str] = FOR_WHOM) -> pd.DataFrame:
    """How many suspects have each characteristic not recorded, and how the analysis treats them.

    Returns
    -------
    DataFrame
        One row per characteristic (its words): ``suspects`` (scored),
        ``not_recorded`` (blank or "not stated", or every suspect when the
        extract lacks the column) and ``handling``.

    Examples
    --------
    >>> frame = pd.DataFrame({"sex": ["male", None], "age_band": ["25-34", "55+"]})
    >>> table = not_recorded(frame)
    >>> table.loc["sex", "not_recorded"], table.loc["ethnicity", "handling"]
    (np.int64(1), 'not in the extract: no breakdown possible')
    """
    rows = {}
    for column, words in columns.items():
        if column not in suspects.columns or not is_recorded(suspects, column):
            count, handling = len(suspects), "not in the extract: no breakdown possible"
        else:
            count = int(recorded_group(suspects[column]).eq(NOT_RECORDED).sum())
            handling = (
                f"kept as its own group ('{NOT_RECORDED}'); no headline design adjusts for it, "
                "so no one is dropped"
            )
        rows[words] = {"suspects": len(suspects), "not_recorded": count, "handling": handling}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "characteristic"
    return table.astype({"suspects": "int64", "not_recorded": "int64"})


def _require(table: pd.DataFrame, columns: list[str], name: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ConfigError(
            f"the {name} table has no column(s) {missing}; load it with "
            "analysis.data.load('op_focus', ...) so that it meets the contract"
        )


def quarter_number(dates: pd.Series, origin: str | pd.Timestamp) -> pd.Series:
    """Calendar quarters from the quarter holding ``origin`` (that quarter is 0).

    Examples
    --------
    >>> dates = pd.Series(pd.to_datetime(["2026-03-31", "2026-04-01", "2026-10-31"]))
    >>> quarter_number(dates, "2026-04-01").tolist()
    [-1, 0, 2]
    """
    origin = pd.Timestamp(origin)
    index = dates.dt.year * 4 + (dates.dt.month - 1) // 3
    return (index - (origin.year * 4 + (origin.month - 1) // 3)).astype("int64")


def offence_indicators(groups: pd.Series, *, prefix: str = OFFENCE_PREFIX) -> pd.DataFrame:
    """0/1 columns for each offence group but the commonest (the reference category).

    Examples
    --------
    >>> offence_indicators(pd.Series(["rape", "public_order", "public_order"])).columns.tolist()
    ['is_rape']
    """
    reference = groups.value_counts().index[0]
    levels = sorted(set(groups) - {reference})
    return pd.DataFrame(
        {f"{prefix}{level}": groups.eq(level).astype("float64") for level in levels},
        index=groups.index,
    )


def vawg_arrests(
    crimes: pd.DataFrame,
    suspects: pd.DataFrame,
    *,
    pilot_start: str | pd.Timestamp,
    extract_date: str | pd.Timestamp,
) -> pd.DataFrame:
    """One row per arrest for a VAWG crime, with treatment, outcome and timing derived.

    Parameters
    ----------
    crimes, suspects : DataFrame
        The Operation Focus tables (as loaded by ``analysis.data.load``).
    pilot_start : str or Timestamp
        Start of the pilot (the identification run).
    extract_date : str or Timestamp
        Date the extract was taken: pending outcomes are censored there.

    Returns
    -------
    DataFrame
        The crime and suspect columns plus:

        - ``after_pilot``: arrested on or after the pilot start;
        - ``focus_investigation`` (0/1): the suspect was in Focus on the arrest date
          (on or after ``focus_date`` and before ``focus_end_date``), so the
          investigation was enhanced;
        - ``finalised``: an outcome was assigned (code not 0);
        - ``charged``, ``withdrawn`` (0/1) and ``charged_pp``, ``withdrawn_pp``
          (0 or 100, so that means and differences read as percentages and
          percentage points);
        - ``quarter``: calendar quarter of the arrest, numbered from the pilot's
          quarter (0);
        - ``days_to_outcome``, ``decided``: days from arrest to the outcome, or to
          the extract date when pending (censored, ``decided`` 0);
        - ``days_to_charge``, ``charge_event``: days from arrest to charge; arrests
          not (yet) charged are censored at the extract date, so one minus the
          Kaplan-Meier curve is the share charged by each day (with only
          administrative censoring this is the cumulative incidence of charge);
        - ``is_<offence group>``: 0/1 indicators of the offence group (reference:
          the commonest group).

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=3, scale=0.1)
    >>> arrests = vawg_arrests(data.tables["crimes"], data.tables["suspects"],
    ...                        pilot_start="2026-04-01", extract_date=data.extract_date)
    >>> bool(arrests["charged"].le(arrests["finalised"]).all())
    True
    """
    _require(
        crimes,
        [
            "crime_id",
            "suspect_id",
            "vawg_flag",
            "arrest_date",
            "outcome_code",
            "outcome_date",
            "offence_group",
        ],
        "crimes",
    )
    _require(suspects, ["suspect_id", "harm_score", "focus_flag", "focus_date"], "suspects")
    pilot = pd.Timestamp(pilot_start)
    extract = pd.Timestamp(extract_date)
    keep = crimes["arrest_date"].notna() & crimes["vawg_flag"].astype(bool)
    profile_columns = [
        c
        for c in (
            "suspect_id",
            "harm_score",
            "focus_flag",
            "focus_date",
            "focus_end_date",
            "age_band",
            "area",
            "sex",
            "ethnicity",
        )
        if c in suspects.columns
    ]
    arrests = crimes.loc[keep].merge(
        suspects[profile_columns], on="suspect_id", how="left", validate="many_to_one"
    )
    if arrests["harm_score"].isna().any():
        raise ConfigError(
            "some crimes name a suspect missing from the suspects table; validate the extract "
            "with `python -m analysis validate op_focus --source ...`"
        )
    arrest = arrests["arrest_date"]
    focus_end = (
        arrests["focus_end_date"]
        if "focus_end_date" in arrests
        else pd.Series(pd.NaT, index=arrests.index, dtype="datetime64[us]")
    )
    in_focus = (
        arrests["focus_flag"].astype(bool)
        & (arrest >= arrests["focus_date"]).fillna(False)
        & ~(arrest >= focus_end).fillna(False)
    )
    code = arrests["outcome_code"].astype("int64")
    finalised = code.ne(0)
    charged = code.eq(1)
    end = arrests["outcome_date"].where(finalised, extract)
    charge_end = arrests["outcome_date"].where(charged, extract)
    arrests = arrests.assign(
        after_pilot=arrest >= pilot,
        focus_investigation=in_focus.astype("int64"),
        finalised=finalised,
        charged=charged.astype("int64"),
        withdrawn=code.eq(16).astype("int64"),
        charged_pp=100.0 * charged,
        withdrawn_pp=100.0 * code.eq(16),
        quarter=quarter_number(arrest, pilot),
        days_to_outcome=(end - arrest).dt.days.astype("float64"),
        decided=finalised.astype("int64"),
        days_to_charge=(charge_end - arrest).dt.days.astype("float64"),
        charge_event=charged.astype("int64"),
    )
    arrests = pd.concat([arrests, offence_indicators(arrests["offence_group"])], axis=1)
    return arrests.sort_values(["arrest_date", "crime_id"], kind="stable").reset_index(drop=True)


def suspect_profiles(
    suspects: pd.DataFrame,
    crimes: pd.DataFrame,
    arrests: pd.DataFrame,
    *,
    pilot_start: str | pd.Timestamp,
    lookback_days: int = 1096,
) -> pd.DataFrame:
    """Each suspect's history before the pilot: what matching and balance use.

    Parameters
    ----------
    suspects, crimes : DataFrame
        The Operation Focus tables.
    arrests : DataFrame
        Output of :func:`vawg_arrests`.
    pilot_start : str or Timestamp
        Start of the pilot; only what was known before it counts.
    lookback_days : int
        Length of the history window (the harm score's, by default).

    Returns
    -------
    DataFrame
        One row per suspect: ``suspect_id, harm_score, focus_flag, age_band, area``
        and ``prior_vawg_crimes``, ``prior_serious_crimes`` (rape, other sexual
        offences, violence with injury), ``prior_da_crimes``, ``prior_victims``,
        ``prior_arrests``, ``prior_finalised``, ``prior_charge_rate_pp`` and
        ``prior_withdrawal_rate_pp`` (NaN without a finalised arrest),
        ``days_since_last_vawg``.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=3, scale=0.1)
    >>> crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    >>> arrests = vawg_arrests(crimes, suspects, pilot_start="2026-04-01",
    ...                        extract_date=data.extract_date)
    >>> profiles = suspect_profiles(suspects, crimes, arrests, pilot_start="2026-04-01")
    >>> len(profiles) == len(suspects), bool(profiles["prior_vawg_crimes"].ge(1).all())
    (True, True)
    """
    pilot = pd.Timestamp(pilot_start)
    start = pilot - pd.Timedelta(days=lookback_days)
    known = crimes["vawg_flag"].astype(bool) & crimes["recorded_date"].lt(pilot)
    known &= crimes["recorded_date"].ge(start)
    history = crimes.loc[known].assign(
        serious=lambda t: t["offence_group"].isin(SERIOUS_GROUPS).astype("int64")
    )
    grouped = history.groupby("suspect_id")
    prior = pd.DataFrame(
        {
            "prior_vawg_crimes": grouped.size(),
            "prior_serious_crimes": grouped["serious"].sum(),
            "prior_da_crimes": grouped["da_flag"].sum().astype("int64"),
            "prior_victims": grouped["victim_id"].nunique(),
            "days_since_last_vawg": (pilot - grouped["recorded_date"].max()).dt.days,
        }
    )
    before = arrests.loc[~arrests["after_pilot"] & arrests["arrest_date"].ge(start)]
    by_suspect = before.groupby("suspect_id")
    finalised = before.loc[before["finalised"]].groupby("suspect_id")
    prior["prior_arrests"] = by_suspect.size()
    prior["prior_finalised"] = finalised.size()
    prior["prior_charge_rate_pp"] = finalised["charged_pp"].mean()
    prior["prior_withdrawal_rate_pp"] = finalised["withdrawn_pp"].mean()
    columns = [
        c
        for c in ("suspect_id", "harm_score", "focus_flag", "age_band", "area")
        if c in suspects.columns
    ]
    profiles = suspects[columns].merge(prior, left_on="suspect_id", right_index=True, how="left")
    counts = [
        "prior_vawg_crimes",
        "prior_serious_crimes",
        "prior_da_crimes",
        "prior_victims",
        "prior_arrests",
        "prior_finalised",
    ]
    profiles[counts] = profiles[counts].fillna(0).astype("int64")
    profiles["days_since_last_vawg"] = profiles["days_since_last_vawg"].astype("float64")
    profiles["focus_flag"] = profiles["focus_flag"].astype(bool)
    return profiles


# --------------------------------------------------------------------------- process
def selection_by_side(
    suspects: pd.DataFrame, *, threshold: float, band: float | None = None
) -> pd.DataFrame:
    """Share of suspects adopted into Focus below and at/above the threshold.

    A sharp design has 0% below and 100% above; anything else is fuzzy, and a
    regression discontinuity must then be fuzzy (a Wald ratio).

    Parameters
    ----------
    suspects : DataFrame
        With ``harm_score`` and ``focus_flag``.
    threshold : float
        Selection threshold of the harm score.
    band : float, optional
        Also count the suspects within ``band`` of the threshold on each side.

    Returns
    -------
    DataFrame
        Index ``below``/``at or above`` threshold (and the same within the band):
        ``suspects``, ``in_focus``, ``share_in_focus_pct``.

    Examples
    --------
    >>> frame = pd.DataFrame({"harm_score": [10.0, 20, 30, 40],
    ...                       "focus_flag": [False, True, True, True]})
    >>> selection_by_side(frame, threshold=25)["share_in_focus_pct"].tolist()
    [50.0, 100.0]
    """
    above = suspects["harm_score"].ge(threshold)
    flag = suspects["focus_flag"].astype(bool)
    rows = {}
    for label, mask in (("below threshold", ~above), ("at or above threshold", above)):
        rows[label] = (int(mask.sum()), int((mask & flag).sum()))
    if band is not None:
        near = (suspects["harm_score"] - threshold).abs().le(band)
        for label, mask in (
            (f"within {band:g} below", near & ~above),
            (f"within {band:g} above", near & above),
        ):
            rows[label] = (int(mask.sum()), int((mask & flag).sum()))
    table = pd.DataFrame(rows, index=["suspects", "in_focus"]).T
    with np.errstate(invalid="ignore", divide="ignore"):
        share = 100.0 * table["in_focus"] / table["suspects"].where(table["suspects"] > 0)
    table["share_in_focus_pct"] = share.round(1)
    table.index.name = "harm score"
    return table


def focus_funnel(suspects: pd.DataFrame, arrests: pd.DataFrame) -> dict:
    """People from identification to charge, in order (for ``plot_funnel``).

    Every stage counts suspects: scored, adopted into Focus, arrested while in
    Focus, with an outcome assigned to such an arrest, and charged after one.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=3, scale=0.1)
    >>> arrests = vawg_arrests(data.tables["crimes"], data.tables["suspects"],
    ...                        pilot_start="2026-04-01", extract_date=data.extract_date)
    >>> stages = focus_funnel(data.tables["suspects"], arrests)
    >>> list(stages)[:2]
    ['Suspects scored', 'Adopted into Focus']
    """
    treated = arrests.loc[arrests["focus_investigation"].eq(1)]
    return {
        "Suspects scored": int(len(suspects)),
        "Adopted into Focus": int(suspects["focus_flag"].astype(bool).sum()),
        "Arrested while in Focus": int(treated["suspect_id"].nunique()),
        "With an outcome assigned": int(treated.loc[treated["finalised"], "suspect_id"].nunique()),
        "Charged or summonsed": int(treated.loc[treated["charged"].eq(1), "suspect_id"].nunique()),
    }


def uptake_by(suspects: pd.DataFrame, by: str, *, threshold: float) -> pd.DataFrame:
    """Adoption into Focus among suspects at or above the threshold, by a grouping column.

    Returns
    -------
    DataFrame
        One row per group: ``scored`` (suspects), ``in_focus`` (adopted, from
        either side of the threshold), ``eligible`` (at or above threshold),
        ``adopted`` (of those), ``adopted_below`` (adopted from below the
        threshold) and a ``Total`` row.

    Examples
    --------
    >>> frame = pd.DataFrame({"harm_score": [300.0, 250, 100], "focus_flag": [True, False, True],
    ...                       "area": ["Poole", "Poole", "Purbeck"]})
    >>> uptake_by(frame, "area", threshold=220).loc["Poole", "adopted"]
    np.int64(1)
    """
    eligible = suspects["harm_score"].ge(threshold)
    flag = suspects["focus_flag"].astype(bool)
    groups = suspects[by]
    if groups.isna().any() or groups.astype(str).str.lower().eq("not stated").any():
        # Blanks would vanish from a groupby: they are a group of their own.
        groups = recorded_group(groups)
    frame = pd.DataFrame(
        {
            by: groups,
            "scored": 1,
            "in_focus": flag.astype("int64"),
            "eligible": eligible.astype("int64"),
            "adopted": (eligible & flag).astype("int64"),
            "adopted_below": (~eligible & flag).astype("int64"),
        }
    )
    table = frame.groupby(by).sum()
    table.loc["Total"] = table.sum()
    return table.astype("int64")


def outcome_mix(arrests: pd.DataFrame, *, by: str = "focus_investigation") -> pd.DataFrame:
    """Finalised outcomes of arrests by outcome type (counts), with pending shown.

    Examples
    --------
    >>> frame = pd.DataFrame({"outcome_code": [0, 1, 16, 16], "focus_investigation": [1, 1, 0, 1]})
    >>> outcome_mix(frame).loc["Victim withdrew support (16)"].tolist()
    [1, 1]
    """
    labels = {
        0: "Pending (0)",
        1: "Charged or summonsed (1)",
        16: "Victim withdrew support (16)",
        15: "Evidential difficulties, victim supports (15)",
    }
    outcome = arrests["outcome_code"].map(labels).fillna("Other outcome")
    table = pd.crosstab(outcome, arrests[by])
    order = [*labels.values(), "Other outcome"]
    return table.reindex([o for o in order if o in table.index]).astype("int64")


def pending_by_quarter(arrests: pd.DataFrame) -> pd.DataFrame:
    """Arrests and pending outcomes by arrest quarter (censoring at the extract date).

    Examples
    --------
    >>> frame = pd.DataFrame({"arrest_date": pd.to_datetime(["2026-01-05", "2026-05-01"]),
    ...                       "finalised": [True, False]})
    >>> pending_by_quarter(frame)["pending"].tolist()
    [0, 1]
    """
    quarter = arrests["arrest_date"].dt.to_period("Q").astype(str)
    table = pd.DataFrame(
        {
            "arrests": arrests.groupby(quarter).size(),
            "pending": (~arrests["finalised"]).groupby(quarter).sum().astype("int64"),
        }
    )
    table["pending_pct"] = (100.0 * table["pending"] / table["arrests"]).round(1)
    table.index.name = "arrest quarter"
    return table


def comparison_pool(
    profiles: pd.DataFrame, *, threshold: float, min_score_share: float = 0.5
) -> pd.DataFrame:
    """Focus perpetrators and the high-harm non-Focus suspects they may be matched to.

    High harm means a harm score of at least ``min_score_share`` of the
    threshold. Only suspects with a finalised VAWG arrest before the pilot are
    kept, because the comparison must be shown to be similar beforehand.

    Examples
    --------
    >>> frame = pd.DataFrame({"harm_score": [300.0, 150, 50], "focus_flag": [True, False, False],
    ...                       "prior_finalised": [2, 1, 3]})
    >>> comparison_pool(frame, threshold=220)["harm_score"].tolist()
    [300.0, 150.0]
    """
    if not 0 <= min_score_share <= 1:
        raise ConfigError(f"min_score_share must lie between 0 and 1, got {min_score_share!r}")
    flag = profiles["focus_flag"].astype(bool)
    high_harm = profiles["harm_score"].ge(min_score_share * threshold)
    keep = (flag | high_harm) & profiles["prior_finalised"].ge(1)
    return profiles.loc[keep].reset_index(drop=True)


def rdd_sample(arrests: pd.DataFrame) -> pd.DataFrame:
    """Finalised VAWG arrests since the pilot start, for the regression discontinuity.

    Examples
    --------
    >>> frame = pd.DataFrame({"after_pilot": [True, True, False], "finalised": [True, False, True]})
    >>> len(rdd_sample(frame))
    1
    """
    return arrests.loc[arrests["after_pilot"] & arrests["finalised"]].reset_index(drop=True)


def post_pilot_comparison_arrests(arrests: pd.DataFrame, comparison: pd.DataFrame) -> pd.DataFrame:
    """Arrests since the pilot start: enhanced investigations and the comparison suspects'.

    Returns the arrests (pending ones included: they are censored, not dropped)
    with a ``group`` column (:data:`FOCUS_LABEL` or :data:`COMPARISON_LABEL`).

    Examples
    --------
    >>> frame = pd.DataFrame({"suspect_id": ["a", "b", "c"], "after_pilot": [True, True, True],
    ...                       "focus_investigation": [1, 0, 0], "focus_flag": [True, False, False]})
    >>> comparison = pd.DataFrame({"suspect_id": ["a", "b"]})
    >>> post_pilot_comparison_arrests(frame, comparison)["group"].tolist()
    ['Focus investigation', 'High-harm comparison']
    """
    after = arrests.loc[arrests["after_pilot"]]
    focus = after["focus_investigation"].eq(1)
    others = ~after["focus_flag"].astype(bool) & after["suspect_id"].isin(comparison["suspect_id"])
    sample = after.loc[focus | others].copy()
    sample["group"] = np.where(sample["focus_investigation"].eq(1), FOCUS_LABEL, COMPARISON_LABEL)
    return sample.reset_index(drop=True)


def decision_time_by_outcome(arrests: pd.DataFrame, *, before: str | pd.Timestamp) -> pd.DataFrame:
    """Median days from arrest to outcome by outcome type, for arrests old enough to be finalised.

    Checks the assumption that lets the time to a decision speak for the time to
    charge: charges and other outcomes take similar times.

    Examples
    --------
    >>> frame = pd.DataFrame({"arrest_date": pd.to_datetime(["2024-01-01"] * 3),
    ...                       "finalised": [True] * 3, "outcome_code": [1, 16, 15],
    ...                       "days_to_outcome": [30.0, 40, 50], "offence_group": ["rape"] * 3})
    >>> decision_time_by_outcome(frame, before="2025-01-01").loc["rape"].tolist()
    [30.0, 50.0, 40.0]
    """
    old = arrests.loc[arrests["arrest_date"].lt(pd.Timestamp(before)) & arrests["finalised"]]
    kind = np.where(
        old["outcome_code"].eq(1),
        "charged",
        np.where(old["outcome_code"].eq(16), "victim withdrew", "other outcome"),
    )
    table = old.assign(kind=kind).pivot_table(
        index="offence_group", columns="kind", values="days_to_outcome", aggfunc="median"
    )
    return table.round(0)


def reoffending_after_arrests(
    arrests: pd.DataFrame,
    crimes: pd.DataFrame,
    *,
    harm_weights: Mapping[str, float],
    follow_up_days: int,
    extract_date: str | pd.Timestamp,
) -> pd.DataFrame:
    """Crimes and their harm committed by the same suspect in a window after each arrest.

    Parameters
    ----------
    arrests : DataFrame
        Output of :func:`vawg_arrests`.
    crimes : DataFrame
        All crimes (any offence) of the suspects.
    harm_weights : mapping of str to float
        Harm weight per offence group (Cambridge Crime Harm Index days, or 1 each
        for a count), as :func:`analysis.data.reference.harm_weights` returns them.
    follow_up_days : int
        Window length after the arrest date.
    extract_date : str or Timestamp
        Only arrests whose window ends by the extract date are kept.

    Returns
    -------
    DataFrame
        The arrests with a complete window, plus ``crimes_after`` and
        ``harm_after`` (Crime Harm Index days) counted over offences dated in
        (arrest date, arrest date + follow_up_days].

    Examples
    --------
    >>> arrests = pd.DataFrame({"suspect_id": ["a"], "arrest_date": pd.to_datetime(["2026-01-01"])})
    >>> crimes = pd.DataFrame({"suspect_id": ["a", "a", "a"], "offence_group": ["rape",
    ...     "public_order", "rape"], "offence_date": pd.to_datetime(["2025-12-31", "2026-02-01",
    ...     "2026-06-01"])})
    >>> weights = {"rape": 2555.0, "public_order": 7.5}
    >>> out = reoffending_after_arrests(arrests, crimes, harm_weights=weights, follow_up_days=90,
    ...                                 extract_date="2026-10-31")
    >>> out[["crimes_after", "harm_after"]].values.tolist()
    [[1.0, 7.5]]
    """
    if follow_up_days <= 0:
        raise ConfigError(f"follow_up_days must be positive, got {follow_up_days!r}")
    weights = pd.Series(dict(harm_weights), dtype="float64")
    missing = sorted(set(crimes["offence_group"]) - set(weights.index))
    if missing:
        raise ConfigError(
            f"the harm weights have no value for offence group(s) {missing}; add them to "
            "data/reference/harm_weights.csv"
        )
    extract = pd.Timestamp(extract_date)
    window = pd.Timedelta(days=int(follow_up_days))
    complete = arrests.loc[arrests["arrest_date"] + window <= extract].copy()
    codes = {s: i for i, s in enumerate(pd.unique(crimes["suspect_id"]))}
    # One sorted key per crime (suspect, day) lets every window be two binary searches.
    span = 10**6
    origin = crimes["offence_date"].min()
    crime_key = crimes["suspect_id"].map(codes).to_numpy(np.int64) * span + (
        (crimes["offence_date"] - origin).dt.days.to_numpy(np.int64)
    )
    order = np.argsort(crime_key, kind="stable")
    keys = crime_key[order]
    harm = crimes["offence_group"].map(weights).to_numpy(float)[order]
    cumulative = np.concatenate([[0.0], np.cumsum(harm)])
    suspect_code = complete["suspect_id"].map(codes).fillna(-1).to_numpy(np.int64)
    start = (complete["arrest_date"] - origin).dt.days.to_numpy(np.int64)
    low = np.searchsorted(keys, suspect_code * span + start, side="right")
    high = np.searchsorted(keys, suspect_code * span + start + int(follow_up_days), side="right")
    complete["crimes_after"] = (high - low).astype("float64")
    complete["harm_after"] = cumulative[high] - cumulative[low]
    return complete.reset_index(drop=True)


def reoffending_index_arrests(reoffending: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    """One row per suspect: the first arrest since the pilot start with a complete window.

    For Focus perpetrators the first enhanced-investigation arrest; for
    others the first arrest since the pilot start. Joined to the suspect's
    pre-pilot profile for matching.

    Examples
    --------
    >>> frame = pd.DataFrame({"suspect_id": ["a", "a", "b"], "after_pilot": [True] * 3,
    ...     "focus_flag": [True, True, False], "focus_investigation": [0, 1, 0],
    ...     "arrest_date": pd.to_datetime(["2026-04-02", "2026-05-01", "2026-04-03"]),
    ...     "crimes_after": [1.0, 0, 2], "harm_after": [10.0, 0, 20]})
    >>> profiles = pd.DataFrame({"suspect_id": ["a", "b"], "prior_arrests": [3, 2]})
    >>> reoffending_index_arrests(frame, profiles)["arrest_date"].dt.day.tolist()
    [1, 3]
    """
    after = reoffending.loc[reoffending["after_pilot"]]
    eligible = after.loc[after["focus_investigation"].eq(1) | ~after["focus_flag"].astype(bool)]
    first = eligible.sort_values(["suspect_id", "arrest_date"], kind="stable")
    first = first.groupby("suspect_id").head(1)
    keep = ["suspect_id", "arrest_date", "crimes_after", "harm_after"]
    return first[keep].merge(profiles, on="suspect_id", how="inner").reset_index(drop=True)


def coverage(suspects: pd.DataFrame, crimes: pd.DataFrame, arrests: pd.DataFrame) -> pd.DataFrame:
    """What the extract covers: rows and date ranges.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=3, scale=0.1)
    >>> arrests = vawg_arrests(data.tables["crimes"], data.tables["suspects"],
    ...                        pilot_start="2026-04-01", extract_date=data.extract_date)
    >>> coverage(data.tables["suspects"], data.tables["crimes"], arrests).index[0]
    'Suspects scored at the identification run'
    """
    vawg = crimes.loc[crimes["vawg_flag"].astype(bool)]

    def span(dates: pd.Series) -> tuple[str, str]:
        return (f"{dates.min():%d %b %Y}", f"{dates.max():%d %b %Y}") if len(dates) else ("", "")

    rows = {
        "Suspects scored at the identification run": (len(suspects), "", ""),
        "Crimes (any offence) of those suspects": (len(crimes), *span(crimes["recorded_date"])),
        "VAWG crimes": (len(vawg), *span(vawg["recorded_date"])),
        "Arrests for VAWG crimes": (len(arrests), *span(arrests["arrest_date"])),
    }
    return pd.DataFrame(rows, index=["rows", "first date", "last date"]).T


def missingness(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Blank cells per column of each table, with what a blank means.

    Examples
    --------
    >>> missingness({"crimes": pd.DataFrame({"arrest_date": [None, "2026-01-01"]})}).iloc[0, -2]
    np.float64(50.0)
    """
    meaning = {
        "focus_date": "not in Focus",
        "focus_end_date": "still in Focus, or never in it",
        "victim_id": "no personal victim (drug offences, weapons, shoplifting)",
        "arrest_date": "not arrested",
        "outcome_date": "outcome pending (code 0)",
    }
    rows = []
    for table, frame in tables.items():
        for column in frame.columns:
            blank = int(frame[column].isna().sum())
            if blank:
                rows.append(
                    {
                        "table": table,
                        "column": column,
                        "blank": blank,
                        "blank_pct": round(100.0 * blank / len(frame), 1),
                        "meaning": meaning.get(column, "unexpected: check the extract"),
                    }
                )
    return pd.DataFrame(rows, columns=["table", "column", "blank", "blank_pct", "meaning"])


def exclusions(
    arrests: pd.DataFrame,
    reoffending: pd.DataFrame,
    profiles: pd.DataFrame,
    *,
    follow_up_days: int,
    n_unmatched: int,
) -> pd.DataFrame:
    """Rows left out of each analysis and why.

    Parameters
    ----------
    arrests : DataFrame
        Output of :func:`vawg_arrests`.
    reoffending : DataFrame
        Output of :func:`reoffending_after_arrests` (the arrests with a complete window).
    profiles : DataFrame
        Output of :func:`suspect_profiles`.
    follow_up_days : int
        The reoffending window.
    n_unmatched : int
        Focus perpetrators the matching found no comparison suspect for.

    Examples
    --------
    >>> arrests = pd.DataFrame({"finalised": [True, False], "after_pilot": [False, True]})
    >>> profiles = pd.DataFrame({"focus_flag": [True], "prior_finalised": [0]})
    >>> table = exclusions(arrests, arrests.iloc[:1], profiles, follow_up_days=90, n_unmatched=0)
    >>> table["excluded"].tolist()
    [1, 1, 1, 1, 0]
    """
    pending = int((~arrests["finalised"]).sum())
    pending_post = int((~arrests["finalised"] & arrests["after_pilot"]).sum())
    follow = follow_up_days
    short = len(arrests) - len(reoffending)
    no_history = int((profiles["focus_flag"] & profiles["prior_finalised"].eq(0)).sum())
    unmatched = int(n_unmatched)
    rows = [
        (
            "VAWG arrests, outcome pending at the extract date",
            pending,
            "left out of charge and withdrawal rates (no outcome yet); censored, not dropped, in "
            "the time-to-charge analysis",
        ),
        ("... of which since the pilot start", pending_post, "as above"),
        (
            f"VAWG arrests within {follow} days of the extract date",
            short,
            "left out of reoffending: the follow-up window is not complete",
        ),
        (
            "Focus perpetrators with no finalised VAWG arrest before the pilot",
            no_history,
            "left out of the difference-in-differences comparison group and the matching: "
            "nothing to compare beforehand",
        ),
        (
            "Focus perpetrators with no match within the caliper",
            unmatched,
            "left out of the matched balance check",
        ),
    ]
    return pd.DataFrame(rows, columns=["what", "excluded", "why"]).set_index("what")


def cohort_status(suspects: pd.DataFrame, *, extract_date: str | pd.Timestamp) -> pd.DataFrame:
    """Focus perpetrators still managed at the extract date and those who left (drop-out).

    Examples
    --------
    >>> frame = pd.DataFrame({"focus_flag": [True, True, False],
    ...     "focus_end_date": pd.to_datetime(["2026-06-01", None, None])})
    >>> cohort_status(frame, extract_date="2026-10-31")["perpetrators"].tolist()
    [1, 1, 2]
    """
    focus = suspects.loc[suspects["focus_flag"].astype(bool)]
    end = (
        focus["focus_end_date"]
        if "focus_end_date" in focus
        else pd.Series(pd.NaT, index=focus.index, dtype="datetime64[us]")
    )
    left = end.notna() & end.le(pd.Timestamp(extract_date))
    table = pd.DataFrame(
        {"perpetrators": [int((~left).sum()), int(left.sum()), len(focus)]},
        index=pd.Index(["still in Focus", "left the cohort", "Total"], name="status"),
    )
    return table


def outcomes_since_pilot(arrests: pd.DataFrame) -> pd.DataFrame:
    """Outcomes of VAWG arrests since the pilot start: Focus investigations against the rest.

    Examples
    --------
    >>> frame = pd.DataFrame({"after_pilot": [True, True, False], "outcome_code": [1, 16, 1],
    ...                       "focus_investigation": [1, 0, 0]})
    >>> outcomes_since_pilot(frame).columns.tolist()
    ['Focus investigation', 'Other arrest']
    """
    since = arrests.loc[arrests["after_pilot"]].copy()
    since["group"] = since["focus_investigation"].map({1: FOCUS_LABEL, 0: "Other arrest"})
    return outcome_mix(since, by="group")


def reoffending_summary(index_arrests: pd.DataFrame) -> pd.DataFrame:
    """Suspects, crimes and harm in the follow-up window: Focus against non-Focus high-harm.

    Parameters
    ----------
    index_arrests : DataFrame
        Output of :func:`reoffending_index_arrests`.

    Examples
    --------
    >>> frame = pd.DataFrame({"suspect_id": ["a", "b", "c"], "focus_flag": [True, False, False],
    ...                       "crimes_after": [1.0, 2, 0], "harm_after": [10.0, 5, 0]})
    >>> reoffending_summary(frame).loc["Non-Focus high-harm"].tolist()
    [2.0, 2.0, 5.0]
    """
    group = index_arrests["focus_flag"].map({True: "Focus", False: "Non-Focus high-harm"})
    return index_arrests.groupby(group).agg(
        suspects=("suspect_id", "size"),
        crimes=("crimes_after", "sum"),
        harm_days=("harm_after", "sum"),
    )


#: How each count table the report publishes is protected: its counts, derived shares and
#: whether its totals are published (``suppress``'s arguments), and whether the table's index
#: becomes a column first.
PUBLISHED = {
    "missingness": {"reset_index": False, "columns": ["blank"], "secondary": False},
    "pending": {
        "columns": ["arrests", "pending"],
        "derived": {"pending_pct": ["pending", "arrests"]},
        "known_totals": "columns",
    },
    "exclusions": {"columns": ["excluded"], "secondary": False},
    "selection": {
        "columns": ["suspects", "in_focus"],
        "derived": {"share_in_focus_pct": ["in_focus", "suspects"]},
        "known_totals": "columns",
    },
    "uptake_area": {"known_totals": "columns"},
    "uptake_age": {"known_totals": "columns"},
    "cohort": {},
    "outcomes": {},
    "reoffending": {"columns": ["suspects", "crimes"], "known_totals": "columns"},
}


def published_tables(tables: Mapping[str, pd.DataFrame], *, threshold: int) -> dict:
    """The count tables the report shows, with small counts suppressed (:data:`PUBLISHED`).

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Tables named as in :data:`PUBLISHED`, which says how each is protected.
    threshold : int
        Counts below this are suppressed.

    Returns
    -------
    dict of str to DataFrame

    Examples
    --------
    >>> left_out = pd.DataFrame({"excluded": [3, 40]}, index=pd.Index(["a", "b"], name="what"))
    >>> published_tables({"exclusions": left_out}, threshold=10)["exclusions"]["excluded"].tolist()
    ['<10', 40]
    """
    from ...evidence.disclosure import suppress

    unknown = sorted(set(tables) - set(PUBLISHED))
    if unknown:
        raise ConfigError(f"no disclosure rule for table(s) {unknown}; add them to PUBLISHED")
    shown = {}
    for name, table in tables.items():
        options = dict(PUBLISHED[name])
        if options.pop("reset_index", True):
            table = table.reset_index()
        shown[name] = suppress(table, threshold=threshold, **options)
    return shown
