"""Value for money: the Magenta Book's economic question, with the uncertainty carried through.

Did the benefits justify the costs? For any programme with a cost, a number of
participants and an estimated effect, this module works out:

- cost per participant and per completer;
- outcomes averted (offences, victims...) = the per-person effect x participants,
  with the effect's confidence interval carried through to every figure below;
- the monetised benefit at a unit cost (for example the Home Office cost of domestic
  abuse per victim, uprated to the report's price year);
- net benefit and benefit-cost ratio, each with its interval;
- the break-even point: how many outcomes must be averted (and how large a per-person
  effect that is) for the benefits to repay the cost, and the one-sided p-value of the
  hypothesis that they did not;
- several components combined (e.g. two programmes and a training budget whose benefits
  are not monetised).

Every result states its assumptions. The functions are generic: a programme supplies
an :class:`~analysis.results.Estimate`, counts, costs and a :class:`UnitCost`.

Intervals: when one estimate drives a figure, the figure is a monotone function of
the effect, so its interval is the image of the effect's interval (exact, and on a
ratio scale it keeps the interval's asymmetry). Combining independent components uses
a normal approximation (standard errors added in quadrature), stated in the result.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from scipy import stats

from ..errors import ConfigError, EstimationError
from ..results import RATIO_SCALES, Estimate, _plain, format_number

__all__ = [
    "COST_NOT_CONFIRMED",
    "Averted",
    "CostPerOutcome",
    "Range",
    "SimulatedValueForMoney",
    "SwitchingValues",
    "UnitCost",
    "cost_per_additional_outcome",
    "simulate_value_for_money",
    "switching_values",
    "ValueForMoney",
    "combine",
    "cost_per_unit",
    "format_gbp",
    "outcomes_averted",
    "value_for_money",
    "value_for_money_block",
]


#: Said wherever a benefit-cost ratio would be, while the programme's cost is unconfirmed.
COST_NOT_CONFIRMED = "cost not confirmed"

#: The verdict while the cost is unconfirmed.
UNCONFIRMED_VERDICT = (
    "no benefit-cost ratio is published until the programme's cost is confirmed; the "
    "break-even point shows what the programme would have to achieve at the stated cost"
)


def format_gbp(value: float | None) -> str:
    """Format an amount of money in pounds for prose, to three significant figures.

    Examples
    --------
    >>> format_gbp(270000), format_gbp(1234.5), format_gbp(-5600), format_gbp(0), format_gbp(None)
    ('£270,000', '£1,230', '-£5,600', '£0', 'n/a')
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    if value == 0:
        return "£0"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 100:
        magnitude = math.floor(math.log10(value))
        value = round(value, -(magnitude - 2))
        return f"{sign}£{value:,.0f}"
    return f"{sign}£{value:,.2f}"


@dataclass(frozen=True)
class UnitCost:
    """The money value of one outcome averted.

    Parameters
    ----------
    value : float
        Pounds per unit, in ``price_year`` prices.
    unit : str
        What one unit is ("victim", "offence").
    price_year : str
        Price base of ``value`` (e.g. "2024/25" or "2025").
    source : str
        Where the figure comes from, and how it was uprated.
    """

    value: float
    unit: str
    price_year: str
    source: str

    def __post_init__(self) -> None:
        if not (isinstance(self.value, int | float) and math.isfinite(self.value)):
            raise ConfigError(f"unit cost must be a finite number of pounds, got {self.value!r}")
        if self.value <= 0:
            raise ConfigError(f"unit cost per {self.unit} must be positive, got {self.value}")

    def describe(self) -> str:
        """The unit cost in words.

        Examples
        --------
        >>> UnitCost(44000.0, "victim", "2024/25", "Home Office").describe()
        '£44,000 per victim (2024/25 prices; Home Office)'
        """
        return f"£{self.value:,.0f} per {self.unit} ({self.price_year} prices; {self.source})"


@dataclass(frozen=True)
class Averted:
    """Outcomes averted by a programme, with an interval and a standard error.

    Parameters
    ----------
    point, low, high : float
        Outcomes averted (positive: fewer outcomes than without the programme)
        and the interval's bounds.
    se : float
        Standard error of ``point`` on the scale of outcomes averted (delta
        method for ratio-scale effects), used when components are combined.
    participants : int
        People the effect was multiplied by.
    per_person, per_person_low, per_person_high : float
        Outcomes averted per participant, and interval.
    outcome : str
        What is averted ("victims", "DA crimes").
    conf_level : float
        Confidence level of the interval.
    log_scale : bool
        Whether the effect was on a ratio scale (the break-even test then works
        on the log scale, where the estimate is approximately normal).
    effect, effect_se : float
        The effect and standard error the figures came from (on the estimate's
        own scale; ``effect_se`` on the log scale for ratios).
    per_effect : float
        Outcomes averted per participant per unit of effect, for a difference
        scale (``-multiplier``); for a ratio scale, averted per participant at a
        ratio of zero (``baseline x multiplier``).
    """

    point: float
    low: float
    high: float
    se: float
    participants: int
    per_person: float
    per_person_low: float
    per_person_high: float
    outcome: str
    conf_level: float
    log_scale: bool
    effect: float
    effect_se: float
    per_effect: float

    def averted_at(self, effect: float) -> float:
        """Outcomes averted if the effect were ``effect`` (on the estimate's scale)."""
        if self.log_scale:
            return (1 - effect) * self.per_effect * self.participants
        return effect * self.per_effect * self.participants

    def effect_for(self, averted: float) -> float:
        """The effect (on the estimate's scale) that would avert ``averted`` outcomes."""
        if self.log_scale:
            return 1 - averted / (self.per_effect * self.participants)
        return averted / (self.per_effect * self.participants)


def cost_per_unit(cost: float, units: int, *, what: str = "participant") -> float:
    """Cost divided by a count, refusing an empty count.

    Examples
    --------
    >>> cost_per_unit(270000, 120)
    2250.0
    """
    _check_money(cost, "cost")
    if units is None or int(units) <= 0:
        raise EstimationError(
            f"cost per {what} needs at least one {what}, got {units!r}: check the programme's "
            f"{what} count for the costed period."
        )
    return float(cost) / int(units)


def _check_money(value: float, name: str) -> float:
    if not (isinstance(value, int | float) and math.isfinite(value)) or value < 0:
        raise ConfigError(f"{name} must be a non-negative number of pounds, got {value!r}")
    return float(value)


def outcomes_averted(
    estimate: Estimate,
    participants: int,
    *,
    outcome: str,
    multiplier: float = 1.0,
    baseline: float | None = None,
) -> Averted:
    """Outcomes averted: the per-person effect times the number of participants.

    Parameters
    ----------
    estimate : Estimate
        The effect per participant. On ``"percentage points"`` it is a change in
        the probability of the outcome (x100); on ``"difference"`` a change in the
        outcome per person (per person-period: set ``multiplier`` to the periods
        in the horizon); on a ratio scale a proportional change, which needs
        ``baseline``.
    participants : int
        People the effect applies to (e.g. starters in the costed year).
    outcome : str
        What is averted, plural ("victims", "DA crimes").
    multiplier : float, default 1.0
        Periods per person over which the effect accrues (4 for a per-quarter
        effect over a year).
    baseline : float, optional
        For ratio scales: the expected outcomes per participant per period
        without the programme.

    Returns
    -------
    Averted
        Positive numbers mean fewer outcomes with the programme.

    Examples
    --------
    A 10 percentage-point fall in 12-month reoffending (95% CI -18 to -2) for
    100 participants averts 10 reoffenders (2 to 18):

    >>> est = Estimate(-10.0, -18.0, -2.0, 0.01, 400, "percentage points", "m", "e", se=4.08)
    >>> a = outcomes_averted(est, 100, outcome="victims")
    >>> round(a.point, 6), round(a.low, 6), round(a.high, 6)
    (10.0, 2.0, 18.0)
    """
    if participants is None or int(participants) <= 0:
        raise EstimationError(
            "outcomes averted need at least one participant; check the participant count "
            f"for the costed period (got {participants!r})."
        )
    participants = int(participants)
    for name, value in (
        ("effect", estimate.effect),
        ("ci_low", estimate.ci_low),
        ("ci_high", estimate.ci_high),
    ):
        if value is None or not math.isfinite(value):
            raise EstimationError(
                f"the estimate's {name} is not a finite number ({value!r}): value for money "
                "needs an effect with a finite interval."
            )
    if not (math.isfinite(multiplier) and multiplier > 0):
        raise ConfigError(f"multiplier must be a positive number of periods, got {multiplier!r}")
    scale = estimate.scale
    se = estimate.se
    if scale in RATIO_SCALES:
        if baseline is None or not math.isfinite(baseline) or baseline <= 0:
            raise ConfigError(
                f"an effect on the {scale} scale needs baseline= (expected outcomes per "
                "participant per period without the programme) to count outcomes averted"
            )
        per_effect = baseline * multiplier
        per_person = (1 - estimate.effect) * per_effect
        # The upper bound of a ratio is the fewest outcomes averted.
        per_low = (1 - estimate.ci_high) * per_effect
        per_high = (1 - estimate.ci_low) * per_effect
        averted_se = None if se is None else estimate.effect * se * per_effect * participants
        log_scale = True
    elif scale in ("difference", "percentage points"):
        unit = multiplier / 100 if scale == "percentage points" else multiplier
        per_effect = -unit
        per_person = -estimate.effect * unit
        per_low = -estimate.ci_high * unit
        per_high = -estimate.ci_low * unit
        averted_se = None if se is None else se * unit * participants
        log_scale = False
    else:
        raise ConfigError(
            f"cannot count outcomes averted from an effect on the '{scale}' scale; use an "
            "effect on the difference, percentage points or a ratio scale"
        )
    if averted_se is None or not math.isfinite(averted_se):
        # Recover a standard error from the interval when the estimator gave none.
        z = stats.norm.ppf(0.5 + estimate.conf_level / 2)
        averted_se = (per_high - per_low) * participants / (2 * z)
    return Averted(
        point=per_person * participants,
        low=per_low * participants,
        high=per_high * participants,
        se=float(averted_se),
        participants=participants,
        per_person=per_person,
        per_person_low=per_low,
        per_person_high=per_high,
        outcome=outcome,
        conf_level=estimate.conf_level,
        log_scale=log_scale,
        effect=float(estimate.effect),
        effect_se=float(se) if se is not None and math.isfinite(se) else float("nan"),
        per_effect=float(per_effect),
    )


@dataclass(frozen=True)
class ValueForMoney:
    """Costs set against monetised benefits, with intervals.

    Attributes
    ----------
    label : str
        What is being costed ("Drive, 2024/25").
    cost : float
        Total cost in pounds.
    participants, completers : int or None
        Counts the costs are spread over.
    cost_per_participant, cost_per_completer : float or None
        Unit costs of delivery.
    averted : Averted or None
        Outcomes averted (None when benefits are not monetised).
    unit_cost : UnitCost or None
        Money value of one outcome averted.
    benefit, net_benefit, bcr : tuple of float
        (point, low, high) of the monetised benefit, benefit minus cost, and
        benefit-cost ratio.
    benefit_se : float
        Standard error of the benefit (for combining components).
    break_even_outcomes : float or None
        Outcomes that must be averted for benefits to equal costs.
    break_even_per_participant : float or None
        The same per participant.
    break_even_effect : float or None
        The effect, on the estimate's own scale, at which benefits equal costs.
    p_value_break_even : float or None
        One-sided p-value of the hypothesis that benefits did not exceed costs
        (small values: evidence the programme repaid its cost).
    verdict : str
        Plain-English reading of the benefit-cost ratio and its interval.
    assumptions, warnings : tuple of str
    conf_level : float
    cost_confirmed : bool
        Whether the programme's cost is confirmed. While it is not, no
        benefit-cost ratio, net benefit or break-even test is published:
        ``bcr`` and ``net_benefit`` are NaN, ``p_value_break_even`` is None
        and every rendering says "cost not confirmed" (break-even in outcomes
        and effect stays: it says how much the programme would have to achieve
        at the stated cost).
    base_cost : float or None
        The cost as estimated, before optimism bias (None when no uplift).
    optimism_bias : float
        Uplift applied to ``base_cost`` to give ``cost`` (0.25 = 25%).
    optimism_bias_source : str
        Where the uplift comes from.
    """

    label: str
    cost: float
    participants: int | None
    completers: int | None
    cost_per_participant: float | None
    cost_per_completer: float | None
    averted: Averted | None
    unit_cost: UnitCost | None
    benefit: tuple[float, float, float]
    net_benefit: tuple[float, float, float]
    bcr: tuple[float, float, float]
    benefit_se: float
    break_even_outcomes: float | None
    break_even_per_participant: float | None
    break_even_effect: float | None
    p_value_break_even: float | None
    verdict: str
    assumptions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    conf_level: float = 0.95
    components: tuple[str, ...] = field(default=())
    cost_confirmed: bool = True
    base_cost: float | None = None
    optimism_bias: float = 0.0
    optimism_bias_source: str = ""

    @property
    def repays_cost(self) -> bool | None:
        """Whether the benefit-cost ratio's interval lies above 1 (None: cost unconfirmed)."""
        if not self.cost_confirmed:
            return None
        return self.bcr[1] > 1

    def summary(self) -> str:
        """Plain-English account of the costs, the benefits and the verdict.

        Examples
        --------
        >>> est = Estimate(-10.0, -18.0, -2.0, 0.01, 400, "percentage points", "m", "e", se=4.08)
        >>> averted = outcomes_averted(est, 100, outcome="victims")
        >>> vfm = value_for_money(cost=150000, participants=100, averted=averted,
        ...                       unit_cost=UnitCost(40000.0, "victim", "2024/25", "HO"))
        >>> vfm.summary()  # doctest: +ELLIPSIS
        'Cost £150,000 for 100 participants (£1,500 each). About 10 victims averted ...'
        """
        level = f"{self.conf_level:.0%}"
        parts = []
        head = f"Cost {format_gbp(self.cost)}"
        if self.participants:
            each = format_gbp(self.cost_per_participant)
            head += f" for {self.participants:,} participants ({each} each"
            if self.cost_per_completer is not None:
                head += f"; {format_gbp(self.cost_per_completer)} per completer"
            head += ")"
        parts.append(head + ".")
        if self.averted is not None and self.unit_cost is not None:
            a = self.averted
            parts.append(
                f"About {format_number(a.point, 2)} {a.outcome} averted ({level} CI "
                f"{format_number(a.low, 2)} to {format_number(a.high, 2)}), worth "
                f"{format_gbp(self.benefit[0])} ({format_gbp(self.benefit[1])} to "
                f"{format_gbp(self.benefit[2])}) at {self.unit_cost.describe()}."
            )
        elif self.components:
            parts.append(
                f"Monetised benefits of {', '.join(self.components)}: "
                f"{format_gbp(self.benefit[0])} ({level} CI {format_gbp(self.benefit[1])} to "
                f"{format_gbp(self.benefit[2])})."
            )
        if self.optimism_bias:
            parts.append(
                f"The cost includes an optimism-bias uplift of {self.optimism_bias:.0%} on the "
                f"estimated {format_gbp(self.base_cost)} ({self.optimism_bias_source})."
            )
        if self.cost_confirmed:
            parts.append(
                f"Benefit-cost ratio {self.bcr[0]:.2f} ({level} CI {self.bcr[1]:.2f} to "
                f"{self.bcr[2]:.2f}); {self.verdict}."
            )
        else:
            parts.append(
                f"Benefit-cost ratio: {COST_NOT_CONFIRMED} (none is published until the "
                "programme's cost is confirmed; the break-even point shows what the programme "
                "would have to achieve at the stated cost)."
            )
        if self.break_even_outcomes is not None and self.averted is not None:
            parts.append(
                f"Break-even: {format_number(self.break_even_outcomes, 2)} {self.averted.outcome} "
                f"averted ({format_number(self.break_even_per_participant, 2)} per participant)."
            )
        return " ".join(parts)

    def table(self) -> pd.DataFrame:
        """The figures as a display table (one row per quantity: point, low, high).

        Examples
        --------
        >>> est = Estimate(-10.0, -18.0, -2.0, 0.01, 400, "percentage points", "m", "e", se=4.08)
        >>> a = outcomes_averted(est, 100, outcome="victims")
        >>> vfm = value_for_money(cost=150000, participants=100, averted=a,
        ...                       unit_cost=UnitCost(40000.0, "victim", "2024/25", "HO"))
        >>> vfm.table().loc["Benefit-cost ratio", "estimate"]
        '2.67'
        """
        level = f"{self.conf_level:.0%}"
        rows: list[tuple[str, str, str]] = [("Cost", format_gbp(self.cost), "")]
        if self.cost_per_participant is not None:
            rows.append(("Cost per participant", format_gbp(self.cost_per_participant), ""))
        if self.cost_per_completer is not None:
            rows.append(("Cost per completer", format_gbp(self.cost_per_completer), ""))
        if self.averted is not None:
            a = self.averted
            rows.append(
                (
                    f"{a.outcome.capitalize()} averted",
                    format_number(a.point, 2),
                    f"{format_number(a.low, 2)} to {format_number(a.high, 2)}",
                )
            )
        if self.unit_cost is not None:
            rows.append((f"Value per {self.unit_cost.unit}", format_gbp(self.unit_cost.value), ""))
        rows += [
            (
                "Monetised benefit",
                format_gbp(self.benefit[0]),
                f"{format_gbp(self.benefit[1])} to {format_gbp(self.benefit[2])}",
            ),
        ]
        if self.cost_confirmed:
            rows += [
                (
                    "Net benefit",
                    format_gbp(self.net_benefit[0]),
                    f"{format_gbp(self.net_benefit[1])} to {format_gbp(self.net_benefit[2])}",
                ),
                (
                    "Benefit-cost ratio",
                    f"{self.bcr[0]:.2f}",
                    f"{self.bcr[1]:.2f} to {self.bcr[2]:.2f}",
                ),
            ]
        else:
            rows += [
                ("Net benefit", COST_NOT_CONFIRMED, ""),
                ("Benefit-cost ratio", COST_NOT_CONFIRMED, ""),
            ]
        if self.break_even_outcomes is not None and self.averted is not None:
            rows.append(
                (
                    f"Break-even ({self.averted.outcome} averted)",
                    format_number(self.break_even_outcomes, 2),
                    "",
                )
            )
        if self.p_value_break_even is not None:
            rows.append(
                (
                    "p-value, benefits not above cost (one-sided)",
                    format_number(self.p_value_break_even, 2),
                    "",
                )
            )
        table = pd.DataFrame(rows, columns=["quantity", "estimate", f"{level} interval"])
        return table.set_index("quantity")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record for the ``value_for_money`` block of findings.json."""
        out: dict[str, Any] = {
            "label": self.label,
            "cost_gbp": self.cost,
            "participants": self.participants,
            "completers": self.completers,
            "cost_per_participant_gbp": self.cost_per_participant,
            "cost_per_completer_gbp": self.cost_per_completer,
            "benefit_gbp": _triple(self.benefit),
            "net_benefit_gbp": _triple(self.net_benefit),
            "benefit_cost_ratio": _triple(self.bcr),
            "break_even_outcomes": self.break_even_outcomes,
            "break_even_per_participant": self.break_even_per_participant,
            "break_even_effect": self.break_even_effect,
            "p_value_break_even": self.p_value_break_even,
            "repays_cost": self.repays_cost,
            "verdict": self.verdict,
            "conf_level": self.conf_level,
            "summary": self.summary(),
            "assumptions": list(self.assumptions),
            "warnings": list(self.warnings),
        }
        if self.averted is not None:
            a = self.averted
            out["outcome"] = a.outcome
            out["averted"] = _triple((a.point, a.low, a.high))
            out["averted_per_participant"] = _triple(
                (a.per_person, a.per_person_low, a.per_person_high)
            )
        if self.unit_cost is not None:
            out["unit_cost"] = {
                "value_gbp": self.unit_cost.value,
                "unit": self.unit_cost.unit,
                "price_year": self.unit_cost.price_year,
                "source": self.unit_cost.source,
            }
        if self.components:
            out["components"] = list(self.components)
        # Written only when they differ from the defaults, so a confirmed cost without
        # uplift gives exactly the block it always has.
        if not self.cost_confirmed:
            out["cost_confirmed"] = False
            out["benefit_cost_ratio"] = COST_NOT_CONFIRMED
            out["net_benefit_gbp"] = COST_NOT_CONFIRMED
        if self.optimism_bias:
            out["optimism_bias"] = {
                "uplift": self.optimism_bias,
                "source": self.optimism_bias_source,
                "base_cost_gbp": self.base_cost,
            }
        return {k: _plain(v) if not isinstance(v, dict | list) else v for k, v in out.items()}

    def _repr_html_(self) -> str:
        parts = [f"<p>{html.escape(self.summary())}</p>", self.table().to_html(border=0)]
        if self.assumptions:
            items = "".join(f"<li>{html.escape(a)}</li>" for a in self.assumptions)
            parts.append(f"<p><strong>Assumptions</strong></p><ul>{items}</ul>")
        if self.warnings:
            items = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
            parts.append(f"<p><strong>Warnings</strong></p><ul class='warnings'>{items}</ul>")
        return "<div class='analysis-vfm'>" + "".join(parts) + "</div>"


def _triple(values: Sequence[float]) -> dict[str, float | None]:
    return {
        "estimate": _plain(values[0]),
        "ci_low": _plain(values[1]),
        "ci_high": _plain(values[2]),
    }


def _verdict(bcr: tuple[float, float, float], level: str) -> str:
    point, low, high = bcr
    if low > 1:
        return f"benefits exceed costs across the whole {level} interval"
    if high < 1:
        return f"the benefits measured fall short of the costs across the whole {level} interval"
    if point >= 1:
        return (
            "the central estimate repays the cost, but the interval includes break-even, so "
            "the data cannot show that it did"
        )
    return (
        "the central estimate does not repay the cost, and the interval includes break-even, "
        "so the data cannot show either way"
    )


#: Assumptions every value-for-money result rests on (each function adds its own).
BASE_ASSUMPTIONS: tuple[str, ...] = (
    "The estimated effect is causal and applies to the participants costed.",
    "Costs are the programme's own spending; partner agencies' and participants' time and "
    "any downstream criminal justice costs or savings are not counted.",
    "Benefits are counted only over the period the effect was measured (no persistence "
    "beyond it) and are not discounted; over about a year, HM Treasury Green Book "
    "discounting (3.5% a year) would change them by under 4%.",
    "Deadweight (what would have happened anyway) is removed by the comparison group; no "
    "displacement of harm to other victims or places beyond what that comparison captures.",
)


def value_for_money(
    *,
    cost: float,
    participants: int,
    averted: Averted,
    unit_cost: UnitCost,
    completers: int | None = None,
    label: str = "",
    assumptions: Iterable[str] = (),
    cost_confirmed: bool = True,
    optimism_bias: float = 0.0,
    optimism_bias_source: str = "",
) -> ValueForMoney:
    """Value for money of one programme: costs against monetised outcomes averted.

    Parameters
    ----------
    cost : float
        Programme spending (pounds) for the costed period, in the same price year
        as ``unit_cost``.
    participants : int
        People who started in the costed period.
    averted : Averted
        Outcomes averted among those participants (:func:`outcomes_averted`).
    unit_cost : UnitCost
        Money value of one outcome averted.
    completers : int, optional
        People who completed (for cost per completer).
    label : str
        Name of what is costed.
    assumptions : iterable of str
        Programme-specific assumptions, added to :data:`BASE_ASSUMPTIONS`.
    cost_confirmed : bool, default True
        False while ``cost`` is a placeholder or an estimate the programme has
        not confirmed: no benefit-cost ratio, net benefit or break-even test is
        published (see :class:`ValueForMoney`).
    optimism_bias : float, default 0
        HM Treasury Green Book optimism-bias uplift on an estimated cost (0.25
        adds 25%): appraisals systematically underestimate costs, and the Green
        Book's supplementary guidance asks for an uplift by project type until
        costs are known. Applied to ``cost`` before anything else.
    optimism_bias_source : str
        Where the uplift comes from (required when it is not 0), e.g. the
        Green Book supplementary guidance table and project type used.

    Returns
    -------
    ValueForMoney

    Examples
    --------
    >>> est = Estimate(-10.0, -18.0, -2.0, 0.01, 400, "percentage points", "m", "e", se=4.08)
    >>> a = outcomes_averted(est, 100, outcome="victims")
    >>> vfm = value_for_money(cost=150000, participants=100, averted=a,
    ...                       unit_cost=UnitCost(40000.0, "victim", "2024/25", "HO"))
    >>> [round(x, 3) for x in vfm.bcr]
    [2.667, 0.533, 4.8]
    >>> vfm.break_even_outcomes, round(vfm.break_even_effect, 3)
    (3.75, -3.75)
    """
    cost = _check_money(cost, "cost")
    base_cost = None
    if optimism_bias:
        if not (isinstance(optimism_bias, int | float) and math.isfinite(optimism_bias)) or (
            optimism_bias < 0
        ):
            raise ConfigError(
                f"optimism_bias must be a non-negative fraction (0.25 = 25%), got {optimism_bias!r}"
            )
        if not str(optimism_bias_source).strip():
            raise ConfigError(
                "optimism_bias needs optimism_bias_source= naming where the uplift comes from "
                "(the Green Book supplementary guidance table and project type)"
            )
        base_cost = cost
        cost = cost * (1 + optimism_bias)
    per_participant = cost_per_unit(cost, participants, what="participant")
    per_completer = None
    warnings: list[str] = []
    if completers is not None:
        if int(completers) > 0:
            per_completer = cost / int(completers)
        else:
            warnings.append("No participant completed in the costed period: no cost per completer.")
    if averted.participants != int(participants):
        warnings.append(
            f"Outcomes averted were computed for {averted.participants:,} people but the cost "
            f"is spread over {int(participants):,}: check that both refer to the same period."
        )
    u = unit_cost.value
    benefit = (averted.point * u, averted.low * u, averted.high * u)
    net = tuple(b - cost for b in benefit)
    if cost == 0:
        raise EstimationError(
            f"{label or 'programme'}: cost is £0 for the costed period, so a benefit-cost "
            "ratio cannot be formed; check the programme's costs for that period."
        )
    bcr = tuple(b / cost for b in benefit)
    break_even = cost / u
    break_even_effect = averted.effect_for(break_even)
    p_value = _p_value_break_even(averted, break_even)
    level = f"{averted.conf_level:.0%}"
    verdict = _verdict(bcr, level)  # type: ignore[arg-type]
    extra_assumptions = []
    if optimism_bias:
        extra_assumptions.append(
            f"The estimated cost of {format_gbp(base_cost)} is uplifted by {optimism_bias:.0%} "
            f"for optimism bias (HM Treasury Green Book; {optimism_bias_source})."
        )
    if not cost_confirmed:
        net, bcr = (math.nan,) * 3, (math.nan,) * 3
        p_value = None
        verdict = UNCONFIRMED_VERDICT
        warnings.append(
            f"The programme cost of {format_gbp(cost)} is not confirmed: no benefit-cost ratio "
            "or net benefit is published until it is."
        )
    if averted.low <= 0 <= averted.high:
        warnings.append(
            f"The {level} interval of {averted.outcome} averted includes zero: the programme "
            "may have averted none."
        )
    return ValueForMoney(
        label=label,
        cost=cost,
        participants=int(participants),
        completers=None if completers is None else int(completers),
        cost_per_participant=per_participant,
        cost_per_completer=per_completer,
        averted=averted,
        unit_cost=unit_cost,
        benefit=benefit,
        net_benefit=net,  # type: ignore[arg-type]
        bcr=bcr,  # type: ignore[arg-type]
        benefit_se=averted.se * u,
        break_even_outcomes=break_even,
        break_even_per_participant=break_even / int(participants),
        break_even_effect=break_even_effect,
        p_value_break_even=p_value,
        verdict=verdict,
        assumptions=(
            *BASE_ASSUMPTIONS,
            f"Each {unit_cost.unit} averted is valued at {unit_cost.describe()}.",
            *extra_assumptions,
            *assumptions,
        ),
        warnings=tuple(warnings),
        conf_level=averted.conf_level,
        cost_confirmed=bool(cost_confirmed),
        base_cost=base_cost,
        optimism_bias=float(optimism_bias or 0.0),
        optimism_bias_source=str(optimism_bias_source) if optimism_bias else "",
    )


def _p_value_break_even(averted: Averted, break_even: float) -> float:
    """One-sided p-value of H0: outcomes averted <= break-even (benefits do not repay cost).

    Computed on the scale where the estimate is approximately normal: the effect
    itself for differences, its logarithm for ratios.
    """
    if averted.log_scale:
        ratio_at_break_even = averted.effect_for(break_even)
        if ratio_at_break_even <= 0:
            # Even eliminating every outcome would not repay the cost.
            return 1.0
        se = averted.effect_se
        if not math.isfinite(se) or se <= 0:
            se = averted.se / max(averted.effect * averted.per_effect * averted.participants, 1e-12)
        z = (math.log(ratio_at_break_even) - math.log(averted.effect)) / se
        return float(stats.norm.sf(z))
    z = (averted.point - break_even) / averted.se
    return float(stats.norm.sf(z))


def combine(
    components: Sequence[ValueForMoney],
    *,
    label: str,
    other_costs: Mapping[str, float] | None = None,
    assumptions: Iterable[str] = (),
) -> ValueForMoney:
    """Value for money of several independently evaluated components together.

    Parameters
    ----------
    components : sequence of ValueForMoney
        Components with monetised benefits (e.g. Drive and Up2U), evaluated on
        separate people so their estimates are independent.
    label : str
        Name of the whole.
    other_costs : mapping of str to float, optional
        Spending whose benefits are not monetised (e.g. practitioner training):
        added to the cost, nothing to the benefit, which makes the ratio cautious.
    assumptions : iterable of str
        Further assumptions.

    Returns
    -------
    ValueForMoney
        Benefits summed; their interval from the summed variances (normal
        approximation); no participant counts or break-even in outcomes (the
        components' outcomes differ in value).

    Examples
    --------
    >>> est = Estimate(-10.0, -18.0, -2.0, 0.01, 400, "percentage points", "m", "e", se=4.08)
    >>> uc = UnitCost(40000.0, "victim", "2024/25", "HO")
    >>> one = value_for_money(cost=150000, participants=100, unit_cost=uc,
    ...                       averted=outcomes_averted(est, 100, outcome="victims"))
    >>> both = combine([one, one], label="both", other_costs={"training": 20000})
    >>> both.cost, round(both.bcr[0], 3)
    (320000.0, 2.5)
    """
    if not components:
        raise ConfigError("combine() needs at least one component")
    other_costs = dict(other_costs or {})
    for name, value in other_costs.items():
        _check_money(value, f"other cost '{name}'")
    cost = sum(c.cost for c in components) + sum(other_costs.values())
    if cost <= 0:
        raise EstimationError(f"{label}: the combined cost is £0, so no benefit-cost ratio exists")
    level = components[0].conf_level
    if any(c.conf_level != level for c in components):
        raise ConfigError("components to combine must share one confidence level")
    z = stats.norm.ppf(0.5 + level / 2)
    point = sum(c.benefit[0] for c in components)
    se = math.sqrt(sum(c.benefit_se**2 for c in components))
    benefit = (point, point - z * se, point + z * se)
    net = tuple(b - cost for b in benefit)
    bcr = tuple(b / cost for b in benefit)
    p_value = float(stats.norm.sf((point - cost) / se)) if se > 0 else None
    confirmed = all(c.cost_confirmed for c in components)
    verdict = _verdict(bcr, f"{level:.0%}")  # type: ignore[arg-type]
    if not confirmed:
        net, bcr = (math.nan,) * 3, (math.nan,) * 3
        p_value, verdict = None, UNCONFIRMED_VERDICT
    names = [c.label or f"component {i + 1}" for i, c in enumerate(components)]
    extra = [
        f"{name} ({format_gbp(v)}): cost counted, benefits not monetised"
        for name, v in other_costs.items()
    ]
    warnings = [w for c in components for w in c.warnings]
    return ValueForMoney(
        label=label,
        cost=cost,
        participants=None,
        completers=None,
        cost_per_participant=None,
        cost_per_completer=None,
        averted=None,
        unit_cost=None,
        benefit=benefit,
        net_benefit=net,  # type: ignore[arg-type]
        bcr=bcr,  # type: ignore[arg-type]
        benefit_se=se,
        break_even_outcomes=None,
        break_even_per_participant=None,
        break_even_effect=None,
        p_value_break_even=p_value,
        verdict=verdict,
        assumptions=(
            *dict.fromkeys(a for c in components for a in c.assumptions),
            "Components were evaluated on different people, so their estimates are "
            "independent; the combined interval adds their variances (normal approximation).",
            *extra,
            *assumptions,
        ),
        warnings=tuple(dict.fromkeys(warnings)),
        conf_level=level,
        components=tuple(names) + tuple(other_costs),
        cost_confirmed=confirmed,
    )


def value_for_money_block(
    results: Sequence[ValueForMoney],
    *,
    overall: ValueForMoney | None = None,
    headline: str = "",
) -> dict[str, Any]:
    """The ``value_for_money`` block of findings.json.

    Parameters
    ----------
    results : sequence of ValueForMoney
        One per component.
    overall : ValueForMoney, optional
        The components combined (:func:`combine`).
    headline : str
        One sentence for the scorecard (defaults to the overall verdict).

    Returns
    -------
    dict
        ``{"components": [...], "overall": {...}, "headline": str}``, JSON-ready.

    Examples
    --------
    >>> est = Estimate(-10.0, -18.0, -2.0, 0.01, 400, "percentage points", "m", "e", se=4.08)
    >>> vfm = value_for_money(cost=150000, participants=100, label="A",
    ...                       averted=outcomes_averted(est, 100, outcome="victims"),
    ...                       unit_cost=UnitCost(40000.0, "victim", "2024/25", "HO"))
    >>> sorted(value_for_money_block([vfm]))
    ['components', 'headline', 'overall']
    """
    main = overall if overall is not None else (results[0] if len(results) == 1 else None)
    if not headline and main is not None and not main.cost_confirmed:
        headline = f"{main.label}: {COST_NOT_CONFIRMED}, so no benefit-cost ratio is published"
        if main.break_even_outcomes is not None and main.averted is not None:
            headline += (
                f"; it breaks even at {format_number(main.break_even_outcomes, 2)} "
                f"{main.averted.outcome} averted at the stated cost"
            )
        headline += "."
    elif not headline and main is not None:
        headline = (
            f"{main.label}: benefit-cost ratio {main.bcr[0]:.2f} ({main.bcr[1]:.2f} to "
            f"{main.bcr[2]:.2f}); {main.verdict}."
        )
    return {
        "components": [r.to_dict() for r in results],
        "overall": None if overall is None else overall.to_dict(),
        "headline": headline,
    }


# --------------------------------------------------------------------------- uncertainty
@dataclass(frozen=True)
class SwitchingValues:
    """The values at which net benefit is zero, each with the others held at their estimates.

    Attributes
    ----------
    effect : float or None
        The effect (on the estimate's scale) at which benefits equal the cost.
    unit_cost : float or None
        The value of one outcome averted at which they do (None when the
        programme averted none at its central estimate: no value would do).
    cost : float
        The programme cost at which they do (the monetised benefit).
    cost_before_uplift : float or None
        The same before optimism bias (None when no uplift was applied).
    """

    effect: float | None
    unit_cost: float | None
    cost: float
    cost_before_uplift: float | None
    outcome: str
    unit: str

    def describe(self) -> str:
        """The switching values in words.

        Examples
        --------
        >>> SwitchingValues(-3.75, 15000.0, 400000.0, None, "victims", "victim").describe()
        'Net benefit is zero at an effect of -3.75, at £15,000 per victim,
         or at a cost of £400,000.'
        """
        parts = []
        if self.effect is not None:
            parts.append(f"at an effect of {format_number(self.effect)}")
        if self.unit_cost is not None:
            parts.append(f"at {format_gbp(self.unit_cost)} per {self.unit}")
        cost = f"at a cost of {format_gbp(self.cost)}"
        if self.cost_before_uplift is not None:
            cost += f" ({format_gbp(self.cost_before_uplift)} before optimism bias)"
        parts.append(cost)
        joined = ", ".join(parts[:-1]) + (", or " if len(parts) > 1 else "") + parts[-1]
        return f"Net benefit is zero {joined}."

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return {
            "effect": _plain(self.effect),
            "unit_cost_gbp": _plain(self.unit_cost),
            "cost_gbp": _plain(self.cost),
            "cost_before_uplift_gbp": _plain(self.cost_before_uplift),
        }


def switching_values(vfm: ValueForMoney) -> SwitchingValues:
    """Switching values of a one-programme appraisal (HM Treasury Green Book, chapter 5).

    Each is the value of one input at which net benefit is zero, the others at
    their central estimates: how wrong an estimate would have to be to change
    the conclusion. They need no confirmed cost for the effect and unit cost
    (they are break-even points at the stated cost), and the cost switching
    value is the cost below which the programme would repay itself.

    Examples
    --------
    >>> est = Estimate(-10.0, -18.0, -2.0, 0.01, 400, "percentage points", "m", "e", se=4.08)
    >>> vfm = value_for_money(cost=150000, participants=100,
    ...                       averted=outcomes_averted(est, 100, outcome="victims"),
    ...                       unit_cost=UnitCost(40000.0, "victim", "2024/25", "HO"))
    >>> sv = switching_values(vfm)
    >>> round(sv.effect, 3), round(sv.unit_cost), round(sv.cost)
    (-3.75, 15000, 400000)
    """
    if vfm.averted is None or vfm.unit_cost is None:
        raise ConfigError(
            f"{vfm.label or 'value for money'}: switching values need one programme with "
            "outcomes averted and a unit cost, not a combination of components"
        )
    a, u = vfm.averted, vfm.unit_cost.value
    benefit = a.point * u
    return SwitchingValues(
        effect=vfm.break_even_effect,
        unit_cost=vfm.cost / a.point if a.point > 0 else None,
        cost=benefit,
        cost_before_uplift=benefit / (1 + vfm.optimism_bias) if vfm.optimism_bias else None,
        outcome=a.outcome,
        unit=vfm.unit_cost.unit,
    )


@dataclass(frozen=True)
class Range:
    """A stated uncertainty range for an input: a triangular distribution low-central-high.

    Parameters
    ----------
    low, central, high : float
        The lowest plausible value, the best estimate and the highest.
    source : str
        Where the range comes from.

    Examples
    --------
    >>> Range(30000, 40000, 60000, "HO unit cost, +/- its stated uncertainty").describe()
    '30,000 to 60,000 (central 40,000; HO unit cost, +/- its stated uncertainty)'
    """

    low: float
    central: float
    high: float
    source: str = ""

    def __post_init__(self) -> None:
        values = (self.low, self.central, self.high)
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
            raise ConfigError(f"a range needs three finite numbers, got {values!r}")
        if not self.low <= self.central <= self.high or self.low < 0:
            raise ConfigError(f"a range must satisfy 0 <= low <= central <= high, got {values!r}")

    def describe(self) -> str:
        """The range in words."""
        text = f"{format_number(self.low)} to {format_number(self.high)} (central " + (
            f"{format_number(self.central)}"
        )
        return text + (f"; {self.source})" if self.source else ")")

    def draw(self, rng: Any, size: int) -> Any:
        """``size`` draws from the triangular distribution (constant when low == high)."""
        import numpy as np

        if self.low == self.high:
            return np.full(size, float(self.central))
        return rng.triangular(self.low, self.central, self.high, size)


@dataclass(frozen=True)
class SimulatedValueForMoney:
    """Monte Carlo value for money: effect x unit cost x programme cost drawn together.

    Attributes
    ----------
    label : str
    draws, seed : int
    benefit, net_benefit, bcr : tuple of float
        (median, low, high): percentiles at ``(1 -/+ conf_level) / 2`` of the
        draws. ``net_benefit`` and ``bcr`` are NaN while the cost is unconfirmed.
    probability_repays : float or None
        Share of draws in which benefits exceed the cost (None: cost unconfirmed).
    effect_range, unit_cost_range, cost_range : str
        What was drawn, in words.
    cost_confirmed : bool
    conf_level : float
    """

    label: str
    draws: int
    seed: int
    benefit: tuple[float, float, float]
    net_benefit: tuple[float, float, float]
    bcr: tuple[float, float, float]
    probability_repays: float | None
    effect_range: str
    unit_cost_range: str
    cost_range: str
    cost_confirmed: bool
    conf_level: float

    def summary(self) -> str:
        """The simulation in words.

        Examples
        --------
        >>> est = Estimate(-10.0, -18.0, -2.0, 0.01, 400, "percentage points", "m", "e", se=4.08)
        >>> vfm = value_for_money(cost=150000, participants=100, cost_confirmed=False,
        ...                       averted=outcomes_averted(est, 100, outcome="victims"),
        ...                       unit_cost=UnitCost(40000.0, "victim", "2024/25", "HO"))
        >>> simulate_value_for_money(vfm, draws=2000, seed=1).summary()  # doctest: +ELLIPSIS
        '... Benefit-cost ratio: cost not confirmed.'
        """
        level = f"{self.conf_level:.0%}"
        text = (
            f"Over {self.draws:,} simulated draws of the effect ({self.effect_range}), the value "
            f"per outcome ({self.unit_cost_range}) and the cost ({self.cost_range}), the "
            f"benefit is {format_gbp(self.benefit[0])} ({level} range "
            f"{format_gbp(self.benefit[1])} to {format_gbp(self.benefit[2])})."
        )
        if not self.cost_confirmed:
            return text + f" Benefit-cost ratio: {COST_NOT_CONFIRMED}."
        return text + (
            f" Benefit-cost ratio {self.bcr[0]:.2f} ({level} range {self.bcr[1]:.2f} to "
            f"{self.bcr[2]:.2f}); benefits exceed the cost in {self.probability_repays:.0%} "
            "of draws."
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        out: dict[str, Any] = {
            "label": self.label,
            "draws": self.draws,
            "seed": self.seed,
            "benefit_gbp": _triple(self.benefit),
            "effect_range": self.effect_range,
            "unit_cost_range": self.unit_cost_range,
            "cost_range": self.cost_range,
            "conf_level": self.conf_level,
            "summary": self.summary(),
        }
        if self.cost_confirmed:
            out["net_benefit_gbp"] = _triple(self.net_benefit)
            out["benefit_cost_ratio"] = _triple(self.bcr)
            out["probability_repays"] = self.probability_repays
        else:
            out["cost_confirmed"] = False
            out["benefit_cost_ratio"] = COST_NOT_CONFIRMED
        return out


def simulate_value_for_money(
    vfm: ValueForMoney,
    *,
    unit_cost_range: Range | None = None,
    cost_range: Range | None = None,
    draws: int = 20_000,
    seed: int = 2026,
) -> SimulatedValueForMoney:
    """Monte Carlo over the effect, the value per outcome and the programme cost together.

    The effect is drawn from a normal distribution centred on the estimate whose
    standard error is read back from the interval the report shows (its
    half-width over z, as :func:`analysis.methods.power.mde` does, so the
    simulation and the interval never disagree whatever the estimator): on the
    scale of outcomes averted for differences, on the log scale for ratios, so
    the draws keep the interval's asymmetry. The unit cost and the cost are
    drawn from triangular distributions over their stated ranges, independently.
    Optimism bias applied in :func:`value_for_money` is applied to every cost
    drawn. Percentile intervals of the benefit, net benefit and benefit-cost
    ratio follow; with both ranges fixed, they reproduce the analytic intervals
    of :func:`value_for_money` (up to simulation error).

    Parameters
    ----------
    vfm : ValueForMoney
        One programme's appraisal (:func:`value_for_money`).
    unit_cost_range : Range, optional
        Uncertainty in the value of one outcome averted (default: fixed at the
        unit cost used).
    cost_range : Range, optional
        Uncertainty in the programme's cost before any uplift (default: fixed).
    draws : int
        Number of draws.
    seed : int
        Seed of the random generator, so a report is reproducible.

    Returns
    -------
    SimulatedValueForMoney

    Examples
    --------
    >>> est = Estimate(-10.0, -18.0, -2.0, 0.01, 400, "percentage points", "m", "e", se=4.08)
    >>> vfm = value_for_money(cost=150000, participants=100,
    ...                       averted=outcomes_averted(est, 100, outcome="victims"),
    ...                       unit_cost=UnitCost(40000.0, "victim", "2024/25", "HO"))
    >>> sim = simulate_value_for_money(vfm, unit_cost_range=Range(30000, 40000, 60000),
    ...                                draws=5000, seed=3)
    >>> 2.3 < sim.bcr[0] < 3.3, 0.8 < sim.probability_repays < 1
    (True, True)
    """
    import numpy as np

    if vfm.averted is None or vfm.unit_cost is None:
        raise ConfigError(
            f"{vfm.label or 'value for money'}: the simulation needs one programme with "
            "outcomes averted and a unit cost"
        )
    if int(draws) < 100:
        raise ConfigError(f"a Monte Carlo needs at least 100 draws, got {draws!r}")
    draws = int(draws)
    rng = np.random.default_rng(seed)
    a = vfm.averted
    z = float(stats.norm.ppf(0.5 + a.conf_level / 2))
    if a.log_scale:
        # The ratio's bounds, from the outcomes averted at each end of its interval.
        ratio_low, ratio_high = a.effect_for(a.high), a.effect_for(a.low)
        if not (ratio_low > 0 and a.effect > 0):
            raise EstimationError(
                f"{vfm.label or 'value for money'}: the ratio's interval must lie above 0 to "
                f"simulate it on the log scale (got {ratio_low!r} to {ratio_high!r})"
            )
        se = (math.log(ratio_high) - math.log(ratio_low)) / (2 * z)
        ratios = np.exp(rng.normal(math.log(a.effect), se, draws))
        averted = (1 - ratios) * a.per_effect * a.participants
        effect_text = f"normal on the log scale around {format_number(a.effect)}"
    else:
        se = (a.high - a.low) / (2 * z)
        averted = rng.normal(a.point, se, draws)
        effect_text = f"normal around {format_number(a.point, 2)} {a.outcome} averted"
    unit_range = unit_cost_range or Range(
        vfm.unit_cost.value, vfm.unit_cost.value, vfm.unit_cost.value
    )
    base = vfm.base_cost if vfm.base_cost is not None else vfm.cost
    costs_range = cost_range or Range(base, base, base)
    unit_costs = unit_range.draw(rng, draws)
    costs = costs_range.draw(rng, draws) * (1 + vfm.optimism_bias)
    if np.any(costs <= 0):
        raise ConfigError("the cost range includes £0, so no benefit-cost ratio can be drawn")
    benefit = averted * unit_costs
    tails = [50.0, 50 * (1 - vfm.conf_level), 50 * (1 + vfm.conf_level)]

    def percentiles(values: Any) -> tuple[float, float, float]:
        return tuple(float(v) for v in np.percentile(values, tails))  # type: ignore[return-value]

    confirmed = vfm.cost_confirmed
    nan3 = (math.nan,) * 3
    return SimulatedValueForMoney(
        label=vfm.label,
        draws=draws,
        seed=int(seed),
        benefit=percentiles(benefit),
        net_benefit=percentiles(benefit - costs) if confirmed else nan3,
        bcr=percentiles(benefit / costs) if confirmed else nan3,
        probability_repays=float(np.mean(benefit > costs)) if confirmed else None,
        effect_range=effect_text,
        unit_cost_range=(
            unit_range.describe()
            if unit_cost_range
            else f"fixed at {format_gbp(vfm.unit_cost.value)}"
        ),
        cost_range=costs_range.describe() if cost_range else f"fixed at {format_gbp(base)}",
        cost_confirmed=confirmed,
        conf_level=vfm.conf_level,
    )


@dataclass(frozen=True)
class CostPerOutcome:
    """Cost per additional outcome (e.g. per additional charge), with its interval.

    Attributes
    ----------
    additional : tuple of float
        (point, low, high) of the additional outcomes the programme brought about.
    cost_per : tuple of float or None
        (point, low, high) cost per additional outcome; the bound is ``inf`` where
        the additional outcomes' interval reaches zero, and ``cost_per`` is None
        when the cost is unconfirmed or the point estimate is not an addition.
    """

    cost: float
    outcome: str
    additional: tuple[float, float, float]
    cost_per: tuple[float, float, float] | None
    cost_confirmed: bool
    conf_level: float

    def summary(self) -> str:
        """In words.

        Examples
        --------
        >>> est = Estimate(6.0, 2.0, 10.0, 0.003, 900, "percentage points", "m", "charge rate")
        >>> print(cost_per_additional_outcome(60000, est, 500, outcome="charges").summary())
        About 30 additional charges (95% CI 10 to 50): £2,000 per additional charge
        (£1,200 to £6,000).
        """
        level = f"{self.conf_level:.0%}"
        point, low, high = self.additional
        singular = self.outcome[:-1] if self.outcome.endswith("s") else self.outcome
        text = (
            f"About {format_number(point, 2)} additional {self.outcome} ({level} CI "
            f"{format_number(low, 2)} to {format_number(high, 2)})"
        )
        if not self.cost_confirmed:
            return text + f": cost per additional {singular}: {COST_NOT_CONFIRMED}."
        if self.cost_per is None:
            return text + f": no cost per additional {singular}, as none were added."
        cp, cp_low, cp_high = self.cost_per
        upper = "no upper limit" if math.isinf(cp_high) else format_gbp(cp_high)
        return (
            f"{text}: {format_gbp(cp)} per additional {singular} ({format_gbp(cp_low)} to {upper})."
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (an unbounded upper limit is ``null``)."""
        out: dict[str, Any] = {
            "outcome": self.outcome,
            "additional": _triple(self.additional),
            "summary": self.summary(),
        }
        if not self.cost_confirmed:
            out["cost_confirmed"] = False
            out["cost_per_additional_gbp"] = COST_NOT_CONFIRMED
        else:
            out["cost_gbp"] = self.cost
            out["cost_per_additional_gbp"] = (
                None if self.cost_per is None else _triple(self.cost_per)
            )
        return out


def cost_per_additional_outcome(
    cost: float,
    estimate: Estimate,
    participants: int,
    *,
    outcome: str,
    multiplier: float = 1.0,
    baseline: float | None = None,
    cost_confirmed: bool = True,
) -> CostPerOutcome:
    """Cost per additional outcome a programme brought about (e.g. cost per additional charge).

    The additional outcomes are the effect times the people it applies to
    (:func:`outcomes_averted` with the sign turned: an increase is an
    addition). The cost per additional outcome is the cost divided by them; its
    interval is the image of theirs (cost / high to cost / low), unbounded above
    when theirs reaches zero.

    Parameters
    ----------
    cost : float
        Programme cost for the period (pounds).
    estimate : Estimate
        The effect per person, as for :func:`outcomes_averted`.
    participants : int
        People the effect applies to.
    outcome : str
        Plural ("charges").
    multiplier, baseline
        As for :func:`outcomes_averted`.
    cost_confirmed : bool
        False: the cost per outcome is not published.

    Returns
    -------
    CostPerOutcome

    Examples
    --------
    >>> est = Estimate(6.0, -1.0, 13.0, 0.09, 900, "percentage points", "m", "charge rate")
    >>> result = cost_per_additional_outcome(60000, est, 500, outcome="charges")
    >>> [round(v) for v in result.cost_per[:2]], result.cost_per[2]
    ([2000, 923], inf)
    """
    cost = _check_money(cost, "cost")
    averted = outcomes_averted(
        estimate, participants, outcome=outcome, multiplier=multiplier, baseline=baseline
    )
    additional = (-averted.point, -averted.high, -averted.low)
    cost_per = None
    if cost_confirmed and additional[0] > 0:
        point, low, high = additional
        cost_per = (
            cost / point,
            cost / high,
            cost / low if low > 0 else math.inf,
        )
    return CostPerOutcome(
        cost=cost,
        outcome=outcome,
        additional=additional,
        cost_per=cost_per,
        cost_confirmed=bool(cost_confirmed),
        conf_level=estimate.conf_level,
    )
