"""Disclosure control: the documented norms, and properties that must hold for any table.

The recovery checks below are written independently of the module: they build the
equations an intruder has (row and column totals) from the table and test, with
matrix ranks and the non-negativity of counts, whether a hidden cell is pinned down.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.errors import ConfigError, DataValidationError
from analysis.evidence.disclosure import (
    DisclosureError,
    check_table,
    is_disclosive,
    round_to_base,
    suppress,
    suppress_count,
    suppression_mask,
)

# ----------------------------------------------------------------------------- helpers


def hidden_cells(display: pd.DataFrame, columns) -> np.ndarray:
    return np.array([[isinstance(v, str) for v in display[c]] for c in columns]).T


def intruder_equations(values: np.ndarray, total_row: bool, total_col: bool, threshold: int):
    """(cells, total_cell) for every total the intruder knows, per the documented rules."""
    n_rows, n_cols = values.shape
    body_rows = [r for r in range(n_rows) if not (total_row and r == n_rows - 1)]
    body_cols = [c for c in range(n_cols) if not (total_col and c == n_cols - 1)]
    equations = []

    def publishable(cells):
        total = sum(values[r, c] for r, c in cells)
        return total == 0 or total >= threshold

    for r in range(n_rows):
        cells = [(r, c) for c in body_cols]
        if total_col:
            equations.append((cells, (r, n_cols - 1)))
        elif len(body_cols) >= 2 and publishable(cells):
            equations.append((cells, None))
    for c in range(n_cols):
        cells = [(r, c) for r in body_rows]
        if total_row:
            equations.append((cells, (n_rows - 1, c)))
        elif len(body_rows) >= 2 and publishable(cells):
            equations.append((cells, None))
    return equations


def intruder_recovers(values: np.ndarray, hidden: np.ndarray, equations) -> np.ndarray:
    """Hidden cells an intruder pins down from totals (ranks + counts are never negative)."""
    n_rows, n_cols = values.shape
    known = ~hidden.copy()
    while True:
        before = known.copy()
        for cells, total_cell in equations:
            if total_cell is not None and not known[total_cell]:
                continue
            total = values[total_cell] if total_cell else sum(values[rc] for rc in cells)
            if total - sum(values[rc] for rc in cells if known[rc]) == 0:
                for rc in cells:
                    known[rc] = True
        unknown = [(r, c) for r in range(n_rows) for c in range(n_cols) if not known[r, c]]
        if unknown and equations:
            matrix = np.zeros((len(equations), len(unknown)))
            for i, (cells, total_cell) in enumerate(equations):
                for j, rc in enumerate(unknown):
                    if rc in cells:
                        matrix[i, j] = 1
                    elif rc == total_cell:
                        matrix[i, j] = -1
            rank = np.linalg.matrix_rank(matrix)
            for j, rc in enumerate(unknown):
                # A cell is determined when dropping it from the unknowns loses rank.
                if np.linalg.matrix_rank(np.delete(matrix, j, axis=1)) < rank:
                    known[rc] = True
        if (known == before).all():
            return hidden & known


def disclosive_zero(values: np.ndarray, r: int, c: int, body_rows, body_cols) -> bool:
    row = values[r, body_cols]
    return (
        len(body_cols) >= 2
        and values[r, c] == 0
        and np.count_nonzero(row) == 1
        and values[body_rows, c].sum() > 0
    )


@st.composite
def count_tables(draw):
    n_rows = draw(st.integers(1, 6))
    n_cols = draw(st.integers(1, 4))
    cell = st.one_of(st.integers(0, 12), st.integers(0, 60))
    values = np.array(
        draw(
            st.lists(
                st.lists(cell, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows
            )
        )
    )
    with_totals = draw(st.booleans())
    threshold = draw(st.sampled_from([5, 10]))
    table = pd.DataFrame(values, columns=[f"col{j}" for j in range(n_cols)])
    if with_totals:
        table.loc[len(table)] = table.sum()
        table.index = [*range(n_rows), "Total"]
        table["Total"] = table.sum(axis=1)
    return table, with_totals, threshold


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ----------------------------------------------------------------------------- properties


@PROPERTY
@given(count_tables())
def test_no_disclosive_cell_is_visible(case):
    table, with_totals, threshold = case
    display = suppress(table, threshold=threshold)
    values = table.to_numpy()
    hidden = hidden_cells(display, table.columns)
    n_rows, n_cols = values.shape
    body_rows = list(range(n_rows - 1)) if with_totals else list(range(n_rows))
    body_cols = list(range(n_cols - 1)) if with_totals else list(range(n_cols))
    small = (values > 0) & (values < threshold)
    assert not (small & ~hidden).any()
    for r in body_rows:
        for c in body_cols:
            if disclosive_zero(values, r, c, body_rows, body_cols):
                assert hidden[r, c], f"zero at {(r, c)} shows a whole group in one category"
    # Cells left visible keep their exact values.
    for c, column in enumerate(table.columns):
        for r in range(n_rows):
            if not hidden[r, c]:
                assert display[column].iloc[r] == values[r, c]


def reported_cells(table, display):
    return {
        (table.index.get_loc(r), table.columns.get_loc(c))
        for r, c in display.attrs["unprotected_cells"]
    }


@PROPERTY
@given(count_tables())
def test_no_hidden_cell_can_be_recovered_from_totals(case):
    table, with_totals, threshold = case
    display = suppress(table, threshold=threshold)
    values = table.to_numpy()
    hidden = hidden_cells(display, table.columns)
    equations = intruder_equations(values, with_totals, with_totals, threshold)
    recovered = intruder_recovers(values, hidden, equations)
    reported = reported_cells(table, display)
    leaked = {tuple(int(i) for i in rc) for rc in np.argwhere(recovered)}
    assert leaked <= reported
    for r, c in reported:
        # Only small cells are ever reported, and only when totals outside the table
        # (never the table's own) give them away.
        assert 0 <= values[r, c] < threshold
    if with_totals:
        assert reported == set()


@PROPERTY
@given(count_tables())
def test_subtracting_visible_cells_from_a_known_total_never_gives_a_hidden_cell(case):
    table, with_totals, threshold = case
    display = suppress(table, threshold=threshold)
    values = table.to_numpy()
    hidden = hidden_cells(display, table.columns)
    reported = reported_cells(table, display)
    for cells, total_cell in intruder_equations(values, with_totals, with_totals, threshold):
        if total_cell is not None and hidden[total_cell]:
            continue
        hidden_here = [rc for rc in cells if hidden[rc] and rc not in reported]
        assert len(hidden_here) != 1, f"{hidden_here[0]} = total - visible cells"
        total = values[total_cell] if total_cell else sum(values[rc] for rc in cells)
        if hidden_here and total > 0:
            # Hidden cells adding to zero would all be known to be zero.
            assert sum(values[rc] for rc in hidden_here) > 0


@PROPERTY
@given(count_tables())
def test_suppressed_tables_pass_the_publication_check(case):
    table, _, threshold = case
    display = suppress(table, threshold=threshold)
    if display.attrs["unprotected_cells"]:
        with pytest.raises(DisclosureError):
            check_table(display, columns=list(table.columns), threshold=threshold)
    else:
        check_table(display, columns=list(table.columns), threshold=threshold)


@settings(max_examples=40, deadline=None)
@given(count_tables())
def test_rounding_to_base_5_moves_visible_counts_by_at_most_2(case):
    table, _, threshold = case
    display = suppress(table, threshold=threshold, round_to=5)
    for column in table.columns:
        for original, shown in zip(table[column], display[column], strict=True):
            if not isinstance(shown, str):
                assert shown % 5 == 0
                assert abs(shown - original) <= 2


# ----------------------------------------------------------------------------- documented norms


def test_counts_under_10_are_suppressed_and_10_is_shown():
    table = pd.DataFrame({"n": [9, 10, 250, 300]}, index=["a", "b", "c", "d"])
    display = suppress(table, secondary=False)
    assert display["n"].tolist() == ["<10", 10, 250, 300]


def test_publishers_using_5_suppress_under_5():
    table = pd.DataFrame({"n": [4, 5, 9]})
    display = suppress(table, threshold=5, secondary=False)
    assert display["n"].tolist() == ["<5", 5, 9]


def test_zero_that_puts_a_whole_group_in_one_category_is_suppressed():
    # Area "East": all 25 arrested were charged; the zero says nobody escaped a charge.
    table = pd.DataFrame(
        {"charged": [25, 30, 40], "not_charged": [0, 35, 22]}, index=["East", "North", "West"]
    )
    primary = suppression_mask(table, secondary=False)
    assert primary.loc["East", "not_charged"]
    assert not primary.loc["East", "charged"]
    assert not primary.loc[["North", "West"]].to_numpy().any()


def test_harmless_zeros_are_shown():
    table = pd.DataFrame({"a": [0, 12, 15], "b": [14, 0, 16], "c": [13, 11, 0], "d": [0, 0, 0]})
    # Each zero sits in a row whose people are spread over several categories, and
    # column d is empty for everyone: no zero says anything about a whole group.
    assert not suppression_mask(table, secondary=False).to_numpy().any()


def test_zero_rule_can_be_switched():
    table = pd.DataFrame({"a": [0, 12], "b": [14, 30]})
    assert suppress(table, zeros="suppress", secondary=False)["a"].tolist() == ["<10", 12]
    table = pd.DataFrame({"a": [0, 12], "b": [25, 30]})
    assert suppress(table, zeros="show", secondary=False)["a"].tolist() == [0, 12]


def test_single_suppressed_cell_in_a_column_takes_the_next_smallest_with_it():
    table = pd.DataFrame({"n": [3, 40, 50, 12]}, index=["a", "b", "c", "d"])
    display = suppress(table)
    # The column total would reveal 3; 12 is the next smallest count.
    assert display["n"].tolist() == ["<10", 40, 50, "[c]"]


def test_two_way_table_hides_the_cheapest_rectangle():
    # Hiding 4 alone leaves it recoverable from its row and its column total. The
    # smallest pattern that hides a cell in a two-way table is a rectangle; the two
    # candidates cost 20+30+31=81 and 20+25+40=85, so the first is chosen.
    table = pd.DataFrame(
        {"charged": [4, 30, 25], "not_charged": [20, 31, 40]}, index=["East", "North", "West"]
    )
    mask = suppression_mask(table)
    expected = pd.DataFrame(
        {"charged": [True, True, False], "not_charged": [True, True, False]},
        index=["East", "North", "West"],
    )
    pd.testing.assert_frame_equal(mask, expected)
    display = suppress(table)
    assert display.loc["East", "charged"] == "<10"
    assert display.loc["North", "charged"] == "[c]"


def test_totals_shown_in_the_table_stay_visible_where_possible():
    body = pd.DataFrame(
        {"a": [5, 20, 30], "b": [14, 25, 12], "c": [18, 11, 40]}, index=["x", "y", "z"]
    )
    table = body.copy()
    table.loc["Total"] = body.sum()
    table["Total"] = table.sum(axis=1)
    display = suppress(table)
    assert display.loc["x", "a"] == "<10"
    assert [display.loc["Total", c] for c in table.columns] == table.loc["Total"].tolist()
    assert display["Total"].tolist() == table["Total"].tolist()
    assert display.attrs["unprotected_cells"] == []


def test_counts_are_rounded_to_base_5():
    table = pd.DataFrame({"n": [12, 13, 27, 1002]})
    assert suppress(table, round_to=5)["n"].tolist() == [10, 15, 25, 1000]
    assert [round_to_base(v) for v in (0, 2, 3, 7, 8)] == [0, 0, 5, 5, 10]


def test_means_need_at_least_10_people_behind_them():
    table = pd.DataFrame(
        {"people": [8, 40, 35], "mean_sessions": [11.5, 7.25, 9.0]}, index=["a", "b", "c"]
    )
    display = suppress(table, columns=["people"], derived={"mean_sessions": "people"})
    # The mean for 8 people is hidden; so is c's (35 is the next smallest count).
    assert display["people"].tolist() == ["<10", 40, "[c]"]
    assert display["mean_sessions"].tolist() == ["[c]", 7.25, "[c]"]


def test_custom_markers():
    table = pd.DataFrame({"n": [3, 40, 12]})
    display = suppress(table, marker="[low]", secondary_marker="[c]")
    assert display["n"].tolist() == ["[low]", 40, "[c]"]


def test_totals_outside_the_table_that_reveal_a_cell_are_reported(caplog):
    # Row 0's total (51) and column c0's total (58) would be publishable and give 58-51=7.
    table = pd.DataFrame({"c0": [51, 7], "c1": [0, 0]})
    with caplog.at_level(logging.WARNING, logger="analysis.evidence.disclosure"):
        display = suppress(table)
    assert display.attrs["unprotected_cells"] == [(1, "c0")]
    assert "reveal" in caplog.text


def test_non_count_columns_are_left_alone():
    table = pd.DataFrame(
        {"area": ["East", "West"], "year": [2024, 2024], "n": [3, 50], "m": [22, 30]}
    )
    display = suppress(table, columns=["n", "m"])
    assert display["area"].tolist() == ["East", "West"]
    assert display["year"].tolist() == [2024, 2024]


# ----------------------------------------------------------------------------- scalars


def test_scalar_helpers_for_prose_and_figure_labels():
    assert is_disclosive(1) and is_disclosive(9) and not is_disclosive(10)
    assert not is_disclosive(0)
    assert suppress_count(9) == "<10"
    assert suppress_count(12_345) == "12,345"
    assert suppress_count(4, threshold=5) == "<5"
    assert suppress_count(6.0) == "<10"


@pytest.mark.parametrize("bad", [-1, 2.5, None, float("nan"), "7"])
def test_scalar_helpers_reject_non_counts(bad):
    with pytest.raises(ConfigError):
        is_disclosive(bad)


@pytest.mark.parametrize("threshold", [0, -5, 2.5, True])
def test_threshold_must_be_a_positive_whole_number(threshold):
    with pytest.raises(ConfigError, match="threshold"):
        suppress(pd.DataFrame({"n": [1, 2]}), threshold=threshold)


# ----------------------------------------------------------------------------- errors


def test_bad_counts_are_reported_with_column_and_rows():
    table = pd.DataFrame({"n": [3.0, -2.0, 1.5, np.nan]})
    with pytest.raises(DataValidationError) as info:
        suppress(table, columns=["n"])
    problem = info.value.problems[0]
    assert problem.column == "n"
    assert problem.rows == (3, 4, 5)


def test_unknown_columns_and_options_are_config_errors():
    table = pd.DataFrame({"n": [3, 40]})
    with pytest.raises(ConfigError, match="not in the table"):
        suppress(table, columns=["people"])
    with pytest.raises(ConfigError, match="zeros"):
        suppress(table, zeros="sometimes")
    with pytest.raises(ConfigError, match="integer columns"):
        suppress(pd.DataFrame({"label": ["a", "b"]}))


# ----------------------------------------------------------------------------- check_table


def test_check_table_rejects_visible_small_counts():
    table = pd.DataFrame({"area": ["East", "West"], "n": [7, 80], "m": [40, 41]})
    with pytest.raises(DisclosureError) as info:
        check_table(table, name="outcomes by area")
    message = str(info.value)
    assert "outcomes by area" in message and "'n'" in message and "rows 2" in message


def test_check_table_rejects_a_cell_recoverable_from_a_shown_total():
    table = pd.DataFrame({"n": ["<10", 40, 50, 97]}, index=["a", "b", "c", "Total"])
    with pytest.raises(DisclosureError, match="worked out"):
        check_table(table)


def test_check_table_rejects_a_visible_disclosive_zero():
    table = pd.DataFrame({"charged": [25, 30], "not_charged": [0, 35]})
    with pytest.raises(DisclosureError, match="everyone in a group"):
        check_table(table)


def test_check_table_reads_formatted_counts():
    table = pd.DataFrame({"n": ["1,234", "8", "[c]"]})
    with pytest.raises(DisclosureError, match="below the disclosure threshold"):
        check_table(table)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("E00012345", "Output Area"),
        ("BH1 1AA", "postcode"),
        ("a" * 64, "pseudonymous"),
    ],
)
def test_check_table_rejects_fine_geography_and_identifiers(value, fragment):
    table = pd.DataFrame({"place": [value, "E01012345"], "n": [20, 30]})
    with pytest.raises(DisclosureError, match=fragment):
        check_table(table)


def test_check_table_accepts_lsoa_and_coarser():
    table = pd.DataFrame({"lsoa": ["E01012345", "E01012346"], "n": [20, 30]})
    assert check_table(table) is table


def test_total_row_labelled_in_a_label_column_is_found():
    table = pd.DataFrame(
        {
            "area": ["East", "North", "West", "Total"],
            "charged": [4, 30, 25, 59],
            "not_charged": [20, 31, 40, 91],
        }
    )
    display = suppress(table)
    # The total row stays visible; it is not treated as a fourth area.
    assert display.iloc[3].tolist() == ["Total", 59, 91]
    assert display.loc[0, "charged"] == "<10"
    assert display.attrs["unprotected_cells"] == []
    check_table(display)


def test_mask_lists_the_small_cells_apart_from_their_protectors():
    table = pd.DataFrame({"n": [3, 40, 50, 12]}, index=["a", "b", "c", "d"])
    mask = suppression_mask(table)
    assert mask["n"].tolist() == [True, False, False, True]
    assert mask.attrs["primary_cells"] == [("a", "n")]
    # attrs stay plain lists, so frames can still be combined.
    pd.concat([mask, mask])


def test_published_derived_columns_pass_the_check():
    table = pd.DataFrame({"people": [8, 40, 35], "rate": [0.125, 0.3, 0.2]})
    display = suppress(table, columns=["people"], derived={"rate": "people"})
    check_table(display, columns=["people"])
    with pytest.raises(ConfigError, match="not count columns"):
        suppress(table, columns=["people"], derived={"rate": "cases"})
