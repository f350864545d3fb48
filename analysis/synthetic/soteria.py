"""Synthetic Op Soteria Bluestone extract: Dorset RASSO crimes and the 43-force quarterly table.

Dorset's crimes are reported through six financial years, more each year (reports rise
``report_growth`` a year, which dilutes a period charge rate). Each crime ends in the first
of several competing ends drawn from constant cause-specific hazards per day since report:
charge (code 1), victim withdrawal (14 without an identified suspect, 16 with one; a hazard
ten times higher in the first 30 days, so most withdrawal is early), evidential difficulties
with the victim supporting (15), no suspect identified (18), or another closure (21). A crime
whose end falls after the extract date is pending (code 0, no outcome date). Crimes reported
from ``adoption_date`` have their charge hazard multiplied by ``charge_hazard_ratio`` and
their withdrawal hazard by ``withdrawal_hazard_ratio``: the planted Soteria effects. Outcome
codes 14, 15 and 16 are then misapplied: with probability ``1 - code_accuracy`` a
withdrawal is recorded as 15 and a 15 as 16 (an inspection found the right code in 61 of
86 Dorset cases), so the truth of a withdrawal estimand is stated for recorded codes.

Truth, for adult rape: the cumulative incidence of charge within ``followup_days`` of report
before and after adoption and their difference (``charge_cif_difference``), the
cause-specific hazard ratio of charge (``charge_hazard_ratio``), the same for recorded
withdrawal (``withdrawal_cif_difference``), and the share of withdrawals that come within
30 days of report (``withdrawal_share_first_month``). Each CIF is computed by integrating
the planted hazards on a fine grid.

The national table ``force_outcomes`` is the Home Office crime outcomes open data table in
its tidy layout (:data:`analysis.data.public.CRIME_OUTCOMES`): outcomes assigned per force,
financial quarter, adult rape offence (19C, 19F) and outcome type (1, 14, 15, 16, 18, 21),
2019/20 Q1 to 2025/26 Q3. Each force's share of outcomes that are charges is its own level
plus a national trend common to every force (``NATIONAL_TREND_PER_QUARTER``), plus
``national_charge_difference`` from the quarter containing its adoption date in
``data/reference/soteria_adoption.csv`` (Dorset's: ``adoption_date``): the planted effect of
the staggered difference-in-differences and the synthetic control, ``truth
["national_charge_difference"]``, exact in expectation for every adopted force-quarter.

That is the *friendly* world. The hostile worlds (:data:`WORLDS`) each break one assumption
of the designs, drawing what they add from their own stream (:func:`._worlds.world_rng`), so
the friendly world's bytes never move; every truth stays Soteria's own effect.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd

from ..data.contracts.soteria import FORCES, RELATIONSHIPS, VICTIM_AGE_BANDS
from ..errors import ConfigError
from . import SyntheticData
from ._worlds import FRIENDLY, check_world, world_rng

#: Date the synthetic extract is taken.
EXTRACT_DATE = pd.Timestamp("2026-03-31")

#: First report date in the extract (six financial years to the extract date).
WINDOW_START = pd.Timestamp("2020-04-01")

#: Reports per year at scale 1 in the first year, by offence.
REPORTS_PER_YEAR: dict[str, float] = {"adult_rape": 520.0, "child_rape": 200.0, "other_sso": 400.0}

#: Baseline cause-specific hazards per day since report (before adoption).
BASE_HAZARDS: dict[str, float] = {
    "charge": 0.00025,
    "withdrawal": 0.0012,
    "evidential": 0.0015,
    "no_suspect": 0.0004,
    "other": 0.0002,
}

#: The withdrawal hazard is this many times higher in the first 30 days after report.
EARLY_WITHDRAWAL_FACTOR = 10.0
EARLY_DAYS = 30.0

#: Planted effects and their defaults.
DEFAULT_EFFECTS: dict[str, Any] = {
    # Multiplier of the charge hazard for crimes reported from the adoption date.
    "charge_hazard_ratio": 1.6,
    # Multiplier of the withdrawal hazard for crimes reported from the adoption date.
    "withdrawal_hazard_ratio": 0.75,
    # Multiplier of the charge hazard for the specialist team (before and after).
    "specialist_charge_ratio": 1.2,
    # Yearly growth of reports (compound).
    "report_growth": 0.06,
    # Share of outcome codes 14, 15 and 16 recorded correctly.
    "code_accuracy": 0.71,
    # Follow-up at which cumulative incidences are stated, days since report.
    "followup_days": 365.0,
    # Date Dorset adopted the operating model.
    "adoption_date": "2023-07-01",
    # Rise in a force's share of adult rape outcomes that are charges, from its adoption
    # quarter (national table; additive, so the same for every force and quarter).
    "national_charge_difference": 0.02,
}

#: Quarters of the national table (calendar): 2019/20 Q1 to 2025/26 Q3.
NATIONAL_QUARTERS = pd.period_range("2019Q2", "2025Q4", freq="Q")

#: Rise per quarter in every force's charge share, with or without Soteria (a national trend
#: common to all forces, so parallel trends hold exactly in the friendly world).
NATIONAL_TREND_PER_QUARTER = 0.0008

#: Adult rape offences of the national table: Home Office code, description, share of outcomes.
ADULT_RAPE_OFFENCES: dict[str, tuple[str, float]] = {
    "19C": ("Rape of a female aged 16 and over", 0.9),
    "19F": ("Rape of a male aged 16 and over", 0.1),
}

#: Outcome types of the national table: description, group, share of outcomes not charged
#: (type 1 is drawn from the force's charge share).
OUTCOME_TYPES: dict[str, tuple[str, str, float]] = {
    "1": ("Charged/Summonsed", "Charge/Summons", 0.0),
    "14": (
        "Evidential difficulties: suspect not identified; victim does not support further action",
        "Evidential difficulties: victim does not support action",
        0.08,
    ),
    "15": (
        "Evidential difficulties: suspect identified; victim supports action",
        "Evidential difficulties: victim supports action",
        0.34,
    ),
    "16": (
        "Evidential difficulties: suspect identified; victim does not support further action",
        "Evidential difficulties: victim does not support action",
        0.30,
    ),
    "18": (
        "Investigation complete - no suspect identified",
        "Investigation complete - no suspect identified",
        0.08,
    ),
    "21": (
        "Further investigation to support formal action not in the public interest",
        "Not in the public interest (police decision)",
        0.20,
    ),
}

#: Named worlds: what fails in each and which design it threatens.
WORLDS: dict[str, str] = {
    FRIENDLY: "each design's key assumption holds exactly (the world described above)",
    "national_shift": (
        "a national change in charging arrives with Dorset's adoption: every force's charge "
        "share rises by NATIONAL_SHIFT from Dorset's adoption quarter, and Dorset's charge "
        "hazard for reports from that date is multiplied by NATIONAL_SHIFT_HAZARD_RATIO, "
        "adopted or not; it threatens the before/after headline, which takes it for Soteria"
    ),
    "worst_first": (
        "forces adopt after a spell of poor performance that would have passed anyway "
        "(regression to the mean): each force's charge share is DIP lower in the "
        "DIP_QUARTERS quarters before its adoption quarter, and Dorset's charge hazard is "
        "multiplied by DIP_HAZARD_RATIO for reports in the DIP_DAYS before adoption; it "
        "threatens every design that compares after with just before"
    ),
    "recording_change": (
        "Dorset starts recording, from its adoption date, reports it would not have recorded "
        "as crimes before (RECORDING_EXTRA more adult rape reports, each charged at "
        "RECORDING_CHARGE_RATIO times the usual hazard): the cohorts after adoption hold "
        "different cases, which threatens the before/after headline"
    ),
}

#: national_shift: step in every force's charge share, and Dorset's charge hazard ratio.
NATIONAL_SHIFT = 0.02
NATIONAL_SHIFT_HAZARD_RATIO = 1.6
#: worst_first: the dip before adoption, in the national table and in Dorset's extract.
DIP = 0.015
DIP_QUARTERS = 4
DIP_HAZARD_RATIO = 0.4
DIP_DAYS = 365
#: recording_change: extra adult rape reports recorded from adoption, and their charge hazard.
RECORDING_EXTRA = 0.5
RECORDING_CHARGE_RATIO = 0.2


def _hazards(after: bool, specialist: bool, params: dict[str, Any]) -> dict[str, float]:
    hazards = dict(BASE_HAZARDS)
    if after:
        hazards["charge"] *= params["charge_hazard_ratio"]
        hazards["withdrawal"] *= params["withdrawal_hazard_ratio"]
    if specialist:
        hazards["charge"] *= params["specialist_charge_ratio"]
    return hazards


def _withdrawal_multiplier(days: np.ndarray) -> np.ndarray:
    return np.where(days < EARLY_DAYS, EARLY_WITHDRAWAL_FACTOR, 1.0)


def _draw_ends(
    rng: np.random.Generator, hazards: list[dict[str, float]]
) -> tuple[np.ndarray, np.ndarray]:
    """Days to the first end and which end, for crimes with the given hazards."""
    causes = list(BASE_HAZARDS)
    rates = np.array([[h[c] for c in causes] for h in hazards])
    early = rates.copy()
    early[:, causes.index("withdrawal")] *= EARLY_WITHDRAWAL_FACTOR
    early_total, late_total = early.sum(axis=1), rates.sum(axis=1)
    first = rng.exponential(1 / early_total)
    in_early = first < EARLY_DAYS
    later = EARLY_DAYS + rng.exponential(1 / late_total)
    days = np.where(in_early, first, later)
    weights = np.where(in_early[:, None], early, rates)
    weights = weights / weights.sum(axis=1, keepdims=True)
    draws = rng.random(len(hazards))
    which = (draws[:, None] > np.cumsum(weights, axis=1)).sum(axis=1)
    return days, np.asarray(causes, dtype=object)[np.minimum(which, len(causes) - 1)]


def cumulative_incidence_truth(
    hazards: dict[str, float], cause: str, days: float, *, code_accuracy: float = 1.0
) -> float:
    """Planted cumulative incidence of a (recorded) end within ``days`` of report.

    For ``"withdrawal"`` the recorded end counts true withdrawals kept as such and
    evidential-difficulty closures miscoded as withdrawals (probability
    ``1 - code_accuracy`` each way).

    Examples
    --------
    >>> round(cumulative_incidence_truth(BASE_HAZARDS, "charge", 365), 4)
    0.0379
    """
    # The integral depends on the effects alone, never on the seed: a power study drawing
    # hundreds of extracts computes each one once (it was nine tenths of drawing an extract).
    return _cumulative_incidence(
        tuple(sorted(hazards.items())), cause, float(days), float(code_accuracy)
    )


@functools.lru_cache(maxsize=256)
def _cumulative_incidence(
    hazard_items: tuple[tuple[str, float], ...], cause: str, days: float, code_accuracy: float
) -> float:
    hazards = dict(hazard_items)
    grid = np.linspace(0, days, 200_001)
    step = grid[1] - grid[0]
    middle = grid[:-1] + step / 2
    withdrawal = hazards["withdrawal"] * _withdrawal_multiplier(middle)
    others = sum(v for k, v in hazards.items() if k != "withdrawal")
    total = withdrawal + others
    survival = np.exp(-np.concatenate([[0.0], np.cumsum(total[:-1] * step)]))
    if cause == "withdrawal":
        rate = code_accuracy * withdrawal + (1 - code_accuracy) * hazards["evidential"]
    elif cause == "evidential":
        rate = code_accuracy * hazards["evidential"] + (1 - code_accuracy) * withdrawal
    else:
        rate = np.full_like(middle, hazards[cause])
    # Exact within each step for a constant total hazard: S(t) (1 - exp(-h dt)) / h.
    return float(np.sum(rate / total * survival * (1 - np.exp(-total * step))))


def _dorset_crimes(
    rng: np.random.Generator,
    scale: float,
    params: dict[str, Any],
    adoption: pd.Timestamp,
    world: str = FRIENDLY,
    hostile: np.random.Generator | None = None,
) -> pd.DataFrame:
    years = (EXTRACT_DATE - WINDOW_START).days / 365.25
    frames = []
    for offence, per_year in REPORTS_PER_YEAR.items():
        # Rising reports: an inhomogeneous Poisson process by thinning.
        peak = per_year * scale * (1 + params["report_growth"]) ** years
        candidates = rng.poisson(peak * years)
        offsets = rng.uniform(0, years, candidates)
        keep = (
            rng.random(candidates)
            < (1 + params["report_growth"]) ** offsets / (1 + params["report_growth"]) ** years
        )
        days = np.sort(offsets[keep] * 365.25)
        frames.append(
            pd.DataFrame(
                {"offence": offence, "report_date": WINDOW_START + pd.to_timedelta(days, "D")}
            )
        )
    if world == "recording_change":
        # Reports recorded as crimes only from adoption: a new kind of case in the cohorts.
        years_after = (EXTRACT_DATE - adoption).days / 365.25
        growth = 1 + params["report_growth"]
        expected = (
            REPORTS_PER_YEAR["adult_rape"] * scale * RECORDING_EXTRA
            * growth ** ((adoption - WINDOW_START).days / 365.25)
            * years_after * growth ** (years_after / 2)
        )  # fmt: skip
        days = np.sort(
            hostile.uniform(0, (EXTRACT_DATE - adoption).days, hostile.poisson(expected))
        )
        frames.append(
            pd.DataFrame(
                {
                    "offence": "adult_rape",
                    "report_date": adoption + pd.to_timedelta(days, "D"),
                    "newly_recorded": True,
                }
            )
        )
    crimes = pd.concat(frames, ignore_index=True)
    newly_recorded = (
        crimes.pop("newly_recorded").fillna(False).astype(bool)
        if "newly_recorded" in crimes
        else pd.Series(False, index=crimes.index)
    )
    crimes["report_date"] = crimes["report_date"].dt.normalize()
    order = np.argsort(crimes["report_date"].to_numpy(), kind="stable")
    crimes = crimes.iloc[order].reset_index(drop=True)
    newly_recorded = newly_recorded.to_numpy()[order]
    n = len(crimes)
    after = (crimes["report_date"] >= adoption).to_numpy()
    # The specialist team took a growing share of cases (a quarter before, two thirds after).
    specialist = rng.random(n) < np.where(after, 0.65, 0.25)
    hazards = [_hazards(a, s, params) for a, s in zip(after, specialist, strict=True)]
    if world != FRIENDLY:
        charge_factor = np.ones(n)
        if world == "national_shift":
            charge_factor[after] = NATIONAL_SHIFT_HAZARD_RATIO
        elif world == "worst_first":
            days_before = (adoption - crimes["report_date"]).dt.days.to_numpy()
            charge_factor[(days_before > 0) & (days_before <= DIP_DAYS)] = DIP_HAZARD_RATIO
        elif world == "recording_change":
            charge_factor[newly_recorded] = RECORDING_CHARGE_RATIO
        hazards = [
            {**h, "charge": h["charge"] * f} if f != 1 else h
            for h, f in zip(hazards, charge_factor, strict=True)
        ]
    days_to_end, end = _draw_ends(rng, hazards)
    days_to_end = np.maximum(np.ceil(days_to_end), 1.0)
    end_date = crimes["report_date"] + pd.to_timedelta(days_to_end, "D")
    pending = (end_date > EXTRACT_DATE).to_numpy()
    has_suspect = end != "no_suspect"
    # Withdrawal before a suspect is identified is 14, after it 16.
    early_withdrawal = rng.random(n) < 0.3
    true_code = np.select(
        [end == "charge", end == "withdrawal", end == "evidential", end == "no_suspect"],
        [1, np.where(early_withdrawal, 14, 16), 15, 18],
        default=21,
    )
    miscoded = rng.random(n) > params["code_accuracy"]
    recorded = true_code.copy()
    recorded[miscoded & np.isin(true_code, (14, 16))] = 15
    recorded[miscoded & (true_code == 15)] = 16
    code = np.where(pending, 0, recorded)

    offence = crimes["offence"].to_numpy()
    child = offence == "child_rape"
    adult_bands = VICTIM_AGE_BANDS[3:]
    age_band = np.where(
        child,
        rng.choice(VICTIM_AGE_BANDS[:2], n, p=[0.4, 0.6]),
        np.where(
            rng.random(n) < 0.12,
            "16-17",
            rng.choice(adult_bands, n, p=[0.36, 0.28, 0.17, 0.11, 0.08]),
        ),
    )
    relationship = rng.choice(RELATIONSHIPS, n, p=[0.32, 0.14, 0.3, 0.12, 0.12])
    report_delay = np.where(rng.random(n) < 0.3, rng.integers(60, 3650, n), rng.integers(0, 4, n))
    suspect_delay = np.ceil(rng.exponential(12, n))
    suspect_known = has_suspect & ~(early_withdrawal & (end == "withdrawal"))
    suspect_date = crimes["report_date"] + pd.to_timedelta(
        np.minimum(suspect_delay, days_to_end), "D"
    )
    suspect_date = suspect_date.where(suspect_known & (suspect_date <= EXTRACT_DATE))
    charged = code == 1
    referral_gap = np.ceil(rng.uniform(0.1, 0.6, n) * days_to_end)
    # Files go to the CPS for every charge and for some cases later closed as 15.
    referred = charged | ((true_code == 15) & (rng.random(n) < 0.3) & ~pending)
    referral_date = (end_date - pd.to_timedelta(referral_gap, "D")).where(referred)
    outcome_date = end_date.where(~pending)
    crimes = crimes.assign(
        crime_id=[f"CR{i:07d}" for i in range(1, n + 1)],
        victim_id=[f"VN{i:07d}" for i in rng.integers(1, int(n * 0.93) + 2, n)],
        suspect_id=pd.Series([f"SN{i:07d}" for i in rng.integers(1, n + 1, n)]).where(
            suspect_date.notna()
        ),
        offence_date=crimes["report_date"] - pd.to_timedelta(report_delay, "D"),
        recorded_date=(crimes["report_date"] + pd.to_timedelta(rng.integers(0, 3, n), "D")).clip(
            upper=EXTRACT_DATE
        ),
        suspect_identified_date=suspect_date,
        cps_referral_date=referral_date,
        charge_date=outcome_date.where(charged),
        outcome_date=outcome_date,
        outcome_code=code.astype(np.int64),
        victim_age_band=age_band,
        victim_sex=rng.choice(["female", "male", "unknown"], n, p=[0.88, 0.11, 0.01]),
        domestic_abuse=(relationship == "partner_or_ex") | ((relationship == "family") & ~child),
        relationship=relationship,
        isva_referral=rng.random(n) < np.where(after, 0.75, 0.6),
        team=np.where(specialist, "specialist_rasso", "other"),
    )
    columns = [
        "crime_id",
        "victim_id",
        "suspect_id",
        "offence",
        "offence_date",
        "report_date",
        "recorded_date",
        "suspect_identified_date",
        "cps_referral_date",
        "charge_date",
        "outcome_date",
        "outcome_code",
        "victim_age_band",
        "victim_sex",
        "domestic_abuse",
        "relationship",
        "isva_referral",
        "team",
    ]
    return crimes[columns]


def _force_outcomes(
    rng: np.random.Generator,
    scale: float,
    params: dict[str, Any],
    adoption: pd.Timestamp,
    world: str = FRIENDLY,
) -> pd.DataFrame:
    """The Home Office outcomes open data table for adult rape, in its tidy layout."""
    from ..data.reference import load_reference

    dates = load_reference("soteria_adoption").set_index("force")["adoption_date"]
    dates.loc["Dorset"] = adoption
    dorset_quarter = adoption.to_period("Q")
    columns: dict[str, list] = {name: [] for name in (
        "financial_year", "financial_quarter", "force_name", "offence_description",
        "offence_group", "offence_subgroup", "offence_code", "outcome_description",
        "outcome_group", "outcome_type", "force_outcomes",
    )}  # fmt: skip
    others = [t for t in OUTCOME_TYPES if t != "1"]
    other_shares = np.array([OUTCOME_TYPES[t][2] for t in others])
    offence_shares = np.array([share for _, share in ADULT_RAPE_OFFENCES.values()])
    codes = list(ADULT_RAPE_OFFENCES)
    # Home Office financial quarters: 1 = April to June.
    fiscal_year = [q.year if q.quarter > 1 else q.year - 1 for q in NATIONAL_QUARTERS]
    year_labels = [f"{y}/{(y + 1) % 100:02d}" for y in fiscal_year]
    fiscal_quarter = [(q.quarter - 2) % 4 + 1 for q in NATIONAL_QUARTERS]
    for force in FORCES:
        size = rng.lognormal(np.log(450), 0.6) * (12 if force == "Metropolitan Police" else 1)
        base_rate = rng.uniform(0.03, 0.07)
        adopted_from = pd.Timestamp(dates.loc[force]).to_period("Q")
        for i, quarter in enumerate(NATIONAL_QUARTERS):
            trend = (1 + params["report_growth"]) ** (i / 4)
            outcomes = rng.poisson(size / 4 * trend * scale * 0.95)
            rate = base_rate + NATIONAL_TREND_PER_QUARTER * i
            if quarter >= adopted_from:
                rate += params["national_charge_difference"]
            if world == "national_shift" and quarter >= dorset_quarter:
                rate += NATIONAL_SHIFT
            elif world == "worst_first" and 0 < (adopted_from - quarter).n <= DIP_QUARTERS:
                rate -= DIP
            charges = rng.binomial(outcomes, float(np.clip(rate, 0.0, 0.5)))
            not_charged = rng.multinomial(outcomes - charges, other_shares)
            counts = {"1": charges, **dict(zip(others, not_charged, strict=True))}
            for outcome_type, total in counts.items():
                split = rng.multinomial(total, offence_shares)
                for code, count in zip(codes, split, strict=True):
                    description, group, _ = OUTCOME_TYPES[outcome_type]
                    columns["financial_year"].append(year_labels[i])
                    columns["financial_quarter"].append(fiscal_quarter[i])
                    columns["force_name"].append(force)
                    columns["offence_description"].append(ADULT_RAPE_OFFENCES[code][0])
                    columns["offence_group"].append("Sexual offences")
                    columns["offence_subgroup"].append("Rape")
                    columns["offence_code"].append(code)
                    columns["outcome_description"].append(description)
                    columns["outcome_group"].append(group)
                    columns["outcome_type"].append(outcome_type)
                    columns["force_outcomes"].append(int(count))
    return pd.DataFrame(columns)


def generate(
    *, seed: int = 0, scale: float = 1.0, world: str = FRIENDLY, **effects: Any
) -> SyntheticData:
    """Generate a synthetic Op Soteria Bluestone extract with planted effects.

    Parameters
    ----------
    seed : int
        Random seed; the same seed and scale give identical tables.
    scale : float
        Volume multiplier: about 1,100 RASSO reports a year at 1 (720 of them rape).
    world : str
        Named world (see :data:`WORLDS`); ``"friendly"`` is the world described above.
    **effects
        Overrides of :data:`DEFAULT_EFFECTS`.

    Returns
    -------
    SyntheticData
        Tables ``crimes`` and ``force_outcomes`` with raw identifiers, and ``truth``
        (see the module docstring).

    Examples
    --------
    >>> synth = generate(seed=1)
    >>> sorted(synth.tables), round(synth.truth["charge_cif_difference"], 3)
    (['crimes', 'force_outcomes'], 0.035)
    """
    check_world("soteria", world, WORLDS)
    unknown = sorted(set(effects) - set(DEFAULT_EFFECTS))
    if unknown:
        raise ConfigError(
            f"unknown soteria effect(s) {unknown}; known: {', '.join(sorted(DEFAULT_EFFECTS))}"
        )
    params = {**DEFAULT_EFFECTS, **effects}
    for name, value in params.items():
        if name != "adoption_date":
            params[name] = float(value)
    if not 0 <= params["code_accuracy"] <= 1:
        raise ConfigError("soteria: code_accuracy must be a share between 0 and 1")
    adoption = pd.Timestamp(params["adoption_date"])
    if not WINDOW_START < adoption < EXTRACT_DATE:
        raise ConfigError(
            f"soteria: adoption_date {params['adoption_date']} must fall inside the window "
            f"{WINDOW_START:%Y-%m-%d} to {EXTRACT_DATE:%Y-%m-%d}"
        )
    rng = np.random.default_rng(seed)
    # A hostile world's own draws come from its own stream (the friendly draws never move).
    hostile = world_rng(seed, world) if world != FRIENDLY else None
    crimes = _dorset_crimes(rng, scale, params, adoption, world, hostile)
    force_outcomes = _force_outcomes(rng, scale, params, adoption, world)

    days = params["followup_days"]
    # Adult rape's truth holds for the other-team mix of each period: the specialist share
    # changes with adoption, so the truth is the mixture the data contain.
    truth: dict[str, float] = {}
    for label, after, share in (("before", False, 0.25), ("after", True, 0.65)):
        for cause, key in (("charge", "charge"), ("withdrawal", "withdrawal")):
            value = share * cumulative_incidence_truth(
                _hazards(after, True, params), cause, days, code_accuracy=params["code_accuracy"]
            ) + (1 - share) * cumulative_incidence_truth(
                _hazards(after, False, params), cause, days, code_accuracy=params["code_accuracy"]
            )
            truth[f"{key}_cif_{label}"] = value
    truth["charge_cif_difference"] = truth["charge_cif_after"] - truth["charge_cif_before"]
    truth["withdrawal_cif_difference"] = (
        truth["withdrawal_cif_after"] - truth["withdrawal_cif_before"]
    )
    cells = {
        (after, specialist): cumulative_incidence_truth(
            _hazards(after, specialist, params), "charge", days
        )
        for after in (False, True)
        for specialist in (False, True)
    }
    truth["team_did_charge"] = (cells[True, True] - cells[False, True]) - (
        cells[True, False] - cells[False, False]
    )
    truth["charge_hazard_ratio"] = params["charge_hazard_ratio"]
    truth["withdrawal_hazard_ratio_true_codes"] = params["withdrawal_hazard_ratio"]
    # Recorded withdrawals before adoption (both teams: the team does not change withdrawal).
    early, total = (
        cumulative_incidence_truth(
            _hazards(False, False, params),
            "withdrawal",
            horizon,
            code_accuracy=params["code_accuracy"],
        )
        for horizon in (EARLY_DAYS, days)
    )
    truth["withdrawal_share_first_month"] = early / total
    truth["national_charge_difference"] = params["national_charge_difference"]
    return SyntheticData(
        programme="soteria",
        tables={"crimes": crimes, "force_outcomes": force_outcomes},
        truth=truth,
        extract_date=EXTRACT_DATE,
        parameters={"seed": seed, "scale": scale, **params}
        | ({} if world == FRIENDLY else {"world": world}),
    )
