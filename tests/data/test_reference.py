"""Reference tables: coverage of the coding frames, figures from their sources, uprating."""

import csv

import numpy as np
import pandas as pd
import pytest

from analysis.data import PRICE_YEAR, financial_year, load_reference, unit_cost, uprate
from analysis.data.codes import OFFENCE_GROUPS, OUTCOME_CODES
from analysis.errors import ConfigError
from analysis.paths import REFERENCE_DIR


def read_csv_plain(name):
    with (REFERENCE_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_outcome_codes_match_the_coding_frame():
    table = load_reference("outcome_codes")
    assert table["code"].tolist() == list(OUTCOME_CODES)
    assert table["description"].tolist() == list(OUTCOME_CODES.values())
    assert table["finalised"].tolist() == [code != 0 for code in OUTCOME_CODES]
    assert table.loc[table["charge"], "code"].tolist() == [1]


@pytest.mark.parametrize("name", ["harm_weights", "unit_costs"])
def test_every_offence_group_has_a_row(name):
    groups = load_reference(name)["offence_group"]
    assert set(OFFENCE_GROUPS) <= set(groups)
    assert groups.is_unique


def test_harm_weights_are_the_published_figures_or_marked_assumptions():
    # Indicative Cambridge Crime Harm Index medians by Home Office subgroup.
    published = {
        "homicide": 5475, "rape": 2555, "violence_with_injury": 365, "robbery": 365,
        "other_sexual_offences": 182.25, "possession_of_weapons": 273.75,
        "residential_burglary": 273.5, "arson": 185, "violence_without_injury": 10,
        "stalking_and_harassment": 10, "public_order": 7.5, "drug_trafficking": 5,
        "drug_possession": 3, "criminal_damage": 2, "shoplifting": 1,
    }  # fmt: skip
    weights = load_reference("harm_weights").set_index("offence_group")
    for group, days in published.items():
        assert weights.loc[group, "chi_days"] == days
        assert weights.loc[group, "check_status"] == "check"
    others = weights.drop(index=list(published))
    assert (others["check_status"] == "assumption").all()
    assert others["source"].str.startswith("Assumption").all()
    assert (weights["chi_days"] > 0).all()


def test_unit_costs_are_the_published_figures():
    published_2015_16 = {
        "homicide": 3_200_000, "rape": 39_360, "violence_with_injury": 14_050,
        "robbery": 11_320, "theft_of_vehicle": 10_290, "arson": 8_420,
        "other_sexual_offences": 6_520, "criminal_damage": 1_350, "theft_from_vehicle": 870,
    }  # fmt: skip
    costs = load_reference("unit_costs").set_index("offence_group")
    for group, cost in published_2015_16.items():
        assert costs.loc[group, "unit_cost_gbp"] == cost
        assert costs.loc[group, "price_year"] == "2015/16"
    abuse = costs.loc["domestic_abuse_per_victim"]
    assert (abuse["unit_cost_gbp"], abuse["price_year"]) == (34_015, "2016/17")
    assert "per victim" in abuse["basis"]
    missing = costs[costs["unit_cost_gbp"].isna()]
    assert (missing["check_status"] == "not available").all()


def test_uprating_uses_the_deflator_ratio():
    rows = {r["financial_year"]: float(r["index"]) for r in read_csv_plain("gdp_deflator")}
    assert rows["2023/24"] == 100.0
    expected = 1000.0 * rows["2025/26"] / rows["2015/16"]
    assert uprate(1000.0, "2015/16", "2025/26") == pytest.approx(expected)
    assert uprate(1000.0, 2015) == pytest.approx(expected)  # default: PRICE_YEAR
    assert PRICE_YEAR == "2025/26"
    values = pd.Series([1.0, 2.0])
    assert uprate(values, "2016-17", "2016/17").tolist() == [1.0, 2.0]
    assert np.allclose(
        uprate(np.array([10.0]), 2015, 2016), 10.0 * rows["2016/17"] / rows["2015/16"]
    )
    assert uprate(uprate(250.0, 2015, 2020), 2020, 2015) == pytest.approx(250.0)


def test_deflator_years_are_consecutive():
    years = load_reference("gdp_deflator")["financial_year"].tolist()
    starts = [int(y[:4]) for y in years]
    assert starts == list(range(starts[0], starts[0] + len(starts)))
    assert {"2015/16", "2016/17", PRICE_YEAR} <= set(years)


def test_unit_cost_uprated_and_refused_when_not_published():
    rows = {r["financial_year"]: float(r["index"]) for r in read_csv_plain("gdp_deflator")}
    expected = 34_015 * rows[PRICE_YEAR] / rows["2016/17"]
    assert unit_cost("domestic_abuse_per_victim") == pytest.approx(expected)
    with pytest.raises(ConfigError, match="no published unit cost for public_order"):
        unit_cost("public_order")
    with pytest.raises(ConfigError, match="no unit cost line 'fraud'"):
        unit_cost("fraud")


@pytest.mark.parametrize("year", ["2015/17", "15/16", "next year", 2015.5])
def test_bad_financial_years(year):
    with pytest.raises(ConfigError, match="is not a financial year"):
        financial_year(year)


def test_year_outside_the_table():
    with pytest.raises(ConfigError, match="no GDP deflator for 1990/91"):
        uprate(1.0, 1990, 2020)


def test_unknown_reference_table():
    with pytest.raises(ConfigError, match="unknown reference table 'costs'"):
        load_reference("costs")


def test_loaded_tables_are_copies():
    table = load_reference("harm_weights")
    table.loc[0, "chi_days"] = -1
    assert (load_reference("harm_weights")["chi_days"] >= 0).all()
