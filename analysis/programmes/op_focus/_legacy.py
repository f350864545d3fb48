"""Operation Focus: harm score, analysis tables and findings.

Operation Focus identifies the perpetrators who cause most harm to women and girls
with a Recency-Frequency-Gravity (RFG) harm score and, when they are arrested,
gives the investigation extra resource to maximise the chance of a charge. This
module holds the programme's analysis steps so that the notebook only sets
parameters, calls these functions and explains the results:

- :func:`rfg_harm_score`: the documented, configurable harm score;
- :func:`vawg_arrests`, :func:`suspect_profiles`: the analysis tables (one row per
  arrest for a VAWG crime with treatment, outcome and timing derived; one row
  per suspect with their pre-pilot history);
- process tables (:func:`focus_funnel`, :func:`selection_by_side`,
  :func:`uptake_by`, :func:`cohort_status`) and data-quality tables
  (:func:`coverage`, :func:`missingness`, :func:`exclusions`);
- the designs for each question (charge rate, victim withdrawal, time to
  charge, harm-weighted reoffending), weakest first: :func:`before_after`,
  :func:`naive_comparison`, :func:`arrest_did` (with :func:`placebo_did` and
  :func:`event_study_table`), :func:`focus_rdd` (built on the generic
  :func:`fuzzy_rdd`), :func:`time_to_charge`, :func:`time_to_decision`,
  :func:`reoffending_matched`;
- :func:`evaluate` runs them all and :func:`build_findings` turns them into
  findings with their SMS level, minimum detectable effect and planted truth.

Generic pieces another programme could use: :func:`fuzzy_rdd` (fuzzy regression
discontinuity by test inversion of :func:`analysis.methods.rdd`) and
:func:`mde_from_standard_error`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...errors import ConfigError, EstimationError
from ...methods.power import mde_from_standard_error
from ...results import Estimate

#: Gravity points per VAWG offence, by Home Office offence group (MATAC-style; local and
#: configurable). Groups not listed score ``HarmScoreWeights.default_gravity``.
DEFAULT_GRAVITY: dict[str, float] = {
    "homicide": 100.0,
    "rape": 40.0,
    "other_sexual_offences": 20.0,
    "violence_with_injury": 15.0,
    "stalking_and_harassment": 8.0,
    "violence_without_injury": 5.0,
    "robbery": 10.0,
    "arson": 10.0,
    "criminal_damage": 3.0,
    "public_order": 2.0,
}


@dataclass(frozen=True)
class HarmScoreWeights:
    """Weights of the Recency-Frequency-Gravity harm score.

    The score of a suspect at date ``as_of`` sums three parts over the suspect's
    VAWG crimes recorded in the ``lookback_days`` before ``as_of``:

    - recency: ``recency_points * 0.5 ** (days since the latest / recency_half_life_days)``;
    - frequency: ``frequency_points`` per crime, up to ``frequency_cap`` crimes;
    - gravity: the ``gravity_points`` of each crime's offence group
      (``default_gravity`` for groups not listed).

    A suspect with no VAWG crime in the window scores 0. The weights are local
    choices (MATAC forces each set their own): record the ones used beside any
    result that depends on them.

    Parameters
    ----------
    lookback_days : int
        Length of the scoring window.
    recency_points : float
        Recency points for a crime recorded on the scoring date.
    recency_half_life_days : float
        Days after which the recency points halve.
    frequency_points : float
        Points per crime in the window.
    frequency_cap : int
        Crimes beyond this number add no frequency points.
    gravity_points : mapping of str to float
        Points per crime by offence group.
    default_gravity : float
        Points for offence groups not in ``gravity_points``.
    """

    lookback_days: int = 1096
    recency_points: float = 50.0
    recency_half_life_days: float = 180.0
    frequency_points: float = 10.0
    frequency_cap: int = 10
    gravity_points: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_GRAVITY))
    default_gravity: float = 2.0

    def __post_init__(self) -> None:
        numbers = {
            "lookback_days": self.lookback_days,
            "recency_half_life_days": self.recency_half_life_days,
        }
        for name, value in numbers.items():
            if not value > 0:
                raise ConfigError(f"harm score weight {name} must be positive, got {value!r}")
        for name in ("recency_points", "frequency_points", "default_gravity"):
            if getattr(self, name) < 0:
                raise ConfigError(f"harm score weight {name} must not be negative")
        if self.frequency_cap < 0:
            raise ConfigError("harm score weight frequency_cap must not be negative")
        negative = [g for g, v in self.gravity_points.items() if v < 0]
        if negative:
            raise ConfigError(f"harm score gravity points must not be negative: {negative}")


def rfg_harm_score(
    crimes: pd.DataFrame,
    *,
    as_of: str | pd.Timestamp,
    weights: HarmScoreWeights | None = None,
    suspect: str = "suspect_id",
    date: str = "recorded_date",
    offence: str = "offence_group",
    vawg: str = "vawg_flag",
) -> pd.Series:
    """Recency-Frequency-Gravity harm score of each suspect at a date.

    Parameters
    ----------
    crimes : DataFrame
        One row per crime.
    as_of : str or Timestamp
        Scoring date: only crimes recorded before it count.
    weights : HarmScoreWeights, optional
        Score weights (see :class:`HarmScoreWeights` for the formula).
    suspect, date, offence, vawg : str
        Columns holding the suspect, the date the crime became known, the
        offence group and the VAWG flag.

    Returns
    -------
    Series
        Score (float, 0 or more) indexed by suspect, for every suspect with a
        VAWG crime in the window.

    Examples
    --------
    >>> crimes = pd.DataFrame({
    ...     "suspect_id": ["a", "a", "b"],
    ...     "recorded_date": pd.to_datetime(["2026-03-31", "2025-10-02", "2024-04-01"]),
    ...     "offence_group": ["rape", "violence_without_injury", "public_order"],
    ...     "vawg_flag": [True, True, True]})
    >>> rfg_harm_score(crimes, as_of="2026-04-01").round(1).to_dict()
    {'a': 114.8, 'b': 15.0}
    """
    weights = weights or HarmScoreWeights()
    missing = [c for c in (suspect, date, offence, vawg) if c not in crimes.columns]
    if missing:
        raise ConfigError(f"crimes table has no column(s) {missing} needed for the harm score")
    as_of = pd.Timestamp(as_of)
    start = as_of - pd.Timedelta(days=weights.lookback_days)
    in_window = (
        crimes[vawg].astype(bool) & (crimes[date] < as_of) & (crimes[date] >= start)
    ).to_numpy()
    window = crimes.loc[in_window, [suspect, date, offence]]
    gravity = window[offence].map(dict(weights.gravity_points)).astype("float64")
    gravity = gravity.fillna(weights.default_gravity)
    grouped = window.assign(_gravity=gravity).groupby(suspect, sort=True)
    latest = grouped[date].max()
    count = grouped[date].size()
    days_since = (as_of - latest).dt.days.astype("float64")
    recency = weights.recency_points * 0.5 ** (days_since / weights.recency_half_life_days)
    frequency = weights.frequency_points * count.clip(upper=weights.frequency_cap)
    score = recency + frequency + grouped["_gravity"].sum()
    score.name = "harm_score"
    return score.astype("float64")


# --------------------------------------------------------------------------- analysis tables
#: Offence groups counted as "serious" in suspects' profiles (rape, other sexual, injury).
SERIOUS_GROUPS = ("rape", "other_sexual_offences", "violence_with_injury", "homicide")
#: Prefix of the offence-group indicator columns of :func:`vawg_arrests`.
OFFENCE_PREFIX = "is_"
#: Group labels used in tables and figures.
FOCUS_LABEL = "Focus investigation"
COMPARISON_LABEL = "High-harm comparison"


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
    frame = pd.DataFrame(
        {
            by: suspects[by],
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


# --------------------------------------------------------------------------- designs
#: Pre-pilot characteristics the comparison group is matched on.
MATCHING_COVARIATES = (
    "harm_score",
    "prior_vawg_crimes",
    "prior_serious_crimes",
    "prior_da_crimes",
    "prior_arrests",
    "days_since_last_vawg",
    "prior_withdrawal_rate_pp",
)

_OUTCOME_WORDS = {
    "charged": "charge/summons rate (outcome 1)",
    "withdrawn": "victim-withdrawal rate (outcome 16)",
}


def _outcome_words(outcome: str) -> str:
    return _OUTCOME_WORDS.get(outcome.removesuffix("_pp"), outcome)


def _pending_note(pending_1: int, pending_0: int) -> str:
    return (
        f"Arrests with the outcome still pending at the extract date are left out of the "
        f"denominators: {pending_1:,} in the Focus group and {pending_0:,} in the comparison."
    )


def _compare_finalised(
    group_1: pd.DataFrame,
    group_0: pd.DataFrame,
    outcome: str,
    estimand: str,
    method: str,
    assumptions: tuple[str, ...],
) -> Estimate:
    """Difference in an outcome share between two sets of finalised arrests."""
    from ...methods import compare_proportions

    final_1, final_0 = group_1.loc[group_1["finalised"]], group_0.loc[group_0["finalised"]]
    if len(final_1) == 0 or len(final_0) == 0:
        raise EstimationError(
            f"no finalised arrests in one group for the {estimand}; the extract may be too "
            "early after the pilot start for outcomes to be assigned"
        )
    base = outcome.removesuffix("_pp")
    estimate = compare_proportions(
        int(final_1[base].sum()), len(final_1), int(final_0[base].sum()), len(final_0)
    )
    pending_1 = int((~group_1["finalised"]).sum())
    pending_0 = int((~group_0["finalised"]).sum())
    diagnostics = {
        **estimate.diagnostics,
        "n_finalised_focus": len(final_1),
        "n_finalised_comparison": len(final_0),
        "n_pending_focus": pending_1,
        "n_pending_comparison": pending_0,
        "rate_focus_pct": 100.0 * final_1[base].mean(),
        "rate_comparison_pct": 100.0 * final_0[base].mean(),
    }
    return estimate.with_updates(
        estimand=estimand,
        method=method,
        assumptions=assumptions,
        diagnostics=diagnostics,
        warnings=(*estimate.warnings, _pending_note(pending_1, pending_0)),
        outcome=base,
    )


def before_after(arrests: pd.DataFrame, *, outcome: str = "charged") -> Estimate:
    """Naive before/after: Focus perpetrators' arrests under Focus against their earlier ones.

    Enhanced-investigation arrests against the same perpetrators' arrests
    before the pilot (SMS 1).

    Biased by anything else that changed over time (a secular trend in charge
    rates) and by selection on recent serious offending (the pre-pilot offence
    mix of those selected is unusually serious).

    Parameters
    ----------
    arrests : DataFrame
        Output of :func:`vawg_arrests`.
    outcome : {"charged", "withdrawn"}
        The outcome share compared.

    Returns
    -------
    Estimate
        Difference in percentage points among finalised arrests.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=3, scale=0.3)
    >>> arrests = vawg_arrests(data.tables["crimes"], data.tables["suspects"],
    ...                        pilot_start="2026-04-01", extract_date=data.extract_date)
    >>> before_after(arrests).scale
    'percentage points'
    """
    focus = arrests.loc[arrests["focus_flag"].astype(bool)]
    after = focus.loc[focus["focus_investigation"].eq(1)]
    before = focus.loc[~focus["after_pilot"]]
    words = _outcome_words(outcome)
    return _compare_finalised(
        after,
        before,
        outcome,
        f"change in the {words} of Focus perpetrators' arrests, enhanced investigation "
        "against their arrests before the pilot",
        "before/after comparison of proportions (Focus perpetrators only)",
        (
            "Nothing but Focus changed the outcome between the two periods (no trend, no change "
            "in the kind of offence arrested for).",
        ),
    )


def naive_comparison(arrests: pd.DataFrame, *, outcome: str = "charged") -> Estimate:
    """Naive cross-section: enhanced investigations against non-Focus suspects' arrests.

    Arrests since the pilot start only, no adjustment (SMS 1).

    Biased by selection: Focus perpetrators are chosen for high harm, and
    high-harm suspects' cases differ (victims more often withdraw).

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=3, scale=0.3)
    >>> arrests = vawg_arrests(data.tables["crimes"], data.tables["suspects"],
    ...                        pilot_start="2026-04-01", extract_date=data.extract_date)
    >>> naive_comparison(arrests).diagnostics["n_finalised_focus"] > 0
    True
    """
    after = arrests.loc[arrests["after_pilot"]]
    focus = after.loc[after["focus_investigation"].eq(1)]
    others = after.loc[~after["focus_flag"].astype(bool)]
    words = _outcome_words(outcome)
    return _compare_finalised(
        focus,
        others,
        outcome,
        f"difference in the {words} between enhanced-investigation arrests and non-Focus "
        "suspects' arrests since the pilot start",
        "cross-sectional comparison of proportions (no adjustment)",
        (
            "Focus and non-Focus suspects' cases would have had the same outcomes without Focus "
            "(no selection).",
        ),
    )


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


def match_comparison_group(
    pool: pd.DataFrame,
    *,
    outcome: str = "prior_charge_rate_pp",
    covariates: list[str] | tuple[str, ...] = MATCHING_COVARIATES,
    caliper: float | None = 0.2,
    neighbours: int = 1,
) -> Estimate:
    """Match each Focus perpetrator to non-Focus high-harm suspects on their history.

    Nearest-neighbour matching (with replacement) on the propensity score
    estimated from pre-pilot characteristics. With the default outcome the
    estimate is a *placebo*: the difference in pre-pilot charge rate between
    Focus perpetrators and their matches, near zero if the comparison was
    similar beforehand. ``details["matched"]`` holds the matched suspects and
    their ``match_weight``; ``details["balance"]`` the balance table.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=3, scale=0.5)
    >>> crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    >>> arrests = vawg_arrests(crimes, suspects, pilot_start="2026-04-01",
    ...                        extract_date=data.extract_date)
    >>> profiles = suspect_profiles(suspects, crimes, arrests, pilot_start="2026-04-01")
    >>> placebo = match_comparison_group(comparison_pool(profiles, threshold=240))
    >>> bool(placebo.details["matched"]["match_weight"].gt(0).all())
    True
    """
    from ...methods import match

    covariates = list(covariates)
    # The pre-pilot rates are undefined without a finalised arrest; the pool requires one.
    frame = pool.dropna(subset=[c for c in [*covariates, outcome] if c in pool.columns])
    result = match(
        frame,
        outcome=outcome,
        treatment="focus_flag",
        covariates=covariates,
        caliper=caliper,
        replace=True,
        neighbours=neighbours,
    )
    if outcome != "prior_charge_rate_pp":
        return result
    return result.with_updates(
        estimand=(
            "placebo: difference in pre-pilot charge rate (percentage points) between Focus "
            "perpetrators and their matched comparison suspects (should be near 0)"
        ),
        scale="percentage points",
    )


def arrest_did(
    arrests: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    outcome: str = "charged_pp",
    adjust_offence: bool = True,
) -> Estimate:
    """Difference-in-differences on arrests: Focus against high-harm comparison suspects (SMS 3).

    A linear probability model on every finalised VAWG arrest of the suspects in
    ``comparison`` (Focus perpetrators and their comparison group), with suspect
    and quarter effects absorbed, the offence group as covariates (selection on
    recent serious offending changes the offence mix), and standard errors
    clustered by suspect. The coefficient of ``focus_investigation`` is the
    change in the outcome when a Focus perpetrator's arrest is investigated
    under Focus, net of the change over the same quarters for comparison
    suspects. Suspect effects absorb every fixed difference between suspects,
    so the comparison suspects need to share the trend, not the level.

    Parameters
    ----------
    arrests : DataFrame
        Output of :func:`vawg_arrests`.
    comparison : DataFrame
        The suspects to use (``suspect_id``), Focus and comparison; with a
        ``match_weight`` column (from matching) the regression is weighted.
    outcome : {"charged_pp", "withdrawn_pp"}
        Outcome (0/100, so the effect is in percentage points).
    adjust_offence : bool
        Include the offence-group indicators.

    Returns
    -------
    Estimate
        On the ``"percentage points"`` scale; ``n`` counts suspects.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=3, scale=0.5)
    >>> crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    >>> arrests = vawg_arrests(crimes, suspects, pilot_start="2026-04-01",
    ...                        extract_date=data.extract_date)
    >>> profiles = suspect_profiles(suspects, crimes, arrests, pilot_start="2026-04-01")
    >>> arrest_did(arrests, comparison_pool(profiles, threshold=240)).scale
    'percentage points'
    """
    from ...methods import did

    members = comparison["suspect_id"]
    weighted = "match_weight" in comparison.columns
    sample = arrests.loc[arrests["finalised"] & arrests["suspect_id"].isin(members)].copy()
    if weighted:
        weights = comparison.groupby("suspect_id")["match_weight"].sum()
        sample["match_weight"] = sample["suspect_id"].map(weights)
    covariates = [c for c in sample.columns if c.startswith(OFFENCE_PREFIX)]
    covariates = [c for c in covariates if sample[c].nunique() > 1] if adjust_offence else []
    result = did(
        sample,
        outcome=outcome,
        treatment="focus_investigation",
        unit="suspect_id",
        time="quarter",
        weights="match_weight" if weighted else None,
        covariates=covariates or None,
        cluster="suspect_id",
    )
    pending = arrests.loc[~arrests["finalised"] & arrests["suspect_id"].isin(members)]
    words = _outcome_words(outcome)
    group = "matched" if weighted else "high-harm"
    return result.with_updates(
        scale="percentage points",
        estimand=(
            f"effect of an enhanced (Focus) investigation on the {words} of an arrest, "
            f"against {group} non-Focus suspects (difference-in-differences)"
        ),
        method=(
            "difference-in-differences on finalised arrests: suspect and quarter effects, "
            f"offence group{', matching weights' if weighted else ''}, standard errors "
            "clustered by suspect"
        ),
        diagnostics={
            **result.diagnostics,
            "n_arrests": len(sample),
            "n_pending_excluded": len(pending),
            "n_treated_arrests": int(sample["focus_investigation"].sum()),
            "n_focus_suspects": int(
                sample.loc[sample["focus_flag"].astype(bool), "suspect_id"].nunique()
            ),
            "n_comparison_suspects": int(
                sample.loc[~sample["focus_flag"].astype(bool), "suspect_id"].nunique()
            ),
        },
        warnings=(
            *result.warnings,
            f"{len(pending):,} arrests with the outcome still pending at the extract date are "
            "left out.",
        ),
        outcome=outcome.removesuffix("_pp"),
    )


def placebo_did(
    arrests: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    placebo_start: str | pd.Timestamp,
    outcome: str = "charged_pp",
) -> Estimate:
    """The difference-in-differences with a pretend pilot start, before the real one.

    Only arrests before the real pilot are used; Focus perpetrators' arrests
    after ``placebo_start`` are labelled treated. An effect clearly away from
    zero would mean the groups were already diverging: the parallel-trends
    assumption would be in doubt.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=3, scale=0.5)
    >>> crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    >>> arrests = vawg_arrests(crimes, suspects, pilot_start="2026-04-01",
    ...                        extract_date=data.extract_date)
    >>> profiles = suspect_profiles(suspects, crimes, arrests, pilot_start="2026-04-01")
    >>> pool = comparison_pool(profiles, threshold=240)
    >>> placebo_did(arrests, pool, placebo_start="2025-04-01").n > 0
    True
    """
    start = pd.Timestamp(placebo_start)
    before = arrests.loc[~arrests["after_pilot"]].copy()
    if not (before["arrest_date"].min() < start < before["arrest_date"].max()):
        raise ConfigError(
            f"placebo start {start.date()} must fall inside the pre-pilot arrests "
            f"({before['arrest_date'].min().date()} to {before['arrest_date'].max().date()})"
        )
    before["focus_investigation"] = (
        before["focus_flag"].astype(bool) & before["arrest_date"].ge(start)
    ).astype("int64")
    result = arrest_did(before, comparison, outcome=outcome)
    return result.with_updates(
        estimand=(
            f"placebo: 'effect' of a pretend Focus start on {start.date()} on the "
            f"{_outcome_words(outcome)} before the real pilot (should be near 0)"
        )
    )


def event_study_table(
    arrests: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    outcome: str = "charged_pp",
    leads: int = 6,
) -> Estimate:
    """Quarter-by-quarter Focus-minus-comparison differences around the pilot start.

    An event study on the finalised arrests of the suspects in ``comparison``,
    with the outcome taken net of its offence group's average (the event-study
    estimator has no covariates, and the offence mix of those selected shifts).
    The joint test of the pre-pilot quarters
    (``diagnostics["pretrend_p_value"]``) checks parallel trends.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=3, scale=0.5)
    >>> crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    >>> arrests = vawg_arrests(crimes, suspects, pilot_start="2026-04-01",
    ...                        extract_date=data.extract_date)
    >>> profiles = suspect_profiles(suspects, crimes, arrests, pilot_start="2026-04-01")
    >>> pool = comparison_pool(profiles, threshold=240)
    >>> "pretrend_p_value" in event_study_table(arrests, pool).diagnostics
    True
    """
    from ...methods import event_study

    keep = arrests["finalised"] & arrests["suspect_id"].isin(comparison["suspect_id"])
    sample = arrests.loc[keep].copy()
    sample["outcome_net"] = sample[outcome] - sample.groupby("offence_group")[outcome].transform(
        "mean"
    )
    sample["first_quarter"] = np.where(sample["focus_flag"].astype(bool), 0.0, np.nan)
    # The last quarter is part-complete and has few outcomes: pool the post-pilot quarters.
    lags = min(int(sample["quarter"].max()), 1)
    result = event_study(
        sample,
        outcome="outcome_net",
        unit="suspect_id",
        time="quarter",
        first_treated="first_quarter",
        leads=leads,
        lags=max(lags, 0),
    )
    return result.with_updates(
        scale="percentage points",
        estimand=(
            f"difference in the {_outcome_words(outcome)} (net of offence group) between Focus "
            "and comparison suspects by quarter, relative to the quarter before the pilot"
        ),
        outcome=outcome.removesuffix("_pp"),
    )


# ------------------------------------------------------------------- regression discontinuity
def fuzzy_rdd(
    data: pd.DataFrame,
    *,
    outcome: str,
    treatment: str,
    running: str,
    cutoff: float,
    bandwidth: float | None = None,
    cluster: str | None = None,
    kernel: str = "triangular",
    polynomial: int = 1,
    conf_level: float = 0.95,
    scale: str = "difference",
) -> Estimate:
    """Fuzzy regression discontinuity: the jump in the outcome over the jump in treatment.

    Generic (any programme whose selection follows a score only in part). Built
    from :func:`analysis.methods.rdd` at one common bandwidth:

    - the reduced form (jump in ``outcome``) and the first stage (jump in the
      share treated) are each a local-polynomial jump;
    - the effect is their ratio (the Wald estimator): the effect of treatment
      for units whose treatment follows the threshold ("compliers"), at the
      threshold;
    - the interval is found by test inversion: the set of effects ``b`` for
      which the robust bias-corrected test finds no jump in ``outcome - b *
      treatment`` (Anderson-Rubin style; Feir, Lemieux and Marmer 2016). Both
      the jump and its robust variance are linear and quadratic in the outcome,
      so three local fits (outcome, treatment, their sum) give the set in closed
      form. It stays valid when the first stage is weak, and is unbounded when
      the first stage is too weak to say anything (an error);
    - the p-value is that of the reduced form (the test of no effect);
    - ``se`` is the delta-method standard error of the ratio.

    Parameters
    ----------
    data : DataFrame
        One row per unit (or per case, with ``cluster`` naming the person).
    outcome, treatment, running : str
        Outcome, 0/1 treatment received, and the score.
    cutoff : float
        Threshold of the score.
    bandwidth : float, optional
        Common bandwidth; by default the MSE-optimal bandwidth of the reduced form.
    cluster : str, optional
        Cluster column for the variances.
    kernel, polynomial, conf_level
        As for :func:`analysis.methods.rdd`.
    scale : str
        Scale of the effect (``"percentage points"`` when the outcome is 0/100).

    Returns
    -------
    Estimate
        ``details["reduced_form"]`` and ``details["first_stage"]`` (the two
        :func:`~analysis.methods.rdd` results), ``details["bins"]``,
        ``details["fit"]``, ``details["cutoff"]`` (the reduced form's, for
        ``plot_rdd``); ``diagnostics`` hold the first-stage jump and interval,
        the share treated either side within the bandwidth, the bandwidth and
        the density test.

    Raises
    ------
    EstimationError
        When the first stage is too weak for a bounded interval.

    Examples
    --------
    >>> rng = np.random.default_rng(4)
    >>> score = rng.uniform(-1, 1, 4000)
    >>> took_part = rng.random(4000) < np.where(score >= 0, 0.8, 0.1)
    >>> frame = pd.DataFrame({"score": score, "took_part": took_part.astype(int),
    ...                       "y": 0.3 * score + 0.5 * took_part + rng.normal(0, 0.3, 4000)})
    >>> est = fuzzy_rdd(frame, outcome="y", treatment="took_part", running="score", cutoff=0)
    >>> bool(est.ci_low < 0.5 < est.ci_high), round(est.diagnostics["first_stage"], 1)
    (True, 0.7)
    """
    from scipy import stats

    from ...methods import rdd

    for column in (outcome, treatment, running):
        if column not in data.columns:
            raise ConfigError(f"fuzzy_rdd: no column '{column}' in the data")
    frame = data[[c for c in dict.fromkeys([outcome, treatment, running, cluster]) if c]].copy()
    frame[treatment] = frame[treatment].astype("float64")
    frame["_sum"] = frame[outcome].astype("float64") + frame[treatment]
    options = {
        "running": running,
        "cutoff": cutoff,
        "kernel": kernel,
        "polynomial": polynomial,
        "conf_level": conf_level,
        "cluster": cluster,
    }
    if bandwidth is None:
        bandwidth = float(rdd(frame, outcome=outcome, **options).diagnostics["bandwidth"])
    reduced = rdd(frame, outcome=outcome, bandwidth=bandwidth, **options)
    first = rdd(frame, outcome=treatment, bandwidth=bandwidth, **options)
    summed = rdd(frame, outcome="_sum", bandwidth=bandwidth, **options)
    z = float(stats.norm.ppf(0.5 + conf_level / 2))

    def covariance(se_sum: float, se_y: float, se_d: float) -> float:
        # Polarisation: var(y + d) = var(y) + 2 cov(y, d) + var(d).
        return (se_sum**2 - se_y**2 - se_d**2) / 2

    if first.effect == 0:
        raise EstimationError("fuzzy_rdd: the share treated does not jump at the cutoff")
    effect = reduced.effect / first.effect
    cov_conventional = covariance(summed.se, reduced.se, first.se)
    variance = reduced.se**2 - 2 * effect * cov_conventional + effect**2 * first.se**2
    se = float(np.sqrt(max(variance, 0.0)) / abs(first.effect))

    a_y = reduced.diagnostics["bias_corrected_effect"]
    a_d = first.diagnostics["bias_corrected_effect"]
    v_y, v_d = reduced.diagnostics["robust_se"] ** 2, first.diagnostics["robust_se"] ** 2
    c_yd = covariance(
        summed.diagnostics["robust_se"],
        reduced.diagnostics["robust_se"],
        first.diagnostics["robust_se"],
    )
    # {b : (a_y - b a_d)^2 <= z^2 (v_y - 2 b c + b^2 v_d)} is a quadratic inequality in b.
    quad_a = a_d**2 - z**2 * v_d
    quad_b = -2 * (a_y * a_d - z**2 * c_yd)
    quad_c = a_y**2 - z**2 * v_y
    if quad_a <= 0:
        raise EstimationError(
            "fuzzy_rdd: the jump in the share treated at the cutoff is not clearly different "
            f"from zero (first stage {first.effect:.3f}, robust 95% CI {first.ci_low:.3f} to "
            f"{first.ci_high:.3f}), so the interval for the effect is unbounded. Widen the "
            "bandwidth or report the reduced form (the effect of crossing the threshold) alone."
        )
    root = np.sqrt(max(quad_b**2 - 4 * quad_a * quad_c, 0.0))
    ci_low, ci_high = (-quad_b - root) / (2 * quad_a), (-quad_b + root) / (2 * quad_a)

    within = (frame[running] - cutoff).abs().le(bandwidth)
    above = frame[running].ge(cutoff)
    share_below = float(frame.loc[within & ~above, treatment].mean())
    share_above = float(frame.loc[within & above, treatment].mean())
    warnings = list(reduced.warnings)
    if first.ci_low < 0.5:
        warnings.append(
            f"The first stage is modest (jump in the share treated {first.effect:.2f}, robust "
            f"CI {first.ci_low:.2f} to {first.ci_high:.2f}): the effect is a ratio with a noisy "
            "denominator, which the test-inversion interval allows for."
        )
    diagnostics = {
        "bandwidth": bandwidth,
        "kernel": kernel,
        "polynomial": polynomial,
        "first_stage": first.effect,
        "first_stage_ci_low": first.ci_low,
        "first_stage_ci_high": first.ci_high,
        "reduced_form": reduced.effect,
        "reduced_form_ci_low": reduced.ci_low,
        "reduced_form_ci_high": reduced.ci_high,
        "share_treated_below": share_below,
        "share_treated_above": share_above,
        "n_below_in_bandwidth": reduced.diagnostics["n_below_in_bandwidth"],
        "n_above_in_bandwidth": reduced.diagnostics["n_above_in_bandwidth"],
        "density_p_value": reduced.diagnostics.get("density_p_value"),
        "interval": "robust bias-corrected test inversion (Anderson-Rubin style)",
    }
    return Estimate(
        effect=float(effect),
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        p_value=reduced.p_value,
        n=reduced.n,
        scale=scale,
        method=(
            f"fuzzy regression discontinuity (Wald ratio of local-polynomial jumps, order "
            f"{polynomial}, {kernel} kernel, bandwidth {bandwidth:.3g}), interval by test "
            "inversion of the robust bias-corrected test"
        ),
        estimand=(
            f"effect of {treatment} on {outcome} for units whose treatment follows the "
            f"threshold of {running} at {cutoff:g} (local average treatment effect)"
        ),
        se=se,
        assumptions=(
            f"Without treatment the outcome would change smoothly through {running} = {cutoff:g}.",
            f"{running} cannot be precisely manipulated around the threshold (density test).",
            "Crossing the threshold changes the outcome only by changing treatment "
            "(exclusion), and never makes anyone less likely to be treated (monotonicity).",
        ),
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        details={
            "reduced_form": reduced,
            "first_stage": first,
            "bins": reduced.details["bins"],
            "fit": reduced.details["fit"],
            "cutoff": cutoff,
            "running": running,
        },
        conf_level=conf_level,
        outcome=outcome,
    )


#: Widening steps of the regression discontinuity bandwidth when the first stage is too weak.
_MAX_WIDENINGS = 4
_WIDENING = 1.25


def rdd_sample(arrests: pd.DataFrame) -> pd.DataFrame:
    """Finalised VAWG arrests since the pilot start, for the regression discontinuity.

    Examples
    --------
    >>> frame = pd.DataFrame({"after_pilot": [True, True, False], "finalised": [True, False, True]})
    >>> len(rdd_sample(frame))
    1
    """
    return arrests.loc[arrests["after_pilot"] & arrests["finalised"]].reset_index(drop=True)


def focus_rdd(
    arrests: pd.DataFrame,
    *,
    threshold: float,
    outcome: str = "charged_pp",
    bandwidth: float | None = None,
) -> Estimate:
    """Fuzzy regression discontinuity at the harm-score threshold (SMS 4).

    Finalised VAWG arrests since the pilot start, running variable the
    suspect's harm score at identification, treatment an enhanced (Focus)
    investigation, standard errors clustered by suspect.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=3)
    >>> arrests = vawg_arrests(data.tables["crimes"], data.tables["suspects"],
    ...                        pilot_start="2026-04-01", extract_date=data.extract_date)
    >>> focus_rdd(arrests, threshold=240).scale
    'percentage points'
    """
    from ...methods import rdd

    sample = rdd_sample(arrests)
    pending = int((arrests["after_pilot"] & ~arrests["finalised"]).sum())
    options = {"running": "harm_score", "cutoff": threshold, "cluster": "suspect_id"}
    chosen = bandwidth or float(rdd(sample, outcome=outcome, **options).diagnostics["bandwidth"])
    notes = []
    for attempt in range(_MAX_WIDENINGS + 1):
        width = chosen * _WIDENING**attempt
        try:
            result = fuzzy_rdd(
                sample,
                outcome=outcome,
                treatment="focus_investigation",
                bandwidth=width,
                scale="percentage points",
                **options,
            )
        except EstimationError:
            if attempt == _MAX_WIDENINGS:
                raise
            continue
        if attempt:
            notes.append(
                f"At the {'chosen' if bandwidth else 'MSE-optimal'} bandwidth ({chosen:.0f} "
                f"points) the first stage was too weak for a bounded interval; the bandwidth was "
                f"widened to {width:.0f} points, which trades some bias for precision."
            )
        break
    return result.with_updates(
        estimand=(
            f"effect of an enhanced (Focus) investigation on the {_outcome_words(outcome)} of "
            f"an arrest, for suspects at the harm-score threshold ({threshold:g}) whose "
            "adoption follows it"
        ),
        diagnostics={
            **result.diagnostics,
            "n_pending_excluded": pending,
            "bandwidth_first_choice": chosen,
        },
        warnings=(
            *result.warnings,
            *notes,
            f"{pending:,} arrests since the pilot start with the outcome still pending are "
            "left out.",
        ),
        outcome=outcome.removesuffix("_pp"),
    )


# --------------------------------------------------------------------------- time to charge
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


def time_to_charge(sample: pd.DataFrame) -> Estimate:
    """Kaplan-Meier curves of time from arrest to charge, Focus against comparison.

    Arrests not charged by the extract date (pending, or finalised without a
    charge) are censored at the extract date: with only this administrative
    censoring, one minus each curve is the share charged by each day since
    arrest, so the curves show both how many are charged and how fast.

    Examples
    --------
    >>> frame = pd.DataFrame({"days_to_charge": [5.0, 40, 90, 10, 200, 120],
    ...                       "charge_event": [1, 1, 0, 1, 0, 0],
    ...                       "group": ["Focus investigation"] * 3 + ["High-harm comparison"] * 3})
    >>> round(time_to_charge(frame).survival_at(50, group="Focus investigation"), 3)
    0.333
    """
    from ...methods import kaplan_meier

    return kaplan_meier(
        sample,
        duration="days_to_charge",
        event="charge_event",
        group="group",
        reference=COMPARISON_LABEL,
    )


def time_to_decision(
    sample: pd.DataFrame, *, covariates: tuple[str, ...] = ("harm_score",)
) -> Estimate:
    """Cox model of time from arrest to an outcome decision, Focus against comparison.

    Pending outcomes are censored at the extract date. Each offence group has
    its own baseline hazard (rape cases take longest), and the harm score is
    adjusted for. A hazard ratio above 1 means decisions come sooner under
    Focus. Because the time to a decision does not depend on which decision is
    made (checked in the notebook), it is also the speed-up in time to charge
    for the arrests that are charged.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=3, scale=0.5)
    >>> crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    >>> arrests = vawg_arrests(crimes, suspects, pilot_start="2026-04-01",
    ...                        extract_date=data.extract_date)
    >>> profiles = suspect_profiles(suspects, crimes, arrests, pilot_start="2026-04-01")
    >>> sample = post_pilot_comparison_arrests(arrests, comparison_pool(profiles, threshold=240))
    >>> time_to_decision(sample).scale
    'hazard ratio'
    """
    from ...methods import cox

    result = cox(
        sample,
        duration="days_to_outcome",
        event="decided",
        covariates=["focus_investigation", *covariates],
        strata="offence_group",
    )
    pending = int((sample["decided"] == 0).sum())
    return result.with_updates(
        estimand=(
            "hazard ratio of an outcome decision after arrest, enhanced (Focus) investigation "
            "against high-harm comparison suspects' arrests since the pilot start (above 1: "
            "sooner)"
        ),
        diagnostics={**result.diagnostics, "n_censored_pending": pending},
        outcome="time to outcome decision",
    )


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


def charge_time_ratio(arrests: pd.DataFrame, *, before: str | pd.Timestamp) -> float:
    """How long charges take relative to other outcomes, within offence groups.

    For arrests made before ``before`` (old enough to be nearly all finalised),
    the ratio of the median days to a charge to the median days to any other
    outcome in each offence group, averaged on the log scale with the number of
    charges as weights. Near 1 supports reading the time to a decision as the
    time to charge, and the charge rate among finalised arrests as the charge
    rate that pending arrests will reach.

    Examples
    --------
    >>> frame = pd.DataFrame({"arrest_date": pd.to_datetime(["2024-01-01"] * 4),
    ...     "finalised": [True] * 4, "outcome_code": [1, 1, 16, 15],
    ...     "days_to_outcome": [30.0, 50, 40, 40], "offence_group": ["rape"] * 4})
    >>> charge_time_ratio(frame, before="2025-01-01")
    1.0
    """
    old = arrests.loc[arrests["arrest_date"].lt(pd.Timestamp(before)) & arrests["finalised"]]
    charged = old["outcome_code"].eq(1)
    medians = pd.DataFrame(
        {
            "charged": old.loc[charged].groupby("offence_group")["days_to_outcome"].median(),
            "other": old.loc[~charged].groupby("offence_group")["days_to_outcome"].median(),
            "charges": old.loc[charged].groupby("offence_group").size(),
        }
    ).dropna()
    medians = medians.loc[(medians["charged"] > 0) & (medians["other"] > 0)]
    if medians.empty:
        raise EstimationError(
            "no offence group has both charges and other outcomes among the older arrests, so "
            "the time to charge cannot be compared with the time to other outcomes"
        )
    log_ratio = np.log(medians["charged"] / medians["other"])
    return float(np.exp(np.average(log_ratio, weights=medians["charges"])))


# --------------------------------------------------------------------------- reoffending
def reoffending_after_arrests(
    arrests: pd.DataFrame,
    crimes: pd.DataFrame,
    *,
    harm_weights: pd.DataFrame,
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
    harm_weights : DataFrame
        ``offence_group, chi_days`` (Cambridge Crime Harm Index days, from
        ``analysis.data.load_reference("harm_weights")``).
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
    >>> weights = pd.DataFrame({"offence_group": ["rape", "public_order"], "chi_days": [2555, 7.5]})
    >>> out = reoffending_after_arrests(arrests, crimes, harm_weights=weights, follow_up_days=90,
    ...                                 extract_date="2026-10-31")
    >>> out[["crimes_after", "harm_after"]].values.tolist()
    [[1.0, 7.5]]
    """
    if follow_up_days <= 0:
        raise ConfigError(f"follow_up_days must be positive, got {follow_up_days!r}")
    weights = harm_weights.set_index("offence_group")["chi_days"]
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


def reoffending_matched(
    index_arrests: pd.DataFrame,
    *,
    outcome: str = "harm_after",
    threshold: float,
    min_score_share: float = 0.5,
    covariates: list[str] | tuple[str, ...] = MATCHING_COVARIATES,
    caliper: float | None = 0.2,
    harm_unit: str = "Crime Harm Index days",
) -> Estimate:
    """Reoffending after an arrest since the pilot start: Focus against matched suspects (SMS 2).

    Each Focus perpetrator's first enhanced-investigation arrest is compared
    with matched high-harm non-Focus suspects' first arrest since the pilot,
    on crimes (or their harm) in the follow-up window. ``harm_unit`` names the
    unit of ``harm_after`` (it becomes the estimate's scale).

    Examples
    --------
    >>> from analysis.data import load_reference
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=3, scale=0.5)
    >>> crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    >>> arrests = vawg_arrests(crimes, suspects, pilot_start="2026-04-01",
    ...                        extract_date=data.extract_date)
    >>> profiles = suspect_profiles(suspects, crimes, arrests, pilot_start="2026-04-01")
    >>> after = reoffending_after_arrests(arrests, crimes, harm_weights=load_reference(
    ...     "harm_weights"), follow_up_days=90, extract_date=data.extract_date)
    >>> index = reoffending_index_arrests(after, profiles)
    >>> reoffending_matched(index, outcome="crimes_after", threshold=240).scale
    'crimes'
    """
    pool = comparison_pool(index_arrests, threshold=threshold, min_score_share=min_score_share)
    covariates = list(covariates)
    pool = pool.dropna(subset=covariates)
    from ...methods import match

    result = match(
        pool,
        outcome=outcome,
        treatment="focus_flag",
        covariates=covariates,
        caliper=caliper,
        replace=True,
    )
    what = harm_unit if outcome == "harm_after" else "crimes"
    return result.with_updates(
        scale=what,
        estimand=(
            f"difference in {what} committed in the follow-up window after an arrest since the "
            "pilot start, Focus perpetrators against matched high-harm non-Focus suspects"
        ),
        outcome=outcome,
    )


def reoffending_before_after(reoffending: pd.DataFrame, *, follow_up_days: int) -> Estimate:
    """Naive before/after of Focus perpetrators' reoffending rate after arrest (SMS 1).

    Crimes in the window after each enhanced-investigation arrest against the
    same perpetrators' arrests before the pilot, as a rate ratio per
    arrest-window. Selection on recent offending (regression to the mean),
    seasons and desistance all differ between the periods, so the comparison
    is biased in a direction it cannot tell.

    Examples
    --------
    >>> frame = pd.DataFrame({"focus_flag": [True] * 4, "after_pilot": [False, False, True, True],
    ...     "focus_investigation": [0, 0, 1, 1], "crimes_after": [3.0, 2, 1, 1]})
    >>> round(reoffending_before_after(frame, follow_up_days=90).effect, 2)
    0.4
    """
    from ...methods import rate_ratio

    focus = reoffending.loc[reoffending["focus_flag"].astype(bool)]
    after = focus.loc[focus["focus_investigation"].eq(1)]
    before = focus.loc[~focus["after_pilot"]]
    years = follow_up_days / 365.25
    result = rate_ratio(
        int(after["crimes_after"].sum()),
        len(after) * years,
        int(before["crimes_after"].sum()),
        len(before) * years,
    )
    return result.with_updates(
        estimand=(
            "ratio of Focus perpetrators' crime rate after enhanced-investigation arrests to "
            "their rate after arrests before the pilot"
        ),
        method="before/after rate ratio (Focus perpetrators only; Poisson)",
        warnings=(
            *result.warnings,
            "Poisson intervals ignore that some people offend far more than others, so they "
            "are too narrow.",
        ),
    )


def rdd_bandwidth_sensitivity(
    arrests: pd.DataFrame,
    *,
    threshold: float,
    bandwidth: float,
    factors: tuple[float, ...] = (0.75, 1.0, 1.5, 2.0),
    outcome: str = "charged_pp",
) -> pd.DataFrame:
    """The fuzzy regression discontinuity at several bandwidths (a robustness check).

    Returns one row per bandwidth: ``bandwidth, effect, ci_low, ci_high,
    first_stage, n_in_bandwidth``; where the first stage is too weak for a
    bounded interval the row says so (``note``) instead.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=3)
    >>> arrests = vawg_arrests(data.tables["crimes"], data.tables["suspects"],
    ...                        pilot_start="2026-04-01", extract_date=data.extract_date)
    >>> table = rdd_bandwidth_sensitivity(arrests, threshold=240, bandwidth=100)
    >>> table["bandwidth"].tolist()
    [75.0, 100.0, 150.0, 200.0]
    """
    sample = rdd_sample(arrests)
    rows = []
    for factor in factors:
        width = float(bandwidth * factor)
        row = {"bandwidth": width}
        try:
            result = fuzzy_rdd(
                sample,
                outcome=outcome,
                treatment="focus_investigation",
                running="harm_score",
                cutoff=threshold,
                bandwidth=width,
                cluster="suspect_id",
            )
        except EstimationError:
            row["note"] = "first stage too weak for a bounded interval"
        else:
            d = result.diagnostics
            row.update(
                effect=result.effect,
                ci_low=result.ci_low,
                ci_high=result.ci_high,
                first_stage=d["first_stage"],
                n_in_bandwidth=d["n_below_in_bandwidth"] + d["n_above_in_bandwidth"],
                note="",
            )
        rows.append(row)
    return pd.DataFrame(rows)


def rdd_placebo_cutoffs(
    arrests: pd.DataFrame,
    *,
    threshold: float,
    cutoffs: tuple[float, ...],
    outcome: str = "charged_pp",
) -> pd.DataFrame:
    """Jumps in the outcome at pretend thresholds, where nothing changes (should be near 0).

    Each pretend cutoff uses only the arrests on its own side of the real
    threshold, so the real jump cannot leak in. Sharp local-linear fits with
    the MSE-optimal bandwidth and robust intervals.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=3)
    >>> arrests = vawg_arrests(data.tables["crimes"], data.tables["suspects"],
    ...                        pilot_start="2026-04-01", extract_date=data.extract_date)
    >>> rdd_placebo_cutoffs(arrests, threshold=240, cutoffs=(150.0,))["cutoff"].tolist()
    [150.0]
    """
    from ...methods import rdd

    sample = rdd_sample(arrests)
    rows = []
    for cutoff in cutoffs:
        side = (
            sample["harm_score"].lt(threshold)
            if cutoff < threshold
            else sample["harm_score"].ge(threshold)
        )
        try:
            result = rdd(
                sample.loc[side],
                outcome=outcome,
                running="harm_score",
                cutoff=cutoff,
                cluster="suspect_id",
            )
        except EstimationError as error:
            rows.append({"cutoff": float(cutoff), "note": str(error)})
            continue
        rows.append(
            {
                "cutoff": float(cutoff),
                "jump": result.effect,
                "ci_low": result.ci_low,
                "ci_high": result.ci_high,
                "p_value": result.p_value,
                "note": "",
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- data quality
#: Unit of harm under each choice of weights (:func:`harm_weight_table`).
HARM_UNITS = {"crime_harm_index": "Crime Harm Index days", "equal": "crimes (equal weights)"}


def harm_weight_table(name: str) -> pd.DataFrame:
    """Harm weight per offence group: the Crime Harm Index, or equal weights (a count).

    Parameters
    ----------
    name : {"crime_harm_index", "equal"}
        ``"crime_harm_index"``: Cambridge Crime Harm Index days from
        ``data/reference/harm_weights.csv``; ``"equal"``: every crime weighs 1.

    Examples
    --------
    >>> float(harm_weight_table("equal").set_index("offence_group").loc["rape", "chi_days"])
    1.0
    """
    from ...data.reference import harm_weights

    weights = harm_weights(name)
    return pd.DataFrame({"offence_group": list(weights), "chi_days": list(weights.values())})


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


def exclusions(evaluation: FocusEvaluation) -> pd.DataFrame:
    """Rows left out of each analysis and why.

    Examples
    --------
    >>> from analysis.data import load_reference
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=5, scale=0.5)
    >>> ev = evaluate(data.tables["crimes"], data.tables["suspects"], pilot_start="2026-04-01",
    ...               extract_date=data.extract_date, threshold=240,
    ...               harm_weights=load_reference("harm_weights"))
    >>> "excluded" in exclusions(ev).columns
    True
    """
    arrests = evaluation.arrests
    pending = int((~arrests["finalised"]).sum())
    pending_post = int((~arrests["finalised"] & arrests["after_pilot"]).sum())
    follow = evaluation.settings["follow_up_days"]
    short = len(arrests) - len(evaluation.reoffending)
    profiles = evaluation.profiles
    no_history = int((profiles["focus_flag"] & profiles["prior_finalised"].eq(0)).sum())
    unmatched = int(evaluation.matching.diagnostics.get("n_unmatched", 0))
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


# --------------------------------------------------------------------------- power and value


def proportions_mde(estimate: Estimate) -> float:
    """Minimum detectable difference (percentage points) of a comparison of two proportions.

    Uses the group sizes and comparison rate recorded by :func:`before_after`
    and :func:`naive_comparison`.

    Examples
    --------
    >>> est = Estimate(2.0, -1.0, 5.0, 0.3, 900, "percentage points", "m", "e",
    ...     diagnostics={"n_finalised_focus": 300, "n_finalised_comparison": 600,
    ...                  "rate_comparison_pct": 10.0})
    >>> round(proportions_mde(est), 1)
    7.0
    """
    from ...methods import minimum_detectable_effect

    d = estimate.diagnostics
    baseline = min(max(d["rate_comparison_pct"] / 100, 0.005), 0.995)
    return 100 * minimum_detectable_effect(
        "proportions", n1=d["n_finalised_focus"], n0=d["n_finalised_comparison"], baseline=baseline
    )


def additional_charges(
    estimate: Estimate, arrests: pd.DataFrame, *, cost_gbp: float = 0.0
) -> pd.DataFrame:
    """Charges gained by Focus so far: the per-arrest effect times the finalised Focus arrests.

    The effect's interval is carried through. With a cost of the enhanced
    investigations (``cost_gbp`` > 0) the cost per additional charge is given
    too (its upper bound is infinite where the effect's interval reaches zero).

    Examples
    --------
    >>> est = Estimate(5.0, 1.0, 9.0, 0.02, 500, "percentage points", "m", "e")
    >>> frame = pd.DataFrame({"focus_investigation": [1] * 200, "finalised": [True] * 200})
    >>> additional_charges(est, frame).loc["additional charges"].tolist()
    [10.0, 2.0, 18.0]
    """
    treated = arrests["focus_investigation"].eq(1) & arrests["finalised"]
    n = int(treated.sum())
    values = np.array([estimate.effect, estimate.ci_low, estimate.ci_high]) / 100 * n
    table = pd.DataFrame(
        [values], index=["additional charges"], columns=["estimate", "ci_low", "ci_high"]
    )
    if cost_gbp and cost_gbp > 0:
        # No gain (or a loss) at an end of the interval means no finite cost per charge there.
        with np.errstate(divide="ignore"):
            per_charge = np.where(values > 0, cost_gbp / np.where(values > 0, values, 1), np.inf)
        # A higher effect means a lower cost per charge, so the interval swaps ends.
        table.loc["cost per additional charge (GBP)"] = [
            per_charge[0],
            per_charge[2],
            per_charge[1],
        ]
    table.attrs["finalised_focus_arrests"] = n
    return table


# --------------------------------------------------------------------------- the whole evaluation
@dataclass
class FocusEvaluation:
    """Every table and estimate of the Operation Focus evaluation (see :func:`evaluate`)."""

    settings: dict
    arrests: pd.DataFrame
    profiles: pd.DataFrame
    pool: pd.DataFrame
    matching: Estimate
    charge: dict[str, Estimate]
    withdrawal: dict[str, Estimate]
    placebo: Estimate
    event_study: Estimate
    post_pilot: pd.DataFrame
    km: Estimate
    cox: Estimate
    reoffending: pd.DataFrame
    reoffending_index: pd.DataFrame
    reoffending_estimates: dict[str, Estimate]


def evaluate(
    crimes: pd.DataFrame,
    suspects: pd.DataFrame,
    *,
    pilot_start: str | pd.Timestamp,
    extract_date: str | pd.Timestamp,
    threshold: float,
    harm_weights: pd.DataFrame,
    follow_up_days: int = 90,
    placebo_start: str | pd.Timestamp | None = None,
    min_score_share: float = 0.5,
    caliper: float | None = 0.2,
    rd_bandwidth: float | None = None,
    harm_unit: str = "Crime Harm Index days",
) -> FocusEvaluation:
    """Run every design of the Operation Focus evaluation.

    Parameters
    ----------
    crimes, suspects : DataFrame
        The loaded tables.
    pilot_start, extract_date : str or Timestamp
        Pilot start (identification run) and extract date.
    threshold : float
        Harm-score selection threshold.
    harm_weights : DataFrame
        ``offence_group, chi_days``.
    follow_up_days : int
        Reoffending window after an arrest.
    placebo_start : str or Timestamp, optional
        Pretend pilot start for the placebo check (default a year before the pilot).
    min_score_share : float
        Comparison pool: non-Focus suspects scoring at least this share of the threshold.
    caliper : float or None
        Matching caliper (standard deviations of the logit propensity score).
    rd_bandwidth : float, optional
        Regression discontinuity bandwidth (default MSE-optimal).
    harm_unit : str
        Unit of the harm weights, for labels ("crimes" with equal weights).

    Returns
    -------
    FocusEvaluation

    Examples
    --------
    >>> from analysis.data import load_reference
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=5, scale=0.5)
    >>> ev = evaluate(data.tables["crimes"], data.tables["suspects"], pilot_start="2026-04-01",
    ...               extract_date=data.extract_date, threshold=240,
    ...               harm_weights=load_reference("harm_weights"))
    >>> sorted(ev.charge)
    ['before_after', 'did', 'naive', 'rdd']
    """
    pilot = pd.Timestamp(pilot_start)
    placebo = pd.Timestamp(placebo_start) if placebo_start else pilot - pd.DateOffset(years=1)
    arrests = vawg_arrests(crimes, suspects, pilot_start=pilot, extract_date=extract_date)
    profiles = suspect_profiles(suspects, crimes, arrests, pilot_start=pilot)
    pool = comparison_pool(profiles, threshold=threshold, min_score_share=min_score_share)
    matching = match_comparison_group(pool, caliper=caliper)
    charge = {
        "before_after": before_after(arrests, outcome="charged"),
        "naive": naive_comparison(arrests, outcome="charged"),
        "did": arrest_did(arrests, pool, outcome="charged_pp"),
        "rdd": focus_rdd(
            arrests, threshold=threshold, outcome="charged_pp", bandwidth=rd_bandwidth
        ),
    }
    withdrawal = {
        "before_after": before_after(arrests, outcome="withdrawn"),
        "naive": naive_comparison(arrests, outcome="withdrawn"),
        "did": arrest_did(arrests, pool, outcome="withdrawn_pp"),
        "rdd": focus_rdd(
            arrests, threshold=threshold, outcome="withdrawn_pp", bandwidth=rd_bandwidth
        ),
    }
    post_pilot = post_pilot_comparison_arrests(arrests, pool)
    reoffending = reoffending_after_arrests(
        arrests,
        crimes,
        harm_weights=harm_weights,
        follow_up_days=follow_up_days,
        extract_date=extract_date,
    )
    index = reoffending_index_arrests(reoffending, profiles)
    common = {"threshold": threshold, "min_score_share": min_score_share, "caliper": caliper}
    reoffending_estimates = {
        "before_after": reoffending_before_after(reoffending, follow_up_days=follow_up_days),
        "harm": reoffending_matched(index, outcome="harm_after", harm_unit=harm_unit, **common),
        "count": reoffending_matched(index, outcome="crimes_after", **common),
    }
    settings = {
        "pilot_start": pilot,
        "extract_date": pd.Timestamp(extract_date),
        "threshold": threshold,
        "follow_up_days": follow_up_days,
        "harm_unit": harm_unit,
        "placebo_start": placebo,
        "min_score_share": min_score_share,
        "caliper": caliper,
    }
    return FocusEvaluation(
        settings=settings,
        arrests=arrests,
        profiles=profiles,
        pool=pool,
        matching=matching,
        charge=charge,
        withdrawal=withdrawal,
        placebo=placebo_did(arrests, pool, placebo_start=placebo),
        event_study=event_study_table(arrests, pool),
        post_pilot=post_pilot,
        km=time_to_charge(post_pilot),
        cox=time_to_decision(post_pilot),
        reoffending=reoffending,
        reoffending_index=index,
        reoffending_estimates=reoffending_estimates,
    )


# --------------------------------------------------------------------------- findings
QUESTION_CHARGE = (
    "Did enhanced investigation raise the charge/summons rate of arrested Focus perpetrators?"
)
QUESTION_WITHDRAWAL = "Did victim withdrawal (outcome 16) fall?"
QUESTION_TIME = "Did enhanced investigation shorten the time from arrest to charge?"
QUESTION_REOFFENDING = "Did harm-weighted reoffending after arrest fall?"

#: Truth key of each finding (the synthetic generator's TRUTH_DEFINITIONS).
_TRUTH_KEYS = {
    "charge": "charge_rate_effect_pp",
    "withdrawal": "withdrawal_rate_effect_pp",
    "time": "decision_hazard_ratio",
    "reoffending_before_after": "reoffending_rate_ratio",
    "reoffending_harm": "reoffending_harm_effect",
    "reoffending_count": "reoffending_count_effect",
}

_RATE_DESIGNS = {
    "before_after": ("before_after", "before/after, Focus perpetrators only"),
    "naive": ("naive_comparison", "Focus against all non-Focus suspects since the pilot"),
    "did": ("difference_in_differences", "difference-in-differences against high-harm suspects"),
    "rdd": ("regression_discontinuity", "regression discontinuity at the harm-score threshold"),
}


def _design_caveats(key: str, estimate: Estimate, evaluation: FocusEvaluation) -> list[str]:
    """Caveats specific to a design, with the numbers that justify them."""
    d = estimate.diagnostics
    if key == "before_after":
        return [
            "Anything else that changed between the periods (charge rates were changing for "
            "every suspect, and the offences Focus perpetrators were arrested for before "
            "selection were unusually serious) is counted as the effect of Focus."
        ]
    if key == "naive":
        return [
            "Focus perpetrators were selected for high harm and their cases differ from other "
            "suspects' (victims withdraw more often), so the groups were not comparable."
        ]
    if key == "did":
        pretrend = evaluation.event_study.diagnostics.get("pretrend_p_value")
        placebo = evaluation.placebo
        text = [
            "Rests on parallel trends between Focus perpetrators and "
            f"{d['n_comparison_suspects']:,} high-harm comparison suspects: pre-pilot "
            f"quarters' joint test p = {pretrend:.2f}; a placebo pilot start a year earlier gives "
            f"{placebo.effect:+.1f} points (95% CI {placebo.ci_low:+.1f} to "
            f"{placebo.ci_high:+.1f})."
        ]
        return text
    if key == "rdd":
        return [
            f"Selection is fuzzy: within the bandwidth {d['share_treated_below']:.0%} of arrests "
            f"below the threshold and {d['share_treated_above']:.0%} above had a Focus "
            "investigation, so the estimate is a Wald ratio for suspects whose adoption "
            "followed the threshold, close to it.",
            f"Only {d['n_below_in_bandwidth'] + d['n_above_in_bandwidth']:,} finalised arrests "
            "fall within the bandwidth, so the interval is wide.",
        ]
    return []


def build_findings(evaluation: FocusEvaluation, truth: Mapping[str, float] | None = None) -> list:
    """The evaluation's findings, each with its design (SMS level), MDE and planted truth.

    The headlines are the charge-rate effect from the strongest design, the
    regression discontinuity (SMS 4), and from the most precise one, the
    difference-in-differences (SMS 3): at Dorset volumes the discontinuity alone
    cannot detect an effect of a few points, so a reader needs both.

    Parameters
    ----------
    evaluation : FocusEvaluation
        Output of :func:`evaluate`.
    truth : mapping, optional
        Planted truth of the synthetic data (``data.truth``); None for real data.

    Returns
    -------
    list of analysis.evidence.Finding

    Examples
    --------
    >>> from analysis.data import load_reference
    >>> from analysis.synthetic.op_focus import generate
    >>> data = generate(seed=5, scale=0.5)
    >>> ev = evaluate(data.tables["crimes"], data.tables["suspects"], pilot_start="2026-04-01",
    ...               extract_date=data.extract_date, threshold=240,
    ...               harm_weights=load_reference("harm_weights"))
    >>> findings = build_findings(ev, data.truth)
    >>> [f.sms_level for f in findings if f.headline], len(findings)
    ([3, 4], 12)
    """
    from ...evidence import Finding

    truth = dict(truth or {})

    def planted(key: str) -> float | None:
        value = truth.get(_TRUTH_KEYS[key])
        return None if value is None else float(value)

    findings = []
    for question, outcome, estimates, truth_key in (
        (QUESTION_CHARGE, "Charge rate", evaluation.charge, "charge"),
        (QUESTION_WITHDRAWAL, "Victim withdrawal", evaluation.withdrawal, "withdrawal"),
    ):
        for key, (design, words) in _RATE_DESIGNS.items():
            estimate = estimates[key]
            mde = (
                proportions_mde(estimate)
                if key in ("before_after", "naive")
                else mde_from_standard_error(estimate.se, scale=estimate.scale)
            )
            findings.append(
                Finding(
                    question=question,
                    estimate=estimate,
                    design=design,
                    headline=truth_key == "charge" and key in ("did", "rdd"),
                    truth=planted(truth_key),
                    mde=mde,
                    caveats=tuple(_design_caveats(key, estimate, evaluation)),
                    label=f"{outcome}: {words}",
                    extra={"question_group": outcome},
                )
            )
    cox_model = evaluation.cox
    findings.append(
        Finding(
            question=QUESTION_TIME,
            estimate=cox_model,
            design="regression_adjusted",
            truth=planted("time"),
            mde=mde_from_standard_error(cox_model.se, scale=cox_model.scale),
            caveats=(
                "Arrests since the pilot only, against high-harm comparison suspects' arrests, "
                "adjusted for offence group (own baseline) and harm score: no pre-pilot "
                "comparison, so SMS 2.",
                "Read as the speed-up in time to charge only because decisions take similar "
                "times whatever they are (see the check on older arrests).",
            ),
            label="Time to outcome decision: Cox model against high-harm suspects",
            extra={"question_group": "Time to decision"},
        )
    )
    reoffending = evaluation.reoffending_estimates
    follow_up = evaluation.settings["follow_up_days"]
    before_after_rate = reoffending["before_after"]
    findings.append(
        Finding(
            question=QUESTION_REOFFENDING,
            estimate=before_after_rate,
            design="before_after",
            truth=planted("reoffending_before_after"),
            mde=mde_from_standard_error(before_after_rate.se, scale=before_after_rate.scale),
            caveats=(
                "Focus perpetrators were selected on recent offending, so their pre-pilot "
                "rates are not what they would have been later (regression to the mean); "
                "seasons and desistance differ between the periods too.",
            ),
            label=f"Reoffending ({follow_up} days): before/after rate ratio, Focus only",
            extra={"question_group": "Reoffending"},
        )
    )
    harm_unit = evaluation.settings.get("harm_unit", "Crime Harm Index days")
    for key, what in (("harm", f"harm ({harm_unit})"), ("count", "number of crimes")):
        estimate = reoffending[key]
        caveats = [
            f"Compares each Focus perpetrator's first enhanced-investigation arrest with "
            f"matched high-harm suspects' first arrest since the pilot, over {follow_up} days; "
            "no pre-pilot comparison, so SMS 2."
        ]
        if key == "harm" and harm_unit == "Crime Harm Index days":
            caveats.append(
                "Harm is dominated by a few serious offences (one rape weighs 2,555 days): "
                "its interval is less reliable than the count's (too narrow when a rare, very "
                "serious offence falls in one group), so read it beside the count of crimes."
            )
        findings.append(
            Finding(
                question=QUESTION_REOFFENDING,
                estimate=estimate,
                design="matched_comparison",
                truth=planted(f"reoffending_{key}"),
                mde=mde_from_standard_error(estimate.se, scale=estimate.scale),
                caveats=tuple(caveats),
                label=f"Reoffending ({follow_up} days), {what}: matched comparison",
                extra={"question_group": "Reoffending"},
            )
        )
    return findings


# --------------------------------------------------------------------------- display helpers
def design_comparison(findings: list, question: str) -> pd.DataFrame:
    """The findings that answer one question, side by side (weakest design first).

    Examples
    --------
    >>> from analysis.evidence import Finding
    >>> est = Estimate(5.0, 1.0, 9.0, 0.02, 500, "percentage points", "m", "e")
    >>> table = design_comparison([Finding("Q", est, "before_after", mde=4.0, label="B/A")], "Q")
    >>> table.loc["B/A", "SMS"]
    np.int64(1)
    """
    rows = []
    for finding in findings:
        if finding.question != question:
            continue
        est = finding.estimate
        rows.append(
            {
                "design": finding.label,
                "SMS": finding.sms_level,
                "effect": est.effect,
                "ci_low": est.ci_low,
                "ci_high": est.ci_high,
                "p_value": est.p_value,
                "MDE": finding.mde,
                "truth (synthetic)": finding.truth,
            }
        )
    table = pd.DataFrame(rows).set_index("design")
    return table.sort_values("SMS", kind="stable").round(3)


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
