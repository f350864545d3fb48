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

The national table has rape recorded and outcomes assigned per force and quarter, each
force adopting on its date in ``data/reference/soteria_adoption.csv``, with a national
trend in the charge rate and a planted rise after adoption (``national_charge_ratio``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..data.contracts.soteria import FORCES, RELATIONSHIPS, VICTIM_AGE_BANDS
from ..errors import ConfigError
from . import SyntheticData

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
    # Multiplier of a force's quarterly charge rate after its adoption (national table).
    "national_charge_ratio": 1.3,
}


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
    rng: np.random.Generator, scale: float, params: dict[str, Any], adoption: pd.Timestamp
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
    crimes = pd.concat(frames, ignore_index=True)
    crimes["report_date"] = crimes["report_date"].dt.normalize()
    crimes = crimes.sort_values("report_date", kind="stable").reset_index(drop=True)
    n = len(crimes)
    after = (crimes["report_date"] >= adoption).to_numpy()
    # The specialist team took a growing share of cases (a quarter before, two thirds after).
    specialist = rng.random(n) < np.where(after, 0.65, 0.25)
    hazards = [_hazards(a, s, params) for a, s in zip(after, specialist, strict=True)]
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


def _force_quarters(
    rng: np.random.Generator, scale: float, params: dict[str, Any], adoption: pd.Timestamp
) -> pd.DataFrame:
    from ..data.reference import load_reference

    dates = load_reference("soteria_adoption").set_index("force")["adoption_date"]
    dates.loc["Dorset"] = adoption
    quarters = pd.period_range("2019Q2", "2025Q4", freq="Q")
    rows = []
    for force in FORCES:
        size = rng.lognormal(np.log(450), 0.6) * (12 if force == "Metropolitan Police" else 1)
        base_rate = rng.uniform(0.03, 0.07)
        for i, quarter in enumerate(quarters):
            start = quarter.start_time
            trend = (1 + params["report_growth"]) ** (i / 4)
            recorded = rng.poisson(size / 4 * trend * scale)
            outcomes = rng.poisson(size / 4 * trend * scale * 0.95)
            national = 1 + 0.02 * i / 4
            adopted = start >= dates.loc[force]
            rate = base_rate * national * (params["national_charge_ratio"] if adopted else 1.0)
            charges = rng.binomial(outcomes, min(rate, 0.5))
            withdrawals = rng.binomial(outcomes - charges, 0.45)
            # Home Office financial quarters: 1 = April to June.
            fiscal_year = start.year if start.month >= 4 else start.year - 1
            rows.append(
                {
                    "financial_year": f"{fiscal_year}/{(fiscal_year + 1) % 100:02d}",
                    "financial_quarter": (start.month - 4) % 12 // 3 + 1,
                    "force_name": force,
                    "offence_subgroup": "Rape",
                    "recorded_offences": recorded,
                    "outcomes_assigned": outcomes,
                    "charges": charges,
                    "victim_withdrawals": withdrawals,
                }
            )
    return pd.DataFrame(rows)


def generate(*, seed: int = 0, scale: float = 1.0, **effects: Any) -> SyntheticData:
    """Generate a synthetic Op Soteria Bluestone extract with planted effects.

    Parameters
    ----------
    seed : int
        Random seed; the same seed and scale give identical tables.
    scale : float
        Volume multiplier: about 1,100 RASSO reports a year at 1 (720 of them rape).
    **effects
        Overrides of :data:`DEFAULT_EFFECTS`.

    Returns
    -------
    SyntheticData
        Tables ``crimes`` and ``force_quarters`` with raw identifiers, and ``truth``
        (see the module docstring).

    Examples
    --------
    >>> synth = generate(seed=1)
    >>> sorted(synth.tables), round(synth.truth["charge_cif_difference"], 3)
    (['crimes', 'force_quarters'], 0.035)
    """
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
    crimes = _dorset_crimes(rng, scale, params, adoption)
    force_quarters = _force_quarters(rng, scale, params, adoption)

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
    return SyntheticData(
        programme="soteria",
        tables={"crimes": crimes, "force_quarters": force_quarters},
        truth=truth,
        extract_date=EXTRACT_DATE,
        parameters={"seed": seed, "scale": scale, **params},
    )
